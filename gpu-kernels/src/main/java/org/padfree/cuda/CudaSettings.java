package org.padfree.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * The CUDA backend's settings, all under one prefix: Java system property {@code padfree.cuda.NAME},
 * or else environment variable {@code PADFREE_CUDA_NAME} (upper case, dots as underscores), or else
 * the default. On Spark executors set them with {@code spark.executor.extraJavaOptions=-Dpadfree.cuda...}.
 *
 * @param cacheDir where compiled cubins are kept ({@code cacheDir}, default ~/.cache/padfree/kernels)
 * @param nvcc the nvcc binary ({@code nvcc}; default $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc, PATH)
 * @param ptxasVerbose log ptxas register and spill reports of each compile ({@code ptxasVerbose})
 * @param keepIntermediates keep the generated .cu and nvcc's intermediates under cacheDir/intermediates
 *     ({@code keepIntermediates})
 * @param nativeDir where JCuda's native library is extracted ({@code nativeDir})
 */
public record CudaSettings(Path cacheDir, String nvcc, boolean ptxasVerbose, boolean keepIntermediates, Path nativeDir) {

  public static final String PREFIX = "padfree.cuda.";

  public static CudaSettings fromEnvironment() {
    return new CudaSettings(
        Paths.get(get("cacheDir", Paths.get(System.getProperty("user.home"), ".cache", "padfree", "kernels").toString())),
        get("nvcc", defaultNvcc()),
        Boolean.parseBoolean(get("ptxasVerbose", "false")),
        Boolean.parseBoolean(get("keepIntermediates", "false")),
        Paths.get(get("nativeDir", JCudaNatives.defaultCacheRoot().toString())));
  }

  /** The same settings with another cache folder (tests, per-run caches). */
  public CudaSettings withCacheDir(Path dir) {
    return new CudaSettings(dir, nvcc, ptxasVerbose, keepIntermediates, nativeDir);
  }

  public CudaSettings withNvcc(String path) {
    return new CudaSettings(cacheDir, path, ptxasVerbose, keepIntermediates, nativeDir);
  }

  /** The environment variable of setting {@code name}, e.g. PADFREE_CUDA_CACHE_DIR for cacheDir. */
  public static String environmentName(String name) {
    return "PADFREE_CUDA_" + name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  static String get(String name, String fallback) {
    String property = System.getProperty(PREFIX + name);
    if (property != null && !property.isBlank()) {
      return property.trim();
    }
    String env = System.getenv(environmentName(name));
    return env != null && !env.isBlank() ? env.trim() : fallback;
  }

  private static String defaultNvcc() {
    String cudaHome = System.getenv("CUDA_HOME");
    for (String candidate : new String[] {cudaHome == null ? null : cudaHome + "/bin/nvcc", "/usr/local/cuda/bin/nvcc"}) {
      if (candidate != null && Files.isExecutable(Paths.get(candidate))) {
        return candidate;
      }
    }
    return "nvcc"; // resolved on PATH by the process builder
  }
}
