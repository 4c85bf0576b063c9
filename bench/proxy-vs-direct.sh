#!/usr/bin/env bash
# proxy-vs-direct.sh [ROUNDS]
#
# The cost of the cluster-routing proxy: starts a one-node Redis Cluster (redis-server 7 with
# cluster-enabled yes, every slot assigned to it, fresh temp dir) and `respkv proxy` in front of
# it, both on free loopback ports, then runs redis-benchmark SET/GET at -c 50 -P 1 and -P 16
# through the proxy and straight to the node, alternating A/B per test for ROUNDS rounds
# (side-by-side.sh), and prints medians, ratios (proxy/direct) and p50/p99 latencies.
#
# Why one node: redis-benchmark without --cluster sends every key to the node it is connected to,
# so against a multi-node cluster two thirds of the "direct" replies would be MOVED errors. With
# one node owning every slot both paths do the same work and the ratio is the proxy's overhead.
#
# Needs: a built jar (./mvnw -B -q -DskipTests package), redis-server, redis-cli and
# redis-benchmark on PATH (Debian: apt-get install redis-server redis-tools).
# Environment: TESTS (default "set:1 get:1 set:16 get:16"), N, N_P16, CLIENTS (default 50),
# JAVA_OPTS (default -XX:+UseParallelGC), PROXY_ARGS (more `respkv proxy` flags),
# RESPKV_JAR (default respkv-standalone/target/respkv.jar); the rest passes to side-by-side.sh.
# WARMUP (default 2): unrecorded rounds of the same tests against both servers first.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export ROUNDS=${1:-5}
# Rounds run first against both servers and not recorded: the JVM compiles its hot paths over
# the first few hundred thousand requests of each command (WARMUP=0 measures from a cold start).
export WARMUP=${WARMUP:-2}
export TESTS=${TESTS:-"set:1 get:1 set:16 get:16"}
export CLIENTS=${CLIENTS:-50}
JAR=${RESPKV_JAR:-$ROOT/respkv-standalone/target/respkv.jar}
[[ -f $JAR ]] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
for tool in redis-server redis-cli redis-benchmark; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install redis-server redis-tools)" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-proxy-bench.XXXXXX)
NP=$(free_port); BUS=$(free_port); PP=$(free_port)
cleanup() {
  [[ -n ${PROXY_PID:-} ]] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null || true
  [[ -n ${NODE_PID:-} ]] && kill "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

redis-server --bind 127.0.0.1 --port "$NP" --dir "$WORK" --save "" --appendonly no \
  --cluster-enabled yes --cluster-config-file "$WORK/nodes.conf" --cluster-port "$BUS" >"$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 100); do redis-cli -p "$NP" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$NP" cluster addslotsrange 0 16383 >/dev/null
for _ in $(seq 1 100); do redis-cli -p "$NP" cluster info | grep -q cluster_state:ok && break; sleep 0.1; done
# shellcheck disable=SC2086
java ${JAVA_OPTS:--XX:+UseParallelGC} -jar "$JAR" proxy --addr "127.0.0.1:$PP" --startup-nodes "127.0.0.1:$NP" \
  ${PROXY_ARGS:-} >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 100); do redis-cli -p "$PP" ping >/dev/null 2>&1 && break; sleep 0.2; done
redis-cli -p "$PP" ping >/dev/null || { echo "proxy did not start:"; cat "$WORK/proxy.log"; exit 1; }
echo "# respkv proxy on $PP (pid $PROXY_PID) vs redis-server cluster node on $NP (pid $NODE_PID); $(nproc) cores; $(date -Is)"
SRV_CPU=1 SRV_PID_A=$PROXY_PID SRV_PID_B=$NODE_PID "$HERE/side-by-side.sh" "$PP" proxy "$NP" direct
