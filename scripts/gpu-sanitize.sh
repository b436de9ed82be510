#!/usr/bin/env bash
# Runs compute-sanitizer's memcheck, racecheck and synccheck over every kernel family (the grouped
# GEMM in every layout and tile width, pad, quantize, scatter, compare, synthetic data, TMA tile copy)
# on a GPU host, in one call. The driver (org.padfree.cuda.sanitize.SanitizerDriver, in the test
# classes) runs each family once on small shapes and checks each result, so a tool's "0 errors" means
# kernels that also computed the right thing.
#
# Prepare on a build machine: scripts/package-gpu-tests.sh (makes .carry/); carry .carry/ to the GPU
# host and run this from the repository root. Writes to $OUT (or --out DIR, else ./gpu-sanitize-results):
#   baseline.log    the driver without a sanitizer (compiles the kernels, checks results)
#   <tool>.log      the driver under compute-sanitizer --tool <tool>
#   summary.txt     one line per run: exit status, errors/hazards the tool reported, the driver's tally
# Exit status: 0 when every run finished with no error, no hazard and every check passed; 1 when any
# did not; 2 on bad arguments or a missing bundle; 3 when there is no compute-sanitizer or no GPU.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  cat <<'EOF'
Usage: scripts/gpu-sanitize.sh [--out DIR] [--tools memcheck,racecheck,synccheck] [--families LIST]
                               [--widths LIST] [--timeout SECONDS] [--check]
  --out DIR        where logs and summary.txt go (default: $OUT, else ./gpu-sanitize-results)
  --tools LIST     compute-sanitizer tools to run (default: memcheck,racecheck,synccheck)
  --families LIST  driver families: gemm,backend,weights,scatter,tilecopy (default: all)
  --widths LIST    GEMM BLOCK_N values (default: all: 64,96,112,128,160,192)
  --timeout S      limit per sanitized run in seconds (default: 150; a run past it counts as failed)
  --check          only check the prerequisites (bundle, Java, compute-sanitizer, GPU) and print the plan
Environment: COMPUTE_SANITIZER (the binary), PADFREE_JAVA (a java), PADFREE_TEST_HEAP (default 8g).
Needs .carry/ from scripts/package-gpu-tests.sh. Example on the H200, in one call:
  scripts/gpu-sanitize.sh --out "$OUT"
EOF
}

results=${OUT:-gpu-sanitize-results}
tools=memcheck,racecheck,synccheck
families=""
widths=""
per_run=150
check_only=0
while (( $# )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --check) check_only=1; shift ;;
    --out|--tools|--families|--widths|--timeout)
      [[ $# -ge 2 && -n $2 ]] || { echo "gpu-sanitize.sh: $1 needs a value (see --help)" >&2; exit 2; }
      case "$1" in
        --out) results=$2 ;;
        --tools) tools=$2 ;;
        --families) families=$2 ;;
        --widths) widths=$2 ;;
        --timeout) per_run=$2 ;;
      esac
      shift 2 ;;
    -*) echo "gpu-sanitize.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) echo "gpu-sanitize.sh: unexpected argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $per_run =~ ^[1-9][0-9]*$ ]] || { echo "gpu-sanitize: --timeout must be a positive number of seconds, not '$per_run'" >&2; exit 2; }
