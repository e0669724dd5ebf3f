package tokenizer

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"unicode/utf8"
)

var (
	fuzzOnce sync.Once
	fuzzToks []*Tokenizer
	fuzzErr  error
)

func fuzzTokenizers() ([]*Tokenizer, error) {
	fuzzOnce.Do(func() {
		for _, fx := range allFixtures {
			tok, err := Load(fx.path, Config{MaxLength: 48, Truncate: true, AddSpecialTokens: true, Stride: 8})
			if err != nil {
				fuzzErr = err
				return
			}
			fuzzToks = append(fuzzToks, tok)
		}
	})
	return fuzzToks, fuzzErr
}

// FuzzEncode feeds arbitrary text to every model type (WordPiece, byte-level
// BPE, tokenizer.json Unigram, SentencePiece .model, plus the DeBERTa-style
// and Split/NFKC fixtures; the first input byte selects one): never a panic, invalid UTF-8 gives ErrInvalidUTF8, ids are in
// vocabulary range, offsets are within the text and monotone, truncation and
// windows hold.
func FuzzEncode(f *testing.F) {
	if fs, err := os.Open(filepath.Join("testdata", "fixtures", "sample.jsonl")); err == nil {
		sc := bufio.NewScanner(fs)
		sc.Buffer(nil, 16<<20)
		i := 0
		for sc.Scan() {
			var s string
			if json.Unmarshal(sc.Bytes(), &s) == nil && len(s) < 2000 {
				f.Add(uint8(i), s)
				i++
			}
		}
		fs.Close()
	}
	f.Add(uint8(0), "[CLS] hello [MASK]\u00a0wörld \xff")
	f.Add(uint8(1), "<mask> <s>   </s>\t\n🙂🙂")
	f.Add(uint8(2), "▁▁ ｆｕｌｌ\u200b\u0301")
	f.Add(uint8(3), "\x00\x01 İ ß ﬁ")
	f.Fuzz(func(t *testing.T, which uint8, text string) {
		toks, err := fuzzTokenizers()
		if err != nil {
			t.Fatal(err)
		}
		tok := toks[int(which)%len(toks)]
		enc, err := tok.Encode(text)
		if !utf8.ValidString(text) {
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("invalid UTF-8 accepted: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(enc.IDs) > 48 {
			t.Fatalf("truncation: %d ids", len(enc.IDs))
		}
		checkEncoding(t, text, enc, tok.VocabSize())
		wins, err := tok.EncodeWindows(text)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wins {
			if len(w.IDs) > 48 || w.Start < 0 || w.End < w.Start || w.End > len(text) {
				t.Fatalf("window %d ids span [%d,%d)", len(w.IDs), w.Start, w.End)
			}
			checkEncoding(t, text, w.Encoding, tok.VocabSize())
		}
	})
}
