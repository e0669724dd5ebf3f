package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/llmshield/llmshield/model"
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// fileServer serves one file with Range support and lets tests inject faults.
type fileServer struct {
	*httptest.Server
	mu       sync.Mutex
	content  []byte
	hits     atomic.Int64
	served   atomic.Int64 // body bytes written
	ranges   []string
	failures []int // statuses to answer with first, in order
	truncate int   // number of responses to cut in half
	noRange  bool
	delay    time.Duration
}

func newFileServer(t *testing.T, content []byte) *fileServer {
	fsrv := &fileServer{content: content}
	fsrv.Server = httptest.NewServer(http.HandlerFunc(fsrv.serve))
	t.Cleanup(fsrv.Close)
	return fsrv
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n.Add(int64(n))
	return n, err
}

func (f *fileServer) serve(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	f.mu.Lock()
	f.ranges = append(f.ranges, r.Header.Get("Range"))
	content := f.content
	var fail int
	if len(f.failures) > 0 {
		fail, f.failures = f.failures[0], f.failures[1:]
	}
	cut := f.truncate > 0
	if cut {
		f.truncate--
	}
	delay := f.delay
	noRange := f.noRange
	f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if fail != 0 {
		http.Error(w, http.StatusText(fail), fail)
		return
	}
	cw := countingWriter{w, &f.served}
	if cut {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		cw.Write(content[:len(content)/2])
		return // the server closes the connection: the client sees a short body
	}
	if noRange {
		r.Header.Del("Range")
	}
	http.ServeContent(cw, r, "model.onnx", time.Unix(1700000000, 0), strings.NewReader(string(content)))
}

// with changes the server's behaviour under its lock.
func (f *fileServer) with(change func(*fileServer)) {
	f.mu.Lock()
	change(f)
	f.mu.Unlock()
}

func (f *fileServer) setContent(b []byte) {
	f.mu.Lock()
	f.content = b
	f.mu.Unlock()
}

func fastOpts(dir string) []Option {
	return []Option{
		WithCacheDir(dir),
		WithRetry(5, time.Millisecond, 4*time.Millisecond),
		WithOffline(false),
		WithGetenv(func(string) string { return "" }),
	}
}

func singleFileDoc(url, checksum string) Document {
	return Document{Models: []Entry{{
		ID: "pi", Name: "acme/prompt-injection", Task: model.TaskPromptInjection, Variant: model.FP32,
		URL: url + "/resolve/main/onnx/model.onnx", Checksum: checksum,
	}}}
}

