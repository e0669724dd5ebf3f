#!/bin/bash
# Start-up time of the llmshield binary at several commits, measured in one
# run: each commit's cmd/llmshield is built, then the binaries run the same
# commands alternately, ROUNDS times, and the median wall-clock milliseconds
# of each command are printed with ratios to the first commit ("x": how many
# times faster than the first commit).
#   scripts/startup.sh d921890^1 main HEAD
#   ROUNDS=21 scripts/startup.sh main HEAD
# Commands: `version`; `scan` with invisible_text only (process start,
# package initialisation, configuration); `scan` with secrets only; the
# default `scan` of a short prompt (invisible_text, secrets and
# prompt_injection with its built-in model, loaded on first use). Set
# LLMSHIELD_ORT_LIB to use ONNX Runtime; without it the pure-Go backend
# runs the model.
set -euo pipefail
. "$(dirname "$0")/revs.sh"
rounds=${ROUNDS:-11}
build() { go build -o "$1" ./cmd/llmshield; }
build_revs build "$@"
cmds=("version" "scan --scanners invisible_text hello" "scan --scanners secrets hello" "scan hello")
names=("version" "scan-invisible" "scan-secrets" "scan-default")
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
for r in $(seq "$rounds"); do
	for c in "${!cmds[@]}"; do
		for i in "${!revs[@]}"; do
			# shellcheck disable=SC2086
			echo "$i ${names[$c]} $(ms "$tmp/bin$i" ${cmds[$c]})" >>"$tmp/results"
		done
	done
done
sort -k1,1n -k2,2 -k3,3n "$tmp/results" | awk -v revs="${revs[*]}" -v order="${names[*]}" '
	{ key = $1 SUBSEP $2; v[key, ++n[key]] = $3 }
	END {
		nr = split(revs, rv, " "); nc = split(order, cn, " ")
		printf "wall ms (median of rounds)\n%-16s", "command"
		for (r = 1; r <= nr; r++) printf " %12s", rv[r]
		for (r = 2; r <= nr; r++) printf " %12s", rv[r] "/" rv[1]
		printf "\n"
		for (c = 1; c <= nc; c++) {
			printf "%-16s", cn[c]
			for (r = 1; r <= nr; r++) {
				key = (r-1) SUBSEP cn[c]; k = n[key]
				med[r] = (k % 2) ? v[key, (k+1)/2] : (v[key, k/2] + v[key, k/2+1]) / 2
				printf " %12.1f", med[r] / 1000
			}
			for (r = 2; r <= nr; r++) printf " %11.2fx", med[1] / med[r]
			printf "\n"
		}
	}'
