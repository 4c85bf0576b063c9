#!/usr/bin/env bash
# memory-per-key.sh [KEYS] [VALUE_BYTES]
#
# Memory per small string key, respkv's memory engine vs redis-server 7 (no persistence): loads
# the same KEYS keys (`key:0000000`.., values of VALUE_BYTES bytes; default 1,000,000 and 16)
# into both with redis-cli --pipe, then prints, per key:
#   respkv: live heap growth (jcmd GC.class_histogram, which runs a full GC first) and RSS growth
#   redis:  used_memory growth and RSS growth
# Both servers start on free loopback ports with fresh temp dirs and are stopped at the end.
#
# Needs: a built jar (./mvnw -B -q -DskipTests package), redis-server and redis-cli on PATH
# (Debian: apt-get install redis-server redis-tools), jcmd (the JDK). JAVA_OPTS (default
# -XX:+UseParallelGC) adds to respkv's command line; RESPKV_JAR runs another build.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
KEYS=${1:-1000000}
VALUE_BYTES=${2:-16}
JAR=${RESPKV_JAR:-$ROOT/respkv-standalone/target/respkv.jar}
[[ -f $JAR ]] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
command -v redis-server >/dev/null && command -v redis-cli >/dev/null \
  || { echo "needs redis-server and redis-cli (apt-get install redis-server redis-tools)" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-mem.XXXXXX)
RP=$(free_port); KP=$(free_port)
cleanup() {
  [[ -n ${RESPKV_PID:-} ]] && kill "$RESPKV_PID" 2>/dev/null && wait "$RESPKV_PID" 2>/dev/null || true
  [[ -n ${REDIS_PID:-} ]] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# the load: SET key:%07d <VALUE_BYTES x 'v'> as RESP, generated once for both servers
python3 - "$KEYS" "$VALUE_BYTES" >"$WORK/load.resp" <<'EOF'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
value = b"v" * size
out = sys.stdout.buffer
for i in range(n):
    key = b"key:%07d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, size, value))
EOF

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
live_heap() { jcmd "$1" GC.class_histogram | awk '/^Total/ {print $3}'; }
used_memory() { redis-cli -p "$RP" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r'; }

mkdir -p "$WORK/redis"
redis-server --bind 127.0.0.1 --port "$RP" --dir "$WORK/redis" --save "" --appendonly no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
# shellcheck disable=SC2086
java ${JAVA_OPTS:--XX:+UseParallelGC} -jar "$JAR" --port "$KP" --engine memory >"$WORK/respkv.log" 2>&1 &
RESPKV_PID=$!
for _ in $(seq 1 100); do
  redis-cli -p "$RP" ping >/dev/null 2>&1 && redis-cli -p "$KP" ping >/dev/null 2>&1 && break
  sleep 0.2
done
echo "# $KEYS keys, $VALUE_BYTES-byte values; respkv (memory engine, ${JAVA_OPTS:--XX:+UseParallelGC}) pid $RESPKV_PID vs redis-server $(redis-server --version | awk '{print $3}') pid $REDIS_PID; $(date -Is)"

heap0=$(live_heap "$RESPKV_PID"); krss0=$(rss_kib "$RESPKV_PID")
mem0=$(used_memory); rrss0=$(rss_kib "$REDIS_PID")
redis-cli -p "$KP" --pipe <"$WORK/load.resp" >/dev/null
redis-cli -p "$RP" --pipe <"$WORK/load.resp" >/dev/null
[[ $(redis-cli -p "$KP" dbsize) == "$KEYS" && $(redis-cli -p "$RP" dbsize) == "$KEYS" ]] \
  || { echo "load incomplete: respkv $(redis-cli -p "$KP" dbsize), redis $(redis-cli -p "$RP" dbsize) keys" >&2; exit 1; }
heap1=$(live_heap "$RESPKV_PID"); krss1=$(rss_kib "$RESPKV_PID")
mem1=$(used_memory); rrss1=$(rss_kib "$REDIS_PID")

per_key() { python3 -c "print(f'{($2 - $1) * $3 / $KEYS:.1f}')"; }
echo "| server | measure | bytes per key |"
echo "|---|---|---:|"
echo "| respkv memory engine | live heap (after full GC) | $(per_key "$heap0" "$heap1" 1) |"
echo "| respkv memory engine | RSS | $(per_key "$krss0" "$krss1" 1024) |"
echo "| redis-server | used_memory | $(per_key "$mem0" "$mem1" 1) |"
echo "| redis-server | RSS | $(per_key "$rrss0" "$rrss1" 1024) |"
echo "ratio (respkv live heap / redis used_memory): $(python3 -c "print(f'{($heap1 - $heap0) / ($mem1 - $mem0):.2f}')")"
