#!/usr/bin/env bash
# Packs what a Spark run of the evaluation job needs on a GPU host that has no Java, Spark, Maven or
# network (see scripts/gpu-spark-run.sh, which runs there), as tar parts of <= 56 MiB each, because one
# device call carries at most 64 MiB:
#   .carry/spark-gpu/partK.tar   holding, under padfree-rt/:
#     jdk.tgz            a jlink'd Java 25 runtime (scripts/pack-jdk.sh)
#     padfree-job.jar    the shaded job jar (gpu-kernels, JCuda included)
#     spark/jars/*.jar   Spark 4.2 and its dependencies, as resolved by Maven (provided in the pom),
#                        minus jars a local-cluster run does not need (SPARK-NOTES.md)
#     cudf/cudf-26.08.1-cuda13.jar.partNN   only with PADFREE_CUDF_JAR: the RAPIDS cuDF jar (337 MB) cut
#                        into pieces of the part limit less 1 MiB, each fitting a part; join them on the host with
#                        cat padfree-rt/cudf/*.jar.part* > padfree-rt/cudf/cudf-26.08.1-cuda13.jar and pass
#                        that jar to Spark (--jars, or --conf spark.jars=...) for spark.padfree.routing cudf
#     MANIFEST           every file with its size, checked before a run
#     PACKAGE            this package's id, in every part (gpu-spark-run.sh unpacks one package only)
# The parts are cut by scripts/split-carry.sh; .carry/ is ignored by git (.gitignore).
# Usage: scripts/package-spark-gpu.sh [--dry-run] [--help]
#   --dry-run   list what would be packed, build nothing (needs spark-job/target/classpath.txt)
# Environment: PADFREE_MVN_OPTS (default -o), PADFREE_PACK_JDK (replaces scripts/pack-jdk.sh),
# PADFREE_CUDF_JAR (the cuDF jar to carry as well, e.g. ~/.m2/repository/ai/rapids/cudf/26.08.1/
# cudf-26.08.1-cuda13.jar; never inside the job jar, and left out of spark/jars).
set -euo pipefail
script=package-spark-gpu.sh

usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

dry=0
while (( $# )); do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --dry-run) dry=1; shift ;;
    -*) echo "$script: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) echo "$script: unexpected argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PADFREE_ROOT"

out=$PADFREE_ROOT/.carry/spark-gpu
pack_jdk=${PADFREE_PACK_JDK:-$PADFREE_ROOT/scripts/pack-jdk.sh}
split_carry=$PADFREE_ROOT/scripts/split-carry.sh
# Jars a local-cluster or standalone run works without (SPARK-NOTES.md, "Classpath size"), and
# padfree's own jars, JCuda and commons-csv, which are inside the shaded job jar.
excluded='/(rocksdbjni|netty-tcnative-boringssl-static|leveldbjni-all|gpu-kernels|spark-job|jcuda|jcuda-natives|commons-csv|cudf)-[^/]*\.jar$|/org/apache/(curator|zookeeper)/'
cudf_jar=${PADFREE_CUDF_JAR:-}
if [[ -n $cudf_jar && ! -f $cudf_jar ]]; then
  echo "$script: PADFREE_CUDF_JAR=$cudf_jar: no such file (Maven Central: ai.rapids:cudf:26.08.1, classifier cuda13)" >&2
  exit 2
fi

# The parts must never be committed; .gitignore says so, and a clone needs no setting of its own.
git check-ignore -q .carry/x || { echo "$script: .carry/ is not ignored by git; .gitignore should list it" >&2; exit 1; }
[[ -x $pack_jdk && -x $split_carry ]] || { echo "$script: $pack_jdk or $split_carry missing" >&2; exit 1; }

if (( !dry )) || [[ ! -f spark-job/target/classpath.txt ]]; then
  if (( dry )); then
    echo "$script: --dry-run needs spark-job/target/classpath.txt from an earlier build" >&2
    exit 1
  fi
  export PADFREE_MVN_OPTS=${PADFREE_MVN_OPTS:--o}
  # One Maven at a time on this machine: the same lock the team's builds take.
  exec 9>/tmp/padfree-mvn.lock
  flock 9
  padfree_build
  flock -u 9
fi

mapfile -t jars < <(tr ':' '\n' < spark-job/target/classpath.txt | grep '\.jar$' | grep -Ev "$excluded" | sort -u)
total=$(du -cb "${jars[@]}" | tail -n1 | cut -f1)
echo "$script: ${#jars[@]} Spark jars, $((total / 1048576)) MiB; job jar $(du -h spark-job/target/padfree-job.jar | cut -f1)"
if (( dry )); then
  printf '  %s\n' "${jars[@]##*/}"
  [[ -n $cudf_jar ]] && echo "$script: --dry-run: would carry $cudf_jar in pieces under padfree-rt/cudf/"
  echo "$script: --dry-run: would write $out/part*.tar (jdk.tgz, padfree-job.jar, spark/jars, MANIFEST)"
  exit 0
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rt=$stage/padfree-rt
mkdir -p "$rt/spark/jars"
cp "${jars[@]}" "$rt/spark/jars/"
# DataSketches trap on JDK 25 (SPARK-NOTES.md): Spark ships its own copy of this class; drop the original.
for j in "$rt"/spark/jars/datasketches-memory-*.jar; do
  [[ -f $j ]] && zip -q -d "$j" 'org/apache/datasketches/memory/internal/ResourceImpl.class' >/dev/null 2>&1 || true
done
cp spark-job/target/padfree-job.jar "$rt/"
if [[ -n $cudf_jar ]]; then
  # One file may not exceed a part (split-carry.sh), so the jar travels in pieces that fit one each.
  mkdir -p "$rt/cudf"
  # A piece is the part limit less 1 MiB for the tar's headers (split-carry.sh's default limit: 56 MiB).
  piece=$(( ${PADFREE_CARRY_PART_BYTES:-58720256} - 1048576 ))
  split -b "$piece" -d -a 2 "$cudf_jar" "$rt/cudf/$(basename "$cudf_jar").part"
  echo "$script: cuDF jar in $(ls "$rt/cudf" | wc -l) pieces under padfree-rt/cudf/"
fi
if [[ -f .carry/jdk-spark.tgz ]]; then
  cp .carry/jdk-spark.tgz "$rt/jdk.tgz"
else
  "$pack_jdk" "$rt/jdk.tgz"
  # Kept for the next packing: the runtime changes only with the JDK.
  mkdir -p .carry
  cp "$rt/jdk.tgz" .carry/jdk-spark.tgz
fi
(cd "$stage" && find padfree-rt -type f -printf '%s %p\n' | sort -k2 > padfree-rt/MANIFEST)
(cd "$stage" && "$split_carry" "$out" padfree-rt)
# Every part carries the package's id (padfree-rt/PACKAGE, a few hundred bytes past the part limit), so
# the GPU host unpacks only the newest package's parts and replaces a runtime unpacked from another.
package="$(date -u +%Y%m%dT%H%M%SZ)-$(sha256sum "$stage/padfree-rt/MANIFEST" | cut -c1-12)"
printf '%s\n' "$package" > "$stage/padfree-rt/PACKAGE"
for part in "$out"/part*.tar; do
  tar rf "$part" -C "$stage" padfree-rt/PACKAGE
done
echo "$script: $(ls "$out"/part*.tar | wc -l) parts in $out; on the GPU host, one device call per part:"
echo "  scripts/gpu-spark-run.sh --unpack-only     (carry .carry/spark-gpu/partK.tar), then in the last call"
echo "  scripts/gpu-spark-run.sh --gpus '1 2'      (see its --help)"
