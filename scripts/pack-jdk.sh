#!/usr/bin/env bash
# Packs a trimmed Java 25 runtime (jlink) into a .tgz for a GPU host that has no Java. The archive holds
# one folder, jdk/, so `tar xzf OUT.tgz -C /tmp` gives /tmp/jdk/bin/java.
# Usage: scripts/pack-jdk.sh [--help] OUT.tgz [MODULES]
#   OUT.tgz   the archive to write (its folder must exist)
#   MODULES   comma-separated modules to keep (default: what the Spark job, JCuda and FFM need; see below);
#             modules this JDK does not have are left out with a note on stderr
# The JDK is the one scripts/find-jdk.sh picks ($JAVA_HOME when it is >= 25); it must have jlink.
# Exit status: 0 written, 1 no suitable JDK or jlink failed, 2 bad usage.
set -euo pipefail
script=pack-jdk.sh

usage() { sed -n '2,/^set -euo/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

# Why each default module is there:
#   java.se               Spark, Hadoop and Parquet use most of the SE API (sql, naming, management, xml, desktop beans)
#   jdk.unsupported       sun.misc.Unsafe, used by Spark's memory manager, Netty and Kryo
#   jdk.incubator.vector  the CPU reference backend's vectorised GEMM
#   jdk.management        com.sun.management MXBeans, read by Spark's executor metrics
#   jdk.security.auth     com.sun.security.auth principals, used by Hadoop's UserGroupInformation
#   jdk.naming.dns        Hadoop's host name lookups through JNDI
#   jdk.zipfs, jdk.charsets, jdk.net, jdk.crypto.ec   zip file systems, non-UTF-8 charsets, socket options, EC TLS
# FFM (java.lang.foreign) and JCuda's JNI need nothing beyond java.base.
default_modules=java.se,jdk.unsupported,jdk.incubator.vector,jdk.management,jdk.security.auth,jdk.naming.dns,jdk.zipfs,jdk.charsets,jdk.net,jdk.crypto.ec

# shellcheck source=scripts/job-args.sh
source "$(dirname "${BASH_SOURCE[0]}")/job-args.sh"
padfree_positional_args "$@"
if (( ${#positional[@]} < 1 || ${#positional[@]} > 2 )); then
  echo "$script: expected OUT.tgz [MODULES] (see --help)" >&2
  exit 2
fi
out=${positional[0]}
modules=${positional[1]:-$default_modules}
[[ -d $(dirname "$out") ]] || { echo "$script: folder of $out does not exist" >&2; exit 2; }

# shellcheck source=scripts/find-jdk.sh
source "$(dirname "${BASH_SOURCE[0]}")/find-jdk.sh"
jdk=$(padfree_find_jdk) || exit 1
[[ -x $jdk/bin/jlink ]] || { echo "$script: $jdk has no bin/jlink (a JRE?); point JAVA_HOME at a full JDK >= 25" >&2; exit 1; }

# Keep the modules this JDK has: jdk.crypto.ec, for one, is empty or gone in recent JDKs.
available=" $("$jdk/bin/java" --list-modules | sed 's/@.*//' | tr '\n' ' ') "
kept=()
IFS=, read -r -a wanted <<<"$modules"
for module in "${wanted[@]}"; do
  if [[ $available == *" $module "* ]]; then kept+=("$module"); else echo "$script: $jdk has no module $module; left out" >&2; fi
done
(( ${#kept[@]} )) || { echo "$script: none of the modules $modules is in $jdk" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$jdk/bin/jlink" --add-modules "$(IFS=,; echo "${kept[*]}")" --strip-debug --no-header-files --no-man-pages \
  --compress zip-9 --output "$work/jdk"
tar czf "$out" -C "$work" jdk
echo "$script: $(du -h "$out" | cut -f1) -> $out (unpack: tar xzf $out -C /tmp; run /tmp/jdk/bin/java)"
