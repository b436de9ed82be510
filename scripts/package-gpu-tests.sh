#!/usr/bin/env bash
# Bundles what the GPU test suite needs on a GPU host that has neither Java nor Maven:
#   .carry/jdk.tgz        a jlink'd Java runtime (scripts/pack-jdk.sh; about 45 MB), made once and kept
#   .carry/gpu-tests/     gpu-kernels' classes, test classes and test-classpath jars
# Then, on the GPU host, from the repository root: scripts/gpu-smoke.sh
# .carry/ is ignored by git (.gitignore) and travels as the device call's carry.
# Usage: scripts/package-gpu-tests.sh [--help]     (builds gpu-kernels' tests with ./mvnw first)
# Environment: PADFREE_MVN_OPTS adds Maven flags (e.g. -o); PADFREE_PACK_JDK replaces scripts/pack-jdk.sh.
set -euo pipefail
script=package-gpu-tests.sh

usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

# shellcheck source=scripts/job-args.sh
source "$(dirname "${BASH_SOURCE[0]}")/job-args.sh"
padfree_no_args "$@"

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PADFREE_ROOT"
out=.carry
bundle=$out/gpu-tests
mkdir -p "$out"

# shellcheck disable=SC2086 # PADFREE_MVN_OPTS is a list of flags
./mvnw -B -q ${PADFREE_MVN_OPTS:-} -pl gpu-kernels test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -DincludeScope=test -DexcludeArtifactIds=cudf -Dmdep.outputFile=target/test-classpath.txt
# cuDF (337 MB, provided) is left out: it travels on its own (scripts/package-spark-gpu.sh with
# PADFREE_CUDF_JAR) and the cuDF GPU suite takes it from /tmp/padfree-rt/cudf/.
rm -rf "$bundle"
mkdir -p "$bundle/lib"
tr ':' '\n' < gpu-kernels/target/test-classpath.txt | while read -r jar; do
  [[ -n $jar ]] && cp "$jar" "$bundle/lib/"
done
# JCuda's natives jar carries several libraries (26 MB); the driver API needs one of them.
for jar in "$bundle"/lib/jcuda-natives-*.jar; do
  tmp=$(mktemp -d)
  (cd "$tmp" && unzip -q "$OLDPWD/$jar" 'lib/libJCudaDriver-*' && zip -q -r driver.jar lib)
  mv "$tmp/driver.jar" "$jar"
  rm -rf "$tmp"
done
cp -r gpu-kernels/target/classes "$bundle/classes"
cp -r gpu-kernels/target/test-classes "$bundle/test-classes"
# README's library example, compiled here: the GPU host's runtime has no Java compiler (jdk.compiler
# would push the carried bundle past its size limit), so GroupedGemmGpuSuite runs this build of it.
"$JAVA_HOME/bin/java" -cp "$bundle/test-classes:$bundle/classes:$bundle/lib/*" org.padfree.docs.ReadmeJavaExample \
  "$bundle/readme-example"

if [[ ! -f $out/jdk.tgz ]]; then
  # The modules jdeps finds in the test classpath (ScalaTest needs java.desktop and java.xml): a
  # smaller runtime than the Spark one, since no Spark runs in the tests' JVM.
  "${PADFREE_PACK_JDK:-scripts/pack-jdk.sh}" "$out/jdk.tgz" \
    java.base,java.desktop,java.logging,java.xml,java.management,jdk.unsupported,jdk.incubator.vector
fi
du -sh "$out/jdk.tgz" "$bundle"
