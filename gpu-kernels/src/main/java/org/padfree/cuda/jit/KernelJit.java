package org.padfree.cuda.jit;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaException;
import org.padfree.cuda.CudaSettings;

/**
 * The JIT in three layers: a {@link KernelSpec} becomes a cache key (SHA-256 of the generated unit,
 * every shipped source, the flags, nvcc's version and the arch); the key finds a cubin in memory, then
 * on disk ({@link CubinCache}), else nvcc compiles it; a cubin is loaded once per device and its
 * function kept ({@link LoadedKernel}). One instance per JVM ({@link #shared()}) serves every task.
 */
public final class KernelJit {
  private static final Logger LOG = Logger.getLogger(KernelJit.class.getName());
  private static KernelJit shared;

  private final CudaSettings settings;
  private final NvccCompiler nvcc;
  private final CubinCache disk;
  private final Map<String, CubinCache.Entry> compiled = new ConcurrentHashMap<>();
  private final Map<String, LoadedKernel> loaded = new ConcurrentHashMap<>();

  public KernelJit(CudaSettings settings) {
    this.settings = settings;
    this.nvcc = new NvccCompiler(settings.nvcc());
    this.disk = new CubinCache(settings.cacheDir());
  }

  /** The JVM's JIT, configured from padfree.cuda.* settings on first use. */
  public static synchronized KernelJit shared() {
    if (shared == null) {
      shared = new KernelJit(CudaSettings.fromEnvironment());
    }
    return shared;
  }

  public CudaSettings settings() {
    return settings;
  }

  public String cacheKey(KernelSpec spec) {
    var sha = KernelSources.sha256();
    for (String part : new String[] {spec.translationUnit(), KernelSources.digest(), String.join(" ", NvccCompiler.FLAGS),
        nvcc.version(), NvccCompiler.ARCH}) {
      sha.update(part.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
    }
    return spec.entry() + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 32);
  }

  /** The cubin of {@code spec}: from memory, disk, or a fresh nvcc compile. */
  public CubinCache.Entry compile(KernelSpec spec) {
    String key = cacheKey(spec);
    CubinCache.Entry known = compiled.get(key);
    if (known != null) {
      return known;
    }
    // Compiled outside the map's lock, so compiles of other keys never wait for this one; the disk
    // cache's per-key locks make a concurrent compile of the same key happen once.
    CubinCache.Entry entry = compileOnce(spec, key);
    CubinCache.Entry raced = compiled.putIfAbsent(key, entry);
    return raced != null ? raced : entry;
  }

  private CubinCache.Entry compileOnce(KernelSpec spec, String key) {
    CubinCache.Entry entry = disk.getOrCompile(key, () -> {
      Path include = KernelSources.materialize(settings.cacheDir());
      Path work = settings.keepIntermediates()
          ? settings.cacheDir().resolve("intermediates").resolve(key) : tempDir(key);
      try {
        return nvcc.compile(spec.translationUnit(), include, work);
      } finally {
        if (!settings.keepIntermediates()) {
          deleteQuietly(work);
        }
      }
    });
    if (entry.compiled()) {
      LOG.info(() -> "compiled " + spec.entry() + " in " + entry.compileMillis() + " ms");
    }
    if (settings.ptxasVerbose()) {
      LOG.info(() -> "ptxas report for " + spec.entry() + ":\n" + entry.log());
    }
    return entry;
  }

  /** The kernel loaded on {@code device} (made current on the calling thread). */
  public LoadedKernel load(CudaDevice device, KernelSpec spec) {
    device.makeCurrent();
    CubinCache.Entry entry = compile(spec);
    return loaded.computeIfAbsent(device.ordinal() + "/" + entry.key(), k -> {
      CUmodule module = new CUmodule();
      CudaException.check(cuModuleLoadData(module, entry.cubin()), "cuModuleLoadData", "loading " + spec.entry());
      CUfunction function = new CUfunction();
      CudaException.check(cuModuleGetFunction(function, module, spec.entry()), "cuModuleGetFunction", spec.entry());
      return new LoadedKernel(spec, entry.key(), device, module, function);
    });
  }

  private static Path tempDir(String key) {
    try {
      return Files.createTempDirectory("padfree-nvcc-" + key.substring(0, Math.min(24, key.length())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      org.apache.commons.io.file.PathUtils.delete(dir);
    } catch (IOException ignored) {
      // a leftover temp folder is harmless
    }
  }
}
