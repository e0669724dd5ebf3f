"""Train the gibberish scanner's model (scanner/gibberish/model.bin).

    make -C training gibberish        (or: cd training/gibberish && python3 train.py)

1. Real text from this machine's TRAIN sources (corpus.py). By a hash of the
   text, 85% builds the character tables (hashed character trigram and
   bigram log-counts) and the word sets (hashed words seen twice, hashed word
   pairs); 15% trains the classifier, so that it sees word coverage as on
   new text, not memorised text.
2. Synthetic gibberish made from those texts (gen.py): random letters of the
   text's own alphabet, keyboard mashing, shuffled words and word salad,
   letters shuffled inside words, repeated tokens, random characters of a
   script.
3. A small MLP (10 features -> 16 tanh -> 1) on standardised features.
4. Held-out evaluation on sources never trained on (corpus.heldout_items)
   with gibberish generated from them under another seed; the table is
   written to ../work/gibberish_eval.md, the texts to
   ../work/gibberish_eval.jsonl for the Go-side check.
"""
import collections, json, math, os, random, struct, sys
import numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.metrics import roc_auc_score

import corpus, gen
from features import *

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "scanner", "gibberish", "model.bin")
WORK = os.path.join(HERE, "..", "work")
HIDDEN = 16

def quant(c):
    return 0 if c == 0 else min(255, 1 + int(round(math.log(c) * 18)))

def build_tables(texts):
    c3 = np.zeros(1 << T3_BITS, dtype=np.int64)
    c2 = np.zeros(1 << T2_BITS, dtype=np.int64)
    wc = collections.Counter()
    for t in texts:
        s = symbols(t)
        for i in range(len(s) - 2):
            c3[h3(s[i], s[i + 1], s[i + 2])] += 1
        for i in range(len(s) - 1):
            c2[h2(s[i], s[i + 1])] += 1
        ws = [w for w in words(s) if not nospace(w[0])]
        wc.update(ws)
    w1 = np.zeros((1 << W1_BITS) // 8, dtype=np.uint8)
    for w, n in wc.items():
        if n >= 2:
            h = hw1(w)
            w1[h >> 3] |= 1 << (h & 7)
    t3 = np.array([quant(int(c)) for c in c3], dtype=np.uint8)
    t2 = np.array([quant(int(c)) for c in c2], dtype=np.uint8)
    return t3.tobytes(), t2.tobytes(), w1.tobytes()

def featurize(texts, tabs):
    return np.array([features(t, *tabs) for t in texts], dtype=np.float64)

def main():
    items = corpus.train_items()
    table_part = [t for _, _, t in items if corpus.split_key(t) < 8 or corpus.split_key(t) == 8 and len(t) % 2]
    clf_part = [(s, l, t) for s, l, t in items if not (corpus.split_key(t) < 8 or corpus.split_key(t) == 8 and len(t) % 2)]
    print(f"table texts {len(table_part)}, classifier texts {len(clf_part)}", file=sys.stderr)
    tabs = build_tables(table_part)
    rng = random.Random(1)
    # Balance the classifier's real texts: cap per (source, lang).
    by = collections.defaultdict(list)
    for s, l, t in clf_part:
        by[(s, l)].append(t)
    real = []
    for k, v in sorted(by.items()):
        rng.shuffle(v)
        real += v[:300]
    gib = gen.make(real, rng, n=len(real))
    X = featurize(real + [g for g, _ in gib], tabs)
    y = np.array([0] * len(real) + [1] * len(gib))
    mean, scale = X.mean(0), X.std(0) + 1e-6
    clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="tanh", alpha=1e-3, max_iter=600, random_state=0)
    clf.fit((X - mean) / scale, y)
    print("train acc", clf.score((X - mean) / scale, y), file=sys.stderr)
    W1, W2 = clf.coefs_
    b1, b2 = clf.intercepts_
    with open(OUT, "wb") as f:
        f.write(b"GBR1")
        f.write(struct.pack("<5I", T3_BITS, T2_BITS, W1_BITS, NFEAT, HIDDEN))
        for arr in (mean, scale, W1.T.reshape(-1), b1, W2.reshape(-1), b2):
            f.write(np.asarray(arr, dtype="<f4").tobytes())
        for t in tabs:
            f.write(t)
    print("wrote", OUT, os.path.getsize(OUT), "bytes", file=sys.stderr)

    # Held-out evaluation.
    os.makedirs(WORK, exist_ok=True)
    ho = corpus.heldout_items()
    erng = random.Random(2)
    ho_real = [(s, l, t) for s, l, t in ho]
    ho_gib = [(f"gen:{kind}", l, g) for (g, kind), (s, l, _) in zip(gen.make([t for _, _, t in ho_real], erng, n=len(ho_real)), ho_real)]
    rows = [(s, l, t, 0) for s, l, t in ho_real] + [(s, l, t, 1) for s, l, t in ho_gib]
    Xe = featurize([t for _, _, t, _ in rows], tabs)
    p = clf.predict_proba((Xe - mean) / scale)[:, 1]
    with open(os.path.join(WORK, "gibberish_eval.jsonl"), "w") as f:
        for (s, l, t, y_), pi in zip(rows, p):
            f.write(json.dumps({"source": s, "lang": l, "text": t, "label": y_, "p": float(pi)}, ensure_ascii=False) + "\n")
    # Go parity vectors: features and probability for a few texts.
    with open(os.path.join(HERE, "..", "..", "scanner", "gibberish", "testdata", "parity.jsonl"), "w") as f:
        prng = random.Random(5)
        for (s, l, t, y_), xi, pi in prng.sample(list(zip(rows, Xe, p)), 60):
            f.write(json.dumps({"text": t, "features": [float(v) for v in xi], "p": float(pi)}, ensure_ascii=False) + "\n")
    report(rows, p)

def report(rows, p, thr=0.5):
    lines = ["| held-out source | lang | n | flagged (FPR) |", "|---|---|---|---|"]
    real = collections.defaultdict(list)
    gibs = collections.defaultdict(list)
    for (s, l, t, y), pi in zip(rows, p):
        (real if y == 0 else gibs)[(s, l) if y == 0 else s].append(pi >= thr)
    for k in sorted(real):
        v = real[k]
        lines.append(f"| {k[0]} | {k[1]} | {len(v)} | {sum(v)} ({100*sum(v)/len(v):.1f}%) |")
    lines += ["", "| generated gibberish (from held-out text, seed 2) | n | recall |", "|---|---|---|"]
    for k in sorted(gibs):
        v = gibs[k]
        lines.append(f"| {k} | {len(v)} | {100*sum(v)/len(v):.1f}% |")
    y = np.array([r[3] for r in rows])
    pred = p >= thr
    tp = int((pred & (y == 1)).sum()); fp = int((pred & (y == 0)).sum()); fn = int((~pred & (y == 1)).sum())
    prec, rec = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    lines += ["", f"overall: precision {prec:.3f}, recall {rec:.3f}, F1 {2*prec*rec/max(prec+rec,1e-9):.3f}, "
              f"FPR {fp/max((y==0).sum(),1):.4f}, AUC {roc_auc_score(y, p):.4f} (threshold {thr})"]
    out = "\n".join(lines)
    open(os.path.join(WORK, "gibberish_eval.md"), "w").write(out + "\n")
    print(out)

if __name__ == "__main__":
    main()
