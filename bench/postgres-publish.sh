#!/usr/bin/env bash
# postgres-publish.sh [ROUNDS]
#
# What PUBLISH costs on respkv --engine postgres when other instances share the database:
# redis-benchmark PUBLISH (-c 50, -P 1 and -P 16) against instance A
#   alone:      no other instance on the schema: the message bus sends nothing;
#   others:     a second instance B runs (no subscriber): A sends every message to the bus;
#   subscriber: B has a subscriber on the channel (redis-cli, output counted).
# Prints rates and CPU µs per PUBLISH of A's JVM and of PostgreSQL, per round; ROUNDS default 2.
# Needs what bench/postgres-vs-pgbench.sh needs (a built jar, redis-tools, PostgreSQL binaries).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ROUNDS=${1:-2}
N=${N:-100000}
JAR=$ROOT/respkv-standalone/target/respkv.jar
[[ -f $JAR ]] || { echo "build the jar first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -1)
[[ -x $PGBIN/initdb ]] || { echo "needs PostgreSQL server binaries (apt-get install -y postgresql)" >&2; exit 2; }
command -v redis-benchmark >/dev/null || { echo "needs redis-tools" >&2; exit 2; }
AS_PG=()
[[ $EUID -eq 0 ]] && AS_PG=(runuser -u postgres --)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-publish.XXXXXX); chmod 755 "$WORK"
PGPORT=$(free_port); KA=$(free_port); KB=$(free_port)
PGDATA=$WORK/pgdata
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -d $PGDATA ]] && "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$PGDATA"; [[ $EUID -eq 0 ]] && chown postgres "$WORK" "$PGDATA"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale >"$WORK/initdb.log" 2>&1
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w \
  -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k $WORK -c max_connections=200" start >/dev/null
PG_PID=$(head -1 "$PGDATA/postmaster.pid")
start_respkv() { # port log
  java -XX:+UseParallelGC -jar "$JAR" --port "$1" --engine postgres \
    --pg-url "jdbc:postgresql://127.0.0.1:$PGPORT/postgres" --pg-user postgres --pg-pool-size 8 >"$2" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 150); do redis-cli -p "$1" ping >/dev/null 2>&1 && break; sleep 0.2; done
}
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13 + $14 + $15}'; }
pg_ticks() {
  local t; t=$(ticks "$PG_PID")
  for c in $(cat "/proc/$PG_PID/task/"*/children 2>/dev/null); do
    t=$((t + $(sed 's/^.*) //' "/proc/$c/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
  done
  echo "$t"
}
TCK=$(getconf CLK_TCK)
run() { # label pipeline
  local j0 p0 j1 p1 rate
  j0=$(ticks "$A_PID"); p0=$(pg_ticks)
  rate=$(redis-benchmark -p "$KA" -c 50 -n "$N" -P "$2" --csv PUBLISH news hello-world 2>/dev/null \
    | awk -F'","' 'NR == 2 {gsub(/"/, "", $2); print int($2)}')
  j1=$(ticks "$A_PID"); p1=$(pg_ticks)
  awk -v l="$1" -v p="$2" -v r="$rate" -v j=$((j1 - j0)) -v g=$((p1 - p0)) -v t="$TCK" -v n="$N" 'BEGIN {
    printf "%-10s -P %-2s %7s PUBLISH/s   A JVM %6.1f µs   PostgreSQL %6.1f µs per PUBLISH\n", l, p, r, j / t * 1e6 / n, g / t * 1e6 / n }'
}
start_respkv "$KA" "$WORK/a.log"; A_PID=${PIDS[-1]}
echo "# PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -Is)"
for round in $(seq 1 "$ROUNDS"); do
  [[ $round -gt 1 ]] && { kill "$B_PID" "$SUB_PID" 2>/dev/null || true; sleep 2; }
  for p in 1 16; do run alone "$p"; done
  start_respkv "$KB" "$WORK/b.log"; B_PID=${PIDS[-1]}
  sleep 1.5 # A learns of B at once (hello), and from pg_stat_activity within a second
  for p in 1 16; do run others "$p"; done
  redis-cli -p "$KB" subscribe news >"$WORK/sub-$round.out" 2>&1 &
  SUB_PID=$!; PIDS+=("$SUB_PID"); sleep 0.5
  for p in 1 16; do run subscriber "$p"; done
  sleep 2
  echo "# round $round: B's subscriber received $(grep -c '^hello-world$' "$WORK/sub-$round.out") of $((2 * N)) messages"
done
