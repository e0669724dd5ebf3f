#!/usr/bin/python3
"""Multi-label toxicity model (hate, insult) over hashed n-grams: train, evaluate, export.

    /usr/bin/python3 training/toxicity.py            # = make -C training toxicity
    /usr/bin/python3 training/toxicity.py --no-export --folds davidson,germeval

Features: training/hashed_ngrams.py (the Python twin of the Go HashedNGram
tokenizer: character 2-5-grams and word 1-2-grams hashed into 2^18 buckets).
A row's vector is v_j = tf_j * idf_j / sqrt(1 + sum_j tf_j * idf_j^2) (the "1"
is the [CLS] id), exactly what the ONNX graph (toxicity_export.build_multilabel)
computes from the ids. One L2-regularised, class-balanced logistic regression per
label (averaged SGD) on the rows where that label is known (toxicity_data.py); both
labels share one threshold, chosen on the leave-one-source-out predictions.
--calibrate platt adds per-label Platt scaling on those predictions (measured worse:
see the model card).

Evaluation (never tuned on): leave-one-source-out for every training source,
HateCheck (eval-only) overall and per functionality, CyberSecEval benign system
prompts and alpaca_eval instructions (eval-only files of the injection task),
and the held-out short instructions of toxicity_data.SHORT_EVAL; every table
with AUC, precision, recall, F1, FPR and the AUC of text length alone.
Results go to work/toxicity_eval.json; the model to models/toxicity/.
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import split  # noqa: E402
import toxicity_data  # noqa: E402
import hashed_ngrams  # noqa: E402

LABELS = toxicity_data.LABELS
CFG = hashed_ngrams.Config(buckets=1 << 18)
MAX_LENGTH = 2048
EPOCHS = 10
WORK = os.path.join(HERE, "work")
HATECHECK = "toxicity/eval-only/hatecheck_functional_tests.jsonl"
INJ_EVAL = {
    "cyberseceval_system_prompts": "injection/eval-only/cyberseceval_system_prompts_benign.jsonl",
    "alpaca_eval_instructions": "injection/eval-only/alpaca_eval_instructions_benign.jsonl",
}
# HateCheck functionalities the issue asks to come out mostly SAFE.
MOSTLY_SAFE = ("counter_quote_nh", "counter_ref_nh", "negate_neg_nh", "ident_neutral_nh", "ident_pos_nh")


# ---------------------------------------------------------------- features

def featurize(texts):
    """CSR matrix of n-gram counts per id (column = id), the ids the Go tokenizer gives
    for the first window of MAX_LENGTH ids ([CLS] included as column 1)."""
    indptr, indices = [0], []
    for t in texts:
        ids = hashed_ngrams.encode(CFG, t)[:MAX_LENGTH]
        indices.append(ids)
        indptr.append(indptr[-1] + len(ids))
    ind = np.concatenate(indices) if indices else np.zeros(0, np.int64)
    data = np.ones(len(ind), np.float32)
    m = sp.csr_matrix((data, ind, np.array(indptr)), shape=(len(texts), CFG.first_id + CFG.buckets))
    m.sum_duplicates()
    return m


def cached_features(name, texts):
    key = hashlib.sha256(json.dumps([CFG.buckets, MAX_LENGTH, texts]).encode()).hexdigest()[:16]
    path = os.path.join(WORK, f"tox_feat_{name}_{key}.npz")
    if os.path.exists(path):
        return sp.load_npz(path).tocsr()
    m = featurize(texts)
    os.makedirs(WORK, exist_ok=True)
    sp.save_npz(path, m)
    return m


def fit_idf(X):
    """Smoothed idf over the rows of X; id 0 ([PAD]) and 1 ([CLS]) get idf 1."""
    n = X.shape[0]
    df = np.bincount(X.indices, minlength=X.shape[1]).astype(np.float64)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    idf[0] = idf[1] = 1.0
    return idf


def transform(X, idf):
    """v_j = tf_j idf_j / sqrt(sum_j tf_j idf_j^2) with [CLS] counted in the sum
    (weight 0), as the ONNX graph does."""
    num = idf.copy()
    num[0] = num[1] = 0.0  # [PAD], [CLS] only normalise
    q = np.asarray(X @ (idf ** 2)).ravel()
    V = sp.diags(1.0 / np.sqrt(q)) @ X.multiply(num[None, :]).tocsr()
    V = V.tocsr()
    V.eliminate_zeros()
    return V


# ---------------------------------------------------------------- model

class Model:
    def __init__(self, idf, coef, intercept, a=None, b=None):
        self.idf, self.coef, self.intercept = idf, coef, intercept  # coef [L, D]
        L = len(intercept)
        self.a = np.ones(L) if a is None else a
        self.b = np.zeros(L) if b is None else b

    def raw(self, X):
        V = transform(X, self.idf)
        return np.asarray(V @ self.coef.T) + self.intercept[None, :]

    def prob(self, X):
        return 1.0 / (1.0 + np.exp(-(self.raw(X) * self.a + self.b)))


def train(X, Y, ALPHA):
    """Y [n, L] float with NaN for unknown."""
    idf = fit_idf(X)
    V = transform(X, idf)
    coefs, ints = [], []
    for l in range(Y.shape[1]):
        known = ~np.isnan(Y[:, l])
        y = Y[known, l].astype(int)
        # averaged SGD on the logistic loss: the same model as LogisticRegression at a
        # fraction of the CPU (liblinear needed minutes per fit on the shared machine)
        clf = SGDClassifier(loss="log_loss", alpha=ALPHA[l], max_iter=EPOCHS, tol=None, average=True,
                            class_weight="balanced", random_state=13)
        clf.fit(V[known], y)
        coefs.append(clf.coef_[0])
        ints.append(clf.intercept_[0])
    return Model(idf, np.vstack(coefs), np.array(ints))


def platt(raw, y):
    """a, b minimising log loss of sigmoid(a*raw + b) (Newton, 1-d logistic regression)."""
    clf = LogisticRegression(C=1e4, solver="lbfgs")
    clf.fit(raw.reshape(-1, 1), y.astype(int))
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


# ---------------------------------------------------------------- metrics

def metrics(y, s, t, lengths=None):
    y = np.asarray(y).astype(bool)
    s = np.asarray(s)
    p = s >= t
    tp, fp = int((p & y).sum()), int((p & ~y).sum())
    fn, tn = int((~p & y).sum()), int((~p & ~y).sum())
    out = {"n": int(len(y)), "pos": int(y.sum()), "tp": tp, "fp": fp, "tn": tn, "fn": fn}
    out["precision"] = tp / (tp + fp) if tp + fp else 0.0
    out["recall"] = tp / (tp + fn) if tp + fn else 0.0
    pr, rc = out["precision"], out["recall"]
    out["f1"] = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
    out["fpr"] = fp / (fp + tn) if fp + tn else 0.0
    out["auc"] = float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else None
    if lengths is not None and 0 < y.sum() < len(y):
        out["length_auc"] = float(roc_auc_score(y, np.asarray(lengths, float)))
    for k in ("precision", "recall", "f1", "fpr", "auc", "length_auc"):
        if out.get(k) is not None:
            out[k] = round(out[k], 4)
    return out


def labels_matrix(rows):
    return np.array([[np.nan if r[l] is None else float(r[l]) for l in LABELS] for r in rows])


def read(rel):
    return split.read_jsonl(os.path.join(split.DATA, rel))


# ---------------------------------------------------------------- main

def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", default="2e-6,2e-6", help="L2 strength per label (SGD alpha)")
    ap.add_argument("--folds", default="", help="comma list of LOSO sources (default all)")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--calibrate", choices=("platt", "none"), default="none",
                    help="platt: per-label Platt scaling on the LOSO predictions (measured: squashes scores towards the "
                         "pooled base rate, benign instructions then score 0.2-0.5 insult); none: class-balanced logistic probabilities")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "models", "toxicity"))
    args = ap.parse_args(argv)
    C = [float(c) for c in args.alpha.split(",")]
    t0 = time.time()
    rows = toxicity_data.rows()
    texts = [r["text"] for r in rows]
    X = cached_features("train", texts)
    Y = labels_matrix(rows)
    src = np.array([r["source"] for r in rows])
    lang = np.array([r["lang"] for r in rows])
    lengths = np.array([len(t) for t in texts])
    print(f"{len(rows)} rows featurized in {time.time() - t0:.1f}s", flush=True)

    # leave-one-source-out: out-of-fold raw scores for every row
    sources = list(dict.fromkeys(src))
    folds = [s for s in sources if not args.folds or s in args.folds.split(",")]
    oof = np.full((len(rows), len(LABELS)), np.nan)
    tl = time.time()
    for s in folds:
        te = src == s
        m = train(X[~te], Y[~te], C)
        oof[te] = m.raw(X[te])
        print(f"  LOSO {s}: {te.sum()} rows, {time.time() - tl:.0f}s", flush=True)
    loso_time = time.time() - tl
    np.savez_compressed(os.path.join(WORK, "tox_oof.npz"), oof=oof, Y=Y, src=src)

    # calibration per label on the pooled out-of-fold scores (rows with a known label)
    cal = []
    for l in range(len(LABELS)):
        ok = ~np.isnan(Y[:, l]) & ~np.isnan(oof[:, l])
        cal.append(platt(oof[ok, l], Y[ok, l]))
    A = np.array([c[0] for c in cal])
    B = np.array([c[1] for c in cal])
    if args.calibrate == "none":
        A, B = np.ones(len(LABELS)), np.zeros(len(LABELS))
    oofp = 1.0 / (1.0 + np.exp(-(oof * A + B)))

    # one shared threshold on calibrated held-out-source scores: the largest mean F1 of
    # the two labels over the toxic sources, with FPR <= 2% on the benign-instruction
    # sources (gpteacher, selfinstruct, t0, instructions) for the any-label flag.
    benign_src = np.isin(src, ["gpteacher", "selfinstruct", "t0", "instructions"])
    have = ~np.isnan(oofp[:, 0])
    best = None
    anyp = np.where(have, np.nan_to_num(oofp, nan=-1.0).max(axis=1), np.nan)
    for t in np.round(np.arange(0.05, 0.951, 0.01), 2):
        fpr_b = float((anyp[benign_src & have] >= t).mean()) if (benign_src & have).any() else 0.0
        f1s = []
        for l in range(len(LABELS)):
            ok = ~np.isnan(Y[:, l]) & have & ~benign_src
            f1s.append(metrics(Y[ok, l], oofp[ok, l], t)["f1"])
        score = float(np.mean(f1s))
        if fpr_b <= 0.02 and (best is None or score > best[1]):
            best = (float(t), score, fpr_b)
    threshold = best[0] if best else 0.5
    print(f"threshold {threshold} (mean LOSO F1 {best and best[1]:.4f}, benign FPR {best and best[2]:.4f})", flush=True)

    report = {"threshold": threshold, "calibration": {"method": args.calibrate, "a": A.tolist(), "b": B.tolist()}, "alpha": C, "epochs": EPOCHS, "buckets": CFG.buckets, "max_length": MAX_LENGTH,
              "loso_seconds": round(loso_time, 1), "rows": {}}
    # LOSO tables per source and label, plus per language
    loso = {}
    for s in folds:
        te = src == s
        for l, name in enumerate(LABELS):
            ok = te & ~np.isnan(Y[:, l])
            if ok.sum():
                loso[f"{s}/{name}"] = metrics(Y[ok, l], oofp[ok, l], threshold, lengths[ok])
        anyy = np.nanmax(np.nan_to_num(Y[te], nan=0.0), axis=1)
        loso[f"{s}/any"] = metrics(anyy, np.max(oofp[te], axis=1), threshold, lengths[te])
    for lg in ("en", "de"):
        te = (lang == lg) & have
        for l, name in enumerate(LABELS):
            ok = te & ~np.isnan(Y[:, l])
            loso[f"lang:{lg}/{name}"] = metrics(Y[ok, l], oofp[ok, l], threshold, lengths[ok])
    report["loso"] = loso

    # final model on all rows
    tf = time.time()
    final = train(X, Y, C)
    final.a, final.b = A, B
    report["train_seconds"] = round(time.time() - tf, 1)
    report["total_seconds_before_eval"] = round(time.time() - t0, 1)

    # eval-only sets
    hc = read(HATECHECK)
    hX = cached_features("hatecheck", [r["text"] for r in hc])
    hp = final.prob(hX)
    hy = np.array([r["label"] == "TOXIC" for r in hc])
    hl = np.array([len(r["text"]) for r in hc])
    func = np.array([r["source"].split(":", 1)[1] for r in hc])
    hcr = {"hate": metrics(hy, hp[:, 0], threshold, hl), "any": metrics(hy, hp.max(axis=1), threshold, hl), "per_functionality": {}}
    for f in sorted(set(func)):
        k = func == f
        hcr["per_functionality"][f] = {"n": int(k.sum()), "gold": "TOXIC" if hy[k][0] else "SAFE",
                                       "flag_rate_hate": round(float((hp[k, 0] >= threshold).mean()), 4),
                                       "flag_rate_any": round(float((hp[k].max(axis=1) >= threshold).mean()), 4)}
    report["hatecheck"] = hcr
    benign = {}
    for name, rel in INJ_EVAL.items():
        rs = read(rel)
        p = final.prob(cached_features(name, [r["text"] for r in rs]))
        benign[name] = {"n": len(rs), "fpr_hate": round(float((p[:, 0] >= threshold).mean()), 4),
                        "fpr_any": round(float((p.max(axis=1) >= threshold).mean()), 4),
                        "max_score": round(float(p.max()), 4)}
    sh = toxicity_data.short_eval()
    p = final.prob(featurize(sh))
    benign["short_instructions"] = {"n": len(sh), "fpr_any": round(float((p.max(axis=1) >= threshold).mean()), 4),
                                    "below_0.1": int((p.max(axis=1) < 0.1).sum()),
                                    "scores": {t: [round(float(x), 4) for x in p[i]] for i, t in enumerate(sh)}}
    report["benign_eval_only"] = benign
    os.makedirs(WORK, exist_ok=True)
    with open(os.path.join(WORK, "toxicity_eval.json"), "w") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
    summary(report)
    if not args.no_export:
        import toxicity_export
        toxicity_export.export(final, threshold, report, args.out, CFG, MAX_LENGTH)
        toxicity_export.update_registry(os.path.dirname(os.path.abspath(args.out)), os.path.basename(os.path.abspath(args.out)))
    return 0


def summary(r):
    print(f"threshold {r['threshold']}")
    for k, m in r["loso"].items():
        print(f"  LOSO {k:28s} n={m['n']:6d} pos={m['pos']:6d} auc={m['auc']} P={m['precision']} R={m['recall']} F1={m['f1']} FPR={m['fpr']} lenAUC={m.get('length_auc')}")
    hc = r["hatecheck"]
    for k in ("hate", "any"):
        m = hc[k]
        print(f"  HateCheck {k}: auc={m['auc']} P={m['precision']} R={m['recall']} F1={m['f1']} FPR={m['fpr']} lenAUC={m.get('length_auc')}")
    for f, m in hc["per_functionality"].items():
        print(f"    {f:22s} {m['gold']:5s} n={m['n']:4d} hate={m['flag_rate_hate']:.3f} any={m['flag_rate_any']:.3f}")
    for k, m in r["benign_eval_only"].items():
        print(f"  {k}: " + json.dumps({a: b for a, b in m.items() if a != 'scores'}))
    for t, s in r["benign_eval_only"]["short_instructions"]["scores"].items():
        print(f"    {s} {t}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
