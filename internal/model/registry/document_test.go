package registry

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/model"
)

func TestParseStrict(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr []string
	}{
		{"ok", `{"cache_dir":"/x","models":[{"id":"a","task":"toxicity","variant":"fp32","url":"https://h/m.onnx"}]}`, nil},
		{"unknown top-level field", `{"modles":[]}`, []string{`unknown field "modles"`}},
		{"unknown entry field", `{"models":[{"id":"a"},{"id":"b","tresh":1}]}`, []string{"models[1]", `"b"`, `unknown field "tresh"`}},
		{"unknown file field", `{"models":[{"id":"a","files":[{"name":"x","sha":"1"}]}]}`, []string{"models[0]", `unknown field "sha"`}},
		{"wrong type", `{"models":[{"id":"a","size_bytes":"big"}]}`, []string{"models[0]", "size_bytes"}},
		{"bad variant", `{"models":[{"id":"a","variant":"fp8"}]}`, []string{"models[0]", "fp8"}},
		{"trailing data", `{"models":[]} {}`, []string{"after the JSON value"}},
		{"malformed", `{"models":[`, []string{"registry"}},
		{"empty", ``, []string{"registry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			checkErr(t, err, tt.wantErr)
		})
	}
}

// checkErr fails t unless err mentions every substring of want, or, with
// want nil, unless err is nil.
func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if err == nil {
		t.Fatal("want error")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Entry{ID: "m", Task: model.TaskToxicity, Variant: model.FP32, URL: "https://h/m.onnx"}
	with := func(f func(*Entry)) Document {
		e := good
		f(&e)
		return Document{Models: []Entry{e}}
	}
	tests := []struct {
		name string
		doc  Document
		want []string // substrings; nil means valid
	}{
		{"valid", with(func(*Entry) {}), nil},
		{"missing id", with(func(e *Entry) { e.ID = "" }), []string{"models[0]", "id: is required"}},
		{"id with slash", with(func(e *Entry) { e.ID = "a/b" }), []string{`"a/b"`, "id:"}},
		{"dotdot id", with(func(e *Entry) { e.ID = ".." }), []string{"id:"}},
		{"missing task", with(func(e *Entry) { e.Task = "" }), []string{`models[0] ("m"): task`}},
		{"missing variant", with(func(e *Entry) { e.Variant = "" }), []string{"variant"}},
		{"no source", with(func(e *Entry) { e.URL = "" }), []string{"one of url, files, path or embedded"}},
		{"two sources", with(func(e *Entry) { e.Path = "/x" }), []string{"only one of"}},
		{"url and files", with(func(e *Entry) { e.Files = []File{{Name: "a", URL: "https://h/a"}} }), []string{"either url"}},
		{"ftp url", with(func(e *Entry) { e.URL = "ftp://h/m" }), []string{"url:", "scheme"}},
		{"bad checksum", with(func(e *Entry) { e.Checksum = "ABC" }), []string{"checksum:"}},
		{"uppercase checksum", with(func(e *Entry) { e.Checksum = strings.Repeat("A", 64) }), []string{"checksum:"}},
		{"threshold", with(func(e *Entry) { e.Threshold = 1 }), []string{"threshold:"}},
		{"negative size", with(func(e *Entry) { e.SizeBytes = -1 }), []string{"size_bytes:"}},
		{"file escapes dir", with(func(e *Entry) { e.URL = ""; e.Files = []File{{Name: "../x", URL: "https://h/x"}} }), []string{"files[0].name"}},
		{"absolute file", with(func(e *Entry) { e.URL = ""; e.Files = []File{{Name: "/etc/x", URL: "https://h/x"}} }), []string{"files[0].name"}},
		{"file without url", with(func(e *Entry) { e.URL = ""; e.Files = []File{{Name: "a"}} }), []string{"files[0].url: is required"}},
		{"duplicate file", with(func(e *Entry) {
			e.URL = ""
			e.Files = []File{{Name: "a", URL: "https://h/a"}, {Name: "a", URL: "https://h/b"}}
		}), []string{"files[1].name", "duplicates files[0]"}},
		{"bad file sha", with(func(e *Entry) { e.URL = ""; e.Files = []File{{Name: "a", URL: "https://h/a", SHA256: "x"}} }), []string{"files[0].sha256"}},
		{"url on embedded file", with(func(e *Entry) { e.URL = ""; e.Embedded = "pi"; e.Files = []File{{Name: "a", URL: "https://h/a"}} }), []string{"files[0].url: only applies"}},
		{"embedded escapes", with(func(e *Entry) { e.URL = ""; e.Embedded = "../pi" }), []string{"embedded:"}},
		{"empty label", with(func(e *Entry) { e.Labels = []string{"A", " "} }), []string{"labels[1]"}},
		{"duplicate ids", Document{Models: []Entry{good, good}}, []string{"models[1]", "duplicates models[0]"}},
		{"duplicate names", Document{Models: []Entry{
			{ID: "a", Name: "Org/M", Task: "t", Variant: model.FP32, URL: "https://h/a"},
			{ID: "b", Name: "org/m", Task: "t", Variant: model.FP32, URL: "https://h/b"},
		}}, []string{"models[1]", "name:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, tt.doc.Validate(), tt.want)
		})
	}
}

