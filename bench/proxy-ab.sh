#!/usr/bin/env bash
# proxy-ab.sh TEST PIPELINE N ROUNDS
#
# Where two proxy settings differ: starts a one-node Redis Cluster (as proxy-vs-direct.sh does)
# and two `respkv proxy` processes in front of the same node (A with A_JAVA_OPTS / A_ARGS / A_JAR,
# B with B_*), fills the node with a SET run, then runs redis-benchmark TEST (-c 50 -r 100000
# -d 64 -P PIPELINE -n N) through A then B for ROUNDS rounds after two unrecorded rounds each, and
# prints per run the requests per second, p50, and the CPU per request of that proxy and of the
# node, then the medians and the median of the paired ratios B/A. Run it twice with A and B swapped:
# on a shared machine the second of a pair often runs faster. Example (two loops against one):
#   B_ARGS="--event-loop-threads 2" bench/proxy-ab.sh get 16 600000 8
#
# Needs: a built jar (./mvnw -B -q -DskipTests package), redis-server, redis-cli and
# redis-benchmark on PATH (Debian: apt-get install redis-server redis-tools), python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: $0 TEST PIPELINE N ROUNDS"
TEST=${1:?$usage}; P=${2:?$usage}; N=${3:?$usage}; ROUNDS=${4:?$usage}
JAR=$ROOT/respkv-standalone/target/respkv.jar
A_JAR=${A_JAR:-$JAR}; B_JAR=${B_JAR:-$JAR}
[[ -f $A_JAR && -f $B_JAR ]] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
for tool in redis-server redis-cli redis-benchmark; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install redis-server redis-tools)" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-proxy-ab.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
NP=$(free_port); BUS=$(free_port); PA=$(free_port); PB=$(free_port)
redis-server --bind 127.0.0.1 --port "$NP" --dir "$WORK" --save "" --appendonly no \
  --cluster-enabled yes --cluster-config-file "$WORK/nodes.conf" --cluster-port "$BUS" >"$WORK/node.log" 2>&1 &
NODE_PID=$!; PIDS+=("$NODE_PID")
for _ in $(seq 1 100); do redis-cli -p "$NP" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$NP" cluster addslotsrange 0 16383 >/dev/null
for _ in $(seq 1 100); do redis-cli -p "$NP" cluster info | grep -q cluster_state:ok && break; sleep 0.1; done
# shellcheck disable=SC2086
java -XX:+UseParallelGC ${A_JAVA_OPTS:-} -jar "$A_JAR" proxy --addr "127.0.0.1:$PA" --startup-nodes "127.0.0.1:$NP" \
  ${A_ARGS:-} >"$WORK/proxy-a.log" 2>&1 &
A_PID=$!; PIDS+=("$A_PID")
# shellcheck disable=SC2086
java -XX:+UseParallelGC ${B_JAVA_OPTS:-} -jar "$B_JAR" proxy --addr "127.0.0.1:$PB" --startup-nodes "127.0.0.1:$NP" \
  ${B_ARGS:-} >"$WORK/proxy-b.log" 2>&1 &
B_PID=$!; PIDS+=("$B_PID")
for port in "$PA" "$PB"; do
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
  redis-cli -p "$port" ping >/dev/null || { echo "a proxy did not start:"; cat "$WORK"/proxy-*.log; exit 1; }
done

run() { redis-benchmark -p "$1" -t "$TEST" -P "$P" -n "$N" -c 50 -r 100000 -d 64 -q | tr '\r' '\n' \
          | grep -a 'requests per second' | tail -1 | awk '{print $2, $6}'; }
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
redis-benchmark -p "$PA" -t set -P 16 -n 400000 -c 50 -r 100000 -d 64 -q >/dev/null 2>&1
for _ in 1 2; do run "$PA" >/dev/null; run "$PB" >/dev/null; done
echo "# A: ${A_JAR} ${A_JAVA_OPTS:-} ${A_ARGS:-} | B: ${B_JAR} ${B_JAVA_OPTS:-} ${B_ARGS:-}; $TEST -P $P -n $N; $(nproc) cores; $(date -Is)"
HZ=$(getconf CLK_TCK)
for ((r = 1; r <= ROUNDS; r++)); do
  for side in A B; do
    if [[ $side == A ]]; then port=$PA; pid=$A_PID; else port=$PB; pid=$B_PID; fi
    p0=$(ticks "$pid"); n0=$(ticks "$NODE_PID")
    read -r rps p50 < <(run "$port")
    p1=$(ticks "$pid"); n1=$(ticks "$NODE_PID")
    echo "$side $rps $p50 $(python3 -c "print(f'proxy={($p1-$p0)*1e6/$HZ/$N:.2f} node={($n1-$n0)*1e6/$HZ/$N:.2f} us/req')")"
  done
done | tee "$WORK/rows"
python3 - "$WORK/rows" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
a = [float(r[1]) for r in rows if r[0] == 'A']
b = [float(r[1]) for r in rows if r[0] == 'B']
cpu = lambda side: statistics.median(float(r[3].split('=')[1]) for r in rows if r[0] == side)
pairs = [y / x for x, y in zip(a, b)]
print(f"median rps A {statistics.median(a):.0f} B {statistics.median(b):.0f}; paired B/A {statistics.median(pairs):.3f} "
      f"({min(pairs):.2f}-{max(pairs):.2f}); proxy CPU us/req A {cpu('A'):.2f} B {cpu('B'):.2f}")
EOF
