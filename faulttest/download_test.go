package faulttest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/health"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/scanner"
)

// flakyServer serves model files over HTTP/1.1 on 127.0.0.1, honouring
// "Range: bytes=N-", and cuts responses off: it sends the headers of the
// whole (remaining) body and half of it, then closes the connection.
type flakyServer struct {
	*httptest.Server
	files map[string][]byte

	mu      sync.Mutex
	drops   map[string]int  // responses still to cut, by path
	stalls  map[string]int  // responses still to stall after half the body, by path
	corrupt map[string]bool // serve these paths with one byte flipped
	always  bool            // cut every response
	seen    []served
}

// served is one request the server saw.
type served struct {
	path    string
	offset  int64 // from the Range header, 0 without one
	dropped bool
}

func newFlakyServer(t *testing.T, files map[string][]byte, drops map[string]int) *flakyServer {
	s := &flakyServer{files: files, drops: drops, stalls: map[string]int{}, corrupt: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *flakyServer) serve(w http.ResponseWriter, r *http.Request) {
	body, ok := s.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	var offset int64
	if rg := r.Header.Get("Range"); rg != "" {
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"), 10, 64)
		if err != nil || n < 0 || n >= int64(len(body)) {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(body)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		offset = n
	}
	s.mu.Lock()
	drop := s.always || s.drops[r.URL.Path] > 0
	if drop && !s.always {
		s.drops[r.URL.Path]--
	}
	stall := !drop && s.stalls[r.URL.Path] > 0
	if stall {
		s.stalls[r.URL.Path]--
	}
	if s.corrupt[r.URL.Path] {
		body = bytes.Clone(body)
		body[len(body)/3] ^= 0xff
	}
	s.seen = append(s.seen, served{r.URL.Path, offset, drop || stall})
	s.mu.Unlock()

	rest := body[offset:]
	if stall {
		// Send half, then nothing until the client gives up.
		w.Header().Set("Content-Length", strconv.Itoa(len(rest)))
		if offset > 0 {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", offset, len(body)-1, len(body)))
			w.WriteHeader(http.StatusPartialContent)
		}
		_, _ = w.Write(rest[:max(1, len(rest)/2)])
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
		return
	}
	status, extra := "200 OK", ""
	if offset > 0 {
		status = "206 Partial Content"
		extra = fmt.Sprintf("Content-Range: bytes %d-%d/%d\r\n", offset, len(body)-1, len(body))
	}
	head := fmt.Sprintf("HTTP/1.1 %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n%s\r\n", status, len(rest), extra)
	if !drop {
		w.Header().Set("Content-Length", strconv.Itoa(len(rest)))
		if offset > 0 {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", offset, len(body)-1, len(body)))
			w.WriteHeader(http.StatusPartialContent)
		}
		_, _ = w.Write(rest)
		return
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err) // httptest.Server speaks HTTP/1.1: hijacking works
	}
	defer conn.Close()
	_, _ = buf.WriteString(head)
	_, _ = buf.Write(rest[:max(1, len(rest)/2)])
	_ = buf.Flush()
}

func (s *flakyServer) requests(path string) []served {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []served
	for _, r := range s.seen {
		if r.path == path {
			out = append(out, r)
		}
	}
	return out
}

func (s *flakyServer) setAlways(v bool) {
	s.mu.Lock()
	s.always = v
	s.mu.Unlock()
}

// remoteModel is the tiny classifier as three files and the registry entry
// that downloads them from srv.
func remoteModel(t *testing.T) map[string][]byte {
	return map[string][]byte{
		"/" + registry.ModelFile:     readFile(t, tinyModel),
		"/" + registry.TokenizerFile: readFile(t, tinyTokenizer),
		"/" + registry.ConfigFile:    readFile(t, tinyConfig),
	}
}

func remoteEntry(id, base string, files map[string][]byte) registry.Entry {
	e := registry.Entry{ID: id, Task: model.TaskPromptInjection, Variant: model.FP32}
	for _, name := range []string{registry.ModelFile, registry.TokenizerFile, registry.ConfigFile} {
		b := files["/"+name]
		sum := sha256.Sum256(b)
		e.Files = append(e.Files, registry.File{Name: name, URL: base + "/" + name, SHA256: hex.EncodeToString(sum[:]), SizeBytes: int64(len(b))})
	}
	return e
}

// TestDownloadResumesAfterDrops: the server cuts the model off mid-body
// twice and the tokenizer once. The registry retries, resuming each file
// where it stopped, verifies the hashes, and the first scan runs the model
// (method ml). A second run finds the files in the cache without asking the
// server, and health is good. No partial file is left.
func TestDownloadResumesAfterDrops(t *testing.T) {
	cache := leakCheckedCache(t)
	files := remoteModel(t)
	srv := newFlakyServer(t, files, map[string]int{"/" + registry.ModelFile: 2, "/" + registry.TokenizerFile: 1})
	const id = "remote-pi"
	reg := writeRegistry(t, remoteEntry(id, srv.URL, files))
	cfg := pipeline{Registry: reg, CacheDir: cache, Model: id, Online: true, Fallback: false, CallTimeout: 30 * time.Second}.write(t)

	r := runCLI(t, "scan", "--config", cfg, "--format", "json", benignPrompt)
	// The tiny model's scores are arbitrary: judge the method, and that the
	// exit status follows the verdict.
	s := parseScan(t, r)
	if s.Scanners[0].Method != "ml" || (r.code != 0 && r.code != 1) || (r.code == 0) != s.Valid {
		t.Fatalf("want a verdict by the model and the matching exit status\n%s", r)
	}
	// The retries resumed: each attempt after a cut asked for the rest.
	for path, cuts := range map[string]int{"/" + registry.ModelFile: 2, "/" + registry.TokenizerFile: 1, "/" + registry.ConfigFile: 0} {
		reqs := srv.requests(path)
		if len(reqs) != cuts+1 {
			t.Fatalf("%s: %d requests, want %d: %+v", path, len(reqs), cuts+1, reqs)
		}
		for i := 1; i < len(reqs); i++ {
			if reqs[i].offset <= reqs[i-1].offset {
				t.Fatalf("%s: request %d did not resume past byte %d: %+v", path, i, reqs[i-1].offset, reqs)
			}
		}
	}
	for name, b := range files {
		got, err := os.ReadFile(filepath.Join(cache, id, filepath.FromSlash(strings.TrimPrefix(name, "/"))))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%s in the cache: %d bytes, %v; want the served %d bytes", name, len(got), err, len(b))
		}
	}
	before := len(srv.requests("/" + registry.ModelFile))
	r = runCLI(t, "health", "--config", cfg, "--format", "json")
	if h := parseHealth(t, r); r.code != 0 || !h.Healthy || h.Degraded {
		t.Fatalf("health: want healthy from the cached model\n%s", r)
	}
	if after := len(srv.requests("/" + registry.ModelFile)); after != before {
		t.Fatalf("the cached model was downloaded again (%d requests)", after-before)
	}
}

