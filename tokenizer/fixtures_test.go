package tokenizer

import (
	"path/filepath"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
)

// TestFixtures checks two self-contained fixtures (testdata/fixtures, made by
// testdata/make_fixtures.sh with Hugging Face tokenizers): a WordPiece
// tokenizer.json trained by npm tokenizers the way our own models' tokenizer
// is built, and a Unigram tokenizer.json with Precompiled normalizer and
// Metaspace. ids and offsets must equal HF's on every sample text.
func TestFixtures(t *testing.T) {
	dir := filepath.Join("testdata", "fixtures")
	texts := readSample(t)
	if len(texts) != 300 {
		t.Fatalf("sample has %d texts, want 300", len(texts))
	}
	for _, name := range []string{"wordpiece-npm", "unigram-hf", "bpe-roberta", "deberta-style", "split-mix", "unigram-bytefallback"} {
		for _, v := range []struct {
			file string
			cfg  Config
		}{
			{"reference.jsonl", Config{}},
			{"reference_special.jsonl", Config{MaxLength: 64, Truncate: true, AddSpecialTokens: true}},
		} {
			t.Run(name+"/"+v.file, func(t *testing.T) {
				tok, err := Load(filepath.Join(dir, name), v.cfg)
				if err != nil {
					t.Fatal(err)
				}
				refs := datasets.MustReadRows[refLine](t, filepath.Join(dir, name, v.file))
				if len(refs) != len(texts) {
					t.Fatalf("%d references for %d texts", len(refs), len(texts))
				}
				bad := 0
				for i, r := range refs {
					r.Text = texts[i]
					enc, err := tok.Encode(r.Text)
					if err != nil {
						t.Fatalf("text %d: %v", i+1, err)
					}
					if d := compareRef(r, enc); d != "" {
						bad++
						if bad <= 10 {
							t.Errorf("text %d %q: %s", i+1, trunc(r.Text, 80), d)
						}
					}
				}
				t.Logf("%s %s: %d/%d match", name, v.file, len(refs)-bad, len(refs))
			})
		}
	}
}

// TestSentencePieceByteFallback compares a byte-fallback SentencePiece model
// with libsentencepiece's output (see testdata/make_fixtures.py).
func TestSentencePieceByteFallback(t *testing.T) {
	dir := filepath.Join("testdata", "fixtures")
	tok, err := Load(filepath.Join(dir, "spm", "bytefallback.model"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	refs := datasets.MustReadRows[refLine](t, filepath.Join(dir, "spm", "bytefallback.reference.jsonl"))
	i, bad := 0, 0
	for _, s := range readSample(t) {
		if i >= len(refs) {
			t.Fatalf("more texts than the %d references", len(refs))
		}
		r := refs[i]
		r.Text = s
		i++
		enc, err := tok.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if d := compareRef(r, enc); d != "" {
			bad++
			if bad <= 10 {
				t.Errorf("text %d %q: %s", i, trunc(s, 60), d)
			}
		}
	}
	if i != len(refs) {
		t.Fatalf("%d texts, %d references", i, len(refs))
	}
	t.Logf("spm byte fallback: %d/%d match", i-bad, i)
}
