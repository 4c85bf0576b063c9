#!/usr/bin/env bash
# postgres-vs-pgbench.sh [ROUNDS]
#
# How close respkv's PostgreSQL engine comes to PostgreSQL itself doing the same work.
#
# Starts a PostgreSQL server (initdb into a temp dir, a free loopback port, fsync and
# synchronous_commit on, as installed) and, on that same database:
#   * pgbench with two custom scripts on a table shaped like respkv's (k bytea PRIMARY KEY,
#     v bytea NOT NULL, fillfactor 90; the same keys and value sizes respkv stores):
#       set: INSERT ... ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v   (one upsert)
#       get: SELECT v FROM ... WHERE k = $1                             (one point select)
#     -c 50 clients, -M prepared (as pgjdbc prepares respkv's statements), -T SECS seconds;
#   * redis-benchmark SET and GET (-c 50 -r 100000 -d 64, at -P 1 and -P 16) against the
#     standalone respkv jar with --engine postgres on that database.
# Both key spaces are preloaded with the same 100,000 keys. Tests alternate pgbench / respkv
# for ROUNDS rounds (default 3); prints each run, then medians and respkv/pgbench ratios.
#
# Needs (checked below): a built jar (./mvnw -B -q -DskipTests package), java, redis-benchmark
# and redis-cli (Debian: apt-get install -y redis-tools), PostgreSQL's server binaries (initdb,
# pg_ctl, postgres), psql and pgbench (Debian: apt-get install -y postgresql; found on PATH or
# in /usr/lib/postgresql/*/bin). Run as root, PostgreSQL runs as the user "postgres".
#
# Environment: SECS=10 (pgbench seconds per run), N=100000 (redis-benchmark requests at -P 1),
# N_P16=300000, CLIENTS=50, KEYSPACE=100000, PG_POOL=16 (respkv's --pg-pool-size),
# RESPKV_ARGS (more respkv options), JAVA_OPTS (default -XX:+UseParallelGC).
# B_JAVA_OPTS: if set, a second respkv ("respkv-b") with these JVM options runs on the same
# database, and every respkv test runs on both, alternating which goes first: an A/B comparison
# in one run (e.g. B_JAVA_OPTS="-XX:+UseParallelGC -Drespkv.batchPipelinedSets=false").
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ROUNDS=${1:-3}
SECS=${SECS:-10}
N=${N:-100000}
N_P16=${N_P16:-300000}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
PG_POOL=${PG_POOL:-16}
JAR=$ROOT/respkv-standalone/target/respkv.jar

missing=()
[[ -f $JAR ]] || missing+=("the respkv jar: ./mvnw -B -q -DskipTests package")
command -v java >/dev/null || missing+=("java (17+)")
command -v python3 >/dev/null || missing+=("python3")
command -v redis-benchmark >/dev/null && command -v redis-cli >/dev/null \
  || missing+=("redis-benchmark and redis-cli: apt-get install -y redis-tools")