func newReg(t *testing.T, doc Document, opts ...Option) *Registry {
	t.Helper()
	r, err := New(doc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// writePart leaves data in dir as the partial download of model "pi"'s
// model file and returns its path.
func writePart(t *testing.T, dir string, data []byte) string {
	t.Helper()
	part := filepath.Join(dir, "pi", ModelFile+".part")
	if err := os.MkdirAll(filepath.Dir(part), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(part, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return part
}

// checkContent fails t unless the file at path holds want.
func checkContent(t *testing.T, path string, want []byte) {
	t.Helper()
	if sum(mustRead(t, path)) != sum(want) {
		t.Fatalf("%s: content differs", path)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertNoFile(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s should not exist (stat err %v)", p, err)
	}
}

func TestEnsureDownloadsVerifiesAndCaches(t *testing.T) {
	content := payload(300_000)
	srv := newFileServer(t, content)
	dir := t.TempDir()
	var mu sync.Mutex
	var lastDone, lastTotal int64
	opts := append(fastOpts(dir), WithProgress(func(file string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if file != ModelFile || done < lastDone {
			t.Errorf("progress(%q, %d, %d) after %d", file, done, total, lastDone)
		}
		lastDone, lastTotal = done, total
	}))
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), opts...)
	files, err := r.Ensure(context.Background(), model.TaskPromptInjection, model.FP32)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "pi", ModelFile)
	if files.Model() != want || files.Dir != filepath.Join(dir, "pi") {
		t.Fatalf("Model() = %q, Dir = %q", files.Model(), files.Dir)
	}
	checkContent(t, want, content)
	if lastDone != int64(len(content)) || lastTotal != int64(len(content)) {
		t.Errorf("final progress %d/%d, want %d/%d", lastDone, lastTotal, len(content), len(content))
	}
	assertNoFile(t, want+".part")
	if _, err := os.Stat(want + sidecarExt); err != nil {
		t.Errorf("no sidecar: %v", err)
	}
	// Present and verified: no network.
	for range 3 {
		if _, err := r.EnsureID(context.Background(), "acme/PROMPT-injection"); err != nil {
			t.Fatal(err)
		}
	}
	if h := srv.hits.Load(); h != 1 {
		t.Fatalf("server hits = %d, want 1", h)
	}
	if p, err := r.Path("pi"); err != nil || p != files.Dir {
		t.Fatalf("Path = %q, %v", p, err)
	}
}

func TestChecksumMismatchRemovesFile(t *testing.T) {
	content := payload(10_000)
	srv := newFileServer(t, content)
	dir := t.TempDir()
	wrong := strings.Repeat("ab", 32)
	r := newReg(t, singleFileDoc(srv.URL, wrong), fastOpts(dir)...)
	_, err := r.EnsureID(context.Background(), "pi")
	if !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("err = %v, want ErrChecksumMismatch", err)
	}
	for _, s := range []string{"pi", ModelFile, wrong, sum(content)} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	assertNoFile(t, filepath.Join(dir, "pi", ModelFile))
	assertNoFile(t, filepath.Join(dir, "pi", ModelFile+".part"))
	if h := srv.hits.Load(); h != 1 {
		t.Errorf("checksum mismatch was retried: %d hits", h)
	}
}

func TestRetries(t *testing.T) {
	content := payload(50_000)
	tests := []struct {
		name      string
		failures  []int
		truncate  int
		wantHits  int64
		wantErr   bool
		wantInErr string
	}{
		{name: "500 then success", failures: []int{500, 503}, wantHits: 3},
		{name: "429 then success", failures: []int{429}, wantHits: 2},
		{name: "truncated body then resumed", truncate: 1, wantHits: 2},
		{name: "404 is not retried", failures: []int{404}, wantHits: 1, wantErr: true, wantInErr: "404 Not Found"},
		{name: "403 is not retried", failures: []int{403}, wantHits: 1, wantErr: true, wantInErr: "403"},
		{name: "gives up after the attempts", failures: []int{500, 500, 500, 500, 500, 500}, wantHits: 5, wantErr: true, wantInErr: "after 5 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFileServer(t, content)
			srv.with(func(f *fileServer) { f.failures, f.truncate = tt.failures, tt.truncate })
			dir := t.TempDir()
			r := newReg(t, singleFileDoc(srv.URL, sum(content)), fastOpts(dir)...)
			_, err := r.EnsureID(context.Background(), "pi")
			if h := srv.hits.Load(); h != tt.wantHits {
				t.Errorf("hits = %d, want %d", h, tt.wantHits)
			}
			target := filepath.Join(dir, "pi", ModelFile)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.wantInErr) || !strings.Contains(err.Error(), "pi") {
					t.Fatalf("err = %v, want one mentioning %q and the model", err, tt.wantInErr)
				}
				assertNoFile(t, target)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkContent(t, target, content)
		})
	}
}

func TestTruncatedBodyResumesWithRange(t *testing.T) {
	content := payload(64_000)
	srv := newFileServer(t, content)
	srv.with(func(f *fileServer) { f.truncate = 1 })
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), fastOpts(t.TempDir())...)
	if _, err := r.EnsureID(context.Background(), "pi"); err != nil {
		t.Fatal(err)
	}
	want := []string{"", fmt.Sprintf("bytes=%d-", len(content)/2)}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if fmt.Sprint(srv.ranges) != fmt.Sprint(want) {
		t.Fatalf("Range headers %q, want %q", srv.ranges, want)
	}
	if got := srv.served.Load(); got != int64(len(content)) {
		t.Fatalf("served %d bytes in total, want %d (no byte twice)", got, len(content))
	}
}