IFS=, read -r -a tool_list <<< "$tools"
(( ${#tool_list[@]} )) || { echo "gpu-sanitize: --tools is empty" >&2; exit 2; }
for t in "${tool_list[@]}"; do
  case "$t" in
    memcheck|racecheck|synccheck|initcheck) ;;
    *) echo "gpu-sanitize: unknown tool '$t' (memcheck, racecheck, synccheck, initcheck)" >&2; exit 2 ;;
  esac
done
driver_args=()
[[ -n $families ]] && driver_args+=(--families "$families")
[[ -n $widths ]] && driver_args+=(--widths "$widths")

# The bundle and a Java runtime, as scripts/gpu-smoke.sh finds them.
carry=.carry
bundle=$PWD/$carry/gpu-tests
[[ -d $bundle/test-classes ]] || { echo "gpu-sanitize: no $carry/gpu-tests; run scripts/package-gpu-tests.sh first and carry .carry/" >&2; exit 2; }
[[ -f $bundle/test-classes/org/padfree/cuda/sanitize/SanitizerDriver.class ]] \
  || { echo "gpu-sanitize: $carry/gpu-tests lacks SanitizerDriver; run scripts/package-gpu-tests.sh again" >&2; exit 2; }
java=${PADFREE_JAVA:-}
if [[ -z $java ]]; then
  if [[ ! -x /tmp/jdk/bin/java ]]; then
    [[ -f $carry/jdk.tgz ]] || { echo "gpu-sanitize: no $carry/jdk.tgz; run scripts/package-gpu-tests.sh first" >&2; exit 2; }
    tar xzf "$carry/jdk.tgz" -C /tmp
  fi
  java=/tmp/jdk/bin/java
fi

# compute-sanitizer ships with the CUDA toolkit (bin/ or compute-sanitizer/ under it).
sanitizer=${COMPUTE_SANITIZER:-}
tried=()
if [[ -z $sanitizer ]]; then
  candidates=("$(command -v compute-sanitizer || true)")
  [[ -n ${CUDA_HOME:-} ]] && candidates+=("$CUDA_HOME/bin/compute-sanitizer" "$CUDA_HOME/compute-sanitizer/compute-sanitizer")
  candidates+=(/usr/local/cuda/bin/compute-sanitizer /usr/local/cuda/compute-sanitizer/compute-sanitizer
    /usr/local/cuda-*/bin/compute-sanitizer /usr/local/cuda-*/compute-sanitizer/compute-sanitizer)
  for c in "${candidates[@]}"; do
    [[ -z $c ]] && continue
    tried+=("$c")
    if [[ -x $c ]]; then sanitizer=$c; break; fi
  done
fi
if [[ -z $sanitizer || ! -x $sanitizer ]]; then
  echo "gpu-sanitize: compute-sanitizer not found (tried: ${COMPUTE_SANITIZER:-${tried[*]:-PATH}}); it ships with the CUDA toolkit; set COMPUTE_SANITIZER to its path" >&2
  exit 3
fi
if ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-sanitize: no GPU here (nvidia-smi -L failed); run this on the GPU host" >&2
  exit 3
fi

mkdir -p "$results"
results=$(cd "$results" && pwd)
heap=${PADFREE_TEST_HEAP:-8g}
jvm=("$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx"$heap"
  -Djava.io.tmpdir=/tmp -Dpadfree.cuda.cacheDir=/tmp/padfree-kernels
  -cp "$bundle/classes:$bundle/test-classes:$bundle/lib/*" org.padfree.cuda.sanitize.SanitizerDriver "${driver_args[@]}")
echo "gpu-sanitize: $("$sanitizer" --version | tail -1); tools ${tool_list[*]}; results in $results"
nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader || true
if (( check_only )); then
  echo "gpu-sanitize: prerequisites found; would run: ${jvm[*]}"
  exit 0
fi

summary=$results/summary.txt
printf '%-10s %-6s %-8s %-8s %s\n' run exit errors hazards driver > "$summary"
failed=0

# One line of the summary from a run's log; sets failed=1 when the run is not clean.
record() {
  local run=$1 status=$2 log=$3 errors=- hazards=- driver verdict=ok
  driver=$(grep -E '^sanitizer-driver: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed 's/^sanitizer-driver: //' || true)
  [[ -n $driver ]] || driver="no tally (the driver did not finish)"
  if [[ $run != baseline ]]; then
    # memcheck and synccheck end with "ERROR SUMMARY: N errors", racecheck with "RACECHECK SUMMARY:
    # N hazards displayed (E errors, W warnings)" (and some versions an ERROR SUMMARY too). A run
    # without its summary line did not finish, which is no pass either.
    errors=$(grep -oE 'ERROR SUMMARY: [0-9]+ error' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    hazards=$(grep -oE 'RACECHECK SUMMARY: [0-9]+ hazard' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    if [[ $run == racecheck ]]; then
      [[ -n $hazards || -n $errors ]] || verdict=bad
      [[ -z $hazards || $hazards == 0 ]] || verdict=bad
      [[ -z $errors || $errors == 0 ]] || verdict=bad
      hazards=${hazards:-none}
      errors=${errors:--}
    else
      [[ $errors == 0 ]] || verdict=bad
      errors=${errors:-missing}
      hazards=-
    fi
  fi
  [[ $status == 0 && $driver == *" 0 failed" ]] || verdict=bad
  (( status == 124 || status == 137 )) && driver="$driver; timed out"
  printf '%-10s %-6s %-8s %-8s %s\n' "$run" "$status" "$errors" "$hazards" "$driver" >> "$summary"
  [[ $verdict == ok ]] || failed=1
}

# Baseline: compiles the kernels (in parallel) and checks every result without instrumentation.
set +e
"${jvm[@]}" > "$results/baseline.log" 2>&1
status=$?
set -e
tail -3 "$results/baseline.log"
if (( status == 3 )); then
  cat "$results/baseline.log" >&2
  echo "gpu-sanitize: the driver found no usable Hopper GPU" >&2
  exit 3
fi
record baseline "$status" "$results/baseline.log"

for tool in "${tool_list[@]}"; do
  echo "gpu-sanitize: $tool ..."
  set +e
  timeout --kill-after=15 "$per_run" "$sanitizer" --tool "$tool" --print-limit 50 \
    --error-exitcode 86 "${jvm[@]}" > "$results/$tool.log" 2>&1
  status=$?
  set -e
  record "$tool" "$status" "$results/$tool.log"
  tail -2 "$results/$tool.log"
done

cat "$summary"
if (( failed )); then
  echo "gpu-sanitize: FAILED (see $summary and the logs beside it)"
  exit 1
fi
echo "gpu-sanitize: clean: no errors, no hazards, every check passed"
