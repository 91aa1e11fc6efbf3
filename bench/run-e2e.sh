#!/usr/bin/env bash
#
# End-to-end benchmark of the gateway's proxy hop, on one machine, all on loopback:
#
#   load generator ─▶ direct:  nginx "upstream" answering a fixed OpenAI chat completion (and SSE)
#                  ─▶ nginx:   nginx proxy_pass (keep-alive upstream) ─▶ upstream   (the reference hop)
#                  ─▶ gateway: bin/gateway from the distribution      ─▶ upstream
#
# Measures, all from one run: start-up to /health; interleaved rounds of `wrk` (closed loop, N
# connections), of `hey` at a fixed rate (50 workers in lockstep: bursts) and of bench/pacer (open
# loop, one request every 1/RATE s, µs resolution); req/s, p50/p99 latency, errors, latency added over
# direct, the gateway's RSS under load, the ratio gateway/nginx; time to first byte of an SSE stream
# through each hop; the gateway's own /metrics overhead histogram. Then the same with the
# request-log middleware. Prints a results table with the machine, versions and exact commands.
#
#   bash bench/run-e2e.sh                 # from the repository root
#
# Environment (defaults in brackets):
#   ROUNDS [3]            interleaved rounds of each kind
#   DURATION [10s]        length of each wrk, hey and pacer run (whole seconds, e.g. 20s)
#   WARMUP [20s]          wrk run against each hop before measuring (JIT warm-up for the gateway)
#   CONNECTIONS [50]      wrk connections; THREADS [2] wrk threads
#   RATE [1000]           fixed request rate (req/s) for hey; HEY_WORKERS [50] hey workers sharing it
#   PACED_CONNECTIONS [50] keep-alive connections pacer spreads its evenly spaced requests over
#   PACED_ROUNDS [10], PACED_DURATION [5s]  interleaved evenly spaced rounds and their length; each
#                         hop's percentiles are taken over all its requests from all rounds
#   SSE_REQUESTS [200]    sequential streamed requests per hop for time to first byte (new connections,
#                         then again on kept-alive connections in batches of SSE_BATCH [10])
#   STARTS [3]            gateway start-ups to /health measured (the median is reported)
#   WITH_REQUEST_LOG [1]  0 skips the second gateway run with the request-log middleware
#   WITH_FLOOR [1]        0 leaves out the jvm-floor hop (bench/floor/VirtualThreadProxy.java: the least
#                         a JDK proxy with one virtual thread per connection does, on the gateway's JVM
#                         and flags) from the rounds without middleware
#   JAVA_OPTS             extra JVM flags for the gateway (bin/gateway's defaults apply otherwise)
#   GATEWAY_B_OPTS        when set, a second gateway from the same distribution runs beside the first
#                         without middleware, with JAVA_OPTS plus these flags, measured as hop
#                         "gateway-b" in the same interleaved rounds (the two gateways take turns first)
#   GATEWAY_B_DIST        when set, the second gateway runs from this distribution folder instead (a build
#                         of another commit: before/after in the same run)
#   GATEWAY_B_YAML        when set, these lines are appended to the second gateway's config, under
#                         `gateway:` (indent them by two spaces); @UP_PORT@ becomes the upstream's port,
#                         whose nginx also accepts OTLP/HTTP exports at /v1/traces (answers 200), and
#                         @WORK@ the temporary folder, e.g.
#                         $'  telemetry:\n    otlp:\n      endpoint: http://127.0.0.1:@UP_PORT@'
#   GATEWAY_YAML          the same for the first gateway (hop "gateway", and the request-log run); the
#                         second gateway does not get these lines. Both gateways run from the
#                         distribution folder, whose data/gateway.db is the default request log: give
#                         each its own, e.g. GATEWAY_YAML=$'  logs:\n    path: @WORK@/a.db' and
#                         GATEWAY_B_YAML=$'  logs:\n    store: none' for the log store on against off
#   RESULTS               also write the results table to this file
#   KEEP_WORK [0]         1 keeps the temporary folder (configs, raw outputs) for inspection
#   GATEWAY_DIST          the distribution folder to run [distribution/target/gateway]
#
# It installs what is missing with apt (nginx-light or nginx, wrk, hey, curl, gcc), compiles
# bench/pacer/pacer.c into its temporary folder, builds the
# distribution if it is missing, uses free ports on 127.0.0.1, keeps every temporary file in one
# mktemp folder and stops every process it started when it exits.

set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-20s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
RATE=${RATE:-1000}
HEY_WORKERS=${HEY_WORKERS:-50}
PACED_CONNECTIONS=${PACED_CONNECTIONS:-50}
PACED_ROUNDS=${PACED_ROUNDS:-10}
PACED_DURATION=${PACED_DURATION:-5s}
SSE_REQUESTS=${SSE_REQUESTS:-200}
SSE_BATCH=${SSE_BATCH:-10}
STARTS=${STARTS:-3}
WITH_REQUEST_LOG=${WITH_REQUEST_LOG:-1}
WITH_FLOOR=${WITH_FLOOR:-1}
GATEWAY_B_OPTS=${GATEWAY_B_OPTS:-}
GATEWAY_B_DIST=${GATEWAY_B_DIST:-}
GATEWAY_B_YAML=${GATEWAY_B_YAML:-}
GATEWAY_YAML=${GATEWAY_YAML:-}
GATEWAY_B=''
[ -n "$GATEWAY_B_OPTS$GATEWAY_B_DIST$GATEWAY_B_YAML" ] && GATEWAY_B=1
HWM_B=0
SSE_B=''
KEEP_WORK=${KEEP_WORK:-0}
RESULTS=${RESULTS:-}

REPO=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
DIST=${GATEWAY_DIST:-$REPO/distribution/target/gateway}
DIST_NOTE="$DIST"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'run-e2e.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- processes and clean-up

PIDS=()          # every background process this script started, stopped on exit
WORK=''

