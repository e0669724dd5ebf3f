#!/usr/bin/python3
"""Train the built-in NER model (person, organisation, location) and export it.

    make -C training ner        (= /usr/bin/python3 ner_train.py)

Data: ner_data.py (Presidio train split + generated sentences; val split picks the
epoch; the Presidio test split and the held-out template family are only reported).
Model: ner_onnx.py (hashed word features, 3 dense layers over a 5-word window).
Writes models/ner and models/ner-int8 (model.onnx, tokenizer.json, config.json,
metrics.json, reference.jsonl) and internal/inference/testdata/tiny-tokencls (a small
random model of the same graph for the engine tests).
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn

import ner_data
import ner_features as F
import ner_onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
K = F.K
LABELS = ner_data.LABELS
VERSION = "llmshield-ner-hashed-1.0.0"
FEATURES = ["lower", "shape", "prefix2", "prefix3", "suffix2", "suffix3", "suffix4", "cased"]


class Net(nn.Module):
    def __init__(self, V, D, H, L, drop=0.25):
        super().__init__()
        self.emb = nn.Embedding(V, D, padding_idx=0, sparse=True)
        self.l1 = nn.Linear(K * D, H)
        self.l2 = nn.Linear(5 * H, H)
        self.l3 = nn.Linear(5 * H, H)
        self.out = nn.Linear(H, L)
        self.drop = nn.Dropout(drop)
        self.edrop = nn.Dropout(0.1)

    def window(self, h):
        W = h.shape[1]
        p = nn.functional.pad(h, (0, 0, 2, 2))
        return torch.cat([p[:, k:k + W] for k in range(5)], dim=2)

    def forward(self, ids, m):  # ids [B,W,K], m [B,W,1]
        B, W, _ = ids.shape
        x = self.edrop(self.emb(ids)).reshape(B, W, -1)
        h = torch.relu(self.l1(x)) * m
        h = torch.relu(self.l2(self.drop(self.window(h)))) * m
        h = torch.relu(self.l3(self.drop(self.window(h)))) * m
        return self.out(self.drop(h))

    def weights(self):
        g = lambda t: t.detach().cpu().numpy().astype(np.float32)
        return {"table": g(self.emb.weight), "W1": g(self.l1.weight).T.copy(), "b1": g(self.l1.bias),
                "W2": g(self.l2.weight).T.copy(), "b2": g(self.l2.bias), "W3": g(self.l3.weight).T.copy(), "b3": g(self.l3.bias),
                "Wo": g(self.out.weight).T.copy(), "bo": g(self.out.bias)}


def featurize(rows, buckets, first_id):
    cache = {}
    for r in rows:
        r["ids"] = F.encode_tokens(r["text"], r["toks"], buckets, first_id, cache)
        r["y"] = [LABELS.index(t) for t in r["tags"]]


def batches(rows, bs, rng=None):
    # batches of rows of similar length (less padding), in random order
    idx = sorted(range(len(rows)), key=lambda j: (len(rows[j]["ids"]), rng.random() if rng else 0))
    starts = list(range(0, len(idx), bs))
    if rng:
        rng.shuffle(starts)
    for i in starts:
        part = [rows[j] for j in idx[i:i + bs] if rows[j]["ids"]]
        if not part:
            continue
        W = max(len(r["ids"]) for r in part)
        ids = np.zeros((len(part), W, K), np.int64)
        y = np.full((len(part), W), -100, np.int64)
        m = np.zeros((len(part), W, 1), np.float32)
        for b, r in enumerate(part):
            n = len(r["ids"])
            ids[b, :n] = r["ids"]
            y[b, :n] = r["y"]
            m[b, :n] = 1
        yield part, torch.from_numpy(ids), torch.from_numpy(m), torch.from_numpy(y)


def decode(text, toks, probs):
    """IOB2 -> [(start, end, TYPE, score)] (code points), HF 'simple'-like grouping:
    a B- tag or a change of type starts an entity; I- of the same type continues it.
    Score: mean of the per-token probabilities of the chosen labels."""
    out, cur = [], None
    for (s, e), p in zip(toks, probs):
        lab = LABELS[int(p.argmax())]
        if lab == "O":
            if cur:
                out.append(cur)
            cur = None
            continue
        bi, typ = lab.split("-")
        if cur and bi == "I" and cur[2] == typ:
            cur[1] = e
            cur[3].append(float(p.max()))
        else:
            if cur:
                out.append(cur)
            cur = [s, e, typ, [float(p.max())]]
    if cur:
        out.append(cur)
    return [(s, e, t, sum(sc) / len(sc)) for s, e, t, sc in out]


def gold_spans(r):
    spans, cur = [], None
    for (s, e), t in zip(r["toks"], r["tags"]):
        if t == "O":
            if cur:
                spans.append(cur)
            cur = None
        elif t.startswith("B-") or not cur or cur[2] != t[2:]:
            if cur:
                spans.append(cur)
            cur = [s, e, t[2:]]
        else:
            cur[1] = e
    if cur:
        spans.append(cur)
    return spans


def predict(net, rows):
    net.eval()
    out = []
    with torch.no_grad():
        for part, ids, m, _ in batches(rows, 64):
            pr = torch.softmax(net(ids, m), -1).numpy()
            for b, r in enumerate(part):
                out.append((r, decode(r["text"], r["toks"], pr[b, :len(r["toks"])])))
    return out


def score(preds, threshold=0.5):
    """Per type: overlap matching as internal/pii's TestPresidio (a gold span is found
    when a prediction of its type overlaps it; a prediction is correct when it overlaps
    a gold span of its type)."""
    res = {}
    for typ in ("PER", "ORG", "LOC"):
        gold = found = pred = correct = 0
        for r, ps in preds:
            g = [x for x in gold_spans(r) if x[2] == typ]
            p = [x for x in ps if x[2] == typ and x[3] >= threshold]
            gold += len(g)
            pred += len(p)
            found += sum(any(a[0] < b[1] and b[0] < a[1] for b in p) for a in g)
            correct += sum(any(a[0] < b[1] and b[0] < a[1] for b in g) for a in p)
        P = correct / pred if pred else 0.0
        R = found / gold if gold else 0.0
        res[typ] = {"gold": gold, "pred": pred, "precision": round(P, 4), "recall": round(R, 4),
                    "f1": round(2 * P * R / (P + R), 4) if P + R else 0.0}
    return res


def tokenizer_json(buckets, first_id):
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
            "pre_tokenizer": None, "post_processor": None, "decoder": None,
            "model": {"type": "HashedWordFeatures", "version": 1, "buckets": buckets, "first_id": first_id,
                      "features": FEATURES, "hash": "fnv1a64-cp-fmix64", "special_tokens": {"[PAD]": 0}}}


def config_json(variant, arch, buckets, first_id, extra=None):
    c = {"architectures": ["HashedWordFeaturesForTokenClassification"], "model_type": "llmshield-hashed-word-ner",
         "id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)},
         "num_labels": len(LABELS), "max_length": 4096,
         "model_version": VERSION + ("-int8" if variant == "int8" else ""), "variant": variant, "architecture": arch,
         "vocab_size": buckets + first_id, "pad_token_id": 0, "onnx_opset": ner_onnx.OPSET,
         "onnx_inputs": ["input_ids", "attention_mask"], "onnx_outputs": ["logits"],
         "license": "weights trained by llmshield from MIT-licensed Presidio synthetic data and our own generated sentences (see MODEL_CARD.md); no training text is shipped"}
    c.update(extra or {})
    return c


REF_TEXTS = ["My name is Jean-Pierre Müller and I work at Acme GmbH in Zürich.", "Please call Dr. María García López tomorrow.",
             "the quarterly report is due on monday.", "Envoyez le contrat à Camille Dubois (Société Générale), Paris.",
             "", "   ", "x", "Hello!!! 😀 Ünïcödé\u200btext\tand\nnew lines, O'Brien & Sons Ltd."]


def write_model(dirname, net, buckets, first_id, int8, arch, metrics):
    d = os.path.join(ROOT, "models", dirname)
    os.makedirs(d, exist_ok=True)
    w = net.weights()
    variant = "int8" if int8 else "fp32"
    m = ner_onnx.build(w, K, int8=int8, name=VERSION, doc="llmshield NER (hashed word features), " + variant)
    with open(os.path.join(d, "model.onnx"), "wb") as fh:
        fh.write(m.SerializeToString())
    json.dump(tokenizer_json(buckets, first_id), open(os.path.join(d, "tokenizer.json"), "w"), indent=1)
    json.dump(config_json(variant, arch, buckets, first_id), open(os.path.join(d, "config.json"), "w"), indent=1)
    json.dump(metrics, open(os.path.join(d, "metrics.json"), "w"), indent=1)
    with open(os.path.join(d, "reference.jsonl"), "w") as fh:
        for t in REF_TEXTS:
            toks = F.tokens(t)
            ids = F.encode_tokens(t, toks, buckets, first_id)
            if not ids:
                fh.write(json.dumps({"text": t, "input_ids": [], "logits": []}) + "\n")
                continue
            flat = np.array([x for w_ in ids for x in w_], np.int64)[None]
            lg = ner_onnx.reference_forward(w, flat, np.ones_like(flat), K, int8=int8)[0]
            bo = F.byte_offsets(t)
            fh.write(json.dumps({"text": t, "input_ids": flat[0].tolist(), "offsets": [[bo[s], bo[e]] for s, e in toks for _ in range(K)],
                                 "logits": np.round(lg, 5).tolist()}, ensure_ascii=False) + "\n")
    return d


def write_tiny():
    """A small random model of the same graph for internal/inference's tests."""
    rng = np.random.default_rng(20261130)
    buckets, first_id, D, H, L = 97, 1, 4, 6, len(LABELS)
    w = {"table": rng.normal(0, 1, (buckets + first_id, D)).astype(np.float32)}
    w["table"][0] = 0
    for k, shp in (("W1", (K * D, H)), ("b1", (H,)), ("W2", (5 * H, H)), ("b2", (H,)), ("W3", (5 * H, H)), ("b3", (H,)), ("Wo", (H, L)), ("bo", (L,))):
        w[k] = rng.normal(0, 0.5, shp).astype(np.float32)
    d = os.path.join(ROOT, "internal", "inference", "testdata", "tiny-tokencls")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "model.onnx"), "wb") as fh:
        fh.write(ner_onnx.build(w, K, name="tiny-tokencls", doc="random test model (training/ner_train.py --tiny)").SerializeToString())
    json.dump(tokenizer_json(buckets, first_id), open(os.path.join(d, "tokenizer.json"), "w"), indent=1)
    cfg = config_json("fp32", "random test model", buckets, first_id, {"max_length": 512, "model_version": "tiny-tokencls"})
    json.dump(cfg, open(os.path.join(d, "config.json"), "w"), indent=1)
    with open(os.path.join(d, "reference.jsonl"), "w") as fh:
        for t in REF_TEXTS + ["Ann Lee met Bob Stone in Oslo and Rome with Acme Corp staff."]:
            toks = F.tokens(t)
            ids = F.encode_tokens(t, toks, buckets, first_id)
            flat = np.array([x for w_ in ids for x in w_], np.int64)[None] if ids else np.zeros((1, 0), np.int64)
            lg = ner_onnx.reference_forward(w, flat, np.ones_like(flat), K)[0] if ids else np.zeros((0, L))
            bo = F.byte_offsets(t)
            fh.write(json.dumps({"text": t, "input_ids": flat[0].tolist(), "offsets": [[bo[s], bo[e]] for s, e in toks for _ in range(K)],
                                 "logits": np.round(lg, 5).tolist()}, ensure_ascii=False) + "\n")
    print("wrote", d)
    # tokenizer fixture: ids and offsets of tricky texts (tokenizer/hashedword_test.go)
    td = os.path.join(ROOT, "tokenizer", "testdata", "hashedword")
    os.makedirs(td, exist_ok=True)
    json.dump(tokenizer_json(1 << 15, first_id), open(os.path.join(td, "tokenizer.json"), "w"), indent=1)
    tricky = REF_TEXTS + ["İstanbul ΣΊΣΥΦΟΣ ǅemal Straße", "e\u0301cole naïve CAFÉ 2024-05-01 ½ ٣٤", "東京タワー 北京市 서울",
                          "a\u00a0b\u2003c\u200bd\x85e\u2028f", "¡Hola! ¿Qué tal? «Bonjour» — “quoted” 'single'",
                          "MacDonald-O'Neill III, Jr.; x86_64 C++ e-mail@example.com"]
    with open(os.path.join(td, "reference.jsonl"), "w") as fh:
        for t in tricky:
            toks = F.tokens(t)
            ids = F.encode_tokens(t, toks, 1 << 15, first_id)
            bo = F.byte_offsets(t)
            fh.write(json.dumps({"text": t, "ids": [x for w_ in ids for x in w_], "offsets": [[bo[s], bo[e]] for s, e in toks for _ in range(K)],
                                 "shapes": [F.shape(t[s:e]) for s, e in toks]}, ensure_ascii=False) + "\n")
    print("wrote", td)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--buckets", type=int, default=1 << 15)
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--generated", type=int, default=9000)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--negatives", type=int, default=3000, help="VADER sentences without names (all O)")
    ap.add_argument("--tiny", action="store_true", help="only write the tiny test model")
    a = ap.parse_args()
    if a.tiny:
        write_tiny()
        return
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)  # two threads thrash on the shared 2-core machine
    rng = random.Random(a.seed)
    first_id = 1
    t0 = time.time()
    train = ner_data.presidio("train") + ner_data.generated(a.generated, a.seed) + ner_data.vader_negatives(a.negatives, a.seed)
    val = ner_data.presidio("val")
    test = ner_data.presidio("test")
    held = ner_data.generated(1500, a.seed + 1, heldout=True)
    for rows in (train, val, test, held):
        featurize(rows, a.buckets, first_id)
    print(f"data: train {len(train)} val {len(val)} test {len(test)} heldout {len(held)} ({time.time()-t0:.1f}s)", flush=True)
    net = Net(a.buckets + first_id, a.dim, a.hidden, len(LABELS))
    dense = [p for n, p in net.named_parameters() if not n.startswith("emb.")]
    opts = [torch.optim.SparseAdam(list(net.emb.parameters()), lr=2e-3), torch.optim.Adam(dense, lr=2e-3)]
    lossf = nn.CrossEntropyLoss(ignore_index=-100)
    best, best_state, best_ep = -1, None, 0
    t1 = time.time()
    for ep in range(a.epochs):
        net.train()
        tot = 0.0
        for _, ids, m, y in batches(train, 32, rng):
            for o in opts:
                o.zero_grad()
            lg = net(ids, m)
            loss = lossf(lg.reshape(-1, len(LABELS)), y.reshape(-1))
            loss.backward()
            for o in opts:
                o.step()
            tot += loss.item()
        with torch.no_grad():
            net.emb.weight[0].zero_()
        sv = score(predict(net, val))
        f = sum(sv[t]["f1"] for t in sv) / 3
        print(f"epoch {ep+1} loss {tot:.1f} val F1 PER {sv['PER']['f1']:.3f} ORG {sv['ORG']['f1']:.3f} LOC {sv['LOC']['f1']:.3f} ({time.time()-t1:.0f}s)", flush=True)
        if f > best:
            best, best_ep = f, ep + 1
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
    train_s = time.time() - t1
    net.load_state_dict(best_state)
    os.makedirs(os.path.join(HERE, "work"), exist_ok=True)
    np.savez(os.path.join(HERE, "work", "ner_weights.npz"), **net.weights())  # for re-export without retraining
    arch = f"hashed word features (8 per word, {a.buckets} buckets, dim {a.dim}) -> dense {a.hidden} -> 2 x dense over a 5-word window -> 7 IOB2 labels"
    metrics = {"model_version": VERSION, "epochs_run": a.epochs, "best_epoch": best_ep, "train_seconds_cpu": round(train_s, 1),
               "torch_threads": 1, "rows": {"train": len(train), "vader_negatives": sum(r["source"] == "vader-negative" for r in train), "val": len(val), "test": len(test), "heldout": len(held)},
               "val": score(predict(net, val)), "test": score(predict(net, test)), "heldout": score(predict(net, held))}
    print(json.dumps({k: metrics[k] for k in ("best_epoch", "train_seconds_cpu", "val", "test", "heldout")}, indent=1))
    for dirname, int8 in (("ner", False), ("ner-int8", True)):
        mm = dict(metrics)
        if int8:
            # score the dequantised table in torch
            q, s = ner_onnx.quantize_table(net.emb.weight.detach().numpy())
            keep = net.emb.weight.detach().clone()
            with torch.no_grad():
                net.emb.weight.copy_(torch.from_numpy(q.astype(np.float32) * s))
            mm.update({"variant": "int8", "val": score(predict(net, val)), "test": score(predict(net, test)), "heldout": score(predict(net, held))})
            print("int8 test", json.dumps(mm["test"]), "heldout", json.dumps(mm["heldout"]))
            with torch.no_grad():
                net.emb.weight.copy_(keep)
        print("wrote", write_model(dirname, net, a.buckets, first_id, int8, arch, mm))
    write_tiny()


if __name__ == "__main__":
    sys.exit(main())
