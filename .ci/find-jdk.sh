# shellcheck shell=sh
#
# The one place that knows how to find a Java 21+ on this machine. Sourced (never run) by
#   - bin/gateway in the distribution (copied there by distribution/src/assembly/gateway.xml),
#   - run.sh, test.sh and .ci/run at the top of the source tree.
#
# Rules for this file, because of who sources it:
#   - POSIX sh only: bin/gateway runs under /bin/sh (dash on Debian).
#   - Shell builtins only: bin/gateway must be able to say "no Java found" even when PATH is empty
#     or holds no tools at all, so no sed/grep/basename here. The one exception is readlink, used
#     only when it exists (to follow java -> /etc/alternatives/java -> ...); without it the
#     candidate is started instead.
#   - Safe under `set -euo pipefail`: .ci/run sources it that way. Every variable is read with a
#     default, and every command that may fail is inside an `if`, `||` or `&&`.
#   - Names start with gateway_ / _gj_ / GATEWAY_JAVA so they do not clash with the caller's.
#
# Functions:
#
#   gateway_find_java MIN [jdk]
#     Looks, in this order, at
#       1. $JAVA_HOME/bin/java, when JAVA_HOME is set;
#       2. `java` on PATH;
#       3. */bin/java under each folder of JVM_SEARCH_DIRS (colon-separated, default /usr/lib/jvm),
#          choosing the newest one there.
#     The first that is Java MIN or newer wins (with "jdk": that also has bin/javac, as Maven needs).
#     The version comes from the `release` file of the candidate's home (JAVA_VERSION="25.0.1"; the
#     home is the folder above bin/ once symlinks such as /usr/bin/java are followed), which every
#     JDK 9+ has. Only a candidate without a readable one is started: then the version is what it
#     reports itself, `java -XshowSettings:properties -version` printing java.specification.version
#     ("25", or "1.8" for the old scheme) and java.home. Reading the file takes about a millisecond,
#     starting a JVM 0.1 to 0.2 s.
#     Returns 0 and sets
#       GATEWAY_JAVA         the java binary to run
#       GATEWAY_JAVA_HOME    its java.home (a JDK home for Java 9+)
#       GATEWAY_JAVA_MAJOR   its major version, e.g. 25
#       GATEWAY_JAVA_SOURCE  where it was found: "JAVA_HOME", "PATH" or the search folder
#     or returns 1. Either way GATEWAY_JAVA_SEEN lists, one line each, every candidate that was
#     refused and why, for the caller's message.
#
#   gateway_use_jdk [MIN]
#     For the build scripts: finds a JDK MIN+ (default 21), exports JAVA_HOME and puts its bin/
#     first on PATH, so `mvn` and `java` use it. Prints why and returns 1 when there is none.

_gj_nl='
'

