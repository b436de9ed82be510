#!/usr/bin/env bash
# Packs what a Spark run of the evaluation job needs on a GPU host that has no Java, Spark, Maven or
# network (see scripts/gpu-spark-run.sh, which runs there), as tar parts of <= 60 MiB each, because one
# device call carries at most 64 MiB:
#   .carry/spark-gpu/partK.tar   holding, under padfree-rt/:
#     jdk.tgz            a jlink'd Java 25 runtime (../shared/device/pack-jdk.sh)
#     padfree-job.jar    the shaded job jar (gpu-kernels, JCuda included)
#     spark/jars/*.jar   Spark 4.2 and its dependencies, as resolved by Maven (provided in the pom),
#                        minus jars a local-cluster run does not need (SPARK-NOTES.md)
#     MANIFEST           every file with its size, checked before a run
# .carry/ must be ignored by git (.git/info/exclude). Options: --dry-run (list what would be packed,
# build nothing), --help. Environment: PADFREE_MVN_OPTS (default -o), PADFREE_PACK_JDK (pack-jdk.sh).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PADFREE_ROOT"

dry=0
case ${1:-} in
  --help|-h) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --dry-run) dry=1 ;;
  "") ;;
  *) echo "package-spark-gpu.sh: unknown option $1; see --help" >&2; exit 2 ;;
esac

out=$PADFREE_ROOT/.carry/spark-gpu
pack_jdk=${PADFREE_PACK_JDK:-$PADFREE_ROOT/../shared/device/pack-jdk.sh}
split_carry=$(dirname "$pack_jdk")/split-carry.sh
# Jars a local-cluster or standalone run works without (SPARK-NOTES.md, "Classpath size"), and
# padfree's own jars and JCuda, which are inside the shaded job jar.
excluded='/(rocksdbjni|netty-tcnative-boringssl-static|leveldbjni-all|gpu-kernels|spark-job|jcuda|jcuda-natives)-[^/]*\.jar$|/org/apache/(curator|zookeeper)/'

git check-ignore -q .carry/x || { echo "package-spark-gpu.sh: .carry/ is not ignored by git; add it to .git/info/exclude" >&2; exit 1; }
[[ -x $pack_jdk && -x $split_carry ]] || { echo "package-spark-gpu.sh: $pack_jdk or $split_carry missing" >&2; exit 1; }

if (( !dry )) || [[ ! -f spark-job/target/classpath.txt ]]; then
  if (( dry )); then
    echo "package-spark-gpu.sh: --dry-run needs spark-job/target/classpath.txt from an earlier build" >&2
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
echo "package-spark-gpu.sh: ${#jars[@]} Spark jars, $((total / 1048576)) MiB; job jar $(du -h spark-job/target/padfree-job.jar | cut -f1)"
if (( dry )); then
  printf '  %s\n' "${jars[@]##*/}"
  echo "package-spark-gpu.sh: --dry-run: would write $out/part*.tar (jdk.tgz, padfree-job.jar, spark/jars, MANIFEST)"
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
if [[ -f .carry/jdk-spark.tgz ]]; then
  cp .carry/jdk-spark.tgz "$rt/jdk.tgz"
else
  "$pack_jdk" "$rt/jdk.tgz"
  cp "$rt/jdk.tgz" .carry/jdk-spark.tgz
fi
(cd "$stage" && find padfree-rt -type f -printf '%s %p\n' | sort -k2 > padfree-rt/MANIFEST)
(cd "$stage" && "$split_carry" "$out" padfree-rt)
echo "package-spark-gpu.sh: $(ls "$out"/part*.tar | wc -l) parts in $out; on the GPU host, one device call per part:"
echo "  scripts/gpu-spark-run.sh --unpack-only     (carry .carry/spark-gpu/partK.tar), then in the last call"
echo "  scripts/gpu-spark-run.sh --gpus '1 2'      (see its --help)"
