#!/usr/bin/env bash
# Copied from the project's shared benchmark tools; see respkv-vs-redis.sh for the wrapper that starts both servers.
# side-by-side.sh PORT_A LABEL_A PORT_B LABEL_B
#
# Runs the redis-bench.sh suite against two RESP servers, alternating A B A B
# for ROUNDS rounds, and prints per test:
#   median rps of A and of B (with min/max over the rounds), the ratio
#   median(A)/median(B), and the min/max of the per-round paired ratios A_r/B_r.
# On a shared, noisy 2-core box only the ratios are meaningful.
#
# Alternation granularity (MODE):
#   MODE=test  (default) for each round, for each test: A then B back to back,
#              so a pair of measurements is seconds apart (best for noise).
#   MODE=suite for each round: the whole suite on A, then the whole suite on B.
# Per server, the tests always run in suite order (SET before GET, so GET hits).
#
# Environment: ROUNDS=3, WARMUP=0 (rounds run first and not recorded), TESTS=..., N, N_P16,
#   CLIENTS, KEYSPACE, DSIZE, HOST
#   (passed through to redis-bench.sh), RAW=path of raw CSV
#   (default /tmp/bench/runs/sbs-<time>-<A>-vs-<B>.csv), FLUSH=1 to run
#   FLUSHALL on both targets before round 1 (needs redis-cli; target must
#   support FLUSHALL), SRV_CPU=1 to also record server CPU microseconds per
#   request (see redis-bench.sh; server PIDs auto-detected from the ports, or
#   give SRV_PID_A / SRV_PID_B) and report their medians and ratio.
# Output columns: test,pipeline, per label median/min/max rps, ratio of medians,
#   median/min/max of the per-round paired ratios, median p50/p99 per label
#   [, median srv_cpu_us_op per label and their ratio A/B, then the median user and kernel
#   (sys) parts of each label's CPU per request, when SRV_CPU=1].
set -uo pipefail
if [[ $# -lt 4 ]]; then
  echo "usage: $0 PORT_A LABEL_A PORT_B LABEL_B" >&2
  exit 2
fi
PA=$1 LA=$2 PB=$3 LB=$4
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-3}
MODE=${MODE:-test}
TESTS=${TESTS:-"set:1 get:1 set:16 get:16 incr:1 lpush:1 hset:1 zadd:1 mset:1"}
HOST=${HOST:-127.0.0.1}
mkdir -p /tmp/bench/runs
RAW=${RAW:-/tmp/bench/runs/sbs-$(date +%Y%m%d-%H%M%S)-$LA-vs-$LB.csv}
export HOST

if [[ ${FLUSH:-0} == 1 ]]; then
  redis-cli -h "$HOST" -p "$PA" flushall >/dev/null
  redis-cli -h "$HOST" -p "$PB" flushall >/dev/null
fi

SRV_CPU=${SRV_CPU:-0}
export SRV_CPU
if [[ $SRV_CPU == 1 ]]; then
  echo "round,label,test,pipeline,rps,p50_ms,p99_ms,srv_cpu_us_op,srv_user_us_op,srv_sys_us_op" >"$RAW"
else
  echo "round,label,test,pipeline,rps,p50_ms,p99_ms" >"$RAW"
fi
one() { # round port label tests
  local sp=${SRV_PID_A:-}
  [[ $3 == "$LB" ]] && sp=${SRV_PID_B:-}
  HEADER=0 SRV_PID=$sp TESTS="$4" "$HERE/redis-bench.sh" "$2" "$3" | sed "s/^/$1,/" | tee -a "$RAW" >&2
}
start=$(date +%s)
# Warm-up rounds: the same sequence as a measured round, A then B per test, nothing recorded (a
# JVM server compiles its hot paths during its first few hundred thousand requests of each kind).
WARMUP=${WARMUP:-0}
for ((w = 1; w <= WARMUP; w++)); do
  for spec in $TESTS; do
    HEADER=0 SRV_CPU=0 TESTS="$spec" "$HERE/redis-bench.sh" "$PA" "$LA" >/dev/null 2>&1
    HEADER=0 SRV_CPU=0 TESTS="$spec" "$HERE/redis-bench.sh" "$PB" "$LB" >/dev/null 2>&1
  done
  echo "# warm-up round $w of $WARMUP done (not recorded)" >&2
done
for ((r = 1; r <= ROUNDS; r++)); do
  if [[ $MODE == suite ]]; then
    one "$r" "$PA" "$LA" "$TESTS"
    one "$r" "$PB" "$LB" "$TESTS"
  else
    for spec in $TESTS; do
      one "$r" "$PA" "$LA" "$spec"
      one "$r" "$PB" "$LB" "$spec"
    done
  fi
done
echo "# raw rows: $RAW  ($(( $(date +%s) - start )) s, $ROUNDS rounds, MODE=$MODE)" >&2

awk -F, -v A="$LA" -v B="$LB" -v CPU="$SRV_CPU" '
function median(s,   n, i, j, a, t) {           # s = space separated numbers
  n = split(s, a, " ");
  if (n == 0) return "NA";
  for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t; }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2;
}
function f0(x) { return (x == "NA") ? "NA" : sprintf("%.0f", x) }
function mn(s,  n, i, a, m) { n = split(s, a, " "); if (!n) return "NA"; m = a[1] + 0; for (i = 2; i <= n; i++) if (a[i] + 0 < m) m = a[i] + 0; return m }
function mx(s,  n, i, a, m) { n = split(s, a, " "); if (!n) return "NA"; m = a[1] + 0; for (i = 2; i <= n; i++) if (a[i] + 0 > m) m = a[i] + 0; return m }
NR == 1 { next }
{
  k = $3 "," $4;
  if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
  if ($5 !~ /^[0-9.]+$/) { bad[$2 "," k] = $5; next }
  rps[$2 "," k] = rps[$2 "," k] " " $5;
  p50[$2 "," k] = p50[$2 "," k] " " $6;
  p99[$2 "," k] = p99[$2 "," k] " " $7;
  if (NF >= 8 && $8 ~ /^[0-9.]+$/) cpu[$2 "," k] = cpu[$2 "," k] " " $8;
  if (NF >= 10 && $9 ~ /^[0-9.]+$/) { usr[$2 "," k] = usr[$2 "," k] " " $9; sys[$2 "," k] = sys[$2 "," k] " " $10 }
  v[$2 "," k "," $1] = $5;
}
END {
  printf "test,pipeline," A "_rps_med," A "_min," A "_max," B "_rps_med," B "_min," B "_max,ratio_" A "/" B ",paired_ratio_med,paired_ratio_min,paired_ratio_max," A "_p50," A "_p99," B "_p50," B "_p99";
  print (CPU == 1) ? "," A "_cpu_us_op," B "_cpu_us_op,cpu_ratio_" A "/" B "," A "_user_us_op," A "_sys_us_op," B "_user_us_op," B "_sys_us_op" : "";
  for (i = 1; i <= nk; i++) {
    k = order[i]; ka = A "," k; kb = B "," k;
    ma = median(rps[ka]); mb = median(rps[kb]);
    pr = "";
    for (r = 1; r <= 1000; r++) if ((ka "," r) in v && (kb "," r) in v && v[kb "," r] > 0) pr = pr " " v[ka "," r] / v[kb "," r];
    ratio = (ma != "NA" && mb != "NA" && mb > 0) ? sprintf("%.3f", ma / mb) : "NA";
    printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s", k,
      f0(ma), f0(mn(rps[ka])), f0(mx(rps[ka])), f0(mb), f0(mn(rps[kb])), f0(mx(rps[kb])), ratio,
      (pr == "" ? "NA" : sprintf("%.3f", median(pr))),
      (pr == "" ? "NA" : sprintf("%.3f", mn(pr))), (pr == "" ? "NA" : sprintf("%.3f", mx(pr))),
      median(p50[ka]), median(p99[ka]), median(p50[kb]), median(p99[kb]);
    if (CPU == 1) {
      ca = median(cpu[ka]); cb = median(cpu[kb]);
      printf ",%s,%s,%s", ca, cb, (ca != "NA" && cb != "NA" && cb > 0) ? sprintf("%.3f", ca / cb) : "NA";
      printf ",%s,%s,%s,%s", median(usr[ka]), median(sys[ka]), median(usr[kb]), median(sys[kb]);
    }
    printf "\n";
    if ((ka in bad) || (kb in bad)) printf "# %s: %s=%s %s=%s\n", k, A, (ka in bad) ? bad[ka] : "ok", B, (kb in bad) ? bad[kb] : "ok";
  }
}' "$RAW"