PGBIN=
for d in "$(command -v pg_config >/dev/null && pg_config --bindir 2>/dev/null)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  [[ -n $d && -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] && { PGBIN=$d; break; }
done
[[ -n $PGBIN ]] || missing+=("PostgreSQL server binaries (initdb, pg_ctl, postgres): apt-get install -y postgresql")
PGBENCH=$(command -v pgbench || { [[ -n $PGBIN && -x $PGBIN/pgbench ]] && echo "$PGBIN/pgbench"; } || true)
PSQL=$(command -v psql || { [[ -n $PGBIN && -x $PGBIN/psql ]] && echo "$PGBIN/psql"; } || true)
[[ -n $PGBENCH ]] || missing+=("pgbench: apt-get install -y postgresql (postgresql-contrib on older releases)")
[[ -n $PSQL ]] || missing+=("psql: apt-get install -y postgresql-client")
if ((${#missing[@]})); then
  printf 'postgres-vs-pgbench.sh needs:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi
AS_PG=()
if [[ $EUID -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || { echo "running as root: PostgreSQL needs a user 'postgres' to run as" >&2; exit 2; }
  AS_PG=(runuser -u postgres --)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-pgbench.XXXXXX)
chmod 755 "$WORK"
PGPORT=$(free_port); KP=$(free_port); KP_B=$(free_port)
PGDATA=$WORK/pgdata
cleanup() {
  [[ -n ${RESPKV_PID:-} ]] && kill "$RESPKV_PID" 2>/dev/null && wait "$RESPKV_PID" 2>/dev/null || true
  [[ -n ${RESPKV_B_PID:-} ]] && kill "$RESPKV_B_PID" 2>/dev/null && wait "$RESPKV_B_PID" 2>/dev/null || true
  [[ -d $PGDATA ]] && "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$PGDATA"
[[ $EUID -eq 0 ]] && chown postgres "$WORK" "$PGDATA"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale >"$WORK/initdb.log" 2>&1
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w \
  -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k $WORK -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres
psql_q() { "$PSQL" -X -q -v ON_ERROR_STOP=1 "$@"; }

# respkv first: it creates its schema (table respkv.respkv_kv) on first connect.
# shellcheck disable=SC2086
java ${JAVA_OPTS:--XX:+UseParallelGC} -jar "$JAR" --port "$KP" --engine postgres \
  --pg-url "jdbc:postgresql://127.0.0.1:$PGPORT/postgres" --pg-user postgres --pg-pool-size "$PG_POOL" \
  ${RESPKV_ARGS:-} >"$WORK/respkv.log" 2>&1 &
RESPKV_PID=$!
for _ in $(seq 1 150); do redis-cli -p "$KP" ping >/dev/null 2>&1 && break; sleep 0.2; done
redis-cli -p "$KP" ping >/dev/null || { echo "respkv did not start:" >&2; cat "$WORK/respkv.log" >&2; exit 1; }
if [[ -n ${B_JAVA_OPTS:-} ]]; then
  # shellcheck disable=SC2086
  java $B_JAVA_OPTS -jar "$JAR" --port "$KP_B" --engine postgres \
    --pg-url "jdbc:postgresql://127.0.0.1:$PGPORT/postgres" --pg-user postgres --pg-pool-size "$PG_POOL" \
    ${RESPKV_ARGS:-} >"$WORK/respkv-b.log" 2>&1 &
  RESPKV_B_PID=$!
  for _ in $(seq 1 150); do redis-cli -p "$KP_B" ping >/dev/null 2>&1 && break; sleep 0.2; done
  redis-cli -p "$KP_B" ping >/dev/null || { echo "respkv-b did not start:" >&2; cat "$WORK/respkv-b.log" >&2; exit 1; }
fi

# The same rows on both sides: respkv's metadata entry of a 64-byte string value, as
# docs/encoding.md lays it out: key 'M' | db 0 (2 bytes) | "key:000000012345" (what
# redis-benchmark -r sends); value format 1 | type 0 | expire-at 0 (8 bytes) | 64 bytes "x".
VALUE_HEX="01000000000000000000$(printf '78%.0s' $(seq 1 64))"
psql_q <<SQL
CREATE SCHEMA bench;
CREATE TABLE bench.kv (k bytea PRIMARY KEY, v bytea NOT NULL) WITH (fillfactor = 90);
INSERT INTO bench.kv SELECT '\\x4d0000'::bytea || convert_to('key:' || lpad(i::text, 12, '0'), 'UTF8'),
    '\\x$VALUE_HEX'::bytea FROM generate_series(0, $KEYSPACE - 1) i;
INSERT INTO respkv.respkv_kv SELECT k, v FROM bench.kv;
VACUUM ANALYZE bench.kv;
VACUUM ANALYZE respkv.respkv_kv;
SQL
cat >"$WORK/set.sql" <<SQL
\\set r random(0, $KEYSPACE - 1)
INSERT INTO bench.kv (k, v) VALUES ('\\x4d0000'::bytea || convert_to('key:' || lpad(:r::text, 12, '0'), 'UTF8'), '\\x$VALUE_HEX'::bytea) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;
SQL
cat >"$WORK/get.sql" <<SQL
\\set r random(0, $KEYSPACE - 1)
SELECT v FROM bench.kv WHERE k = '\\x4d0000'::bytea || convert_to('key:' || lpad(:r::text, 12, '0'), 'UTF8');
SQL

# CPU time (clock ticks) of the respkv JVM, and of PostgreSQL: the postmaster with its live
# children and those it reaped (backends of closed connections), from /proc/PID/stat.
TCK=$(getconf CLK_TCK)
PG_PID=$(head -1 "$PGDATA/postmaster.pid")
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13 + $14 + $15}'; }
pg_ticks() {
  local t; t=$(ticks "$PG_PID")
  for c in $(cat "/proc/$PG_PID/task/"*/children 2>/dev/null); do
    t=$((t + $(sed 's/^.*) //' "/proc/$c/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
  done
  echo "$t"
}
# Runs "$@" (a load generator), then prints: ops/s, and CPU µs per op of respkv, PostgreSQL, the generator.
measure() { # OPS_PARSER cmd...
  local parse=$1; shift
  local j0 p0 j1 p1 out ops rate cu
  j0=$(ticks "$CUR_PID"); p0=$(pg_ticks)
  local t0; t0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  out=$(TIMEFORMAT='%U %S'; { time "$@" 2>/dev/null; } 2>&1)
  j1=$(ticks "$CUR_PID"); p1=$(pg_ticks)
  rate=$(printf '%s\n' "$out" | $parse)
  cu=$(printf '%s\n' "$out" | tail -1)
  ops=$(printf '%s\n' "$out" | $parse ops)
  awk -v r="$rate" -v n="$ops" -v j=$((j1 - j0)) -v p=$((p1 - p0)) -v cu="$cu" -v t="$TCK" 'BEGIN {
      split(cu, c, " "); if (n <= 0) { print r; exit }
      printf "%s %.1f %.1f %.1f\n", r, j / t * 1e6 / n, p / t * 1e6 / n, (c[1] + c[2]) * 1e6 / n }'
}
parse_pgbench() { if [[ ${1:-} == ops ]]; then awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]; exit}'
                  else awk '/^tps = / {print int($3); exit}'; fi; }
parse_rb() { if [[ ${1:-} == ops ]]; then echo "$RB_N"; else awk -F'","' '/^"(SET|GET)"/ {gsub(/"/, "", $2); print int($2); exit}'; fi; }
pgbench_run() { # script
  CUR_PID=$RESPKV_PID
  measure parse_pgbench "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECS" -f "$WORK/$1.sql"
}
respkv_run() { # test pipeline [port pid]
  RB_N=$N; [[ $2 -gt 1 ]] && RB_N=$N_P16
  CUR_PID=${4:-$RESPKV_PID}
  measure parse_rb redis-benchmark -h 127.0.0.1 -p "${3:-$KP}" -c "$CLIENTS" -n "$RB_N" -r "$KEYSPACE" -d 64 -P "$2" -t "$1" --csv
}

echo "# PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on $PGPORT (fsync on, synchronous_commit on),"
echo "# respkv --engine postgres --pg-pool-size $PG_POOL on $KP; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -Is)"
echo "# pgbench -c $CLIENTS -j 2 -M prepared -T $SECS; redis-benchmark -c $CLIENTS -r $KEYSPACE -d 64, -n $N (P1) / $N_P16 (P16)"
RESULTS=$WORK/results
: >"$RESULTS"
echo "# round generator test P ops/s, then CPU µs per op: respkv JVM, PostgreSQL (all processes), the load generator"
for round in $(seq 1 "$ROUNDS"); do
  for t in set get; do
    v=$(pgbench_run "$t"); echo "$round pgbench $t 1 ${v:-ERR}" | tee -a "$RESULTS"
    for p in 1 16; do
      if [[ -n ${RESPKV_B_PID:-} ]] && ((round % 2 == 0)); then
        v=$(respkv_run "$t" "$p" "$KP_B" "$RESPKV_B_PID"); echo "$round respkv-b $t $p ${v:-ERR}" | tee -a "$RESULTS"
      fi
      v=$(respkv_run "$t" "$p"); echo "$round respkv $t $p ${v:-ERR}" | tee -a "$RESULTS"
      if [[ -n ${RESPKV_B_PID:-} ]] && ((round % 2 == 1)); then
        v=$(respkv_run "$t" "$p" "$KP_B" "$RESPKV_B_PID"); echo "$round respkv-b $t $p ${v:-ERR}" | tee -a "$RESULTS"
      fi
    done
  done
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
runs = {}
cpu = {}
for line in open(sys.argv[1]):
    r, who, test, p, v, *c = line.split()
    if v != "ERR":
        runs.setdefault((who, test, int(p)), []).append(int(v))
        if len(c) == 3:
            cpu.setdefault((who, test, int(p)), []).append([float(x) for x in c])
def med(k):
    return statistics.median(runs[k]) if k in runs else float("nan")
print()
print("| test | pgbench TPS (median, min-max) | respkv -P 1 rps | ratio | respkv -P 16 rps | ratio |")
print("|---|---:|---:|---:|---:|---:|")
for test in ("set", "get"):
    pg = med(("pgbench", test, 1)); r1 = med(("respkv", test, 1)); r16 = med(("respkv", test, 16))
    def rng(k):
        v = runs.get(k, [])
        return f"{min(v):,}-{max(v):,}" if v else "-"
    print(f"| {test.upper()} | {pg:,.0f} ({rng(('pgbench', test, 1))}) | {r1:,.0f} ({rng(('respkv', test, 1))}) "
          f"| **{r1 / pg:.2f}** | {r16:,.0f} ({rng(('respkv', test, 16))}) | **{r16 / pg:.2f}** |")
if any(k[0] == "respkv-b" for k in runs):
    print()
    print("respkv-b (B_JAVA_OPTS), same rounds:")
    print()
    print("| test | respkv-b -P 1 rps | ratio to pgbench | respkv-b -P 16 rps | ratio to pgbench |")
    print("|---|---:|---:|---:|---:|")
    for test in ("set", "get"):
        pg = med(("pgbench", test, 1)); b1 = med(("respkv-b", test, 1)); b16 = med(("respkv-b", test, 16))
        print(f"| {test.upper()} | {b1:,.0f} | **{b1 / pg:.2f}** | {b16:,.0f} | **{b16 / pg:.2f}** |")
print()
print("CPU µs per operation (medians): respkv JVM / PostgreSQL / load generator")
print()
print("| run | respkv | PostgreSQL | generator | total |")
print("|---|---:|---:|---:|---:|")
for k in sorted(cpu):
    m = [statistics.median(x[i] for x in cpu[k]) for i in range(3)]
    who, test, p = k
    name = f"pgbench {test.upper()}" if who == "pgbench" else f"{who} {test.upper()} -P {p}"
    print(f"| {name} | {m[0]:.1f} | {m[1]:.1f} | {m[2]:.1f} | {sum(m):.1f} |")
PY
