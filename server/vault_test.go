package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/anonymize"
	"github.com/llmshield/llmshield/scanner/deanonymize"
	"github.com/llmshield/llmshield/vaultstore"
)

// startPII runs a Server whose pipeline anonymises prompts and
// deanonymises outputs, on a real listener.
func startPII(t *testing.T, opts ...Option) *running {
	t.Helper()
	load := func(_ context.Context, reg prometheus.Registerer) (*llmshield.Shield, error) {
		an, err := anonymize.New(anonymize.DefaultConfig())
		if err != nil {
			return nil, err
		}
		de, err := deanonymize.New(deanonymize.Config{MatchingStrategy: deanonymize.CombinedExactFuzzy})
		if err != nil {
			return nil, err
		}
		return llmshield.NewFromScanners(llmshield.Pipeline{
			Input:  []llmshield.Entry{{Scanner: an}},
			Output: []llmshield.Entry{{Scanner: de}},
		}, llmshield.WithRegisterer(reg))
	}
	return startWith(t, config.Server{}, load, opts...)
}

func body(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVaultRoundTrip(t *testing.T) {
	rn := startPII(t)
	prompt := "Hi, I'm John Smith. Mail john.smith@example.com a receipt for card 4111 1111 1111 1111."
	r := rn.post(t, "/analyze/prompt", body(t, map[string]any{"prompt": prompt}))
	if r.status != http.StatusOK {
		t.Fatalf("analyze/prompt: %d %s", r.status, r.body)
	}
	m := r.json(t)
	san, id := m["sanitized_prompt"].(string), m["vault_id"].(string)
	for _, v := range []string{"John Smith", "john.smith@example.com", "4111"} {
		if strings.Contains(san, v) {
			t.Fatalf("%q left in the sanitized prompt %q", v, san)
		}
	}
	if id == "" {
		t.Fatal("no vault_id")
	}
	// The "model" answers with the placeholders (one slightly mangled).
	answer := "Dear [REDACTED_PERSON_1], the receipt for [REDACTED_CREDIT_CARD_1] goes to [REDACTED EMAIL_ADDRESS 1]."
	r = rn.post(t, "/analyze/output", body(t, map[string]any{"prompt": san, "output": answer, "vault_id": id}))
	if r.status != http.StatusOK {
		t.Fatalf("analyze/output: %d %s", r.status, r.body)
	}
	want := "Dear John Smith, the receipt for 4111 1111 1111 1111 goes to john.smith@example.com."
	if got := r.json(t)["sanitized_output"]; got != want {
		t.Errorf("restored %q, want %q", got, want)
	}
	// A second conversation cannot see the first one's values.
	r2 := rn.post(t, "/analyze/prompt", body(t, map[string]any{"prompt": "I'm Jane Doe, jane@corp.example."}))
	id2 := r2.json(t)["vault_id"].(string)
	if id2 == "" || id2 == id {
		t.Fatalf("second conversation got vault_id %q", id2)
	}
	r = rn.post(t, "/analyze/output", body(t, map[string]any{"prompt": "", "output": answer, "vault_id": id2}))
	if got := r.json(t)["sanitized_output"].(string); strings.Contains(got, "John") || strings.Contains(got, "4111") || strings.Contains(got, "john.smith") {
		t.Errorf("conversation 2 restored conversation 1's data: %q", got)
	}
	// Without a vault_id nothing is restored (no shared vault).
	r = rn.post(t, "/analyze/output", body(t, map[string]any{"prompt": "", "output": answer}))
	if got := r.json(t)["sanitized_output"]; got != answer {
		t.Errorf("restored without a vault_id: %q", got)
	}
	// The same conversation keeps its numbering; /v1/scan takes the id too.
	r = rn.post(t, "/v1/scan", body(t, map[string]any{"prompt": "Also cc Maria Garcia and John Smith.", "vault_id": id}))
	if r.status != http.StatusOK {
		t.Fatalf("v1/scan: %d %s", r.status, r.body)
	}
	sv := r.json(t)
	if s := sv["sanitized"].(string); !strings.Contains(s, "[REDACTED_PERSON_1]") || !strings.Contains(s, "[REDACTED_PERSON_2]") || sv["vault_id"] != id {
		t.Errorf("v1 continuation: %v", sv)
	}
	// Bad and unknown ids (the compatible endpoints answer invalid
	// requests with 422, as LLM Guard's does; /v1 with 400).
	if r := rn.post(t, "/analyze/output", body(t, map[string]any{"prompt": "", "output": "x", "vault_id": "nope"})); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "vault_id") {
		t.Errorf("bad id: %d %s", r.status, r.body)
	}
	if r := rn.post(t, "/v1/scan", body(t, map[string]any{"prompt": "x", "vault_id": "nope"})); r.status != http.StatusBadRequest || !strings.Contains(r.body, "vault_id") {
		t.Errorf("bad id: %d %s", r.status, r.body)
	}
	if r := rn.post(t, "/analyze/output", body(t, map[string]any{"prompt": "", "output": "x", "vault_id": strings.Repeat("ab", 16)})); r.status != http.StatusNotFound {
		t.Errorf("unknown id: %d %s", r.status, r.body)
	}
	if r := rn.post(t, "/scan/prompt", body(t, map[string]any{"prompt": "x", "vault_id": id})); r.status != http.StatusUnprocessableEntity {
		t.Errorf("vault_id on /scan: %d %s", r.status, r.body)
	}
	if r := rn.post(t, "/v1/scan/batch", body(t, map[string]any{"items": []any{map[string]any{"prompt": "x", "vault_id": id}}})); r.status != http.StatusBadRequest {
		t.Errorf("vault_id in a batch: %d %s", r.status, r.body)
	}
	// A prompt without personal data starts no conversation.
	if m := rn.post(t, "/analyze/prompt", body(t, map[string]any{"prompt": "How do I bake bread?"})).json(t); m["vault_id"] != nil {
		t.Errorf("empty conversation stored: %v", m)
	}
}

