package rulescan

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/llmshield/llmshield/scanner"
)

func TestHashedShell(t *testing.T) {
	sum := sha256.Sum256([]byte("abcdef"))
	want := hex.EncodeToString(sum[:16])
	for _, parts := range [][][]byte{{[]byte("abcdef")}, {[]byte("abc"), []byte("def")}, {[]byte("ab"), nil, []byte("cdef")}} {
		s := HashedShell("x", scanner.StageOutput, parts...)
		if s.Name() != "x" || s.Stages() != scanner.StageOutput || s.Fingerprint() != want {
			t.Errorf("%q: %+v, want fingerprint %s", parts, s, want)
		}
	}
	if HashedShell("x", scanner.StageOutput, []byte("abcdeg")).Fingerprint() == want {
		t.Error("fingerprint must change with the parts")
	}
}
