package org.padfree.evaluate;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.padfree.backend.BackendKind;
import org.padfree.backend.CudaBackend;
import org.padfree.backend.GroupedGemmBackend;
import org.padfree.cuda.CudaDevice;
import org.padfree.cudf.CudfJar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a task builds its batches' layouts (spark.padfree.routing): on the host, or on its GPU with
 * cuDF ({@link CudfTaskRouting}). {@link #decide} is the pure choice; {@link #forTask} asks the
 * executor (is the cuDF jar on the classpath, can cuDF take its pool on the task's GPU) and remembers
 * the answer per device for the executor's lifetime. The CPU path never touches a cuDF class.
 */
final class RoutingPaths {
  private RoutingPaths() {}

  private static final Logger LOG = LoggerFactory.getLogger(RoutingPaths.class);

  static final String HOST = "host";
  static final String CUDF = "cudf";

  /** Thrown when cudf routing was required and cannot run here; the message names the setting and what to do. */
  static final class RoutingUnavailable extends RuntimeException {
    RoutingUnavailable(String message) {
      super(message);
    }
  }

  /** The task's routing: cuDF on {@code device}, or the host (device null). */
  record Choice(String path, CudaDevice device) {
    boolean cudf() {
      return device != null;
    }
  }

  /**
   * The path for a task: {@code host} always builds on the host; {@code cudf} needs the CUDA backend and
   * cuDF usable here ({@code cudfUnavailable} empty), else throws naming the setting and the reason;
   * {@code auto} is cudf where both hold, else the host.
   *
   * @param cudfUnavailable why cuDF cannot run here (the jar missing, its pool refused), empty when it can
   */
  static boolean useCudf(EvaluateSettings.Routing requested, BackendKind backend, Optional<String> cudfUnavailable) {
    String key = PadfreeConf.ROUTING.name();
    switch (requested) {
      case HOST:
        return false;
      case CUDF:
        if (backend != BackendKind.CUDA) {
          throw new RoutingUnavailable(key + " = cudf builds layouts on the task's GPU, but this task runs on the "
              + backend.label() + " backend; use spark.padfree.backend=cuda on GPU executors, or " + key + "=auto or host");
        }
        if (cudfUnavailable.isPresent()) {
          throw new RoutingUnavailable(key + " = cudf, but " + cudfUnavailable.get() + "; or set " + key + "=auto or host");
        }
        return true;
      default:
        return backend == BackendKind.CUDA && cudfUnavailable.isEmpty();
    }
  }

  /** Why cuDF cannot run on each device ordinal (empty = ready), decided once per executor JVM. */
  private static final Map<Integer, Optional<String>> READY = new ConcurrentHashMap<>();

  static Choice forTask(EvaluateSettings settings, GroupedGemmBackend backend) {
    if (settings.routing() == EvaluateSettings.Routing.HOST || backend == null || backend.kind() != BackendKind.CUDA
        || !(backend instanceof CudaBackend cuda)) {
      // Only a cudf request on a non-CUDA backend needs saying; useCudf throws for it.
      useCudf(settings.routing(), backend == null ? BackendKind.CPU : backend.kind(), Optional.empty());
      return new Choice(HOST, null);
    }
    CudaDevice device = cuda.cudaDevice();
    Optional<String> unavailable = READY.computeIfAbsent(device.ordinal(), o -> prepare(device, settings.cudfPoolBytes()));
    if (!useCudf(settings.routing(), BackendKind.CUDA, unavailable)) {
      return new Choice(HOST, null);
    }
    return new Choice(CUDF, device);
  }

  /** Empty when cuDF is ready on {@code device} (its jar loaded, RMM's pool taken), else why not. */
  private static Optional<String> prepare(CudaDevice device, long poolBytes) {
    Optional<String> missing = CudfJar.missing();
    if (missing.isPresent()) {
      LOG.info("padfree: layouts are built on the host on this executor: {}", missing.get());
      return missing;
    }
    try {
      CudfTaskRouting.initialize(device, poolBytes);
      LOG.info("padfree: layouts are built on {} with cuDF (RMM pool {} bytes, {})", device.describe(), poolBytes,
          PadfreeConf.CUDF_POOL_BYTES.name());
      return Optional.empty();
    } catch (RuntimeException | LinkageError e) {
      String reason = "cuDF cannot start on " + device.describe() + " (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + "; " + PadfreeConf.CUDF_POOL_BYTES.name() + " = " + poolBytes + ")";
      LOG.warn("padfree: {}", reason);
      return Optional.of(reason);
    }
  }
}
