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
// Why our own implementation: the Go libraries we know of either bind the
// Rust library through cgo (github.com/daulet/tokenizers needs a prebuilt
// libtokenizers, which breaks our CGO_ENABLED=0 static build) or are pure Go
// ports that we did not measure against the bars here
// (github.com/sugarme/tokenizer); this package is measured to meet both bars
// (exactness on every reference line, and at least half the Rust
// tokenizer's single-core speed; see testdata/tokbench).
//
// A Tokenizer is immutable and safe for concurrent use.
package tokenizer
