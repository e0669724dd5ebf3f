#!/bin/sh
# Regenerates testdata/fixtures from the shared reference corpus with Hugging
# Face tokenizers (npm tokenizers@0.23.2, installed OUTSIDE the repo):
#   mkdir -p /tmp/tokbench && (cd /tmp/tokbench && npm install tokenizers@0.23.2)
#   NODE_PATH=/tmp/tokbench/node_modules sh testdata/make_fixtures.sh /path/to/shared/tokenizers
# Fixtures:
#   wordpiece-npm/: a BERT-style WordPiece tokenizer.json trained by npm
#     tokenizers (the way training/tokenizer.js builds ours, 2,000 tokens).
#   unigram-hf/: a Unigram tokenizer.json (Precompiled normalizer + Metaspace)
#     assembled from the shared test_sentencepiece.model.
#   bpe-roberta/: byte-level BPE from the first 3,000 GPT-2 merges, RoBERTa-style.
#   deberta-style/, split-mix/: DebertaV2Converter layout; Split/NFKC/Replace mix.
#   unigram-bytefallback/, spm/bytefallback.model: byte fallback (HF and libsentencepiece).
#   Each has reference.jsonl (no special tokens) and reference_special.jsonl
#   ([CLS]/<s> … and truncation to 64) for a 300-text sample of corpus.jsonl.
set -eu
S=${1:?shared/tokenizers dir}
D=$(cd "$(dirname "$0")" && pwd)/fixtures
mkdir -p "$D/wordpiece-npm" "$D/unigram-hf" "$D/bpe-roberta" "$D/deberta-style" "$D/split-mix" "$D/unigram-bytefallback" "$D/spm"
/usr/bin/python3 "$(dirname "$0")/make_fixtures.py" "$S" "$D"
node "$(dirname "$0")/make_fixtures.js" "$S" "$D"
