#!/usr/bin/env bash
# Copied from the project's shared benchmark tools; see respkv-vs-redis.sh for the wrapper that starts both servers.
# redis-bench.sh TARGET_PORT [LABEL]
#
# Runs redis-benchmark (7.x) against HOST:TARGET_PORT and prints CSV rows
#   label,test,pipeline,rps,p50_ms,p99_ms
# one per test. Each test is a separate redis-benchmark invocation (so a
# command the target does not support yields a row with rps=ERR instead of
# aborting the whole suite, and a hung target yields rps=TIMEOUT).
#
# Default suite (about 25 s against redis-server 7 on the 2-core box):
#   SET,GET at -P 1 and -P 16, then INCR, LPUSH, HSET, ZADD, MSET (10 keys) at -P 1
#   all with -c 50 -n 200000 -r 100000 -d 64
#
# Environment overrides:
#   HOST=127.0.0.1  CLIENTS=50  N=200000  N_P16=$N  KEYSPACE=100000  DSIZE=64
#   TESTS="set:1 get:1 set:16 get:16 incr:1 lpush:1 hset:1 zadd:1 mset:1"
#        (name:pipeline pairs; names are redis-benchmark -t names)
#   HEADER=1        print the CSV header line first (0 = no header)
#   TEST_TIMEOUT=120  seconds per test before it is killed (row gets TIMEOUT)
#   RB=redis-benchmark  path of the redis-benchmark binary
#   RAW_DIR=        if set, raw redis-benchmark csv/stderr is appended there
#   SRV_CPU=1       append a 7th column srv_cpu_us_op: server CPU microseconds per
#                   request (utime+stime+reaped children from /proc/PID/stat, so
#                   it includes JVM GC/JIT threads and Redis AOF-rewrite children),
#                   then srv_user_us_op and srv_sys_us_op, the same split into user
#                   and kernel time (the kernel's share is mostly socket work, which
#                   every server pays alike; the user share is the server's own code).
#                   The server PID is SRV_PID, else found with `ss -ltnp` on the
#                   port (needs root for other users' processes). Less sensitive
#                   to CPU contention than rps; 10 ms tick resolution.
set -uo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 TARGET_PORT [LABEL]" >&2
  exit 2
fi
PORT=$1
LABEL=${2:-port$PORT}
HOST=${HOST:-127.0.0.1}
CLIENTS=${CLIENTS:-50}
N=${N:-200000}
N_P16=${N_P16:-$N}
KEYSPACE=${KEYSPACE:-100000}
DSIZE=${DSIZE:-64}
TESTS=${TESTS:-"set:1 get:1 set:16 get:16 incr:1 lpush:1 hset:1 zadd:1 mset:1"}
HEADER=${HEADER:-1}
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
RB=${RB:-redis-benchmark}
RAW_DIR=${RAW_DIR:-}

command -v "$RB" >/dev/null || { echo "redis-benchmark not found" >&2; exit 2; }

SRV_CPU=${SRV_CPU:-0}
SRV_PID=${SRV_PID:-}
TCK=$(getconf CLK_TCK)
if [[ $SRV_CPU == 1 && -z $SRV_PID ]]; then
  SRV_PID=$(ss -ltnpH "sport = :$PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [[ -z $SRV_PID ]] && echo "[$LABEL] SRV_CPU=1 but no PID found for port $PORT (set SRV_PID)" >&2
fi
# "user sys" clock ticks so far, reaped children included (after the command name, utime is field 12)
cpu_ticks() { [[ -n $SRV_PID && -r /proc/$SRV_PID/stat ]] && sed 's/^.*) //' "/proc/$SRV_PID/stat" | awk '{print $12+$14, $13+$15}'; }

if [[ $HEADER == 1 ]]; then
  if [[ $SRV_CPU == 1 ]]; then echo "label,test,pipeline,rps,p50_ms,p99_ms,srv_cpu_us_op,srv_user_us_op,srv_sys_us_op"
  else echo "label,test,pipeline,rps,p50_ms,p99_ms"; fi
fi

rc_all=0
for spec in $TESTS; do
  t=${spec%%:*}
  p=${spec##*:}
  [[ $p == "$spec" ]] && p=1
  n=$N
  [[ $p -gt 1 ]] && n=$N_P16
  c0=$(cpu_ticks)
  out=$(timeout -k 5 "$TEST_TIMEOUT" "$RB" -h "$HOST" -p "$PORT" -c "$CLIENTS" -n "$n" \
          -r "$KEYSPACE" -d "$DSIZE" -P "$p" -t "$t" --csv 2>/tmp/.rb-err.$$)
  rc=$?
  c1=$(cpu_ticks)
  cpucol=
  if [[ $SRV_CPU == 1 ]]; then
    if [[ -n $c0 && -n $c1 ]]; then
      cpucol=,$(awk -v a="$c0" -v b="$c1" -v t="$TCK" -v n="$n" 'BEGIN {
          split(a, x, " "); split(b, y, " "); u = (y[1] - x[1]) / t * 1e6 / n; k = (y[2] - x[2]) / t * 1e6 / n;
          printf "%.2f,%.2f,%.2f", u + k, u, k }')
    else cpucol=,,,; fi
  fi
  if [[ -n $RAW_DIR ]]; then
    mkdir -p "$RAW_DIR"
    { echo "# $(date -Is) $LABEL port=$PORT test=$t P=$p n=$n rc=$rc"; echo "$out"; cat /tmp/.rb-err.$$; } >>"$RAW_DIR/redis-benchmark.raw"
  fi
  # redis-benchmark csv: "test","rps","avg","min","p50","p95","p99","max"
  row=$(printf '%s\n' "$out" | awk -F'","' -v L="$LABEL" -v P="$p" -v C="$cpucol" '
      NR > 1 && NF >= 7 {
        gsub(/^"|"$/, "", $1); gsub(/"$/, "", $NF);
        name = toupper($1);
        if (name ~ /^MSET/) name = "MSET10";          # "MSET (10 keys)"
        gsub(/[ ,]/, "_", name);
        printf "%s,%s,%s,%s,%s,%s%s\n", L, name, P, $2, $5, $7, C;
      }')
  if [[ -z $row ]]; then
    status=ERR
    [[ $rc -eq 124 || $rc -eq 137 ]] && status=TIMEOUT
    name=$(echo "$t" | tr a-z A-Z); [[ $name == MSET ]] && name=MSET10
    echo "$LABEL,$name,$p,$status,,${cpucol:+,,,}"
    echo "[$LABEL] $t P=$p failed rc=$rc: $(head -c 300 /tmp/.rb-err.$$)" >&2
    rc_all=1
  else
    echo "$row"
  fi
done
rm -f /tmp/.rb-err.$$
exit $rc_all
