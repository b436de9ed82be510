package org.padfree.cuda.jit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.padfree.cuda.CudaSettings;

/**
 * Runs nvcc as a subprocess: NVRTC is not usable from JCuda on the GPU hosts (JCuda wants libnvrtc 12,
 * the hosts have 13), and nvcc gives the same code. Always sm_90a: wgmma and setmaxnreg need it.
 */
public final class NvccCompiler {
  /** The arch part of every cache key. */
  public static final String ARCH = "sm_90a";
  /** Flags of every compile; -Xptxas -v only adds the register/spill report to the log. */
  public static final List<String> FLAGS = List.of(
      "-gencode=arch=compute_90a,code=sm_90a", "-O3", "-std=c++20", "-cubin", "-Xptxas", "-v");
  private static final long TIMEOUT_SECONDS = 300;

  /** A compiled cubin with nvcc's output and the wall time of the compile. */
  public record Result(byte[] cubin, String log, long millis) {}

  private final String nvcc;
  private String version;

  public NvccCompiler(String nvcc) {
    this.nvcc = nvcc;
  }

  public String nvcc() {
    return nvcc;
  }

  /** nvcc --version's full text, part of every cache key (a compiler upgrade recompiles everything). */
  public synchronized String version() {
    if (version == null) {
      requireFound();
      Output out = run(List.of(nvcc, "--version"), null);
      if (out.exitCode != 0) {
        throw new KernelCompileException("'" + nvcc + " --version' failed with exit status " + out.exitCode
            + "; set padfree.cuda.nvcc to a working nvcc", out.text);
      }
      version = out.text.trim();
    }
    return version;
  }

  /** Compiles {@code unit} with {@code includeDir} on the include path, in {@code workDir}. */
  public Result compile(String unit, Path includeDir, Path workDir) {
    requireFound();
    try {
      Files.createDirectories(workDir);
      Path source = workDir.resolve("kernel.cu");
      Path cubin = workDir.resolve("kernel.cubin");
      Files.writeString(source, unit);
      List<String> command = new ArrayList<>();
      command.add(nvcc);
      command.addAll(FLAGS);
      command.addAll(List.of("-I" + includeDir, "-o", cubin.toString(), source.toString()));
      long t0 = System.nanoTime();
      Output out = run(command, workDir);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      if (out.exitCode != 0 || !Files.exists(cubin)) {
        throw new KernelCompileException("nvcc failed (exit status " + out.exitCode + ") compiling:\n" + unit, out.text);
      }
      return new Result(Files.readAllBytes(cubin), out.text, millis);
    } catch (IOException e) {
      throw new KernelCompileException("cannot prepare the compile in " + workDir + ": " + e.getMessage(), "");
    }
  }

  /**
   * Fails, naming the setting and the path tried, unless {@link #nvcc()} is an executable file (a
   * path) or found on PATH (a bare name): otherwise the first symptom would be a bare "error=2" from
   * the process builder, deep in a Spark task.
   */
  void requireFound() {
    String setting = CudaSettings.PREFIX + "nvcc";
    String fix = " (set " + setting + " or " + CudaSettings.environmentName("nvcc") + " to nvcc's path, or put nvcc on PATH)";
    if (nvcc.contains("/")) {
      Path path = Path.of(nvcc);
      if (!Files.exists(path)) {
        throw new KernelCompileException("nvcc not found at " + path.toAbsolutePath() + fix, "");
      }
      if (Files.isDirectory(path) || !Files.isExecutable(path)) {
        throw new KernelCompileException("nvcc at " + path.toAbsolutePath() + " is not an executable file" + fix, "");
      }
      return;
    }
    String pathVariable = System.getenv().getOrDefault("PATH", "");
    for (String folder : pathVariable.split(java.io.File.pathSeparator)) {
      if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, nvcc)) && !Files.isDirectory(Path.of(folder, nvcc))) {
        return;
      }
    }
    throw new KernelCompileException("nvcc not found: '" + nvcc + "' is on no folder of PATH=" + pathVariable + fix, "");
  }

  private record Output(int exitCode, String text) {}

  private Output run(List<String> command, Path dir) {
    Path log = null;
    try {
      // Output goes to a file, not a pipe: reading a pipe to its end would block past the timeout
      // if a hung nvcc kept it open.
      log = Files.createTempFile("padfree-nvcc", ".log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      Process p = pb.start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new KernelCompileException(String.join(" ", command) + " ran over " + TIMEOUT_SECONDS + " s",
            Files.readString(log));
      }
      return new Output(p.exitValue(), new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new KernelCompileException("cannot run nvcc ('" + command.get(0) + "'): " + e.getMessage()
          + "; install the CUDA toolkit or set padfree.cuda.nvcc", "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KernelCompileException("interrupted while running nvcc", "");
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException ignored) {
          // a leftover log in the temp folder is harmless
        }
      }
    }
  }
}