func TestResumeExistingPartFile(t *testing.T) {
	content := payload(100_000)
	srv := newFileServer(t, content)
	dir := t.TempDir()
	const have = 70_000
	part := writePart(t, dir, content[:have])
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), fastOpts(dir)...)
	files, err := r.EnsureID(context.Background(), "pi")
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, files.Model(), content)
	if got := srv.served.Load(); got != int64(len(content)-have) {
		t.Fatalf("served %d bytes, want only the missing %d", got, len(content)-have)
	}
	assertNoFile(t, part)

	// A server that ignores Range: the part is discarded and the whole file fetched.
	srv2 := newFileServer(t, content)
	srv2.with(func(f *fileServer) { f.noRange = true })
	dir2 := t.TempDir()
	writePart(t, dir2, content[:have])
	r2 := newReg(t, singleFileDoc(srv2.URL, sum(content)), fastOpts(dir2)...)
	if files, err = r2.EnsureID(context.Background(), "pi"); err != nil {
		t.Fatal(err)
	}
	checkContent(t, files.Model(), content)
}

func TestConcurrentEnsureDownloadsOnce(t *testing.T) {
	content := payload(200_000)
	srv := newFileServer(t, content)
	srv.with(func(f *fileServer) { f.delay = 20 * time.Millisecond })
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), fastOpts(t.TempDir())...)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = r.Ensure(context.Background(), model.TaskPromptInjection, model.FP32)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if h := srv.hits.Load(); h != 1 {
		t.Fatalf("server hits = %d, want 1", h)
	}
}

// TestHelperProcess is not a test: TestTwoProcessesDownloadOnce runs the test
// binary with it as a second process.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("LLMSHIELD_REGISTRY_HELPER") != "1" {
		t.Skip("helper process only")
	}
	doc := singleFileDoc(os.Getenv("HELPER_URL"), os.Getenv("HELPER_SUM"))
	r, err := New(doc, fastOpts(os.Getenv("HELPER_DIR"))...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if _, err := r.EnsureID(context.Background(), "pi"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(4)
	}
	fmt.Println("helper-ok")
}

func TestTwoProcessesDownloadOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	content := payload(500_000)
	srv := newFileServer(t, content)
	srv.with(func(f *fileServer) { f.delay = 300 * time.Millisecond })
	dir := t.TempDir()
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			cmd := execHelper(t, map[string]string{
				"LLMSHIELD_REGISTRY_HELPER": "1", "HELPER_URL": srv.URL, "HELPER_SUM": sum(content), "HELPER_DIR": dir,
			})
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil || !strings.Contains(string(outs[i]), "helper-ok") {
			t.Fatalf("process %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	if h := srv.hits.Load(); h != 1 {
		t.Fatalf("server hits = %d, want 1", h)
	}
	checkContent(t, filepath.Join(dir, "pi", ModelFile), content)
}

func TestOfflineMode(t *testing.T) {
	content := payload(1000)
	srv := newFileServer(t, content)
	dir := t.TempDir()
	env := map[string]string{EnvOffline: "1"}
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), WithCacheDir(dir), WithGetenv(func(k string) string { return env[k] }))
	if !r.Offline() {
		t.Fatal("LLMSHIELD_OFFLINE=1 not honoured")
	}
	_, err := r.EnsureID(context.Background(), "pi")
	if !errors.Is(err, ErrOffline) {
		t.Fatalf("err = %v, want ErrOffline", err)
	}
	for _, s := range []string{"pi", ModelFile, "llmshield models pull acme/prompt-injection", filepath.Join(dir, "pi")} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("offline error %q does not mention %q", err, s)
		}
	}
	if srv.hits.Load() != 0 {
		t.Fatal("offline registry touched the network")
	}
	// Files copied in by hand are used.
	os.MkdirAll(filepath.Join(dir, "pi"), 0o755)
	os.WriteFile(filepath.Join(dir, "pi", ModelFile), content, 0o644)
	if _, err := r.EnsureID(context.Background(), "pi"); err != nil {
		t.Fatal(err)
	}
	// A corrupt copy offline is a checksum error, not a silent download.
	os.WriteFile(filepath.Join(dir, "pi", ModelFile), payload(999), 0o644)
	if _, err := r.EnsureID(context.Background(), "pi"); !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("err = %v, want ErrChecksumMismatch", err)
	}
	// WithOffline(false) beats the environment.
	r2 := newReg(t, singleFileDoc(srv.URL, sum(content)), WithCacheDir(t.TempDir()), WithOffline(false), WithGetenv(func(k string) string { return env[k] }))
	if r2.Offline() {
		t.Fatal("WithOffline(false) ignored")
	}
}

