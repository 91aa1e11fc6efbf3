#!/usr/bin/env bash
#
# Soak test: the distribution under a fixed rate of mixed requests (sync and streaming chat, client
# aborts, upstream errors, a provider that is down, an upstream answering garbage, broken streams and
# dropped connections) for a long time; prints the outcome per kind of request and the gateway's RSS
# at the start and the end. Not part of ./test.sh.
#
#   bash bench/soak.sh [seconds=600] [rate=200]
#
# Builds the distribution first if distribution/target/gateway is missing.
set -eu
root=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
. "$root/.ci/find-jdk.sh"
gateway_use_jdk 21 || exit 1
if [ ! -x "$root/distribution/target/gateway/bin/gateway" ]; then
    (cd "$root" && mvn -B -q -DskipTests package)
fi
exec java "$root/bench/soak/Soak.java" "$root/distribution/target/gateway" "${1:-600}" "${2:-200}"
