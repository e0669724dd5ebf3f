#!/usr/bin/python3
"""Sentiment v2: a linear model over hashed character 2-5-grams and word 1-2-grams.

    /usr/bin/python3 training/train_sentiment.py            # = make -C training sentiment
    /usr/bin/python3 training/train_sentiment.py --no-export --eval-only-report

Data (../shared/datasets relative to the repository root, or $LLMSHIELD_DATASETS):
  * sentiment/sst2_sentences.jsonl               POSITIVE / NEGATIVE, source "sst2"
  * sentiment/vader_ground_truth.jsonl           one source per domain ("vader:tweets", ...)
  * VADER's word lexicon (vaderLexicon.txt from the github.com/jonreiter/govader module in
    the Go module cache, MIT): words with |mean valence| >= 1 as one-word rows, and "not
    <positive word>" phrases as NEGATIVE rows so that negation has training signal.
  * benign prompts (injection/{gpteacher,self_instruct,gsm8k_questions}_benign.jsonl) as
    NEUTRAL text: they calibrate the three-class head only (never the n-gram weights).
  Never read: sentiment/eval-only (TweetEval). --eval-only-report scores the finished model
  on it once, after every choice is made, and only writes the figures.

Model. Features are training/hashed_ngrams.py's ids (the Go HashedNGram tokenizer's twin),
TF-IDF weighted and L2-normalised exactly as the ONNX graph of training/hashed_onnx.py
computes them:  z = sum_s w[id_s]*idf[id_s] / sqrt(1 + sum_s idf[id_s]^2).  The weights w
come from an L2 logistic regression NEGATIVE vs POSITIVE (so z is a signed polarity
score in which word order enters through word bigrams: "not good" is its own feature).
A three-class head maps z to logits for POSITIVE, NEGATIVE, NEUTRAL (logits = z*W + c, a
multinomial logistic regression on the one feature z), fitted on out-of-source z values
(leave-one-source-out) of all labelled rows plus the benign prompts as NEUTRAL, so text
without sentiment words gets a high P(NEUTRAL) and a low P(NEGATIVE).

Choices on held-out sources only. Leave-one-source-out (LOSO) over sst2 and the four VADER
domains: each fold trains w without one source and scores it. The regularisation C is
the one with the best mean LOSO binary accuracy (POSITIVE vs NEGATIVE rows). The shipped
threshold on P(NEGATIVE) maximises the pooled LOSO balanced binary accuracy subject to
flagging <= 2 % of the benign prompts; per-source LOSO figures use a threshold chosen
without that source (nested).
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import hashed_ngrams as hn  # noqa: E402

LABELS = ["POSITIVE", "NEGATIVE", "NEUTRAL"]
MAX_LENGTH = 1024
VERSION = "llmshield-sent-ngram-2.1.0"
SEED = 20261129
PROMPT_FILES = ["gpteacher_benign.jsonl", "self_instruct_benign.jsonl", "gsm8k_questions_benign.jsonl"]
PROMPTS_PER_FILE = 3000
# The scanner's score is P(NEG)/(P(NEG)+P(POS)); its threshold maximises pooled LOSO
# balanced accuracy with at most this share of held-out benign prompts flagged (VADER
# at LLM Guard's -0.1 flags about 10 % of benign prompts; a 5 % cap measured in the card).
MAX_PROMPT_FPR = 0.02
# LOSO mean sign accuracy of earlier runs (same data, hard labels): C 0.5 0.757,
# C 2 0.799, C 8 0.818; --C-grid re-runs such a comparison.
C_GRID = [8.0]
NEUTRAL_WEIGHT = 1.0
# How NEUTRAL rows (VADER's neutral band, benign prompts) train the score:
# "rest" = as not-NEGATIVE (y=0); "none" = left out of the fit (NEGATIVE vs
# POSITIVE only). Measured for "none" (pooled LOSO, at the threshold that flags
# <= 2 % of held-out prompts): binary accuracy 0.594 on POSITIVE/NEGATIVE rows,
# because held-out prompts' scores spread over the NEGATIVE range.
NEUTRAL_MODE = "rest"
HEAD = "polar"
NEGATORS = ["not", "not very", "never", "isn't", "wasn't", "not at all"]


def data_dir():
    return os.environ.get("LLMSHIELD_DATASETS") or os.path.join(ROOT, "..", "shared", "datasets")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def stable_frac(text):
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") / 2.0 ** 64


def govader_lexicon():
    """Path of vaderLexicon.txt in the Go module cache (go mod download fetches it)."""
    cache = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True, check=True).stdout.strip()
    ver = None
    with open(os.path.join(ROOT, "go.mod")) as f:
        for line in f:
            if "github.com/jonreiter/govader" in line:
                ver = line.split()[-1] if line.split()[0] != "github.com/jonreiter/govader" else line.split()[1]
    if ver is None:
        raise SystemExit("go.mod does not require github.com/jonreiter/govader")
    p = os.path.join(cache, "github.com", "jonreiter", "govader@" + ver, "rawdata", "vaderLexicon.txt")
    if not os.path.exists(p):
        subprocess.run(["go", "mod", "download", "github.com/jonreiter/govader"], cwd=ROOT, check=True)
    return p


def load(per_file=None):
    d = data_dir()
    rows = []
    for r in read_jsonl(os.path.join(d, "sentiment", "sst2_sentences.jsonl")):
        rows.append({"text": r["text"], "label": r["label"], "source": "sst2"})
    for r in read_jsonl(os.path.join(d, "sentiment", "vader_ground_truth.jsonl")):
        rows.append({"text": r["text"], "label": r["label"], "source": "vader:" + r["domain"]})
    prompts = []
    for name in PROMPT_FILES:
        rs = [r for r in read_jsonl(os.path.join(d, "injection", name)) if r["label"] == "SAFE"]
        rs.sort(key=lambda r: stable_frac(r["text"]))
        for r in rs[:per_file or PROMPTS_PER_FILE]:
            prompts.append({"text": r["text"], "label": "NEUTRAL", "source": "prompts:" + name.replace("_benign.jsonl", "")})
    aux = []
    lex_path = govader_lexicon()
    with open(lex_path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            w, v = parts[0], float(parts[1])
            if abs(v) < 1.0:
                continue
            aux.append({"text": w, "label": "POSITIVE" if v > 0 else "NEGATIVE", "source": "lexicon"})
            if v >= 1.5 and w.isalpha():
                neg = NEGATORS[int(stable_frac(w) * len(NEGATORS))]
                aux.append({"text": neg + " " + w, "label": "NEGATIVE", "source": "lexicon:negated"})
    # Emoji: VADER's emoji table names each emoji in words; an emoji whose
    # description has a clear lexicon valence becomes a one-emoji row.
    lex = {}
    with open(lex_path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                lex[parts[0]] = float(parts[1])
    with open(os.path.join(os.path.dirname(lex_path), "emojiUTF8Lexicon.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            v = sum(lex.get(w, 0.0) for w in parts[1].lower().split())
            if abs(v) >= 1.0:
                aux.append({"text": parts[0], "label": "POSITIVE" if v > 0 else "NEGATIVE", "source": "lexicon:emoji"})
    return rows, prompts, aux, lex_path


class Featurizer:
    def __init__(self):
        self.cfg = hn.Config()
        self.V = self.cfg.first_id + self.cfg.buckets

    def counts(self, texts, cache=None):
        """CSR matrix of feature counts (the [CLS] id is left out: it only adds 1 to q)."""
        if cache:
            key = hashlib.sha256(json.dumps([hn.HASH_NAME, self.cfg.buckets, texts]).encode()).hexdigest()[:16]
            path = os.path.join(cache, "sentfeat-%s.npz" % key)
            if os.path.exists(path):
                return sp.load_npz(path)
            m = self.counts(texts)
            os.makedirs(cache, exist_ok=True)
            sp.save_npz(path, m)
            return m
        indptr, indices, data = [0], [], []
        for t in texts:
            ids = hn.features(self.cfg, t)
            u, c = np.unique(ids, return_counts=True)
            indices.append(u)
            data.append(c)
            indptr.append(indptr[-1] + len(u))
        m = sp.csr_matrix((np.concatenate(data).astype(np.float64) if data else np.zeros(0),
                           np.concatenate(indices) if indices else np.zeros(0, np.int64), indptr),
                          shape=(len(texts), self.V))
        return m


def idf_of(counts):
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def tfidf(counts, idf):
    """x_j = count_j*idf_j / sqrt(1 + sum_s idf_{id_s}^2): what the ONNX graph computes."""
    x = counts.multiply(idf[None, :]).tocsr()
    q = 1.0 + np.asarray(counts.multiply((idf ** 2)[None, :]).sum(axis=1)).ravel()
    return sp.diags(1.0 / np.sqrt(q)) @ x


def fit_polarity(counts, y, weights, C):
    """w (per bucket) and idf from NEGATIVE(1) / POSITIVE(0) rows."""
    idf = idf_of(counts)
    X = tfidf(counts, idf)
    lr = LogisticRegression(C=C, solver="liblinear", max_iter=2000, tol=1e-3)
    lr.fit(X, y, sample_weight=weights)
    return lr.coef_.ravel(), idf


def z_of(counts, w, idf):
    return np.asarray(tfidf(counts, idf) @ w).ravel()


def fit_head(z, labels):
    """Multinomial LR on the one feature z: W [1,3], c [1,3] in LABELS order."""
    y = np.array([LABELS.index(l) for l in labels])
    lr = LogisticRegression(C=100.0, max_iter=5000)
    lr.fit(z.reshape(-1, 1), y)
    W = np.zeros((1, 3))
    c = np.zeros((1, 3))
    for k, cls in enumerate(lr.classes_):
        W[0, cls] = lr.coef_[k, 0]
        c[0, cls] = lr.intercept_[k]
    return W, c


def fit_polar_head(z, labels):
    """The multinomial head with its NEGATIVE-vs-POSITIVE part replaced by a binary
    logistic regression on the POSITIVE/NEGATIVE rows (classes weighted equally), so
    that P(NEG)/(P(NEG)+P(POS)) = sigmoid(a z + b) is calibrated on polar text and
    0.5 is the balanced decision point (what the scanner flags on)."""
    W, c = fit_head(z, labels)
    m = np.array([l in ("POSITIVE", "NEGATIVE") for l in labels])
    yb = np.array([l == "NEGATIVE" for l in labels])[m].astype(int)
    lr = LogisticRegression(C=100.0, max_iter=5000, class_weight="balanced")
    lr.fit(z[m].reshape(-1, 1), yb)
    W[0, 1] = W[0, 0] + lr.coef_[0, 0]
    c[0, 1] = c[0, 0] + lr.intercept_[0]
    return W, c


def probs(z, W, c):
    lg = z.reshape(-1, 1) * W + c
    lg -= lg.max(axis=1, keepdims=True)
    e = np.exp(lg)
    return e / e.sum(axis=1, keepdims=True)


def polar(P):
    """The scanner's score: P(NEGATIVE) / (P(NEGATIVE) + P(POSITIVE))."""
    d = P[:, 1] + P[:, 0]
    return np.where(d > 0, P[:, 1] / np.where(d > 0, d, 1.0), 0.0)


