#!/usr/bin/env bash
# Runs the evaluation job with Spark on THIS GPU host (no Java, Spark or network needed there), from
# the parts scripts/package-spark-gpu.sh made: each call unpacks the parts it finds in .carry/spark-gpu/
# into $PADFREE_RT (default /tmp/padfree-rt, which survives while the machine stays warm); the call
# that has them all runs the job on local-cluster with ONE worker owning the GPUs (SPARK-NOTES.md) and
# one executor per GPU, backend cuda, for each GPU count given, and writes the reports under $OUT.
#
# Usage: scripts/gpu-spark-run.sh [--unpack-only] [--gpus "1 2"] [--dataset PATH] [--batches N]
#          [--tokens MIN:MAX] [--gemms LIST] [--repetitions N] [-- extra EvaluateJob arguments]
#        scripts/gpu-spark-run.sh --sweep conf/sweeps/NAME.yaml [--gpus N] [-- extra SweepJob arguments]
#   --unpack-only     unpack the parts present and stop (the calls before the last)
#   --gpus LIST       GPU counts to run with, each a separate job on the first N GPUs (default: all)
#   --dataset PATH    routed batches to evaluate (default: generated once into $PADFREE_RT/data:
#                     DeepSeek-V3, uniform +-30%, --batches 64, --tokens 4096:8192, seed 7, 8 files)
#   --executor-memory MB  heap per executor (default 24576)
#   --backend B       cuda (default), auto or cpu: auto/cpu only to try the scripts on a machine without GPUs
#   --no-warmup       skip the warm-up job (2 batches, 1 GPU) that fills the kernel cache first
#   --scaling-only    run nothing: print the scaling of the runs already under $OUT for --gpus
#                     (to compare runs made by separate calls, e.g. when one call cannot hold both)
#   --conf KEY=VALUE  a Spark setting for the job (repeatable), e.g. spark.padfree.layers.fused=true
#   --sweep SPEC      run the benchmark sweep SPEC (SweepJob) instead of EvaluateJob, on the first GPU
#                     count of --gpus (default 1), into $OUT/sweeps/<run-id>/; its history table lives in
#                     $PADFREE_RT/sweep-history (so the next call on the same warm host compares with this
#                     run) and is copied to $OUT/sweep-history afterwards
# Results (EvaluateJob): $OUT/gpu-<N>/<run-id>/ (report.md, summary.json, results.parquet, ...), $OUT/scaling.txt,
# and the console (per-executor busy fraction, throughput over the wall time and over the evaluation
# stage alone, where the wall time went, scaling against the first GPU count); $OUT/gpu-<N>-executors.log
# holds the executors' own lines (per partition: setup, row and task times).
# Parts: only the newest part's package is unpacked (each part names its package in padfree-rt/PACKAGE);
# parts of another package are skipped, and the files of a runtime unpacked from another package are
# removed first. Environment: PADFREE_RT (must end in /padfree-rt), PADFREE_PARTS_DIR (where the parts
# are, default .carry/spark-gpu), OUT.
set -euo pipefail
usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
rt=${PADFREE_RT:-/tmp/padfree-rt}
parts_dir=${PADFREE_PARTS_DIR:-.carry/spark-gpu}
out=${OUT:-$repo/gpu-spark-results}
unpack_only=0
scaling_only=0
gpu_counts=
dataset=
batches=64
tokens=4096:8192
gemms=gate_up,down
repetitions=auto
exec_mb=24576
backend=cuda
warmup=1
sweep_spec=
extra_conf=()
while (( $# )); do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --unpack-only) unpack_only=1; shift ;;
    --gpus) gpu_counts=$2; gpu_counts_given=1; shift 2 ;;
    --dataset) dataset=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --tokens) tokens=$2; shift 2 ;;
    --gemms) gemms=$2; shift 2 ;;
    --repetitions) repetitions=$2; shift 2 ;;
    --executor-memory) exec_mb=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    --no-warmup) warmup=0; shift ;;
    --scaling-only) scaling_only=1; shift ;;
    --sweep) sweep_spec=$2; shift 2 ;;
    --conf) extra_conf+=(--conf "$2"); shift 2 ;;
    --) shift; break ;;
    -*) echo "gpu-spark-run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) echo "gpu-spark-run.sh: unexpected argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Scaling against the first GPU count, from each run's summary.json: over the wall time, over the summed