cleanup() {
    local status=$?
    local pid
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done
    for pid in "${PIDS[@]}"; do
        local waited=0
        while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 50 ]; do
            sleep 0.1
            waited=$((waited + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        if [ "$KEEP_WORK" = 1 ]; then
            log "kept $WORK"
        else
            rm -rf -- "$WORK"
        fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Stops one process this script started and forgets it.
stop_pid() {
    local pid=$1 waited=0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local kept=() p
    for p in "${PIDS[@]}"; do
        [ "$p" = "$pid" ] || kept+=("$p")
    done
    PIDS=("${kept[@]}")
}

# ---------------------------------------------------------------- tools

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

install_missing() {
    local packages=()
    if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
        packages+=(nginx)
    fi
    command -v wrk >/dev/null 2>&1 || packages+=(wrk)
    command -v hey >/dev/null 2>&1 || packages+=(hey)
    command -v curl >/dev/null 2>&1 || packages+=(curl)
    command -v awk >/dev/null 2>&1 || packages+=(gawk)
    command -v gcc >/dev/null 2>&1 || packages+=(gcc libc6-dev)
    [ "${#packages[@]}" -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 || die "missing ${packages[*]} and no apt-get to install them"
    log "installing with apt: ${packages[*]}"
    as_root apt-get update -qq
    local i
    for i in "${!packages[@]}"; do
        # nginx-light is enough (core + proxy); fall back to nginx where it is not packaged.
        if [ "${packages[$i]}" = nginx ] && apt-cache show nginx-light >/dev/null 2>&1; then
            packages[$i]=nginx-light
        fi
    done
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    # hey is the fixed-rate load generator when Debian packages it (bookworm does).
    command -v hey >/dev/null 2>&1 || die "apt has no 'hey' here; a fixed-rate load generator is needed"
}

NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

java_major() {
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

find_jdk() {
    local home major
    for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [ -n "$home" ] && [ -x "$home/bin/javac" ] || continue
        major=$(java_major "$home/bin/java")
        if [ -n "$major" ] && [ "${major%%.*}" -ge 21 ] 2>/dev/null; then
            echo "$home"
            return 0
        fi
    done
    return 1
}

build_if_missing() {
    if [ -x "$DIST/bin/gateway" ] && [ -d "$DIST/plugins/provider-openai" ]; then
        return 0
    fi
    local jdk
    jdk=$(find_jdk) || die "the distribution is not built and no JDK 21+ was found to build it"
    command -v mvn >/dev/null 2>&1 || die "the distribution is not built and mvn is not installed"
    log "building the distribution (mvn -B -q install -DskipTests) with $jdk"
    (cd "$REPO" && JAVA_HOME=$jdk mvn -B -q install -DskipTests)
    [ -x "$DIST/bin/gateway" ] || die "the build did not produce $DIST/bin/gateway"
}

# Artifacts present in more than one version in a folder of jars (left behind by an earlier build
# without `clean`: the assembly adds jars but never removes them).
duplicate_jars() {
    local dir
    for dir in "$DIST/lib" "$DIST"/plugins/*; do
        [ -d "$dir" ] || continue
        ls "$dir" | grep '\.jar$' | sed -E 's/-[0-9][^/]*\.jar$//' | sort | uniq -d | sed "s|^|$dir/|"
    done
}

# Runs a clean copy of the distribution when the folder holds stale jars beside the current ones.
use_clean_distribution() {
    local stale tarball=$REPO/distribution/target/gateway.tar.gz
    stale=$(duplicate_jars)
    [ -z "$stale" ] && return 0
    log "$DIST holds more than one version of: $(echo $stale | tr '\n' ' ')"
    [ -z "${GATEWAY_DIST:-}" ] && [ -f "$tarball" ] \
        || die "stale jars in $DIST; rebuild it with: mvn -B -q clean install -DskipTests"
    log "running a fresh copy of $tarball instead (rebuild with clean to fix the folder)"
    mkdir -p "$WORK/dist"
    tar xzf "$tarball" -C "$WORK/dist"
    DIST=$WORK/dist/gateway
    DIST_NOTE="distribution/target/gateway.tar.gz (the folder held stale jars)"
}

# ---------------------------------------------------------------- ports

USED_PORTS=' '
# Sets PORT to a port on 127.0.0.1 that nothing listens on, below the ephemeral range so that no
# client connection of the load generators can hold it.
free_port() {
    local port tries=0
    while [ "$tries" -lt 500 ]; do
        tries=$((tries + 1))
        port=$((20000 + RANDOM % 12000))
        case $USED_PORTS in *" $port "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            USED_PORTS="$USED_PORTS$port "
            PORT=$port
            return 0
        fi
    done
    die "no free port found"
}

# Waits until URL answers HTTP 200 (any method GET), up to $2 seconds.
wait_http() {
    local url=$1 limit=$2 pid=${3:-} start
    start=$(date +%s)
    while true; do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)" = 200 ]; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        if [ $(( $(date +%s) - start )) -ge "$limit" ]; then
            return 1
        fi
        sleep 0.01
    done
}

# ---------------------------------------------------------------- fixtures

write_fixtures() {
    # The client's request: an OpenAI chat request of about 900 bytes.
    cat > "$WORK/chat.json" <<'JSON'
{"model":"openai/gpt-4o-mini","messages":[{"role":"system","content":"You are a concise assistant for a finance team. Answer in plain English, at most three sentences, and never invent numbers that are not in the user's text."},{"role":"user","content":"Here are the notes from Monday's review. Revenue for the quarter was 4.2M, up 12% year over year. Churn fell from 3.9% to 3.1% after the onboarding changes. Two new enterprise accounts make up 40% of new bookings. Hiring is on plan except for support, which is two people short. Cash runway is 26 months at the current burn."},{"role":"assistant","content":"Revenue grew 12% to 4.2M and churn improved to 3.1%, but new bookings depend heavily on two accounts."},{"role":"user","content":"Good. Now list the single biggest risk and one action to reduce it, in one sentence each."}],"temperature":0.2,"max_tokens":200,"user":"bench-user-42"}
JSON
    sed 's/"user":"bench-user-42"}$/"user":"bench-user-42","stream":true}/' "$WORK/chat.json" > "$WORK/chat-stream.json"

    # The upstream's answer: a fixed chat.completion (~600 bytes) and the same streamed.
    CHAT_RESPONSE='{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Risk: 40% of new bookings come from two accounts. Action: start a mid-market campaign this quarter to widen the pipeline.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":212,"completion_tokens":31,"total_tokens":243,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}},"service_tier":"default","system_fingerprint":"fp_06737a9306"}'
    local head='{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":'
    SSE_RESPONSE="data: ${head}{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}\\n\\n"
    local word
    for word in 'Risk:' ' 40%' ' of' ' new' ' bookings' ' come' ' from' ' two' ' accounts.'; do
        SSE_RESPONSE="${SSE_RESPONSE}data: ${head}{\"content\":\"${word}\"},\"logprobs\":null,\"finish_reason\":null}]}\\n\\n"
    done
    SSE_RESPONSE="${SSE_RESPONSE}data: ${head}{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\\n\\ndata: [DONE]\\n\\n"

    # wrk: POST the chat body; done() prints one machine-readable line (latencies in microseconds).
    cat > "$WORK/post.lua" <<LUA
local file = io.open("$WORK/chat.json", "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-client-unused"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d socket_errors=%d status_errors=%d p50_us=%d p99_us=%d mean_us=%.1f\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
LUA

    # wrk: the same request streamed, each on a new connection, to warm the gateway's SSE path (and its
    # connection set-up) before time to first byte is measured.
    cat > "$WORK/post-stream.lua" <<LUA
local file = io.open("$WORK/chat-stream.json", "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "text/event-stream"
-- a new connection per request, as in the measurement below, so the JIT also warms the accept path
wrk.headers["Connection"] = "close"
LUA
}

# The part both nginx configurations share (one folder each for pid and error log), up to the
# opening of the http block.
nginx_common() {
    cat <<NGINX
worker_processes auto;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_body_buffer_size 64k;
NGINX
}

write_nginx_upstream() {
    mkdir -p "$WORK/upstream"
    cat > "$WORK/upstream/nginx.conf" <<NGINX
# The fake provider: a fixed chat completion, or a fixed SSE stream when the client accepts one.
$(nginx_common "$WORK/upstream")
    server {
        listen 127.0.0.1:$UP_PORT backlog=4096;
        location = /v1/chat/completions {
            if (\$http_accept ~* "text/event-stream") {
                rewrite ^ /_sse last;
            }
            default_type application/json;
            return 200 '$CHAT_RESPONSE';
        }
        location = /v1/traces {
            # an OTLP/HTTP sink for the second gateway's traces (GATEWAY_B_YAML): an empty 200 is an
            # empty ExportTraceServiceResponse
            default_type application/x-protobuf;
            return 200 '';
        }
        location = /_sse {
            internal;
            default_type text/event-stream;
            add_header Cache-Control no-cache;
            return 200 '$SSE_RESPONSE';
        }
        location / {
            return 404;
        }
    }
}
NGINX
}

write_nginx_proxy() {
    mkdir -p "$WORK/proxy"
    cat > "$WORK/proxy/nginx.conf" <<NGINX
# The reference hop: nginx proxy_pass with a keep-alive upstream pool.
$(nginx_common "$WORK/proxy")
    upstream provider {
        server 127.0.0.1:$UP_PORT;
        keepalive 128;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$NGX_PORT backlog=4096;
        location / {
            proxy_pass http://provider;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
NGINX
}

write_gateway_config() {
    local file=$1 middleware=$2
    cat > "$file" <<YAML
# One provider, one key, pointing at the nginx upstream; no admin, no state beyond the defaults.
server:
  host: 127.0.0.1
  port: $GW_PORT
gateway:
  plugins-dir: $DIST/plugins
  providers:
    openai:
      type: openai
      base-url: http://127.0.0.1:$UP_PORT/v1
      keys:
        - name: bench
          value: sk-bench-not-a-real-key
          weight: 1.0
          models: ["*"]
YAML
    if [ "$middleware" != none ]; then
        printf '  middleware:\n    - type: %s\n' "$middleware" >> "$file"
    fi
    # what the second gateway starts from: the first's config without GATEWAY_YAML
    cp "$file" "${file%.yaml}.common.yaml"
    if [ -n "$GATEWAY_YAML" ]; then
        extra_yaml "$GATEWAY_YAML" >> "$file"
    fi
}

# Extra config lines with @UP_PORT@ and @WORK@ replaced.
extra_yaml() {
    local text=${1//@UP_PORT@/$UP_PORT}
    printf '%s\n' "${text//@WORK@/$WORK}"
}

# ---------------------------------------------------------------- servers

NGINX_PID=''
start_nginx() {
    local dir=$1 url=$2
    "$NGINX" -p "$dir/" -c "$dir/nginx.conf" > "$dir/stdout.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    NGINX_PID=$pid
    if ! wait_http_post "$url" 10 "$pid"; then
        cat "$dir/error.log" "$dir/stdout.log" >&2 2>/dev/null || true
        die "nginx ($dir) did not start"
    fi
}

wait_http_post() {
    local url=$1 limit=$2 pid=$3 start
    start=$(date +%s)
    while true; do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -H 'Content-Type: application/json' \
                --data-binary "@$WORK/chat.json" "$url" || true)" = 200 ]; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        [ $(( $(date +%s) - start )) -lt "$limit" ] || return 1
        sleep 0.05
    done
}

GW_PID=''
GW_STARTUP_MS=''
GW_JAVA=''
start_gateway() {
    local config=$1 logfile=$2 t0 t1
    t0=$(date +%s%N)
    "$DIST/bin/gateway" --config "$config" > "$logfile" 2>&1 &
    GW_PID=$!
    PIDS+=("$GW_PID")
    if ! wait_http "http://127.0.0.1:$GW_PORT/health" 60 "$GW_PID"; then
        tail -40 "$logfile" >&2
        die "the gateway did not become healthy"
    fi
    t1=$(date +%s%N)
    GW_STARTUP_MS=$(( (t1 - t0) / 1000000 ))
    GW_JAVA=$(readlink "/proc/$GW_PID/exe" || true)
}

# The second gateway (GATEWAY_B_*): the same config on its own port, from the same distribution or
# GATEWAY_B_DIST, with GATEWAY_B_YAML appended.
GWB_PID=''
start_gateway_b() {
    local dist=${GATEWAY_B_DIST:-$DIST}
    [ -x "$dist/bin/gateway" ] || die "GATEWAY_B_DIST: no bin/gateway in $dist"
    sed -e "s/port: $GW_PORT\$/port: $GWB_PORT/" -e "s|plugins-dir: $DIST/plugins\$|plugins-dir: $dist/plugins|" \
        "$WORK/gateway.common.yaml" > "$WORK/gateway-b.yaml"
    if [ -n "$GATEWAY_B_YAML" ]; then
        extra_yaml "$GATEWAY_B_YAML" >> "$WORK/gateway-b.yaml"
    fi
    JAVA_OPTS="${JAVA_OPTS:-} $GATEWAY_B_OPTS" "$dist/bin/gateway" --config "$WORK/gateway-b.yaml" \
        > "$WORK/gateway-b.log" 2>&1 &
    GWB_PID=$!
    PIDS+=("$GWB_PID")
    if ! wait_http "http://127.0.0.1:$GWB_PORT/health" 60 "$GWB_PID"; then
        tail -40 "$WORK/gateway-b.log" >&2
        die "the second gateway did not become healthy"
    fi
}

# What the second gateway is, for the results.
gateway_b_note() {
    local what
    if [ -n "$GATEWAY_B_DIST" ]; then what="distribution $GATEWAY_B_DIST"; else what="the same distribution"; fi
    [ -n "$GATEWAY_B_OPTS" ] && what="$what with JAVA_OPTS +\`$GATEWAY_B_OPTS\`"
    [ -n "$GATEWAY_B_YAML" ] && what="$what, config + \`$(printf '%s' "$GATEWAY_B_YAML" | tr '\n' ' ' | tr -s ' ')\`"
    if [ -s "$WORK/telemetry-b.txt" ]; then
        what="$what; counted over the run: $(awk '{ sub(/^gateway_/, ""); printf "%s%s %.0f", sep, $1, $2; sep = ", " }' \
            "$WORK/telemetry-b.txt")"
    fi
    printf '%s' "$what"
}

# The jvm-floor hop: bench/floor/VirtualThreadProxy.java run from source by the java the running
# gateway uses, with the gateway's own -X/-D flags (heap, collector, poller mode, JAVA_OPTS) read from
# its command line, minus its class data sharing and home flags; in front of the same upstream.
FLOOR_PID=''
FLOOR_FLAGS=()
start_floor() {
    [ -n "$GW_JAVA" ] && [ -x "$GW_JAVA" ] || die "cannot tell which java the gateway runs on (for the jvm-floor hop)"
    local arg
    FLOOR_FLAGS=()
    while IFS= read -r -d '' arg; do
        case $arg in
            -cp | -classpath | io.gateway.*) break ;;
            -XX:SharedArchiveFile=* | -XX:+AutoCreateSharedArchive | -Xshare:* | -Xlog:* | -Dgateway.*) ;;
            -X* | -D*) FLOOR_FLAGS+=("$arg") ;;
        esac
    done < "/proc/$GW_PID/cmdline"
    "$GW_JAVA" "${FLOOR_FLAGS[@]}" "$REPO/bench/floor/VirtualThreadProxy.java" "$FLOOR_PORT" "$UP_PORT" \
        > "$WORK/floor.log" 2>&1 &
    FLOOR_PID=$!
    PIDS+=("$FLOOR_PID")
    if ! wait_http_post "http://127.0.0.1:$FLOOR_PORT/v1/chat/completions" 30 "$FLOOR_PID"; then
        cat "$WORK/floor.log" >&2
        die "the jvm-floor proxy did not start"
    fi
}

# CPU time (user + system, in clock ticks) of a process and its children (nginx's workers).
cpu_ticks() {
    local pid=$1 all
    all="$pid $(pgrep -P "$pid" | tr '\n' ' ')"
    local p total=0 ticks
    for p in $all; do
        # fields after the ")" that ends the command name: utime is the 12th, stime the 13th
        ticks=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || ticks=0
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}
CLK_TCK=$(getconf CLK_TCK)

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# The gateway's resident set right after one of its measured runs, appended to FILE. Read between
# runs, never during one: a sampler forking awk and sleep every 0.5 s while the gateway is measured
# took CPU from it alone and added ~1 ms to its p99 at 1,000 req/s (the other hops ran without it).
# The peak over the whole run is VmHWM, which the kernel keeps without any sampling.
record_rss() {
    rss_kb "$1" >> "$2"
}

# ---------------------------------------------------------------- load

RESULTS_TSV=''   # phase kind target round rps p50_ms p99_ms errors
WRK_CMD=''
HEY_CMD=''

# wrk against one hop; appends a row to RESULTS_TSV.
# Columns: phase kind target round req/s p50_ms p99_ms errors cpu_us_per_request (of the hop's own
# process: the upstream nginx for direct, the proxy nginx for nginx, the JVM for the gateway).
run_wrk() {
    local phase=$1 target=$2 url=$3 round=$4 pid=$5 duration=${6:-$DURATION}
    local out="$WORK/wrk-$phase-$target-$round.txt"
    WRK_CMD="wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout 5s -s post.lua URL"
    local cpu_before cpu_after
    cpu_before=$(cpu_ticks "$pid")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s -s "$WORK/post.lua" "$url" > "$out" 2>&1 \
        || die "wrk failed against $url: $(tail -5 "$out")"
    cpu_after=$(cpu_ticks "$pid")
    local line
    line=$(grep '^BENCH ' "$out") || die "wrk printed no summary against $url: $(tail -5 "$out")"
    [ "$round" = warmup ] && return 0
    echo "$line" | awk -v phase="$phase" -v target="$target" -v round="$round" \
        -v ticks=$((cpu_after - cpu_before)) -v hz="$CLK_TCK" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%s\twrk\t%s\t%s\t%.1f\t%.3f\t%.3f\t%d\t%.1f\n", phase, target, round,
            v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000,
            v["socket_errors"] + v["status_errors"], ticks / hz * 1e6 / (v["requests"] > 0 ? v["requests"] : 1)
    }' >> "$RESULTS_TSV"
}

# hey at a fixed total rate against one hop; appends a row to RESULTS_TSV.
run_hey() {
    local phase=$1 target=$2 url=$3 round=$4
    local out="$WORK/hey-$phase-$target-$round.txt"
    local per_worker
    per_worker=$(awk -v r="$RATE" -v c="$HEY_WORKERS" 'BEGIN { printf "%g", r / c }')
    HEY_CMD="hey -z $DURATION -c $HEY_WORKERS -q $per_worker -t 5 -m POST -T application/json -H 'Authorization: Bearer sk-client-unused' -D chat.json URL"
    hey -z "$DURATION" -c "$HEY_WORKERS" -q "$per_worker" -t 5 -m POST -T application/json \
        -H 'Authorization: Bearer sk-client-unused' -D "$WORK/chat.json" "$url" > "$out" 2>&1 \
        || die "hey failed against $url: $(tail -5 "$out")"
    awk -v phase="$phase" -v target="$target" -v round="$round" '
        /Requests\/sec:/ { rps = $2 }
        /^ *50% in/ { p50 = $3 }
        /^ *99% in/ { p99 = $3 }
        /^ *\[[0-9]+\][ \t]+[0-9]+ responses/ { code = $1; gsub(/[\[\]]/, "", code); if (code != 200) bad += $2; ok += (code == 200 ? $2 : 0) }
        /^Error distribution:/ { inerr = 1; next }
        inerr && /^ *\[[0-9]+\]/ { n = $1; gsub(/[\[\]]/, "", n); bad += n }
        END {
            if (rps == "") { exit 1 }
            printf "%s\they\t%s\t%s\t%.1f\t%.3f\t%.3f\t%d\n", phase, target, round, rps, p50 * 1000, p99 * 1000, bad
        }' "$out" >> "$RESULTS_TSV" || die "could not read hey's summary against $url: $(tail -5 "$out")"
}

# Evenly spaced fixed rate: bench/pacer sends one request every 1/RATE s on PACED_CONNECTIONS
# keep-alive connections (taken in turn), open loop: latency runs from the instant a request was due,
# so a stall is charged to every request it delays. `hey -q` cannot do this: each of its workers has
# its own ticker and they fire together (bursts), its latency has 0.1 ms steps, and staggering 20
# single-worker hey processes instead cost the shared cores so much CPU that the scheduler's 4 ms tick
# showed up in every hop's p99. One second of the same load precedes each measured run (-w 1).
# Appends a "paced" row (latencies in ms) to RESULTS_TSV and writes every request's latency to
# paced-PHASE-TARGET-ROUND.csv for the pooled percentiles.
run_paced() {
    local phase=$1 target=$2 url=$3 round=$4
    local out="$WORK/paced-$phase-$target-$round.txt" seconds=${PACED_DURATION%s}
    case $seconds in
        '' | *[!0-9]*) die "PACED_DURATION must be whole seconds such as 5s, not $PACED_DURATION" ;;
    esac
    PACED_CMD="pacer -u URL -r $RATE -d $seconds -w 1 -c $PACED_CONNECTIONS -t 5 -b chat.json -H 'Content-Type: application/json' -H 'Authorization: Bearer sk-client-unused'"
    local status=0
    "$PACER" -u "$url" -r "$RATE" -d "$seconds" -w 1 -c "$PACED_CONNECTIONS" -t 5 -b "$WORK/chat.json" \
        -H 'Content-Type: application/json' -H 'Authorization: Bearer sk-client-unused' \
        -o "$WORK/paced-$phase-$target-$round.csv" > "$out" 2>&1 || status=$?
    # 1: the run completed with failed requests, counted in the errors column; 2: pacer could not run
    [ "$status" -le 1 ] || die "pacer failed against $url: $(tail -3 "$out")"
    awk -v phase="$phase" -v target="$target" -v round="$round" '
        /^completed=/ {
            for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            printf "%s\tpaced\t%s\t%s\t%.1f\t%.3f\t%.3f\t%d\t%.3f\t%.3f\n", phase, target, round, v["rate"],
                v["p50_us"] / 1000, v["p99_us"] / 1000, v["errors"] + v["non2xx"], v["p999_us"] / 1000, v["max_us"] / 1000
            found = 1
        }
        END { exit !found }' "$out" >> "$RESULTS_TSV" || die "could not read pacer's output against $url: $(tail -3 "$out")"
}

# Percentiles (ms: p50 p99 p99.9 max, nearest rank) over every request of every paced round of one
# hop, from pacer's CSV files (latency_us is the second column); computed once per hop, after its rounds.
pooled_paced() {
    local phase=$1 target=$2 cache="$WORK/pooled-$1-$2.txt"
    [ -s "$cache" ] || pooled_percentiles "$phase" "$target" > "$cache"
    cat "$cache"
}
pooled_percentiles() {
    local phase=$1 target=$2
    cat "$WORK"/paced-"$phase"-"$target"-[0-9]*.csv 2>/dev/null | awk -F, '$1 != "due_ms" { print $2 }' | sort -n |
        awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "- - - -"; exit }
            printf "%.3f %.3f %.3f %.3f\n", v[rank(0.50)] / 1000, v[rank(0.99)] / 1000, v[rank(0.999)] / 1000, v[NR] / 1000 }
            function rank(q,  r) { r = int(q * NR + 0.999999); return r < 1 ? 1 : r }'
}

# One pooled percentile (column 1: p50, 2: p99, 3: p99.9, 4: max) of TARGET minus BASE's, in ms.
pooled_added() {
    local phase=$1 target=$2 col=$3 base=${4:-direct}
    awk -v a="$(pooled_paced "$phase" "$target" | cut -d' ' -f"$col")" \
        -v b="$(pooled_paced "$phase" "$base" | cut -d' ' -f"$col")" 'BEGIN { printf "%.3f", a - b }'
}

# Compiles the paced load generator into the work folder.
build_pacer() {
    PACER=$WORK/pacer
    gcc -O2 -Wall -o "$PACER" "$REPO/bench/pacer/pacer.c" 2> "$WORK/pacer-build.txt" \
        || die "could not compile bench/pacer/pacer.c: $(cat "$WORK/pacer-build.txt")"
}

# Time to first byte of a streamed chat answer: SSE_REQUESTS sequential curl requests per hop, the
# hops taking turns request by request; writes one file of seconds per hop.
ttfb_rounds() {
    local i name url hops=(direct nginx gateway)
    [ -n "$GWB_PID" ] && hops+=(gateway-b)
    for name in "${hops[@]}"; do : > "$WORK/ttfb-$name.txt"; : > "$WORK/ttfb-reused-$name.txt"; done
    for ((i = 0; i < SSE_REQUESTS; i++)); do
        for name in "${hops[@]}"; do
            url=$(hop_url "$name")
            curl -s -o /dev/null -w '%{time_starttransfer}\n' --max-time 10 -X POST -H 'Expect:' \
                -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
                --data-binary "@$WORK/chat-stream.json" "$url" >> "$WORK/ttfb-$name.txt"
        done
    done
    # The same on a kept-alive connection, as SDK clients with a connection pool see it: one curl per
    # batch of SSE_BATCH + 1 requests to one hop, the first of each batch (new connection) dropped.
    local batch urls j
    for ((batch = 0; batch < SSE_REQUESTS / SSE_BATCH; batch++)); do
        for name in "${hops[@]}"; do
            url=$(hop_url "$name")
            urls=()
            for ((j = 0; j <= SSE_BATCH; j++)); do urls+=(-o /dev/null "$url"); done
            curl -s -w '%{time_starttransfer}\n' --max-time 30 -X POST -H 'Expect:' \
                -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
                --data-binary "@$WORK/chat-stream.json" "${urls[@]}" \
                | tail -n +2 >> "$WORK/ttfb-reused-$name.txt"
        done
    done
}

hop_url() {
    case $1 in
        direct) echo "http://127.0.0.1:$UP_PORT/v1/chat/completions" ;;
        nginx) echo "http://127.0.0.1:$NGX_PORT/v1/chat/completions" ;;
        gateway) echo "http://127.0.0.1:$GW_PORT/v1/chat/completions" ;;
        gateway-b) echo "http://127.0.0.1:$GWB_PORT/v1/chat/completions" ;;
        jvm-floor) echo "http://127.0.0.1:$FLOOR_PORT/v1/chat/completions" ;;
    esac
}

# p50 and p99 (ms) of a file of seconds.
ttfb_stats() {
    sort -g "$1" | awk '{ v[NR] = $1 * 1000 } END {
        i50 = int(NR * 0.50 + 0.5); if (i50 < 1) i50 = 1
        i99 = int(NR * 0.99 + 0.5); if (i99 < 1) i99 = 1; if (i99 > NR) i99 = NR
        printf "%.3f %.3f\n", v[i50], v[i99] }'
}

check_sse() {
    local url=$1 name=$2 body events
    body=$(curl -s -N --max-time 10 -X POST -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
        --data-binary "@$WORK/chat-stream.json" "$url")
    events=$(printf '%s\n' "$body" | grep -c '^data: ' || true)
    printf '%s\n' "$body" | grep -q '^data: \[DONE\]' \
        || die "$name: the SSE answer has no data: [DONE]: $(printf '%s' "$body" | head -c 400)"
    [ "$events" -ge 3 ] || die "$name: only $events SSE events"
}

check_chat() {
    local url=$1 name=$2 body
    body=$(curl -s --max-time 10 -X POST -H 'Content-Type: application/json' --data-binary "@$WORK/chat.json" "$url")
    case $body in
        *'"object":"chat.completion"'*) ;;
        *) die "$name: unexpected chat answer: $(printf '%s' "$body" | head -c 400)" ;;
    esac
}

# Sum and count of the gateway overhead histogram, with its buckets, from one /metrics scrape.
scrape_overhead() {
    curl -s --max-time 5 "http://127.0.0.1:$GW_PORT/metrics" | grep -E '^gateway_(overhead|requests)_seconds' > "$1" || true
}

# Prints count, mean (ms), p50 and p99 upper bucket bounds (ms) of the overhead recorded between two scrapes.
overhead_between() {
    awk '
        FNR == 1 { file++ }
        /^gateway_overhead_seconds_bucket/ {
            match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
            if (file == 1) before[le] = $NF; else { after[le] = $NF; order[++n] = le }
        }
        /^gateway_overhead_seconds_count/ { if (file == 1) c0 = $NF; else c1 = $NF }
        /^gateway_overhead_seconds_sum/ { if (file == 1) s0 = $NF; else s1 = $NF }
        /^gateway_requests_seconds_count/ { if (file == 1) rc0 += $NF; else rc1 += $NF }
        /^gateway_requests_seconds_sum/ { if (file == 1) rs0 += $NF; else rs1 += $NF }
        END {
            count = c1 - c0
            if (count <= 0) { print "0 - - - -"; exit }
            p50 = "-"; p99 = "-"
            for (i = 1; i <= n; i++) {
                le = order[i]; d = after[le] - before[le]
                if (p50 == "-" && d >= 0.50 * count) p50 = le
                if (p99 == "-" && d >= 0.99 * count) p99 = le
            }
            fmt = "%.3f"
            printf "%d %.3f %s %s %s\n", count, (s1 - s0) / count * 1000, \
                (p50 == "+Inf" || p50 == "-") ? p50 : sprintf(fmt, p50 * 1000), \
                (p99 == "+Inf" || p99 == "-") ? p99 : sprintf(fmt, p99 * 1000), \
                (rc1 - rc0 > 0) ? sprintf("%.3f", (rs1 - rs0) / (rc1 - rc0) * 1000) : "-"
        }' "$1" "$2"
}

# ---------------------------------------------------------------- statistics

# Median of column COL of rows matching phase/kind/target.
median_of() {
    local phase=$1 kind=$2 target=$3 col=$4 format=${5:-%.3f}
    awk -F'\t' -v p="$phase" -v k="$kind" -v t="$target" -v c="$col" '$1 == p && $2 == k && $3 == t { print $c }' \
        "$RESULTS_TSV" | sort -g | awk -v f="$format\n" '{ v[NR] = $1 } END {
            if (NR == 0) { print "-"; exit }
            if (NR % 2) printf f, v[(NR + 1) / 2]; else printf f, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# All values of a column, in round order, comma-separated.
values_of() {
    local phase=$1 kind=$2 target=$3 col=$4 format=$5
    awk -F'\t' -v p="$phase" -v k="$kind" -v t="$target" -v c="$col" -v f="$format" \
        '$1 == p && $2 == k && $3 == t { printf "%s" f, (n++ ? ", " : ""), $c }' "$RESULTS_TSV"
}

sum_of() {
    local phase=$1 kind=$2 target=$3
    awk -F'\t' -v p="$phase" -v k="$kind" -v t="$target" '$1 == p && $2 == k && $3 == t { s += $8 } END { print s + 0 }' \
        "$RESULTS_TSV"
}

# Median over rounds of (target − direct) for a column of the hey rows (or of KIND's rows, and
# relative to BASE instead of direct).
median_added() {
    local phase=$1 target=$2 col=$3 format=${4:-%.3f} kind=${5:-hey} base=${6:-direct}
    awk -F'\t' -v p="$phase" -v t="$target" -v c="$col" -v k="$kind" -v b="$base" '
        $1 == p && $2 == k && $3 == b { d[$4] = $c }
        $1 == p && $2 == k && $3 == t { g[$4] = $c }
        END { for (r in g) if (r in d) print g[r] - d[r] }' "$RESULTS_TSV" | sort -g | awk -v f="$format\n" '{ v[NR] = $1 } END {
            if (NR == 0) { print "-"; exit }
            if (NR % 2) printf f, v[(NR + 1) / 2]; else printf f, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Whether RESULTS_TSV has rows for phase/kind/target.
has_rows() {
    awk -F'\t' -v p="$1" -v k="$2" -v t="$3" '$1 == p && $2 == k && $3 == t { found = 1 } END { exit !found }' \
        "$RESULTS_TSV"
}

verdict() { # verdict EXPR → met / NOT met
    if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi
}

# ---------------------------------------------------------------- one measured phase

# Interleaved rounds: wrk over {direct, nginx, gateway}, then hey over the same. Records the
# gateway's RSS during its runs and its /metrics overhead during the fixed-rate runs.
measure_phase() {
    local phase=$1 gwname=$2 round
    local direct="http://127.0.0.1:$UP_PORT/v1/chat/completions"
    local proxy="http://127.0.0.1:$NGX_PORT/v1/chat/completions"
    local gateway="http://127.0.0.1:$GW_PORT/v1/chat/completions"
    local floor='' second=''
    [ "$phase" = plain ] && [ -n "$FLOOR_PID" ] && floor="http://127.0.0.1:$FLOOR_PORT/v1/chat/completions"
    [ "$phase" = plain ] && [ -n "$GWB_PID" ] && second="http://127.0.0.1:$GWB_PORT/v1/chat/completions"
    log "$phase: warm-up ($WARMUP wrk against each hop)"
    run_wrk "$phase" direct "$direct" warmup "$UP_PID" "$WARMUP"
    run_wrk "$phase" nginx "$proxy" warmup "$PROXY_PID" "$WARMUP"
    [ -n "$floor" ] && run_wrk "$phase" jvm-floor "$floor" warmup "$FLOOR_PID" "$WARMUP"
    run_wrk "$phase" "$gwname" "$gateway" warmup "$GW_PID" "$WARMUP"
    [ -n "$second" ] && run_wrk "$phase" gateway-b "$second" warmup "$GWB_PID" "$WARMUP"
    # the gateways' order within a round alternates, so neither always runs right after the other
    gateways() { # gateways ROUND KIND: runs KIND (wrk, hey, paced) against the gateway(s) of this phase
        local r=$1 kind=$2 order=(a b)
        [ -n "$second" ] && [ $((r % 2)) = 0 ] && order=(b a)
        local which
        for which in "${order[@]}"; do
            if [ "$which" = a ]; then
                case $kind in
                    wrk) run_wrk "$phase" "$gwname" "$gateway" "$r" "$GW_PID" ;;
                    hey) run_hey "$phase" "$gwname" "$gateway" "$r" ;;
                    paced) run_paced "$phase" "$gwname" "$gateway" "$r" ;;
                esac
                record_rss "$GW_PID" "$WORK/rss-$phase.txt"
            elif [ -n "$second" ]; then
                case $kind in
                    wrk) run_wrk "$phase" gateway-b "$second" "$r" "$GWB_PID" ;;
                    hey) run_hey "$phase" gateway-b "$second" "$r" ;;
                    paced) run_paced "$phase" gateway-b "$second" "$r" ;;
                esac
                record_rss "$GWB_PID" "$WORK/rss-$phase-b.txt"
            fi
        done
    }
    for ((round = 1; round <= ROUNDS; round++)); do
        log "$phase: wrk round $round/$ROUNDS"
        run_wrk "$phase" direct "$direct" "$round" "$UP_PID"
        run_wrk "$phase" nginx "$proxy" "$round" "$PROXY_PID"
        [ -n "$floor" ] && run_wrk "$phase" jvm-floor "$floor" "$round" "$FLOOR_PID"
        gateways "$round" wrk
    done
    scrape_overhead "$WORK/metrics-$phase-before.txt"
    for ((round = 1; round <= ROUNDS; round++)); do
        log "$phase: fixed-rate round $round/$ROUNDS ($RATE req/s)"
        run_hey "$phase" direct "$direct" "$round"
        run_hey "$phase" nginx "$proxy" "$round"
        [ -n "$floor" ] && run_hey "$phase" jvm-floor "$floor" "$round"
        gateways "$round" hey
    done
    scrape_overhead "$WORK/metrics-$phase-after.txt"
    for ((round = 1; round <= PACED_ROUNDS; round++)); do
        log "$phase: evenly spaced fixed-rate round $round/$PACED_ROUNDS ($RATE req/s for $PACED_DURATION, pacer)"
        run_paced "$phase" direct "$direct" "$round"
        run_paced "$phase" nginx "$proxy" "$round"
        [ -n "$floor" ] && run_paced "$phase" jvm-floor "$floor" "$round"
        gateways "$round" paced
    done
}

# ---------------------------------------------------------------- main

main() {
    install_missing
    build_if_missing

    WORK=$(mktemp -d "${TMPDIR:-/tmp}/gateway-bench.XXXXXX")
    chmod 755 "$WORK"
    RESULTS_TSV=$WORK/results.tsv
    : > "$RESULTS_TSV"
    build_pacer
    use_clean_distribution

    local load_start load_end
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)

    free_port; UP_PORT=$PORT
    free_port; NGX_PORT=$PORT
    free_port; GW_PORT=$PORT
    free_port; FLOOR_PORT=$PORT
    free_port; GWB_PORT=$PORT

    write_fixtures
    write_nginx_upstream
    write_nginx_proxy
    log "upstream nginx on 127.0.0.1:$UP_PORT, proxy nginx on $NGX_PORT, gateway on $GW_PORT; files in $WORK"
    start_nginx "$WORK/upstream" "http://127.0.0.1:$UP_PORT/v1/chat/completions"
    UP_PID=$NGINX_PID
    start_nginx "$WORK/proxy" "http://127.0.0.1:$NGX_PORT/v1/chat/completions"
    PROXY_PID=$NGINX_PID

    # ---- phase 1: the gateway without middleware
    write_gateway_config "$WORK/gateway.yaml" none
    # Start-up to /health, STARTS times (stopping it in between); the last start stays up for the load.
    local start startups=''
    for ((start = 1; start <= STARTS; start++)); do
        start_gateway "$WORK/gateway.yaml" "$WORK/gateway.log"
        startups="$startups $GW_STARTUP_MS"
        if [ "$start" -lt "$STARTS" ]; then
            stop_pid "$GW_PID"
        fi
    done
    STARTUPS_ALL=$(echo $startups | tr ' ' ',' | sed 's/,/, /g')
    local startup_ms idle_rss
    startup_ms=$(printf '%s\n' $startups | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    idle_rss=$(rss_kb "$GW_PID")
    log "gateway healthy after $startup_ms ms (pid $GW_PID, RSS $((idle_rss / 1024)) MB)"
    check_chat "http://127.0.0.1:$UP_PORT/v1/chat/completions" direct
    check_chat "http://127.0.0.1:$NGX_PORT/v1/chat/completions" nginx
    check_chat "http://127.0.0.1:$GW_PORT/v1/chat/completions" gateway
    check_sse "http://127.0.0.1:$UP_PORT/v1/chat/completions" direct
    check_sse "http://127.0.0.1:$GW_PORT/v1/chat/completions" gateway
    if [ -n "$GATEWAY_B" ]; then
        start_gateway_b
        check_chat "http://127.0.0.1:$GWB_PORT/v1/chat/completions" gateway-b
        check_sse "http://127.0.0.1:$GWB_PORT/v1/chat/completions" gateway-b
        log "second gateway on 127.0.0.1:$GWB_PORT (pid $GWB_PID, ${GATEWAY_B_DIST:-the same distribution}, JAVA_OPTS +$GATEWAY_B_OPTS${GATEWAY_B_YAML:+, config +$GATEWAY_B_YAML})"
    fi
    if [ "$WITH_FLOOR" = 1 ]; then
        start_floor
        check_chat "http://127.0.0.1:$FLOOR_PORT/v1/chat/completions" jvm-floor
        log "jvm-floor proxy on 127.0.0.1:$FLOOR_PORT (pid $FLOOR_PID)"
    fi

    measure_phase plain gateway
    if [ -n "$FLOOR_PID" ]; then
        stop_pid "$FLOOR_PID"
        FLOOR_PID=''
    fi
    local hwm_plain rss_plain
    hwm_plain=$(hwm_kb "$GW_PID")
    rss_plain=$(sort -g "$WORK/rss-plain.txt" | tail -1)

    log "SSE: warm-up ($WARMUP of streamed requests through the gateway), then $SSE_REQUESTS sequential streamed requests per hop"
    wrk -t1 -c10 -d"$WARMUP" -s "$WORK/post-stream.lua" "http://127.0.0.1:$GW_PORT/v1/chat/completions" \
        > "$WORK/wrk-sse-warmup.txt" 2>&1 || die "wrk (SSE warm-up) failed: $(tail -5 "$WORK/wrk-sse-warmup.txt")"
    if [ -n "$GWB_PID" ]; then
        wrk -t1 -c10 -d"$WARMUP" -s "$WORK/post-stream.lua" "http://127.0.0.1:$GWB_PORT/v1/chat/completions" \
            > "$WORK/wrk-sse-warmup-b.txt" 2>&1 || die "wrk (SSE warm-up, gateway-b) failed"
    fi
    local sse_direct sse_nginx sse_gateway
    ttfb_rounds
    sse_direct=$(ttfb_stats "$WORK/ttfb-direct.txt")
    sse_nginx=$(ttfb_stats "$WORK/ttfb-nginx.txt")
    sse_gateway=$(ttfb_stats "$WORK/ttfb-gateway.txt")
    SSE_REUSED_DIRECT=$(ttfb_stats "$WORK/ttfb-reused-direct.txt")
    SSE_REUSED_NGINX=$(ttfb_stats "$WORK/ttfb-reused-nginx.txt")
    SSE_REUSED_GATEWAY=$(ttfb_stats "$WORK/ttfb-reused-gateway.txt")
    SSE_B=''
    if [ -n "$GWB_PID" ]; then
        SSE_B="$(ttfb_stats "$WORK/ttfb-gateway-b.txt") $(ttfb_stats "$WORK/ttfb-reused-gateway-b.txt")"
        # what the second gateway's spans and request log entries became over the whole run: exported
        # or dropped, written or dropped
        curl -s --max-time 5 "http://127.0.0.1:$GWB_PORT/metrics" \
            | grep -E '^gateway_(telemetry_spans|logs_written|logs_dropped)_total' > "$WORK/telemetry-b.txt" || true
        HWM_B=$(hwm_kb "$GWB_PID")
        stop_pid "$GWB_PID"
        GWB_PID=''
    fi
    local overhead_plain
    overhead_plain=$(overhead_between "$WORK/metrics-plain-before.txt" "$WORK/metrics-plain-after.txt")
    stop_pid "$GW_PID"

    # ---- phase 2: the gateway with the request-log middleware
    local startup_log='' hwm_log='' rss_log='' overhead_log=''
    if [ "$WITH_REQUEST_LOG" = 1 ]; then
        write_gateway_config "$WORK/gateway-request-log.yaml" request-log
        start_gateway "$WORK/gateway-request-log.yaml" "$WORK/gateway-request-log.log"
        startup_log=$GW_STARTUP_MS
        check_chat "http://127.0.0.1:$GW_PORT/v1/chat/completions" gateway+request-log
        measure_phase request-log gateway+log
        hwm_log=$(hwm_kb "$GW_PID")
        rss_log=$(sort -g "$WORK/rss-request-log.txt" | tail -1)
        overhead_log=$(overhead_between "$WORK/metrics-request-log-before.txt" "$WORK/metrics-request-log-after.txt")
        stop_pid "$GW_PID"
    fi
    load_end=$(cut -d' ' -f1-3 /proc/loadavg)

    report "$startup_ms" "$idle_rss" "$rss_plain" "$hwm_plain" "$sse_direct" "$sse_nginx" "$sse_gateway" \
        "$overhead_plain" "$startup_log" "$rss_log" "$hwm_log" "$overhead_log" "$load_start" "$load_end" \
        | tee "$WORK/report.md"
    if [ -n "$RESULTS" ]; then
        cp "$WORK/report.md" "$RESULTS"
        log "results written to $RESULTS"
    fi
}

# ---------------------------------------------------------------- report

report() {
    local startup_ms=$1 idle_rss=$2 rss_plain=$3 hwm_plain=$4 sse_direct=$5 sse_nginx=$6 sse_gateway=$7
    local overhead_plain=$8 startup_log=$9 rss_log=${10} hwm_log=${11} overhead_log=${12} load_start=${13}
    local load_end=${14}
    local java_version nginx_version wrk_version hey_version curl_version cpu kernel
    java_version=$(java_of_gateway)
    nginx_version=$("$NGINX" -v 2>&1 | sed 's/^nginx version: nginx\///')
    wrk_version=$( { wrk -v 2>&1 || true; } | awk 'NR == 1 {print $2}')
    hey_version=$(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo unknown)
    curl_version=$(curl --version | awk 'NR == 1 {print $2}')
    cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
    kernel=$(uname -r)

    local phases=(plain)
    [ -n "$startup_log" ] && phases+=(request-log)

    echo
    echo "## End-to-end results ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    echo "- machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), Linux $kernel;" \
        "load average (1/5/15 min) $load_start at the start, $load_end at the end"
    echo "- versions: $java_version; nginx $nginx_version; wrk $wrk_version; hey $hey_version; curl $curl_version;" \
        "pacer from bench/pacer/pacer.c ($(gcc --version | awk 'NR == 1 {print $NF}'))"
    echo "- gateway: ${DIST_NOTE#$REPO/}, bin/gateway with its default JVM flags$( [ -n "${JAVA_OPTS:-}" ] && printf ' plus JAVA_OPTS=%s' "$JAVA_OPTS");" \
        "one provider 'openai' (type openai, one key) at the nginx upstream$( [ -n "$GATEWAY_YAML" ] && printf ', config + `%s`' "$(printf '%s' "$GATEWAY_YAML" | tr '\n' ' ' | tr -s ' ')")"
    echo "- all processes (load generator, nginx upstream, nginx proxy, jvm-floor, gateway) share the same cores;" \
        "nginx runs worker_processes auto; the wrk and hey figures are medians of $ROUNDS interleaved rounds" \
        "(per-round values in brackets), the evenly spaced ones are pooled over $PACED_ROUNDS interleaved rounds"
    echo "- throughput: \`$WRK_CMD\` (post.lua POSTs a chat request of $(wc -c < "$WORK/chat.json" | tr -d ' ') bytes; the upstream answers a chat.completion of $(printf '%s' "$CHAT_RESPONSE" | wc -c | tr -d ' ') bytes)"
    echo "- fixed rate in bursts: \`$HEY_CMD\` ($RATE req/s in total; hey prints latency in 0.1 ms steps)"
    echo "- URL: direct http://127.0.0.1:UP/v1/chat/completions, nginx http://127.0.0.1:NGINX/v1/chat/completions," \
        "gateway http://127.0.0.1:GW/v1/chat/completions"
    local phase target gw
    for phase in "${phases[@]}"; do
        gw=gateway
        [ "$phase" = request-log ] && gw=gateway+log
        echo
        if [ "$phase" = plain ]; then
            echo "### Gateway without middleware"
        else
            echo "### Gateway with the request-log middleware"
        fi
        echo
        local targets=(direct nginx)
        has_rows "$phase" wrk jvm-floor && targets+=(jvm-floor)
        targets+=("$gw")
        has_rows "$phase" wrk gateway-b && targets+=(gateway-b)
        echo "| hop | wrk req/s | wrk p50 ms | wrk p99 ms | wrk errors | hop CPU µs/req | ${RATE} req/s: achieved | p50 ms | p99 ms | errors |"
        echo "|---|---|---|---|---|---|---|---|---|---|"
        for target in "${targets[@]}"; do
            printf '| %s | %s [%s] | %s | %s | %s | %s | %s | %s [%s] | %s [%s] | %s |\n' "$target" \
                "$(median_of "$phase" wrk "$target" 5 %.0f)" "$(values_of "$phase" wrk "$target" 5 '%.0f')" \
                "$(median_of "$phase" wrk "$target" 6 %.2f)" "$(median_of "$phase" wrk "$target" 7 %.2f)" \
                "$(sum_of "$phase" wrk "$target")" "$(median_of "$phase" wrk "$target" 9 %.0f)" \
                "$(median_of "$phase" hey "$target" 5 %.0f)" \
                "$(median_of "$phase" hey "$target" 6 %.1f)" "$(values_of "$phase" hey "$target" 6 '%.1f')" \
                "$(median_of "$phase" hey "$target" 7 %.1f)" "$(values_of "$phase" hey "$target" 7 '%.1f')" \
                "$(sum_of "$phase" hey "$target")"
        done
        local ratio added50 added99 nginx50 nginx99
        ratio=$(awk -v g="$(median_of "$phase" wrk "$gw" 5)" -v n="$(median_of "$phase" wrk nginx 5)" \
            'BEGIN { printf "%.2f", g / n }')
        added50=$(median_added "$phase" "$gw" 6 %.1f)
        added99=$(median_added "$phase" "$gw" 7 %.1f)
        nginx50=$(median_added "$phase" nginx 6 %.1f)
        nginx99=$(median_added "$phase" nginx 7 %.1f)
        echo
        echo "- gateway/nginx req/s (wrk): **$ratio**; CPU per request (user + system time of the hop's own" \
            "processes during its wrk runs, from /proc/PID/stat: upstream nginx for direct, proxy nginx for nginx," \
            "the JVM for the gateway): nginx $(median_of "$phase" wrk nginx 9 %.0f) µs, $gw" \
            "$(median_of "$phase" wrk "$gw" 9 %.0f) µs, i.e. about $(awk -v u="$(median_of "$phase" wrk "$gw" 9)" \
            'BEGIN { printf "%.0f", 1e6 / u }') gateway req/s per fully used core"
        echo "- added latency over direct at $RATE req/s in bursts (\`hey -c $HEY_WORKERS\`, median of per-round" \
            "differences): gateway p50 $added50 ms, p99 $added99 ms; nginx p50 $nginx50 ms, p99 $nginx99 ms"
        echo
        echo "Fixed rate, evenly spaced: $RATE req/s, one request every $(awk -v r="$RATE" 'BEGIN { printf "%g", 1000 / r }') ms," \
            "open loop (\`$PACED_CMD\`; bench/pacer: latency from the instant each request was due to its" \
            "last byte, µs resolution); $PACED_ROUNDS interleaved rounds of $PACED_DURATION per hop. The" \
            "percentiles are over all of a hop's requests from all rounds (nearest rank); the per-round p99s" \
            "show how much one round varies on this machine."
        echo
        echo "| hop | requests | p50 ms | p99 ms | p99.9 ms | max ms | per-round p99 ms: min, median, max | errors |"
        echo "|---|---|---|---|---|---|---|---|"
        for target in "${targets[@]}"; do
            set -- $(pooled_paced "$phase" "$target")
            printf '| %s | %s | %s | %s | %s | %s | %s, %s, %s | %s |\n' "$target" \
                "$(cat "$WORK"/paced-"$phase"-"$target"-[0-9]*.csv | grep -vc '^due_ms')" "$1" "$2" "$3" "$4" \
                "$(values_of "$phase" paced "$target" 7 '%.3f' | tr -d ' ' | tr ',' '\n' | sort -g | head -1)" \
                "$(median_of "$phase" paced "$target" 7 %.3f)" \
                "$(values_of "$phase" paced "$target" 7 '%.3f' | tr -d ' ' | tr ',' '\n' | sort -g | tail -1)" \
                "$(sum_of "$phase" paced "$target")"
        done
        local paced50 paced99
        paced50=$(pooled_added "$phase" "$gw" 1)
        paced99=$(pooled_added "$phase" "$gw" 2)
        echo
        echo "- added latency over direct at $RATE req/s evenly spaced (pooled percentiles): gateway" \
            "p50 **$paced50 ms**, p99 **$paced99 ms**; nginx p50 $(pooled_added "$phase" nginx 1) ms," \
            "p99 $(pooled_added "$phase" nginx 2) ms. The median of the $PACED_ROUNDS per-round differences:" \
            "gateway p50 $(median_added "$phase" "$gw" 6 %.3f paced) ms, p99 $(median_added "$phase" "$gw" 7 %.3f paced) ms;" \
            "nginx p50 $(median_added "$phase" nginx 6 %.3f paced) ms, p99 $(median_added "$phase" nginx 7 %.3f paced) ms"
        if has_rows "$phase" paced jvm-floor; then
            echo "- jvm-floor (a JDK proxy with one virtual thread per connection, no framework, no gateway logic;" \
                "the gateway's JVM and flags): $(median_of "$phase" wrk jvm-floor 5 %.0f) req/s with wrk, i.e." \
                "$(awk -v f="$(median_of "$phase" wrk jvm-floor 5)" -v n="$(median_of "$phase" wrk nginx 5)" \
                'BEGIN { printf "%.2f", f / n }') × nginx, $(median_of "$phase" wrk jvm-floor 9 %.0f) µs CPU per request;" \
                "added over direct at $RATE req/s evenly spaced (pooled) p50 $(pooled_added "$phase" jvm-floor 1) ms," \
                "p99 $(pooled_added "$phase" jvm-floor 2) ms; the gateway over jvm-floor (pooled):" \
                "p50 $(pooled_added "$phase" "$gw" 1 jvm-floor) ms, p99 $(pooled_added "$phase" "$gw" 2 jvm-floor) ms"
        fi
        if has_rows "$phase" wrk gateway-b; then
            echo "- gateway-b ($(gateway_b_note)): $(median_of "$phase" wrk gateway-b 5 %.0f)" \
                "req/s with wrk, $(median_of "$phase" wrk gateway-b 9 %.0f) µs CPU per request; added over direct at $RATE req/s" \
                "evenly spaced (pooled) p50 $(pooled_added "$phase" gateway-b 1) ms, p99 $(pooled_added "$phase" gateway-b 2) ms;" \
                "gateway-b minus gateway (pooled): p50 $(pooled_added "$phase" gateway-b 1 "$gw") ms, p99" \
                "$(pooled_added "$phase" gateway-b 2 "$gw") ms; max VmRSS $(( $(sort -g "$WORK/rss-$phase-b.txt" | tail -1) / 1024 )) MB," \
                "VmHWM $((HWM_B / 1024)) MB"
        fi
        if [ "$phase" = plain ]; then
            echo "- gateway RSS: $((idle_rss / 1024)) MB idle after start-up; under load max VmRSS $((rss_plain / 1024)) MB" \
                "(read right after each measured run), peak VmHWM $((hwm_plain / 1024)) MB"
            echo "- start-up to /health: **$startup_ms ms**, median of $STARTS starts [$STARTUPS_ALL] (bin/gateway" \
                "launched → first 200 from GET /health, polled every 10 ms; JAVA_HOME $( [ -n "${JAVA_HOME:-}" ] && echo set || echo unset ))"
            set -- $overhead_plain
        else
            echo "- gateway RSS under load: max VmRSS $((rss_log / 1024)) MB, peak VmHWM $((hwm_log / 1024)) MB;" \
                "start-up to /health $startup_log ms"
            set -- $overhead_log
        fi
        echo "- /metrics over the fixed-rate rounds: gateway_overhead_seconds $1 requests, mean $2 ms," \
            "p50 ≤ $3 ms, p99 ≤ $4 ms (histogram bucket bounds); gateway_requests_seconds mean $5 ms" \
            "(handler entry to response written, upstream call included)"
        if [ "$phase" = plain ]; then
            echo
            echo "### Streaming: time to first byte"
            echo
            echo "\`curl -s -o /dev/null -w '%{time_starttransfer}' -X POST -H 'Expect:' -H 'Content-Type: application/json'" \
                "-H 'Accept: text/event-stream' --data-binary @chat-stream.json URL\`, $SSE_REQUESTS sequential requests" \
                "per hop (the hops taking turns request by request), each on a new connection; the upstream sends 11" \
                "chat.completion.chunk events and data: [DONE]."
            echo "The gateway sends its headers together with the first event, so its first byte is the first event." \
                "Before it, \`wrk -t1 -c10 -d$WARMUP -s post-stream.lua\` streams through the gateway, a new connection per" \
                "request (\`Connection: close\`), to warm that path."
            echo
            echo "| hop | new connection: p50 ms | p99 ms | kept-alive connection: p50 ms | p99 ms |"
            echo "|---|---|---|---|---|"
            local d50 g50 rd50 rg50
            set -- $sse_direct; d50=$1; printf '| direct | %s | %s ' "$1" "$2"
            set -- $SSE_REUSED_DIRECT; rd50=$1; printf '| %s | %s |\n' "$1" "$2"
            set -- $sse_nginx; printf '| nginx | %s | %s ' "$1" "$2"
            set -- $SSE_REUSED_NGINX; printf '| %s | %s |\n' "$1" "$2"
            set -- $sse_gateway; g50=$1; printf '| gateway | %s | %s ' "$1" "$2"
            set -- $SSE_REUSED_GATEWAY; rg50=$1; printf '| %s | %s |\n' "$1" "$2"
            if [ -n "$SSE_B" ]; then
                set -- $SSE_B; printf '| gateway-b | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"
            fi
            SSE_ADDED=$(awk -v g="$g50" -v d="$d50" 'BEGIN { printf "%+.3f", g - d }')
            SSE_ADDED_REUSED=$(awk -v g="$rg50" -v d="$rd50" 'BEGIN { printf "%+.3f", g - d }')
            echo
            echo "- gateway − direct, p50: **$SSE_ADDED ms** on a new connection, **$SSE_ADDED_REUSED ms** on a" \
                "kept-alive one ($SSE_REQUESTS requests each; the kept-alive ones in batches of $SSE_BATCH after one" \
                "request that opens the connection: \`curl ... URL URL ...\`)"
            RATIO_PLAIN=$ratio; ADDED50_PLAIN=$added50; ADDED99_PLAIN=$added99
            PACED50_PLAIN=$paced50; PACED99_PLAIN=$paced99
            ERRORS_PLAIN=$(( $(sum_of plain wrk gateway) + $(sum_of plain hey gateway) + $(sum_of plain paced gateway) ))
        fi
    done
    echo
    echo "### Targets (issue 6), gateway without middleware"
    echo
    echo "| target | measured | |"
    echo "|---|---|---|"
    echo "| gateway req/s ≥ 0.5 × nginx proxy_pass req/s, 0 errors | $RATIO_PLAIN ×, $ERRORS_PLAIN errors |" \
        "$(verdict "$RATIO_PLAIN >= 0.5 && $ERRORS_PLAIN == 0") |"
    echo "| added latency at $RATE req/s evenly spaced (pooled): p50 ≤ 0.3 ms | $PACED50_PLAIN ms (in bursts of $HEY_WORKERS: $ADDED50_PLAIN ms) |" \
        "$(verdict "$PACED50_PLAIN <= 0.3") |"
    echo "| added latency at $RATE req/s evenly spaced (pooled): p99 ≤ 2 ms | $PACED99_PLAIN ms (in bursts of $HEY_WORKERS: $ADDED99_PLAIN ms) |" \
        "$(verdict "$PACED99_PLAIN <= 2") |"
    echo "| SSE time to first event ≤ direct + 1 ms, new connection | $SSE_ADDED ms | $(verdict "$SSE_ADDED <= 1") |"
    echo "| SSE time to first event ≤ direct + 1 ms, kept-alive connection | $SSE_ADDED_REUSED ms | $(verdict "$SSE_ADDED_REUSED <= 1") |"
    echo "| RSS ≤ 300 MB under load, default flags | $((rss_plain / 1024)) MB (VmHWM $((hwm_plain / 1024)) MB) |" \
        "$(verdict "$hwm_plain <= 300 * 1024") |"
    echo "| start-up to /health ≤ 2.5 s | $startup_ms ms | $(verdict "$startup_ms <= 2500") |"
}

# The java that bin/gateway picked (JAVA_HOME, PATH or /usr/lib/jvm), as read from the running process.
java_of_gateway() {
    if [ -n "$GW_JAVA" ] && [ -x "$GW_JAVA" ]; then
        "$GW_JAVA" -version 2>&1 | awk 'NR == 2 { sub(/ \(build.*/, ""); print; exit }'
    else
        echo "java unknown"
    fi
}

main "$@"