# _gateway_java_probe JAVA: sets _gj_major and _gj_home from the release file of JAVA's home, or else
# by running JAVA once. Returns 1 if it has no release file and does not run or reports no version.
_gateway_java_probe() {
    _gj_major=''
    _gj_home=''
    _gj_spec=''
    _gj_verline=''
    if [ ! -f "$1" ] || [ ! -x "$1" ]; then
        return 1
    fi
    if _gateway_java_release_home "$1"; then
        _gateway_java_release_major "$_gj_home"
        if [ -n "$_gj_major" ]; then
            return 0
        fi
        _gj_home=''
    fi
    # JDK_JAVA_OPTIONS is read by the java launcher itself; a bad value there would make every
    # candidate look broken, so it does not take part in the probe.
    _gj_out=$(JDK_JAVA_OPTIONS='' "$1" -XshowSettings:properties -version 2>&1) || return 1
    while IFS= read -r _gj_line; do
        # strip the indentation of "    java.home = /usr/lib/jvm/..."
        _gj_key=${_gj_line#"${_gj_line%%[! 	]*}"}
        case $_gj_key in
            'java.specification.version = '*) _gj_spec=${_gj_key#*= } ;;
            'java.home = '*) _gj_home=${_gj_key#*= } ;;
            *' version "'*) [ -n "$_gj_verline" ] || _gj_verline=$_gj_key ;;
        esac
    done <<_GJ_EOF_
$_gj_out
_GJ_EOF_
    _gj_v=$_gj_spec
    if [ -z "$_gj_v" ] && [ -n "$_gj_verline" ]; then
        # fallback: openjdk version "21.0.2" 2024-01-16 / java version "1.8.0_402"
        _gj_v=${_gj_verline#*version \"}
        _gj_v=${_gj_v%%\"*}
    fi
    _gateway_java_major "$_gj_v"
    [ -n "$_gj_major" ] || return 1
    if [ -z "$_gj_home" ]; then
        _gj_home=${1%/bin/java}
    fi
    return 0
}

# _gateway_java_release_home JAVA: sets _gj_home to the folder above JAVA's bin/, after following
# the symlinks of JAVA itself (/usr/bin/java -> /etc/alternatives/java -> .../bin/java) and of the
# folders on the way, when that folder has a readable release file. Returns 1 otherwise, also when
# JAVA is a symlink and readlink is missing.
_gateway_java_release_home() {
    _gj_home=''
    _gj_file=$1
    _gj_hops=0
    while [ -L "$_gj_file" ]; do
        _gj_hops=$((_gj_hops + 1))
        [ "$_gj_hops" -le 40 ] || return 1
        command -v readlink >/dev/null 2>&1 || return 1
        _gj_link=$(readlink "$_gj_file" 2>/dev/null) && [ -n "$_gj_link" ] || return 1
        case $_gj_link in
            /*) _gj_file=$_gj_link ;;
            *) _gj_file=${_gj_file%/*}/$_gj_link ;;
        esac
    done
    case $_gj_file in
        */bin/java) ;;
        *) return 1 ;;
    esac
    _gj_home=$(cd -P -- "${_gj_file%/bin/java}" 2>/dev/null && pwd -P) || _gj_home=''
    if [ -z "$_gj_home" ] || [ ! -f "$_gj_home/release" ] || [ ! -r "$_gj_home/release" ]; then
        _gj_home=''
        return 1
    fi
    return 0
}

# _gateway_java_major VERSION: sets _gj_major to the major number of "25", "21.0.2", "21-ea",
# "1.8.0_402" or "1.8"; to '' when VERSION does not start with a number.
_gateway_java_major() {
    _gj_major=$1
    case $_gj_major in
        1.*) _gj_major=${_gj_major#1.} ;;
    esac
    _gj_major=${_gj_major%%[!0-9]*}
}

