package org.padfree.evaluate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.padfree.backend.CpuBackend;
import org.padfree.backend.GroupedGemmBackend;
import org.padfree.model.ModelCatalog;

/**
 * Per-executor-JVM singletons: backends (a CPU backend owns a thread pool) and model catalogs are
 * created on first use in a task, never on the driver, and shared by the executor's tasks.
 */
final class ExecutorBackends {
  private ExecutorBackends() {}

  private static final Map<Integer, CpuBackend> CPU = new ConcurrentHashMap<>();
  private static final Map<String, ModelCatalog> CATALOGS = new ConcurrentHashMap<>();

  /** Thrown for a batch when the requested backend cannot run here; the message says what to do. */
  static final class BackendUnavailable extends RuntimeException {
    BackendUnavailable(String message) {
      super(message);
    }
  }

  /**
   * The backend for this task. auto resolves to the CPU reference until the CUDA backend lands;
   * cuda is refused with a clear message rather than silently run elsewhere.
   */
  static GroupedGemmBackend forTask(EvaluateSettings settings) {
    if (settings.backend() == EvaluateSettings.Backend.CUDA) {
      throw new BackendUnavailable("backend cuda was requested, but this build of padfree has no CUDA backend"
          + " yet; run with --backend cpu (or auto, which uses the CPU reference)");
    }
    int threads = settings.cpuThreads() > 0 ? settings.cpuThreads() : taskCpus();
    return CPU.computeIfAbsent(threads, CpuBackend::new);
  }

  static ModelCatalog catalog(String modelsDir) {
    return CATALOGS.computeIfAbsent(modelsDir == null ? "" : modelsDir, ModelCatalog::load);
  }

  /** spark.task.cpus of the running task; all processors outside a task (tests calling directly). */
  private static int taskCpus() {
    TaskContext task = TaskContext.get();
    return task == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, task.cpus());
  }
}
