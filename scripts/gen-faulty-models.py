#!/usr/bin/python3
"""Generate the faulty ONNX classifiers used by the faulttest package.

Run with the Debian interpreter (python3-torch 1.13, python3-onnx):

    /usr/bin/python3 scripts/gen-faulty-models.py [outdir]

outdir defaults to faulttest/testdata. Each variant is a tiny, well-formed
classifier (vocab 1000, dim 8, inputs input_ids and attention_mask, one
output "logits") that loads fine but misbehaves when run:

  nan/         logits are 0/0 = NaN for every input (Sub, Div);
  wide-logits/ logits are [batch, 3] while config.json names 2 labels;
  rank3/       logits are [batch, 1, 2] instead of [batch, num_labels].

Each directory gets model.onnx and a Hugging Face style config.json. The
graph uses only ops both ONNX Runtime and the pure-Go backend implement:
Gather, Cast, Unsqueeze, MatMul, Div, Sub, Add, Reshape (opset 13). The
files are tiny (about 33 KB) and seeded, so regenerating them is
reproducible on the same torch build.
"""
import json
import os
import sys

import onnx
import torch
import torch.nn as nn

SEED = 20261126
VOCAB = 1000
DIM = 8
OPSET = 13
PAD_ID = 0


class Faulty(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.tok = nn.Embedding(VOCAB, DIM)
        self.head = nn.Linear(DIM, 3 if kind == "wide-logits" else 2)

    def forward(self, input_ids, attention_mask):
        b = input_ids.shape[0]
        x = self.tok(input_ids)                      # [b,s,d]
        m = attention_mask.to(torch.float32)
        mrow = m.unsqueeze(1)                        # [b,1,s]
        summed = torch.matmul(mrow, x)               # [b,1,d]
        count = torch.matmul(mrow, m.unsqueeze(2))   # [b,1,1]
        pooled = (summed / count).reshape(b, DIM)
        logits = self.head(pooled)
        if self.kind == "nan":
            zero = logits - logits                   # input-dependent: not folded away
            return zero / zero                       # 0/0 = NaN
        if self.kind == "rank3":
            return logits.reshape(b, 1, 2)
        return logits


VARIANTS = ["nan", "wide-logits", "rank3"]


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "faulttest", "testdata")
    for idx, kind in enumerate(VARIANTS):
        torch.manual_seed(SEED + idx)
        model = Faulty(kind).eval()
        d = os.path.join(outdir, kind)
        os.makedirs(d, exist_ok=True)
        ids = torch.tensor([[101, 5, 6, 102], [101, 9, 102, 0]], dtype=torch.int64)
        mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.int64)
        names = ["input_ids", "attention_mask"]
        axes = {n: {0: "batch", 1: "sequence"} for n in names}
        axes["logits"] = {0: "batch"}
        path = os.path.join(d, "model.onnx")
        torch.onnx.export(model, (ids, mask), path, input_names=names, output_names=["logits"],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
        onnx.checker.check_model(onnx.load(path))
        with torch.no_grad():
            out = model(ids, mask)
        if kind == "nan" and not torch.isnan(out).all():
            raise SystemExit("nan variant: logits are not all NaN")
        cfg = {
            "architectures": ["FaultyClassifier"],
            "model_type": "llmshield-faulty",
            "id2label": {"0": "SAFE", "1": "INJECTION"},
            "label2id": {"SAFE": 0, "INJECTION": 1},
            "problem_type": "single_label_classification",
            "max_length": 128,
            "threshold": 0.5,
            "positive_labels": ["INJECTION"],
            "pad_token_id": PAD_ID,
            "vocab_size": VOCAB,
        }
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"{d}: logits shape {list(out.shape)}, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