func TestUnknownChecksumIsPinned(t *testing.T) {
	v1 := payload(5000)
	srv := newFileServer(t, v1)
	dir := t.TempDir()
	r := newReg(t, singleFileDoc(srv.URL, ""), fastOpts(dir)...)
	if _, err := r.EnsureID(context.Background(), "pi"); err != nil {
		t.Fatal(err)
	}
	pins, err := r.Pins()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := pins.Files["pi/"+ModelFile]
	if !ok || p.SHA256 != sum(v1) || p.SizeBytes != int64(len(v1)) {
		t.Fatalf("pins = %+v", pins)
	}
	var raw map[string]any
	if err := json.Unmarshal(mustRead(t, r.LockFilePath()), &raw); err != nil {
		t.Fatalf("lock file is not JSON: %v", err)
	}
	// The upstream file changes: a fresh pull must not accept it.
	v2 := payload(5001)
	srv.setContent(v2)
	os.Remove(filepath.Join(dir, "pi", ModelFile))
	r2 := newReg(t, singleFileDoc(srv.URL, ""), fastOpts(dir)...) // e.g. a later process
	_, err = r2.EnsureID(context.Background(), "pi")
	if !errors.Is(err, ErrChecksumMismatch) || !strings.Contains(err.Error(), sum(v1)) || !strings.Contains(err.Error(), sum(v2)) {
		t.Fatalf("err = %v, want a mismatch against the pin", err)
	}
	assertNoFile(t, filepath.Join(dir, "pi", ModelFile))
	// A corrupt lock file is a clear error.
	os.WriteFile(r.LockFilePath(), []byte("{"), 0o644)
	if _, err := r2.EnsureID(context.Background(), "pi"); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("err = %v", err)
	}
}

func TestCancelMidDownloadLeavesNoFinalFile(t *testing.T) {
	content := payload(1 << 20)
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.Write(content[:1000])
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()
	dir := t.TempDir()
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), fastOpts(dir)...)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := r.EnsureID(ctx, "pi")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertNoFile(t, filepath.Join(dir, "pi", ModelFile))
}

func TestStalledDownloadIsRetried(t *testing.T) {
	content := payload(10_000)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			<-r.Context().Done() // never answers
			return
		}
		w.Write(content)
	}))
	defer srv.Close()
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), append(fastOpts(t.TempDir()), WithIdleTimeout(50*time.Millisecond))...)
	if _, err := r.EnsureID(context.Background(), "pi"); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 {
		t.Fatalf("hits = %d, want 2", hits.Load())
	}
}

func TestSidecarTrustedOnlyWhileSizeAndMtimeMatch(t *testing.T) {
	content := payload(4096)
	srv := newFileServer(t, content)
	dir := t.TempDir()
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), fastOpts(dir)...)
	ctx := context.Background()
	files, err := r.EnsureID(ctx, "pi")
	if err != nil {
		t.Fatal(err)
	}
	p := files.Model()
	fi, _ := os.Stat(p)
	// Corrupt the file but keep size and mtime: Ensure trusts the sidecar...
	bad := append([]byte(nil), content...)
	bad[0] ^= 0xff
	os.WriteFile(p, bad, 0o644)
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	if _, err := r.EnsureID(ctx, "pi"); err != nil {
		t.Fatal(err)
	}
	if srv.hits.Load() != 1 {
		t.Fatal("sidecar not trusted")
	}
	// ...but Verify re-hashes everything.
	res, err := r.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Status != VerifyMismatch || res[0].Got != sum(bad) || res[0].Want != sum(content) {
		t.Fatalf("Verify = %+v", res)
	}
	// A changed mtime invalidates the sidecar: the corrupt file is replaced.
	os.Chtimes(p, fi.ModTime().Add(time.Second), fi.ModTime().Add(time.Second))
	if _, err := r.EnsureID(ctx, "pi"); err != nil {
		t.Fatal(err)
	}
	if srv.hits.Load() != 2 || sum(mustRead(t, p)) != sum(content) {
		t.Fatalf("corrupt file not re-downloaded (hits %d)", srv.hits.Load())
	}
	res, _ = r.Verify(ctx)
	if res[0].Status != VerifyOK {
		t.Fatalf("Verify after repair = %+v", res)
	}
}

