#!/bin/bash
# CPU time (user+sys) per benchmark op, from the compiled test binary, so
# that other processes on a shared machine do not count (wall-clock ns/op
# from `go test -bench` does count them):
#   (CPU(N ops) - CPU(1 op)) / (N - 1)
# Usage: scripts/cpu-per-op.sh <package dir> <benchmark regexp> <N>
#   scripts/cpu-per-op.sh ./scanner/language 'BenchmarkScan/full/1KB' 400
set -euo pipefail
pkg=$1 bench=$2 n=$3
bin=$(mktemp)
trap 'rm -f "$bin"' EXIT
go test -c -o "$bin" "$pkg" >/dev/null
cpu() { /usr/bin/time -f "%U %S" "$bin" -test.run XXX -test.bench "^$bench\$" -test.benchtime "${1}x" 2>&1 >/dev/null | tail -1 | awk '{print $1+$2}'; }
a=$(cpu 1)
b=$(cpu "$n")
echo "$pkg $bench: $(echo "($b - $a) * 1000000 / ($n - 1)" | bc -l | xargs printf '%.0f') µs CPU/op (N=$n)"
