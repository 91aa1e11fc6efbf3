#!/usr/bin/env bash
#
# Benchmark of the response cache (issue 21, docs/cache.md), on one machine, all on loopback:
#
#   wrk ─▶ gateway (bin/gateway from the distribution, middleware: cache with a semantic path)
#              └─▶ nginx "upstream": a fixed chat completion and a fixed embedding
#
# Interleaved rounds of wrk (closed loop) against the same chat request in three modes:
#   pass-through  no x-bf-cache-key: the request goes upstream (what the cache costs a request that
#                 does not opt in, and the reference for the others)
#   direct-hit    x-bf-cache-key: one store read, the stored body answered, no upstream call
#   semantic-hit  x-bf-cache-key and x-bf-cache-type: semantic: the exact path is skipped, the text is
#                 embedded through the router (one call to the nginx upstream), the nearest vector found
# and prints req/s and p50/p99 latency per mode, and the mean time of the embedding calls from the
# gateway's own gateway_cache_embedding_seconds histogram (so the semantic path's cost can be read with
# and without the embedding call).
#
#   bash bench/cache.sh                 # from the repository root, after mvn -B verify (the distribution)
#
# Environment (defaults in brackets): ROUNDS [3], DURATION [10s], WARMUP [10s], CONNECTIONS [20],
# THREADS [2], GATEWAY_DIST [distribution/target/gateway], RESULTS (also write the table there),
# KEEP_WORK [0] (1 keeps the temporary folder: configs, the gateway's log, wrk's outputs).
set -euo pipefail

root=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
DIST=${GATEWAY_DIST:-$root/distribution/target/gateway}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
CONNECTIONS=${CONNECTIONS:-20}
THREADS=${THREADS:-2}
RESULTS=${RESULTS:-}
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

die() { echo "cache.sh: $*" >&2; exit 1; }
log() { echo "cache.sh: $*" >&2; }
[ -x "$DIST/bin/gateway" ] || die "no distribution at $DIST; run mvn -B verify first"
[ -d "$DIST/plugins/middleware-cache" ] || die "$DIST/plugins has no middleware-cache folder; rebuild the distribution"
command -v wrk >/dev/null || die "wrk is not installed"
[ -x "$NGINX" ] || die "nginx is not installed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gateway-cache-bench.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "${KEEP_WORK:-0}" = 1 ]; then
        echo "cache.sh: kept $WORK" >&2
    else
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT

free_port() {
    local port
    while :; do
        port=$(( 20000 + RANDOM % 40000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}
UP_PORT=$(free_port)
# a subshell starts from the parent's RANDOM state: advance it, or both calls pick the same port
GW_PORT=$UP_PORT
while [ "$GW_PORT" = "$UP_PORT" ]; do
    : "$RANDOM"
    GW_PORT=$(free_port)
done

CHAT_RESPONSE='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Paris is the capital of France."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":8,"total_tokens":22}}'
# 1,536 dimensions, as text-embedding-3-small: the semantic index's real vector size
VECTOR=$(awk 'BEGIN { for (i = 0; i < 1536; i++) printf "%s%.6f", (i ? "," : ""), ((i * 7919) % 1000) / 1000.0 }')
mkdir -p "$WORK/upstream/www/v1"
# too long for an nginx string: served as a file (error_page turns the POST's 405 into the file)
printf '%s' '{"object":"list","data":[{"object":"embedding","index":0,"embedding":['"$VECTOR"']}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}' \
    > "$WORK/upstream/www/v1/embeddings"
# nginx's workers may run as another user (nobody, when started by root)
chmod 755 "$WORK" "$WORK/upstream" "$WORK/upstream/www" "$WORK/upstream/www/v1"
chmod 644 "$WORK/upstream/www/v1/embeddings"
cat > "$WORK/upstream/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/upstream/nginx.pid;
error_log $WORK/upstream/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_body_buffer_size 64k;
    server {
        listen 127.0.0.1:$UP_PORT backlog=4096;
        location = /v1/chat/completions { default_type application/json; return 200 '$CHAT_RESPONSE'; }
        location = /v1/embeddings { root $WORK/upstream/www; default_type application/json; error_page 405 =200 \$uri; }
        location / { return 404; }
    }
}
NGINX
"$NGINX" -p "$WORK/upstream/" -c "$WORK/upstream/nginx.conf" > "$WORK/upstream/stdout.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
    if curl -s -o /dev/null -X POST "http://127.0.0.1:$UP_PORT/v1/embeddings"; then
        break
    fi
    sleep 0.1
done

cat > "$WORK/gateway.yaml" <<YAML
server:
  host: 127.0.0.1
  port: $GW_PORT
gateway:
  plugins-dir: $DIST/plugins
  logs:
    store: none
  providers:
    openai:
      type: openai
      base-url: http://127.0.0.1:$UP_PORT/v1
      keys:
        - name: bench
          value: sk-bench-not-a-real-key
  middleware:
    - type: cache
      ttl: 1h
      semantic:
        embedding-model: openai/text-embedding-3-small
        threshold: 0.8
YAML
"$DIST/bin/gateway" --config "$WORK/gateway.yaml" > "$WORK/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
for _ in $(seq 1 600); do
    if curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/health/ready"; then
        break
    fi
    kill -0 "$GW_PID" 2>/dev/null || { cat "$WORK/gateway.log" >&2; die "the gateway did not start"; }
    sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/health/ready" || die "the gateway did not become ready"

printf '%s' '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"What is the capital of France?"}]}' \
    > "$WORK/chat.json"
lua() {
    local name=$1; shift
    {
        echo "local file = io.open(\"$WORK/chat.json\", \"rb\")"
        echo 'wrk.method = "POST"'
        echo 'wrk.body = file:read("*a")'
        echo 'file:close()'
        echo 'wrk.headers["Content-Type"] = "application/json"'
        for header in "$@"; do
            echo "wrk.headers[\"${header%%:*}\"] = \"${header#*: }\""
        done
        cat <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99)))
