#!/usr/bin/env bash
# Runs gpu-kernels' whole test suite, GPU suites included, on a GPU host without Maven or Java:
# first scripts/package-gpu-tests.sh (on a build machine), then carry .carry/ to the host and run
# this from the repository root. GPU suites run for real there; CPU suites run too.
# Results: stdout, and JUnit XML plus a log under $OUT (or ./gpu-smoke-results) when given.
# Usage: scripts/gpu-smoke.sh [--help] [ScalaTest Runner arguments]
# Extra arguments are passed to ScalaTest's Runner, e.g. -s org.padfree.cuda.gpu.CudaRuntimeGpuSuite;
# the Runner's options all start with a single dash, so --anything else is refused here.
# Benchmarks (tag org.padfree.Benchmark) are skipped unless PADFREE_BENCHMARKS=1, e.g.
#   PADFREE_BENCHMARKS=1 scripts/gpu-smoke.sh -s org.padfree.reference.CpuGemmBenchmark
# (the GPU kernels' benchmark is scripts/gemm-bench.sh, a tool rather than a test).
# Environment: OUT (results folder), PADFREE_JAVA (a java to use instead of .carry/jdk.tgz),
# PADFREE_TEST_HEAP (default 24g).
set -euo pipefail
script=gpu-smoke.sh

usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

runner_args=()
while (( $# )); do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --) shift; runner_args+=("$@"); break ;;
    --*) echo "$script: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) runner_args+=("$1"); shift ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
carry=.carry
results=${OUT:-gpu-smoke-results}
mkdir -p "$results"

java=${PADFREE_JAVA:-}
if [[ -z $java ]]; then
  if [[ ! -x /tmp/jdk/bin/java ]]; then
    [[ -f $carry/jdk.tgz ]] || { echo "gpu-smoke: no $carry/jdk.tgz; run scripts/package-gpu-tests.sh first" >&2; exit 2; }
    tar xzf "$carry/jdk.tgz" -C /tmp
  fi
  java=/tmp/jdk/bin/java
fi
[[ -d $carry/gpu-tests ]] || { echo "gpu-smoke: no $carry/gpu-tests; run scripts/package-gpu-tests.sh first" >&2; exit 2; }

nvidia-smi --query-gpu=index,name,uuid,driver_version,memory.total --format=csv,noheader || true
bundle=$PWD/$carry/gpu-tests
mkdir -p "$results" && results=$(cd "$results" && pwd)
# Run from gpu-kernels/, as Maven does, so suites that read the module's sources find them.
cd gpu-kernels
suites=("${runner_args[@]}")
(( ${#suites[@]} )) || suites=(-R "$bundle/test-classes")
exclude=(-l org.padfree.Benchmark)
[[ ${PADFREE_BENCHMARKS:-0} == 1 ]] && exclude=()
set -o pipefail
"$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx"${PADFREE_TEST_HEAP:-24g}" \
  -Djava.io.tmpdir=/tmp -Dpadfree.cuda.cacheDir=/tmp/padfree-kernels \
  -cp "$bundle/classes:$bundle/test-classes:$bundle/lib/*" \
  org.scalatest.tools.Runner -oWD -u "$results" "${exclude[@]}" "${suites[@]}" 2>&1 | tee "$results/gpu-smoke.log"