# _gateway_java_release_major HOME: sets _gj_major from HOME/release (JAVA_VERSION="17.0.15"),
# which every JDK 9+ home has, so old installations are skipped without starting them.
# Sets '' when there is no such line.
_gateway_java_release_major() {
    _gj_major=''
    [ -r "$1/release" ] || return 0
    while IFS= read -r _gj_line; do
        case $_gj_line in
            JAVA_VERSION=*)
                _gj_v=${_gj_line#JAVA_VERSION=}
                _gj_v=${_gj_v#\"}
                _gateway_java_major "${_gj_v%\"}"
                return 0
                ;;
        esac
    done <"$1/release" || true
    return 0
}

# _gateway_java_accept JAVA LABEL: 0 when JAVA runs and is new enough (and a JDK when asked);
# otherwise notes the reason in GATEWAY_JAVA_SEEN and returns 1.
_gateway_java_accept() {
    if [ ! -e "$1" ]; then
        GATEWAY_JAVA_SEEN="$GATEWAY_JAVA_SEEN  $2: $1 does not exist$_gj_nl"
        return 1
    fi
    if ! _gateway_java_probe "$1"; then
        GATEWAY_JAVA_SEEN="$GATEWAY_JAVA_SEEN  $2: $1 does not run or reports no version$_gj_nl"
        return 1
    fi
    if [ "$_gj_major" -lt "$_gj_min" ]; then
        GATEWAY_JAVA_SEEN="$GATEWAY_JAVA_SEEN  $2: $1 is Java $_gj_major$_gj_nl"
        return 1
    fi
    if [ -n "$_gj_need_jdk" ] && [ ! -x "$_gj_home/bin/javac" ]; then
        GATEWAY_JAVA_SEEN="$GATEWAY_JAVA_SEEN  $2: $1 is Java $_gj_major but has no javac (not a JDK)$_gj_nl"
        return 1
    fi
    return 0
}

_gateway_java_take() {
    GATEWAY_JAVA=$1
    GATEWAY_JAVA_HOME=$_gj_home
    GATEWAY_JAVA_MAJOR=$_gj_major
    GATEWAY_JAVA_SOURCE=$2
}

gateway_find_java() {
    _gj_min=${1:-21}
    _gj_need_jdk=''
    if [ "${2:-}" = jdk ]; then
        _gj_need_jdk=1
    fi
    GATEWAY_JAVA=''
    GATEWAY_JAVA_HOME=''
    GATEWAY_JAVA_MAJOR=''
    GATEWAY_JAVA_SOURCE=''
    GATEWAY_JAVA_SEEN=''

    # 1. JAVA_HOME
    if [ -n "${JAVA_HOME:-}" ]; then
        if _gateway_java_accept "${JAVA_HOME%/}/bin/java" JAVA_HOME; then
            _gateway_java_take "${JAVA_HOME%/}/bin/java" JAVA_HOME
            return 0
        fi
    fi

    # 2. java on PATH
    if _gj_cand=$(command -v java 2>/dev/null) && [ -n "$_gj_cand" ]; then
        case $_gj_cand in
            */*)
                if _gateway_java_accept "$_gj_cand" PATH; then
                    _gateway_java_take "$_gj_cand" PATH
                    return 0
                fi
                ;;
        esac
    fi

    # 3. the newest installation under the search folders. Globbing is needed here even if the
    # caller turned it off.
    _gj_noglob=''
    case $- in
        *f*) _gj_noglob=1; set +f ;;
    esac
    _gj_best=''
    _gj_best_major=0
    _gj_best_home=''
    _gj_best_dir=''
    _gj_ifs=$IFS
    IFS=:
    for _gj_dir in ${JVM_SEARCH_DIRS-/usr/lib/jvm}; do
        IFS=$_gj_ifs
        [ -n "$_gj_dir" ] && [ -d "$_gj_dir" ] || continue
        for _gj_cand in "$_gj_dir"/*/bin/java; do
            [ -x "$_gj_cand" ] || continue
            _gateway_java_release_major "${_gj_cand%/bin/java}"
            if [ -n "$_gj_major" ] && [ "$_gj_major" -lt "$_gj_min" ]; then
                GATEWAY_JAVA_SEEN="$GATEWAY_JAVA_SEEN  $_gj_dir: $_gj_cand is Java $_gj_major$_gj_nl"
                continue
            fi
            if [ -n "$_gj_major" ] && [ "$_gj_major" -le "$_gj_best_major" ]; then
                continue
            fi
            if _gateway_java_accept "$_gj_cand" "$_gj_dir" && [ "$_gj_major" -gt "$_gj_best_major" ]; then
                _gj_best=$_gj_cand
                _gj_best_major=$_gj_major
                _gj_best_home=$_gj_home
                _gj_best_dir=$_gj_dir
            fi
        done
    done
    IFS=$_gj_ifs
    if [ -n "$_gj_noglob" ]; then
        set -f
    fi
    if [ -n "$_gj_best" ]; then
        _gj_major=$_gj_best_major
        _gj_home=$_gj_best_home
        _gateway_java_take "$_gj_best" "$_gj_best_dir"
        return 0
    fi
    return 1
}

gateway_use_jdk() {
    _gj_want=${1:-21}
    if ! gateway_find_java "$_gj_want" jdk; then
        printf '%s\n' "${0##*/}: needs a JDK $_gj_want or newer; set JAVA_HOME to one (or put its bin/ on PATH)." >&2
        if [ -n "$GATEWAY_JAVA_SEEN" ]; then
            printf 'Looked at:\n%s' "$GATEWAY_JAVA_SEEN" >&2
        else
            printf '%s\n' "No java on JAVA_HOME, on PATH or under ${JVM_SEARCH_DIRS-/usr/lib/jvm}." >&2
        fi
        return 1
    fi
    if [ -n "${JAVA_HOME:-}" ] && [ "$GATEWAY_JAVA_SOURCE" != JAVA_HOME ]; then
        printf '%s\n' "${0##*/}: not using JAVA_HOME=$JAVA_HOME (not a JDK $_gj_want+); using $GATEWAY_JAVA_HOME (Java $GATEWAY_JAVA_MAJOR)" >&2
    fi
    JAVA_HOME=$GATEWAY_JAVA_HOME
    PATH=$JAVA_HOME/bin:$PATH
    export JAVA_HOME PATH
    return 0
}
