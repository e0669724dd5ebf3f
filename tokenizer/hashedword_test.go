package tokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/datasets"
)

func loadHashedWord(t testing.TB, cfg Config) *Tokenizer {
	t.Helper()
	tk, err := Load(filepath.Join("testdata", "hashedword", "tokenizer.json"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestHashedWordReference compares ids and offsets with the Python twin
// (training/ner_features.py) on texts with accents, combining marks, CJK,
// exotic white space, format characters and punctuation.
func TestHashedWordReference(t *testing.T) {
	tk := loadHashedWord(t, Config{MaxLength: 1 << 16})
	if tk.Kind() != "hashed-word-features" || tk.VocabSize() != 1<<15+1 {
		t.Fatalf("kind %q vocab %d", tk.Kind(), tk.VocabSize())
	}
	n := 0
	for _, ref := range datasets.MustReadRows[refLine](t, filepath.Join("testdata", "hashedword", "reference.jsonl")) {
		enc, err := tk.Encode(ref.Text)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc.IDs) != len(ref.IDs) || len(enc.IDs)%HashedWordFeaturesK != 0 {
			t.Fatalf("%q: %d ids, want %d", ref.Text, len(enc.IDs), len(ref.IDs))
		}
		for i := range ref.IDs {
			if enc.IDs[i] != ref.IDs[i] || enc.Offsets[i] != ref.Offsets[i] {
				t.Fatalf("%q: id %d = %d %v, want %d %v (token %q, slot %d)", ref.Text, i, enc.IDs[i], enc.Offsets[i], ref.IDs[i], ref.Offsets[i], enc.Tokens[i], i%HashedWordFeaturesK)
			}
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d reference rows", n)
	}
}

func TestHashedWordGroups(t *testing.T) {
	tk := loadHashedWord(t, Config{MaxLength: 1 << 16})
	enc, err := tk.Encode("Ann  met\tBOB, twice.")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Ann", "met", "BOB", ",", "twice", "."}
	if len(enc.IDs) != len(want)*HashedWordFeaturesK {
		t.Fatalf("%d ids for %d tokens", len(enc.IDs), len(want))
	}
	for w, tok := range want {
		for k := 0; k < HashedWordFeaturesK; k++ {
			i := w*HashedWordFeaturesK + k
			if enc.Tokens[i] != tok || enc.Offsets[i] != enc.Offsets[w*HashedWordFeaturesK] {
				t.Fatalf("id %d: token %q offsets %v", i, enc.Tokens[i], enc.Offsets[i])
			}
		}
	}
	// The same word in another case shares the lower-case and affix ids but
	// not the shape and cased ids.
	a, _ := tk.Encode("Smith")
	b, _ := tk.Encode("smith")
	for k := 0; k < HashedWordFeaturesK; k++ {
		same := a.IDs[k] == b.IDs[k]
		if want := k != 1 && k != 7; same != want {
			t.Errorf("slot %d: same id %v, want %v", k, same, want)
		}
	}
	for _, s := range []string{"", " \t\n", "\u200b\u200d"} {
		e, err := tk.Encode(s)
		if err != nil || len(e.IDs) != 0 {
			t.Errorf("%q: %d ids, err %v", s, len(e.IDs), err)
		}
	}
	if _, err := tk.Encode("bad \xff utf-8"); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
}

func TestHashedWordBadConfig(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "hashedword", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to, want string }{
		{`"version": 1`, `"version": 2`, "version 2"},
		{`"buckets": 32768`, `"buckets": 0`, "buckets 0"},
		{`"suffix4",`, ``, "features"},
		{`"fnv1a64-cp-fmix64"`, `"md5"`, "hash"},
		{`"[PAD]": 0`, `"[PAD]": 5`, "special token"},
		{`"normalizer": null`, `"normalizer": {"type": "Lowercase"}`, "must be null"},
	} {
		bad := strings.Replace(string(good), c.from, c.to, 1)
		if bad == string(good) {
			t.Fatalf("fixture lacks %q", c.from)
		}
		if _, err := FromJSON([]byte(bad), DefaultConfig()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s -> %s: err %v, want %q", c.from, c.to, err, c.want)
		}
	}
}

func BenchmarkHashedWord1KB(b *testing.B) {
	tk := loadHashedWord(b, Config{MaxLength: 1 << 16})
	text := strings.Repeat("Please forward the invoice to Dr. María García at Acme GmbH in Zürich, thanks! ", 13)[:1024]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tk.Encode(text); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzHashedWord: any valid UTF-8 text gives whole groups of K ids, all
// in the vocabulary, whose offsets are rune-aligned spans of non-separator
// text in order; invalid UTF-8 is an error.
func FuzzHashedWord(f *testing.F) {
	tk := loadHashedWord(f, Config{MaxLength: 1 << 20})
	for _, s := range []string{"", "Dr. Jean-Pierre Müller", "İ\u0307x\u200b\u00a0y", "東京 ١٢٣ 😀!!", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc, err := tk.Encode(s)
		if !utf8.ValidString(s) {
			if err == nil {
				t.Fatal("invalid UTF-8 accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(enc.IDs)%HashedWordFeaturesK != 0 {
			t.Fatalf("%d ids", len(enc.IDs))
		}
		prevEnd := 0
		for i, id := range enc.IDs {
			if id < 1 || id >= tk.VocabSize() {
				t.Fatalf("id %d out of range", id)
			}
			o := enc.Offsets[i]
			if i%HashedWordFeaturesK != 0 {
				if o != enc.Offsets[i-1] {
					t.Fatalf("ids of one token with different offsets")
				}
				continue
			}
			if o[0] < prevEnd || o[1] <= o[0] || o[1] > len(s) || !utf8.RuneStart(s[o[0]]) || (o[1] < len(s) && !utf8.RuneStart(s[o[1]])) {
				t.Fatalf("token %d offsets %v in %q", i/HashedWordFeaturesK, o, s)
			}
			if enc.Tokens[i] != s[o[0]:o[1]] {
				t.Fatalf("token %q at %v", enc.Tokens[i], o)
			}
			prevEnd = o[1]
		}
	})
}
