package org.padfree.evaluate;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.padfree.backend.CpuBackend;
import org.padfree.backend.CudaBackend;
import org.padfree.backend.GroupedGemmBackend;
import org.padfree.cuda.Cuda;
import org.padfree.cuda.CudaDevice;
import org.padfree.model.ModelCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-executor-JVM singletons: backends (a CPU backend owns a thread pool, a CUDA backend a GPU's
 * streams, workspace and resident weights) and model catalogs are created on first use in a task,
 * never on the driver, and shared by the executor's tasks. One CUDA backend per device per JVM.
 *
 * <p>Which backend a task gets ({@link #decide}, a pure function): cpu is the CPU reference; cuda
 * runs on the task's GPU, {@code TaskContext.resources().get("gpu")}'s first address, mapped to a
 * device with {@link CudaDevice#byAddress} (CUDA_VISIBLE_DEVICES honoured); with CUDA present but no
 * GPU assigned to the task it uses device 0 and warns; without CUDA it fails the task's batches with a
 * message naming what is missing. auto is cuda where that works, else the CPU, and says why in every row.
 */
final class ExecutorBackends {
  private ExecutorBackends() {}

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorBackends.class);
  private static final Map<Integer, CpuBackend> CPU = new ConcurrentHashMap<>();
  private static final Map<Integer, CudaBackend> CUDA = new ConcurrentHashMap<>();
  private static final Map<String, ModelCatalog> CATALOGS = new ConcurrentHashMap<>();

  /** Thrown for a batch when the requested backend cannot run here; the message says what to do. */
  static final class BackendUnavailable extends RuntimeException {
    BackendUnavailable(String message) {
      super(message);
    }
  }

  /**
   * The backend a task got: {@code gpuUuid} is empty off the GPU; {@code note} is empty or says
   * something every row should carry (auto's fallback reason, a GPU taken without an assignment).
   */
  record Selection(GroupedGemmBackend backend, String gpuUuid, String note) {}

  /** What {@link #decide} chose: cuda on {@code address} (null = device 0), or the CPU; {@code note} as in Selection. */
  record Decision(boolean cuda, String address, String note) {}

  static final String FALLBACK = "auto fell back to cpu: ";

  /** {@link #decide} on this JVM: CUDA's availability asked only when the CPU was not requested. */
  static Decision decideHere(EvaluateSettings.Backend requested, List<String> gpuAddresses) {
    return requested == EvaluateSettings.Backend.CPU
        ? decide(requested, List.of(), Optional.empty())
        : decide(requested, gpuAddresses, Cuda.unavailableReason());
  }

  /**
   * The choice for a task, from the requested backend, the task's GPU addresses and why CUDA is
   * unusable here (empty when it works). Throws {@link BackendUnavailable} for cuda without CUDA.
   */
  static Decision decide(EvaluateSettings.Backend requested, List<String> gpuAddresses, Optional<String> cudaUnavailable) {
    if (requested == EvaluateSettings.Backend.CPU) {
      return new Decision(false, null, "");
    }
    boolean assigned = !gpuAddresses.isEmpty();
    if (cudaUnavailable.isPresent()) {
      String where = assigned
          ? "the task was assigned GPU " + gpuAddresses + " but " + cudaUnavailable.get()
          : "no GPU resource was assigned to the task (set spark.executor.resource.gpu.amount=1,"
              + " spark.task.resource.gpu.amount=1 and a discovery script, see conf/spark-gpu-*.conf) and "
              + cudaUnavailable.get();
      if (requested == EvaluateSettings.Backend.CUDA) {
        throw new BackendUnavailable("backend cuda was requested, but " + where
            + "; run where a Hopper GPU and the NVIDIA driver are present, or use --backend cpu or auto");
      }
      return new Decision(false, null, FALLBACK + where);
    }
    if (!assigned) {
      return new Decision(true, null, "no GPU resource was assigned to the task, so it used CUDA device 0"
          + " (set spark.executor.resource.gpu.amount and spark.task.resource.gpu.amount to pin executors to GPUs)");
    }
    return new Decision(true, gpuAddresses.get(0), "");
  }

  /** Notes already logged by this JVM: each is said once, not once per task. */
  private static final java.util.Set<String> LOGGED_NOTES = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** For tests: forget which notes were logged, as a fresh executor JVM would. */
  static void forgetLoggedNotes() {
    LOGGED_NOTES.clear();
  }

  static Selection forTask(EvaluateSettings settings) {
    return forExecutor(settings, taskGpuAddresses());
  }

  /**
   * The backend for the given GPU addresses (a task's, or the executor's own when it starts:
   * {@link ExecutorPreparation}), created on first use in this JVM and shared from then on.
   */
  static Selection forExecutor(EvaluateSettings settings, List<String> gpuAddresses) {
    EvaluateSettings.Backend requested = settings.backend();
    Decision d = decideHere(requested, gpuAddresses);
    if (d.cuda()) {
      try {
        CudaDevice device = d.address() == null ? CudaDevice.byOrdinal(0) : CudaDevice.byAddress(d.address());
        CudaBackend backend = CUDA.computeIfAbsent(device.ordinal(), o -> new CudaBackend(device));
        if (!d.note().isEmpty() && LOGGED_NOTES.add(d.note())) {
          LOG.warn("padfree: {}", d.note());
        }
        return new Selection(backend, device.uuid(), d.note());
      } catch (RuntimeException e) {
        String reason = "GPU " + (d.address() == null ? "device 0" : "address " + d.address()) + " cannot be used: "
            + e.getMessage();
        if (requested == EvaluateSettings.Backend.CUDA) {
          throw new BackendUnavailable("backend cuda was requested, but " + reason);
        }
        d = new Decision(false, null, FALLBACK + reason);
      }
    }
    if (!d.note().isEmpty() && LOGGED_NOTES.add(d.note())) {
      // The normal laptop and CI case: one short line per JVM; every row and the report carry the reason.
      LOG.info("padfree: backend {} uses the CPU reference on this executor (no usable GPU; the report's notes say why)",
          requested.label());
    }
    int threads = settings.cpuThreads() > 0 ? settings.cpuThreads() : taskCpus();
    return new Selection(CPU.computeIfAbsent(threads, CpuBackend::new), "", d.note());
  }

  static ModelCatalog catalog(String modelsDir) {
    return CATALOGS.computeIfAbsent(modelsDir == null ? "" : modelsDir, ModelCatalog::load);
  }

  /** The running task's GPU addresses as Spark assigned them; empty outside a task or without GPUs. */
  private static List<String> taskGpuAddresses() {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return List.of();
    }
    scala.Option<ResourceInformation> gpu = task.resources().get("gpu");
    return gpu.isDefined() ? List.of(gpu.get().addresses()) : List.of();
  }

  /** spark.task.cpus of the running task; all processors outside a task (tests calling directly). */
  static int taskCpus() {
    TaskContext task = TaskContext.get();
    return task == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, task.cpus());
  }
}
