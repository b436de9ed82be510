#!/usr/bin/env bash
# GemmBench: checks and times the padding-free and padded FP8 grouped GEMMs on the shapes of a cases
# file, e.g.
#   scripts/gemm-bench.sh --cases conf/bench/frontier.yaml                 (a Hopper GPU)
#   scripts/gemm-bench.sh --backend cpu --cases conf/bench/ci-cpu.yaml     (CPU reference: checks and format)
#   scripts/gemm-bench.sh --dry-run --cases conf/bench/frontier.yaml       (rows and speedup bounds only)
# Usage: scripts/gemm-bench.sh [options] --cases CASES.yaml
# Options (the tool's --help explains each): --cases FILE, --backend auto|cpu|cuda, --out NAME,
# --reports DIR, --runs N, --case NAMES, --gpu N, --threads N, --multicast auto|none|a|b,
# --block-n auto|N, --dry-run, --help.
# Results: a table, and reports/kernels/<date>/<name>.json and .csv. --help lists the options.
# Builds gpu-kernels first when its classes are missing or older than a source or pom.
# Environment: PADFREE_MVN_OPTS (extra Maven flags, e.g. -o), PADFREE_BENCH_HEAP (default 16g);
# on a host without Maven, PADFREE_BENCH_CLASSPATH (classes and jars) and PADFREE_JAVA skip the build.
set -euo pipefail
script=gemm-bench.sh
usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
# Options are checked here, before any build, so --help and typos cost nothing.
args=("$@")
while (( $# )); do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --dry-run) shift ;;
    --cases|--backend|--out|--reports|--runs|--case|--gpu|--threads|--multicast|--block-n) shift; (( $# )) && shift ;;
    --cases=*|--backend=*|--out=*|--reports=*|--runs=*|--case=*|--gpu=*|--threads=*|--multicast=*|--block-n=*) shift ;;
    --*) echo "$script: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) shift ;;
  esac
done
set -- "${args[@]}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -n ${PADFREE_BENCH_CLASSPATH:-} ]]; then
  cp=$PADFREE_BENCH_CLASSPATH
  java=${PADFREE_JAVA:-java}
else
  # shellcheck source=scripts/lib.sh
  source "$root/scripts/lib.sh"
  java=$JAVA_HOME/bin/java
  classes=$root/gpu-kernels/target/classes
  cpfile=$root/gpu-kernels/target/runtime-classpath.txt
  if [[ ! -f $cpfile || ! -d $classes ]] || [[ -n $(find "$root/pom.xml" "$root/gpu-kernels/pom.xml" \
      "$root/gpu-kernels/src/main" -newer "$cpfile" -type f -print -quit) ]]; then
    echo "gemm-bench: building gpu-kernels (tests skipped)" >&2
    # shellcheck disable=SC2086 # PADFREE_MVN_OPTS is a list of flags
    "$root/mvnw" -B -q ${PADFREE_MVN_OPTS:-} -f "$root/pom.xml" -pl gpu-kernels -DskipTests compile \
      org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
      -DincludeScope=runtime -Dmdep.outputFile=target/runtime-classpath.txt >&2
    touch "$cpfile"
  fi
  cp=$classes:$(cat "$cpfile")
fi
exec "$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -Xmx"${PADFREE_BENCH_HEAP:-16g}" -cp "$cp" org.padfree.bench.GemmBench "$@"
