package org.padfree.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.padfree.InvalidInputException;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.kernels.GemmHeuristics;
import org.padfree.numerics.Bf16;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.reference.DoubleReference;
import org.padfree.reference.RelativeError;

/**
 * The kernel engineer's benchmark: runs a cases file on the GPU (or the CPU reference), checks every
 * case, times its paths and writes a table, {@code reports/kernels/DATE/NAME.json} and {@code .csv}.
 * Per case: correctness first (padded and padding-free bit-identical on every valid row, masked too
 * when it runs; sampled rows against the double reference, relative error below 1e-3); then warm-up
 * runs, then the timed runs with the paths interleaved run by run (A B C A B C ...), each on the GPU
 * a CUDA-event time after an L2 flush; medians and p10/p90; the SM clock read before and after.
 * A case that fails a check is reported and not timed. {@code scripts/gemm-bench.sh} runs it.
 */
public final class GemmBench {
  /** DeepGEMM's bound on the relative error against the reference. */
  static final double MAX_REL_ERROR = 1e-3;
  static final int EXIT_OK = 0;
  static final int EXIT_CHECK_FAILED = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_NO_BACKEND = 3;

  private GemmBench() {}

  static final String HELP = """
      Usage: scripts/gemm-bench.sh [options] --cases CASES.yaml   (or CASES.yaml as the last argument)
        (or java -cp ... org.padfree.bench.GemmBench [options] --cases CASES.yaml)

      Checks and times the padding-free and padded FP8 grouped GEMMs on the shapes of a cases file
      (see conf/bench/*.yaml and the README's "gemm-bench" section for the format).

      Options:
        --cases FILE             the cases file (YAML)
        --backend auto|cpu|cuda  cuda: the Hopper GPU; cpu: the exact CPU reference (small cases:
                                 checks and file format only, timings meaningless and labelled so);
                                 auto (default): cuda when a Hopper GPU is present, else an error
        --out NAME               base name of the result files (default: the cases file's name)
        --reports DIR            reports folder (default: reports); files go to DIR/kernels/DATE/
        --runs N                 timed runs per path for every case (default: the file's, else 30)
        --case NAME[,NAME...]    run only these cases
        --gpu N                  CUDA device ordinal (default 0)
        --threads N              CPU backend threads (default: all processors)
        --multicast auto|none|a|b  clusters of two sharing loads: b (two row blocks share the B
                                 tile), a (two column blocks share the A tile, BLOCK_N 128), none;
                                 auto (default): the heuristic's choice. For A/B comparisons
        -h, --help               this text

      Exit status: 0 every case passed its checks; 1 a check failed or a case errored (the files
      are still written); 2 bad usage or a bad cases file (the message names the field and the
      case); 3 the backend is not available (e.g. no Hopper GPU for auto or cuda).
      """;

