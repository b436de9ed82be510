#!/usr/bin/env bash
# Regenerates the committed sample under datasets/sample/ (see datasets/README.md):
#   routed-batches.parquet: qwen3-30b-a3b and deepseek-v3, one 64-token batch per standard
#   distribution. 64 tokens keep a CPU-reference GEMM of every batch cheap: the gate_up GEMMs sum
#   to about 2.0e11 FLOPs, nearly all of it DeepSeek-V3's (N=4096, K=7168).
# The output is a pure function of the options below: rerunning reproduces the same batches, and the
# Parquet file gets a fixed name so a regeneration shows up in git only when the data changed.
# trace-tokens.csv and trace-counts.csv are small hand-written examples and are left alone.
#
# Builds the job jar when needed (scripts/lib.sh) and runs GenerateDataset with plain java, Spark's
# jars on the classpath and Spark's JVM flags. PADFREE_MVN_OPTS adds Maven flags (e.g. -o).
# Usage: scripts/generate-sample-datasets.sh [--help]     (rewrites datasets/sample/routed-batches.parquet)
set -euo pipefail
script=generate-sample-datasets.sh

usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

# shellcheck source=scripts/job-args.sh
source "$(dirname "${BASH_SOURCE[0]}")/job-args.sh"
padfree_no_args "$@"

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$PADFREE_ROOT
padfree_build
classpath=$(padfree_classpath)
java="$JAVA_HOME/bin/java"
spark_flags=$(padfree_spark_flags)

out="$root/datasets/sample/routed-batches.parquet"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086 # spark_flags is a list of flags
"$java" $spark_flags -Xmx2g -Dlog4j.configurationFile="$root/conf/log4j2.properties" \
  -cp "$classpath" org.padfree.jobs.GenerateDataset \
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
