#!/usr/bin/env bash
# Runs EvaluateJob in Spark local mode on the embedded default: the CPU reference backend when there
# is no GPU, the committed sample dataset and traces, whole MoE layers and the quantization study
# (--layers true; pass --layers false to skip them), reports under reports/<run-id>/.
# Usage: scripts/run-local.sh [--help] [EvaluateJob arguments] [-- EvaluateJob arguments]
# Builds the job jar first when needed. Every argument but --help/-h goes to EvaluateJob, which
# rejects unknown options (exit 2), e.g.:
#   scripts/run-local.sh --run-id demo --gemms down
#   scripts/run-local.sh --dataset my-batches.parquet       (replaces the sample)
#   scripts/run-local.sh --help                             (this text; builds nothing)
#   scripts/run-local.sh -- --help                          (EvaluateJob's own options, after building)
# Environment: PADFREE_MASTER (default local[*]), PADFREE_DRIVER_MEMORY (default 4g),
# PADFREE_MVN_OPTS (Maven flags for the build).
set -euo pipefail
usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

# shellcheck source=scripts/job-args.sh
source "$(dirname "${BASH_SOURCE[0]}")/job-args.sh"
padfree_job_args "$@"  # our own --help answers here, before anything is built

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PADFREE_ROOT"
padfree_build

inputs=(--dataset datasets/sample/routed-batches.parquet --trace mixtral-8x7b=datasets/sample/trace-counts.csv)
for arg in "${job_args[@]}"; do
  if [[ $arg == --dataset* || $arg == --trace* ]]; then inputs=(); break; fi
done

# --layers true comes first, so a --layers of the caller's (the last value wins) overrides it.
padfree_submit_local org.padfree.jobs.EvaluateJob "${inputs[@]}" --out reports --layers true "${job_args[@]}"
