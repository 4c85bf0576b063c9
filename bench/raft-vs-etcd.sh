#!/usr/bin/env bash
# raft-vs-etcd.sh [ROUNDS]
#
# Replicated writes side by side, same machine, same run: a 3-node respkv Raft group (RocksDB,
# --durability async: the fsynced Raft log is what makes a write durable), a single respkv node
# (RocksDB, --durability sync) and a 3-member etcd cluster (Debian etcd-server, fsync per
# commit as always). Each round runs, back to back:
#   etcd      puts from 50 clients (bench/etcd/EtcdPutLoad.java, through etcd's HTTP gateway)
#   group     redis-benchmark SET -c 50 -P 1 against the leader, then -P 16
#   single    redis-benchmark SET -c 50 -P 1
# and prints per round and the medians, with the ratios group/etcd and group/single.
#
# Needs: ./mvnw -B -q -DskipTests package (respkv-standalone/target/respkv.jar), etcd and
# redis-benchmark on PATH (apt-get install etcd-server redis-tools). Environment: N (requests
# per run, default 20000), WARM (requests of the warm-up at -P 1, default 60000), WARM16 (at
# -P 16, default 4 x WARM), KEYSPACE (100000), DSIZE (64).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ROUNDS=${1:-5}
N=${N:-20000}
WARM=${WARM:-60000}
KEYSPACE=${KEYSPACE:-100000}
DSIZE=${DSIZE:-64}
JAR=$ROOT/respkv-standalone/target/respkv.jar
[[ -f $JAR ]] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
for t in etcd redis-benchmark redis-cli java; do
  command -v $t >/dev/null || { echo "needs $t (apt-get install etcd-server redis-tools)" >&2; exit 2; }
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/raft-vs-etcd.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# etcd: 3 members
EC=(); EP=(); CLUSTER=""
for i in 0 1 2; do EC[$i]=$(free_port); EP[$i]=$(free_port); CLUSTER+="${CLUSTER:+,}e$i=http://127.0.0.1:${EP[$i]}"; done
for i in 0 1 2; do
  etcd --name e$i --data-dir "$WORK/etcd$i" --listen-client-urls http://127.0.0.1:${EC[$i]} \
       --advertise-client-urls http://127.0.0.1:${EC[$i]} --listen-peer-urls http://127.0.0.1:${EP[$i]} \
       --initial-advertise-peer-urls http://127.0.0.1:${EP[$i]} --initial-cluster "$CLUSTER" \
       --initial-cluster-state new >"$WORK/etcd$i.log" 2>&1 &
  PIDS+=($!)
done

# respkv: a 3-node group and a single node
RP=(); RR=(); PEERS=""
for i in 0 1 2; do RP[$i]=$(free_port); RR[$i]=$(free_port); PEERS+="${PEERS:+,}n$i=127.0.0.1:${RR[$i]}"; done
for i in 0 1 2; do
  java -XX:+UseParallelGC -jar "$JAR" --port ${RP[$i]} --dir "$WORK/n$i" --durability async \
       --raft-id n$i --raft-peers "$PEERS" --raft-dir "$WORK/raft$i" >"$WORK/n$i.log" 2>&1 &
  PIDS+=($!)
done
SP=$(free_port)
java -XX:+UseParallelGC -jar "$JAR" --port $SP --dir "$WORK/single" --durability sync >"$WORK/single.log" 2>&1 &
PIDS+=($!)

leader=""
for _ in $(seq 1 120); do
  for i in 0 1 2; do
    if redis-cli -p ${RP[$i]} set warm 1 >/dev/null 2>&1 && redis-cli -p ${RP[$i]} info replication 2>/dev/null | grep -q role:master; then
      leader=${RP[$i]}
    fi
  done
  [[ -n $leader ]] && redis-cli -p $SP ping >/dev/null 2>&1 && break
  sleep 0.5
done
[[ -n $leader ]] || { echo "no respkv leader" >&2; exit 1; }
for _ in $(seq 1 60); do
  curl -s -X POST -d '{"key":"d2FybQ==","value":"MQ=="}' http://127.0.0.1:${EC[0]}/v3/kv/put >/dev/null 2>&1 && break
  sleep 0.5
done

warm() {
  redis-benchmark -p "$1" -c 50 -n "$WARM" -r "$KEYSPACE" -d "$DSIZE" -t set -P 1 -q >/dev/null 2>&1 || true
  redis-benchmark -p "$1" -c 50 -n "${WARM16:-$((WARM * 4))}" -r "$KEYSPACE" -d "$DSIZE" -t set -P 16 -q >/dev/null 2>&1 || true
}
rps() { redis-benchmark -p "$1" -c 50 -n "$2" -r "$KEYSPACE" -d "$DSIZE" -t set -P "$3" --csv 2>/dev/null | awk -F'"' '/"SET"/{print $4}'; }
# the JIT first: with three JVMs on two cores, compiling takes a third of the CPU for the first
# minute, and respkv's first rounds run at half the rate of the later ones
warm "$leader"; warm "$SP"
echo "round,etcd_put,group_set_p1,group_set_p16,single_set_p1"
ROWS=()
for r in $(seq 1 "$ROUNDS"); do
  e=$(java "$HERE/etcd/EtcdPutLoad.java" http://127.0.0.1:${EC[0]} 50 "$N" "$KEYSPACE" "$DSIZE" | cut -d, -f2)
  g1=$(rps "$leader" "$N" 1)
  g16=$(rps "$leader" $((N * 4)) 16)
  s1=$(rps "$SP" "$N" 1)
  echo "$r,$e,$g1,$g16,$s1"
  ROWS+=("$e $g1 $g16 $s1")
done
printf '%s\n' "${ROWS[@]}" | python3 -c '
import sys, statistics as st
rows=[list(map(float,l.split())) for l in sys.stdin if l.strip()]
med=[st.median(c) for c in zip(*rows)]
print("median,%.0f,%.0f,%.0f,%.0f" % tuple(med))
print("group P1 / etcd: %.2f   group P16 / etcd: %.2f   group P1 / single P1: %.2f" % (med[1]/med[0], med[2]/med[0], med[1]/med[3]))
print("group P1 / 1621 (the seed raft-kv store, 50 clients): %.1fx" % (med[1]/1621))'
