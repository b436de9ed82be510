#!/usr/bin/env bash
# Runs a cluster capacity study (org.padfree.jobs.CapacityStudy) on sweep results, building first
# when needed. No Spark session: it reads the sweep history or a points file.
# Usage: scripts/capacity.sh [--help] [CapacityStudy arguments] [-- CapacityStudy arguments]
#   scripts/capacity.sh                                (conf/capacity/qwen3-30b-cpu-demo.yaml on the latest sweep run)
#   scripts/capacity.sh --spec conf/capacity/X.yaml --results reports/sweeps/<run-id>
#   scripts/capacity.sh --help                         (this text; builds nothing)
#   scripts/capacity.sh -- --help                      (the study's own options, after building)
# Every argument but --help/-h goes to CapacityStudy, which rejects unknown options.
# Exit status: 0 done (warnings in the report and on stderr), 2 bad usage, spec or results, 4 cannot write.
# Environment: PADFREE_DRIVER_MEMORY (default 2g), PADFREE_MVN_OPTS (Maven flags for the build).
set -euo pipefail
usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

# shellcheck source=scripts/job-args.sh
source "$(dirname "${BASH_SOURCE[0]}")/job-args.sh"
padfree_job_args "$@"  # our own --help answers here, before anything is built

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PADFREE_ROOT"
padfree_build

spec=(--spec conf/capacity/qwen3-30b-cpu-demo.yaml)
for arg in "${job_args[@]}"; do
  if [[ $arg == --spec* || $arg == --help ]]; then spec=(); fi
done
exec "$JAVA_HOME/bin/java" -Xmx"${PADFREE_DRIVER_MEMORY:-2g}" \
  -Dlog4j.configurationFile="$PADFREE_ROOT/conf/log4j2.properties" \
  -cp "$(padfree_classpath)" org.padfree.jobs.CapacityStudy "${spec[@]}" "${job_args[@]}"
