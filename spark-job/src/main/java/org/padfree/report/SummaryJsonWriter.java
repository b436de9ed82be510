package org.padfree.report;

import org.padfree.AtomicFiles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.padfree.Validate;
import org.padfree.results.LayerResult;
import org.padfree.results.RunInfo;
import org.padfree.table.RecordFields;

/**
 * Writes summary.json: {@code {"run": RunInfo, "groups": [GroupSummary...], "throughput": Throughput,
 * "executors": [ExecutorSummary...], "memory_accounting": text}}
 * with snake_case keys; a run with layers adds {@code "layers": [LayerSummary...]} and
 * {@code "quantization": [QuantizationSummary...]} (each model, then the total with model "*"). NaN and infinities are written as null, because JSON has no such numbers and
 * Jackson's default would write them as the strings "NaN" and "Infinity", which readers then take
 * for text.
 */
public final class SummaryJsonWriter {
  private SummaryJsonWriter() {}

  public static final String FILE_NAME = "summary.json";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Writes {@value #FILE_NAME} into {@code directory}, atomically; returns its path. */
  public static Path write(Path directory, RunInfo run, List<GroupSummary> groups) {
    return write(directory, run, groups, List.of());
  }

  /** As {@link #write(Path, RunInfo, List)}, with the run's throughput and per-executor busy time from {@code results}. */
  public static Path write(Path directory, RunInfo run, List<GroupSummary> groups,
      List<org.padfree.results.BatchResult> results) {
    return write(directory, run, groups, results, List.of());
  }

  /** As {@link #write(Path, RunInfo, List, List)}, with the layer and quantization sections of {@code layers}. */
  public static Path write(Path directory, RunInfo run, List<GroupSummary> groups,
      List<org.padfree.results.BatchResult> results, List<LayerResult> layers) {
    Validate.notNull("directory", directory);
    return AtomicFiles.writeString(directory.resolve(FILE_NAME), toJson(run, groups, results, layers));
  }

  static String toJson(RunInfo run, List<GroupSummary> groups) {
    return toJson(run, groups, List.of());
  }

  static String toJson(RunInfo run, List<GroupSummary> groups, List<org.padfree.results.BatchResult> results) {
    return toJson(run, groups, results, List.of());
  }

  static String toJson(RunInfo run, List<GroupSummary> groups, List<org.padfree.results.BatchResult> results,
      List<LayerResult> layers) {
    Validate.notNull("layers", layers);
    Validate.notNull("run", run);
    Validate.notNull("groups", groups);
    Validate.notNull("results", results);
    ObjectNode root = NODES.objectNode();
    root.set("run", object(run));
    ArrayNode groupNodes = root.putArray("groups");
    for (GroupSummary group : groups) {
      groupNodes.add(object(group));
    }
    root.set("throughput", object(ExecutorSummary.Throughput.of(results, run)));
    ArrayNode executorNodes = root.putArray("executors");
    for (ExecutorSummary e : ExecutorSummary.of(results, run.timings())) {
      executorNodes.add(object(e));
    }
    root.put("memory_accounting", MemoryAccountingText.plainText());
    if (!layers.isEmpty()) {
      ArrayNode layerNodes = root.putArray("layers");
      LayerSummary.of(layers).forEach(s -> layerNodes.add(object(s)));
      ArrayNode studyNodes = root.putArray("quantization");
      QuantizationSummary.of(layers).forEach(q -> studyNodes.add(object(q)));
    }
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the summary of run " + run.runId(), e);
    }
  }

  private static ObjectNode object(Record record) {
    ObjectNode node = NODES.objectNode();
    for (RecordFields.Column column : RecordFields.columns(record)) {
      node.set(column.name(), value(column.value()));
    }
    return node;
  }

  private static JsonNode value(Object value) {
    return switch (value) {
      case null -> NODES.nullNode();
      case Double d -> Double.isFinite(d) ? NODES.numberNode(d) : NODES.nullNode();
      case Integer i -> NODES.numberNode(i);
      case Long l -> NODES.numberNode(l);
      case Boolean b -> NODES.booleanNode(b);
      case String s -> NODES.textNode(s);
      case Enum<?> e -> NODES.textNode(e.toString()); // as in the Parquet and CSV files
      case Record r -> object(r); // e.g. the run's timings, with one object per executor
      case List<?> list -> {
        ArrayNode array = NODES.arrayNode();
        list.forEach(element -> array.add(value(element)));
        yield array;
      }
      default -> throw new IllegalStateException("no JSON form for a " + value.getClass().getName());
    };
  }
}
