// Package tiktoken compares the two offline tiktoken libraries for Go on the
// same texts: token counts must agree, then speed and allocations.
//
//	cd scripts/libcompare && go test ./tiktoken -bench . -benchmem -benchtime=200x
package tiktoken

import (
	"strings"
	"testing"

	pk "github.com/pkoukk/tiktoken-go"
	pkloader "github.com/pkoukk/tiktoken-go-loader"
	tt "github.com/tiktoken-go/tokenizer"
)

var texts = map[string]string{
	"1KB":   strings.Repeat("The committee reviewed the budget, and approved 3 new library hours! Ünïcödé café 🙂. ", 12),
	"100KB": strings.Repeat("func main() { fmt.Println(\"hello, world\") } // Größe 1234567 résumé 東京タワー\n", 1300),
}

func pkEnc(b testing.TB, name string) *pk.Tiktoken {
	pk.SetBpeLoader(pkloader.NewOfflineLoader())
	e, err := pk.GetEncoding(name)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

func ttEnc(b testing.TB, name tt.Encoding) tt.Codec {
	c, err := tt.Get(name)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func TestAgree(t *testing.T) {
	for _, enc := range []string{"cl100k_base", "o200k_base"} {
		p, c := pkEnc(t, enc), ttEnc(t, tt.Encoding(enc))
		for k, s := range texts {
			a := len(p.Encode(s, nil, nil))
			n, err := c.Count(s)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s: pkoukk %d, tiktoken-go/tokenizer %d", enc, k, a, n)
			if a != n {
				t.Errorf("%s %s: counts differ", enc, k)
			}
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	// Each library caches its encodings after the first load, so this
	// measures only the first-call cost; run with -benchtime=1x.
	b.Run("pkoukk/cl100k_base", func(b *testing.B) {
		for b.Loop() {
			pkEnc(b, "cl100k_base")
		}
	})
	b.Run("tokenizer/cl100k_base", func(b *testing.B) {
		for b.Loop() {
			ttEnc(b, tt.Cl100kBase)
		}
	})
}

func BenchmarkCount(b *testing.B) {
	for _, enc := range []string{"cl100k_base", "o200k_base"} {
		p, c := pkEnc(b, enc), ttEnc(b, tt.Encoding(enc))
		for _, k := range []string{"1KB", "100KB"} {
			s := texts[k]
			b.Run("pkoukk/"+enc+"/"+k, func(b *testing.B) {
				b.SetBytes(int64(len(s)))
				for b.Loop() {
					p.Encode(s, nil, nil)
				}
			})
			b.Run("tokenizer/"+enc+"/"+k, func(b *testing.B) {
				b.SetBytes(int64(len(s)))
				for b.Loop() {
					c.Count(s)
				}
			})
		}
	}
}
