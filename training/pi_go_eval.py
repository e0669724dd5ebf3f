#!/usr/bin/python3
"""Measure the shipped prompt-injection model through the Go CLI and record the figures.

    /usr/bin/python3 training/pi_go_eval.py [--binary PATH] [--label NAME]

Builds (unless --binary) `go build ./cmd/llmshield`, writes per-language / per-kind
JSONL files under training/work/pi/go_eval/, runs `llmshield eval` (ML only, the
model's own threshold; fp32, int8, and context: document) on the eval-only files
and the held-out sets, and writes training/pi_go_figures.json (read by pi_export.py
into the model card). --label v1 with the old binary records the v1 column.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
WORK = os.path.join(HERE, "work", "pi", "go_eval")
DATA = os.environ.get("LLMSHIELD_DATASETS", os.path.join(ROOT, "..", "shared", "datasets"))
EV = os.path.join(DATA, "injection", "eval-only")
OUT = os.path.join(HERE, "pi_go_figures.json")

CONFIGS = {
    "fp32": "params: {ml: {mode: ml_only, fallback_to_heuristic: false}, resilience: {call_timeout: 60s}}",
    "int8": "params: {ml: {mode: ml_only, variant: int8, fallback_to_heuristic: false}, resilience: {call_timeout: 60s}}",
    "document": "params: {context: document, ml: {mode: ml_only, fallback_to_heuristic: false}, resilience: {call_timeout: 60s}}",
}


def split_files():
    os.makedirs(WORK, exist_ok=True)
    groups = collections.defaultdict(list)
    with open(os.path.join(EV, "cyberseceval_injections.jsonl"), encoding="utf-8") as f:
        for line in f:
            groups["csev_" + re.sub(r"[^A-Za-z]+", "_", json.loads(line)["lang"])].append(line)
    with open(os.path.join(HERE, "work", "pi", "heldout.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["source"] == "locale_text":
                groups["held_lang_" + r["lang"]].append(line)
            elif r["source"] == "gen_docs":
                groups["held_docs_" + r["label"]].append(line)
            else:
                groups["held_compose_" + r["label"]].append(line)
    paths = {}
    for k, v in groups.items():
        p = os.path.join(WORK, k + ".jsonl")
        with open(p, "w", encoding="utf-8") as f:
            f.writelines(v)
        paths[k] = p
    return paths


def run_eval(binary, cfg_params, datasets):
    cfg = os.path.join(WORK, "cfg.yaml")
    with open(cfg, "w") as f:
        f.write("models: {offline: true}\nscanner_timeout: 120s\ninput_scanners:\n  - type: prompt_injection\n    " + cfg_params + "\n")
    cmd = [binary, "eval", "--config", cfg, "--positive", "INJECTION", "--format", "text"]
    for d in datasets:
        cmd += ["--dataset", d]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout
    res = {"files": {}}
    m = re.search(r"precision (\S+)\s+recall (\S+)\s+f1 (\S+)\s+fpr (\S+)", out)
    if m:
        res["precision"], res["recall"], res["f1"], res["fpr"] = m.groups()
    m = re.search(r"latency p50 (\S+) ms\s+p99 (\S+) ms", out)
    if m:
        res["p50_ms"], res["p99_ms"] = m.groups()
    for line in out.splitlines():
        if line.startswith("file "):
            parts = line.split()
            name = os.path.basename(parts[1])[:-6]
            res["files"][name] = {"n": parts[2], "recall": parts[5], "fpr": parts[6]}
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary")
    ap.add_argument("--label", default="v2")
    ap.add_argument("--configs", default="fp32,int8,document")
    args = ap.parse_args()
    binary = args.binary
    if not binary:
        binary = os.path.join(WORK, "llmshield")
        os.makedirs(WORK, exist_ok=True)
        subprocess.run(["go", "build", "-o", binary, "./cmd/llmshield"], check=True, cwd=ROOT)
    paths = split_files()
    main_sets = [os.path.join(EV, f) for f in ("cyberseceval_injections.jsonl", "cyberseceval_system_prompts_benign.jsonl", "alpaca_eval_instructions_benign.jsonl")]
    figs = json.load(open(OUT)) if os.path.exists(OUT) else {}
    for name in args.configs.split(","):
        params = CONFIGS[name]
        if args.label == "v1":
            params = params.replace("ml_only,", "ml_only, threshold: 0.6824,")
        r = {"eval_only": run_eval(binary, params, main_sets),
             "cyberseceval_by_lang": run_eval(binary, params, sorted(p for k, p in paths.items() if k.startswith("csev_")))["files"],
             "heldout": run_eval(binary, params, sorted(p for k, p in paths.items() if k.startswith("held_")))["files"]}
        figs[f"{args.label}/{name}"] = r
        print(name, json.dumps(r["eval_only"]), file=sys.stderr)
    with open(OUT, "w") as f:
        json.dump(figs, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
