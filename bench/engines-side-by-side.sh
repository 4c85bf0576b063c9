#!/usr/bin/env bash
# engines-side-by-side.sh ENGINE_A ENGINE_B [ROUNDS]
#
# Starts the standalone respkv jar twice, on ENGINE_A and on ENGINE_B (e.g. leveldb rocksdb),
# each on a free loopback port with a fresh temp --dir, runs the redis-benchmark suite against
# them alternating A/B per test for ROUNDS rounds (side-by-side.sh), prints medians, ratios and
# server CPU per request, and stops both. The same engine twice compares settings or builds:
# A_JAVA_OPTS / B_JAVA_OPTS, A_ARGS / B_ARGS, A_JAR / B_JAR and A_ENV / B_ENV (NAME=VALUE
# words for the server's environment) apply to one side only, e.g.
#   B_ARGS="--event-loop-threads 2" TESTS="set:16 get:16" bench/engines-side-by-side.sh memory memory 3
#   A_JAVA_OPTS="-XX:+UseG1GC" bench/engines-side-by-side.sh memory memory 3
#   A_JAR=/tmp/old-respkv.jar bench/engines-side-by-side.sh rocksdb rocksdb 3
#
# Needs: a built jar (./mvnw -B -q -DskipTests package) and redis-benchmark on PATH (Debian:
# apt-get install redis-tools). Environment passes through to side-by-side.sh / redis-bench.sh:
# TESTS (default "set:16 get:16 lpush:16 hset:16 zadd:16"), N, N_P16, CLIENTS, KEYSPACE, DSIZE,
# MODE. JAVA_OPTS (default -XX:+UseParallelGC -Xms1g -Xmx1g -XX:+AlwaysPreTouch,
# the README's server settings) and RESPKV_ARGS (e.g. "--durability async") add to
# both servers' command lines (a side's A_/B_JAVA_OPTS replaces JAVA_OPTS for it).
# WARMUP (default 2): unrecorded rounds of the same tests against both servers first.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
A=${1:?usage: $0 ENGINE_A ENGINE_B [ROUNDS]}
B=${2:?usage: $0 ENGINE_A ENGINE_B [ROUNDS]}
export ROUNDS=${3:-3}
# Rounds run first against both servers and not recorded: the JVM compiles its hot paths over
# the first few hundred thousand requests of each command (WARMUP=0 measures from a cold start).
export WARMUP=${WARMUP:-2}
export TESTS=${TESTS:-"set:16 get:16 lpush:16 hset:16 zadd:16"}
JAR=$ROOT/respkv-standalone/target/respkv.jar
A_JAR=${A_JAR:-$JAR}; B_JAR=${B_JAR:-$JAR}
for jar in "$A_JAR" "$B_JAR"; do
  [[ -f $jar ]] || { echo "no jar $jar (build first: ./mvnw -B -q -DskipTests package)" >&2; exit 2; }
done
command -v redis-benchmark >/dev/null && command -v redis-cli >/dev/null \
  || { echo "needs redis-benchmark and redis-cli (apt-get install redis-tools)" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-engines.XXXXXX)
PA=$(free_port); PB=$(free_port)
cleanup() {
  [[ -n ${PID_A:-} ]] && kill "$PID_A" 2>/dev/null && wait "$PID_A" 2>/dev/null || true
  [[ -n ${PID_B:-} ]] && kill "$PID_B" 2>/dev/null && wait "$PID_B" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start() { # engine port jar java-opts side-args side-env -> pid
  local args=(--engine "$1")
  [[ $1 != memory ]] && args+=(--dir "$WORK/$1-$2")
  # shellcheck disable=SC2086
  env $6 java $4 -jar "$3" --port "$2" "${args[@]}" ${RESPKV_ARGS:-} $5 >"$WORK/$1-$2.log" 2>&1 &
  echo $!
}
DEFAULT_OPTS=${JAVA_OPTS:--XX:+UseParallelGC -Xms1g -Xmx1g -XX:+AlwaysPreTouch}
PID_A=$(start "$A" "$PA" "$A_JAR" "${A_JAVA_OPTS:-$DEFAULT_OPTS}" "${A_ARGS:-}" "${A_ENV:-}")
PID_B=$(start "$B" "$PB" "$B_JAR" "${B_JAVA_OPTS:-$DEFAULT_OPTS}" "${B_ARGS:-}" "${B_ENV:-}")
for _ in $(seq 1 100); do
  redis-cli -p "$PA" ping >/dev/null 2>&1 && redis-cli -p "$PB" ping >/dev/null 2>&1 && break
  sleep 0.2
done
redis-cli -p "$PA" ping >/dev/null && redis-cli -p "$PB" ping >/dev/null || { cat "$WORK"/*.log >&2; exit 1; }
NAME_A=$A; NAME_B=$B
[[ $A == "$B" ]] && NAME_A=A-$A && NAME_B=B-$B
echo "# respkv-$A on $PA pid $PID_A (${A_ENV:-}${A_ENV:+ }${A_JAVA_OPTS:-$DEFAULT_OPTS} ${A_ARGS:-}) vs respkv-$B on $PB pid $PID_B (${B_ENV:-}${B_ENV:+ }${B_JAVA_OPTS:-$DEFAULT_OPTS} ${B_ARGS:-}); ${RESPKV_ARGS:-default durability}; $(nproc) cores; $(date -Is)"
SRV_CPU=1 SRV_PID_A=$PID_A SRV_PID_B=$PID_B "$HERE/side-by-side.sh" "$PA" "$NAME_A" "$PB" "$NAME_B"
