package org.padfree.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.padfree.InvalidInputException;
import org.padfree.Validate;

/**
 * The model shapes known to a run, loaded from {@code <name>.properties} files (keys: name, experts,
 * top_k, hidden, intermediate, moe_layers). {@code conf/models/} is the one source of truth; the
 * build copies it into the jar as {@code padfree/models/}, which is what {@link #fromClasspath()}
 * reads, so a cluster job needs no conf directory on the executors.
 */
public final class ModelCatalog {
  /** Classpath folder the build copies {@code conf/models} into. */
  public static final String CLASSPATH_FOLDER = "padfree/models/";

  private static final String SUFFIX = ".properties";
  private static final List<String> REQUIRED_KEYS =
      List.of("name", "experts", "top_k", "hidden", "intermediate", "moe_layers");

  /** Keyed by lower-case name, sorted, so listings and error messages are stable. */
  private final Map<String, ModelShape> models;
  private final String source;

  private ModelCatalog(Map<String, ModelShape> models, String source) {
    this.models = Collections.unmodifiableMap(models);
    this.source = source;
  }

  /** The classpath catalog when {@code confDir} is null or blank, else the one in {@code confDir}. */
  public static ModelCatalog load(String confDir) {
    return confDir == null || confDir.isBlank() ? fromClasspath() : fromDirectory(Path.of(confDir));
  }

  /** Every {@code *.properties} file directly in {@code dir}. */
  public static ModelCatalog fromDirectory(Path dir) {
    Validate.notNull("conf-dir", dir);
    Validate.require(Files.isDirectory(dir), "conf-dir", dir, "is not a directory of model .properties files");
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list model directory " + dir, e);
    }
    Map<String, ModelShape> models = new TreeMap<>();
    for (Path file : files) {
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        add(models, parse(file.getFileName().toString(), file.toString(), reader));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read model file " + file, e);
      }
    }
    return checkedNotEmpty(models, dir.toString());
  }

  /** The models packaged under {@link #CLASSPATH_FOLDER}, from a directory or a jar. */
  public static ModelCatalog fromClasspath() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = ModelCatalog.class.getClassLoader();
    }
    URL folder = loader.getResource(CLASSPATH_FOLDER);
    if (folder == null) {
      folder = folderInOwnJar(); // a jar written without directory entries still holds the files
    }
    Validate.require(folder != null, "classpath resource", CLASSPATH_FOLDER,
        "not found; the spark-job build copies conf/models there (or pass a conf directory)");
    Map<String, ModelShape> models = new TreeMap<>();
    for (String fileName : listClasspathFolder(folder)) {
      String resource = CLASSPATH_FOLDER + fileName;
      try (InputStream in = loader.getResourceAsStream(resource)) {
        Validate.require(in != null, "classpath resource", resource, "listed but cannot be opened");
        add(models, parse(fileName, "classpath:" + resource,
            new InputStreamReader(in, StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read classpath resource " + resource, e);
      }
    }
    return checkedNotEmpty(models, "classpath:" + CLASSPATH_FOLDER);
  }

  /** The model called {@code name}, ignoring case; {@code <model>@e<E>k<K>} names a {@link ModelVariant}. */
  public ModelShape byName(String name) {
    Validate.notNull("model", name);
    ModelVariant variant = ModelVariant.parseOrNull(name);
    if (variant != null) {
      return variant.applyTo(byName(variant.base()));
    }
    ModelShape model = models.get(name.trim().toLowerCase(Locale.ROOT));
    Validate.require(model != null, "model", name, "unknown; known models in " + source + ": " + names());
    return model;
  }

  /** All models, sorted by name. */
  public List<ModelShape> all() {
    return List.copyOf(models.values());
  }

  /** All model names, sorted. */
  public List<String> names() {
    return List.copyOf(models.keySet());
  }

  /** Where the models were read from, for messages. */
  public String source() {
    return source;
  }

  /**
   * One model file. Errors name the key, its value and {@code location}; the {@code name} key must
   * match the file name so that {@code --model X} and {@code conf/models/X.properties} never disagree.
   */
  static ModelShape parse(String fileName, String location, Reader reader) throws IOException {
    Properties properties = new Properties();
    properties.load(reader);
    for (String key : REQUIRED_KEYS) {
      String value = properties.getProperty(key);
      Validate.require(value != null && !value.isBlank(), key, "<missing>",
          "required key missing in model file " + location);
    }
    String name = properties.getProperty("name").trim().toLowerCase(Locale.ROOT);
    String expectedName = fileName.substring(0, fileName.length() - SUFFIX.length()).toLowerCase(Locale.ROOT);
    Validate.require(name.equals(expectedName), "name", properties.getProperty("name"),
        "must match the file name '" + expectedName + "' in model file " + location);
    try {
      return new ModelShape(name,
          intValue(properties, "experts", location),
          intValue(properties, "top_k", location),
          intValue(properties, "hidden", location),
          intValue(properties, "intermediate", location),
          intValue(properties, "moe_layers", location));
    } catch (InvalidInputException e) {
      throw e.withContext(" in model file " + location);
    }
  }

  private static int intValue(Properties properties, String key, String location) {
    String text = properties.getProperty(key).trim();
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(key, text, "not an integer in model file " + location);
    }
  }

  private static void add(Map<String, ModelShape> models, ModelShape model) {
    Validate.require(!models.containsKey(model.name()), "name", model.name(), "defined by two model files");
    models.put(model.name(), model);
  }

  private static ModelCatalog checkedNotEmpty(Map<String, ModelShape> models, String source) {
    Validate.require(!models.isEmpty(), "model directory", source, "has no *" + SUFFIX + " model files");
    return new ModelCatalog(models, source);
  }

  /** {@link #CLASSPATH_FOLDER} inside the jar this class was loaded from, or null outside a jar. */
  private static URL folderInOwnJar() {
    URL self = ModelCatalog.class.getResource(ModelCatalog.class.getSimpleName() + ".class");
    if (self == null || !"jar".equals(self.getProtocol())) {
      return null;
    }
    String text = self.toString();
    try {
      return java.net.URI.create(text.substring(0, text.indexOf("!/") + 2) + CLASSPATH_FOLDER).toURL();
    } catch (java.net.MalformedURLException e) {
      return null;
    }
  }

  /** File names of the *.properties files directly inside a classpath folder (file: or jar: URL). */
  private static List<String> listClasspathFolder(URL folder) {
    try {
      if ("file".equals(folder.getProtocol())) {
        try (Stream<Path> listing = Files.list(Path.of(folder.toURI()))) {
          return listing.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX)).sorted().toList();
        }
      }
      if ("jar".equals(folder.getProtocol())) {
        // Open the jar file itself: a URL connection to the folder fails when the jar was written
        // without directory entries, although the files are there.
        String text = folder.toString();
        java.net.URI jarFile = java.net.URI.create(text.substring("jar:".length(), text.indexOf("!/")));
        List<String> names = new ArrayList<>();
        try (JarFile jar = new JarFile(Path.of(jarFile).toFile())) {
          for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
            String entry = entries.nextElement().getName();
            String rest = entry.startsWith(CLASSPATH_FOLDER) ? entry.substring(CLASSPATH_FOLDER.length()) : "";
            if (rest.endsWith(SUFFIX) && !rest.contains("/")) {
              names.add(rest);
            }
          }
        }
        Collections.sort(names);
        return names;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list classpath folder " + folder, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("classpath folder URL is not a valid URI: " + folder, e);
    }
    throw new InvalidInputException("classpath resource", folder,
        "unsupported URL scheme; pass a conf directory of model files instead");
  }
}
