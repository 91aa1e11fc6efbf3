#!/usr/bin/env bash
#
# Runs the whole test suite: unit tests, integration tests and the distribution test
# (mvn -B verify at the top of the tree), and exits with Maven's status.
#
#   ./test.sh [more Maven arguments, e.g. -pl distribution -am]
#
# Redis: some tests need a Redis server and find it through GATEWAY_TEST_REDIS_URL. When that is
# unset and redis-server is on PATH, a throw-away one is started on a free loopback port for the
# duration of the run (no persistence) and stopped on exit. Otherwise those tests skip themselves.
set -u

root=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
. "$root/.ci/find-jdk.sh"
gateway_use_jdk 21 || exit 1

redis_pid=''
redis_dir=''

stop_redis() {
    if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
        kill "$redis_pid" 2>/dev/null
        wait "$redis_pid" 2>/dev/null
    fi
    redis_pid=''
    if [ -n "$redis_dir" ]; then
        rm -rf -- "$redis_dir"
        redis_dir=''
    fi
}
trap stop_redis EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Answers 0 when something on 127.0.0.1:$1 replies +PONG to PING.
redis_ready() {
    local reply
    reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && IFS= read -r -t 2 line <&3 &&
        printf '%s' "$line") 2>/dev/null ) || return 1
    [ "${reply%$'\r'}" = "+PONG" ]
}

# A port nothing listens on now. redis-server fails if another process takes it first; the caller
# then tries again with a new one.
pick_port() {
    local port
    while :; do
        port=$(( 20000 + RANDOM % 40000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

start_redis() {
    local attempt port waited
    redis_dir=$(mktemp -d "${TMPDIR:-/tmp}/gateway-test-redis.XXXXXX")
    for attempt in 1 2 3 4 5; do
        port=$(pick_port)
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
            --dir "$redis_dir" >"$redis_dir/redis.log" 2>&1 &
        redis_pid=$!
        for waited in $(seq 1 50); do
            if redis_ready "$port"; then
                export GATEWAY_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
                echo "test.sh: redis-server (pid $redis_pid) on 127.0.0.1:$port; GATEWAY_TEST_REDIS_URL=$GATEWAY_TEST_REDIS_URL"
                return 0
            fi
            if ! kill -0 "$redis_pid" 2>/dev/null; then
                break
            fi
            sleep 0.1
        done
        echo "test.sh: redis-server did not start on port $port (attempt $attempt):" >&2
        sed 's/^/  /' "$redis_dir/redis.log" >&2
        if kill -0 "$redis_pid" 2>/dev/null; then
            kill "$redis_pid" 2>/dev/null
            wait "$redis_pid" 2>/dev/null
        fi
        redis_pid=''
    done
    echo "test.sh: running without Redis; tests that need it will be skipped." >&2
    return 1
}

if [ -z "${GATEWAY_TEST_REDIS_URL:-}" ]; then
    if command -v redis-server >/dev/null 2>&1; then
        start_redis || true
    else
        echo "test.sh: redis-server is not on PATH and GATEWAY_TEST_REDIS_URL is unset; tests that need Redis will be skipped."
    fi
else
    echo "test.sh: using GATEWAY_TEST_REDIS_URL=$GATEWAY_TEST_REDIS_URL"
fi

cd "$root" || exit 1
mvn -B verify "$@"
status=$?
exit "$status"
