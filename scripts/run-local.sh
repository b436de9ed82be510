#!/usr/bin/env bash
# Runs EvaluateJob in Spark local mode on the embedded default: the CPU reference backend when there
# is no GPU, the committed sample dataset and traces, reports under reports/<run-id>/.
# Extra arguments go to EvaluateJob (see --help), e.g.:
#   scripts/run-local.sh --run-id demo --gemms down
#   scripts/run-local.sh --dataset my-batches.parquet       (replaces the sample)
# Environment: PADFREE_MASTER (default local[*]), PADFREE_DRIVER_MEMORY (default 4g).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PADFREE_ROOT"
padfree_build

inputs=(--dataset datasets/sample/routed-batches.parquet --trace mixtral-8x7b=datasets/sample/trace-counts.csv)
for arg in "$@"; do
  if [[ $arg == --dataset* || $arg == --trace* ]]; then inputs=(); break; fi
done

padfree_submit_local org.padfree.evaluate.EvaluateJob "${inputs[@]}" --out reports "$@"