func TestDefaultDocument(t *testing.T) {
	doc := DefaultDocument()
	if err := doc.Validate(); err != nil {
		t.Fatal(err)
	}
	r, err := New(doc, WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Lookup("protectai/deberta-v3-base-prompt-injection-v2")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"SAFE", "INJECTION"}, e.Labels); d != "" || e.Threshold != 0.92 {
		t.Errorf("prompt injection hints: %s threshold %v", d, e.Threshold)
	}
	for _, task := range []model.Task{model.TaskPromptInjection, model.TaskToxicity, model.TaskSentiment} {
		e, err := r.Metadata(task, model.FP32)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range e.FileList() {
			if !strings.HasPrefix(f.URL, "https://huggingface.co/") || !strings.Contains(f.URL, "/resolve/main/") {
				t.Errorf("%s: %s: URL %q is not a Hugging Face resolve URL", e.ID, f.Name, f.URL)
			}
		}
		if len(e.FileList()) != 3 {
			t.Errorf("%s: want model, tokenizer and config", e.ID)
		}
	}
}

func TestMergeBuiltinsFirst(t *testing.T) {
	builtin := Document{CacheDir: "", Models: []Entry{
		{ID: "ours", Task: model.TaskToxicity, Variant: model.FP32, Embedded: "tox"},
		{ID: "unbiased-toxic-roberta-onnx", Task: model.TaskToxicity, Variant: model.FP16, Embedded: "tox16"},
	}}
	got := Merge(builtin, DefaultDocument())
	if got.Models[0].ID != "ours" {
		t.Fatalf("first = %s", got.Models[0].ID)
	}
	n := 0
	for _, e := range got.Models {
		if e.ID == "unbiased-toxic-roberta-onnx" {
			n++
			if e.Embedded != "tox16" {
				t.Error("built-in did not replace the default entry with its id")
			}
		}
	}
	if n != 1 {
		t.Errorf("id appears %d times", n)
	}
}

func TestEmbeddedNeedsFS(t *testing.T) {
	_, err := New(Document{Models: []Entry{{ID: "x", Task: "t", Variant: model.FP32, Embedded: "x"}}}, WithCacheDir(t.TempDir()))
	if err == nil || !strings.Contains(err.Error(), "WithEmbedded") {
		t.Fatalf("err = %v", err)
	}
}

func TestWriteListAndVerify(t *testing.T) {
	r, err := New(DefaultDocument(), WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteList(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, s := range []string{"ID", "deberta-v3-base-prompt-injection-v2", "prompt_injection", "missing", "url"} {
		if !strings.Contains(out, s) {
			t.Errorf("list output lacks %q:\n%s", s, out)
		}
	}
	b.Reset()
	// A missing file is reported but is not a failure: nothing to verify.
	ok, err := WriteVerify(&b, []VerifyResult{{ID: "a", File: "model.onnx", Status: VerifyOK, Got: "abc"}, {ID: "b", File: "model.onnx", Status: VerifyMissing}})
	if err != nil || !ok {
		t.Fatalf("ok = %v, err = %v; a missing file alone must not fail", ok, err)
	}
	var mb bytes.Buffer
	if ok, _ := WriteVerify(&mb, []VerifyResult{{ID: "a", File: "model.onnx", Status: VerifyMismatch}, {ID: "b", File: "model.onnx", Status: VerifyMissing}}); ok {
		t.Fatal("a mismatch must fail")
	}
	if !strings.Contains(b.String(), "missing") || !strings.Contains(b.String(), "sha256 abc") {
		t.Errorf("verify output:\n%s", b.String())
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(defaultRegistry))
	f.Add(`{"models":[{"id":"a","files":[{"name":"../x"}]}]}`)
	f.Add(`{"cache_dir":"~","models":null}`)
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := Parse([]byte(s))
		if err != nil {
			return
		}
		_ = doc.Validate()
		for _, e := range doc.Models {
			_ = e.FileList()
			_ = e.Source()
		}
	})
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "registry.json")
	os.WriteFile(good, []byte(`{"models":[{"id":"a","task":"toxicity","variant":"int8","url":"https://h/a.onnx"}]}`), 0o644)
	r, err := Load(good, WithCacheDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if e, err := r.Metadata(model.TaskToxicity, model.INT8); err != nil || e.ID != "a" {
		t.Fatalf("Metadata = %+v, %v", e, err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"models":[{"id":"a","task":"toxicity","variant":"int8"}]}`), 0o644)
	if _, err := Load(bad, WithCacheDir(dir)); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "models[0]") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "absent.json")); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in           string
		start, total int64
		ok           bool
	}{
		{"bytes 100-199/200", 100, 200, true},
		{"bytes 0-0/*", 0, -1, true},
		{"bytes 100-199", 0, 0, false},
		{"items 1-2/3", 0, 0, false},
		{"bytes x-1/2", 0, 0, false},
		{"bytes 5-9/3", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		s, tot, ok := parseContentRange(tt.in)
		if s != tt.start || tot != tt.total || ok != tt.ok {
			t.Errorf("parseContentRange(%q) = %d,%d,%v want %d,%d,%v", tt.in, s, tot, ok, tt.start, tt.total, tt.ok)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	if d := parseRetryAfter("3"); d != 3*time.Second {
		t.Errorf("3 -> %s", d)
	}
	for _, s := range []string{"", "-1", "soon", "Mon, 01 Jan 2001 00:00:00 GMT"} {
		if d := parseRetryAfter(s); d != 0 {
			t.Errorf("%q -> %s, want 0", s, d)
		}
	}
	if d := parseRetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); d < 58*time.Minute {
		t.Errorf("date an hour ahead -> %s", d)
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{-1: "?", 0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 737_000_000: "702.9 MiB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