func TestMultiFileEntry(t *testing.T) {
	files := map[string][]byte{"onnx/model.onnx": payload(3000), "onnx/tokenizer.json": []byte(`{"model":{}}`), "onnx/config.json": []byte(`{"id2label":{}}`)}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, ok := files[strings.TrimPrefix(r.URL.Path, "/acme/m/resolve/main/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	base := srv.URL + "/acme/m/resolve/main/"
	doc := Document{Models: []Entry{{
		ID: "m", Task: model.TaskToxicity, Variant: model.INT8,
		Files: []File{
			{Name: ModelFile, URL: base + "onnx/model.onnx", SHA256: sum(files["onnx/model.onnx"]), SizeBytes: 3000},
			{Name: TokenizerFile, URL: base + "onnx/tokenizer.json"},
			{Name: ConfigFile, URL: base + "onnx/config.json"},
		},
	}}}
	dir := t.TempDir()
	r := newReg(t, doc, fastOpts(dir)...)
	got, err := r.Ensure(context.Background(), model.TaskToxicity, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Tokenizer() != filepath.Join(dir, "m", TokenizerFile) || got.Config() != filepath.Join(dir, "m", ConfigFile) || got.Model() != filepath.Join(dir, "m", ModelFile) {
		t.Fatalf("files = %+v", got)
	}
	if string(mustRead(t, got.Tokenizer())) != `{"model":{}}` {
		t.Fatal("tokenizer content")
	}
	if _, err := r.Ensure(context.Background(), model.TaskToxicity, model.FP32); !errors.Is(err, ErrNotFound) {
		t.Fatalf("fp32 lookup: %v", err)
	}
}

func builtinFS(model, tok []byte, sha string) fstest.MapFS {
	reg := fmt.Sprintf(`{"models":[{"id":"llmshield-pi","task":"prompt_injection","variant":"fp32","embedded":"promptinjection","files":[{"name":"model.onnx","sha256":%q},{"name":"tokenizer.json"}],"labels":["SAFE","INJECTION"],"threshold":0.5}]}`, sha)
	return fstest.MapFS{
		"registry.json":                  {Data: []byte(reg)},
		"promptinjection/model.onnx":     {Data: model},
		"promptinjection/tokenizer.json": {Data: tok},
	}
}

func TestEmbeddedModelsMaterialised(t *testing.T) {
	m, tok := payload(2048), []byte(`{"tok":1}`)
	dir := t.TempDir()
	r, err := NewDefault(builtinFS(m, tok, sum(m)), WithCacheDir(dir), WithOffline(true))
	if err != nil {
		t.Fatal(err)
	}
	if r.List()[0].ID != "llmshield-pi" || len(r.List()) != 1+len(DefaultDocument().Models) {
		t.Fatalf("built-ins not first: %v", r.List()[0].ID)
	}
	files, err := r.Ensure(context.Background(), model.TaskPromptInjection, model.FP32)
	if err != nil {
		t.Fatal(err)
	}
	if files.Model() != filepath.Join(dir, "llmshield-pi", ModelFile) || sum(mustRead(t, files.Model())) != sum(m) {
		t.Fatalf("model not materialised: %+v", files)
	}
	if string(mustRead(t, files.Tokenizer())) != string(tok) {
		t.Fatal("tokenizer not materialised")
	}
	// A stale copy (older binary) is replaced, even offline.
	os.WriteFile(files.Model(), payload(10), 0o644)
	if _, err := r.EnsureID(context.Background(), "llmshield-pi"); err != nil {
		t.Fatal(err)
	}
	if sum(mustRead(t, files.Model())) != sum(m) {
		t.Fatal("stale copy kept")
	}
	res, err := r.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res {
		if v.ID == "llmshield-pi" && v.Status != VerifyOK {
			t.Errorf("verify %+v", v)
		}
	}
	// A registry whose hash disagrees with the embedded file is an error.
	r2, err := NewDefault(builtinFS(m, tok, strings.Repeat("0", 64)), WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.EnsureID(context.Background(), "llmshield-pi"); !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("err = %v", err)
	}
}

func TestPathEntry(t *testing.T) {
	src := t.TempDir()
	m := payload(1234)
	os.WriteFile(filepath.Join(src, ModelFile), m, 0o644)
	os.WriteFile(filepath.Join(src, TokenizerFile), []byte("{}"), 0o644)
	doc := Document{Models: []Entry{
		{ID: "local", Task: model.TaskSentiment, Variant: model.FP32, Path: src},
		{ID: "pinned", Task: model.TaskSentiment, Variant: model.FP16, Path: src, Files: []File{{Name: ModelFile, SHA256: strings.Repeat("1", 64)}}},
	}}
	r := newReg(t, doc, WithCacheDir(t.TempDir()), WithOffline(true))
	files, err := r.EnsureID(context.Background(), "local")
	if err != nil {
		t.Fatal(err)
	}
	if files.Model() != filepath.Join(src, ModelFile) || files.Tokenizer() != filepath.Join(src, TokenizerFile) {
		t.Fatalf("%+v", files)
	}
	if _, err := r.EnsureID(context.Background(), "pinned"); !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("err = %v", err)
	}
	if _, err := r.Path("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Path(nope) = %v", err)
	}
}

func TestCacheDirResolution(t *testing.T) {
	tests := []struct {
		name   string
		opt    string
		env    map[string]string
		docDir string
		want   string
	}{
		{"option wins", "/opt/m", map[string]string{EnvModelDir: "/env/m", "XDG_CACHE_HOME": "/xdg"}, "/doc", "/opt/m"},
		{"env next", "", map[string]string{EnvModelDir: "/env/m", "XDG_CACHE_HOME": "/xdg"}, "/doc", "/env/m"},
		{"document next", "", map[string]string{"XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"}, "~/models", "/home/u/models"},
		{"xdg", "", map[string]string{"XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"}, "", "/xdg/llmshield/models"},
		{"relative xdg ignored", "", map[string]string{"XDG_CACHE_HOME": "rel", "HOME": "/home/u"}, "", "/home/u/.cache/llmshield/models"},
		{"home", "", map[string]string{"HOME": "/home/u"}, "", "/home/u/.cache/llmshield/models"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Document{CacheDir: tt.docDir}
			r := newReg(t, doc, WithCacheDir(tt.opt), WithGetenv(func(k string) string { return tt.env[k] }))
			if r.CacheDir() != tt.want {
				t.Errorf("CacheDir = %q, want %q", r.CacheDir(), tt.want)
			}
		})
	}
}

