#!/usr/bin/env bash
# thread-cpu-ab.sh TEST PIPELINE N ROUNDS [server args...]
#
# Where two respkv settings differ in CPU, thread by thread: starts the standalone jar twice on
# free loopback ports, each with a fresh temp --dir (A with A_JAVA_OPTS, B with B_JAVA_OPTS, both
# after the README's JVM settings; A_JAR / B_JAR run other builds), runs redis-benchmark TEST
# (-c 50 -r 100000 -d 64 -P PIPELINE -n N) against A then B for ROUNDS rounds after two unrecorded
# rounds each, and prints per run the requests per second, the CPU per request of the event loops
# (respkv-io) and of the sync thread (respkv-sync), and the whole process's, all from
# /proc/PID/task. A thread's own CPU is far steadier than throughput on a shared machine, where
# the other tenants move every process's rate together. PRE=set runs that test, unrecorded, before
# each run of TEST (so a GET finds the keys; PRE=lpush refills a list for LPOP). Example (a
# system property's A/B):
#   A_JAVA_OPTS=-Drespkv.prefetchKeys=false bench/thread-cpu-ab.sh set 16 600000 6 --durability async
#
# Needs: a built jar (./mvnw -B -q -DskipTests package), redis-benchmark and redis-cli on PATH
# (Debian: apt-get install redis-tools), python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: $0 TEST PIPELINE N ROUNDS [server args...]"
TEST=${1:?$usage}; P=${2:?$usage}; N=${3:?$usage}; ROUNDS=${4:?$usage}; shift 4
JAR=$ROOT/respkv-standalone/target/respkv.jar
A_JAR=${A_JAR:-$JAR}; B_JAR=${B_JAR:-$JAR}
[[ -f $A_JAR && -f $B_JAR ]] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark (apt-get install redis-tools)" >&2; exit 2; }
JVM="-XX:+UseParallelGC -Xms1g -Xmx1g -XX:+AlwaysPreTouch"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-thread-cpu.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

start() { # PORT JAR OPTS server-args...
  local port=$1 jar=$2 opts=$3; shift 3
  # shellcheck disable=SC2086
  java $JVM $opts -jar "$jar" --port "$port" --dir "$WORK/$port" "$@" >"$WORK/server-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 150); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.2; done
  echo "server on $port did not start:" >&2; cat "$WORK/server-$port.log" >&2; exit 1
}
PORT_A=$(free_port); start "$PORT_A" "$A_JAR" "${A_JAVA_OPTS:-}" "$@"; PID_A=${PIDS[0]}
PORT_B=$(free_port); start "$PORT_B" "$B_JAR" "${B_JAVA_OPTS:-}" "$@"; PID_B=${PIDS[1]}

# CPU ticks per thread name (numbers stripped: the event loops add up), summed.
ticks() { for t in /proc/"$1"/task/*; do echo "$(tr ' ' _ <"$t/comm" | sed 's/[0-9#-]*$//') $(awk '{print $14+$15}' "$t/stat")"; done \
  | awk '{a[$1]+=$2} END {for (k in a) print k, a[k]}' | sort; }
run() { # LABEL PORT PID TEST
  ticks "$3" >"$WORK/t0"
  local rps
  rps=$(redis-benchmark -p "$2" -t "$4" -P "$P" -n "$N" -c 50 -r 100000 -d 64 -q | tr '\r' '\n' \
    | grep -a 'requests per second' | tail -1 | awk '{print $2}')
  ticks "$3" >"$WORK/t1"
  echo "$1 $rps $(join "$WORK/t0" "$WORK/t1" | awk -v n="$N" -v hz="$(getconf CLK_TCK)" '
    {d=$3-$2; t+=d; if ($1=="respkv-io" || $1=="respkv-sync") printf "%s=%.2f ", $1, d*1e6/hz/n}
    END {printf "process=%.2f us/req", t*1e6/hz/n}')"
}
echo "# A: ${A_JAR} ${A_JAVA_OPTS:-}; B: ${B_JAR} ${B_JAVA_OPTS:-}; $TEST -P $P -n $N; $(nproc) cores; $(date -Is)"
for _ in 1 2; do
  [[ -n ${PRE:-} ]] && { run W "$PORT_A" "$PID_A" "$PRE" >/dev/null; run W "$PORT_B" "$PID_B" "$PRE" >/dev/null; }
  run W "$PORT_A" "$PID_A" "$TEST" >/dev/null; run W "$PORT_B" "$PID_B" "$TEST" >/dev/null
done
for _ in $(seq 1 "$ROUNDS"); do
  [[ -n ${PRE:-} ]] && run W "$PORT_A" "$PID_A" "$PRE" >/dev/null
  run A "$PORT_A" "$PID_A" "$TEST"
  [[ -n ${PRE:-} ]] && run W "$PORT_B" "$PID_B" "$PRE" >/dev/null
  run B "$PORT_B" "$PID_B" "$TEST"
done
