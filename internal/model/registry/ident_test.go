package registry

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestIdentifierChecks: validID and isSHA256Hex accept exactly what the
// regular expressions they replaced accept.
func TestIdentifierChecks(t *testing.T) {
	idRE := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	hexRE := regexp.MustCompile(`^[0-9a-f]{64}$`)
	texts := []string{"", ".", "..", "a", "A.b_c-d", "-a", "_a", ".a", "a b", "é", "a\n", strings.Repeat("a", 128), strings.Repeat("a", 129),
		strings.Repeat("0", 64), strings.Repeat("f", 64), strings.Repeat("F", 64), strings.Repeat("0", 63), strings.Repeat("0", 65), strings.Repeat("0", 63) + "g"}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09._-fF \n\x00é/"
	for range 20000 {
		b := make([]byte, r.IntN(3)+[]int{0, 62, 126}[r.IntN(3)])
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				b[i] = "0123456789abcdef"[r.IntN(16)]
			}
		}
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		if got, want := validID(s), idRE.MatchString(s); got != want {
			t.Errorf("validID(%q) = %v, the expression says %v", s, got, want)
		}
		if got, want := isSHA256Hex(s), hexRE.MatchString(s); got != want {
			t.Errorf("isSHA256Hex(%q) = %v, the expression says %v", s, got, want)
		}
	}
}
