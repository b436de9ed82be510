#!/usr/bin/env bash
# Regenerates the committed sample under datasets/sample/ (see datasets/README.md):
#   routed-batches.parquet: qwen3-30b-a3b and deepseek-v3, one 64-token batch per standard
#   distribution. 64 tokens keep a CPU-reference GEMM of every batch cheap: the gate_up GEMMs sum
#   to about 2.0e11 FLOPs, nearly all of it DeepSeek-V3's (N=4096, K=7168).
# The output is a pure function of the options below: rerunning reproduces the same batches, and the
# Parquet file gets a fixed name so a regeneration shows up in git only when the data changed.
# trace-tokens.csv and trace-counts.csv are small hand-written examples and are left alone.
#
# Builds spark-job (and gpu-kernels, with -am) with the Maven wrapper, asks Maven for the classpath
# (dependency:build-classpath; includeScope=compile also brings the 'provided' Spark jars) and runs
# GenerateDataset with plain java and Spark's JVM flags.
# Environment:
#   PADFREE_MVN_OPTS     extra Maven flags, e.g. -o to stay offline
#   PADFREE_MVN_MODULES  module selection (default "-pl spark-job -am"; "-pl spark-job" when
#                        gpu-kernels is already installed in the local repository)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/find-jdk.sh
source "$root/scripts/find-jdk.sh"
JAVA_HOME=$(padfree_find_jdk) || exit 1
export JAVA_HOME

# shellcheck disable=SC2086 # the two variables hold lists of flags
"$root/mvnw" -B -q ${PADFREE_MVN_OPTS:-} ${PADFREE_MVN_MODULES:--pl spark-job -am} -f "$root/pom.xml" \
  compile org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -DincludeScope=compile -Dmdep.outputFile=target/classpath.txt

classpath="$root/spark-job/target/classes:$(cat "$root/spark-job/target/classpath.txt")"
java="$JAVA_HOME/bin/java"
spark_flags=$("$java" -cp "$classpath" org.padfree.spark.SparkJvmFlags)

out="$root/datasets/sample/routed-batches.parquet"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086 # spark_flags is a list of flags
"$java" $spark_flags -Xmx2g -cp "$classpath" org.padfree.dataset.GenerateDataset \
  --model qwen3-30b-a3b,deepseek-v3 \
  --distribution balanced --distribution uniform30 --distribution uniform0to2avg \
  --distribution 'lognormal(sigma=1.0)' --distribution 'zipf(s=1.2)' \
  --distribution 'lognormal(sigma=0.5,empty=4)' \
  --batches 1 --tokens 64 --seed 2025 --partitions 1 --overwrite --out "$out"

# Checksums are local-file-system bookkeeping; Spark reads the data without them.
find "$out" -name '.*.crc' -delete
# Spark names part files after a random job id; a fixed name keeps regenerations out of git's way.
parts=("$out"/part-*.parquet)
for index in "${!parts[@]}"; do
  stable=$(printf '%s/part-%05d.snappy.parquet' "$out" "$index")
  [[ ${parts[$index]} == "$stable" ]] || mv "${parts[$index]}" "$stable"
done
du -sh "$out"
