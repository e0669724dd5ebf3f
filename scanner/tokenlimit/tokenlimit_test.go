package tokenlimit

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// Token counts published in OpenAI's cookbook ("How to count tokens with
// tiktoken"), independent of the library under test.
func TestKnownCounts(t *testing.T) {
	cases := []struct {
		text          string
		cl100k, o200k int
	}{
		{"hello world", 2, 2},
		{"tiktoken is great!", 6, 6},
		{"antidisestablishmentarianism", 6, 6},
		{"2 + 2 = 4", 7, 7},
		{"お誕生日おめでとう", 9, 8},
		{"", 0, 0},
	}
	cl := scannertest.Must(t, New, Config{Limit: 10, EncodingName: Cl100kBase})
	o2 := scannertest.Must(t, New, Config{Limit: 10, EncodingName: O200kBase})
	for _, c := range cases {
		for _, x := range []struct {
			s    *Scanner
			want int
		}{{cl, c.cl100k}, {o2, c.o200k}} {
			n, err := x.s.Count(context.Background(), c.text)
			if err != nil || n != x.want {
				t.Errorf("%s %q: %d tokens (%v), want %d", x.s.Encoding(), c.text, n, err, x.want)
			}
		}
	}
}

// TestChunkedCountIsExact checks that cutting at nextCut's boundaries never
// changes the count, on long texts of prose, code, CJK, digits and
// whitespace runs.
func TestChunkedCountIsExact(t *testing.T) {
	words := []string{"the", "committee", "Größe", "don't", "It's", "  ", "\n", "\n\n", "東京タワー", "1234567", "func(x int)", "{", "}", ";", "   indented", "naïve", "café", "🙂", "ALLCAPS", "mixedCase", "'ll", "\t", "https://example.org/a?b=c"}
	r := rand.New(rand.NewPCG(1, 2))
	for _, enc := range []string{Cl100kBase, O200kBase} {
		s := scannertest.Must(t, New, Config{Limit: 1, EncodingName: enc})
		for trial := range 20 {
			var b strings.Builder
			for b.Len() < 3*chunkBytes+r.IntN(3*chunkBytes) {
				b.WriteString(words[r.IntN(len(words))])
				if r.IntN(3) > 0 {
					b.WriteByte(" \n"[r.IntN(2)])
				}
			}
			text := b.String()
			got, err := s.Count(context.Background(), text)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.codec.Count(text)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s trial %d: chunked count %d, whole-text count %d", enc, trial, got, want)
			}
		}
	}
}

func TestScan(t *testing.T) {
	cases := []struct {
		name, text, sanitized string
		limit                 int
		valid                 bool
	}{
		{"at_limit", "tiktoken is great!", "tiktoken is great!", 6, true},
		{"under", "hello world", "hello world", 6, true},
		{"over", "hello world tiktoken is great!", "hello world tiktoken is great", 6, false},
		{"empty", "", "", 6, true},
		{"cjk", "お誕生日おめでとう", "お誕生日お", 6, false},
		// 誕 is two byte-level tokens: a cut after its first token must
		// move back to the character boundary.
		{"multibyte_cut", "お誕生日おめでとう", "お", 2, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scannertest.Must(t, New, Config{Limit: c.limit, EncodingName: Cl100kBase})
			res := scannertest.Check(t, s, scanner.Input{Prompt: c.text})
			if res.Valid != c.valid || res.Sanitized != c.sanitized {
				t.Errorf("valid %v sanitized %q, want %v %q", res.Valid, res.Sanitized, c.valid, c.sanitized)
			}
			if !c.valid {
				if res.Risk != 1 || len(res.Findings) != 1 || res.Findings[0].Start != len(c.sanitized) {
					t.Errorf("risk %v findings %+v", res.Risk, res.Findings)
				}
				if n, _ := s.Count(context.Background(), res.Sanitized); n > c.limit {
					t.Errorf("sanitized has %d tokens", n)
				}
			}
		})
	}
}

