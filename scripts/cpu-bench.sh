#!/usr/bin/env bash
# Runs the CPU reference GEMM benchmark (excluded from the default test run) and prints one line per
# case; the CSV lands in reports/cpu/<date>/cpu-gemm-bench.csv.
# Options (environment): THREADS (default: all processors), RUNS (timed runs per case, default 5).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
args=(-B -q -pl gpu-kernels test -Dsuites=org.padfree.reference.CpuGemmBenchmark -Dpadfree.test.excludeTags=none)
[[ -n ${THREADS:-} ]] && args+=("-Dpadfree.bench.threads=$THREADS")
[[ -n ${RUNS:-} ]] && args+=("-Dpadfree.bench.runs=$RUNS")
./mvnw "${args[@]}" | grep -E '^CPU GEMM|FAILED|Tests:'
