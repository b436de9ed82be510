package org.padfree.evaluate;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-injection hooks of the {@code spark.padfree.test.*} keys ({@link PadfreeConf}), which the
 * fault campaign's tests set to stop a run at a chosen moment. On executors a key is read from the
 * job's local properties (so a test can arm it for one job of a running session) and then from the
 * executor's Spark conf. Unset, each is a map lookup or two.
 */
public final class TestHooks {
  private static final Logger LOG = LoggerFactory.getLogger(TestHooks.class);

  private TestHooks() {}

  /** On an executor, before a task's first batch: {@link PadfreeConf#TASK_DELAY_MS}. */
  public static void delayTask() {
    sleep(Long.parseLong(executorSetting(PadfreeConf.TASK_DELAY_MS)), "task delay");
  }

  /** A key's value for the running task: the job's local property, else the executor's conf, else the default. */
  private static String executorSetting(PadfreeConf.Key key) {
    TaskContext task = TaskContext.get();
    String local = task == null ? null : task.getLocalProperty(key.name());
    if (local != null) {
      return local.trim();
    }
    SparkEnv env = SparkEnv.get();
    return env == null ? key.defaultValue() : env.conf().get(key.name(), key.defaultValue()).trim();
  }

  /**
   * On an executor, after a batch: {@link PadfreeConf#KILL_EXECUTOR} kills this JVM with SIGKILL when
   * it runs attempt 0 of partition 0 in the stage's first attempt (the lost executor's shuffle files
   * make Spark re-run the stage, whose attempts count from 0 again). Never on the driver (local mode),
   * which would end the run.
   */
  public static void killExecutorIfAsked() {
    SparkEnv env = SparkEnv.get();
    TaskContext task = TaskContext.get();
    if (env == null || task == null || "driver".equals(env.executorId())
        || !Boolean.parseBoolean(executorSetting(PadfreeConf.KILL_EXECUTOR))
        || task.partitionId() != 0 || task.attemptNumber() != 0 || task.stageAttemptNumber() != 0) {
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
  public static void pauseWhilePublishing(SparkConf conf) {
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
