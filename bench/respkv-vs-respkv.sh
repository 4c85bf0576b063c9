#!/usr/bin/env bash
# respkv-vs-respkv.sh ENGINE [ROUNDS]
#
# Two respkv servers side by side: the same engine, each with its own JVM flags, server flags or
# jar, on free loopback ports with fresh temp dirs; runs the redis-benchmark suite against both
# alternating A/B per test for ROUNDS rounds (side-by-side.sh) and prints medians, ratios and
# server CPU per request. For settings (GC, event loops, engine options) and before/after builds.
#
#   A_JAVA_OPTS / B_JAVA_OPTS   JVM flags (default -XX:+UseParallelGC)
#   A_ARGS / B_ARGS             more respkv flags, e.g. "--event-loop-threads 2"
#   A_JAR / B_JAR               jars (default respkv-standalone/target/respkv.jar)
# and what side-by-side.sh / redis-bench.sh take: TESTS, N, N_P16, CLIENTS, KEYSPACE, DSIZE.
#
# Example: B_ARGS="--event-loop-threads 2" TESTS="set:16 get:16" N=500000 bench/respkv-vs-respkv.sh memory 3
# Needs: a built jar (./mvnw -B -q -DskipTests package), redis-cli and redis-benchmark on PATH.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ENGINE=${1:?usage: $0 ENGINE [ROUNDS]}
export ROUNDS=${2:-5}
DEFAULT_JAR=$ROOT/respkv-standalone/target/respkv.jar
A_JAR=${A_JAR:-$DEFAULT_JAR}; B_JAR=${B_JAR:-$DEFAULT_JAR}
for jar in "$A_JAR" "$B_JAR"; do
  [[ -f $jar ]] || { echo "no jar $jar (build: ./mvnw -B -q -DskipTests package)" >&2; exit 2; }
done
command -v redis-benchmark >/dev/null && command -v redis-cli >/dev/null \
  || { echo "needs redis-benchmark and redis-cli (apt-get install redis-tools)" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-ab.XXXXXX)
PA=$(free_port); PB=$(free_port)
cleanup() {
  [[ -n ${A_PID:-} ]] && kill "$A_PID" 2>/dev/null && wait "$A_PID" 2>/dev/null || true
  [[ -n ${B_PID:-} ]] && kill "$B_PID" 2>/dev/null && wait "$B_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
engine_args() { # $1: a or b
  if [[ $ENGINE == memory ]]; then echo "--engine memory"; else echo "--engine $ENGINE --dir $WORK/$1"; fi
}
# shellcheck disable=SC2046,SC2086
java ${A_JAVA_OPTS:--XX:+UseParallelGC} -jar "$A_JAR" --port "$PA" $(engine_args a) ${A_ARGS:-} >"$WORK/a.log" 2>&1 &
A_PID=$!
# shellcheck disable=SC2046,SC2086
java ${B_JAVA_OPTS:--XX:+UseParallelGC} -jar "$B_JAR" --port "$PB" $(engine_args b) ${B_ARGS:-} >"$WORK/b.log" 2>&1 &
B_PID=$!
for _ in $(seq 1 100); do
  redis-cli -p "$PA" ping >/dev/null 2>&1 && redis-cli -p "$PB" ping >/dev/null 2>&1 && break
  sleep 0.2
done
redis-cli -p "$PA" ping >/dev/null && redis-cli -p "$PB" ping >/dev/null || { cat "$WORK"/*.log >&2; exit 1; }
echo "# A: ${A_JAVA_OPTS:--XX:+UseParallelGC} $(basename "$A_JAR") ${A_ARGS:-} (port $PA) vs B: ${B_JAVA_OPTS:--XX:+UseParallelGC} $(basename "$B_JAR") ${B_ARGS:-} (port $PB); $ENGINE; $(nproc) cores; $(date -Is)"
SRV_CPU=1 SRV_PID_A=$A_PID SRV_PID_B=$B_PID "$HERE/side-by-side.sh" "$PA" A "$PB" B
