#!/usr/bin/env bash
#
# Many long streams: STREAMS concurrent server-sent-event streams, one chat.completion.chunk every
# INTERVAL ms for SECONDS s, from a fake OpenAI upstream, first straight from it ("direct"), then
# through the gateway distribution; prints the errors by kind, the inter-event gaps and per-event
# latency (p50/p99/p99.9/max) of both and the delay the gateway adds, the CPU each process used and
# the gateway's RSS. The upstream and the client run in one JVM (bench/longstreams/LongStreams.java)
# so that send and arrival times share one clock. Not part of ./test.sh.
#
#   bash bench/long-streams.sh [streams=5000] [seconds=30] [interval-ms=20]
#   bash bench/long-streams.sh 200 5              # quick check, ~40 s
#
# Environment: RAMP_SECONDS [streams/1000, at least 1], CLIENT_THREADS [1], UPSTREAM_THREADS [1],
# WARMUP_STREAMS [min(streams, 500)], WARMUP_SECONDS [10], GRACE_SECONDS [60], MAX_CONCURRENCY
# [streams], PHASES [direct,gateway]; JAVA_OPTS reaches bin/gateway (e.g. a JFR recording or a GC log;
# with GATEWAY_CDS=off, since the JVM disables JFR while it writes a new class data sharing archive);
# GATEWAY_DIST [distribution/target/gateway] runs another build of the distribution.
# docs/performance.md ("Many long streams") explains what it measures and how.
#
# Builds the distribution first if distribution/target/gateway is missing. Raises the soft limit of
# open files to the hard limit when it is below what the run needs (each process holds about two
# sockets per stream).
set -eu
root=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
. "$root/.ci/find-jdk.sh"
gateway_use_jdk 21 || exit 1
streams=${1:-5000}
seconds=${2:-30}
interval=${3:-20}
need=$((2 * streams + 1000))
soft=$(ulimit -Sn)
hard=$(ulimit -Hn)
if [ "$soft" != unlimited ] && [ "$soft" -lt "$need" ]; then
    if [ "$hard" = unlimited ] || [ "$hard" -ge "$need" ]; then
        ulimit -Sn "$hard"
    else
        echo "long-streams.sh: $streams streams need about $need open files per process, and the hard limit is $hard;" \
            "raise it (e.g. in /etc/security/limits.conf or with prlimit) or run fewer streams" >&2
        exit 1
    fi
fi
dist=${GATEWAY_DIST:-$root/distribution/target/gateway}
if [ -z "${GATEWAY_DIST:-}" ] && [ ! -x "$dist/bin/gateway" ]; then
    (cd "$root" && mvn -B -q -DskipTests package)
fi
if [ ! -x "$dist/bin/gateway" ]; then
    echo "long-streams.sh: $dist/bin/gateway does not exist; GATEWAY_DIST must name a distribution folder" >&2
    exit 1
fi
# The harness's own heap: the histograms and per-stream parsers need a few tens of MB.
exec java -Xms256m -Xmx1g -XX:+UseParallelGC "$root/bench/longstreams/LongStreams.java" \
    "$dist" "$streams" "$seconds" "$interval"