def binary_report(pneg, ppos, labels, thr, lengths=None):
    """Figures on POSITIVE/NEGATIVE rows: NEGATIVE is the positive class."""
    m = np.array([l in ("POSITIVE", "NEGATIVE") for l in labels])
    y = np.array([l == "NEGATIVE" for l in labels])[m]
    s = pneg[m]
    flag = s >= thr
    tp = int((flag & y).sum()); fp = int((flag & ~y).sum()); fn = int((~flag & y).sum()); tn = int((~flag & ~y).sum())
    out = {"n": int(m.sum()), "negatives": int(y.sum()), "positives": int((~y).sum()),
           "accuracy": (tp + tn) / max(1, tp + fp + fn + tn),
           "balanced_accuracy": 0.5 * (tp / max(1, tp + fn) + tn / max(1, tn + fp)),
           "argmax_accuracy": float(((pneg[m] > ppos[m]) == y).mean()) if m.any() else None,
           "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn),
           "f1": 2 * tp / max(1, 2 * tp + fp + fn), "fpr": fp / max(1, fp + tn)}
    out["auc"] = float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else None
    if lengths is not None and 0 < y.sum() < len(y):
        out["length_auc"] = float(roc_auc_score(y, np.asarray(lengths)[m]))
    return out


def pick_threshold(pneg, labels, prompt_pneg):
    """Max balanced accuracy on POS/NEG rows with <= MAX_PROMPT_FPR of prompts flagged."""
    m = np.array([l in ("POSITIVE", "NEGATIVE") for l in labels])
    y = np.array([l == "NEGATIVE" for l in labels])[m]
    s = pneg[m]
    floor = np.quantile(prompt_pneg, 1 - MAX_PROMPT_FPR) if len(prompt_pneg) else 0.0
    best, best_t = -1.0, 0.5
    for t in np.unique(np.round(s, 4)):
        if t <= floor:
            continue
        f = s >= t
        ba = 0.5 * ((f & y).sum() / max(1, y.sum()) + (~f & ~y).sum() / max(1, (~y).sum()))
        if ba > best:
            best, best_t = ba, float(t)
    return best_t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "sentiment"))
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--eval-only-report", action="store_true",
                    help="after training, score TweetEval (eval-only) once and record it; nothing is chosen on it")
    ap.add_argument("--C-grid", default=",".join(str(c) for c in C_GRID),
                    help="comma-separated C values compared by mean LOSO binary accuracy")
    ap.add_argument("--neutral", choices=["rest", "none"], default=NEUTRAL_MODE)
    ap.add_argument("--neutral-weight", type=float, default=NEUTRAL_WEIGHT, help="weight of each NEUTRAL row in the polarity fit")
    ap.add_argument("--prompts-per-file", type=int, default=PROMPTS_PER_FILE, help="benign prompts (NEUTRAL) per prompt file")
    ap.add_argument("--head", choices=["multinomial", "polar"], default=HEAD,
                    help="three-class head on z; polar: its NEGATIVE-vs-POSITIVE part is a balanced binary fit")
    ap.add_argument("--card-only", action="store_true", help="re-render MODEL_CARD.md from metrics.json")
    args = ap.parse_args()
    if args.card_only:
        with open(os.path.join(args.out, "metrics.json")) as f:
            report = json.load(f)
        rows, prompts, aux, _ = load(args.prompts_per_file)
        write_card(args.out, report, report["threshold"], len(rows) + len(prompts), len(prompts), len(aux))
        return
    t0 = time.process_time()
    w0 = time.time()
    rows, prompts, aux, lex_path = load(args.prompts_per_file)
    feat = Featurizer()
    npr = len(prompts)
    rows = rows + prompts  # prompts: NEUTRAL rows and LOSO sources of their own
    texts = [r["text"] for r in rows]
    Xc = feat.counts(texts, args.work)
    Ac = feat.counts([r["text"] for r in aux], args.work)
    labels = [r["label"] for r in rows]
    sources = np.array([r["source"] for r in rows])
    lengths = np.array([len(t) for t in texts])
    binm = np.array([l != "NEUTRAL" for l in labels])
    yb = np.array([l == "NEGATIVE" for l in labels], dtype=int)
    ya = np.array([r["label"] == "NEGATIVE" for r in aux], dtype=int)
    src_list = sorted(set(sources))
    print("rows %d (binary %d), prompts %d, lexicon rows %d; sources %s" % (len(rows), binm.sum(), len(prompts), len(aux), src_list), flush=True)

    def train(mask, C):
        # NEUTRAL rows (VADER's neutral band, benign prompts) as not-NEGATIVE
        # ("rest"), or not at all ("none").
        b, n = mask & binm, mask & ~binm
        if args.neutral == "none":
            n = np.zeros_like(n)
        X = sp.vstack([Xc[b], Xc[n], Ac]).tocsr()
        y = np.concatenate([yb[b], np.zeros(n.sum(), int), ya])
        wt = np.concatenate([np.ones(b.sum()), np.full(n.sum(), args.neutral_weight), np.ones(len(aux))])
        return fit_polarity(X, y, wt, C)

    # LOSO: out-of-source z for every row, per C.
    loso = {}
    Cs = [float(v) for v in args.C_grid.split(",")]
    for C in Cs:
        key = hashlib.sha256(json.dumps([texts, labels, [r["text"] for r in aux], C, args.neutral_weight, args.neutral, "fit-v3"]).encode()).hexdigest()[:16]
        zpath = os.path.join(args.work, "sentiment_v2_loso_%s.npy" % key)
        if os.path.exists(zpath):
            z = np.load(zpath)
        else:
            z = np.zeros(len(rows))
            for k, s in enumerate(src_list):
                held = sources == s
                w, idf = train(~held, C)
                z[held] = z_of(Xc[held], w, idf)
                print("  fold %s done (%.0f CPU s)" % (s, time.process_time() - t0), flush=True)
            os.makedirs(args.work, exist_ok=True)
            np.save(zpath, z)
        accs = {}
        for s in src_list:
            m = (sources == s) & binm
            if not m.any():
                continue
            accs[s] = float(((z[m] > 0) == (yb[m] == 1)).mean())
        loso[C] = (z, accs)
        print("C %-4g LOSO sign accuracy %s mean %.4f" % (C, {k: round(v, 4) for k, v in accs.items()}, np.mean(list(accs.values()))), flush=True)
    C = max(Cs, key=lambda c: np.mean(list(loso[c][1].values())))
    z, _ = loso[C]
    isprompt = np.array([s.startswith("prompts:") for s in sources])
    # Head and threshold on pooled out-of-source z.
    head = fit_polar_head if args.head == "polar" else fit_head
    W, c = head(z, labels)
    P = probs(z, W, c)
    PP = P[isprompt]
    thr = pick_threshold(polar(P), labels, polar(PP))
    report = {"C": C, "neutral": args.neutral, "neutral_weight": args.neutral_weight, "head": args.head, "max_prompt_fpr": MAX_PROMPT_FPR, "threshold": thr, "loso": {}, "prompts": {}}
    for s in src_list:
        held = sources == s
        # nested: head + threshold chosen without source s
        o = ~held
        lab_o = [l for l, k in zip(labels, o) if k]
        Wn, cn = head(z[o], lab_o)
        Pn = probs(z[o], Wn, cn)
        tn_ = pick_threshold(polar(Pn), lab_o, polar(Pn[isprompt[o]]))
        Ph = probs(z[held], Wn, cn)
        lab_h = [l for l, k in zip(labels, held) if k]
        r = binary_report(polar(Ph), 1 - polar(Ph), lab_h, tn_, lengths[held])
        r["threshold_chosen_without_source"] = tn_
        neu = np.array([l == "NEUTRAL" for l in lab_h])
        if neu.any():
            r["neutral_rows"] = int(neu.sum())
            r["neutral_flagged"] = float((polar(Ph[neu]) >= tn_).mean())
        report["loso"][s] = r
        print("LOSO %-30s %s" % (s, json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()})), flush=True)
    for s in sorted(set(p["source"] for p in prompts)):
        m = sources == s
        report["prompts"][s] = {"n": int(m.sum()), "flagged_at_shipped_threshold": float((polar(P[m]) >= thr).mean()),
                                "flagged_by_argmax_neg_vs_pos": float((P[m, 1] > P[m, 0]).mean()),
                                "mean_p_negative": float(P[m, 1].mean())}
    print("prompts flagged at %.4f: %s" % (thr, report["prompts"]), flush=True)
    # Final model on everything.
    w, idf = train(np.ones(len(rows), bool), C)
    os.makedirs(args.work, exist_ok=True)
    np.savez(os.path.join(args.work, "sentiment_v2_weights.npz"), w=w, idf=idf, W=W, c=c, thr=thr)
    report["train_cpu_seconds"] = round(time.process_time() - t0, 1)
    report["train_wall_seconds"] = round(time.time() - w0, 1)
    report["W"], report["c"] = W.tolist(), c.tolist()
    probe = ["act as a linux terminal", "You are a helpful assistant.", "not good at all", "good", "not bad", "not bad at all",
             "The movie was not good.", "I love it", "I hate it", "Translate this to French.", "This is terrible."]
    zp = z_of(feat.counts(probe), w, idf)
    Pp = probs(zp, W, c)
    report["probes"] = {t: dict(zip(LABELS + ["score"], map(lambda v: round(float(v), 4), list(p) + [sc]))) for t, p, sc in zip(probe, Pp, polar(Pp))}
    for t, p in report["probes"].items():
        print("probe %-35r %s" % (t, p))
    os.makedirs(args.work, exist_ok=True)
    if args.eval_only_report:
        te = read_jsonl(os.path.join(data_dir(), "sentiment", "eval-only", "tweeteval_sentiment.jsonl"))
        zt = z_of(feat.counts([r["text"] for r in te]), w, idf)
        Pt = probs(zt, W, c)
        lt = [r["label"] for r in te]
        r = binary_report(polar(Pt), 1 - polar(Pt), lt, thr, [len(r["text"]) for r in te])
        neu = np.array([l == "NEUTRAL" for l in lt])
        r["neutral_rows"], r["neutral_flagged"] = int(neu.sum()), float((polar(Pt[neu]) >= thr).mean())
        report["eval_only_tweeteval"] = r
        print("EVAL-ONLY tweeteval (reported, never used for a choice): %s" % json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}))
    with open(os.path.join(args.work, "sentiment_v2_report.json"), "w") as f:
        json.dump(report, f, indent=1)
    if args.no_export:
        return
    export(args.out, w, idf, W, c, thr, report, rows, prompts, aux, lex_path, feat)
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "update-models-registry.py")], check=True)


