#!/usr/bin/env bash
# Per-prompt latency of llmshield's default prompt scan (the embedded default
# configuration: invisible_text, secrets, prompt_injection with its model)
# beside the rule-only peers this machine can install, on the same JSONL
# file in the same run, with ratios. Each tool scans every row once untimed,
# then --rounds timed passes, one prompt after another in one process;
# the whole set is repeated SPEED_REPEATS times, tools alternating, and the
# table shows the median p50 and p99 over the repeats.
#
# Usage: scripts/compare/speed.sh [DATASET.jsonl]
#   DATASET defaults to training/work/injection_test.jsonl (made with
#   training/split.py --task injection when missing).
# Environment:
#   SPEED_REPEATS         repeats (default 3)         SPEED_ROUNDS  timed passes per run (default 3)
#   SPEED_NPM_DETECTORS   npm detectors (default "vard"; "vard llm_guardrail" adds the TF-IDF one)
#   SPEED_NPM_DIR         npm prefix to install into (default: a temporary directory, removed after)
#   GO_PROMPTGUARD_DIR    a local checkout of github.com/mdombrov-33/go-promptguard to use
#                         instead of the Go module proxy
#   SPEED_OUT             output directory (default scripts/compare/out/speed-<UTC timestamp>)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
REPEATS=${SPEED_REPEATS:-3}
ROUNDS=${SPEED_ROUNDS:-3}
read -r -a NPM_DETECTORS <<<"${SPEED_NPM_DETECTORS:-vard}"

DEFAULT_DATASET="$REPO/training/work/injection_test.jsonl"
DATASET=${1:-$DEFAULT_DATASET}
if [[ ! -s "$DATASET" && "$DATASET" == "$DEFAULT_DATASET" ]]; then
  echo "speed: $DATASET missing; making the injection split" >&2
  (cd "$REPO" && /usr/bin/python3 training/split.py --task injection) >&2
fi
[[ -s "$DATASET" ]] || { echo "speed: dataset $DATASET not found or empty" >&2; exit 2; }
DATASET=$(cd "$(dirname "$DATASET")" && pwd)/$(basename "$DATASET")

OUT=${SPEED_OUT:-$HERE/out/speed-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
NPM_DIR=${SPEED_NPM_DIR:-$TMP/npm}
mkdir -p "$NPM_DIR"

echo "speed: building llmshield" >&2
(cd "$REPO" && go build -o "$TMP/llmshield" ./cmd/llmshield)
"$TMP/llmshield" version >"$OUT/version.txt" 2>&1 || true

# npm peers at the versions of package.json, outside the repository.
specs=()
for d in "${NPM_DETECTORS[@]}"; do
  case $d in
    vard) pkg=@andersmyrmel/vard ;;
    llm_guardrail) pkg=llm_guardrail ;;
    *) echo "speed: unknown npm detector $d" >&2; exit 2 ;;
  esac
  ver=$(node -e 'process.stdout.write(require(process.argv[1]).dependencies[process.argv[2]])' "$HERE/package.json" "$pkg")
  specs+=("$pkg@$ver")
done
npm_ok=1
if ((${#specs[@]})); then
  echo "speed: npm install ${specs[*]} into $NPM_DIR" >&2
  (cd "$NPM_DIR" && npm install --ignore-scripts --no-audit --no-fund --no-save --prefix "$NPM_DIR" "${specs[@]}") >"$OUT/npm.log" 2>&1 ||
    { npm_ok=0; echo "speed: npm install failed (see $OUT/npm.log); npm peers skipped" >&2; }
fi

# Go peer in a temporary module (the llmshield module never requires it).
GOPEER=$TMP/gopeer
go_ok=1
mkdir -p "$GOPEER"
# main.go carries //go:build ignore so that the llmshield module skips it.
sed '/^\/\/go:build ignore$/d' "$HERE/gopeer/main.go" >"$GOPEER/main.go"
(
  cd "$GOPEER"
  go mod init speedpeer >/dev/null 2>&1
  if [[ -n "${GO_PROMPTGUARD_DIR:-}" ]]; then
    go mod edit -require=github.com/mdombrov-33/go-promptguard@v0.0.0-local -replace=github.com/mdombrov-33/go-promptguard="$GO_PROMPTGUARD_DIR"
    echo "local checkout $(git -C "$GO_PROMPTGUARD_DIR" rev-parse --short HEAD 2>/dev/null || echo "$GO_PROMPTGUARD_DIR")" >version.txt
  else
    go get github.com/mdombrov-33/go-promptguard@latest
    go list -m -f '{{.Version}}' github.com/mdombrov-33/go-promptguard >version.txt
  fi
  go build -o gopeer .
) >"$OUT/gopeer.log" 2>&1 || { go_ok=0; echo "speed: go-promptguard unavailable (see $OUT/gopeer.log); skipped" >&2; }

: >"$OUT/runs.jsonl"
for ((k = 1; k <= REPEATS; k++)); do
  echo "speed: repeat $k/$REPEATS" >&2
  for backend in ort purego; do
    LLMSHIELD_BACKEND=$backend "$TMP/llmshield" bench --prompts "$DATASET" --rounds "$ROUNDS" --format json 2>>"$OUT/llmshield.log" |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);r.name="llmshield default ("+process.argv[1]+")";console.log(JSON.stringify(r))})' "$backend" >>"$OUT/runs.jsonl"
  done
  if ((npm_ok)); then
    args=()
    for d in "${NPM_DETECTORS[@]}"; do args+=(--detector "$d"); done
    node "$HERE/speed.mjs" --dataset "$DATASET" --modules "$NPM_DIR" --rounds "$ROUNDS" "${args[@]}" >>"$OUT/runs.jsonl"
  fi
  if ((go_ok)); then
    "$GOPEER/gopeer" -dataset "$DATASET" -rounds "$ROUNDS" -version "$(cat "$GOPEER/version.txt")" >>"$OUT/runs.jsonl"
  fi
done

{
  echo "dataset: $DATASET ($(wc -l <"$DATASET") lines, sha256 $(sha256sum "$DATASET" | cut -c1-16))"
  echo "llmshield: $(cd "$REPO" && git rev-parse --short HEAD); $(go version | cut -d' ' -f3); node $(node --version); $(grep -m1 '^inference backend' "$OUT/version.txt" || echo 'inference backend: ?')"
  echo "each tool: ${ROUNDS} timed passes after one untimed, one prompt at a time; medians over ${REPEATS} alternating repeats"
  ((go_ok)) || echo "go-promptguard: skipped ($(grep -m1 -E 'go: |error' "$OUT/gopeer.log" || tail -1 "$OUT/gopeer.log"))"
  echo
  node "$HERE/speedtable.mjs" "$OUT/runs.jsonl"
} | tee "$OUT/report.md"
