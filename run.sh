#!/usr/bin/env bash
#
# Builds the gateway if needed and starts it from distribution/target/gateway.
#
#   ./run.sh [--config FILE] [other arguments for the gateway]
#
# Without --config the distribution's conf/gateway.yaml is used (listens on 0.0.0.0:8080; model
# "mock/any-model" works without any key). Rebuilds (mvn -B -q -DskipTests package) when the
# distribution is missing or a pom.xml, a file under a src/ folder or .ci/find-jdk.sh is newer than it.
set -eu

root=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
. "$root/.ci/find-jdk.sh"
gateway_use_jdk 21 || exit 1

launcher=$root/distribution/target/gateway/bin/gateway

stale() {
    [ -x "$launcher" ] || return 0
    local newer
    newer=$(find "$root" \
        \( -name target -o -name .git -o -name node_modules -o -name .idea \) -prune -o \
        -type f \( -name pom.xml -o -path '*/src/*' -o -path "$root/.ci/find-jdk.sh" \) \
        -newer "$launcher" -print -quit)
    [ -n "$newer" ]
}

if stale; then
    echo "run.sh: building the gateway (mvn -B -q -DskipTests package) with Java $GATEWAY_JAVA_MAJOR from $JAVA_HOME" >&2
    (cd "$root" && mvn -B -q -DskipTests package)
    # The assembly may keep the source file's time on bin/gateway; mark when this build finished.
    touch "$launcher"
fi

exec "$launcher" "$@"
