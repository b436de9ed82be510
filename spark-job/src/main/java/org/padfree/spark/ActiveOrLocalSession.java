package org.padfree.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession a job should use: the one already running (spark-submit, a notebook, a test), or
 * else a new one on the configured master, {@code local[*]} when none is configured. Closing stops
 * only a session this class started, so a job never shuts down its caller's Spark.
 */
public final class ActiveOrLocalSession implements AutoCloseable {
  private final SparkSession session;
  private final boolean owned;

  private ActiveOrLocalSession(SparkSession session, boolean owned) {
    this.session = session;
    this.owned = owned;
  }

  public static ActiveOrLocalSession open(String appName) {
    scala.Option<SparkSession> running = SparkSession.getActiveSession();
    if (running.isEmpty()) {
      running = SparkSession.getDefaultSession();
    }
    if (running.isDefined()) {
      return new ActiveOrLocalSession(running.get(), false);
    }
    // new SparkConf() sees the spark.* system properties spark-submit sets, including spark.master.
    String master = new SparkConf().get("spark.master", "local[*]");
    return new ActiveOrLocalSession(SparkSession.builder().appName(appName).master(master).getOrCreate(), true);
  }

  public SparkSession session() {
    return session;
  }

  /** Whether {@link #close()} will stop the session. */
  public boolean owned() {
    return owned;
  }

  @Override
  public void close() {
    if (owned) {
      session.stop();
    }
  }
}
