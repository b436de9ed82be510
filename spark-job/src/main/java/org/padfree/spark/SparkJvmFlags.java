package org.padfree.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * Prints the JVM flags Spark needs on JDK 17+ (the --add-opens list spark-submit would add), taken
 * from Spark's own launcher so scripts that start a driver with plain {@code java} never carry a
 * stale copy. Needs only spark-launcher on the classpath, and none of the flags itself.
 *
 * <p>Flags that open a package this JDK does not have (Spark's list still names
 * {@code java.base/sun.security.action}, gone from recent JDKs) are left out: the JVM would print a
 * warning for each at every start.
 */
public final class SparkJvmFlags {
  private SparkJvmFlags() {}

  public static void main(String[] args) {
    System.out.println(String.join(" ", forThisJvm(JavaModuleOptions.defaultModuleOptions())));
  }

  /** Spark's flags (space-separated) without those opening or exporting packages this runtime lacks. */
  static List<String> forThisJvm(String sparkFlags) {
    List<String> kept = new ArrayList<>();
    for (String flag : sparkFlags.trim().split("\\s+")) {
      if (!flag.isEmpty() && opensExistingPackage(flag)) {
        kept.add(flag);
      }
    }
    return kept;
  }

  /** True unless {@code flag} is --add-opens/--add-exports=module/package=... for a package the module lacks. */
  static boolean opensExistingPackage(String flag) {
    if (!flag.startsWith("--add-opens=") && !flag.startsWith("--add-exports=")) {
      return true;
    }
    String target = flag.substring(flag.indexOf('=') + 1);
    int slash = target.indexOf('/');
    int eq = target.indexOf('=');
    if (slash < 0 || eq < slash) {
      return true; // not the module/package=target form: leave it to the JVM
    }
    String module = target.substring(0, slash);
    String pkg = target.substring(slash + 1, eq);
    Optional<Module> m = ModuleLayer.boot().findModule(module);
    return m.isPresent() && m.get().getPackages().contains(pkg);
  }
}