func TestPermanentFailureRemovesPartFile(t *testing.T) {
	srv := newFileServer(t, payload(10))
	srv.with(func(f *fileServer) { f.failures = []int{404} })
	dir := t.TempDir()
	r := newReg(t, singleFileDoc(srv.URL, ""), fastOpts(dir)...)
	_, err := r.EnsureID(context.Background(), "pi")
	var se *HTTPStatusError
	if !errors.As(err, &se) || se.StatusCode != 404 {
		t.Fatalf("err = %v, want HTTPStatusError 404", err)
	}
	assertNoFile(t, filepath.Join(dir, "pi", ModelFile+".part"))
	assertNoFile(t, filepath.Join(dir, "pi", ModelFile))
}

func TestUnresumablePartStartsOver(t *testing.T) {
	content := payload(5000)
	srv := newFileServer(t, content)
	dir := t.TempDir()
	writePart(t, dir, payload(9000)) // longer than the file: the server answers 416
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), fastOpts(dir)...)
	files, err := r.EnsureID(context.Background(), "pi")
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, files.Model(), content)
	if srv.hits.Load() != 2 {
		t.Fatalf("hits = %d, want 2 (416, then the whole file)", srv.hits.Load())
	}
}

func TestRequestHeaderSent(t *testing.T) {
	content := payload(100)
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.Write(content)
	}))
	defer srv.Close()
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), append(fastOpts(t.TempDir()), WithRequestHeader("Authorization", "Bearer t0ken"))...)
	if _, err := r.EnsureID(context.Background(), "pi"); err != nil {
		t.Fatal(err)
	}
	if auth.Load() != "Bearer t0ken" {
		t.Fatalf("Authorization = %v", auth.Load())
	}
}

