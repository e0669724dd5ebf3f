#!/usr/bin/env bash
# Throughput, p99 and server CPU per request of two `llmshield serve`
# binaries (e.g. an old commit and this one) on the same configuration, in
# the same run. Both servers run as their own processes; the load comes
# from wrk (one thread, a light C client) and from `loadtest --url` of
# binary B (the same client for both), one server after the other,
# alternating which goes first each round. Server CPU per request is read
# from /proc, so other processes on a shared machine count less than in
# req/s. Prints every run, then medians and B/A ratios.
#
# Usage: scripts/compare/serve-ab.sh BIN_A BIN_B CONFIG.yaml [ROUNDS] [PATH]
#   ROUNDS defaults to 4, PATH to /analyze/prompt. The body is a 1 KB
#   benign prompt, as the config-1KB scenario of `llmshield loadtest`.
#   CONFIG should preload its models (models.preload: true) and log at
#   warn (server.log.level: warn), so that neither server logs each request.
# Environment: SERVE_AB_CONCURRENCY (default 8), SERVE_AB_SECONDS (default 4),
#   LLMSHIELD_ORT_LIB as for `serve`. Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,17p "$0"; exit 2; }
a=$1 b=$2 cfg=$3 rounds=${4:-4} path=${5:-/analyze/prompt}
conc=${SERVE_AB_CONCURRENCY:-8} secs=${SERVE_AB_SECONDS:-4}
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 2; }
tmp=$(mktemp -d)
python3 - "$tmp/body.json" <<'EOF'
import json, sys
text = ("Please summarise the quarterly report for the board, highlighting revenue growth, "
        "customer retention and the main risks for the next two quarters. Keep it short and factual. ")
json.dump({"prompt": (text * 20)[:1024]}, open(sys.argv[1], "w"))
EOF
cat >"$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$tmp/body.json", "rb")
wrk.body = f:read("*all")
f:close()
EOF
"$a" serve --config "$cfg" --addr 127.0.0.1:18081 2>"$tmp/a.log" & pa=$!
"$b" serve --config "$cfg" --addr 127.0.0.1:18082 2>"$tmp/b.log" & pb=$!
trap 'kill $pa $pb 2>/dev/null; wait $pa $pb 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  curl -sf -o /dev/null http://127.0.0.1:18081/healthz && curl -sf -o /dev/null http://127.0.0.1:18082/healthz && break
  sleep 0.2
done
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; } # utime+stime, 1/100 s
hz=$(getconf CLK_TCK)
for port in 18081 18082; do wrk -t1 -c"$conc" -d1s -s "$tmp/post.lua" "http://127.0.0.1:$port$path" >/dev/null; done
for round in $(seq "$rounds"); do
  order="A B"; [ $((round % 2)) = 0 ] && order="B A"
  for x in $order; do
    if [ "$x" = A ]; then port=18081 pid=$pa; else port=18082 pid=$pb; fi
    t0=$(ticks $pid)
    w=$(wrk -t1 -c"$conc" -d"${secs}s" --latency -s "$tmp/post.lua" "http://127.0.0.1:$port$path")
    t1=$(ticks $pid)
    if echo "$w" | grep -q Non-2xx; then echo "$x: non-2xx answers:" >&2; echo "$w" >&2; exit 1; fi
    n=$(echo "$w" | awk '/requests in/{print $1}')
    rps=$(echo "$w" | awk '/Requests\/sec/{print $2}')
    p99=$(echo "$w" | awk '$1=="99%"{v=$2; if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else {sub(/s/,"",v); v=v*1000}; print v}')
    echo "RUN $round $x wrk rps=$rps p99ms=$p99 cpu_us=$(echo "($t1-$t0)*1000000/$hz/$n" | bc -l)"
  done
  for x in $order; do
    if [ "$x" = A ]; then port=18081 pid=$pa; else port=18082 pid=$pb; fi
    t0=$(ticks $pid)
    out=$("$b" loadtest --url "http://127.0.0.1:$port" --scenario config-1KB --concurrency "$conc" --duration "${secs}s" --warmup 200 --requests 0 | grep 'config-1KB  /')
    t1=$(ticks $pid)
    n=$(echo "$out" | awk '{print $3}')
    p99=$(echo "$out" | awk '{v=$7; if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /µs$/) {sub(/µs/,"",v); v=v/1000} else {sub(/s/,"",v); v=v*1000}; print v}')
    echo "RUN $round $x loadtest rps=$(echo "$out" | awk '{print $5}') p99ms=$p99 cpu_us=$(echo "($t1-$t0)*1000000/$hz/$n" | bc -l)"
  done
done | tee "$tmp/runs"
echo "A=$a B=$b config=$cfg path=$path concurrency=$conc rounds=$rounds load=$(cut -d' ' -f1-3 /proc/loadavg)"
awk '
function median(arr, n,   i, j, t) {
  for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j >= 1 && arr[j] > t; j--) arr[j+1] = arr[j]; arr[j+1] = t }
  return n % 2 ? arr[(n+1)/2] : (arr[n/2] + arr[n/2+1]) / 2
}
$1 == "RUN" {
  k = $4 SUBSEP $3; cnt[k]++
  for (f = 5; f <= NF; f++) { split($f, kv, "="); v[k, kv[1], cnt[k]] = kv[2] }
}
END {
  split("wrk loadtest", clients, " ")
  for (c = 1; c <= 2; c++) {
    cl = clients[c]
    for (s = 1; s <= 2; s++) {
      x = s == 1 ? "A" : "B"; k = cl SUBSEP x
      split("rps p99ms cpu_us", names, " ")
      for (m = 1; m <= 3; m++) {
        delete arr; for (i = 1; i <= cnt[k]; i++) arr[i] = v[k, names[m], i]
        med[cl, x, names[m]] = median(arr, cnt[k])
      }
    }
    printf "%-8s A: %7.0f req/s p99 %6.2f ms  server %6.1f us CPU/req | B: %7.0f req/s p99 %6.2f ms  %6.1f us CPU/req | B/A req/s %.2fx, A/B CPU %.2fx\n", cl,
      med[cl,"A","rps"], med[cl,"A","p99ms"], med[cl,"A","cpu_us"], med[cl,"B","rps"], med[cl,"B","p99ms"], med[cl,"B","cpu_us"],
      med[cl,"B","rps"] / med[cl,"A","rps"], med[cl,"A","cpu_us"] / med[cl,"B","cpu_us"]
  }
}' "$tmp/runs"
