#!/usr/bin/env bash
# tls-cost.sh CERT_DIR [ROUNDS]
#
# The cost of TLS: redis-benchmark SET and GET at -P 1 and -P 16 against respkv (memory engine)
# on its plain port and its TLS port, and a redis-server 7 on its plain and TLS ports, the four
# targets alternated within each round (A/B/C/D, ROUNDS rounds, default 3), medians printed.
# CERT_DIR holds ca.crt, server.crt, server.key (PEM; see TlsExample's Javadoc for openssl
# commands). tls-auth-clients no on both servers: the handshake happens once per connection,
# and this measures the record layer.
#
# Needs: the built jar (./mvnw -B -q -DskipTests package), redis-server and redis-benchmark with
# TLS on PATH (Debian's 7.0.15 has it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CERTS=${1:?usage: $0 CERT_DIR [ROUNDS]}
ROUNDS=${2:-3}
N=${N:-200000}; N_P16=${N_P16:-1000000}; CLIENTS=${CLIENTS:-50}
JAR=${RESPKV_JAR:-$ROOT/respkv-standalone/target/respkv.jar}
[[ -f $JAR ]] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/respkv-tls-bench.XXXXXX)
KP=$(free_port); KT=$(free_port); RP=$(free_port); RT=$(free_port)
cleanup() {
  [[ -n ${RESPKV_PID:-} ]] && kill "$RESPKV_PID" 2>/dev/null && wait "$RESPKV_PID" 2>/dev/null || true
  [[ -n ${REDIS_PID:-} ]] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
tls=(--tls-cert-file "$CERTS/server.crt" --tls-key-file "$CERTS/server.key" --tls-ca-cert-file "$CERTS/ca.crt"
     --tls-auth-clients no)
(cd "$WORK" && exec redis-server --bind 127.0.0.1 --port "$RP" --tls-port "$RT" "${tls[@]}" --save "" \
   --appendonly no >"$WORK/redis.log" 2>&1) &
REDIS_PID=$!
java ${JAVA_OPTS:--XX:+UseParallelGC} -jar "$JAR" --engine memory --port "$KP" --tls-port "$KT" "${tls[@]}" \
  >"$WORK/respkv.log" 2>&1 &
RESPKV_PID=$!
for _ in $(seq 1 100); do
  redis-cli -p "$RP" ping >/dev/null 2>&1 && redis-cli -p "$KP" ping >/dev/null 2>&1 && break
  sleep 0.2
done
echo "# $(head -1 "$WORK/respkv.log"); redis-server $(redis-server --version | cut -d' ' -f3); $(nproc) cores; $(date -Is)"
run() { # port tls? pipeline test -> requests per second
  local extra=() n=$N
  [[ $2 == tls ]] && extra=(--tls --cacert "$CERTS/ca.crt")
  [[ $3 == 16 ]] && n=$N_P16
  redis-benchmark -h 127.0.0.1 -p "$1" "${extra[@]}" -c "$CLIENTS" -n "$n" -P "$3" -t "$4" -r 100000 -q --csv \
    | tail -1 | cut -d, -f2 | tr -d '"'
}
declare -A results
targets=("respkv-plain $KP plain" "respkv-tls $KT tls" "redis-plain $RP plain" "redis-tls $RT tls")
for round in $(seq 1 "$ROUNDS"); do
  for p in 1 16; do
    for t in set get; do
      for target in "${targets[@]}"; do
        read -r name port mode <<<"$target"
        results["$name $t P$p"]+="$(run "$port" "$mode" "$p" "$t") "
      done
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-8s %-4s %14s %14s %8s %14s %14s %8s\n' test P respkv-plain respkv-tls tls/plain redis-plain redis-tls tls/plain
for p in 1 16; do
  for t in set get; do
    kp=$(echo "${results["respkv-plain $t P$p"]}" | median); kt=$(echo "${results["respkv-tls $t P$p"]}" | median)
    rp=$(echo "${results["redis-plain $t P$p"]}" | median); rt=$(echo "${results["redis-tls $t P$p"]}" | median)
    printf '%-8s %-4s %14s %14s %8.2f %14s %14s %8.2f\n' "$t" "$p" "$kp" "$kt" "$(echo "$kt / $kp" | bc -l)" \
      "$rp" "$rt" "$(echo "$rt / $rp" | bc -l)"
  done
done
