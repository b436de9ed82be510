#!/usr/bin/env bash
# Runs a cluster capacity study (org.padfree.capacity.CapacityStudy) on sweep results, building first
# when needed. No Spark session: it reads the sweep history or a points file.
#   scripts/capacity.sh                                (conf/capacity/qwen3-30b-cpu-demo.yaml on the latest sweep run)
#   scripts/capacity.sh --spec conf/capacity/X.yaml --results reports/sweeps/<run-id>
#   scripts/capacity.sh --help
# Exit status: 0 done (warnings in the report and on stderr), 2 bad usage, spec or results, 4 cannot write.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PADFREE_ROOT"
padfree_build

spec=(--spec conf/capacity/qwen3-30b-cpu-demo.yaml)
for arg in "$@"; do
  if [[ $arg == --spec* || $arg == --help ]]; then spec=(); fi
done
exec "$JAVA_HOME/bin/java" -Xmx"${PADFREE_DRIVER_MEMORY:-2g}" \
  -Dlog4j.configurationFile="$PADFREE_ROOT/conf/log4j2.properties" \
  -cp "$(padfree_classpath)" org.padfree.capacity.CapacityStudy "${spec[@]}" "$@"
