#!/usr/bin/env bash
# The scripts' argument loops, checked before any work. Each function answers --help/-h with the calling
# script's usage function and exits 0; an unknown option exits 2 naming it and the calling $script.
#   padfree_job_args "$@"         run-local.sh, sweep.sh, capacity.sh: every other argument is the job's
#                                 (job_args), which rejects options it does not know; after -- all go
#                                 to the job untouched, --help included
#   padfree_no_args "$@"          scripts that take no arguments
#   padfree_positional_args "$@"  scripts that take plain arguments (positional; all after -- too)
# Usage: source scripts/job-args.sh; then one of the above   (scripts/job-args.sh --help prints this text)

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

# No arguments but --help.
padfree_no_args() {
  while (( $# )); do
    case $1 in
      --help|-h) usage; exit 0 ;;
      -*) echo "$script: unknown option $1 (see --help)" >&2; exit 2 ;;
      *) echo "$script: unexpected argument $1 (see --help)" >&2; exit 2 ;;
    esac
  done
}

# Sets positional to the plain arguments; options other than --help are errors.
padfree_positional_args() {
  positional=()
  while (( $# )); do
    case $1 in
      --help|-h) usage; exit 0 ;;
      --) shift; positional+=("$@"); return 0 ;;
      -*) echo "$script: unknown option $1 (see --help)" >&2; exit 2 ;;
      *) positional+=("$1"); shift ;;
    esac
  done
}
