#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs of this host as Spark's ResourceInformation JSON,
#   {"name":"gpu","addresses":["0","1",...]}
# using nvidia-smi's indices (the addresses ExecutorBackends maps to CUDA devices, through
# CUDA_VISIBLE_DEVICES when that is set). Point spark.worker.resource.gpu.discoveryScript (standalone)
# or spark.executor.resource.gpu.discoveryScript (YARN, Kubernetes) at it; see conf/spark-gpu-*.conf.
# Environment: NVIDIA_SMI overrides the nvidia-smi command (tests use a fake one).
# Usage: conf/getGpusResources.sh [--help]     (Spark runs it with no arguments)
set -euo pipefail
case ${1:-} in
  --help|-h) sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
  "") ;;
  -*) echo "getGpusResources.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  *) echo "getGpusResources.sh: unexpected argument $1 (see --help)" >&2; exit 2 ;;
esac
smi=${NVIDIA_SMI:-nvidia-smi}
if ! command -v "$smi" >/dev/null 2>&1; then
  echo "getGpusResources.sh: $smi not found on PATH ($PATH); install the NVIDIA driver utilities on this" \
    "node, or do not request spark.*.resource.gpu on nodes without GPUs" >&2
  exit 1
fi
if ! indices=$("$smi" --query-gpu=index --format=csv,noheader 2>&1); then
  echo "getGpusResources.sh: '$smi --query-gpu=index --format=csv,noheader' failed: $indices" >&2
  exit 1
fi
addresses=()
while IFS= read -r line; do
  line=${line//[[:space:]]/}
  [[ -z $line ]] && continue
  if [[ ! $line =~ ^[0-9]+$ ]]; then
    echo "getGpusResources.sh: unexpected line from $smi: '$line' (expected a GPU index)" >&2
    exit 1
  fi
  addresses+=("\"$line\"")
done <<<"$indices"
if (( ${#addresses[@]} == 0 )); then
  echo "getGpusResources.sh: $smi lists no GPUs on this node" >&2
  exit 1
fi
joined=$(IFS=,; echo "${addresses[*]}")
echo "{\"name\":\"gpu\",\"addresses\":[$joined]}"