func TestWaiterTakesOverWhenLeaderCancels(t *testing.T) {
	content := payload(20_000)
	var hits atomic.Int64
	firstStarted := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			close(firstStarted)
			<-r.Context().Done()
			return
		}
		w.Write(content)
	}))
	defer srv.Close()
	dir := t.TempDir()
	r := newReg(t, singleFileDoc(srv.URL, sum(content)), fastOpts(dir)...)
	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := r.EnsureID(leaderCtx, "pi")
		leaderErr <- err
	}()
	<-firstStarted
	followerErr := make(chan error, 1)
	go func() {
		_, err := r.EnsureID(context.Background(), "pi")
		followerErr <- err
	}()
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v", err)
	}
	if err := <-followerErr; err != nil {
		t.Fatalf("follower: %v", err)
	}
	checkContent(t, filepath.Join(dir, "pi", ModelFile), content)
}

func TestPullReportsProgressAndPins(t *testing.T) {
	content := payload(250_000)
	srv := newFileServer(t, content)
	r := newReg(t, singleFileDoc(srv.URL, ""), fastOpts(t.TempDir())...)
	var calls int
	var last int64
	files, err := r.Pull(context.Background(), "acme/prompt-injection", func(file string, done, total int64) {
		calls++
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != int64(len(content)) {
		t.Fatalf("progress calls %d, last %d", calls, last)
	}
	pins, _ := r.Pins()
	if pins.Files["pi/model.onnx"].SHA256 != sum(content) {
		t.Fatalf("not pinned: %+v", pins)
	}
	res, err := r.Verify(context.Background())
	if err != nil || len(res) != 1 || res[0].Status != VerifyOK || res[0].Path != files.Model() {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	if _, err := r.Pull(context.Background(), "nope", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

// countingFS counts the opens of each file of an fs.FS.
type countingFS struct {
	fs.FS
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.mu.Lock()
	c.opens[name]++
	c.mu.Unlock()
	return c.FS.Open(name)
}

// TestEmbeddedVerifiedOnce: once a built-in model is in the cache with its
// sidecar, a later start (a new Registry) does not read the embedded
// copy again; the files it gets are still the registry's.
func TestEmbeddedVerifiedOnce(t *testing.T) {
	m, tok := payload(4096), []byte(`{"tok":1}`)
	dir := t.TempDir()
	start := func() (*countingFS, Files) {
		cfs := &countingFS{FS: builtinFS(m, tok, sum(m)), opens: map[string]int{}}
		r, err := NewDefault(cfs, WithCacheDir(dir), WithOffline(true))
		if err != nil {
			t.Fatal(err)
		}
		files, err := r.EnsureID(context.Background(), "llmshield-pi")
		if err != nil {
			t.Fatal(err)
		}
		return cfs, files
	}
	first, files := start()
	if first.opens["promptinjection/model.onnx"] != 1 {
		t.Errorf("first start opened the embedded model %d times, want 1 (the copy)", first.opens["promptinjection/model.onnx"])
	}
	second, files2 := start()
	if n := second.opens["promptinjection/model.onnx"]; n != 0 {
		t.Errorf("second start opened the embedded model %d times, want 0", n)
	}
	if files2.Model() != files.Model() || sum(mustRead(t, files2.Model())) != sum(m) {
		t.Fatalf("second start: %+v", files2)
	}
	// The tokenizer has no hash in the registry: the embedded file is hashed
	// (once per Registry) to check the copy.
	if second.opens["promptinjection/tokenizer.json"] != 1 {
		t.Errorf("tokenizer without a registry hash opened %d times, want 1", second.opens["promptinjection/tokenizer.json"])
	}
	// A copy altered behind the registry's back (size kept, mtime changed)
	// is found by its hash and replaced from the embedded file.
	bad := payload(4096)
	bad[0] ^= 0xff
	if err := os.WriteFile(files.Model(), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(files.Model(), later, later); err != nil {
		t.Fatal(err)
	}
	third, files3 := start()
	if sum(mustRead(t, files3.Model())) != sum(m) || third.opens["promptinjection/model.onnx"] != 1 {
		t.Fatalf("altered copy: opens %v, model hash %s", third.opens, sum(mustRead(t, files3.Model())))
	}
}
