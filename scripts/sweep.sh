#!/usr/bin/env bash
# Runs a benchmark sweep (org.padfree.jobs.SweepJob) in Spark local mode, building first when needed:
# expands the spec's grid, evaluates every point, appends to the history table, compares with the
# previous run and the pinned baseline, and writes reports/sweeps/<run-id>/index.html.
# Usage: scripts/sweep.sh [--help] [SweepJob arguments] [-- SweepJob arguments]
#   scripts/sweep.sh                                   (the nightly CPU spec, conf/sweeps/nightly-cpu.yaml)
#   scripts/sweep.sh --spec conf/sweeps/X.yaml --run-id nightly-2026-11-22 --baseline run:<id>
#   scripts/sweep.sh --help                            (this text; builds nothing)
#   scripts/sweep.sh -- --help                         (SweepJob's own options, after building)
# Every argument but --help/-h goes to SweepJob, which rejects unknown options.
# Exit status (for schedulers): 0 no regression, 1 failed checks, 2 bad usage or spec,
# 3 a metric regressed beyond its threshold, 4 the sweep could not run.
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

for arg in "${job_args[@]}"; do
  if [[ $arg == --help ]]; then
    # The job's help needs no Spark session.
    exec "$JAVA_HOME/bin/java" -cp "$(padfree_classpath)" org.padfree.jobs.SweepJob --help
  fi
done

spec=(--spec conf/sweeps/nightly-cpu.yaml)
revision=()
for arg in "${job_args[@]}"; do
  if [[ $arg == --spec* ]]; then spec=(); fi
  if [[ $arg == --git-revision* ]]; then revision=(""); fi
done
if [[ ${#revision[@]} -eq 0 ]]; then
  revision=(--git-revision "$(git -C "$PADFREE_ROOT" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)")
else
  revision=()
fi

padfree_submit_local org.padfree.jobs.SweepJob "${spec[@]}" "${revision[@]}" "${job_args[@]}"
