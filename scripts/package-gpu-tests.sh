#!/usr/bin/env bash
# Bundles what the GPU test suite needs on a GPU host that has neither Java nor Maven:
#   .carry/jdk.tgz        a jlink'd Java runtime (about 45 MB)
#   .carry/gpu-tests/     gpu-kernels' classes, test classes and test-classpath jars
# Then, on the GPU host, from the repository root: scripts/gpu-smoke.sh
# .carry/ is ignored by git (list it in .git/info/exclude) and travels as the device call's carry.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PADFREE_ROOT"
out=.carry
bundle=$out/gpu-tests
mkdir -p "$out"

# shellcheck disable=SC2086 # PADFREE_MVN_OPTS is a list of flags
./mvnw -B -q ${PADFREE_MVN_OPTS:-} -pl gpu-kernels test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -DincludeScope=test -Dmdep.outputFile=target/test-classpath.txt
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

if [[ ! -f $out/jdk.tgz ]]; then
  tmp=$(mktemp -d)
  # The modules jdeps finds in the test classpath (ScalaTest needs java.desktop and java.xml).
  "$JAVA_HOME/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.xml,java.management,jdk.unsupported,jdk.incubator.vector \
    --strip-debug --no-header-files --no-man-pages --compress zip-9 --output "$tmp/jdk"
  tar czf "$out/jdk.tgz" -C "$tmp" jdk
  rm -rf "$tmp"
fi
du -sh "$out/jdk.tgz" "$bundle"