# task time, and over the evaluation stage alone (first task launch to last finish), which leaves out
# the fixed cost of planning, placing inputs and collecting that more GPUs do not shorten.
print_scaling() {
python3 - "$out" $gpu_counts <<'PY' | tee "$out/scaling.txt"
import json, os, sys
out, counts = sys.argv[1], sys.argv[2:]

def seconds(v):
    return "n/a" if v is None else f"{v:.1f} s"

def scaled(v, base):
    return "n/a" if v is None or not base else f"{v / base:.2f}x"

base = None
for n in counts:
    path = os.path.join(out, f"gpu-{n}", f"gpu-{n}", "summary.json")
    if not os.path.exists(path):
        print(f"{n} GPU(s): no summary ({path})"); continue
    s = json.load(open(path))
    t = s["throughput"]
    ex = s["executors"]
    steady = sum(e["tokens"] / e["task_seconds"] for e in ex if e["task_seconds"])
    stage = t.get("tokens_per_evaluation_second")  # absent in summaries written before it existed
    base = base or (t["tokens_per_second"], steady, n, stage)
    print(f"{n} GPU(s): {t['batches']} batches, {t['tokens']} tokens in {t['wall_seconds']:.1f} s: "
          f"{t['tokens_per_second']:.0f} tokens/s ({t['tokens_per_second'] / base[0]:.2f}x of {base[2]} GPU), "
          f"sum over executors of tokens / task time {steady:.0f} tokens/s ({steady / base[1]:.2f}x), "
          f"evaluation stage {seconds(t.get('evaluation_seconds'))}: "
          + ("n/a" if stage is None else f"{stage:.0f} tokens/s") + f" ({scaled(stage, base[3])})")
    print(f"  wall {t['wall_seconds']:.1f} s = inputs and planning {seconds(t.get('planning_seconds'))} + placing inputs "
          f"{seconds(t.get('placing_seconds'))} + evaluation stage {seconds(t.get('evaluation_seconds'))} + collecting "
          f"{seconds(t.get('collect_seconds'))}")
    for e in ex:
        bf = e["busy_fraction"]; lbf = e["large_busy_fraction"]
        print(f"  executor {e['executor_id']} {e['gpu_uuid']}: {e['rows']} rows, {e['batches']} batches, "
              f"task {e['task_seconds']:.1f} s, backend {e['backend_seconds']:.1f} s, GPU busy "
              f"{(e['gpu_busy_seconds'] or 0):.1f} s, busy fraction {100 * (bf or 0):.1f}% "
              f"(rows >= 8192 routed: {e['large_rows']}, {100 * (lbf or 0):.1f}%), "
              f"Spark tasks {seconds(e.get('spark_task_seconds'))}, task span {seconds(e.get('task_span_seconds'))}")
PY
}

if (( scaling_only )); then
  [[ -n $gpu_counts ]] || { echo "gpu-spark-run.sh: --scaling-only needs --gpus" >&2; exit 2; }
  print_scaling
  exit 0
fi

[[ $(basename "$rt") == padfree-rt ]] || { echo "gpu-spark-run.sh: PADFREE_RT must end in /padfree-rt (the parts' top folder)" >&2; exit 2; }
# Parts of one package only: the newest part's (by modification time: a part carried in this call is
# newer than any a host kept from an earlier call). Parts of another package are skipped, and the files
# a runtime unpacked from another package (those its MANIFEST lists, and the JDK unpacked from it) are
# removed first, so none of them (an older job jar or cuDF piece) mixes with this package's; what else
# lies in $PADFREE_RT (generated datasets, sweep history) stays.
parts=()
for part in "$parts_dir"/part*.tar; do
  [[ -f $part ]] && parts+=("$part")