// TestDownloadAlwaysDropped: every response is cut off. Scans fall back to
// the heuristic, health is degraded naming the model and the failed
// download, and the model file never appears in its final place: only a
// verified-prefix .part file stays to be resumed. When the server recovers,
// the next scan resumes from that .part and runs the model.
func TestDownloadAlwaysDropped(t *testing.T) {
	cache := t.TempDir()
	noLeaks(t)
	files := remoteModel(t)
	srv := newFlakyServer(t, files, map[string]int{})
	srv.setAlways(true)
	const id = "remote-pi"
	sh := shieldOn(t, hubFor(t, cache, remoteEntry(id, srv.URL, files)), id, true)
	ctx := context.Background()

	rep, err := sh.ScanPrompt(ctx, injectionPrompt)

	err = scanErr(rep, err)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Scanners[0].Result; r.Method != scanner.MethodMLFallbackToHeuristic || r.Valid {
		t.Fatalf("got valid=%v by %s, want flagged by the heuristic fallback", r.Valid, r.Method)
	}
	if n := len(srv.requests("/" + registry.ModelFile)); n != 3 {
		t.Fatalf("%d requests for the model, want 3 attempts", n)
	}
	st := sh.Health(ctx, health.DefaultThresholds())
	if !st.Healthy || !st.Degraded || !anyContains(st.Warnings, "models", id, registry.ModelFile, "after 3 attempts") {
		t.Fatalf("health %+v: want degraded naming %s and the failed download", st, id)
	}
	target := filepath.Join(cache, id, registry.ModelFile)
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("%s exists after failed downloads (%v)", target, err)
	}
	part, err := os.ReadFile(target + ".part")
	if err != nil {
		t.Fatalf("no resumable part file: %v", err)
	}
	if len(part) == 0 || len(part) >= len(files["/"+registry.ModelFile]) || !bytes.HasPrefix(files["/"+registry.ModelFile], part) {
		t.Fatalf("the part file (%d bytes) is not a proper prefix of the model", len(part))
	}

	// The server recovers: the next scan resumes from the part file.
	srv.setAlways(false)
	rep, err = sh.ScanPrompt(ctx, injectionPrompt)
	err = scanErr(rep, err)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Scanners[0].Result; r.Method != scanner.MethodML {
		t.Fatalf("after recovery: method %s, want ml", r.Method)
	}
	reqs := srv.requests("/" + registry.ModelFile)
	if last := reqs[len(reqs)-1]; last.dropped || last.offset != int64(len(part)) {
		t.Fatalf("the download did not resume from the part file's %d bytes: %+v", len(part), last)
	}
	if got := strayFiles(t, cache); len(got) > 0 {
		t.Fatalf("partial files left after a complete download: %v", got)
	}
	if st := sh.Health(ctx, health.DefaultThresholds()); !st.Healthy || st.Degraded {
		t.Fatalf("health after recovery: %+v", st)
	}
}

