package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.padfree.InvalidInputException;
import org.padfree.backend.BackendKind;
import org.padfree.backend.GroupedGemmBackend;
import org.padfree.model.GemmShape;
import org.padfree.model.ModelCatalog;
import org.padfree.model.ModelShape;
import org.padfree.commands.Values;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link ExecutorPreparePlugin} does where the executor's tasks will run on CUDA: the CUDA
 * backend on the executor's GPU (as its tasks will select it: {@link ExecutorBackends#forExecutor})
 * and the weight banks of the models in {@code spark.padfree.prepare.models} for their own expert
 * counts, with the run's bank size and seed, into the same per-JVM caches the tasks read
 * ({@link WeightBank}). Where they will run on the CPU reference it prepares nothing (a CPU backend is
 * sized by the task's cores, unknown before a task arrives).
 */
final class ExecutorPreparation {
  private ExecutorPreparation() {}

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorPreparation.class);

  /** What one preparation did, for the log and for tests. */
  record Prepared(String backend, String device, List<String> banks, long millis, String note) {}

  private static volatile Prepared last;
  private static final Object DONE = new Object();

  /** The last preparation in this JVM, or null (tests). */
  static Prepared last() {
    return last;
  }

  /** The last preparation, waiting up to {@code millis} for one to finish (tests); null if none did. */
  static Prepared awaitLast(long millis) throws InterruptedException {
    long until = System.currentTimeMillis() + millis;
    synchronized (DONE) {
      while (last == null && System.currentTimeMillis() < until) {
        DONE.wait(Math.max(1, until - System.currentTimeMillis()));
      }
      return last;
    }
  }

  private static Prepared finish(Prepared done) {
    synchronized (DONE) {
      last = done;
      DONE.notifyAll();
    }
    return done;
  }

  /** The models spark.padfree.prepare.models names, each checked against the catalog. */
  static List<ModelShape> models(SparkConf conf, ModelCatalog catalog) {
    String text = conf.get(PadfreeConf.PREPARE_MODELS.name(), PadfreeConf.PREPARE_MODELS.defaultValue());
    List<ModelShape> models = new ArrayList<>();
    for (String name : Values.items(List.of(text))) {
      try {
        models.add(catalog.byName(name));
      } catch (RuntimeException e) {
        throw new InvalidInputException(PadfreeConf.PREPARE_MODELS.name(), text, "no model " + name + " in "
            + catalog.names() + " (" + e.getMessage() + ")");
      }
    }
    return models;
  }

  /** The driver's check: the settings parse and every model to prepare exists. Throws naming the key. */
  static void check(SparkConf conf) {
    EvaluateSettings settings = EvaluateOptions.settingsFromConf(conf);
    models(conf, ExecutorBackends.catalog(settings.modelsDir()));
  }

  /**
   * The routing path this executor's tasks will take, decided here so that cuDF and its RMM pool start
   * before the first task rather than inside it (1.7 s on the H200's first cuDF task, sixth session):
   * the same once-per-JVM decision the tasks then read ({@link RoutingPaths#forTask}). A routing that
   * cannot run is left for the tasks to report row by row, as without the plugin.
   */
  private static String prepareRouting(EvaluateSettings settings, GroupedGemmBackend backend) {
    if (settings.routing() == EvaluateSettings.Routing.HOST) {
      return RoutingPaths.HOST;
    }
    try {
      return RoutingPaths.forTask(settings, backend).path();
    } catch (RoutingPaths.RoutingUnavailable e) {
      return RoutingPaths.HOST + " (the tasks will say why: " + e.getMessage() + ")";
    }
  }

  /** Prepares this executor for the GPU addresses it was given (empty without a GPU resource); never throws. */
  static Prepared prepare(SparkConf conf, List<String> gpuAddresses) {
    long start = System.nanoTime();
    Prepared done;
    try {
      EvaluateSettings settings = EvaluateOptions.settingsFromConf(conf);
      ExecutorBackends.Decision decision = ExecutorBackends.decideHere(settings.backend(), gpuAddresses);
      if (!decision.cuda()) {
        // The CPU reference: nothing of a GPU's to prepare (its backends are sized per task).
        LOG.info("padfree: executor preparation: backend cpu here, nothing to prepare{}",
            decision.note().isEmpty() ? "" : " (" + decision.note() + ")");
        return finish(new Prepared("cpu", "", List.of(), (System.nanoTime() - start) / 1_000_000, decision.note()));
      }
      ExecutorBackends.Selection selection = ExecutorBackends.forExecutor(settings, gpuAddresses);
      GroupedGemmBackend backend = selection.backend();
      List<String> banks = new ArrayList<>();
      if (backend.kind() != BackendKind.CPU) {
        int bank = settings.weightBankFor(backend.kind());
        for (ModelShape model : models(conf, ExecutorBackends.catalog(settings.modelsDir()))) {
          for (GemmShape gemm : model.gemms()) {
            WeightBank.weights(model.name(), gemm, model.experts(), bank, settings.weightSeed(), backend);
            banks.add(model.name() + " " + gemm.name());
          }
        }
      }
      String routing = prepareRouting(settings, backend);
      done = new Prepared(backend.kind().label(), backend.device(), List.copyOf(banks),
          (System.nanoTime() - start) / 1_000_000, selection.note());
      LOG.info("padfree: executor prepared in {} ms: backend {} on {}{}, layouts built on {}{}", done.millis(),
          done.backend(), done.device(), banks.isEmpty() ? "" : ", weight banks " + banks, routing,
          done.note().isEmpty() ? "" : " (" + done.note() + ")");
    } catch (RuntimeException | OutOfMemoryError e) {
      // The first task then does this work itself and reports what fails, row by row.
      done = new Prepared("none", "", List.of(), (System.nanoTime() - start) / 1_000_000, e.toString());
      LOG.warn("padfree: executor preparation failed after {} ms, tasks will set up themselves: {}", done.millis(),
          e.toString());
    }
    return finish(done);
  }
}
