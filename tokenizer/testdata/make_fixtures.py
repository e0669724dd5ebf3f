#!/usr/bin/python3
# Writes fixtures/sample.jsonl (300 corpus texts) and fixtures/unigram-hf/tokenizer.json
# (Unigram from test_sentencepiece.model). Uses only the Python standard library and
# python3-sentencepiece's generated protobuf module.
import base64, json, sys
from sentencepiece import sentencepiece_model_pb2 as pb
S, D = sys.argv[1:3]
texts = [json.loads(l) for l in open(f"{S}/corpus.jsonl", encoding="utf-8") if l.strip()]
sample = texts[:209] + texts[209::31]
with open(f"{D}/sample.jsonl", "w", encoding="utf-8") as f:
    for t in sample:
        f.write(json.dumps(t, ensure_ascii=False) + "\n")
m = pb.ModelProto()
m.ParseFromString(open(f"{S}/hf-test-sentencepiece/test_sentencepiece.model", "rb").read())
vocab = [[p.piece, p.score] for p in m.pieces]
unk = next(i for i, p in enumerate(m.pieces) if p.type == 2)
tok = {
    "version": "1.0", "truncation": None, "padding": None,
    "added_tokens": [
        {"id": i, "content": p.piece, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i, p in enumerate(m.pieces) if p.type in (2, 3)],
    "normalizer": {"type": "Precompiled",
                   "precompiled_charsmap": base64.b64encode(m.normalizer_spec.precompiled_charsmap).decode()},
    "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    "post_processor": {"type": "TemplateProcessing",
                       "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                  {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                       "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                                {"SpecialToken": {"id": "</s>", "type_id": 1}}],
                       "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]},
                                          "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
    "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    "model": {"type": "Unigram", "unk_id": unk, "vocab": vocab, "byte_fallback": False},
}
with open(f"{D}/unigram-hf/tokenizer.json", "w", encoding="utf-8") as f:
    json.dump(tok, f, ensure_ascii=False)
print("sample", len(sample), "unigram vocab", len(vocab))

# bpe-roberta/: a RoBERTa-style byte-level BPE made from the first 3,000 GPT-2
# merges (MIT, OpenAI): ByteLevel pre-tokenizer with add_prefix_space,
# RobertaProcessing (trim_offsets) and <s> </s> <pad> <unk> <mask> added tokens.
import os
os.makedirs(f"{D}/bpe-roberta", exist_ok=True)
g = json.load(open(f"{S}/gpt2/tokenizer.json", encoding="utf-8"))
merges = g["model"]["merges"][:3000]
merges = [m if isinstance(m, str) else " ".join(m) for m in merges]
gv = g["model"]["vocab"]
byte_tokens = sorted((t for t in gv if gv[t] < 256), key=lambda t: gv[t])
toks = list(byte_tokens)
seen = set(toks)
for m in merges:
    a, b = m.split(" ")
    if a + b not in seen:
        seen.add(a + b)
        toks.append(a + b)
specials = ["<s>", "<pad>", "</s>", "<unk>"]
vocab = {t: i for i, t in enumerate(specials)}
for t in toks:
    vocab[t] = len(vocab)
vocab["<mask>"] = len(vocab)
added = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": t == "<mask>", "rstrip": False,
          "normalized": False, "special": True} for t in specials + ["<mask>"]]
bpe = {
    "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
    "normalizer": None,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
    "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", vocab["</s>"]], "cls": ["<s>", vocab["<s>"]],
                       "trim_offsets": True, "add_prefix_space": True},
    "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
              "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": merges},
}
with open(f"{D}/bpe-roberta/tokenizer.json", "w", encoding="utf-8") as f:
    json.dump(bpe, f, ensure_ascii=False)
print("bpe vocab", len(vocab), "merges", len(merges))

# deberta-style/: the layout transformers' DebertaV2Converter writes (Strip,
# Precompiled, Replace(Regex " {2,}"), Metaspace prepend_scheme "first",
# [CLS] … [SEP]) over the test_sentencepiece.model vocabulary.
os.makedirs(f"{D}/deberta-style", exist_ok=True)
deb = json.loads(json.dumps(tok))
deb["normalizer"] = {"type": "Sequence", "normalizers": [
    {"type": "Strip", "strip_left": True, "strip_right": True},
    tok["normalizer"],
    {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}
deb["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": True}
with open(f"{D}/deberta-style/tokenizer.json", "w", encoding="utf-8") as f:
    json.dump(deb, f, ensure_ascii=False)

# split-mix/: WordPiece vocabulary of wordpiece-npm with other normalizers and
# Split pre-tokenizers (written after the npm step trains wordpiece-npm).

# unigram-bytefallback/: unigram-hf plus the 256 <0xXX> byte pieces and
# byte_fallback true (HF reference written by make_fixtures.js).
os.makedirs(f"{D}/unigram-bytefallback", exist_ok=True)
bf = json.loads(json.dumps(tok))
bf["model"]["vocab"] = tok["model"]["vocab"] + [["<0x%02X>" % b, 0.0] for b in range(256)]
bf["model"]["byte_fallback"] = True
with open(f"{D}/unigram-bytefallback/tokenizer.json", "w", encoding="utf-8") as f:
    json.dump(bf, f, ensure_ascii=False)

# spm/bytefallback.model: test_sentencepiece.model with byte_fallback and the
# 256 BYTE pieces; spm/bytefallback.reference.jsonl from libsentencepiece
# (offsets converted from code points to UTF-8 bytes, no special tokens).
import sentencepiece as spmlib
mb = pb.ModelProto()
mb.ParseFromString(open(f"{S}/hf-test-sentencepiece/test_sentencepiece.model", "rb").read())
mb.trainer_spec.byte_fallback = True
for b in range(256):
    p = mb.pieces.add()
    p.piece = "<0x%02X>" % b
    p.score = 0
    p.type = 6
with open(f"{D}/spm/bytefallback.model", "wb") as f:
    f.write(mb.SerializeToString())
sp = spmlib.SentencePieceProcessor(model_file=f"{D}/spm/bytefallback.model")
with open(f"{D}/spm/bytefallback.reference.jsonl", "w", encoding="utf-8") as f:
    for t in sample:
        bm = [0]
        for c in t:
            bm.append(bm[-1] + len(c.encode("utf-8", "surrogatepass")))
        pr = sp.encode(t, out_type="immutable_proto")
        f.write(json.dumps({"ids": [p.id for p in pr.pieces],
                            "offsets": [[bm[p.begin], bm[p.end]] for p in pr.pieces]}, separators=(",", ":")) + "\n")