end
LUA
    } > "$WORK/$name.lua"
}
lua pass-through
lua direct-hit "x-bf-cache-key: bench"
lua semantic-hit "x-bf-cache-key: bench" "x-bf-cache-type: semantic"

# store the answer (exact and semantic entries) before measuring
first=$(curl -s -w ' %{http_code}' -H 'content-type: application/json' -H 'x-bf-cache-key: bench' \
    --data-binary "@$WORK/chat.json" "http://127.0.0.1:$GW_PORT/v1/chat/completions")
[ "${first##* }" = 200 ] || die "the first request failed: $first"
sleep 1
hit=$(curl -s -D - -o /dev/null -H 'content-type: application/json' -H 'x-bf-cache-key: bench' \
    -H 'x-bf-cache-type: semantic' --data-binary "@$WORK/chat.json" \
    "http://127.0.0.1:$GW_PORT/v1/chat/completions" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-bf-cache-hit" { print $2 }')
[ "$hit" = semantic ] || die "the semantic request was not a semantic hit (x-bf-cache-hit: '$hit')"

URL="http://127.0.0.1:$GW_PORT/v1/chat/completions"
run() {
    local mode=$1 duration=$2 out="$WORK/wrk-$1-$3.txt"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s -s "$WORK/$mode.lua" "$URL" > "$out" 2>&1 \
        || die "wrk failed: $(tail -5 "$out")"
    grep '^BENCH ' "$out" | sed "s/^BENCH /$mode /"
}
embedding_mean_us() {
    curl -s "http://127.0.0.1:$GW_PORT/metrics" | awk '
        /^gateway_cache_embedding_seconds_sum/ { sum += $2 } /^gateway_cache_embedding_seconds_count/ { n += $2 }
        END { printf "%.1f %d\n", (n > 0 ? sum / n * 1e6 : 0), n }'
}

log "warming up ($WARMUP per mode)"
for mode in pass-through direct-hit semantic-hit; do
    run "$mode" "$WARMUP" warmup > /dev/null
done
read -r _ before_count < <(embedding_mean_us)
before_sum=$(curl -s "http://127.0.0.1:$GW_PORT/metrics" | awk '/^gateway_cache_embedding_seconds_sum/ { s += $2 } END { print s + 0 }')
: > "$WORK/rows.txt"
for round in $(seq 1 "$ROUNDS"); do
    for mode in pass-through direct-hit semantic-hit; do
        run "$mode" "$DURATION" "$round" >> "$WORK/rows.txt"
    done
done
after_sum=$(curl -s "http://127.0.0.1:$GW_PORT/metrics" | awk '/^gateway_cache_embedding_seconds_sum/ { s += $2 } END { print s + 0 }')
read -r _ after_count < <(embedding_mean_us)
embed_us=$(awk -v a="$after_sum" -v b="$before_sum" -v n="$after_count" -v m="$before_count" \
    'BEGIN { printf "%.0f", (n > m ? (a - b) / (n - m) * 1e6 : 0) }')

table=$(
    echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/'), $(java -version 2>&1 | head -1 || true)"
    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS interleaved rounds; medians over rounds"
    printf '%-14s %10s %10s %10s %8s\n' mode "req/s" "p50 ms" "p99 ms" errors
    for mode in pass-through direct-hit semantic-hit; do
        awk -v mode="$mode" '$1 == mode {
            for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            n++; rps[n] = v["requests"] / (v["duration_us"] / 1e6); p50[n] = v["p50_us"] / 1000; p99[n] = v["p99_us"] / 1000
            err += v["errors"] }
            function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
            END { printf "%-14s %10.0f %10.3f %10.3f %8d\n", mode, median(rps, n), median(p50, n), median(p99, n), err }' \
            "$WORK/rows.txt"
    done
    echo "embedding call through the router (gateway_cache_embedding_seconds, mean over the semantic rounds): ${embed_us} us"
)
echo "$table"
if [ -n "$RESULTS" ]; then
    echo "$table" > "$RESULTS"
fi
