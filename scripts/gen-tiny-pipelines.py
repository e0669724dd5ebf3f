#!/usr/bin/python3
"""Generate the tiny ONNX models of the pair-classification (NLI) and
sentence-embedding pipelines, used by the inference, classifier and scanner
tests.

Run with the Debian interpreter (python3-torch 1.13, python3-onnx):

    /usr/bin/python3 scripts/gen-tiny-pipelines.py [outdir]

outdir defaults to internal/inference/testdata. It writes, each with a
word-level WordPiece tokenizer.json of its own (BertNormalizer,
BertPreTokenizer, [CLS] a [SEP] b [SEP] pair template; 256 words):

  tiny-nli/          a one-layer transformer with token type ids trained
                     here, in seconds, on a synthetic entailment task: the
                     hypothesis' words all occur in the premise (entailment),
                     none do (contradiction), some do (neutral); hypotheses
                     "this example is about <word> ." are entailed when the
                     word occurs. id2label is {0: contradiction, 1: neutral,
                     2: entailment}, so code must find the entailment index
                     by name. Output "logits" [batch, 3].
  tiny-embed/        an untrained one-layer encoder whose output is
                     "last_hidden_state" [batch, seq, 32] (pooling is the
                     caller's job).
  tiny-embed-pooled/ the same encoder with a masked mean pool and L2
                     normalisation inside: output "sentence_embedding"
                     [batch, 32].

reference.json holds, for fixed texts, the token ids the tokenizer must
produce and what PyTorch computes: NLI logits, and mean/CLS pooled (raw and
normalised) embeddings. Ops are limited to those both ONNX Runtime and
onnx-gomlx implement (see internal/inference/doc.go). Everything is seeded.
"""
import json
import os
import random
import re
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

from tiny_encoder import encode

SEED = 20261130
DIM = 48
HEADS = 2
FFN = 64
MAX_POS = 128
OPSET = 17
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PUNCT = [".", ",", "?", "!"]
TEMPLATE = ["this", "example", "is", "about"]
TOPICS = ["violence", "weapons", "drugs", "politics", "religion", "medicine", "finance", "law",
          "sports", "music", "cooking", "travel", "weather", "science", "history", "games"]
WORDS = """the a an and or but of to in on at for with from by as is are was were be been it this that
these those he she they we you i me him her them my your our their what which who when where why how
not no yes all some many few more most other such only own same so than too very can will just should
now cat dog bird fish horse cow tree flower river lake sea mountain city town village house road car
train plane boat bike book pen paper table chair door window room kitchen garden school teacher student
doctor nurse king queen child man woman friend family mother father brother sister day night morning
evening week month year time money bank market price shop food bread milk water tea coffee apple orange
rice soup meat red blue green yellow black white big small long short old new young good bad happy sad
fast slow hot cold warm open close run walk eat drink read write sing play see look hear speak think know
like love help make take give go come sit stand sleep work buy sell pay win lose start stop paris london
berlin rome tokyo one two three four five six seven eight nine ten hundred thousand""".split()
VOCAB = SPECIALS + PUNCT + TEMPLATE + TOPICS + [w for w in WORDS if w not in TEMPLATE and w not in TOPICS]
VOCAB = list(dict.fromkeys(VOCAB))
CONTENT = [w for w in VOCAB if w not in SPECIALS and w not in PUNCT and w not in TEMPLATE]
ID = {w: i for i, w in enumerate(VOCAB)}
PAD, UNK, CLS, SEP = 0, 1, 2, 3


def words(text):
    return re.findall(r"\w+|[^\w\s]", text.lower())


def ids(text):
    return [ID.get(w, UNK) for w in words(text)]


def pair_ids(a, b):
    x, y = ids(a), ids(b)
    return [CLS] + x + [SEP] + y + [SEP], [0] * (len(x) + 2) + [1] * (len(y) + 1)


def single_ids(a):
    return [CLS] + ids(a) + [SEP]


def tokenizer_json():
    sp = lambda i, t: {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                       "normalized": False, "special": True}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [sp(i, t) for i, t in enumerate(SPECIALS)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [CLS], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [SEP], "tokens": ["[SEP]"]}}},
        "decoder": None,
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ID},
    }


def cross_attention_bias(token_type_ids):
    """Cross-encoder attention: a token attends only to the other text (type
    ids 0 vs 1), so that a hypothesis word finds its match in the premise
    (each text has a [SEP] of its type)."""
    tt = token_type_ids.to(torch.float32)
    same = torch.matmul(tt.unsqueeze(2), tt.unsqueeze(1)) + torch.matmul((1.0 - tt).unsqueeze(2), (1.0 - tt).unsqueeze(1))
    return (same * -10000.0).unsqueeze(1)


