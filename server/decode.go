package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// requestError is a client error with the status it answers.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// readBody checks a scan request's framing and reads its body: the
// Content-Type must be application/json (415), an announced Content-Length
// above the limit is refused at once (413, without reading the body), the
// body must arrive within the body timeout (408 otherwise) and stay within
// the limit (413), and it must be valid UTF-8 (400 naming the offset). It
// also sets the request's write deadline, so that a client that never reads
// its answers cannot hold a connection (and a concurrency slot) for long.
// The body is read into buf (see bodyBuffer), which the caller returns
// once the body is decoded: nothing decoded refers to it.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, scanTimeout time.Duration, buf *bytes.Buffer) ([]byte, error) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.BodyTimeout + scanTimeout + s.cfg.WriteTimeout))
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close") // the unread body makes the connection unusable
		return nil, &requestError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body is %d bytes, more than the limit of %d bytes", r.ContentLength, limit)}
	}
	_ = rc.SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout))
	body := http.MaxBytesReader(w, r.Body, limit)
	if cl := r.ContentLength; cl > 0 {
		buf.Grow(int(cl) + bytes.MinRead) // one allocation when the length is announced
	}
	_, err := buf.ReadFrom(body)
	b := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &requestError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body is larger than the limit of %d bytes", mbe.Limit)}
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			w.Header().Set("Connection", "close")
			return nil, &requestError{status: http.StatusRequestTimeout, msg: fmt.Sprintf("request body did not arrive within %s", s.cfg.BodyTimeout)}
		}
		return nil, badRequest("read request body: %v", err)
	}
	// The body is in: the scan itself is bounded by its own timeout.
	_ = rc.SetReadDeadline(time.Time{})
	if !utf8.Valid(b) {
		off := 0
		for off < len(b) {
			r, size := utf8.DecodeRune(b[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return nil, badRequest("request body is not valid UTF-8: invalid byte at offset %d", off)
	}
	return b, nil
}

// readJSON reads the request body (readBody) and decodes it into v
// (decodeJSON). The decoded strings are copies, so the body buffer goes back
// to the pool before it returns.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, scanTimeout time.Duration, v any, unknownOK bool) error {
	buf := getBody()
	defer putBody(buf)
	body, err := s.readBody(w, r, scanTimeout, buf)
	if err != nil {
		return err
	}
	return decodeJSON(body, v, unknownOK)
}

// bodyBuffers are request-body buffers for reuse.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// getBody returns an empty buffer for readBody; putBody gives it back
// (only buffers of at most maxPooledBody bytes are kept).
func getBody() *bytes.Buffer { return bodyBuffers.Get().(*bytes.Buffer) }

func putBody(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBody {
		buf.Reset()
		bodyBuffers.Put(buf)
	}
}

// maxPooledBody bounds the body buffers kept for reuse.
const maxPooledBody = 64 << 10

// checkJSONContentType accepts application/json with optional parameters
// (charset=utf-8). Anything else is 415: scan endpoints take JSON only,
// which also keeps a web page from posting to them cross-origin with a
// "simple" (form or text/plain) request.
func checkJSONContentType(ct string) error {
	switch ct {
	case "":
		return &requestError{status: http.StatusUnsupportedMediaType, msg: "Content-Type is missing: send application/json"}
	case "application/json", "application/json; charset=utf-8", "application/json; charset=UTF-8":
		return nil // the common forms, without parsing
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return &requestError{status: http.StatusUnsupportedMediaType, msg: fmt.Sprintf("Content-Type %q is not supported: send application/json", ct)}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return &requestError{status: http.StatusUnsupportedMediaType, msg: fmt.Sprintf("charset %q is not supported: send UTF-8", cs)}
	}
	return nil
}

// decodeJSON decodes one JSON object from b into v strictly: wrong types
// and trailing data are errors that name the field or the byte offset, and
// so are duplicate keys (checkKeys) and, unless unknownOK, unknown fields.
// A flat request body takes the fast path (fastjson.go) with the same result.
func decodeJSON(b []byte, v any, unknownOK bool) error {
	if fastDecode(b, v) {
		return nil
	}
	return slowDecodeJSON(b, v, unknownOK)
}

// slowDecodeJSON is decodeJSON's strict decoder, for every body.
func slowDecodeJSON(b []byte, v any, unknownOK bool) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return badRequest("request body is empty: want a JSON object")
	}
	if err := checkKeys(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if !unknownOK {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return badRequest("%s", describeJSONError(err, b))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("unexpected data after the JSON object at offset %d", dec.InputOffset())
	}
	return nil
}

func describeJSONError(err error, b []byte) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		return fmt.Sprintf("malformed JSON at offset %d: %s", max(se.Offset-1, 0), strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		if te.Field == "" {
			return fmt.Sprintf("request body must be a JSON object, got %s", te.Value)
		}
		return fmt.Sprintf("field %q: want %s, got %s (offset %d)", te.Field, jsonKind(te.Type.Kind().String()), te.Value, te.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("malformed JSON: unexpected end of input at offset %d", len(b))
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if f, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return "unknown field " + f
	}
	return msg
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	case "ptr":
		return "a value"
	}
	return "a number"
}

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
}

// writeError answers an error in the shape of the API the path belongs to:
// /v1 answers {"error"}; every other path is LLM Guard's API, which answers
// {"message", "details"}, and validation failures there are 422 with the
// failure in details, as LLM Guard (FastAPI) reports them.
func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		writeJSON(w, status, errorBody{Error: msg})
		return
	}
	if status == http.StatusBadRequest {
		writeJSON(w, http.StatusUnprocessableEntity, compatError{Message: "Validation failed", Details: []compatErrorDetail{{Loc: []string{"body"}, Msg: msg, Type: "value_error"}}})
		return
	}
	writeJSON(w, status, compatError{Message: msg, Details: nil})
}

// compatError is LLM Guard's error body.
type compatError struct {
	Message string              `json:"message"`
	Details []compatErrorDetail `json:"details"`
}

// compatErrorDetail is one validation failure, as FastAPI lists them.
type compatErrorDetail struct {
	Loc  []string `json:"loc"`
	Msg  string   `json:"msg"`
	Type string   `json:"type"`
}

// Header values every JSON answer carries (shared, never modified).
var (
	jsonContentType = []string{"application/json"}
	noSniff         = []string{"nosniff"}
)

// jsonWriter is a reusable response buffer with its encoder.
type jsonWriter struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// maxPooledResponse bounds the buffers kept for reuse, so that one huge
// answer does not stay in memory.
const maxPooledResponse = 64 << 10

var jsonWriters = sync.Pool{New: func() any {
	jw := &jsonWriter{}
	jw.enc = json.NewEncoder(&jw.buf)
	return jw
}}

func putJSONWriter(jw *jsonWriter) {
	if jw.buf.Cap() <= maxPooledResponse {
		jw.buf.Reset()
		jsonWriters.Put(jw)
	}
}

// writeJSON answers v as JSON followed by a newline, with its length.
func writeJSON(w http.ResponseWriter, status int, v any) {
	jw := jsonWriters.Get().(*jsonWriter)
	defer putJSONWriter(jw)
	b := []byte(`{"error":"could not encode the response"}` + "\n")
	if err := jw.enc.Encode(v); err != nil { // Encode ends with a newline, as json.Marshal+"\n"
		status = http.StatusInternalServerError
	} else {
		b = jw.buf.Bytes()
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["X-Content-Type-Options"] = noSniff
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
