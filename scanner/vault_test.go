package scanner

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestVaultTTLAndBound(t *testing.T) {
	now := time.Unix(1000, 0)
	v := NewVaultWith(VaultOptions{MaxEntries: 2, TTL: time.Minute, Now: func() time.Time { return now }})
	a := v.Placeholder("PERSON", "Alice")
	b := v.Placeholder("PERSON", "Bob")
	if a != "[REDACTED_PERSON_1]" || b != "[REDACTED_PERSON_2]" {
		t.Fatalf("placeholders %q %q", a, b)
	}
	now = now.Add(10 * time.Second)
	v.Placeholder("PERSON", "Alice") // refresh Alice
	c := v.Placeholder("PERSON", "Carol")
	if _, ok := v.Original(b); ok {
		t.Errorf("Bob should have been evicted (oldest use) by the size bound")
	}
	if o, _ := v.Original(a); o != "Alice" {
		t.Errorf("Alice evicted instead of Bob")
	}
	if c != "[REDACTED_PERSON_3]" {
		t.Errorf("numbering restarted: %q", c)
	}
	now = now.Add(2 * time.Minute)
	if _, ok := v.Original(c); ok {
		t.Errorf("Carol should have expired")
	}
	if got := v.Deanonymize("hi " + a); got != "hi "+a {
		t.Errorf("expired pair restored: %q", got)
	}
}

func TestVaultFakesExportImportAndNoLeak(t *testing.T) {
	v := NewVault(0)
	p := v.PlaceholderFunc("EMAIL_ADDRESS", "jane@corp.example", func(string, int) string { return "fake1@example.com" })
	if p != "fake1@example.com" {
		t.Fatalf("fake not used: %q", p)
	}
	// A colliding fake falls back to the bracketed form.
	q := v.PlaceholderFunc("EMAIL_ADDRESS", "joe@corp.example", func(string, int) string { return "fake1@example.com" })
	if q != "[REDACTED_EMAIL_ADDRESS_2]" {
		t.Fatalf("collision: %q", q)
	}
	if got := v.Deanonymize("write to fake1@example.com and " + q); got != "write to jane@corp.example and joe@corp.example" {
		t.Errorf("Deanonymize = %q", got)
	}
	w := NewVault(0)
	w.Import(v.Export())
	if got := w.Placeholder("EMAIL_ADDRESS", "new@corp.example"); got != "[REDACTED_EMAIL_ADDRESS_3]" {
		t.Errorf("counters not carried over: %q", got)
	}
	if o, _ := w.Original("fake1@example.com"); o != "jane@corp.example" {
		t.Errorf("import lost a pair")
	}
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "vault", w)
	for _, s := range []string{fmt.Sprint(w), fmt.Sprintf("%+v %#v %v", w, w, []*Vault{w}), sb.String()} {
		if strings.Contains(s, "jane") || strings.Contains(s, "corp.example") {
			t.Errorf("vault contents leaked into %q", s)
		}
	}
}