class Encoder(nn.Module):
    """One transformer layer; head "nli" (pooled logits), "hidden" or "pooled"."""

    def __init__(self, head, types):
        super().__init__()
        self.head_kind, self.types = head, types
        self.tok = nn.Embedding(len(VOCAB), DIM)
        self.pos = nn.Parameter(torch.randn(MAX_POS, DIM) * 0.1)
        if types:
            self.typ = nn.Embedding(2, DIM)
        self.ln0 = nn.LayerNorm(DIM)
        self.q, self.k, self.v, self.o = (nn.Linear(DIM, DIM) for _ in range(4))
        self.ln1 = nn.LayerNorm(DIM)
        self.ff1, self.ff2 = nn.Linear(DIM, FFN), nn.Linear(FFN, DIM)
        self.ln2 = nn.LayerNorm(DIM)
        if head == "nli":
            self.cls = nn.Linear(2 * DIM, 3)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        cross = None
        if self.head_kind == "nli":
            cross = cross_attention_bias
        x, m = encode(self, input_ids, attention_mask, token_type_ids, DIM, HEADS, self.types, cross)
        b = input_ids.shape[0]
        if self.head_kind == "hidden":
            return x
        mrow = m.unsqueeze(1)
        pooled = (torch.matmul(mrow, x) / torch.matmul(mrow, m.unsqueeze(2))).reshape(b, DIM)
        if self.head_kind == "pooled":
            return pooled / torch.sqrt(torch.matmul(pooled.unsqueeze(1), pooled.unsqueeze(2)).reshape(b, 1))
        # Mean over the hypothesis tokens (type id 1) beside the mean over all.
        hm = (m * token_type_ids.to(torch.float32)).unsqueeze(1)
        hyp = (torch.matmul(hm, x) / (torch.matmul(hm, m.unsqueeze(2)) + 1e-6)).reshape(b, DIM)
        return self.cls(torch.cat([hyp, pooled], dim=1))


def nli_example(rng):
    premise = rng.sample(CONTENT, rng.randint(4, 10))
    if rng.random() < 0.4:  # zero-shot template
        topic = rng.choice(TOPICS)
        label = 2 if topic in premise else 0
        if label == 0 and rng.random() < 0.5:
            premise[rng.randrange(len(premise))] = topic
            label = 2
        return " ".join(premise) + " .", "this example is about %s ." % topic, label
    k = rng.randint(1, 4)
    outside = [w for w in CONTENT if w not in premise]
    label = rng.choice((0, 2, 2, 0, 1))
    if label == 2:
        hyp = rng.sample(premise, min(k, len(premise)))
    elif label == 0:
        hyp = rng.sample(outside, k)
    else:
        k = max(k, 2)
        n_in = rng.randint(1, k - 1)
        hyp = rng.sample(premise, min(n_in, len(premise))) + rng.sample(outside, k - n_in)
        rng.shuffle(hyp)
    return " ".join(premise) + " .", " ".join(hyp) + " .", label


def batch(examples):
    seqs = [pair_ids(a, b) for a, b, _ in examples]
    n = max(len(s) for s, _ in seqs)
    x = torch.tensor([s + [PAD] * (n - len(s)) for s, _ in seqs])
    t = torch.tensor([ty + [0] * (n - len(ty)) for _, ty in seqs])
    m = torch.tensor([[1] * len(s) + [0] * (n - len(s)) for s, _ in seqs])
    y = torch.tensor([l for _, _, l in examples])
    return x, m, t, y