  /** Parsed command line. */
  record Options(Path casesFile, String backend, String out, Path reports, Integer runs, Set<String> only, int gpu,
      int threads, GemmHeuristics.Multicast multicast) {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs GemmBench; returns the exit status (see {@link #HELP}). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    BenchCasesFile.Cases cases;
    try {
      options = parse(args);
      if (options == null) {
        out.print(HELP);
        return EXIT_OK;
      }
      cases = BenchCasesFile.read(options.casesFile());
      if (!options.only().isEmpty()) {
        Set<String> known = new LinkedHashSet<>();
        cases.cases().forEach(c -> known.add(c.name()));
        for (String name : options.only()) {
          if (!known.contains(name)) {
            throw new InvalidInputException("--case", name, "is not a case of " + options.casesFile() + "; cases: " + known);
          }
        }
      }
    } catch (InvalidInputException e) {
      err.println("gemm-bench: " + e.getMessage());
      err.println("gemm-bench: --help shows the usage");
      return EXIT_USAGE;
    }
    List<BenchCase> selected = new ArrayList<>();
    for (BenchCase c : cases.cases()) {
      if (options.only().isEmpty() || options.only().contains(c.name())) {
        selected.add(options.runs() == null ? c : new BenchCase(c.name(), c.n(), c.k(), c.counts(), c.distribution(),
            c.seed(), c.paths(), options.runs(), c.warmup()));
      }
    }
    BenchBackend backend;
    try {
      backend = open(options);
    } catch (BackendUnavailable e) {
      err.println("gemm-bench: " + e.getMessage());
      return EXIT_NO_BACKEND;
    }
    try (backend) {
      return runCases(options, cases.description(), selected, backend, out, err);
    }
  }

  private static int runCases(Options options, String description, List<BenchCase> cases, BenchBackend backend,
      PrintStream out, PrintStream err) {
    out.println("gemm-bench: " + cases.size() + " case(s) of " + options.casesFile() + " on " + backend.device());
    List<BenchResult> results = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      BenchCase c = cases.get(i);
      out.printf(Locale.ROOT, "gemm-bench: [%d/%d] %s: %d groups, %d rows (%d padded), N=%d K=%d%n", i + 1, cases.size(),
          c.name(), c.groups(), c.rows(), c.paddedRows(), c.n(), c.k());
      BenchResult r = runCase(c, backend);
      if (!r.passed()) {
        err.println("gemm-bench: case " + c.name() + " FAILED: " + r.failure());
      }
      results.add(r);
    }
    out.println();
    BenchReport.table(out, results, backend.timingsMeaningful());
    String name = options.out() != null ? options.out() : baseName(options.casesFile());
    String date = LocalDate.now(ZoneOffset.UTC).toString();
    String timingNote = backend.timingsMeaningful()
        ? "GPU times from CUDA events, L2 flushed before each run, paths interleaved run by run; medians and p10/p90"
        : "CPU wall times of the exact reference: meaningless for GPU performance (checks and file format only)";
    BenchReport.Run run = new BenchReport.Run(options.casesFile().toString(), description, backend.name(),
        backend.device(), backend.timingsMeaningful(), timingNote, date);
    Path[] files = new BenchReport(backend.name(), backend.timingsMeaningful()).write(options.reports().resolve("kernels").resolve(date), name, run, results);
    out.println("gemm-bench: wrote " + files[0] + " and " + files[1]);
    long failed = results.stream().filter(r -> !r.passed()).count();
    if (failed > 0) {
      err.println("gemm-bench: " + failed + " of " + results.size() + " case(s) failed");
      return EXIT_CHECK_FAILED;
    }
    return EXIT_OK;
  }

  /** Checks, then (if they pass) warms up and times one case. Errors become a failed result. */
  static BenchResult runCase(BenchCase c, BenchBackend backend) {
    BenchBackend.KernelConfig config = null;
    Boolean identical = null;
    Boolean maskedIdentical = null;
    double relError = Double.NaN;
    try {
      BenchProblem problem = new BenchProblem(c);
      try (BenchBackend.PreparedCase prepared = backend.prepare(problem)) {
        config = prepared.config();
        int[] sample = problem.sampleRows();
        BenchBackend.Outputs o = prepared.outputs(sample);
        identical = o.paddedMismatches() == 0;
        maskedIdentical = o.maskedMismatches() < 0 ? null : o.maskedMismatches() == 0;
        relError = referenceError(problem, sample, o);
        List<String> problems = new ArrayList<>();
        if (!identical) {
          problems.add(o.paddedMismatches() + " valid row(s) of padded differ from padding-free");
        }
        if (Boolean.FALSE.equals(maskedIdentical)) {
          problems.add(o.maskedMismatches() + " valid row(s) of masked differ from padding-free");
        }
        if (!(relError < MAX_REL_ERROR)) {
          problems.add("relative error " + relError + " against the double reference (bound " + MAX_REL_ERROR
              + ") on rows " + java.util.Arrays.toString(sample));
        }
        if (!problems.isEmpty()) {
          return new BenchResult(c, config, identical, maskedIdentical, relError, Map.of(), -1, -1,
              String.join("; ", problems) + " (seed " + c.seed() + ")");
        }
        for (int w = 0; w < c.warmup(); w++) {
          for (BenchPath p : c.paths()) {
            prepared.run(p);
          }
        }
        int clockBefore = backend.smClockMhz();
        Map<BenchPath, double[]> samples = new EnumMap<>(BenchPath.class);
        c.paths().forEach(p -> samples.put(p, new double[c.runs()]));
        for (int run = 0; run < c.runs(); run++) {
          for (BenchPath p : c.paths()) {
            samples.get(p)[run] = prepared.timeMillis(p);
          }
        }
        int clockAfter = backend.smClockMhz();
        Map<BenchPath, TimingStats> stats = new EnumMap<>(BenchPath.class);
        samples.forEach((p, ms) -> stats.put(p, TimingStats.ofMillis(ms)));
        return new BenchResult(c, config, identical, maskedIdentical, relError, stats, clockBefore, clockAfter, null);
      }
    } catch (RuntimeException e) {
      return new BenchResult(c, config, identical, maskedIdentical, relError, Map.of(), -1, -1,
          "error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * The largest relative error of the sampled padding-free rows (and dense rows, which use group 0's
   * weights) against the double-precision reference on the same FP8 operands, made on the host.
   */
  static double referenceError(BenchProblem problem, int[] sample, BenchBackend.Outputs o) {
    BenchCase c = problem.benchCase();
    QuantizedActivations a = problem.activationRows(sample);
    Map<Integer, QuantizedWeights> weights = new HashMap<>();
    double[] expected = new double[sample.length * c.n()];
    double[] expectedDense = o.denseRows() == null ? null : new double[sample.length * c.n()];
    for (int i = 0; i < sample.length; i++) {
      int group = problem.groupOf(sample[i]);
      QuantizedWeights w = weights.computeIfAbsent(group, problem::weights);
      System.arraycopy(DoubleReference.compute(a, i, 1, w, 0).values(), 0, expected, i * c.n(), c.n());
      if (expectedDense != null) {
        QuantizedWeights w0 = weights.computeIfAbsent(0, problem::weights);
        System.arraycopy(DoubleReference.compute(a, i, 1, w0, 0).values(), 0, expectedDense, i * c.n(), c.n());
      }
    }
    double error = RelativeError.of(decode(o.freeRows()), expected);
    if (expectedDense != null) {
      error = Math.max(error, RelativeError.of(decode(o.denseRows()), expectedDense));
    }
    return error;
  }

  private static double[] decode(short[] bits) {
    double[] out = new double[bits.length];
    for (int i = 0; i < bits.length; i++) {
      out[i] = Bf16.toFloat(bits[i]);
    }
    return out;
  }

  private static String baseName(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /** The backend could not be opened (no GPU, no driver): exit 3. */
  static final class BackendUnavailable extends RuntimeException {
    BackendUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static BenchBackend open(Options o) {
    if (o.backend().equals("cpu")) {
      return new CpuBenchBackend(o.threads());
    }
    CudaDevice device;
    try {
      device = CudaDevice.byOrdinal(o.gpu());
    } catch (RuntimeException | LinkageError e) {
      throw new BackendUnavailable("no usable CUDA GPU " + o.gpu() + " (" + e.getMessage() + "); "
          + "pass --backend cpu to run the cases on the CPU reference (checks and file format only)", e);
    }
    if (!device.isHopper()) {
      throw new BackendUnavailable(device.describe() + " is not a Hopper GPU (sm_90), which the FP8 grouped GEMM needs; "
          + "pass --backend cpu to run the cases on the CPU reference (checks and file format only)", null);
    }
    try {
      return new CudaBenchBackend(device, o.multicast());
    } catch (RuntimeException e) {
      throw new BackendUnavailable("cannot open " + device.describe() + ": " + e.getMessage(), e);
    }
  }

  /** The options, or null for --help. */
  static Options parse(String[] args) {
    Path casesFile = null;
    String backend = "auto";
    String out = null;
    Path reports = Paths.get("reports");
    Integer runs = null;
    Set<String> only = new LinkedHashSet<>();
    int gpu = 0;
    int threads = Runtime.getRuntime().availableProcessors();
    GemmHeuristics.Multicast multicast = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        return null;
      }
      if (!arg.startsWith("--")) {
        if (casesFile != null) {
          throw new InvalidInputException("--cases", arg, "only one cases file is taken (already " + casesFile + ")");
        }
        casesFile = Paths.get(arg);
        continue;
      }
      String option = arg;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        option = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else {
        if (i + 1 >= args.length) {
          throw new InvalidInputException(option, "(missing)", "needs a value");
        }
        value = args[++i];
      }
      switch (option) {
        case "--cases" -> {
          if (casesFile != null) {
            throw new InvalidInputException("--cases", value, "only one cases file is taken (already " + casesFile + ")");
          }
          casesFile = Paths.get(value);
        }
        case "--backend" -> {
          if (!List.of("auto", "cpu", "cuda").contains(value)) {
            throw new InvalidInputException("--backend", value, "must be auto, cpu or cuda");
          }
          backend = value;
        }
        case "--out" -> {
          if (!value.matches("[A-Za-z0-9._-]+") || value.startsWith(".")) {
            throw new InvalidInputException("--out", value, "must be a file base name (letters, digits, . _ -)");
          }
          out = value;
        }
        case "--reports" -> reports = Paths.get(value);
        case "--runs" -> runs = positive("--runs", value);
        case "--case" -> {
          for (String name : value.split(",")) {
            if (!name.isBlank()) {
              only.add(name.trim());
            }
          }
        }
        case "--gpu" -> {
          if (!value.matches("\\d{1,4}")) {
            throw new InvalidInputException("--gpu", value, "must be a CUDA device ordinal (0, 1, ...)");
          }
          gpu = Integer.parseInt(value);
        }
        case "--threads" -> threads = positive("--threads", value);
        case "--multicast" -> multicast = value.equals("auto") ? null : GemmHeuristics.Multicast.parse("--multicast", value);
        default -> throw new InvalidInputException("option", option, "is not known");
      }
    }
    if (casesFile == null) {
      throw new InvalidInputException("--cases", "(missing)", "give a cases file, e.g. --cases conf/bench/frontier.yaml");
    }
    if (!Files.isRegularFile(casesFile)) {
      throw new InvalidInputException("--cases", casesFile, "is not a readable file");
    }
    return new Options(casesFile, backend, out, reports, runs, only, gpu, threads, multicast);
  }

  private static int positive(String option, String value) {
    try {
      int v = Integer.parseInt(value);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new InvalidInputException(option, value, "must be a positive integer");
  }
}