done
package=
if (( ${#parts[@]} )); then
  package=$(tar xOf "$(ls -t "${parts[@]}" | head -1)" padfree-rt/PACKAGE 2>/dev/null || true)
fi
if [[ -n $package && -f $rt/PACKAGE && $(cat "$rt/PACKAGE") != "$package" ]]; then
  echo "gpu-spark-run.sh: $rt holds package $(cat "$rt/PACKAGE"); removing its files for package $package"
  if [[ -f $rt/MANIFEST ]]; then
    while read -r _ path; do
      if [[ $path == padfree-rt/* && $path != *..* ]]; then
        rm -f -- "$(dirname "$rt")/$path"
      fi
    done < "$rt/MANIFEST"
  fi
  rm -rf -- "$rt/jdk"
  rm -f -- "$rt/PACKAGE" "$rt/MANIFEST"
elif [[ -n $package && -d $rt && ! -f $rt/PACKAGE && -n $(ls -A "$rt" 2>/dev/null) ]]; then
  echo "gpu-spark-run.sh: $rt has no PACKAGE file (an older packing): left as it is; delete it if it holds another package's files" >&2
fi
mkdir -p "$rt"
for part in "${parts[@]}"; do
  if [[ -n $package ]]; then
    own=$(tar xOf "$part" padfree-rt/PACKAGE 2>/dev/null || true)
    if [[ $own != "$package" ]]; then
      echo "gpu-spark-run.sh: skipping $part: it belongs to package ${own:-(none)}, the newest part to $package" >&2
      continue
    fi
  fi
  tar xf "$part" -C "$(dirname "$rt")"
  echo "gpu-spark-run.sh: unpacked $part into $(dirname "$rt")"
done
(( unpack_only )) && { du -sh "$rt" 2>/dev/null || true; exit 0; }

# Every file of the manifest present with its size, else say what is missing.
[[ -f $rt/MANIFEST ]] || { echo "gpu-spark-run.sh: $rt/MANIFEST missing: unpack every part first (--unpack-only per part)" >&2; exit 1; }
missing=0
while read -r size path; do
  [[ $path == padfree-rt/MANIFEST ]] && continue  # listed while it was being written
  actual=$(stat -c %s "$(dirname "$rt")/$path" 2>/dev/null || echo -1)
  if [[ $actual != "$size" ]]; then
    echo "gpu-spark-run.sh: missing or incomplete: $path" >&2
    missing=$((missing + 1))
  fi
done < "$rt/MANIFEST"
(( missing == 0 )) || { echo "gpu-spark-run.sh: $missing files missing; carry the remaining parts" >&2; exit 1; }

[[ -x $rt/jdk/bin/java ]] || tar xzf "$rt/jdk.tgz" -C "$rt"
export JAVA_HOME=$rt/jdk PATH=$rt/jdk/bin:$PATH SPARK_HOME=$rt/spark SPARK_SCALA_VERSION=2.13
java=$JAVA_HOME/bin/java
cp="$rt/padfree-job.jar:$rt/spark/jars/*"
mapfile -t flags < <("$java" -cp "$cp" org.padfree.spark.SparkJvmFlags | tr ' ' '\n' | grep -v '^$')
log4j=-Dlog4j.configurationFile=$repo/conf/log4j2.properties

available=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
(( available > 0 )) || { echo "gpu-spark-run.sh: nvidia-smi lists no GPUs" >&2; exit 1; }
gpu_counts=${gpu_counts:-$available}
nvidia-smi --query-gpu=index,name,uuid,memory.total --format=csv,noheader
mkdir -p "$out"

# Runs a job class of the job jar on local-cluster with N executors, one GPU each:
# spark_submit N LABEL CLASS [job arguments].
spark_submit() {
  local n=$1 label=$2 class=$3
  shift 3
  local discover=$rt/discover-$n-gpus.sh
  local addresses
  addresses=$(seq -s, 0 $((n - 1)) | sed 's/\([0-9]\+\)/"\1"/g')
  printf '#!/usr/bin/env bash\necho '"'"'{"name":"gpu","addresses":[%s]}'"'"'\n' "$addresses" > "$discover"
  chmod +x "$discover"
  # Each executor's host-side parallel work (reference rows, layouts) gets its share of the cores,
  # as it would on a cluster host with one executor per GPU; unshared, N JVMs would each use all.
  local host_share=$(( $(nproc) / n > 1 ? $(nproc) / n : 1 ))
  echo "gpu-spark-run.sh: $label: $n GPU(s): local-cluster[1,$n,$((n * exec_mb))], one executor per GPU, backend $backend, $host_share host threads each"
  # minRegisteredResourcesRatio=1: the SparkContext waits for every executor, so executor start-up is
  # not in the job's wall time (it would penalise no GPU count in particular, but blur the scaling).
  "$java" "${flags[@]}" -Xmx8g "$log4j" -cp "$cp" org.apache.spark.deploy.SparkSubmit \
    --master "local-cluster[1,$n,$((n * exec_mb))]" \
    --conf spark.worker.resource.gpu.amount="$n" \
    --conf spark.worker.resource.gpu.discoveryScript="$discover" \
    --conf spark.executor.cores=1 \
    --conf spark.executor.resource.gpu.amount=1 \
    --conf spark.task.resource.gpu.amount=1 \
    --conf spark.executor.memory="${exec_mb}m" \
    --conf spark.executor.extraJavaOptions="-Dpadfree.cuda.cacheDir=/tmp/padfree-kernels -Djava.io.tmpdir=/tmp $log4j -Djava.util.concurrent.ForkJoinPool.common.parallelism=$host_share" \
    --conf spark.scheduler.minRegisteredResourcesRatio=1.0 \
    --conf spark.scheduler.maxRegisteredResourcesWaitingTime=180s \
    --conf spark.driver.maxResultSize=1g \
    --conf spark.ui.enabled=false \
    --conf spark.ui.showConsoleProgress=false \
    --conf spark.task.maxFailures=1 \
    --conf spark.padfree.backend="$backend" \
    "${extra_conf[@]}" \
    --class "$class" "$rt/padfree-job.jar" "$@"
}

# Runs EvaluateJob on N GPUs: run_job N RUN_ID DATASET [extra args].
run_job() {
  local n=$1 run_id=$2 data=$3
  shift 3
  spark_submit "$n" "$run_id" org.padfree.jobs.EvaluateJob \
    --dataset "$data" --gemms "$gemms" --repetitions "$repetitions" --partitions $((8 * n)) \
    --out "$out/gpu-$n" --run-id "$run_id" --overwrite "$@"
}

# A sweep: SweepJob on the first GPU count, its history kept on the host between calls, then stop.
if [[ -n $sweep_spec ]]; then
  [[ -f $sweep_spec ]] || { echo "gpu-spark-run.sh: --sweep $sweep_spec: no such file" >&2; exit 2; }
  n=1
  [[ -n ${gpu_counts_given:-} ]] && n=${gpu_counts%% *}
  (( n >= 1 && n <= available )) || { echo "gpu-spark-run.sh: --gpus $n: this host has $available GPUs" >&2; exit 2; }
  mkdir -p "$rt/sweep-history"
  set +e
  spark_submit "$n" "sweep $(basename "$sweep_spec")" org.padfree.jobs.SweepJob \
    --spec "$sweep_spec" --backend "$backend" --history "$rt/sweep-history" --out "$out/sweeps" "$@" 2>&1 | tee "$out/sweep.log"
  status=${PIPESTATUS[0]}
  set -e
  rm -rf "$out/sweep-history"; cp -r "$rt/sweep-history" "$out/sweep-history"
  app=$(ls -td "$SPARK_HOME"/work/app-* 2>/dev/null | head -1)
  [[ -n $app ]] && grep -h "padfree\|PartitionEvaluator\|LayerEvaluator\|ERROR" "$app"/*/stderr > "$out/sweep-executors.log" 2>/dev/null
  echo "gpu-spark-run.sh: sweep $sweep_spec: exit status $status (SweepJob: 0 no regression, 1 failed checks, 3 regression)"
  exit "$status"
fi

if [[ -z $dataset ]]; then
  dataset=$rt/data/deepseek-v3-b${batches}-t${tokens/:/-}-f8.parquet
  if [[ ! -d $dataset ]]; then
    echo "gpu-spark-run.sh: generating $dataset"
    "$java" "${flags[@]}" -Xmx8g "$log4j" -cp "$cp" org.padfree.jobs.GenerateDataset \
      --model deepseek-v3 --distribution uniform30 --batches "$batches" --tokens "$tokens" --seed 7 \
      --partitions 8 --out "$dataset"
  fi
fi

# Warm-up: two batches of the same sizes on one GPU compile every kernel the runs use into the node's
# kernel cache, so no measured run pays nvcc and the runs compare like for like.
if (( warmup )); then
  warm=$rt/data/warmup-t${tokens/:/-}.parquet
  [[ -d $warm ]] || "$java" "${flags[@]}" -Xmx4g "$log4j" -cp "$cp" org.padfree.jobs.GenerateDataset \
    --model deepseek-v3 --distribution uniform30 --batches 2 --tokens "$tokens" --seed 99 --partitions 1 --out "$warm"
  run_job 1 warmup "$warm" --reference-rows 0 > "$out/warmup.log" 2>&1 || echo "gpu-spark-run.sh: warm-up failed (see $out/warmup.log)"
  rm -rf "$out/gpu-1/warmup"
fi

for n in $gpu_counts; do
  (( n >= 1 && n <= available )) || { echo "gpu-spark-run.sh: --gpus $n: this host has $available GPUs" >&2; exit 2; }
  set +e
  run_job "$n" "gpu-$n" "$dataset" "$@" 2>&1 | tee "$out/gpu-$n.log"
  status=${PIPESTATUS[0]}
  set -e
  echo "gpu-spark-run.sh: $n GPU(s): exit status $status"
  # The executors' own lines (per-partition setup and row times) from the worker's folder of the
  # application just run, one file per GPU count.
  app=$(ls -td "$SPARK_HOME"/work/app-* 2>/dev/null | head -1)
  if [[ -n $app ]]; then
    for log in "$app"/*/stderr; do
      echo "== executor $(basename "$(dirname "$log")")"
      grep -h "padfree\|PartitionEvaluator\|LayerEvaluator\|ERROR" "$log" || true
    done > "$out/gpu-$n-executors.log"
  fi
done

print_scaling
