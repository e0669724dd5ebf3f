#!/usr/bin/python3
"""Generate the tiny hashed n-gram linear classifiers used by the inference tests.

    /usr/bin/python3 scripts/gen-tiny-hashed.py [outdir]

outdir defaults to internal/inference/testdata. Writes tiny-hashed (float32 table) and
tiny-hashed-int8 (int8 table + per-column scales), each with model.onnx,
config.json and reference.json (logits computed in float64 numpy from the same
weights, independently of ONNX). The graph is training/hashed_onnx.py's, the one
the built-in prompt-injection model ships with, at a small bucket count.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "training"))
import hashed_onnx  # noqa: E402

SEED = 20261129
VOCAB = 4098  # [PAD]=0, [CLS]=1, 4096 buckets
PAD_ID, CLS_ID = 0, 1


def sequences(rng):
    seqs = [[CLS_ID], [CLS_ID, 2], [CLS_ID, 7, 8, 9, 7]]
    for n in (8, 17, 33, 64, 130, 500):
        seqs.append([CLS_ID] + rng.randint(2, VOCAB, size=n - 1).tolist())
    return seqs


def pad_batch(seqs):
    n = max(len(s) for s in seqs)
    return ([s + [PAD_ID] * (n - len(s)) for s in seqs],
            [[1] * len(s) + [0] * (n - len(s)) for s in seqs])


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "internal", "inference", "testdata")
    rng = np.random.RandomState(SEED)
    table = np.zeros((VOCAB, 2), np.float32)
    table[2:, 0] = rng.normal(0, 1.0, VOCAB - 2)
    table[2:, 1] = rng.uniform(0.5, 9.0, VOCAB - 2)   # idf^2-like, positive
    table[PAD_ID] = [0, 1]
    table[CLS_ID] = [0, 1]
    A, B = 1.7, -0.4
    W = np.array([[-A / 2, A / 2]], np.float32)
    c = np.array([[-B / 2, B / 2]], np.float32)
    seqs = sequences(rng)
    for name, int8 in (("tiny-hashed", False), ("tiny-hashed-int8", True)):
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        m = hashed_onnx.build(table, W, c, int8=int8, name=name)
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(m.SerializeToString())
        cfg = {
            "architectures": ["HashedLinear"], "model_type": "llmshield-hashed",
            "id2label": {"0": "SAFE", "1": "INJECTION"}, "label2id": {"SAFE": 0, "INJECTION": 1},
            "problem_type": "single_label_classification", "pad_token_id": PAD_ID, "vocab_size": VOCAB,
            "max_length": 1024, "threshold": 0.5, "positive_labels": ["INJECTION"],
        }
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2, sort_keys=True)
            f.write("\n")
        cases = []
        for s in seqs:
            cases.append({"name": "single-%d" % len(s), "input_ids": [s], "attention_mask": [[1] * len(s)],
                          "logits": hashed_onnx.reference_logits(table, W, c, [s], [[1] * len(s)], int8).tolist()})
        for lo, hi in ((0, 4), (2, 7), (0, len(seqs))):
            ids, mask = pad_batch(seqs[lo:hi])
            cases.append({"name": "batch-%d-%d" % (lo, hi), "input_ids": ids, "attention_mask": mask,
                          "logits": hashed_onnx.reference_logits(table, W, c, ids, mask, int8).tolist()})
        with open(os.path.join(d, "reference.json"), "w") as f:
            json.dump({"generator": "scripts/gen-tiny-hashed.py", "seed": SEED, "opset": hashed_onnx.OPSET,
                       "cases": cases}, f, indent=None)
            f.write("\n")
        print("%s: %d bytes" % (d, os.path.getsize(os.path.join(d, "model.onnx"))))


if __name__ == "__main__":
    main()
