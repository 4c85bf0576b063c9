#!/usr/bin/env bash
# idle-connections.sh [N]
#
# What N idle connections (default 10000) cost: runs IdleConnectionsHeapTest with
# -Drespkv.idleConnections=N. It starts a respkv server (memory engine) in a child JVM, opens N
# loopback connections that each run one PING and stay idle, and compares the child's heap after
# full GCs and its RSS before and after; then the same N clients against redis-server 7.0.15
# (embedded-redis), comparing used_memory and used_memory_rss. Prints one line per run.
#
# Needs: ulimit -n above N + 1000 (both ends of every connection live on this machine: this JVM
# holds the client sockets, the child JVM or redis-server the server sockets).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${1:-10000}
ulimit -n "$((N + 2000))" 2>/dev/null || true
(( $(ulimit -n) > N + 1000 )) || { echo "ulimit -n is $(ulimit -n): needs more than $((N + 1000))" >&2; exit 2; }
cd "$ROOT"
./mvnw -B -q -pl respkv-server test -Dtest=IdleConnectionsHeapTest \
  -Drespkv.idleConnections="$N" -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | grep -E "idle connections|FAIL|ERROR" || true
