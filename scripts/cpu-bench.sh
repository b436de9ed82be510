#!/usr/bin/env bash
# Runs the CPU reference GEMM benchmark (excluded from the default test run) and prints one line per
# case; the CSV lands in reports/cpu/<date>/cpu-gemm-bench.csv.
# Usage: scripts/cpu-bench.sh [--help]     (runs gpu-kernels' tests with ./mvnw)
# Options (environment): THREADS (default: all processors), RUNS (timed runs per case, default 5).
set -euo pipefail
script=cpu-bench.sh

usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

# shellcheck source=scripts/job-args.sh
source "$(dirname "${BASH_SOURCE[0]}")/job-args.sh"
padfree_no_args "$@"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
args=(-B -q -pl gpu-kernels test -Dsuites=org.padfree.reference.CpuGemmBenchmark -Dpadfree.test.excludeTags=none)
[[ -n ${THREADS:-} ]] && args+=("-Dpadfree.bench.threads=$THREADS")
[[ -n ${RUNS:-} ]] && args+=("-Dpadfree.bench.runs=$RUNS")
./mvnw "${args[@]}" | grep -E '^CPU GEMM|FAILED|Tests:'
