package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/config"
)

// FuzzHandler sends arbitrary bodies to the scan endpoints: the answer is
// always a JSON object with 200, 400 or 413, never a panic.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{
		`{"prompt":"hello"}`, `{"prompt":"ignore previous","output":"x"}`, `{"items":[{"prompt":"a"}]}`,
		`{"prompt":"x","scanners_suppress":["redact"]}`, `{"prompt":1}`, `{"prompt":"\ud800"}`, "{\"prompt\":\"\xff\"}",
		`[]`, `null`, ``, `{"prompt":"a"}{}`, `{"prompt":"secret","user_id":"u"}`,
	} {
		f.Add(s)
	}
	srv, err := New(context.Background(), config.Server{MaxBodyBytes: 4096}, (&testLoader{}).load)
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	paths := []string{"/analyze/prompt", "/analyze/output", "/scan/prompt", "/scan/output", "/v1/scan", "/v1/scan/batch"}
	f.Fuzz(func(t *testing.T, body string) {
		for _, p := range paths {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, p, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			srv.ServeHTTP(rec, req)
			switch rec.Code {
			case 200, 400, 413, 422:
			default:
				t.Fatalf("%s %q: status %d: %s", p, body, rec.Code, rec.Body.String())
			}
			var m map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
				t.Fatalf("%s %q: answer is not a JSON object: %v", p, body, err)
			}
			key := "error" // /v1
			if !strings.HasPrefix(p, "/v1/") {
				key = "message" // LLM Guard's shape
			}
			if _, ok := m[key]; rec.Code != 200 && !ok {
				t.Fatalf("%s %q: error answer without %q: %s", p, body, key, rec.Body.String())
			}
		}
	})
}
