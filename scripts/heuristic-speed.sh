#!/bin/bash
# Heuristic prompt-injection throughput of several commits, measured in one
# run: each commit's scanner/promptinjection test binary is built with the
# same workload (scripts/heurspeed/cmp_test.go.in: benign document, benign
# rows, prose document, jailbreak document, jailbreak rows), then the
# binaries run alternately, ROUNDS times, and the medians of CPU µs per op,
# MB per CPU-second, p99 per prompt (wall clock and thread CPU time), allocs
# and bytes per op are printed with ratios to the first commit ("x": how many
# times better than the first commit; for MB/s higher is better, for the
# others lower).
#   scripts/heuristic-speed.sh d921890^1 main HEAD
#   ROUNDS=3 BENCHTIME=5x BENCH='CmpBenign' scripts/heuristic-speed.sh ...
# Run from anywhere in the repository; the shared datasets are found at
# ../shared relative to the repository root (benchmarks skip without them).
set -euo pipefail
. "$(dirname "$0")/revs.sh"
rounds=${ROUNDS:-3}
benchtime=${BENCHTIME:-3x}
bench=${BENCH:-Cmp}
build() {
	cp "$root/scripts/heurspeed/cmp_test.go.in" scanner/promptinjection/zz_cmp_test.go
	go test -c -o "$1" ./scanner/promptinjection
}
build_revs build "$@"
cd "$root/scanner/promptinjection"
for r in $(seq "$rounds"); do
	for i in "${!revs[@]}"; do
		"$tmp/bin$i" -test.run '^$' -test.bench "^Benchmark$bench" -test.benchtime "$benchtime" -test.benchmem |
			awk -v rev="$i" '/^BenchmarkCmp/ { name=$1; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkCmp/, "", name);
				for (k = 3; k < NF; k++) print rev, name, $(k+1), $k }' >>"$tmp/results"
	done
	echo "round $r done" >&2
done
# Medians per (rev, bench, metric), then a table per metric.
sort -k1,1n -k2,2 -k3,3 -k4,4g "$tmp/results" | awk -v revs="${revs[*]}" '
	{ key = $1 SUBSEP $2 SUBSEP $3; v[key, ++n[key]] = $4; benches[$2] = 1; metrics[$3] = 1 }
	END {
		nr = split(revs, rv, " ")
		split("cpu-µs/op cpu-MB/s p99-µs p99-cpu-µs allocs/op B/op", order, " ")
		for (oi = 1; oi <= 6; oi++) {
			m = order[oi]; if (!(m in metrics)) continue
			printf "\n%s (median of rounds)\n%-14s", m, "bench"
			for (r = 1; r <= nr; r++) printf " %14s", rv[r]
			for (r = 2; r <= nr; r++) printf " %10s", rv[r] "/" rv[1]
			printf "\n"
			for (b in benches) {
				line = sprintf("%-14s", b); ok = 0
				for (r = 1; r <= nr; r++) {
					key = (r-1) SUBSEP b SUBSEP m; c = n[key]
					if (c == 0) { med[r] = ""; line = line sprintf(" %14s", "-"); continue }
					med[r] = (c % 2) ? v[key, (c+1)/2] : (v[key, c/2] + v[key, c/2+1]) / 2
					line = line sprintf(" %14.1f", med[r]); ok = 1
				}
				for (r = 2; r <= nr; r++) {
					if (med[1] == "" || med[r] == "" || med[r] == 0 || med[1] == 0) { line = line sprintf(" %10s", "-"); continue }
					# ratio as "times better": lower is better except MB/s
					ratio = (m == "cpu-MB/s") ? med[r] / med[1] : med[1] / med[r]
					line = line sprintf(" %9.2fx", ratio)
				}
				if (ok) print line
			}
		}
	}'
