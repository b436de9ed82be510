#!/usr/bin/env bash
# Shared by the run scripts: the JDK, the job jar, Spark's classpath and Spark's JVM flags.
# Source it; it defines functions and sets JAVA_HOME and PADFREE_ROOT. Run, it only explains itself:
# Usage: source scripts/lib.sh          (scripts/lib.sh --help prints this text)

# Run rather than sourced: nothing to do but answer, and before looking for a JDK.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  case ${1:-} in
    --help|-h) sed -n '2,/^$/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "lib.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) echo "lib.sh: a library for the run scripts; source it (see --help)" >&2; exit 2 ;;
  esac
fi

PADFREE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/find-jdk.sh
source "$PADFREE_ROOT/scripts/find-jdk.sh"
JAVA_HOME=$(padfree_find_jdk) || exit 1
export JAVA_HOME PADFREE_ROOT

# Builds spark-job/target/padfree-job.jar and target/classpath.txt (Spark and Scala, which the job
# jar leaves to the cluster; not cuDF, which is passed beside the job jar only when asked for) when either is missing or older than any source, pom or model file.
# PADFREE_MVN_OPTS adds Maven flags (e.g. -o to stay offline).
padfree_build() {
  local jar="$PADFREE_ROOT/spark-job/target/padfree-job.jar"
  local cp="$PADFREE_ROOT/spark-job/target/classpath.txt"
  if [[ -f $jar && -f $cp ]] && [[ -z $(find "$PADFREE_ROOT/pom.xml" "$PADFREE_ROOT"/*/pom.xml \
      "$PADFREE_ROOT"/*/src/main "$PADFREE_ROOT/conf/models" -newer "$jar" -type f -print -quit) ]]; then
    return 0
  fi
  echo "padfree: building the job jar (tests skipped; run ./mvnw -B verify for them)" >&2
  # shellcheck disable=SC2086 # PADFREE_MVN_OPTS is a list of flags
  "$PADFREE_ROOT/mvnw" -B -q ${PADFREE_MVN_OPTS:-} -f "$PADFREE_ROOT/pom.xml" -DskipTests package \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
    -DincludeScope=compile -DexcludeArtifactIds=cudf -Dmdep.outputFile=target/classpath.txt >&2
  touch "$jar"
}

# The classpath for running a job with plain java: the job jar plus the provided Spark jars.
padfree_classpath() {
  printf '%s:%s' "$PADFREE_ROOT/spark-job/target/padfree-job.jar" "$(cat "$PADFREE_ROOT/spark-job/target/classpath.txt")"
}

# Spark's own JVM flags for Java 17+, read from Spark (org.apache.spark.launcher.JavaModuleOptions).
padfree_spark_flags() {
  "$JAVA_HOME/bin/java" -cp "$(padfree_classpath)" org.padfree.spark.SparkJvmFlags
}

# Replaces the shell with spark-submit in local mode on this machine: padfree_submit_local CLASS ARGS...
# (conf/spark-defaults.conf, conf/log4j2.properties; PADFREE_MASTER, default local[*];
# PADFREE_DRIVER_MEMORY, default 4g). Run from PADFREE_ROOT after padfree_build.
padfree_submit_local() {
  local main=$1
  shift
  # shellcheck disable=SC2046 # the flags are a list
  exec "$JAVA_HOME/bin/java" $(padfree_spark_flags) -Xmx"${PADFREE_DRIVER_MEMORY:-4g}" \
    -Dlog4j.configurationFile="$PADFREE_ROOT/conf/log4j2.properties" \
    -cp "$(cat "$PADFREE_ROOT/spark-job/target/classpath.txt")" \
    org.apache.spark.deploy.SparkSubmit \
    --properties-file "$PADFREE_ROOT/conf/spark-defaults.conf" \
    --master "${PADFREE_MASTER:-local[*]}" \
    --class "$main" \
    "$PADFREE_ROOT/spark-job/target/padfree-job.jar" \
    "$@"
}