// hubFor builds a hub over a registry of the one remote entry, retrying
// downloads quickly.
func hubFor(t *testing.T, cache string, e registry.Entry, opts ...registry.Option) *classifier.Hub {
	t.Helper()
	opts = append([]registry.Option{registry.WithCacheDir(cache), registry.WithOffline(false), registry.WithRetry(3, 5*time.Millisecond, 20*time.Millisecond)}, opts...)
	reg, err := registry.New(registry.Document{Models: []registry.Entry{e}}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	hub, err := classifier.NewHub(reg, classifier.HubOptions{Runtime: inference.RuntimeOptions{Backend: "purego"}})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, hub)
	return hub
}

// shieldOn builds a prompt_injection Shield on hub's model id.
func shieldOn(t *testing.T, hub *classifier.Hub, id string, fallback bool) *llmshield.Shield {
	t.Helper()
	return pipeline{Registry: writeRegistry(t), CacheDir: t.TempDir(), Model: id, Online: true, Fallback: fallback, CallTimeout: 30 * time.Second}.shield(t, llmshield.WithModelHub(hub))
}

// TestDownloadChecksumMismatch: the server sends the model with one byte
// changed. The registry refuses it after one attempt (retrying cannot fix
// it), leaves neither the file nor a part file, and the scan falls back
// (or, without fallback, fails naming the checksum mismatch).
func TestDownloadChecksumMismatch(t *testing.T) {
	cache := leakCheckedCache(t)
	files := remoteModel(t)
	srv := newFlakyServer(t, files, map[string]int{})
	srv.corrupt["/"+registry.ModelFile] = true
	const id = "remote-pi"
	hub := hubFor(t, cache, remoteEntry(id, srv.URL, files))
	ctx := context.Background()

	rep, err := shieldOn(t, hub, id, true).ScanPrompt(ctx, injectionPrompt)
	if err = scanErr(rep, err); err != nil {
		t.Fatal(err)
	}
	if r := rep.Scanners[0].Result; r.Method != scanner.MethodMLFallbackToHeuristic || r.Valid {
		t.Fatalf("got valid=%v by %s, want flagged by the heuristic fallback", r.Valid, r.Method)
	}
	if n := len(srv.requests("/" + registry.ModelFile)); n != 1 {
		t.Fatalf("%d requests for a file with the wrong hash, want 1 (no retry)", n)
	}
	rep, err = shieldOn(t, hub, id, false).ScanPrompt(ctx, benignPrompt)
	err = scanErr(rep, err)
	if !errors.Is(err, registry.ErrChecksumMismatch) || !errors.Is(err, scanner.ErrModelNotReady) || !containsAll(err.Error(), id, registry.ModelFile) {
		t.Fatalf("error %v: want ErrModelNotReady and ErrChecksumMismatch naming %s and %s", err, id, registry.ModelFile)
	}
	for _, p := range []string{registry.ModelFile, registry.ModelFile + ".part"} {
		if _, err := os.Stat(filepath.Join(cache, id, p)); !os.IsNotExist(err) {
			t.Fatalf("%s exists after a checksum mismatch (%v)", p, err)
		}
	}
}

// TestDownloadStalls: the server sends half the model and then nothing.
// The registry's idle timeout aborts the attempt, the next attempt resumes
// where the stalled one stopped, and the scan runs the model.
func TestDownloadStalls(t *testing.T) {
	cache := leakCheckedCache(t)
	files := remoteModel(t)
	srv := newFlakyServer(t, files, map[string]int{})
	srv.stalls["/"+registry.ModelFile] = 2
	const id = "remote-pi"
	hub := hubFor(t, cache, remoteEntry(id, srv.URL, files), registry.WithIdleTimeout(200*time.Millisecond))
	start := time.Now()
	rep, err := shieldOn(t, hub, id, false).ScanPrompt(context.Background(), benignPrompt)
	if err = scanErr(rep, err); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("took %s with a 200ms idle timeout", took)
	}
	if m := rep.Scanners[0].Result.Method; m != scanner.MethodML {
		t.Fatalf("method %s, want ml", m)
	}
	reqs := srv.requests("/" + registry.ModelFile)
	if len(reqs) != 3 || reqs[1].offset <= reqs[0].offset || reqs[2].offset <= reqs[1].offset {
		t.Fatalf("requests %+v: want 3, each resuming further", reqs)
	}
}
