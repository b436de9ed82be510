#!/usr/bin/env bash
# Cuts a payload into tar parts small enough for one device call each (a call carries at most 64 MiB),
# so a larger payload travels over several calls made while the machine stays warm.
# Usage: scripts/split-carry.sh [--help] OUTDIR FILE_OR_DIR...
#   writes OUTDIR/part1.tar, part2.tar, ... (old parts there are removed first); paths inside are the
#   ones given, relative to the current folder, so run it from the folder the payload should unpack into.
#   Every part is a complete tar of whole files: unpack each on its own, in any order:
#     mkdir -p /tmp/rt && tar xf partK.tar -C /tmp/rt
# Environment: PADFREE_CARRY_PART_BYTES, the most bytes one part may hold (default 58720256, 56 MiB,
# leaving room in the 64 MiB carry for the rest of the call).
# Exit status: 0 written, 1 a single file does not fit in a part, 2 bad usage.
set -euo pipefail
script=split-carry.sh

usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

# shellcheck source=scripts/job-args.sh
source "$(dirname "${BASH_SOURCE[0]}")/job-args.sh"
padfree_positional_args "$@"
(( ${#positional[@]} >= 2 )) || { echo "$script: expected OUTDIR FILE_OR_DIR... (see --help)" >&2; exit 2; }
out=${positional[0]}
inputs=("${positional[@]:1}")
limit=${PADFREE_CARRY_PART_BYTES:-58720256}
[[ $limit =~ ^[0-9]+$ ]] || { echo "$script: PADFREE_CARRY_PART_BYTES=$limit is not a number of bytes" >&2; exit 2; }
for input in "${inputs[@]}"; do
  [[ -e $input ]] || { echo "$script: $input does not exist" >&2; exit 2; }
done

# A part's size is counted as tar will write it (GNU format, 512-byte blocks, blocking factor 1): per file
# a header block, the data rounded up to whole blocks, and for names of 100 bytes or more a long-name
# entry; per part two closing zero blocks. Counting file sizes alone would let a part overshoot.
block=512
round_up() { echo $(( ($1 + block - 1) / block * block )); }
entry_bytes() {
  local path=$1 size=$2 bytes
  bytes=$(( block + $(round_up "$size") ))
  (( ${#path} >= 100 )) && bytes=$(( bytes + block + $(round_up $(( ${#path} + 1 ))) ))
  echo "$bytes"
}
closing=$(( 2 * block ))

mkdir -p "$out"
rm -f "$out"/part*.tar "$out"/part*.list
part=1
used=$closing
while IFS= read -r -d '' file; do
  bytes=$(entry_bytes "$file" "$(stat -c %s "$file")")
  if (( bytes + closing > limit )); then
    echo "$script: $file alone takes $bytes bytes in a tar, over the $limit-byte part limit" >&2
    rm -f "$out"/part*.list
    exit 1
  fi
  if (( used + bytes > limit )); then
    part=$((part + 1))
    used=$closing
  fi
  printf '%s\0' "$file" >> "$out/part$part.list"
  used=$((used + bytes))
done < <(find "${inputs[@]}" -type f -print0 | LC_ALL=C sort -z)

for list in "$out"/part*.list; do
  [[ -f $list ]] || { echo "$script: no files under ${inputs[*]}" >&2; exit 2; }
  tar --format=gnu --blocking-factor=1 -cf "${list%.list}.tar" --null --no-recursion -T "$list"
  rm "$list"
done
for tarball in "$out"/part*.tar; do
  printf '%s %s bytes\n' "$tarball" "$(stat -c %s "$tarball")"
done
