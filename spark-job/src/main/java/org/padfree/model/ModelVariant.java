package org.padfree.model;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.padfree.Validate;

/**
 * A shipped model with another number of routed experts or another top-k, named
 * {@code <model>@e<experts>k<top_k>} (e.g. {@code deepseek-v3@e64k4}). Sweeps vary experts and top-k
 * around a real model's GEMM shapes; giving the variant a name that {@link ModelCatalog#byName}
 * resolves everywhere (driver, executors, reports) means a variant batch travels and is evaluated
 * exactly like a batch of a shipped model, with no model files to distribute to the executors.
 */
public record ModelVariant(String base, int experts, int topK) {

  private static final Pattern FORM = Pattern.compile("(.+)@e(\\d+)k(\\d+)");

  public ModelVariant {
    Validate.require(base != null && !base.isBlank() && !base.contains("@"), "model", base,
        "a variant's base must be a plain model name");
    Validate.positive("experts", experts);
    Validate.positive("top_k", topK);
  }

  /** The variant a name denotes, or null for a plain model name. */
  public static ModelVariant parseOrNull(String name) {
    if (name == null || !name.contains("@")) {
      return null;
    }
    Matcher m = FORM.matcher(name.trim().toLowerCase(Locale.ROOT));
    Validate.require(m.matches(), "model", name, "a model variant reads <model>@e<experts>k<top_k>, e.g. deepseek-v3@e64k4");
    try {
      return new ModelVariant(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    } catch (NumberFormatException e) {
      throw new org.padfree.InvalidInputException("model", name, "experts or top_k does not fit in an int");
    }
  }

  /**
   * The name of {@code model} with {@code experts} and {@code topK}: the plain name when both are the
   * model's own, so a sweep that does not vary them produces the same rows as the evaluation job.
   */
  public static String nameOf(ModelShape model, int experts, int topK) {
    return experts == model.experts() && topK == model.topK() ? model.name()
        : new ModelVariant(model.name(), experts, topK).name();
  }

  public String name() {
    return base + "@e" + experts + "k" + topK;
  }

  /** The base model's GEMM shapes and layers with this variant's experts and top-k. */
  public ModelShape applyTo(ModelShape baseModel) {
    try {
      return new ModelShape(name(), experts, topK, baseModel.hidden(), baseModel.intermediate(), baseModel.moeLayers());
    } catch (org.padfree.InvalidInputException e) {
      throw e.withContext(" (model variant " + name() + ")");
    }
  }
}
