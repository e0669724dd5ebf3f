#!/usr/bin/python3
"""Generate the tiny ONNX classifiers used by the inference package tests.

Run with the Debian interpreter (python3-torch 1.13, python3-onnx):

    /usr/bin/python3 scripts/gen-tiny-classifier.py [outdir]

outdir defaults to internal/inference/testdata. For each variant it writes
<variant>/model.onnx, <variant>/config.json (Hugging Face style id2label plus
the llmshield fields) and <variant>/reference.json (logits computed by PyTorch
for a fixed set of token id sequences, single and padded batches).

The architecture is a one-layer transformer encoder written out by hand so the
exported graph only uses ops that both ONNX Runtime and onnx-gomlx implement:
Gather (embeddings), Shape/Slice/Unsqueeze/Concat/Reshape/Transpose (head
split), MatMul/Add/Mul/Div/Sub/Cast (projections, scaled dot product, additive
mask), Softmax, LayerNormalization (opset 17), Erf (exact GELU), and a masked
mean pool expressed with MatMul (onnx-gomlx has no ReduceSum).

Everything is seeded, so the output is reproducible on the same torch build.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

from tiny_encoder import encode

SEED = 20261125
VOCAB = 1000
DIM = 32
HEADS = 2
FFN = 64
MAX_POS = 512
OPSET = 17
PAD_ID = 0


class TinyClassifier(nn.Module):
    def __init__(self, num_labels, with_token_types):
        super().__init__()
        self.with_token_types = with_token_types
        self.tok = nn.Embedding(VOCAB, DIM)
        self.pos = nn.Parameter(torch.randn(MAX_POS, DIM) * 0.1)
        if with_token_types:
            self.typ = nn.Embedding(2, DIM)
        self.ln0 = nn.LayerNorm(DIM)
        self.q = nn.Linear(DIM, DIM)
        self.k = nn.Linear(DIM, DIM)
        self.v = nn.Linear(DIM, DIM)
        self.o = nn.Linear(DIM, DIM)
        self.ln1 = nn.LayerNorm(DIM)
        self.ff1 = nn.Linear(DIM, FFN)
        self.ff2 = nn.Linear(FFN, DIM)
        self.ln2 = nn.LayerNorm(DIM)
        self.head = nn.Linear(DIM, num_labels)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        x, m = encode(self, input_ids, attention_mask, token_type_ids, DIM, HEADS, self.with_token_types)
        b = input_ids.shape[0]
        # Masked mean pool with MatMul only: sum_s m[s]*x[s] / sum_s m[s].
        mrow = m.unsqueeze(1)                       # [b,1,s]
        summed = torch.matmul(mrow, x)               # [b,1,d]
        count = torch.matmul(mrow, m.unsqueeze(2))   # [b,1,1] (m is 0/1)
        pooled = (summed / count).reshape(b, DIM)
        return self.head(pooled)


VARIANTS = [
    # name, labels, problem_type, token types, llmshield fields
    ("tiny-binary", ["SAFE", "INJECTION"], "single_label_classification", False,
     {"max_length": 128, "threshold": 0.5, "positive_labels": ["INJECTION"]}),
    ("tiny-multilabel", ["toxicity", "insult", "threat"], "multi_label_classification", False,
     {"max_length": 128, "threshold": 0.5, "positive_labels": ["toxicity", "insult", "threat"]}),
    ("tiny-tokentype", ["NEGATIVE", "POSITIVE"], "single_label_classification", True,
     {"max_length": 128, "threshold": 0.5, "positive_labels": ["NEGATIVE"]}),
]

# Fixed id sequences (no pad id inside): different lengths, including 1 and 64+.
def sequences():
    rng = np.random.RandomState(7)
    seqs = [[101], [101, 102], [101, 7, 8, 9, 102]]
    for n in (8, 17, 33, 64, 130):
        seqs.append([101] + rng.randint(1, VOCAB, size=n - 2).tolist() + [102])
    return seqs


def run(model, ids, mask, types):
    with torch.no_grad():
        t_ids = torch.tensor(ids, dtype=torch.int64)
        t_mask = torch.tensor(mask, dtype=torch.int64)
        if types is not None:
            out = model(t_ids, t_mask, torch.tensor(types, dtype=torch.int64))
        else:
            out = model(t_ids, t_mask)
    return out.numpy().astype(np.float64).tolist()


def pad_batch(seqs):
    n = max(len(s) for s in seqs)
    ids = [s + [PAD_ID] * (n - len(s)) for s in seqs]
    mask = [[1] * len(s) + [0] * (n - len(s)) for s in seqs]
    return ids, mask


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "internal", "inference", "testdata")
    for idx, (name, labels, problem, with_types, extra) in enumerate(VARIANTS):
        torch.manual_seed(SEED + idx)
        model = TinyClassifier(len(labels), with_types).eval()
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)

        ex_ids = torch.tensor([[101, 5, 6, 102], [101, 9, 102, 0]], dtype=torch.int64)
        ex_mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.int64)
        names = ["input_ids", "attention_mask"]
        args = (ex_ids, ex_mask)
        if with_types:
            names.append("token_type_ids")
            args = (ex_ids, ex_mask, torch.zeros_like(ex_ids))
        axes = {n: {0: "batch", 1: "sequence"} for n in names}
        axes["logits"] = {0: "batch"}
        path = os.path.join(d, "model.onnx")
        torch.onnx.export(model, args, path, input_names=names, output_names=["logits"],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
        onnx.checker.check_model(onnx.load(path))

        cfg = {
            "architectures": ["TinyClassifier"],
            "model_type": "llmshield-tiny",
            "id2label": {str(i): l for i, l in enumerate(labels)},
            "label2id": {l: i for i, l in enumerate(labels)},
            "problem_type": problem,
            "pad_token_id": PAD_ID,
            "vocab_size": VOCAB,
        }
        cfg.update(extra)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2, sort_keys=True)
            f.write("\n")

        cases = []
        seqs = sequences()
        for s in seqs:  # single sequences, no padding
            types = [[0] * len(s)] if with_types else None
            cases.append({"name": "single-%d" % len(s), "input_ids": [s],
                          "attention_mask": [[1] * len(s)],
                          "logits": run(model, [s], [[1] * len(s)], types)})
        for lo, hi in ((0, 4), (2, 7), (0, len(seqs))):  # padded batches
            ids, mask = pad_batch(seqs[lo:hi])
            types = [[0] * len(ids[0]) for _ in ids] if with_types else None
            cases.append({"name": "batch-%d-%d" % (lo, hi), "input_ids": ids,
                          "attention_mask": mask, "logits": run(model, ids, mask, types)})
        if with_types:  # token types that are not all zero
            s = seqs[4]
            types = [[0] * (len(s) // 2) + [1] * (len(s) - len(s) // 2)]
            cases.append({"name": "types-%d" % len(s), "input_ids": [s],
                          "attention_mask": [[1] * len(s)], "token_type_ids": types,
                          "logits": run(model, [s], [[1] * len(s)], types)})
        ref = {"generator": "scripts/gen-tiny-classifier.py", "seed": SEED + idx,
               "torch": torch.__version__, "opset": OPSET, "cases": cases}
        with open(os.path.join(d, "reference.json"), "w") as f:
            json.dump(ref, f, indent=1)
            f.write("\n")
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        print("%s: %d bytes, ops=%s" % (path, os.path.getsize(path), ",".join(ops)))


if __name__ == "__main__":
    main()
