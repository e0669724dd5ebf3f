// Package tokenizer is a pure-Go implementation of the Hugging Face
// tokenizers used by llmshield's ML scanners.
//
// It loads a Hugging Face tokenizer.json (WordPiece with BertNormalizer and
// BertPreTokenizer, byte-level BPE as GPT-2/RoBERTa, Unigram with Metaspace
// and Precompiled normalizer) or a SentencePiece .model protobuf (Unigram,
// with its precompiled nmt_nfkc charsmap, add_dummy_prefix,
// remove_extra_whitespaces, user-defined symbols and byte fallback) and
// produces ids, attention masks, type ids, special-token masks and UTF-8 byte
// offsets into the original text.
//
// Exactness: the tests in exact_test.go compare ids and offsets with
// references produced by Hugging Face's Rust tokenizers (npm tokenizers
// 0.23.2) and by libsentencepiece 0.1.97 on a 3,013-entry corpus of tricky
// and real texts, for bert-base-uncased, gpt2, albert-base-v2 and the
// transformers test SentencePiece model; every line matches. Details that
// matter for that: SentencePiece compares Viterbi candidates in double
// precision but stores them as float, and its user-defined-symbol score uses
// FLT_MIN as the "maximum" score; consecutive unknown pieces are fused.
//
// Invalid UTF-8 input is rejected with ErrInvalidUTF8 (never replaced
// silently, never a panic).
//
// Why our own implementation: github.com/daulet/tokenizers binds the Rust
// library through cgo and needs a prebuilt libtokenizers, which breaks our
// CGO_ENABLED=0 static build. github.com/sugarme/tokenizer v0.3.0 (pure Go),
// measured on the shared corpus (3,013 texts, no special tokens, one text at
// a time): bert-base-uncased ids equal HF's on 2,875/3,013 texts at
// 0.51 MB/s, gpt2 on 2,903/3,013 at 0.36 MB/s; it fails both bars. This
// package matches every line and runs at about 17-18 MB/s per core for BERT
// and GPT-2 (HF's Rust core through its npm binding: 1.6-3 MB/s on the same
// machine; see testdata/tokbench).
//
// Supported tokenizer.json parts: models WordPiece, BPE (byte-level or
// with continuing_subword_prefix/end_of_word_suffix, unk, fuse_unk,
// byte_fallback; no dropout) and Unigram; normalizers BertNormalizer,
// Lowercase, StripAccents, NFC/NFD/NFKC/NFKD, Strip, Prepend, Replace (string
// or RE2 regex), Precompiled, Sequence; pre-tokenizers BertPreTokenizer,
// ByteLevel, Whitespace, WhitespaceSplit, Metaspace, Punctuation, Digits,
// Split (RE2 regex; look-around patterns are rejected with an error),
// Sequence; post-processors TemplateProcessing, BertProcessing,
// RobertaProcessing, ByteLevel, Sequence. Added tokens honour lstrip, rstrip,
// single_word and normalized. EncodePair encodes sentence pairs with the pair template (see pair.go).
// SentencePiece .model files: Unigram only (BPE .model files are rejected).
//
// Besides Hugging Face's models, tokenizer.json may name the model type
// "HashedNGram" (see HashedNGram): hashed character and word n-gram ids for
// linear n-gram classifiers, equal to those of the Python twin
// training/hashed_ngrams.py (testdata/hashed).
//
// A Tokenizer is immutable and safe for concurrent use.
//
// Public on purpose: it is a general-purpose, pure-Go reader of Hugging
// Face tokenizer.json files that Go users may want without the rest of
// llmshield (the CLI's tokenize command is built on it).
package tokenizer
