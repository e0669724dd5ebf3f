#!/usr/bin/python3
"""Document context: score held-out documents sentence by sentence (max), as the Go
classifier's MatchSentence does, with the exported weights (work/pi/weights.npz).

    /usr/bin/python3 training/pi_doc_eval.py [--threshold T] [--tag SUFFIX]

Prints FPR on the benign held-out documents and recall on the same documents with an
inserted instruction, per kind, for the prompt context (whole-text windows) and the
document context (sentences), at the shipped threshold and at the threshold that keeps
the benign-document FPR of the *training* documents at <= 2 % (chosen on training rows,
never on the held-out ones).
"""
import argparse
import json
import os
import sys

import numpy as np
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hashed_ngrams as H  # noqa: E402
import pi_train as T  # noqa: E402

SENT_END = ".!?。！？"


def sentences(text):
    """Byte-for-byte the rule of classifier/split.go (on code points)."""
    out = []
    start = 0
    n = len(text)

    def flush(s, e):
        while s < e and (text[s].isspace() or text[s] in "\x85\xa0"):
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in "\x85\xa0"):
            e -= 1
        if e > s:
            out.append(text[s:e])

    i = 0
    while i < n:
        c = text[i]
        nxt = i + 1
        if c in "\n\r\u2028\u2029":
            flush(start, i)
            start = nxt
        elif c in SENT_END and nxt < n and (text[nxt].isspace() or ord(c) >= 0x3000):
            flush(start, nxt)
            start = nxt
        i = nxt
    flush(start, n)
    return out


def prob_windows(table, W, c, texts):
    """Max probability over MatchFull windows of each text."""
    res = []
    for t in texts:
        best = 0.0
        for w in H.windows(T.CFG, t, T.MAX_LEN):
            g = table[w].astype(np.float64)
            z = g[:, 0].sum() / np.sqrt(g[:, 1].sum())
            lg = z * W[0].astype(np.float64) + c[0].astype(np.float64)
            best = max(best, 1.0 / (1.0 + np.exp(lg[0] - lg[1])))
        res.append(best)
    return np.array(res)


def prob_sentences(table, W, c, texts):
    return np.array([prob_windows(table, W, c, sentences(t) or [""]).max() for t in texts])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--tag", default="", help="suffix of work/pi/{weights,result,doc_eval}*.json (pi_train.py --tag)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N held-out documents (smoke test)")
    args = ap.parse_args()
    wz = np.load(os.path.join(T.WORK, "weights%s.npz" % args.tag))
    table, W, c = wz["table"], wz["W"], wz["c"]
    res = json.load(open(os.path.join(T.WORK, "result%s.json" % args.tag)))
    thr = args.threshold or res["threshold"]
    held = [r for r in T.read_jsonl(os.path.join(T.WORK, "heldout.jsonl")) if r["source"] == "gen_docs"]
    if args.limit:
        held = held[: args.limit]
    train_docs = [r for r in T.read_jsonl(os.path.join(T.WORK, "train.jsonl")) if r["source"] == "gen_docs" and r["label"] == "SAFE"]
    rng = np.random.RandomState(1)
    train_docs = [train_docs[i] for i in rng.choice(len(train_docs), min(args.limit or 600, len(train_docs)), replace=False)]
    # document threshold: on TRAINING benign documents only (FPR <= 2 %)
    p_tr = prob_sentences(table, W, c, [r["text"] for r in train_docs])
    doc_thr = float(max(thr, np.quantile(p_tr, 0.98) + 1e-6))
    out = {"prompt_threshold": thr, "document_threshold": doc_thr}
    y = np.array([r["label"] == "INJECTION" for r in held])
    texts = [r["text"] for r in held]
    for ctx, fn in (("prompt", prob_windows), ("document", prob_sentences)):
        p = fn(table, W, c, texts)
        for name, t in (("shipped_threshold", thr), ("document_threshold", doc_thr)):
            d = {}
            for kind in sorted({r["kind"] for r in held}) + ["all"]:
                idx = np.array([i for i, r in enumerate(held) if kind == "all" or r["kind"] == kind])
                m = T.metrics(y[idx], p[idx], t)
                d[kind] = {"n": m["n"], "fpr": m["fpr"], "recall": m["recall"], "auc": m["auc"]}
            out[f"{ctx}/{name}"] = d
    print(json.dumps(out, indent=1))
    with open(os.path.join(T.WORK, ("doc_eval%s.json" % args.tag) if not args.limit else "doc_eval_smoke.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