def train_nli(model, rng):
    opt = torch.optim.Adam(model.parameters(), lr=4e-3)
    for step in range(2500):
        x, m, t, y = batch([nli_example(rng) for _ in range(64)])
        loss = nn.functional.cross_entropy(model(x, m, t), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        x, m, t, y = batch([nli_example(rng) for _ in range(1000)])
        acc = (model(x, m, t).argmax(1) == y).float().mean().item()
    return loss.item(), acc


def export(model, d, names, out_name, out_axes):
    ex_ids = torch.tensor([[CLS, 10, 11, SEP], [CLS, 12, SEP, PAD]])
    ex_mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    args = (ex_ids, ex_mask) + ((torch.zeros_like(ex_ids),) if "token_type_ids" in names else ())
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes[out_name] = out_axes
    path = os.path.join(d, "model.onnx")
    torch.onnx.export(model, args, path, input_names=names, output_names=[out_name],
                      dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print("%s: %d bytes, ops=%s" % (path, os.path.getsize(path), ",".join(ops)))


def write_json(path, obj, indent=2):
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent, sort_keys=True, ensure_ascii=False)
        f.write("\n")


PAIRS = [
    ("the cat sat with the dog in the garden .", "the dog ."),
    ("the cat sat with the dog in the garden .", "the horse ."),
    ("paris is a big city in the sea .", "this example is about travel ."),
    ("we play music and sing with friends .", "this example is about music ."),
    ("we play music and sing with friends .", "this example is about weapons ."),
    ("the bank will pay money to the market .", "money bank ."),
    ("the bank will pay money to the market .", "the river boat ."),
    ("one two three", "three four five six seven"),
    ("Unknown zebra words ; here", "zebra ?"),
]
TEXTS = ["the cat sat with the dog .", "a dog sat with the cat .", "the bank will pay money .",
         "rain in london", "one", "Unknown zebra words ; here ! and more words than before ."]


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "internal", "inference", "testdata")
    tok = tokenizer_json()
    labels = ["contradiction", "neutral", "entailment"]

    # NLI pair classifier.
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    nli = Encoder("nli", True)
    loss, acc = train_nli(nli, rng)
    print("tiny-nli: final loss %.3f, held-out synthetic accuracy %.3f" % (loss, acc))
    d = os.path.join(outdir, "tiny-nli")
    os.makedirs(d, exist_ok=True)
    export(nli, d, ["input_ids", "attention_mask", "token_type_ids"], "logits", {0: "batch"})
    write_json(os.path.join(d, "tokenizer.json"), tok, indent=None)
    write_json(os.path.join(d, "config.json"), {
        "architectures": ["TinyNLI"], "model_type": "llmshield-tiny",
        "id2label": {str(i): l for i, l in enumerate(labels)}, "label2id": {l: i for i, l in enumerate(labels)},
        "pad_token_id": PAD, "vocab_size": len(VOCAB), "max_length": 128})
    cases = []
    with torch.no_grad():
        for a, b in PAIRS:
            s, ty = pair_ids(a, b)
            logits = nli(torch.tensor([s]), torch.tensor([[1] * len(s)]), torch.tensor([ty]))
            cases.append({"premise": a, "hypothesis": b, "input_ids": s, "token_type_ids": ty,
                          "logits": logits[0].double().tolist()})
    write_json(os.path.join(d, "reference.json"), {
        "generator": "scripts/gen-tiny-pipelines.py", "seed": SEED, "torch": torch.__version__,
        "synthetic_accuracy": round(acc, 4), "cases": cases}, indent=1)

    # Embedding encoders: per-token hidden states, and pooled inside the graph.
    for name, head, out_name, axes in (("tiny-embed", "hidden", "last_hidden_state", {0: "batch", 1: "sequence"}),
                                       ("tiny-embed-pooled", "pooled", "sentence_embedding", {0: "batch"})):
        torch.manual_seed(SEED + 1)  # same weights for both
        enc = Encoder(head, False).eval()
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        export(enc, d, ["input_ids", "attention_mask"], out_name, axes)
        write_json(os.path.join(d, "tokenizer.json"), tok, indent=None)
        write_json(os.path.join(d, "config.json"), {
            "architectures": ["TinyEncoder"], "model_type": "llmshield-tiny", "hidden_size": DIM,
            "pad_token_id": PAD, "vocab_size": len(VOCAB), "max_length": 128})
        cases = []
        hidden = Encoder("hidden", False)
        hidden.load_state_dict(enc.state_dict())
        hidden.eval()
        with torch.no_grad():
            for text in TEXTS:
                s = single_ids(text)
                h = hidden(torch.tensor([s]), torch.tensor([[1] * len(s)]))[0]
                mean = h.mean(0)
                cls = h[0]
                cases.append({"text": text, "input_ids": s, "mean": mean.double().tolist(),
                              "mean_normalized": (mean / mean.norm()).double().tolist(),
                              "cls": cls.double().tolist(), "cls_normalized": (cls / cls.norm()).double().tolist()})
        write_json(os.path.join(d, "reference.json"), {
            "generator": "scripts/gen-tiny-pipelines.py", "seed": SEED + 1, "torch": torch.__version__,
            "cases": cases}, indent=1)


if __name__ == "__main__":
    main()