// TestLongPromptTruncation checks the early stop and that the first chunk is
// exactly the limit on a long prompt.
func TestLongPromptTruncation(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	text := strings.Repeat("The committee reviewed the budget and approved new library hours. ", 20000)
	res := scannertest.Check(t, s, scanner.Input{Prompt: text})
	if res.Valid || !strings.HasPrefix(text, res.Sanitized) {
		t.Fatalf("valid %v, sanitized not a prefix", res.Valid)
	}
	n, _ := s.Count(context.Background(), res.Sanitized)
	if n != 4096 {
		t.Errorf("sanitized has %d tokens, want 4096", n)
	}
	if !strings.Contains(res.Findings[0].Detail, "at least") {
		t.Errorf("detail %q, want a lower bound", res.Findings[0].Detail)
	}
	_, err := s.Scan(context.Background(), scanner.Input{Prompt: "ok\xff"})
	if !errors.Is(err, scanner.ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8: err %v", err)
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{EncodingName: Cl100kBase}, Field: "limit"},
		{Cfg: Config{Limit: -1, EncodingName: Cl100kBase}, Field: "limit"},
		{Cfg: Config{Limit: 5}, Field: "encoding_name"},
		{Cfg: Config{Limit: 5, EncodingName: "p50k_base"}, Field: "encoding_name"},
		{Cfg: Config{Limit: 5, ModelName: "llama-3"}, Field: "model_name"},
	})
	for model, enc := range map[string]string{"gpt-4o-mini": O200kBase, "gpt-4-turbo": Cl100kBase, "o3-mini": O200kBase, "gpt-3.5-turbo": Cl100kBase} {
		if s := scannertest.Must(t, New, Config{Limit: 1, ModelName: model}); s.Encoding() != enc {
			t.Errorf("%s: encoding %s, want %s", model, s.Encoding(), enc)
		}
	}
	scannertest.DecodesYAML(t, DefaultConfig(), "limit: 100\nencoding_name: o200k_base\n", Config{Limit: 100, EncodingName: O200kBase})
	scannertest.FingerprintsDiffer(t, New, Config{Limit: 100, EncodingName: O200kBase}, Config{Limit: 101, EncodingName: O200kBase}, Config{Limit: 100, EncodingName: Cl100kBase})
}

func TestConformance(t *testing.T) {
	scannertest.Run(t, scannertest.Must(t, New, DefaultConfig()))
	scannertest.Run(t, scannertest.Must(t, New, Config{Limit: 8, EncodingName: O200kBase}), scannertest.WithInputs(strings.Repeat("long prompt text ", 50)))
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{"hello world", "お誕生日おめでとう", "a b\nc", "", "\xff", strings.Repeat("word ", 100)} {
		f.Add(s, uint16(3))
	}
	scanners := map[bool]*Scanner{}
	for _, o := range []bool{false, true} {
		enc := Cl100kBase
		if o {
			enc = O200kBase
		}
		scanners[o] = scannertest.Must(f, New, Config{Limit: 1, EncodingName: enc})
	}
	f.Fuzz(func(t *testing.T, text string, limit uint16) {
		base := scanners[limit%2 == 1]
		s := &Scanner{cfg: Config{Limit: int(limit%64) + 1}, enc: base.enc, codec: base.codec}
		res, err := s.Scan(context.Background(), scanner.Input{Prompt: text})
		if !utf8.ValidString(text) {
			if !errors.Is(err, scanner.ErrInvalidUTF8) {
				t.Fatalf("invalid UTF-8: err %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		n, _ := s.codec.Count(text)
		if res.Valid != (n <= s.cfg.Limit) {
			t.Fatalf("%d tokens, limit %d, valid %v", n, s.cfg.Limit, res.Valid)
		}
		if !strings.HasPrefix(text, res.Sanitized) || !utf8.ValidString(res.Sanitized) {
			t.Fatalf("sanitized %q is not a valid prefix of %q", res.Sanitized, text)
		}
		if m, _ := s.codec.Count(res.Sanitized); m > s.cfg.Limit {
			t.Fatalf("sanitized has %d tokens, limit %d", m, s.cfg.Limit)
		}
	})
}

func BenchmarkScan(b *testing.B) {
	text := strings.Repeat("The committee reviewed the budget, and approved 3 new library hours! Ünïcödé café. ", 12)[:1024]
	for _, enc := range []string{Cl100kBase, O200kBase} {
		s := scannertest.Must(b, New, Config{Limit: 4096, EncodingName: enc})
		b.Run(enc+"/1KB", func(b *testing.B) {
			scannertest.Bench(b, s, scanner.Input{Prompt: text})
		})
	}
	s := scannertest.Must(b, New, DefaultConfig())
	huge := strings.Repeat("The committee reviewed the budget and approved new library hours. ", 150000)
	b.Run("cl100k_base/10MB_over_limit", func(b *testing.B) {
		scannertest.Bench(b, s, scanner.Input{Prompt: huge})
	})
}
