#!/usr/bin/env bash
# profile-server.sh ENGINE TEST PIPELINE N OUT [server args...]
#
# Where a respkv server's CPU goes under one redis-benchmark test: starts the standalone jar on
# ENGINE (memory, rocksdb, leveldb) on a free loopback port with a fresh temp --dir, runs the test
# once unprofiled (JIT warm-up; PRE="sadd spop" runs other tests first instead, e.g. to drain a
# set), then profiles a second run with async-profiler (CPU samples every 1 ms, all threads,
# collapsed stacks into OUT), prints the server's CPU per request over the profiled run and the
# samples grouped by where the time goes (bench/profile-groups.py), and stops the server.
#   bench/profile-server.sh rocksdb set 16 400000 /tmp/set16.collapsed --durability async
#   PRE="sadd spop sadd spop" bench/profile-server.sh rocksdb sadd 16 200000 /tmp/sadd.collapsed --durability async
#
# Needs: a built jar (./mvnw -B -q -DskipTests package), redis-benchmark and redis-cli on PATH
# (Debian: apt-get install redis-tools), python3, jcmd (the JDK). async-profiler 4.1 comes from
# Maven Central into ASPROF_DIR (default /tmp/respkv-async-profiler) on first use. The JVM runs
# with the README's settings plus -XX:+DebugNonSafepoints (without it, an agent attached to a
# running JVM attributes inlined frames only at safepoints). RESPKV_JAR runs another build.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
usage="usage: $0 ENGINE TEST PIPELINE N OUT [server args...]"
ENGINE=${1:?$usage}; TEST=${2:?$usage}; P=${3:?$usage}; N=${4:?$usage}; OUT=${5:?$usage}; shift 5
JAR=${RESPKV_JAR:-$ROOT/respkv-standalone/target/respkv.jar}
[[ -f $JAR ]] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark (apt-get install redis-tools)" >&2; exit 2; }

ASPROF_DIR=${ASPROF_DIR:-/tmp/respkv-async-profiler}
LIB=$(find "$ASPROF_DIR" -path '*linux-x64*' -name libasyncProfiler.so 2>/dev/null | head -1 || true)
if [[ -z $LIB ]]; then
  "$ROOT/mvnw" -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact=tools.profiler:async-profiler:4.1 -DoutputDirectory="$ASPROF_DIR"
  (cd "$ASPROF_DIR" && unzip -o -q async-profiler-4.1.jar -d unpacked)
  LIB=$(find "$ASPROF_DIR" -path '*linux-x64*' -name libasyncProfiler.so | head -1)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-profile.XXXXXX)
PORT=$(free_port)
cleanup() {
  [[ -n ${PID:-} ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
engine_args=(--engine "$ENGINE")
[[ $ENGINE != memory ]] && engine_args+=(--dir "$WORK/data")
# shellcheck disable=SC2086
java ${JAVA_OPTS:--XX:+UseParallelGC -Xms1g -Xmx1g -XX:+AlwaysPreTouch} -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
  -jar "$JAR" --port "$PORT" "${engine_args[@]}" "$@" >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 150); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
bench() { redis-benchmark -p "$PORT" -t "$1" -P "$P" -n "$N" -c 50 -r 100000 -d 64 -q | tr '\r' '\n' | grep -a 'requests per second' | tail -1; }
for t in ${PRE:-$TEST}; do echo "warm-up $t: $(bench "$t")"; done
jcmd "$PID" JVMTI.agent_load "$LIB" "\"start,event=cpu,interval=1ms,file=$OUT,collapsed\"" >/dev/null
cpu0=$(awk '{print $14+$15}' "/proc/$PID/stat")
echo "profiled $TEST: $(bench "$TEST")"
cpu1=$(awk '{print $14+$15}' "/proc/$PID/stat")
jcmd "$PID" JVMTI.agent_load "$LIB" "\"stop,file=$OUT,collapsed\"" >/dev/null
echo "server CPU per request: $(python3 -c "print(round(($cpu1 - $cpu0) * 1e6 / $(getconf CLK_TCK) / $N, 2))") µs (profiler included)"
python3 "$HERE/profile-groups.py" "$OUT"
