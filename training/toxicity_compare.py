#!/usr/bin/python3
"""Figures for any toxicity model the Go pipeline runs (v1 on main, v2 here), from the
risks training/scoretox prints, on the same rows toxicity.py reports.

    /usr/bin/python3 training/toxicity_compare.py rows > training/work/tox_eval_rows.jsonl
    go run ./training/scoretox training/work/tox-ml.yaml training/work/tox_eval_rows.jsonl > training/work/v1_scores.txt
    /usr/bin/python3 training/toxicity_compare.py figures training/work/tox_eval_rows.jsonl training/work/v1_scores.txt > training/work/v1_metrics.json

tox-ml.yaml: `models: {offline: true}` and `input_scanners: [{type: toxicity, params: {ml: {mode: ml_only}}}]`.
A row counts as flagged when the pipeline flags it (the model's own threshold). For a
single-label model (v1: SAFE/TOXIC) the risk is compared with each label of the
training rows (hate, insult, any): v1 has no separate labels.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import split  # noqa: E402
import toxicity  # noqa: E402
import toxicity_data  # noqa: E402


def rows():
    for r in split.read_jsonl(os.path.join(split.DATA, toxicity.HATECHECK)):
        yield {"text": r["text"], "tag": r["source"], "label": r["label"]}
    for name, rel in toxicity.INJ_EVAL.items():
        for r in split.read_jsonl(os.path.join(split.DATA, rel)):
            yield {"text": r["text"], "tag": name, "label": "SAFE"}
    for t in toxicity_data.SHORT_EVAL:
        yield {"text": t, "tag": "short", "label": "SAFE"}
    for r in toxicity_data.rows():
        if r["source"] in ("templates", "instructions", "t0"):
            continue
        yield {"text": r["text"], "tag": f"{r['source']}|{r['lang']}|{r['hate']}|{r['insult']}", "label": "X"}


def figures(rows_path, scores_path):
    rs = split.read_jsonl(rows_path)
    sc = [line.split() for line in open(scores_path)]
    if len(rs) != len(sc):
        raise SystemExit(f"{len(rs)} rows but {len(sc)} scores")
    s = np.array([float(a) for a, _ in sc])
    f = np.array([b == "true" for _, b in sc])
    tag = np.array([r["tag"] for r in rs])
    L = np.array([len(r["text"]) for r in rs])
    y = np.array([r["label"] == "TOXIC" for r in rs])

    def m(yy, k):
        # the flag is the pipeline's own; a threshold between "flagged" and not reproduces it
        out = toxicity.metrics(yy, np.where(f[k], 1.0, 0.0), 0.5, L[k])
        auc = toxicity.metrics(yy, s[k], 2.0, L[k])["auc"]
        out["auc"] = auc
        return out

    res = {"hatecheck": {}, "per_functionality": {}, "benign_eval_only": {}, "loso_sources": {}}
    hc = np.char.startswith(tag.astype(str), "hatecheck:")
    res["hatecheck"] = m(y[hc], hc)
    for fn in sorted(set(tag[hc])):
        k = tag == fn
        res["per_functionality"][fn.split(":", 1)[1]] = round(float(f[k].mean()), 4)
    for name in list(toxicity.INJ_EVAL) + ["short"]:
        k = tag == name
        res["benign_eval_only"][name] = {"n": int(k.sum()), "fpr": round(float(f[k].mean()), 4), "max": round(float(s[k].max()), 4)}
    res["short_scores"] = {r["text"]: round(float(x), 4) for r, x, t in zip(rs, s, tag) if t == "short"}
    parts = [t.split("|") if "|" in t else None for t in tag]
    src = np.array([p[0] if p else "" for p in parts])
    lang = np.array([p[1] if p else "" for p in parts])
    hate = np.array([p[2] if p else "" for p in parts])
    ins = np.array([p[3] if p else "" for p in parts])
    for so in [x for x in dict.fromkeys(src) if x]:
        k = src == so
        for lab, arr in (("hate", hate), ("insult", ins)):
            kk = k & ((arr == "0") | (arr == "1"))
            if kk.sum():
                res["loso_sources"][f"{so}/{lab}"] = m(arr[kk] == "1", kk)
        res["loso_sources"][f"{so}/any"] = m((hate[k] == "1") | (ins[k] == "1"), k)
    for lg in ("en", "de"):
        k = lang == lg
        res["loso_sources"][f"lang:{lg}/any"] = m((hate[k] == "1") | (ins[k] == "1"), k)
    return res


if __name__ == "__main__":
    if sys.argv[1:2] == ["rows"]:
        for r in rows():
            print(json.dumps(r, ensure_ascii=False))
    elif sys.argv[1:2] == ["figures"] and len(sys.argv) == 4:
        json.dump(figures(sys.argv[2], sys.argv[3]), sys.stdout, indent=1, ensure_ascii=False)
        print()
    else:
        raise SystemExit(__doc__)
