#!/usr/bin/env bash
# Submits a padfree job (EvaluateJob by default) to a Spark cluster with spark-submit, GPU settings
# from conf/spark-gpu-*.conf. Prints the command before running it. See --help.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  cat <<'USAGE'
Usage: scripts/submit.sh [options] [--] [job arguments]
Submits a padfree job with $SPARK_HOME/bin/spark-submit; job arguments go to the job (EvaluateJob:
see its --help, e.g. --dataset hdfs:///moe/batches.parquet --out /shared/reports).

Options
  --master URL         spark://host:7077 | yarn | k8s://https://host:6443 | local-cluster[...]
                       (default: $SPARK_MASTER, else spark-submit's own default)
  --deploy-mode MODE   client (default) or cluster; with cluster the driver writes --out on a cluster node
  --gpu-conf FILE      Spark properties for GPUs: conf/spark-gpu-standalone.conf, conf/spark-gpu-yarn.conf
                       or conf/spark-gpu-k8s.conf (passed as --properties-file, with --load-spark-defaults
                       so the cluster's own spark-defaults.conf, e.g. its event log, still applies
                       to keys the file does not set)
  --conf KEY=VALUE     any Spark or spark.padfree.* setting; repeatable (wins over --gpu-conf)
  --class NAME         main class (default org.padfree.jobs.EvaluateJob; also
                       org.padfree.jobs.GenerateDataset)
  --jar PATH           job jar (default spark-job/target/padfree-job.jar; build it with
                       ./mvnw -B -DskipTests package)
  --cudf-jar PATH      RAPIDS cuDF (cudf-26.08.1-cuda13.jar, ai.rapids:cudf:26.08.1 classifier cuda13) for
                       the GPU routing path: passed with --jars beside the job jar, never inside it; with it
                       spark.padfree.routing=auto builds layouts on the executors' GPUs (rows say cudf);
                       default $PADFREE_CUDF_JAR when set
  --dry-run            print the command, do not run it (works without Spark)
  --help               print this text

Examples
  # standalone: one executor per GPU, workers started with conf/getGpusResources.sh as discovery script
  scripts/submit.sh --master spark://head:7077 --gpu-conf conf/spark-gpu-standalone.conf \
    -- --dataset hdfs:///moe/batches.parquet --out /shared/reports
  # YARN, driver on the cluster
  scripts/submit.sh --master yarn --deploy-mode cluster --gpu-conf conf/spark-gpu-yarn.conf \
    --conf spark.executor.instances=8 -- --dataset hdfs:///moe/batches.parquet --out hdfs:///reports
  # Kubernetes (set the image in the conf file or with --conf)
  scripts/submit.sh --master k8s://https://api:6443 --deploy-mode cluster --gpu-conf conf/spark-gpu-k8s.conf \
    --conf spark.kubernetes.container.image=registry/padfree:latest --conf spark.executor.instances=8 \
    --jar local:///opt/padfree/padfree-job.jar -- --dataset s3a://moe/batches.parquet --out /reports

Environment: SPARK_HOME (required unless --dry-run), SPARK_MASTER (default master), PADFREE_CUDF_JAR
(default --cudf-jar).
Exit status: the job's (EvaluateJob: 0 passed, 1 failed checks, 2 usage); 2 for bad options here.
USAGE
}

die() {
  echo "submit.sh: $*" >&2
  exit 2
}

master=${SPARK_MASTER:-}
deploy=client
gpu_conf=
klass=org.padfree.jobs.EvaluateJob
jar=$root/spark-job/target/padfree-job.jar
dry=0
cudf_jar=${PADFREE_CUDF_JAR:-}
confs=()
while (( $# )); do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --master) (( $# > 1 )) || die "--master needs a value"; master=$2; shift 2 ;;
    --deploy-mode) (( $# > 1 )) || die "--deploy-mode needs a value"; deploy=$2; shift 2 ;;
    --gpu-conf) (( $# > 1 )) || die "--gpu-conf needs a value"; gpu_conf=$2; shift 2 ;;
    --conf) (( $# > 1 )) || die "--conf needs KEY=VALUE"; [[ $2 == *=* ]] || die "--conf $2: expected KEY=VALUE"
      confs+=(--conf "$2"); shift 2 ;;
    --class) (( $# > 1 )) || die "--class needs a value"; klass=$2; shift 2 ;;
    --jar) (( $# > 1 )) || die "--jar needs a value"; jar=$2; shift 2 ;;
    --cudf-jar) (( $# > 1 )) || die "--cudf-jar needs a value"; cudf_jar=$2; shift 2 ;;
    --dry-run) dry=1; shift ;;
    --) shift; break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
done
[[ $deploy == client || $deploy == cluster ]] || die "--deploy-mode $deploy: expected client or cluster"
if [[ -n $gpu_conf && ! -f $gpu_conf ]]; then
  die "--gpu-conf $gpu_conf: no such file (see conf/spark-gpu-*.conf)"
fi
if [[ $jar != local://* && $jar != hdfs://* && $jar != s3a://* && ! -f $jar ]]; then
  (( dry )) || die "job jar $jar not found; build it with ./mvnw -B -DskipTests package, or pass --jar"
fi
if [[ -n $cudf_jar && $cudf_jar != local://* && $cudf_jar != hdfs://* && $cudf_jar != s3a://* && ! -f $cudf_jar ]]; then
  die "--cudf-jar $cudf_jar: no such file (Maven Central: ai.rapids:cudf:26.08.1, classifier cuda13)"
fi

if (( dry )); then
  submit=${SPARK_HOME:-'$SPARK_HOME'}/bin/spark-submit
else
  [[ -n ${SPARK_HOME:-} ]] || die "SPARK_HOME is not set; point it at a Spark 4.2 installation (or use --dry-run)"
  submit=$SPARK_HOME/bin/spark-submit
  [[ -x $submit ]] || die "$submit not found or not executable; is SPARK_HOME=$SPARK_HOME a Spark installation?"
fi

cmd=("$submit")
[[ -n $master ]] && cmd+=(--master "$master")
cmd+=(--deploy-mode "$deploy")
# Spark 4 ignores spark-defaults.conf when --properties-file is given, unless told to load it too.
[[ -n $gpu_conf ]] && cmd+=(--properties-file "$gpu_conf" --load-spark-defaults)
[[ -n $cudf_jar ]] && cmd+=(--jars "$cudf_jar")
cmd+=("${confs[@]}" --class "$klass" "$jar" "$@")
printf 'submit.sh:'; printf ' %q' "${cmd[@]}"; printf '\n'
(( dry )) && exit 0
exec "${cmd[@]}"
