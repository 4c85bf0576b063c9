#!/usr/bin/env bash
# respkv-vs-redis.sh ENGINE REDIS_PERSISTENCE [ROUNDS]
#
# Starts the standalone respkv jar on ENGINE (memory | rocksdb) and a redis-server 7 with
# REDIS_PERSISTENCE (none | aof-everysec), both on free loopback ports with fresh temp dirs, runs
# the redis-benchmark suite against them alternating A/B per test for ROUNDS rounds
# (side-by-side.sh), prints medians, ratios and server CPU per request, and stops both.
#
# Needs: a built jar (./mvnw -B -q -DskipTests package), redis-server and redis-benchmark on PATH
# (Debian: apt-get install redis-server redis-tools). Environment passes through to
# side-by-side.sh / redis-bench.sh: TESTS, N, N_P16, CLIENTS, KEYSPACE, DSIZE, MODE.
# JAVA_OPTS (default -XX:+UseParallelGC -Xms1g -Xmx1g -XX:+AlwaysPreTouch, the README's server
# settings: a fixed, pre-touched heap) and RESPKV_ARGS add to respkv's command line.
# RESPKV_JAR runs another build of the standalone jar (default respkv-standalone/target/respkv.jar).
# WARMUP (default 2): unrecorded rounds of the same tests against both servers first.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ENGINE=${1:?usage: $0 ENGINE REDIS_PERSISTENCE [ROUNDS]}
PERSIST=${2:?usage: $0 ENGINE REDIS_PERSISTENCE [ROUNDS]}
export ROUNDS=${3:-5}
# Rounds run first against both servers and not recorded: the JVM compiles its hot paths over
# the first few hundred thousand requests of each command (WARMUP=0 measures from a cold start).
export WARMUP=${WARMUP:-2}
JAR=${RESPKV_JAR:-$ROOT/respkv-standalone/target/respkv.jar}
[[ -f $JAR ]] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null \
  || { echo "needs redis-server and redis-benchmark (apt-get install redis-server redis-tools)" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-bench.XXXXXX)
RP=$(free_port); KP=$(free_port)
cleanup() {
  [[ -n ${RESPKV_PID:-} ]] && kill "$RESPKV_PID" 2>/dev/null && wait "$RESPKV_PID" 2>/dev/null || true
  [[ -n ${REDIS_PID:-} ]] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

case $PERSIST in
  none) redis_opts=(--save "" --appendonly no) ;;
  aof-everysec) redis_opts=(--save "" --appendonly yes --appendfsync everysec) ;;
  *) echo "REDIS_PERSISTENCE must be none or aof-everysec" >&2; exit 2 ;;
esac
mkdir -p "$WORK/redis" "$WORK/respkv"
redis-server --bind 127.0.0.1 --port "$RP" --dir "$WORK/redis" "${redis_opts[@]}" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
engine_args=(--engine "$ENGINE")
[[ $ENGINE != memory ]] && engine_args+=(--dir "$WORK/respkv/data")
# shellcheck disable=SC2086
java ${JAVA_OPTS:--XX:+UseParallelGC -Xms1g -Xmx1g -XX:+AlwaysPreTouch} -jar "$JAR" --port "$KP" "${engine_args[@]}" ${RESPKV_ARGS:-} >"$WORK/respkv.log" 2>&1 &
RESPKV_PID=$!
for _ in $(seq 1 100); do
  redis-cli -p "$RP" ping >/dev/null 2>&1 && redis-cli -p "$KP" ping >/dev/null 2>&1 && break
  sleep 0.2
done
echo "# respkv ($ENGINE) on $KP pid $RESPKV_PID vs redis-server ($PERSIST) on $RP pid $REDIS_PID; $(nproc) cores; $(date -Is)"
SRV_CPU=1 SRV_PID_A=$RESPKV_PID SRV_PID_B=$REDIS_PID "$HERE/side-by-side.sh" "$KP" "respkv-$ENGINE" "$RP" "redis-$PERSIST"
