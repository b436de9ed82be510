package org.padfree.cuda.jit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA C++ sources shipped in the jar (from gpu-kernels/src/main/cuda, under resource folder
 * {@code cuda/}). They are listed here rather than discovered, since jars cannot be listed reliably;
 * a test checks this list against the source folder, so it cannot drift. Every file counts towards
 * each kernel's cache key: any edit to any header recompiles everything, which is always correct.
 */
public final class KernelSources {
  private KernelSources() {}

  public static final List<String> FILES = List.of(
      "padfree/ptx/cluster.cuh",
      "padfree/ptx/common.cuh",
      "padfree/ptx/mbarrier.cuh",
      "padfree/ptx/tma.cuh",
      "padfree/ptx/wgmma.cuh",
      "padfree/sm90_grouped_layouts.cuh",
      "padfree/sm90_gemm_epilogue.cuh",
      "padfree/sm90_gemm_shared_layout.cuh",
      "padfree/sm90_scale_split.cuh",
      "padfree/sm90_swiglu_fp8_epilogue.cuh",
      "padfree/sm90_fp8_grouped_gemm.cuh",
      "padfree/sm90_tma_tile_copy.cuh",
      "padfree/pad_rows.cuh",
      "padfree/fp8_quantize.cuh",
      "padfree/scatter_rows.cuh",
      "padfree/compare_rows.cuh",
      "padfree/synthetic_data.cuh",
      "padfree/moe_layer.cuh");

  private static Map<String, String> contents;
  private static String digest;

  /** File name to text, in {@link #FILES} order. */
  public static synchronized Map<String, String> contents() {
    if (contents == null) {
      Map<String, String> map = new LinkedHashMap<>();
      for (String file : FILES) {
        try (InputStream in = KernelSources.class.getResourceAsStream("/cuda/" + file)) {
          if (in == null) {
            throw new IllegalStateException("kernel source cuda/" + file + " is missing from the classpath");
          }
          map.put(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read kernel source " + file, e);
        }
      }
      contents = java.util.Collections.unmodifiableMap(map);
    }
    return contents;
  }

  /** SHA-256 over every file's name and text. */
  public static synchronized String digest() {
    if (digest == null) {
      MessageDigest sha = sha256();
      contents().forEach((name, text) -> {
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      });
      digest = HexFormat.of().formatHex(sha.digest());
    }
    return digest;
  }

  /**
   * A folder holding the sources for nvcc's include path: {@code root/include-<digest>/padfree/...},
   * written once under a temporary name and renamed into place, so concurrent JVMs never see half of it.
   */
  public static Path materialize(Path root) {
    Path dir = root.resolve("include-" + digest().substring(0, 16));
    if (Files.isDirectory(dir)) {
      return dir;
    }
    try {
      Files.createDirectories(root);
      Path tmp = Files.createTempDirectory(root, ".include-");
      for (Map.Entry<String, String> e : contents().entrySet()) {
        Path file = tmp.resolve(e.getKey());
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue());
      }
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        if (!Files.isDirectory(dir)) {
          throw raced;
        }
        org.apache.commons.io.file.PathUtils.delete(tmp); // another JVM won the race with identical content
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kernel sources under " + root, e);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
