#!/usr/bin/python3
"""Train, evaluate and export one llmshield classifier.

    /usr/bin/python3 training/train.py --task injection        # full run -> models/promptinjection
    /usr/bin/python3 training/train.py --task injection --loso  # + leave-one-source-out runs
    /usr/bin/python3 training/train.py --task sentiment --arch bag --no-export   # experiment

Needs training/work/<task>_{train,val,test}.jsonl (training/split.py) and
training/work/tokenizer.json (make -C training tokenizer). Deterministic: fixed
seeds, single-process data order, torch deterministic algorithms.
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")
ROOT = os.path.dirname(HERE)
TOKENIZER = os.path.join(WORK, "tokenizer.json")

TASKS = {
    "injection": dict(dir="promptinjection", labels=["SAFE", "INJECTION"], positive=["INJECTION"], max_length=256,
                      version="llmshield-pi-tiny-1.0.0", fpr_cap=0.02, class_weight=True,
                      defaults=dict(arch="bag", epochs=4, lr=1e-3, loso=True)),
    # toxicity: Davidson + out-of-domain SAFE rows (toxicity_data.py); threshold = max Davidson F1 on validation
    # with FPR <= 2% on the out-of-domain validation rows (1.0.0 flagged 55% of benign instructions).
    "toxicity": dict(dir="toxicity", labels=["SAFE", "TOXIC"], positive=["TOXIC"], max_length=128,
                     version="llmshield-tox-tiny-1.1.0", fpr_cap=0.02, class_weight=False,
                     extra="toxicity_data", f1_sources=("davidson",), fpr_sources=("gpteacher", "jackhhao", "vader"),
                     defaults=dict(arch="bag", epochs=5, lr=1e-3)),
    "sentiment": dict(dir="sentiment", labels=["POSITIVE", "NEGATIVE", "NEUTRAL"], positive=["NEGATIVE"],
                      max_length=128, version="llmshield-sent-tiny-1.0.0", fpr_cap=None, class_weight=False, threshold_metric="accuracy",
                      defaults=dict(arch="bag", epochs=12, lr=5e-3)),
}
PAD, UNK, CLS, SEP, MASK = 0, 1, 2, 3, 4


# ---------------------------------------------------------------- data
def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def encoded(name, max_length):
    """Rows of work/<name>.jsonl with "ids" from the HF tokenizer (cached)."""
    src = os.path.join(WORK, name + ".jsonl")
    dst = os.path.join(WORK, f"{name}.ids{max_length}.jsonl")
    if not os.path.exists(dst) or os.path.getmtime(dst) < max(os.path.getmtime(src), os.path.getmtime(TOKENIZER)):
        subprocess.run(["node", os.path.join(HERE, "tokenizer.js"), "encode", TOKENIZER, src, dst, str(max_length)],
                       check=True, stdout=subprocess.DEVNULL)
    rows = read_jsonl(src)
    ids = read_jsonl(dst)
    if len(rows) != len(ids):
        raise SystemExit(f"{dst}: {len(ids)} encodings for {len(rows)} rows; delete it and retry")
    for r, e in zip(rows, ids):
        r["ids"] = e["ids"]
    return rows


def batches(rows, max_tokens, shuffle, rng):
    """Length-bucketed batches (list of row lists) bounded by padded token count."""
    order = sorted(range(len(rows)), key=lambda i: (len(rows[i]["ids"]), i))
    out, cur, cur_max = [], [], 0
    for i in order:
        n = len(rows[i]["ids"])
        if cur and max(cur_max, n) * (len(cur) + 1) > max_tokens:
            out.append(cur)
            cur, cur_max = [], 0
        cur.append(rows[i])
        cur_max = max(cur_max, n)
    if cur:
        out.append(cur)
    if shuffle:
        rng.shuffle(out)
    return out


def tensors(batch):
    L = max(len(r["ids"]) for r in batch)
    ids = torch.zeros(len(batch), L, dtype=torch.long)
    mask = torch.zeros(len(batch), L, dtype=torch.long)
    for i, r in enumerate(batch):
        ids[i, : len(r["ids"])] = torch.tensor(r["ids"])
        mask[i, : len(r["ids"])] = 1
    return ids, mask


# ---------------------------------------------------------------- models
class Layer(nn.Module):
    def __init__(self, h, heads, ffn, drop):
        super().__init__()
        self.h, self.heads = h, heads
        self.qkv = nn.Linear(h, 3 * h)
        self.o = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=1e-5)
        self.f1 = nn.Linear(h, ffn)
        self.f2 = nn.Linear(ffn, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-5)
        self.drop = nn.Dropout(drop)

    def forward(self, x, bias):
        b, s, h = x.shape
        d = h // self.heads
        q, k, v = self.qkv(x).split(h, dim=-1)
        q = q.reshape(b, s, self.heads, d).transpose(1, 2)
        k = k.reshape(b, s, self.heads, d).transpose(1, 2)
        v = v.reshape(b, s, self.heads, d).transpose(1, 2)
        att = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(d)) + bias
        att = self.drop(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.drop(self.o(y)))
        return self.ln2(x + self.drop(self.f2(self.drop(F.gelu(self.f1(x))))))


class Encoder(nn.Module):
    """Post-LN transformer encoder; padding masked in attention (additive -1e4) and in mean pooling."""

    def __init__(self, vocab, h, layers, heads, ffn, max_len, drop):
        super().__init__()
        self.tok = nn.Embedding(vocab, h)
        self.pos = nn.Embedding(max_len, h)
        self.ln = nn.LayerNorm(h, eps=1e-5)
        self.layers = nn.ModuleList([Layer(h, heads, ffn, drop) for _ in range(layers)])
        self.drop = nn.Dropout(drop)

    def forward(self, ids, maskf):
        s = ids.shape[1]
        x = self.tok(ids) + self.pos.weight[:s].unsqueeze(0)
        x = self.drop(self.ln(x))
        bias = ((1.0 - maskf) * -10000.0).unsqueeze(1).unsqueeze(2)
        for layer in self.layers:
            x = layer(x, bias)
        return x


class Classifier(nn.Module):
    def __init__(self, arch, vocab, n_labels, h=128, layers=2, heads=4, ffn=512, max_len=256, drop=0.1):
        super().__init__()
        self.arch = arch
        if arch == "transformer":
            self.enc = Encoder(vocab, h, layers, heads, ffn, max_len, drop)
        else:  # "bag": masked mean of token embeddings; "cnn": + width-3 convolution
            self.emb = nn.Embedding(vocab, h)
        feat = h
        if arch == "cnn":
            self.conv = nn.Linear(3 * h, ffn)
            feat = h + ffn
        self.pre = nn.Linear(feat, h)
        self.drop = nn.Dropout(drop)
        self.out = nn.Linear(h, n_labels)

    def forward(self, input_ids, attention_mask):
        maskf = attention_mask.to(torch.float32)
        m = maskf.unsqueeze(2)
        if self.arch == "transformer":
            x = self.enc(input_ids, maskf)
        else:
            x = self.emb(input_ids) * m
            if self.arch == "cnn":
                # width-3 convolution as Slice/Concat/MatMul (no Conv/Pad ops needed)
                z = x[:, :1] * 0.0
                prev = torch.cat([z, x[:, :-1]], dim=1)
                nxt = torch.cat([x[:, 1:], z], dim=1)
                c = torch.relu(self.conv(torch.cat([prev, x, nxt], dim=2)))
                x = torch.cat([x, c], dim=2)
        # Masked mean as a ratio of ReduceMeans (onnx-gomlx has no ReduceSum);
        # every real input has at least [CLS], so the denominator is > 0.
        pooled = (x * m).mean(dim=1) / m.mean(dim=1)
        return self.out(self.drop(torch.tanh(self.pre(pooled))))


class MLMHead(nn.Module):
    def __init__(self, enc, vocab, h):
        super().__init__()
        self.enc = enc
        self.dense = nn.Linear(h, h)
        self.ln = nn.LayerNorm(h)
        self.bias = nn.Parameter(torch.zeros(vocab))

    def forward(self, ids, mask, sel):
        x = self.enc(ids, mask.to(torch.float32))[sel]
        x = self.ln(F.gelu(self.dense(x)))
        return x @ self.enc.tok.weight.t() + self.bias


# ---------------------------------------------------------------- metrics
def binary_metrics(y, pos_prob, thr):
    pred = pos_prob >= thr
    tp = int(((pred == 1) & (y == 1)).sum()); fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum()); tn = int(((pred == 0) & (y == 0)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return dict(n=len(y), positives=int((y == 1).sum()), negatives=int((y == 0).sum()), tp=tp, fp=fp, fn=fn, tn=tn,
                precision=round(p, 4), recall=round(r, 4), f1=round(f1, 4),
                fpr=round(fp / (fp + tn), 4) if fp + tn else None, accuracy=round((tp + tn) / max(1, len(y)), 4))


def multiclass_metrics(y, probs, labels):
    pred = probs.argmax(1)
    res = dict(n=len(y), accuracy=round(float((pred == y).mean()), 4), per_class={})
    f1s = []
    for i, lab in enumerate(labels):
        tp = int(((pred == i) & (y == i)).sum()); fp = int(((pred == i) & (y != i)).sum()); fn = int(((pred != i) & (y == i)).sum())
        p = tp / (tp + fp) if tp + fp else 0.0; r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f1)
        res["per_class"][lab] = dict(support=int((y == i).sum()), precision=round(p, 4), recall=round(r, 4), f1=round(f1, 4))
    res["macro_f1"] = round(sum(f1s) / len(f1s), 4)
    res["confusion"] = [[int(((y == i) & (pred == j)).sum()) for j in range(len(labels))] for i in range(len(labels))]
    return res


def choose_threshold(y, pos_prob, fpr_cap, metric="f1"):
    """Max-<metric> (f1 or accuracy) threshold on validation, subject to FPR <= fpr_cap if given."""
    best = (-1.0, 0.5)
    for t in np.unique(np.concatenate([np.round(pos_prob, 4), [0.5]])):
        m = binary_metrics(y, pos_prob, t)
        if fpr_cap is not None and m["fpr"] is not None and m["fpr"] > fpr_cap:
            continue
        if m[metric] > best[0] or (m[metric] == best[0] and abs(t - 0.5) < abs(best[1] - 0.5)):
            best = (m[metric], float(t))
    return round(best[1], 4)


def choose_threshold_by_source(rows, pos_prob, positive, f1_sources, fpr_sources, fpr_cap):
    """Max F1 on rows of f1_sources, subject to FPR <= fpr_cap on rows of fpr_sources (all validation)."""
    y = np.array([1 if r["label"] == positive else 0 for r in rows])
    f1_ix = np.array([r["source"] in f1_sources for r in rows])
    fpr_ix = np.array([r["source"] in fpr_sources for r in rows])
    if not f1_ix.any() or not fpr_ix.any():
        raise SystemExit(f"threshold: validation has no rows of {f1_sources} or {fpr_sources}")
    best = (-1.0, 0.5)
    for t in np.unique(np.concatenate([np.round(pos_prob, 4), [0.5]])):
        if binary_metrics(y[fpr_ix], pos_prob[fpr_ix], t)["fpr"] > fpr_cap:
            continue
        f1 = binary_metrics(y[f1_ix], pos_prob[f1_ix], t)["f1"]
        if f1 > best[0] or (f1 == best[0] and abs(t - 0.5) < abs(best[1] - 0.5)):
            best = (f1, float(t))
    return round(best[1], 4)


# ---------------------------------------------------------------- training
def set_seed(seed):
    random.seed(seed); np.random.seed(seed); torch.manual_seed(seed)


def predict(model, rows, max_tokens=16384):
    model.eval()
    out = [None] * len(rows)
    idx = {id(r): i for i, r in enumerate(rows)}
    with torch.no_grad():
        for b in batches(rows, max_tokens, False, None):
            ids, mask = tensors(b)
            p = torch.softmax(model(ids, mask), -1).numpy()
            for r, pr in zip(b, p):
                out[idx[id(r)]] = pr
    return np.stack(out)


def fit(model, train, cfg, a, log):
    rng = random.Random(a.seed)
    labels = cfg["labels"]
    y = np.array([labels.index(r["label"]) for r in train])
    weight = None
    if cfg["class_weight"] or a.class_weight:
        cnt = np.bincount(y, minlength=len(labels)).astype(np.float64)
        weight = torch.tensor(len(y) / (len(labels) * np.maximum(cnt, 1)), dtype=torch.float32)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    n_batches = len(batches(train, a.max_tokens, False, None))
    total = n_batches * a.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, int(0.06 * total))) * max(0.0, (total - s) / total))
    t0 = time.time()
    for ep in range(a.epochs):
        model.train()
        tot, n = 0.0, 0
        for b in batches(train, a.max_tokens, True, rng):
            ids, mask = tensors(b)
            yy = torch.tensor([labels.index(r["label"]) for r in b])
            loss = F.cross_entropy(model(ids, mask), yy, weight=weight)
            opt.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step()
            tot += loss.item() * len(b); n += len(b)
        log(f"epoch {ep + 1}/{a.epochs} loss {tot / n:.4f} ({time.time() - t0:.0f}s)")
    return time.time() - t0


def pretrain_mlm(a, cfg, log):
    """Masked-LM pretraining of the encoder on train-split texts of all three tasks."""
    path = os.path.join(WORK, f"mlm_h{a.hidden}_l{a.layers}_e{a.mlm_epochs}.pt")
    if os.path.exists(path):
        log(f"using cached MLM encoder {path}")
        return torch.load(path)
    set_seed(a.seed)
    rows = []
    for t in ("injection", "toxicity", "sentiment"):
        rows += [r for r in encoded(f"{t}_train", 128) if not r.get("generated")]
    vocab = json.load(open(TOKENIZER))["model"]["vocab"]
    V = len(vocab)
    enc = Encoder(V, a.hidden, a.layers, a.heads, a.ffn, 256, 0.1)
    head = MLMHead(enc, V, a.hidden)
    opt = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=0.01)
    rng = random.Random(a.seed)
    g = torch.Generator().manual_seed(a.seed)
    total = len(batches(rows, a.max_tokens, False, None)) * a.mlm_epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, int(0.06 * total))) * max(0.0, (total - s) / total))
    t0 = time.time()
    for ep in range(a.mlm_epochs):
        tot, n = 0.0, 0
        for b in batches(rows, a.max_tokens, True, rng):
            ids, mask = tensors(b)
            cand = (mask == 1) & (ids > MASK)
            sel = cand & (torch.rand(ids.shape, generator=g) < 0.15)
            if sel.sum() == 0:
                continue
            target = ids[sel]
            inp = ids.clone()
            r = torch.rand(ids.shape, generator=g)
            inp[sel & (r < 0.8)] = MASK
            rnd = sel & (r >= 0.8) & (r < 0.9)
            inp[rnd] = torch.randint(MASK + 1, V, (int(rnd.sum()),), generator=g)
            loss = F.cross_entropy(head(inp, mask, sel), target)
            opt.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
            opt.step(); sched.step()
            tot += loss.item(); n += 1
        log(f"mlm epoch {ep + 1}/{a.mlm_epochs} loss {tot / n:.4f} ({time.time() - t0:.0f}s)")
    state = enc.state_dict()
    torch.save(state, path)
    return state


def build(a, cfg, V):
    return Classifier(a.arch, V, len(cfg["labels"]), a.hidden, a.layers, a.heads, a.ffn, 256, a.dropout)


def evaluate(model, rows, cfg, thr):
    labels = cfg["labels"]
    probs = predict(model, rows)
    y = np.array([labels.index(r["label"]) for r in rows])
    if len(labels) == 2:
        overall = binary_metrics(y, probs[:, 1], thr)
        per = {}
        for s in sorted({r["source"] for r in rows}):
            ix = np.array([r["source"] == s for r in rows])
            per[s] = binary_metrics(y[ix], probs[ix, 1], thr)
        return overall, per
    overall = multiclass_metrics(y, probs, labels)
    neg = labels.index(cfg["positive"][0])
    overall["negative_vs_rest"] = binary_metrics((y == neg).astype(int), probs[:, neg], thr)
    per = {}
    for d in sorted({r.get("domain", "") for r in rows}):
        ix = np.array([r.get("domain", "") == d for r in rows])
        per[d] = multiclass_metrics(y[ix], probs[ix], labels)
    return overall, per


def export(model, cfg, a, outdir, log):
    os.makedirs(outdir, exist_ok=True)
    model.eval()
    ids = torch.tensor([[CLS, 100, 200, 300, SEP, PAD], [CLS, 400, SEP, PAD, PAD, PAD]], dtype=torch.long)
    mask = (ids != PAD).long()
    path = os.path.join(outdir, "model.onnx")
    torch.onnx.export(model, (ids, mask), path, input_names=["input_ids", "attention_mask"], output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                                    "logits": {0: "batch"}}, opset_version=14, do_constant_folding=True)
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    log(f"exported {path} ({os.path.getsize(path)} bytes) ops: {' '.join(ops)}")
    return ops


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", required=True, choices=sorted(TASKS))
    ap.add_argument("--arch", default=None, choices=["transformer", "cnn", "bag"], help="default: per task (TASKS)")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=None, help="default: per task")
    ap.add_argument("--lr", type=float, default=None, help="default: per task")
    ap.add_argument("--max-tokens", type=int, default=8192, help="padded tokens per batch")
    ap.add_argument("--class-weight", action="store_true")
    ap.add_argument("--mlm-epochs", type=int, default=0, help="MLM pretraining epochs (0 = none)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (results are reproducible for a fixed value)")
    ap.add_argument("--loso", action="store_true", default=None, help="also run leave-one-source-out (default on for injection)")
    ap.add_argument("--no-loso", dest="loso", action="store_false")
    ap.add_argument("--loso-epochs", type=int, default=0, help="epochs for LOSO runs (default: --epochs)")
    ap.add_argument("--no-export", action="store_true", help="experiment only: print metrics, write nothing to models/")
    a = ap.parse_args()
    if a.task == "toxicity":
        raise SystemExit("toxicity v2 (multi-label hashed n-grams) is trained by training/toxicity.py (make -C training toxicity)")
    for k, v in TASKS[a.task]["defaults"].items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    a.loso = bool(a.loso)
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)
    cfg = TASKS[a.task]
    outdir = os.path.join(ROOT, "models", cfg["dir"])
    logs = []

    def log(msg):
        print(msg, flush=True); logs.append(msg)

    vocab = json.load(open(TOKENIZER))["model"]["vocab"]
    V = len(vocab)
    L = cfg["max_length"]
    train, val, test = (encoded(f"{a.task}_{s}", L) for s in ("train", "val", "test"))
    if cfg.get("extra"):  # task-specific extra rows in work/<task>_ood_<split>.jsonl, split by the same bucket rule
        sys.path.insert(0, HERE)
        __import__(cfg["extra"]).build()
        train, val, test = (rows + encoded(f"{a.task}_ood_{s}", L) for rows, s in ((train, "train"), (val, "val"), (test, "test")))
    log(f"{a.task}: train {len(train)} val {len(val)} test {len(test)}; vocab {V}; args {vars(a)}")

    mlm_state, mlm_secs = None, 0.0
    if a.mlm_epochs and a.arch == "transformer":
        t0 = time.time()
        mlm_state = pretrain_mlm(a, cfg, log)
        mlm_secs = time.time() - t0

    def run(train_rows, epochs):
        set_seed(a.seed)
        model = build(a, cfg, V)
        if mlm_state is not None:
            model.enc.load_state_dict(mlm_state)
        aa = argparse.Namespace(**{**vars(a), "epochs": epochs})
        secs = fit(model, train_rows, cfg, aa, log)
        return model, secs

    model, secs = run(train, a.epochs)
    labels = cfg["labels"]
    pos = labels.index(cfg["positive"][0])
    vp = predict(model, val)
    vy = np.array([1 if r["label"] == cfg["positive"][0] else 0 for r in val])
    if cfg.get("fpr_sources"):
        thr = choose_threshold_by_source(val, vp[:, pos], cfg["positive"][0], cfg["f1_sources"], cfg["fpr_sources"], cfg["fpr_cap"])
    else:
        thr = choose_threshold(vy, vp[:, pos], cfg["fpr_cap"], cfg.get("threshold_metric", "f1"))
    val_m, _ = evaluate(model, val, cfg, thr)
    test_m, test_per = evaluate(model, test, cfg, thr)
    log(f"threshold {thr} (val); val {json.dumps(val_m)}")
    log(f"TEST {json.dumps(test_m)}")
    for s, m in test_per.items():
        log(f"  test[{s}] {json.dumps(m)}")

    loso = {}
    if a.loso:
        sources = sorted({r["source"] for r in train + val + test if not r.get("generated") and not r["source"].startswith("extra_")})
        for s in sources:
            tr = [r for r in train + val if r["source"] != s]
            held = [r for r in train + val + test if r["source"] == s]
            m_s, _ = run(tr, a.loso_epochs or a.epochs)
            # threshold: same rule, chosen on the remaining validation rows
            v_rows = [r for r in val if r["source"] != s]
            vpp = predict(m_s, v_rows)[:, pos]
            vyy = np.array([1 if r["label"] == cfg["positive"][0] else 0 for r in v_rows])
            t_s = choose_threshold(vyy, vpp, cfg["fpr_cap"])
            mm, _ = evaluate(m_s, held, cfg, t_s)
            mm["threshold"] = t_s
            loso[s] = mm
            log(f"LOSO[{s}] {json.dumps(mm)}")

    n_params = sum(p.numel() for p in model.parameters())
    emb = model.enc.tok.weight.numel() if a.arch == "transformer" else model.emb.weight.numel()
    result = dict(task=a.task, model_version=cfg["version"], threshold=thr, positive_labels=cfg["positive"],
                  params_total=n_params, params_embedding=emb, params_non_embedding=n_params - emb,
                  train_seconds=round(secs, 1), mlm_seconds=round(mlm_secs, 1), args=vars(a),
                  split_sizes=dict(train=len(train), val=len(val), test=len(test)),
                  split_labels={s: {l: sum(1 for r in rows if r["label"] == l) for l in labels}
                                for s, rows in (("train", train), ("val", val), ("test", test))},
                  validation=val_m, test=test_m, test_by_source=test_per, loso=loso)
    if a.no_export:
        print(json.dumps({k: result[k] for k in ("threshold", "params_total", "train_seconds")}))
        return
    ops = export(model, cfg, a, outdir, log)
    arch = (f"{a.layers}-layer post-LN transformer encoder, hidden {a.hidden}, {a.heads} heads, FFN {a.ffn}, GELU, learned positions (max 256), "
            "masked mean pooling, tanh dense, linear head" if a.arch == "transformer" else
            f"{a.hidden}-d token embeddings; width-3 convolution ({a.ffn} ReLU channels, written as Slice/Concat/MatMul); masked mean pooling of [embedding, convolution]; tanh dense; linear head"
            if a.arch == "cnn" else f"masked mean of {a.hidden}-d token embeddings, tanh dense, linear head")
    if mlm_state is not None:
        arch += f"; encoder MLM-pretrained {a.mlm_epochs} epochs"
    conf = {
        "architectures": ["LlmshieldTinyClassifier"], "model_type": "llmshield-tiny",
        "id2label": {str(i): l for i, l in enumerate(labels)}, "label2id": {l: i for i, l in enumerate(labels)},
        "problem_type": "single_label_classification", "num_labels": len(labels),
        "max_length": L, "threshold": thr, "positive_labels": cfg["positive"], "model_version": cfg["version"],
        "architecture": arch, "vocab_size": V, "hidden_size": a.hidden,
        "pad_token_id": PAD, "onnx_opset": 14, "onnx_inputs": ["input_ids", "attention_mask"],
        "onnx_outputs": ["logits"], "do_lower_case": True,
    }
    if a.arch == "transformer":
        conf.update(num_hidden_layers=a.layers, num_attention_heads=a.heads, intermediate_size=a.ffn)
    elif a.arch == "cnn":
        conf.update(conv_width=3, conv_channels=a.ffn)
    with open(os.path.join(outdir, "config.json"), "w") as f:
        json.dump(conf, f, indent=2); f.write("\n")
    import shutil
    shutil.copyfile(TOKENIZER, os.path.join(outdir, "tokenizer.json"))
    result["onnx_ops"] = ops
    result["files_bytes"] = {fn: os.path.getsize(os.path.join(outdir, fn)) for fn in ("model.onnx", "tokenizer.json", "config.json")}
    result["log"] = logs
    # reference logits for the Go side / ONNX check: first 32 test rows
    ref = test[:32]
    ids_logits = []
    model.eval()
    with torch.no_grad():
        for r in ref:
            ids = torch.tensor([r["ids"]]); lg = model(ids, torch.ones_like(ids))[0].tolist()
            ids_logits.append({"text": r["text"], "ids": r["ids"], "logits": [round(x, 5) for x in lg]})
    with open(os.path.join(WORK, f"{a.task}_reference.jsonl"), "w") as f:
        for x in ids_logits:
            f.write(json.dumps(x, ensure_ascii=False) + "\n")
    ort = os.environ.get("ORT_NODE_MODULES", "/tmp/ortn/node_modules")
    if os.path.isdir(os.path.join(ort, "onnxruntime-node")):
        p = subprocess.run(["node", os.path.join(HERE, "verify_onnx.js"), outdir, os.path.join(WORK, f"{a.task}_reference.jsonl")],
                           capture_output=True, text=True, env={**os.environ, "ORT_NODE_MODULES": ort})
        if p.returncode != 0:
            raise SystemExit(f"ONNX Runtime verification failed: {p.stdout} {p.stderr}")
        result["latency"] = json.loads(p.stdout.strip().splitlines()[-1])
        log(f"onnxruntime-node check: {p.stdout.strip()}")
    else:
        log(f"onnxruntime-node not found under {ort}: skipped ONNX Runtime check (make -C training deps)")
    with open(os.path.join(outdir, "metrics.json"), "w") as f:
        json.dump(result, f, indent=2); f.write("\n")
    sys.path.insert(0, HERE)
    import card
    card.render(a.task)
    log(f"wrote {outdir}")


if __name__ == "__main__":
    main()
