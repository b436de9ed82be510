package org.padfree.evaluate;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-injection hooks of the {@code spark.padfree.test.*} keys ({@link PadfreeConf}), which the
 * fault campaign's tests set to stop a run at a chosen moment. Unset, each is one map lookup.
 */
final class TestHooks {
  private static final Logger LOG = LoggerFactory.getLogger(TestHooks.class);

  private TestHooks() {}

  /** On an executor, before a task's first batch: {@link PadfreeConf#TASK_DELAY_MS}. */
  static void delayTask() {
    SparkEnv env = SparkEnv.get();
    long ms = env == null ? 0 : env.conf().getLong(PadfreeConf.TASK_DELAY_MS.name(), 0);
    sleep(ms, "task delay");
  }

  /**
   * On an executor, after a batch: {@link PadfreeConf#KILL_EXECUTOR} kills this JVM with SIGKILL when
   * it runs attempt 0 of partition 0. Never on the driver (local mode), which would end the run.
   */
  static void killExecutorIfAsked() {
    SparkEnv env = SparkEnv.get();
    TaskContext task = TaskContext.get();
    if (env == null || task == null || "driver".equals(env.executorId())
        || !env.conf().getBoolean(PadfreeConf.KILL_EXECUTOR.name(), false)
        || task.partitionId() != 0 || task.attemptNumber() != 0) {
      return;
    }
    long pid = ProcessHandle.current().pid();
    LOG.warn("padfree test hook ({}): killing executor {} (pid {}) in partition 0, attempt 0",
        PadfreeConf.KILL_EXECUTOR.name(), env.executorId(), pid);
    try {
      new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start().waitFor();
    } catch (java.io.IOException e) {
      LOG.warn("kill failed ({}); halting instead", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().halt(137); // kill -KILL did not take: die the same abrupt way
  }

  /** On the driver, with some of the run folder written: {@link PadfreeConf#PUBLISH_PAUSE_MS}. */
  static void pauseWhilePublishing(SparkConf conf) {
    sleep(conf.getLong(PadfreeConf.PUBLISH_PAUSE_MS.name(), 0), "pause while publishing");
  }

  private static void sleep(long ms, String what) {
    if (ms <= 0) {
      return;
    }
    LOG.warn("padfree test hook: {} of {} ms", what, ms);
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
