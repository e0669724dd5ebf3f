package server

import (
	"reflect"
	"strconv"
	"testing"
	"unicode/utf8"
)

var fastSeeds = []string{
	`{"prompt":"hello"}`,
	` {"prompt" : "hello" , "scanners_suppress" : ["a", "b"] } `,
	"{\"prompt\":\"tab\\tnew\\nline \\\"q\\\" \\\\ \\/ \\b\\f\\r\"}",
	`{"prompt":"\u00e9\u4e2d \ud83d\ude00 \ud800 \udc00x \ud800\u0041 \uDBFF\uDFFF"}`,
	`{"prompt":"é中😀"}`,
	`{"prompt":null,"output":null,"vault_id":null,"scanners_suppress":null}`,
	`{"prompt":"p","output":"o","vault_id":"v","user_id":"u"}`,
	`{"prompt":"p","user_id":null}`,
	`{"prompt":"p","scanners_suppress":[]}`,
	`{"prompt":"p","scanners_suppress":[null]}`,
	`{"prompt":"p","prompt":"q"}`,
	`{"prompt":"p","Prompt":"q"}`,
	`{"PROMPT":"p"}`,
	`{"prompt":"p","extra":1}`,
	`{"prompt":1}`,
	`{"prompt":["a"]}`,
	`{"prompt":"a"} {}`,
	`{"prompt":"a",}`,
	`{"prompt":"\x"}`,
	`{"prompt":"\u12"}`,
	`{"prompt":"` + "\x01" + `"}`,
	`{}`,
	`[]`,
	``,
	`{"prompt":"a"`,
	`{"pr\u006fmpt":"a"}`,
	`{"prompt":"a","scanners_suppress":["x",]}`,
	`{"prompt":nul}`,
	`{"prompt":"a","vault_id":"` + "\u2028" + `"}`,
}

// strictDecode is decodeJSON without its fast path.
func strictDecode(b []byte, v any, unknownOK bool) error {
	return slowDecodeJSON(b, v, unknownOK)
}

// checkFast: whenever the fast path takes a body, the strict decoder
// accepts it too and decodes the same request.
func checkFast(t *testing.T, b []byte) {
	t.Helper()
	for _, mk := range []func() any{func() any { return new(compatRequest) }, func() any { return new(ScanRequest) }} {
		fast, strict := mk(), mk()
		if !fastDecode(b, fast) {
			if !reflect.DeepEqual(fast, mk()) {
				t.Fatalf("%q: the fast path refused the body but changed the request: %+v", b, fast)
			}
			continue
		}
		_, compat := fast.(*compatRequest)
		if err := strictDecode(b, strict, compat); err != nil {
			t.Fatalf("%q: fast path took a body the strict decoder refuses: %v", b, err)
		}
		if !reflect.DeepEqual(fast, strict) {
			t.Fatalf("%q: fast path decoded %s, strict decoder %s", b, dump(fast), dump(strict))
		}
	}
}

func dump(v any) string {
	switch r := v.(type) {
	case *compatRequest:
		return "compat{" + ptr(r.Prompt) + " " + ptr(r.Output) + " " + ptr(r.VaultID) + " " + list(r.ScannersSuppress) + "}"
	case *ScanRequest:
		return "scan{" + ptr(r.Prompt) + " " + ptr(r.Output) + " " + ptr(r.VaultID) + " " + list(r.ScannersSuppress) + " " + r.UserID + "}"
	}
	return "?"
}

func ptr(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return strconv.Quote(*s)
}

func list(l []string) string {
	if l == nil {
		return "<nil>"
	}
	out := "["
	for _, s := range l {
		out += s + ","
	}
	return out + "]"
}

func TestFastDecode(t *testing.T) {
	took := 0
	for _, s := range fastSeeds {
		checkFast(t, []byte(s))
		if fastDecode([]byte(s), new(ScanRequest)) {
			took++
		}
	}
	if took < 8 {
		t.Fatalf("the fast path took only %d of the seed bodies", took)
	}
	// The cases it must take (else the fast path is dead code).
	var req compatRequest
	if !fastDecode([]byte(`{"prompt":"a\nb \ud83d\ude00","scanners_suppress":["X"]}`), &req) || *req.Prompt != "a\nb 😀" || req.ScannersSuppress[0] != "X" {
		t.Fatalf("fast path: %+v", req)
	}
	// And the ones it must leave to the strict decoder.
	for _, s := range []string{`{"prompt":"p","Prompt":"q"}`, `{"prompt":"p","prompt":"q"}`, `{"prompt":"p","x":1}`, `{"prompt":"p"}x`} {
		if fastDecode([]byte(s), new(compatRequest)) {
			t.Errorf("%s: fast path took it", s)
		}
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) { // readBody refuses these before decoding
			return
		}
		checkFast(t, b)
	})
}
