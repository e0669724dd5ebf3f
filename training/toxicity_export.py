#!/usr/bin/python3
"""Export the multi-label toxicity model: ONNX graph (FP32 and INT8), tokenizer.json,
config.json, metrics.json, reference scores for the Go tests.

The graph generalises hashed_onnx.build (one score) to L labels: for one row with
ids x_1..x_S and mask m_1..m_S

    a_l = sum_s m_s * T[x_s, l]        l < L   (T[:, l] = coef_l * idf)
    q   = sum_s m_s * T[x_s, L]                (T[:, L] = idf^2; [PAD] and [CLS] rows = 1)
    logits_l = A_l * a_l / sqrt(q) + B_l       (A, B: scale and bias; A = 1 and B = the
                                                logistic intercept unless Platt-scaled), sigmoid per label

with the ops of hashed_onnx (Gather, Cast, Unsqueeze, MatMul, Reshape, Slice, Sqrt,
Div, Mul, Add), which ONNX Runtime and the pure-Go backend (onnx-gomlx) both run. The
INT8 variant stores T as int8 with one scale per column (hashed_onnx.quantize_table).
"""
import hashlib
import json
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper

import hashed_onnx

OPSET = hashed_onnx.OPSET


def build_multilabel(table, A, B, int8=False, name="llmshield-tox-hashed", doc=""):
    """ModelProto for table [V, L+1] float32 and per-label A, B [L]."""
    table = np.asarray(table, np.float32)
    L = table.shape[1] - 1
    A = np.asarray(A, np.float32).reshape(1, L)
    B = np.asarray(B, np.float32).reshape(1, L)
    inits, nodes = hashed_onnx.gather(table, int8)
    inits += [
        numpy_helper.from_array(np.array([1], np.int64), "axis1"),
        numpy_helper.from_array(np.array([-1, L + 1], np.int64), "shape_bl"),
        numpy_helper.from_array(np.array([0], np.int64), "s0"),
        numpy_helper.from_array(np.array([1], np.int64), "s1"),
        numpy_helper.from_array(np.array([L], np.int64), "sL"),
        numpy_helper.from_array(np.array([L + 1], np.int64), "sL1"),
        numpy_helper.from_array(A, "A"),
        numpy_helper.from_array(B, "B"),
    ]
    nodes += hashed_onnx.pool("shape_bl", ["s0", "sL", "s1"], ["sL", "sL1", "s1"]) + [
        helper.make_node("Mul", ["z", "A"], ["za"]),
        helper.make_node("Add", ["za", "B"], ["logits"]),
    ]
    return hashed_onnx.model(nodes, inits, L, name, doc)


def reference_logits(table, A, B, ids, mask, int8=False):
    """What the graph computes, in float64 numpy (ids, mask: [N, S])."""
    t = np.asarray(table, np.float32)
    if int8:
        qt, scale = hashed_onnx.quantize_table(t)
        t = qt.astype(np.float32) * scale
    t = t.astype(np.float64)
    L = t.shape[1] - 1
    g = t[np.asarray(ids)]
    s = (np.asarray(mask, np.float64)[:, :, None] * g).sum(axis=1)
    return s[:, :L] / np.sqrt(s[:, L:L + 1]) * np.asarray(A, np.float64) + np.asarray(B, np.float64)


