package org.padfree.capacity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.padfree.InvalidInputException;
import org.padfree.cli.SpecNode;
import org.padfree.routing.RoutingDistribution;

/**
 * A capacity study spec (conf/capacity/*.yaml, documented in the README): which sweep results, which
 * model and backend, the traffic to serve and the GPU's memory and price. Scenarios are the product
 * tokens_per_batch x distributions. Errors name the field by its path in the file.
 *
 * @param results sweep results: {@code run:<id>}, a points.csv/.parquet file or a sweep report folder;
 *     null = the latest run in {@code history}
 * @param experts 0 = the model's own (likewise topK, moeLayers)
 * @param backend the backend whose measurements to use; null = the only one in the results
 * @param headroom fraction of each GPU's measured throughput held back for bursts (0.25: plan at 75%)
 * @param timeBasis {@code time_basis}: layer or gemm; null = auto (the layer where the results have
 *     layer rows on the chosen backend, else the GEMMs)
 */
public record CapacitySpec(String name, String description, String results, String history, String out,
    String model, int experts, int topK, int moeLayers, String backend, double targetTokensPerSecond,
    double headroom, double gpuMemoryGb, double pricePerGpuHour, List<Integer> tokensPerBatch,
    List<String> distributions, String confDir, TimeBasis timeBasis) {

  private static final Set<String> FIELDS = Set.of("name", "description", "results", "history", "out", "model",
      "experts", "top_k", "moe_layers", "backend", "target_tokens_per_s", "headroom", "gpu_memory_gb",
      "price_per_gpu_hour", "tokens_per_batch", "distributions", "conf_dir", "time_basis");

  public CapacitySpec {
    tokensPerBatch = List.copyOf(tokensPerBatch);
    distributions = List.copyOf(distributions);
  }

  public static CapacitySpec load(Path file) {
    return parse(SpecNode.load(file));
  }

  public static CapacitySpec parse(String yaml, String file) {
    return parse(SpecNode.parse(yaml, file));
  }

  static CapacitySpec parse(SpecNode s) {
    s.allowOnly(FIELDS);
    String name = s.folderName("name");
    double target = s.number("target_tokens_per_s");
    if (!(target > 0) || !Double.isFinite(target)) {
      throw s.error("target_tokens_per_s", target, "must be > 0 (tokens per second the cluster must serve)");
    }
    double headroom = s.number("headroom", 0.2);
    if (!(headroom >= 0 && headroom < 1)) {
      throw s.error("headroom", headroom, "must be in [0, 1): the fraction of throughput held back, e.g. 0.2");
    }
    double memory = s.number("gpu_memory_gb");
    if (!(memory > 0) || !Double.isFinite(memory)) {
      throw s.error("gpu_memory_gb", memory, "must be > 0, e.g. 141 for an H200");
    }
    double price = s.number("price_per_gpu_hour");
    if (!(price >= 0) || !Double.isFinite(price)) {
      throw s.error("price_per_gpu_hour", price, "must be >= 0");
    }
    List<Integer> tokens = new ArrayList<>();
    List<String> tokenTexts = s.strings("tokens_per_batch", null);
    if (tokenTexts == null) {
      throw s.error("tokens_per_batch", "<missing>", "is required: tokens per GPU batch to plan for, e.g. [1024, 4096]");
    }
    for (int i = 0; i < tokenTexts.size(); i++) {
      tokens.add(positive(s, "tokens_per_batch[" + i + "]", tokenTexts.get(i)));
    }
    List<String> distributions = new ArrayList<>();
    List<String> texts = s.strings("distributions", List.of("lognormal(sigma=1.0)"));
    for (int i = 0; i < texts.size(); i++) {
      try {
        distributions.add(RoutingDistribution.parse(texts.get(i)).toString());
      } catch (InvalidInputException e) {
        throw s.error("distributions[" + i + "]", texts.get(i), e.reason());
      }
    }
    return new CapacitySpec(name, s.string("description", ""), s.string("results", null),
        s.string("history", "reports/sweeps/history"), s.string("out", "reports/capacity"), s.string("model"),
        modelOr(s, "experts"), modelOr(s, "top_k"), modelOr(s, "moe_layers"), s.string("backend", null), target,
        headroom, memory, price, tokens, distributions, s.string("conf_dir", null), timeBasis(s));
  }

  private static TimeBasis timeBasis(SpecNode s) {
    String text = s.string("time_basis", "auto");
    try {
      return TimeBasis.parse("time_basis", text);
    } catch (InvalidInputException e) {
      throw s.error("time_basis", text, e.reason());
    }
  }

  private static int modelOr(SpecNode s, String key) {
    String text = s.string(key, "model");
    return text.equalsIgnoreCase("model") ? 0 : positive(s, key, text);
  }

  private static int positive(SpecNode s, String field, String text) {
    try {
      int v = Integer.parseInt(text.trim());
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below with the field's name
    }
    throw s.error(field, text, "expected an integer >= 1");
  }
}
