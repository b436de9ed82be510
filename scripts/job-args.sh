#!/usr/bin/env bash
# Shared by the scripts that run a job (run-local.sh, sweep.sh, capacity.sh): their own --help answers
# before anything is built; every other argument is the job's, which rejects options it does not know
# (exit 2); arguments after -- go to the job untouched, --help included.
# Usage: source scripts/job-args.sh; padfree_job_args "$@"   (scripts/job-args.sh --help prints this text)

# Run rather than sourced: nothing to do but answer.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  case ${1:-} in
    --help|-h) sed -n '2,/^$/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "job-args.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) echo "job-args.sh: a library for the job scripts; source it (see --help)" >&2; exit 2 ;;
  esac
fi

# Sets job_args to the job's arguments; --help or -h runs the calling script's usage and exits 0.
padfree_job_args() {
  job_args=()
  while (( $# )); do
    case $1 in
      --help|-h) usage; exit 0 ;;
      --) shift; job_args+=("$@"); return 0 ;;
      *) job_args+=("$1"); shift ;;
    esac
  done
}
