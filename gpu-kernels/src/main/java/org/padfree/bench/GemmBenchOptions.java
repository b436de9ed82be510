package org.padfree.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.padfree.InvalidInputException;
import org.padfree.commands.CommandLines;
import org.padfree.commands.Values;
import org.padfree.cuda.kernels.GemmHeuristics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * gemm-bench's command line (picocli, set up by {@link CommandLines}), checked and resolved into
 * {@link Options}: the cases file as {@code --cases FILE} or as the one positional argument.
 */
@Command(name = "gemm-bench", sortOptions = false,
    customSynopsis = {"scripts/gemm-bench.sh [options] --cases CASES.yaml   (or CASES.yaml as the last argument)",
        "  (or java -cp ... org.padfree.bench.GemmBench [options] --cases CASES.yaml)"},
    description = {"", "Checks and times the padding-free and padded FP8 grouped GEMMs on the shapes of a cases file",
        "(see conf/bench/*.yaml and the README's \"gemm-bench\" section for the format).", ""},
    footer = {"", "Exit status: 0 every case passed its checks; 1 a check failed or a case errored (the files are still",
        "written); 2 bad usage or a bad cases file (the message names the field and the case); 3 the backend is",
        "not available (e.g. no Hopper GPU for auto or cuda)."})
final class GemmBenchOptions {
  /** Parsed command line. */
  record Options(Path casesFile, String backend, String out, Path reports, Integer runs, Set<String> only, int gpu,
      int threads, GemmHeuristics.Multicast multicast, Integer blockN, boolean dryRun) {}

  @Option(names = "--cases", paramLabel = "FILE", description = "the cases file (YAML)")
  private List<String> cases = new ArrayList<>();
  @Parameters(arity = "0..*", paramLabel = "CASES.yaml", hidden = true)
  private List<String> positional = new ArrayList<>();
  // Each description is one string: picocli wraps it at the usage width.
  @Option(names = "--backend", paramLabel = "auto|cpu|cuda", defaultValue = "auto", description = "cuda: the Hopper GPU;"
      + " cpu: the exact CPU reference (small cases: checks and file format only, timings meaningless and labelled so);"
      + " auto (default): cuda when a Hopper GPU is present, else an error")
  private String backend;
  @Option(names = "--out", paramLabel = "NAME", description = "base name of the result files (default: the cases file's name)")
  private String out;
  @Option(names = "--reports", paramLabel = "DIR", defaultValue = "reports",
      description = "reports folder (default: ${DEFAULT-VALUE}); files go to DIR/kernels/DATE/")
  private String reports;
  @Option(names = "--runs", paramLabel = "N", description = "timed runs per path for every case (default: the file's, else 30)")
  private Integer runs;
  @Option(names = "--case", paramLabel = "NAME[,NAME...]", description = "run only these cases")
  private List<String> only = new ArrayList<>();
  @Option(names = "--gpu", paramLabel = "N", defaultValue = "0", description = "CUDA device ordinal (default ${DEFAULT-VALUE})")
  private String gpu;
  @Option(names = "--threads", paramLabel = "N", description = "CPU backend threads (default: all processors)")
  private Integer threads;
  @Option(names = "--multicast", paramLabel = "auto|none|a|b", defaultValue = "auto", description = "clusters of"
      + " two sharing loads: b (two row blocks share the B tile), a (two column blocks share the A tile, BLOCK_N 128),"
      + " none; auto (default): the heuristic's choice (none, with tiles handed out at run time). a and b run the"
      + " static tile schedule that clusters need. For A/B comparisons")
  private String multicast;
  @Option(names = "--block-n", paramLabel = "auto|N", defaultValue = "auto", description = "tile width for"
      + " every case: one of 64, 96, 112, 128, 160, 192; auto (default): the heuristic's choice per case. For"
      + " comparing tile widths on the same shapes (the stage count follows the width)")
  private String blockN;
  @Option(names = "--dry-run", description = "list each case's rows (valid, padded to 128, rounded up to 64 per"
      + " group) and the most padding-free can gain over the padded GEMM at the same tensor-core rate; runs nothing,"
      + " opens no GPU, writes no file")
  private boolean dryRun;
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
  private boolean help;

  /** --help's text, generated from the options above. */
  static final String HELP = CommandLines.usage(new GemmBenchOptions(), option -> null);

  private GemmBenchOptions() {}

  /** The options, or null for --help. */
  static Options parse(String[] args) {
    GemmBenchOptions o = CommandLines.parse(new GemmBenchOptions(), option -> null, args);
    if (o.help) {
      return null;
    }
    List<String> files = new ArrayList<>(o.cases);
    files.addAll(o.positional);
    if (files.size() > 1) {
      throw new InvalidInputException("--cases", files.get(1), "only one cases file is taken (already " + files.get(0) + ")");
    }
    if (files.isEmpty()) {
      throw new InvalidInputException("--cases", "(missing)", "give a cases file, e.g. --cases conf/bench/frontier.yaml");
    }
    Path casesFile = Paths.get(files.get(0));
    if (!List.of("auto", "cpu", "cuda").contains(o.backend)) {
      throw new InvalidInputException("--backend", o.backend, "must be auto, cpu or cuda");
    }
    if (o.out != null && (!o.out.matches("[A-Za-z0-9._-]+") || o.out.startsWith("."))) {
      throw new InvalidInputException("--out", o.out, "must be a file base name (letters, digits, . _ -)");
    }
    if (o.runs != null && o.runs < 1) {
      throw new InvalidInputException("--runs", o.runs, "must be a positive integer");
    }
    if (!o.gpu.matches("\\d{1,4}")) {
      throw new InvalidInputException("--gpu", o.gpu, "must be a CUDA device ordinal (0, 1, ...)");
    }
    int threads = o.threads == null ? Runtime.getRuntime().availableProcessors() : o.threads;
    if (threads < 1) {
      throw new InvalidInputException("--threads", threads, "must be a positive integer");
    }
    GemmHeuristics.Multicast multicast = o.multicast.equals("auto") ? null : GemmHeuristics.Multicast.parse("--multicast", o.multicast);
    Integer blockN = null;
    if (!o.blockN.equals("auto")) {
      blockN = o.blockN.matches("\\d{1,3}") ? Integer.valueOf(o.blockN) : null;
      if (blockN == null || !GemmHeuristics.BLOCK_NS.contains(blockN)) {
        throw new InvalidInputException("--block-n", o.blockN, "must be auto or one of " + GemmHeuristics.BLOCK_NS);
      }
    }
    if (!Files.isRegularFile(casesFile)) {
      throw new InvalidInputException("--cases", casesFile, "is not a readable file");
    }
    return new Options(casesFile, o.backend, o.out, Paths.get(o.reports), o.runs,
        new LinkedHashSet<>(Values.items(o.only)), Integer.parseInt(o.gpu), threads, multicast, blockN, o.dryRun);
  }
}
