package org.padfree.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;

/**
 * Where a run's Spark application can be found again: its id (the name the History Server and the
 * cluster manager list it under), its master, and the event-log directory the History Server reads
 * (null when event logging is off). Reports and the sweep history carry these so a figure leads back
 * to the application's stages, tasks and executors.
 *
 * @param eventLogDir {@code spark.eventLog.dir} (Spark's default {@code file:/tmp/spark-events} when
 *     unset) when {@code spark.eventLog.enabled} is true, else null; the log itself is the entry named
 *     after the application id in that directory
 */
public record SparkApplication(String applicationId, String master, String eventLogDir) {
  /** Spark's default of spark.eventLog.dir. */
  static final String DEFAULT_EVENT_LOG_DIR = "file:/tmp/spark-events";

  public static SparkApplication of(SparkContext context) {
    return of(context.applicationId(), context.master(), context.getConf());
  }

  static SparkApplication of(String applicationId, String master, SparkConf conf) {
    boolean logged = conf.getBoolean("spark.eventLog.enabled", false);
    return new SparkApplication(applicationId, master, logged ? conf.get("spark.eventLog.dir", DEFAULT_EVENT_LOG_DIR) : null);
  }

  /** The event log's directory, or a sentence saying it is off, for reports. */
  public static String eventLogText(String eventLogDir) {
    return eventLogDir != null ? eventLogDir
        : "off (set spark.eventLog.enabled=true and spark.eventLog.dir to keep runs in the History Server)";
  }
}