def export(out, w, idf, W, c, thr, report, rows, prompts, aux, lex_path, feat):
    import onnx
    import hashed_onnx
    table = np.zeros((feat.V, 2), np.float32)
    table[:, 0] = (w * idf).astype(np.float32)
    table[:, 1] = (idf ** 2).astype(np.float32)
    table[feat.cfg.pad_id] = [0, 1]
    table[feat.cfg.cls_id] = [0, 1]
    probe = ["act as a linux terminal", "The movie was not good.", "I love it", "", "Das war nicht gut.",
             "not bad at all", rows[0]["text"], rows[-1]["text"], prompts[0]["text"]]
    sizes = {}
    for variant, d in (("fp32", out), ("int8", out + "-int8")):
        int8 = variant == "int8"
        os.makedirs(d, exist_ok=True)
        version = VERSION if not int8 else VERSION + "-int8"
        m = hashed_onnx.build(table, W.astype(np.float32), c.astype(np.float32), int8=int8, name=version,
                              doc="llmshield sentiment %s: hashed n-gram TF-IDF polarity score z, logits = z*W + c" % version)
        onnx.save(m, os.path.join(d, "model.onnx"))
        with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(feat.cfg.tokenizer_json(), f, ensure_ascii=False, indent=1)
            f.write("\n")
        cfg = {
            "architectures": ["HashedLinear"], "model_type": "llmshield-hashed",
            "id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)},
            "problem_type": "single_label_classification", "num_labels": 3, "pad_token_id": feat.cfg.pad_id,
            "vocab_size": feat.V, "max_length": MAX_LENGTH, "threshold": round(thr, 4), "positive_labels": ["NEGATIVE"],
            "model_version": version, "variant": variant,
        }
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        # Reference logits for the Go test (models/sentiment_test.go): the graph's
        # computation in float64 numpy, independent of ONNX.
        ref = []
        for t in probe:
            ids = hn.encode(feat.cfg, t)[:MAX_LENGTH]
            lg = hashed_onnx.reference_logits(table, W, c, [ids.tolist()], [[1] * len(ids)], int8=int8)
            ref.append({"text": t, "logits": [float(v) for v in lg[0]]})
        with open(os.path.join(d, "reference.json"), "w") as f:
            json.dump(ref, f, ensure_ascii=False)
            f.write("\n")
        sizes[variant] = {f: os.path.getsize(os.path.join(d, f)) for f in ("model.onnx", "tokenizer.json", "config.json")}
    report["files"] = sizes
    report["lexicon_file"] = "github.com/jonreiter/govader " + os.path.basename(os.path.dirname(os.path.dirname(lex_path))).split("@")[-1] + " rawdata/vaderLexicon.txt"
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump({"task": "sentiment", "model_version": VERSION, **report}, f, indent=1)
        f.write("\n")
    write_card(out, report, thr, len(rows), len(prompts), len(aux))
    with open(os.path.join(out + "-int8", "MODEL_CARD.md"), "w") as f:
        f.write("# Sentiment classifier, INT8 variant — `%s-int8`\n\nThe weights of `%s` (see `models/sentiment/MODEL_CARD.md`) with the per-bucket table stored as int8 with one scale per column (symmetric per-column quantisation, dequantised after the Gather). Same tokenizer, labels, threshold and data; `ml.variant: int8` selects it. Its accuracy and speed are in the FP32 card.\n" % (VERSION, VERSION))
    print("wrote", out, "and", out + "-int8")


