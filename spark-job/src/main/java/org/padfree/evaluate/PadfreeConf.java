package org.padfree.evaluate;

import java.util.List;

/**
 * Every {@code spark.padfree.*} configuration key, in one place (the README lists them). A key can be
 * set in spark-defaults.conf, with {@code --conf} on spark-submit, or by the job's command-line option
 * of the same meaning, which wins.
 */
public final class PadfreeConf {
  private PadfreeConf() {}

  /** A key, its default, the command-line option that overrides it, and what it does. */
  public record Key(String name, String defaultValue, String option, String doc) {}

  public static final String PREFIX = "spark.padfree.";

  public static final Key BACKEND = new Key(PREFIX + "backend", "auto", "--backend",
      "auto | cpu | cuda. auto uses CUDA where the task has a Hopper GPU, else the exact CPU reference");
  public static final Key REPETITIONS = new Key(PREFIX + "repetitions", "auto", "--repetitions",
      "timed runs per batch and path, timings are their median; auto = 1 on the CPU (whose timings are"
          + " not the product's figures), 10 on the GPU (after a warm-up run)");
  public static final Key REFERENCE_ROWS = new Key(PREFIX + "referenceRows", "4", "--reference-rows",
      "rows per batch and GEMM checked against the double-precision reference (0 turns the check off)");
  public static final Key FAIL_ON_MISMATCH = new Key(PREFIX + "failOnMismatch", "true", "--fail-on-mismatch",
      "exit non-zero when any batch's padded and padding-free rows differ or its reference check fails");
  public static final Key WEIGHT_BANK = new Key(PREFIX + "weightBank", "auto", "--weight-bank",
      "distinct synthetic weight matrices per (model, GEMM); expert e uses matrix e mod N; 0 = one per"
          + " expert; auto = 4 on the CPU (DeepSeek-V3's 256 experts would need 11 GB there), 16 on the GPU"
          + " (each expert still gets its own device copy, so L2 cannot flatter the timings)");
  public static final Key WEIGHT_SEED = new Key(PREFIX + "weightSeed", "2025", "--weight-seed",
      "seed of the synthetic expert weights");
  public static final Key PARTITIONS = new Key(PREFIX + "partitions", "0", "--partitions",
      "evaluation tasks; 0 picks 2 x default parallelism (at most one per batch)");
  public static final Key CPU_THREADS = new Key(PREFIX + "cpu.threads", "0", "--cpu-threads",
      "threads of the CPU backend per task; 0 uses spark.task.cpus (local mode: all cores)");
  public static final Key LAYERS = new Key(PREFIX + "layers", "false", "--layers",
      "true | false: also run each batch's whole MoE layer (padded and padding-free; on the executor's GPU where"
          + " the GEMM rows ran on CUDA, else on the CPU reference) and the activation-quantization study, into"
          + " layers.parquet and the reports' layer sections");
  public static final Key LAYERS_FUSED = new Key(PREFIX + "layers.fused", "false", "",
      "true | false: on GPU executors, also time the layer with the fused SwiGLU-FP8 gate_up epilogue (fused_ms);"
          + " off by default: a third timed layer run per batch, and on the H200 it is not faster yet");
  public static final Key ROUTING = new Key(PREFIX + "routing", "auto", "",
      "auto | host | cudf: where a batch's layouts are built (sort by expert, counts, offsets, padded and masked"
          + " layouts, block table). cudf builds them on the task's GPU with RAPIDS cuDF and the kernels read them"
          + " there; it needs the CUDA backend and the cuDF jar beside the job jar (--jars " + org.padfree.cudf.CudfJar.FILE
          + "). auto = cudf where both are present, else host. Rows say which (routing_path)");
  public static final Key CUDF_POOL_BYTES = new Key(PREFIX + "cudf.poolBytes", "1g", "",
      "bytes of the fixed RMM pool cuDF takes on each GPU for the cudf routing path (k, m, g suffixes; 0 = no pool,"
          + " cuDF allocates per column); it must fit beside the resident expert weights and padfree's buffers");
  public static final Key INPUTS_READ = new Key(PREFIX + "inputs.read", "auto", "",
      "auto | spark | files: how a dataset batch's expert_ids (and activations) reach its evaluating task. spark ="
          + " Spark reads and decodes the rows in the placing shuffle; files = only a reference (file, row) is placed"
          + " and the evaluating task reads its batches' columns from their files, each file once: with cuDF onto its"
          + " GPU where it routes with cuDF, else on the host with parquet-mr (local or Hadoop paths). auto = files"
          + " where tasks will route with cuDF (" + PREFIX + "routing=cudf, or auto with GPU executors and the cuDF jar"
          + " on the driver too, as spark-submit --jars puts it), else spark");
  public static final Key PREPARE_MODELS = new Key(PREFIX + "prepare.models", "", "",
      "models (comma-separated conf/models names) whose GPU weight banks an executor makes when it starts, with"
          + " spark.plugins=" + "org.padfree.evaluate.ExecutorPreparePlugin" + " (which also opens its GPU's CUDA"
          + " backend then), so the first task does not; empty = the backend only");
  public static final Key MODELS_DIR = new Key(PREFIX + "modelsDir", "", "--conf-dir",
      "directory of model .properties files (default: the copy of conf/models in the jar)");
  /** Test hook: every task's first attempt fails after its first batch, to prove exactly-once results. */
  public static final Key FAIL_FIRST_ATTEMPT = new Key(PREFIX + "test.failFirstAttempt", "false", "",
      "testing only: fail each task's first attempt after one batch (needs spark.task.maxFailures >= 2)");

  /** Test hook: the executor running partition 0's first attempt kills its own JVM (SIGKILL) mid-task. */
  public static final Key KILL_EXECUTOR = new Key(PREFIX + "test.killExecutorOnFirstAttempt", "false", "",
      "testing only: the executor running attempt 0 of partition 0 kills its JVM after one batch (ignored in"
          + " local mode, where the executor is the driver)");
  /** Test hook: each evaluation task sleeps this long first, so a run can be stopped mid-stage. */
  public static final Key TASK_DELAY_MS = new Key(PREFIX + "test.taskDelayMs", "0", "",
      "testing only: each evaluation task waits this many milliseconds before its first batch");
  /** Test hook: the driver pauses after writing results.parquet into the staging folder. */
  public static final Key PUBLISH_PAUSE_MS = new Key(PREFIX + "test.publishPauseMs", "0", "",
      "testing only: the driver waits this many milliseconds in the middle of writing the run folder");

  public static final List<Key> ALL = List.of(BACKEND, REPETITIONS, REFERENCE_ROWS, FAIL_ON_MISMATCH,
      WEIGHT_BANK, WEIGHT_SEED, PARTITIONS, CPU_THREADS, LAYERS, LAYERS_FUSED, ROUTING, CUDF_POOL_BYTES, INPUTS_READ, PREPARE_MODELS, MODELS_DIR, FAIL_FIRST_ATTEMPT, KILL_EXECUTOR,
      TASK_DELAY_MS, PUBLISH_PAUSE_MS);
}
