#!/usr/bin/env bash
# Finds a JDK >= 25 and prints its home. Order: $JAVA_HOME, then every JDK under /usr/lib/jvm
# (macOS: /Library/Java/JavaVirtualMachines, each JDK's Contents/Home), newest first; PADFREE_JVM_DIR
# replaces that folder. Sourced by ./mvnw and the run scripts so they all agree on one rule.
# Exit status 1 with a plain message on stderr when none is found.
# Usage: scripts/find-jdk.sh [--help]     (run: prints the JDK home; source: defines padfree_find_jdk)

padfree_java_major() {
  # Prints the feature version of the java binary in $1/bin (e.g. 25), or nothing.
  local home=$1 line
  [[ -x "$home/bin/java" ]] || return 0
  line=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | grep -m1 'java.specification.version' || true)
  line=${line##*= }
  line=${line%%.*}
  [[ $line =~ ^[0-9]+$ ]] && printf '%s' "$line"
}

padfree_find_jdk() {
  local min=25 home major default=/usr/lib/jvm
  [[ $(uname -s 2>/dev/null) == Darwin ]] && default=/Library/Java/JavaVirtualMachines
  local jvms=${PADFREE_JVM_DIR:-$default}
  if [[ -n ${JAVA_HOME:-} ]]; then
    major=$(padfree_java_major "$JAVA_HOME")
    if [[ -n $major && $major -ge $min ]]; then printf '%s\n' "$JAVA_HOME"; return 0; fi
    echo "padfree: JAVA_HOME=$JAVA_HOME is Java ${major:-unknown}, padfree needs Java >= $min; looking in $jvms" >&2
  fi
  # Linux keeps JDK homes directly under the folder, macOS in each bundle's Contents/Home.
  for home in $(ls -d "$jvms"/*/ "$jvms"/*/Contents/Home/ 2>/dev/null | sort -rV); do
    home=${home%/}
    [[ -x "$home/bin/javac" ]] || continue
    major=$(padfree_java_major "$home")
    if [[ -n $major && $major -ge $min ]]; then printf '%s\n' "$home"; return 0; fi
  done
  cat >&2 <<MSG
padfree: no JDK >= $min found (checked JAVA_HOME=${JAVA_HOME:-unset} and $jvms).
Install one, for example Eclipse Temurin 25 (Debian/Ubuntu: the 'temurin-25-jdk' package from
packages.adoptium.net, or a tarball from adoptium.net), then set JAVA_HOME to its folder.
MSG
  return 1
}

# Run rather than sourced: the arguments are ours (a sourcing script's arguments are its own).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  case ${1:-} in
    --help|-h) sed -n '2,/^$/ s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    "") padfree_find_jdk ;;
    -*) echo "find-jdk.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) echo "find-jdk.sh: unexpected argument $1 (see --help)" >&2; exit 2 ;;
  esac
fi