def fmt(v):
    return "-" if v is None else ("%.4f" % v if isinstance(v, float) else str(v))


def write_card(out, report, thr, nrows, nprompts, naux):
    L = []
    L.append("# Sentiment classifier — `%s`\n" % VERSION)
    L.append("Built-in llmshield model, trained by `training/train_sentiment.py` (`make -C training sentiment`) from public data; no pretrained weights. "
             "Labels POSITIVE, NEGATIVE, NEUTRAL. The sentiment scanner's score is P(NEGATIVE) / (P(NEGATIVE) + P(POSITIVE)) "
             "(0.5 = the model finds negative and positive equally likely; `scanner/sentiment/polarity.go`); it flags text whose score is >= **%.4f**, "
             "this model's `threshold` in config.json, which is defined on that score and chosen on held-out sources (see below). "
             "`ml.threshold: 0.5` flags every text the model finds more negative than positive.\n" % thr)
    te = report.get("eval_only_tweeteval")
    L.append("## Held-out figures first\n")
    if te:
        L.append("**TweetEval sentiment (eval-only; never trained, tuned or thresholded on)**, POSITIVE/NEGATIVE rows (n = %d, NEGATIVE is the positive class):\n" % te["n"])
        L.append("| binary accuracy at threshold | balanced accuracy | accuracy of argmax P(NEG) vs P(POS) | AUC | text-length AUC | precision | recall | F1 | FPR (POSITIVE rows flagged) | NEUTRAL rows flagged |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s of %d |\n" % tuple(
            [fmt(te[k]) for k in ("accuracy", "balanced_accuracy", "argmax_accuracy", "auc", "length_auc", "precision", "recall", "f1", "fpr", "neutral_flagged")] + [te["neutral_rows"]]))
        L.append("Reproduce in Go: `llmshield eval --config sent-ml.yaml --dataset ../shared/datasets/sentiment/eval-only/tweeteval_sentiment.jsonl --positive NEGATIVE --negative POSITIVE` with `sent-ml.yaml` = `{models: {offline: true}, input_scanners: [{type: sentiment, params: {ml: {mode: ml_only}}}]}`.\n")
    L.append("**Leave-one-source-out** (each row scored by a model trained without its source; head and threshold chosen without it too):\n")
    L.append("| held-out source | POS/NEG rows | binary accuracy | balanced acc. | argmax acc. | AUC | length AUC | F1 (NEG) | FPR | threshold used | NEUTRAL rows flagged |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for s, r in report["loso"].items():
        L.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            s, r["n"], fmt(r["accuracy"] if r["n"] else None), fmt(r["balanced_accuracy"] if r["n"] else None), fmt(r.get("argmax_accuracy")),
            fmt(r.get("auc")), fmt(r.get("length_auc")), fmt(r["f1"] if r["n"] else None), fmt(r["fpr"] if r["n"] else None),
            fmt(r["threshold_chosen_without_source"]),
            ("%s of %d" % (fmt(r["neutral_flagged"]), r["neutral_rows"])) if "neutral_rows" in r else "-"))
    L.append("\nBenign prompts (NEUTRAL; out-of-source scores) flagged at the shipped threshold: " +
             ", ".join("%s %.2f %% (n %d)" % (k, 100 * v["flagged_at_shipped_threshold"], v["n"]) for k, v in report["prompts"].items()) +
             "; at 0.5 (P(NEG) > P(POS)): " + ", ".join("%s %.2f %%" % (k, 100 * v["flagged_by_argmax_neg_vs_pos"]) for k, v in report["prompts"].items()) + ".\n")
    L.append("Probes (the scanner's score P(NEG)/(P(NEG)+P(POS)) of the shipped model): " + "; ".join("%r %.3f" % (t, p["score"]) for t, p in report["probes"].items()) + ".\n")
    extra = os.path.join(HERE, "sentiment_card_extra.md")
    if os.path.exists(extra):
        L.append(open(extra, encoding="utf-8").read())
    L.append("## Model\n")
    L.append("- Tokenizer: `HashedNGram` (tokenizer.json): NFKC, lower-case, character 2-5-grams and word 1-2-grams hashed (FNV-1a 64 + fmix64) into 2^18 buckets; Python twin `training/hashed_ngrams.py`. Word bigrams carry word order (\"not good\").")
    L.append("- Graph (`training/hashed_onnx.py`, opset 13): z = sum_s T[id_s,0] / sqrt(sum_s T[id_s,1]) with T[:,0] = weight x idf and T[:,1] = idf^2 (TF-IDF, L2-normalised, as trained); logits = z*W + c for POSITIVE, NEGATIVE, NEUTRAL. Gather, Cast, Unsqueeze, MatMul, Reshape, Slice, Sqrt, Div, Add (INT8: Gather on int8 + Cast + Mul).")
    L.append("- Training: L2 logistic regression (liblinear, C = %g chosen by mean LOSO binary accuracy) NEGATIVE vs the rest: POSITIVE rows and the NEUTRAL rows (VADER's neutral band and benign prompts, weight %.1f) are the negatives of the fit (with `--neutral none`, NEGATIVE vs POSITIVE only, the pooled LOSO binary accuracy at a <= 2 %% prompt constraint was 0.594 in v2.0, because held-out prompts then spread over the NEGATIVE range; in v2.1 weight 3 with twice the prompts lowered the mean LOSO sign accuracy from 0.791 to 0.769); VADER's lexicon words (|valence| >= 1), \"not <positive word>\" phrases and emoji with a clear lexicon valence are extra rows. The three-class head (%s) is a multinomial logistic regression on z fitted on out-of-source z values, whose NEGATIVE-vs-POSITIVE part is then replaced by a class-balanced binary logistic regression on the POSITIVE/NEGATIVE rows' out-of-source z, so that the scanner's score P(NEG)/(P(NEG)+P(POS)) is calibrated on polar text. Threshold on that score: max pooled LOSO balanced accuracy on POSITIVE/NEGATIVE rows with <= %d %% of the held-out benign prompts flagged (v2.0: P(NEGATIVE) with <= 2 %%; VADER at LLM Guard's -0.1 flags about 10 %% of benign prompts)." % (report["C"], report.get("neutral_weight", NEUTRAL_WEIGHT), report.get("head", "multinomial"), int(100 * report.get("max_prompt_fpr", MAX_PROMPT_FPR))))
    L.append("- Rows: %d labelled (sst2 + VADER ground truth), %d benign prompts, %d lexicon rows. CPU time of the shipped run (LOSO over 8 sources, head, threshold, final fit, TweetEval report; n-gram features were cached in training/work by an earlier run, featurising from scratch adds about 0.5 ms per text, ~30 s): %.0f s (wall %.0f s on the shared, heavily loaded 2-core machine)." % (nrows - nprompts, nprompts, naux, report["train_cpu_seconds"], report["train_wall_seconds"]))
    f = report["files"]
    L.append("- Files: FP32 `model.onnx` %d bytes, INT8 `model.onnx` %d bytes; `tokenizer.json` %d bytes.\n" % (f["fp32"]["model.onnx"], f["int8"]["model.onnx"], f["fp32"]["tokenizer.json"]))
    L.append("## Data and licences\n")
    L.append("| source | rows | licence |\n|---|---|---|")
    L.append("| `sentiment/sst2_sentences.jsonl` (clairett/pytorch-sentiment-classification @ 457ffd83de90, SST-2) | 9589 | none stated (Stanford Sentiment Treebank, widely used in GLUE) |")
    L.append("| `sentiment/vader_ground_truth.jsonl` (cjhutto/vaderSentiment @ 44fc044cd877) | 23533 | MIT |")
    L.append("| VADER lexicon and emoji table (github.com/jonreiter/govader rawdata, from vaderSentiment) | %d derived rows | MIT |" % naux)
    L.append("| benign prompts: injection/{gpteacher,self_instruct,gsm8k_questions}_benign.jsonl (NEUTRAL) | %d | see ../shared/datasets/injection/README.md (Apache-2.0 / MIT) |\n" % nprompts)
    L.append("## Limitations\n")
    L.append("- English only: the training text is English; other languages get weak, near-neutral scores from shared character n-grams.")
    L.append("- A linear model over n-grams: negation is seen through word bigrams and the \"not <word>\" rows, not parsed; sarcasm, long-range contrast and domain words absent from training are weak points.")
    L.append("- One score z drives all three probabilities, so NEUTRAL is \"z in the middle\", not a separately learned class; z is trained as NEGATIVE vs the rest, so mildly negative text stays below the threshold: the scanner trades recall for few false positives on ordinary prompts.\n")
    with open(os.path.join(out, "MODEL_CARD.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(L))


if __name__ == "__main__":
    main()