def table_of(model, cfg):
    V = cfg.first_id + cfg.buckets
    num = model.idf.copy()
    num[0] = num[1] = 0.0
    cols = [model.coef[l] * num for l in range(model.coef.shape[0])]
    q = model.idf ** 2
    q[0] = q[1] = 1.0
    t = np.stack(cols + [q], axis=1).astype(np.float32)
    assert t.shape[0] == V
    return t, model.a * model.intercept + model.b


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def export(model, threshold, report, out, cfg, max_length, version="2.0.0", labels=("hate", "insult")):
    import hashed_ngrams
    table, bias = table_of(model, cfg)
    A = model.a
    os.makedirs(out, exist_ok=True)
    doc = f"llmshield-tox-hashed-{version}: multi-label (sigmoid) {list(labels)} over hashed n-grams"
    # FP32 in out/, INT8 in out-int8/ (the registry lists each variant with its own directory)
    dirs = {False: out, True: out.rstrip("/") + "-int8"}
    variants = {"model.onnx": False, "model_int8.onnx": True}
    tok = cfg.tokenizer_json()  # no truncation: the classifier windows long texts by config max_length
    for q, d in dirs.items():
        os.makedirs(d, exist_ok=True)
        onnx.save(build_multilabel(table, A, bias, int8=q, doc=doc + (" (int8 table)" if q else "")), os.path.join(d, "model.onnx"))
        with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(tok, f, ensure_ascii=False, indent=1)
            f.write("\n")
        config = {
            "architectures": ["LlmshieldHashedLinear"],
            "model_type": "llmshield-hashed-ngram",
            "id2label": {str(i): l for i, l in enumerate(labels)},
            "label2id": {l: i for i, l in enumerate(labels)},
            "problem_type": "multi_label_classification",
            "num_labels": len(labels),
            "max_length": max_length,
            "threshold": threshold,
            "positive_labels": list(labels),
            "model_version": f"llmshield-tox-hashed-{version}" + ("-int8" if q else ""),
            "variant": "int8" if q else "fp32",
            "architecture": "hashed character 2-5-grams + word 1-2-grams, tf-idf, one logistic layer per label (sigmoid)",
            "buckets": cfg.buckets,
            "pad_token_id": cfg.pad_id,
            "onnx_opset": OPSET,
            "onnx_inputs": ["input_ids", "attention_mask"],
            "onnx_outputs": ["logits"],
        }
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
            f.write("\n")
    # reference scores for the Go tests: a few texts, their ids and both variants' probabilities
    texts = ["Be helpful", "You are a helpful assistant.", "Muslims are vermin and should be deported.",
             "You are a fucking idiot.", "I don't hate Muslims, they are my neighbours.",
             "Du bist ein Vollidiot.", "Flüchtlinge sind Abschaum.", "Ich mag meine Nachbarn.", ""]
    ref = []
    for t in texts:
        ids = hashed_ngrams.encode(cfg, t)[:max_length]
        row = {"text": t, "ids": ids.tolist()}
        for q in (False, True):
            lg = reference_logits(table, A, bias, ids[None, :], np.ones((1, len(ids))), int8=q)[0]
            row["int8" if q else "fp32"] = (1 / (1 + np.exp(-lg))).round(6).tolist()
        ref.append(row)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(repo, "scanner", "toxicity", "testdata", "model_reference.jsonl"), "w") as f:
        for r in ref:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    metrics = dict(report)
    # measured outside training (Go benchmark, v1 through the Go pipeline): kept across re-runs
    old = os.path.join(out, "metrics.json")
    if os.path.exists(old):
        prev = json.load(open(old))
        for k in ("v1", "latency", "int8_note"):
            if k in prev:
                metrics[k] = prev[k]
    metrics["files"] = {os.path.join(os.path.basename(d), fn): {"sha256": sha256(os.path.join(d, fn)), "size_bytes": os.path.getsize(os.path.join(d, fn))}
                        for d in dirs.values() for fn in ("model.onnx", "tokenizer.json", "config.json")}
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"exported to {out}: " + ", ".join(f"{k} {v['size_bytes']} B" for k, v in metrics["files"].items()))
    return ref


LICENSE = ("trained from public data: Davidson (MIT), HateXplain (MIT), ToxiGen (MIT + CDLA-Permissive-2.0), "
           "GermEval 2018 (CC BY 4.0), GPTeacher (MIT), self-instruct and its T0 prompts (Apache-2.0); see MODEL_CARD.md")


def update_registry(models_dir, out_name="toxicity"):
    """Rewrite the toxicity entries of models/registry.json (FP32 and INT8), leaving the
    other tasks' entries as they are."""
    path = os.path.join(models_dir, "registry.json")
    doc = json.load(open(path))
    entries = []
    for variant, d in (("fp32", out_name), ("int8", out_name + "-int8")):
        p = os.path.join(models_dir, d)
        cfg = json.load(open(os.path.join(p, "config.json")))
        entries.append({
            "id": cfg["model_version"],
            "name": "llmshield/toxicity" + ("-int8" if variant == "int8" else ""),
            "task": "toxicity",
            "variant": variant,
            "embedded": d,
            "files": [{"name": f, "sha256": sha256(os.path.join(p, f)), "size_bytes": os.path.getsize(os.path.join(p, f))}
                      for f in ("model.onnx", "tokenizer.json", "config.json")],
            "labels": [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))],
            "threshold": cfg["threshold"],
            "max_length": cfg["max_length"],
            "license": LICENSE,
            "description": f"Built-in llmshield model ({variant}), trained by training/toxicity.py in this repository; see models/toxicity/MODEL_CARD.md",
        })
    out, placed = [], False
    for e in doc["models"]:
        if e.get("task") == "toxicity" and str(e.get("embedded", "")).startswith(out_name):
            if not placed:
                out += entries
                placed = True
            continue
        out.append(e)
    if not placed:
        out += entries
    doc["models"] = out
    with open(path, "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"{path}: toxicity entries {[e['id'] for e in entries]}")
