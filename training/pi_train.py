#!/usr/bin/python3
"""Train, evaluate and export the hashed n-gram prompt-injection model (v2).

    /usr/bin/python3 training/pi_data.py          # data (training/work/pi/)
    /usr/bin/python3 training/pi_train.py         # LOSO, calibration, final model, eval, export

Model: hashed char 2-5-grams + word 1-2-grams (training/hashed_ngrams.py), TF-IDF
weights, logistic regression (sklearn SGD, log loss), score
z = sum_f count_f * w_f * idf_f / sqrt(1 + sum_f count_f * idf_f^2), probability
sigmoid(A z + B) with A, B fitted (Platt) on leave-one-source-out scores, i.e. on
sources the scoring model never saw. Texts longer than MAX_LEN-1 features are scored
as Go does (classifier MatchFull: windows of MAX_LEN ids sharing MAX_LEN/8, max).

Thresholds are chosen only on leave-one-source-out scores of the training sources;
the eval-only files are scored once at the end and only reported.
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hashed_ngrams as H  # noqa: E402
import hashed_onnx  # noqa: E402

WORK = os.path.join(HERE, "work", "pi")
DATA = os.environ.get("LLMSHIELD_DATASETS", os.path.join(HERE, "..", "..", "shared", "datasets"))
MODEL_DIR = os.path.join(HERE, "..", "models", "promptinjection")
VERSION = "llmshield-pi-ngram-2.0.0"
CFG = H.Config(buckets=1 << 18)
MAX_LEN = 8192
FPR_CAP = 0.02
EPOCHS = 8
SEED = 13
# per-source row caps for the largest benign sources (training time / memory)
CAPS = {"t0": 6000, "gsm8k": 4000, "locale_text": 16000}


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f]


def windows_of(text):
    return H.windows(CFG, text, MAX_LEN)


def featurize(rows, train_mode, cache=None):
    """List of windows (id arrays without [CLS]) and owner row index. In train mode a
    SAFE row contributes up to 4 windows, an INJECTION row its first window. cache
    (list of per-row window lists) avoids featurizing a row twice."""
    wins, owner = [], []
    for i, r in enumerate(rows):
        ws = cache[i] if cache is not None else windows_of(r["text"])
        if train_mode and r["label"] == "INJECTION":
            ws = ws[:1]
        elif train_mode:
            ws = ws[:4]
        for w in ws:
            wins.append(w[1:])
            owner.append(i)
    return wins, np.array(owner)


def counts_matrix(wins):
    indptr = np.zeros(len(wins) + 1, np.int64)
    indptr[1:] = np.cumsum([len(w) for w in wins])
    idx = np.concatenate(wins) if wins else np.zeros(0, np.int64)
    m = sp.csr_matrix((np.ones(len(idx), np.float32), idx.astype(np.int32), indptr), shape=(len(wins), CFG.first_id + CFG.buckets))
    m.sum_duplicates()
    return m


def idf_of(C):
    df = np.bincount(C.indices, minlength=C.shape[1]).astype(np.float64)
    n = C.shape[0]
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    idf[: CFG.first_id] = 0.0
    return idf


def transform(C, idf, norm):
    X = C.multiply(idf.astype(np.float32)).tocsr()
    if norm == "l2":
        q = np.asarray(C.multiply((idf ** 2).astype(np.float32)).sum(axis=1)).ravel() + 1.0
    else:  # "count": sqrt of the feature count
        q = np.asarray(C.sum(axis=1)).ravel() + 1.0
    return sp.diags((1.0 / np.sqrt(q)).astype(np.float32)) @ X


def fit(X, y, alpha):
    clf = SGDClassifier(loss="log_loss", penalty="l2", alpha=alpha, max_iter=EPOCHS, tol=None, class_weight="balanced",
                        average=True, random_state=SEED)
    clf.fit(X, y)
    return clf


def row_scores(z_win, owner, n):
    out = np.full(n, -np.inf)
    np.maximum.at(out, owner, z_win)
    return out


def metrics(y, s, thr):
    y = np.asarray(y, bool)
    p = np.asarray(s) >= thr
    tp, fp = int((p & y).sum()), int((p & ~y).sum())
    fn, tn = int((~p & y).sum()), int((~p & ~y).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else None
    f1 = 2 * prec * rec / (prec + rec) if rec and prec + rec else (0.0 if rec is not None else None)
    fpr = fp / (fp + tn) if fp + tn else None
    auc = roc_auc_score(y, s) if 0 < y.sum() < len(y) else None
    r = lambda v: None if v is None else round(float(v), 4)
    return {"n": int(len(y)), "pos": int(y.sum()), "tp": tp, "fp": fp, "tn": tn, "fn": fn, "precision": r(prec) if tp + fp else None,
            "recall": r(rec), "f1": r(f1), "fpr": r(fpr), "auc": r(auc)}


# With --doc-fpr-cap C (experiment), benign documents may be flagged up to C and other
# benign text up to FPR_CAP: the threshold rule checks the two groups of held-out-source
# negatives separately. Sources of documents:
DOC_SOURCES = ("gen_docs", "file_docs", "gen_tables")


def pick_threshold(y, p, cap=FPR_CAP, doc=None, doc_cap=0.05):
    """Max-F1 threshold on probabilities p among those with FPR <= cap on the
    negatives outside doc (a bool mask of document rows; None: all negatives
    together) and <= doc_cap on the document negatives."""
    y = np.asarray(y, bool)
    doc = np.zeros(len(y), bool) if doc is None else np.asarray(doc, bool)
    nd, dd = ~y & ~doc, ~y & doc
    best, best_t = -1.0, 0.5
    for t in np.unique(np.round(p, 4)):
        pr = p >= t
        fp = (pr & ~y).sum()
        if (pr & nd).sum() > cap * max(1, nd.sum()) or (dd.any() and (pr & dd).sum() > doc_cap * dd.sum()):
            continue
        tp = (pr & y).sum()
        fn = (~pr & y).sum()
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0
        if f1 > best:
            best, best_t = f1, float(t)
    return best_t


def platt(z, y, w=None):
    """Fit sigmoid(A z + B) by weighted logistic regression in one variable."""
    from sklearn.linear_model import LogisticRegression
    lr = LogisticRegression(C=1e4, solver="lbfgs")
    lr.fit(z.reshape(-1, 1), y, sample_weight=w)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def balanced_weights(rows, y):
    """Each (source, label) group gets the same total weight."""
    keys = [(r["source"], yy) for r, yy in zip(rows, y)]
    cnt = {}
    for k in keys:
        cnt[k] = cnt.get(k, 0) + 1
    return np.array([1.0 / cnt[k] for k in keys])


def cap_rows(rows, rng):
    out, by = [], {}
    for r in rows:
        by.setdefault(r["source"], []).append(r)
    for s, rs in sorted(by.items()):
        if s in CAPS and len(rs) > CAPS[s]:
            idx = rng.choice(len(rs), CAPS[s], replace=False)
            rs = [rs[i] for i in sorted(idx)]
        out += rs
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", type=float, default=5e-6)
    ap.add_argument("--norm", default="l2", choices=["l2", "count"])
    ap.add_argument("--no-loso", action="store_true")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--doc-fpr-cap", type=float, default=0.0,
                    help="experiment: separate FPR cap for benign documents in the threshold rule (0: one pooled 2 %% cap)")
    ap.add_argument("--loso-from", help="work/pi/loso*.npz of an earlier run on the same rows: skip the folds")
    ap.add_argument("--tag", default="", help="suffix of work/pi/result*.json and weights*.npz (experiments)")
    args = ap.parse_args()
    t0 = time.time()
    rng = np.random.RandomState(SEED)
    train = cap_rows(read_jsonl(os.path.join(WORK, "train.jsonl")), rng)
    held = read_jsonl(os.path.join(WORK, "heldout.jsonl"))
    ev = []
    for fn in ("cyberseceval_injections.jsonl", "cyberseceval_system_prompts_benign.jsonl", "alpaca_eval_instructions_benign.jsonl"):
        ev += read_jsonl(os.path.join(DATA, "injection", "eval-only", fn))
    y = np.array([r["label"] == "INJECTION" for r in train])
    print(f"train rows {len(train)}, heldout {len(held)}, eval-only {len(ev)}", file=sys.stderr)

    cache = [windows_of(r["text"]) for r in train]
    wins, owner = featurize(train, True, cache)
    C = counts_matrix(wins)
    yw = y[owner]
    print(f"featurized {C.shape[0]} windows, nnz {C.nnz}, {time.time() - t0:.0f}s", file=sys.stderr)
    sources = sorted({r["source"] for r in train})
    src_arr = np.array([r["source"] for r in train])
    res = {"version": VERSION, "args": vars(args), "max_length": MAX_LEN, "buckets": CFG.buckets}

    # ---------------- leave-one-source-out
    oos = np.full(len(train), np.nan)
    if args.loso_from:
        # resume: out-of-source scores of an earlier run on the same rows
        z = np.load(args.loso_from, allow_pickle=False)
        assert len(z["oos"]) == len(train) and (z["src"] == src_arr).all(), "--loso-from: other rows"
        oos = z["oos"]
    if not args.no_loso:
        tl = time.time()
        for s in ([] if args.loso_from else sources):
            tr_w = src_arr[owner] != s
            idf = idf_of(C[tr_w])
            clf = fit(transform(C[tr_w], idf, args.norm), yw[tr_w], args.alpha)
            te_rows = np.where(src_arr == s)[0]
            # score ALL windows of the left-out rows (as Go does)
            wins_s, own_s = featurize([train[i] for i in te_rows], False, [cache[i] for i in te_rows])
            z = clf.decision_function(transform(counts_matrix(wins_s), idf, args.norm))
            oos[te_rows] = row_scores(z, own_s, len(te_rows))
            print(f"  LOSO {s}: {len(te_rows)} rows, {time.time() - tl:.0f}s", file=sys.stderr)
        res["loso_seconds"] = round(time.time() - tl, 1)
        w = balanced_weights(train, y)
        A, B = platt(oos, y.astype(int), w)
        p_oos = sigmoid(A * oos + B)
        # threshold on all held-out-source scores (each source scored by a model that never saw it)
        np.savez_compressed(os.path.join(WORK, f"loso{args.tag}.npz"), oos=oos, y=y, src=src_arr)
        if args.doc_fpr_cap:
            isdoc = np.isin(src_arr, DOC_SOURCES)
            rule = "max F1 on leave-one-source-out probabilities with FPR <= 2 %% on benign prompts and text, <= %g %% on benign documents (sources %s)" % (
                100 * args.doc_fpr_cap, ", ".join(DOC_SOURCES))
        else:
            isdoc = None
            rule = "max F1 with FPR <= 2% on leave-one-source-out probabilities"
        thr = pick_threshold(y, p_oos, doc=isdoc, doc_cap=args.doc_fpr_cap)
        res["calibration"] = {"A": A, "B": B, "threshold": thr, "rule": rule}
        loso = {}
        for s in sources:
            m = src_arr == s
            others = ~m
            thr_s = pick_threshold(y[others], p_oos[others], doc=None if isdoc is None else isdoc[others], doc_cap=args.doc_fpr_cap)  # threshold without s
            d = metrics(y[m], p_oos[m], thr_s)
            d["threshold"] = thr_s
            d["length_auc"] = None
            loso[s] = d
        # length-only AUC over all LOSO rows
        lens = np.array([len(r["text"]) for r in train], float)
        res["loso_overall"] = metrics(y, p_oos, thr)
        res["loso_overall"]["length_auc"] = round(float(roc_auc_score(y, lens)), 4)
        res["loso"] = loso
    else:
        A, B, thr = 1.0, 0.0, 0.5

    # ---------------- final model on all training rows
    tf = time.time()
    idf = idf_of(C)
    clf = fit(transform(C, idf, args.norm), yw, args.alpha)
    res["final_train_seconds"] = round(time.time() - tf, 1)
    w = clf.coef_.ravel().astype(np.float64)
    b0 = float(clf.intercept_[0])
    if not args.no_loso:
        # calibration maps the final model's z (incl. its intercept) as the OOS z
        A_f, B_f = A, B + A * 0.0
    else:
        A_f, B_f = 1.0, 0.0

    def score(rows):
        wins_e, own_e = featurize(rows, False)
        z = clf.decision_function(transform(counts_matrix(wins_e), idf, args.norm))
        return sigmoid(A_f * row_scores(z, own_e, len(rows)) + B_f)

    def report(rows, p, by=None):
        yy = np.array([r["label"] == "INJECTION" for r in rows])
        lens = np.array([len(r["text"]) for r in rows], float)
        out = {"all": metrics(yy, p, thr)}
        if 0 < yy.sum() < len(yy):
            out["all"]["length_auc"] = round(float(roc_auc_score(yy, lens)), 4)
        if by:
            groups = {}
            for i, r in enumerate(rows):
                groups.setdefault(str(r.get(by)), []).append(i)
            for g, idx in sorted(groups.items()):
                out[g] = metrics(yy[idx], p[idx], thr)
        return out

    p_ev = score(ev)
    inj = [i for i, r in enumerate(ev) if r["label"] == "INJECTION"]
    ben = [i for i, r in enumerate(ev) if r["label"] != "INJECTION"]
    res["eval_only"] = {
        "all": report(ev, p_ev)["all"],
        "by_source": report(ev, p_ev, "source"),
        "injections_by_lang": report([ev[i] for i in inj], p_ev[inj], "lang"),
        "injections_by_type": report([ev[i] for i in inj], p_ev[inj], "injection_type"),
        "benign_by_source": report([ev[i] for i in ben], p_ev[ben], "source"),
    }
    # per language: CyberSecEval injections vs all benign eval-only rows
    p_held = score(held)
    res["heldout"] = {"by_source": report(held, p_held, "source"), "by_kind": report(held, p_held, "kind"),
                      "by_lang": report(held, p_held, "lang")}
    res["threshold"] = thr
    res["seconds_total"] = round(time.time() - t0, 1)

    # ---------------- export
    table = np.zeros((CFG.first_id + CFG.buckets, 2), np.float32)
    table[:, 0] = (w * idf).astype(np.float32)
    table[:, 1] = (idf ** 2 if args.norm == "l2" else np.ones_like(idf)).astype(np.float32)
    table[: CFG.first_id] = [0.0, 1.0]  # [PAD], [CLS]
    # logit s = A_f * (z + b0) + B_f  with z = a / sqrt(q); the SGD intercept is folded into c
    s_a, s_b = A_f, A_f * b0 + B_f
    Wm = np.array([[-s_a / 2, s_a / 2]], np.float32)
    cm = np.array([[-s_b / 2, s_b / 2]], np.float32)
    res["export"] = {"A": s_a, "B": s_b}
    with open(os.path.join(WORK, f"result{args.tag}.json"), "w") as f:
        json.dump(res, f, indent=1)
    np.savez_compressed(os.path.join(WORK, f"weights{args.tag}.npz"), table=table, W=Wm, c=cm)
    # sanity: the exported graph's formula equals the sklearn path on a few rows
    chk = held[:50]
    ids_list = [windows_of(r["text"])[0] for r in chk]
    L = max(len(x) for x in ids_list)
    ids = np.zeros((len(chk), L), np.int64)
    mask = np.zeros((len(chk), L), np.int64)
    for i, x in enumerate(ids_list):
        ids[i, : len(x)] = x
        mask[i, : len(x)] = 1
    lg = hashed_onnx.reference_logits(table, Wm, cm, ids, mask)
    p_graph = sigmoid(lg[:, 1] - lg[:, 0])
    wins_c = [x[1:] for x in ids_list]
    z = clf.decision_function(transform(counts_matrix(wins_c), idf, args.norm))
    diff = float(np.abs(p_graph - sigmoid(A_f * z + B_f)).max())
    print(f"graph vs sklearn max |dp| = {diff:.2e}", file=sys.stderr)
    assert diff < 1e-4, diff
    print(json.dumps({k: res[k] for k in ("threshold", "loso_overall") if k in res}, indent=1))
    print(json.dumps(res["eval_only"]["all"]), json.dumps(res["eval_only"]["benign_by_source"]))
    print(f"total {time.time() - t0:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