func TestVaultExpires(t *testing.T) {
	now := time.Now()
	st, err := vaultstore.NewMemory(vaultstore.Options{TTL: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rn := startPII(t, WithVaultStore(st))
	id := rn.post(t, "/analyze/prompt", body(t, map[string]any{"prompt": "mail jane@corp.example"})).json(t)["vault_id"].(string)
	now = now.Add(2 * time.Minute)
	r := rn.post(t, "/analyze/output", body(t, map[string]any{"prompt": "", "output": "[REDACTED_EMAIL_ADDRESS_1]", "vault_id": id}))
	if r.status != http.StatusNotFound {
		t.Errorf("expired vault: %d %s", r.status, r.body)
	}
}

// TestVaultAcrossReplicas anonymises on one server and deanonymises on
// another that shares the Redis vault store (needs $LLMSHIELD_TEST_REDIS).
func TestVaultAcrossReplicas(t *testing.T) {
	addr := os.Getenv("LLMSHIELD_TEST_REDIS")
	if addr == "" {
		t.Skip("LLMSHIELD_TEST_REDIS not set")
	}
	key := bytes.Repeat([]byte{3}, 32)
	replica := func() *running {
		c := goredis.NewClient(&goredis.Options{Addr: addr})
		t.Cleanup(func() { c.Close() })
		st, err := vaultstore.NewRedis(c, "llmshield-test:", key, time.Second, vaultstore.Options{TTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return startPII(t, WithVaultStore(st))
	}
	a, b := replica(), replica()
	m := a.post(t, "/analyze/prompt", body(t, map[string]any{"prompt": "Card 4111 1111 1111 1111 belongs to John Smith."})).json(t)
	r := b.post(t, "/analyze/output", body(t, map[string]any{"prompt": "", "output": "[REDACTED_PERSON_1] owns [REDACTED_CREDIT_CARD_1].", "vault_id": m["vault_id"]}))
	if got := r.json(t)["sanitized_output"]; got != "John Smith owns 4111 1111 1111 1111." {
		t.Errorf("replica B restored %q (%s)", got, r.body)
	}
}

// countingStore counts the vaults it makes.
type countingStore struct {
	vaultstore.Store
	made atomic.Int64
}

func (c *countingStore) New() (string, *scanner.Vault) {
	c.made.Add(1)
	return c.Store.New()
}

// TestVaultOnlyWithRewriter: a prompt scan without vault_id makes a new
// conversation vault only when an input scanner could write to it (a
// rewriter such as anonymize); the answer is the same either way.
func TestVaultOnlyWithRewriter(t *testing.T) {
	mem, err := vaultstore.NewMemory(vaultstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := &countingStore{Store: mem}
	load := func(_ context.Context, reg prometheus.Registerer) (*llmshield.Shield, error) {
		return llmshield.NewFromScanners(llmshield.Pipeline{Input: []llmshield.Entry{{Scanner: &keyword{name: "keyword", word: "ignore previous", risk: 0.87}}}}, llmshield.WithRegisterer(reg))
	}
	srv, err := New(context.Background(), config.Server{}, load, WithVaultStore(st))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, path := range []string{"/analyze/prompt", "/v1/scan"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"prompt":"hello there"}`))
		req.Header.Set("Content-Type", "application/json")
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "vault_id") {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
		}
	}
	if n := st.made.Load(); n != 0 {
		t.Fatalf("%d vaults made for a pipeline that cannot use one", n)
	}
	st2 := &countingStore{Store: mem}
	pii := startPII(t, WithVaultStore(st2))
	r := pii.post(t, "/analyze/prompt", body(t, map[string]any{"prompt": "I'm John Smith, john.smith@example.com."}))
	if r.status != http.StatusOK || r.json(t)["vault_id"] == "" || st2.made.Load() != 1 {
		t.Fatalf("anonymize pipeline: %d %s, %d vaults made", r.status, r.body, st2.made.Load())
	}
}
