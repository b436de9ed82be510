package org.padfree.evaluate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/** Where a result row was computed: executor, host, GPU and task attempt. */
record ExecutorInfo(String executorId, String host, String gpuUuid, int attempt) {

  /** The current task's executor; outside a task (driver-side error rows) it says "driver". */
  static ExecutorInfo current() {
    TaskContext task = TaskContext.get();
    String executor = SparkEnv.get() != null ? SparkEnv.get().executorId() : "driver";
    return new ExecutorInfo(task == null ? "driver" : executor, hostName(), "", task == null ? 0 : task.attemptNumber());
  }

  /** The same place, on the GPU with this UUID (empty off the GPU). */
  ExecutorInfo withGpu(String uuid) {
    return new ExecutorInfo(executorId, host, uuid == null ? "" : uuid, attempt);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
