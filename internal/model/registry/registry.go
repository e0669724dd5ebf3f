// Package registry knows which models exist and makes their files available
// on local disk, verified.
//
// A registry is a registry.json Document: a cache directory and a list of
// model entries. Each entry's files come from one source: HTTP(S) URLs,
// a local directory, or a directory inside an fs.FS of built-in models that
// is copied into the cache so that callers always get real file paths.
//
// Ensure returns the local paths of a model's files. Files already present
// and verified cost no network and, thanks to a small sidecar recording
// size, modification time and hash, no re-hashing. Missing files are
// downloaded with retries (internal/resilience.Retry: exponential backoff with
// full jitter, at least a 429's Retry-After; for network
// errors, 5xx and 429 only), resumed with HTTP Range requests when the server
// allows, checked against their SHA-256 and only then renamed into place, so
// a final file is never half written. Concurrent requests for the same file
// share one download, within a process (singleflight) and across processes
// (a file lock next to the file). Files without a published hash are pinned
// in <cache dir>/registry.lock.json on first pull; later pulls must match.
//
// A Registry is safe for concurrent use.
package registry

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/llmshield/llmshield/model"
)

// Environment variables read by New.
const (
	// EnvModelDir overrides the cache directory.
	EnvModelDir = "LLMSHIELD_MODEL_DIR"
	// EnvOffline, when 1/true/yes, forbids network access.
	EnvOffline = "LLMSHIELD_OFFLINE"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrNotFound means no entry matches the lookup.
	ErrNotFound = errors.New("model not in registry")
	// ErrChecksumMismatch means a file's SHA-256 differs from the expected one.
	ErrChecksumMismatch = errors.New("checksum mismatch")
	// ErrOffline means a file is missing and the registry may not download it.
	ErrOffline = errors.New("model not available offline")
)

// HTTPStatusError is a download answered with a non-success status.
type HTTPStatusError struct {
	URL        string
	StatusCode int
}

func (e *HTTPStatusError) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
}

// Retryable reports whether the status is worth retrying: 408, 429 and 5xx.
func (e *HTTPStatusError) Retryable() bool {
	return e.StatusCode == http.StatusRequestTimeout || e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// ProgressFunc is called as a file downloads, with the bytes done (including
// any resumed part) and the total (0 when unknown). Calls for one file come
// from one goroutine; calls for different files may be concurrent.
type ProgressFunc func(file string, done, total int64)

// Option configures New.
type Option func(*options)

type options struct {
	cacheDir    string
	offline     *bool
	embedded    fs.FS
	client      *http.Client
	progress    ProgressFunc
	log         *slog.Logger
	attempts    int
	baseBackoff time.Duration
	maxBackoff  time.Duration
	idleTimeout time.Duration
	lockPoll    time.Duration
	headers     http.Header
	getenv      func(string) string
}

// WithCacheDir sets the cache directory; it beats LLMSHIELD_MODEL_DIR and the
// document's cache_dir.
func WithCacheDir(dir string) Option { return func(o *options) { o.cacheDir = dir } }

// WithOffline forbids (true) or allows (false) network access, overriding
// LLMSHIELD_OFFLINE.
func WithOffline(off bool) Option { return func(o *options) { o.offline = &off } }

// WithEmbedded supplies the fs.FS that "embedded" entries refer to.
func WithEmbedded(fsys fs.FS) Option { return func(o *options) { o.embedded = fsys } }

// WithProgress sets a download progress callback.
func WithProgress(p ProgressFunc) Option { return func(o *options) { o.progress = p } }

// WithLogger sets the logger. The default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithRetry sets how many attempts a download makes (at least 1) and the
// backoff between them: base doubles each attempt up to max, with jitter.
// Defaults: 5 attempts, 500 ms, 30 s.
func WithRetry(attempts int, base, max time.Duration) Option {
	return func(o *options) { o.attempts, o.baseBackoff, o.maxBackoff = attempts, base, max }
}

// WithIdleTimeout aborts (and retries) a download that receives no data for
// d. Default 60 s.
func WithIdleTimeout(d time.Duration) Option { return func(o *options) { o.idleTimeout = d } }

// WithRequestHeader adds a header to every download request, e.g.
// "Authorization: Bearer <token>" for gated Hugging Face repositories.
func WithRequestHeader(key, value string) Option {
	return func(o *options) {
		if o.headers == nil {
			o.headers = http.Header{}
		}
		o.headers.Add(key, value)
	}
}

// WithGetenv replaces os.Getenv for LLMSHIELD_MODEL_DIR, LLMSHIELD_OFFLINE,
// XDG_CACHE_HOME and HOME (for tests and embedding applications).
func WithGetenv(f func(string) string) Option { return func(o *options) { o.getenv = f } }

// Registry resolves model entries to verified local files.
type Registry struct {
	doc      Document
	cacheDir string
	offline  bool
	opts     options
	flights  singleflight.Group
	lockMu   sync.Mutex // serialises registry.lock.json updates within the process
	// embHashes memoises the SHA-256 of embedded files by path.
	embHashes sync.Map
}

// New returns a registry over doc, validating it.
//
// The cache directory is, in order: WithCacheDir, $LLMSHIELD_MODEL_DIR,
// doc.CacheDir, $XDG_CACHE_HOME/llmshield/models, ~/.cache/llmshield/models.
// It is created on first download, not by New.
func New(doc Document, opts ...Option) (*Registry, error) {
	o := options{
		attempts:    5,
		baseBackoff: 500 * time.Millisecond,
		maxBackoff:  30 * time.Second,
		idleTimeout: 60 * time.Second,
		lockPoll:    100 * time.Millisecond,
		getenv:      os.Getenv,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	if o.attempts < 1 {
		o.attempts = 1
	}
	if o.client == nil {
		o.client = defaultClient()
	}
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	for i, e := range doc.Models {
		if e.Embedded != "" && o.embedded == nil {
			return nil, fmt.Errorf("registry: models[%d] (%q): embedded: no built-in file system was given (WithEmbedded)", i, e.ID)
		}
	}
	dir, err := resolveCacheDir(o, doc.CacheDir)
	if err != nil {
		return nil, err
	}
	off := envTrue(o.getenv(EnvOffline))
	if o.offline != nil {
		off = *o.offline
	}
	return &Registry{doc: doc, cacheDir: dir, offline: off, opts: o}, nil
}

// Load reads and validates a registry.json file.
func Load(path string, opts ...Option) (*Registry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	doc, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, err := New(doc, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

func defaultClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}}
}

func envTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func resolveCacheDir(o options, docDir string) (string, error) {
	home := func() (string, error) {
		if h := o.getenv("HOME"); h != "" {
			return h, nil
		}
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("registry: cache dir: no home directory (set %s): %w", EnvModelDir, err)
		}
		return h, nil
	}
	expand := func(d string) (string, error) {
		if d == "~" || strings.HasPrefix(d, "~/") {
			h, err := home()
			if err != nil {
				return "", err
			}
			d = filepath.Join(h, d[1:])
		}
		return filepath.Abs(d)
	}
	for _, d := range []string{o.cacheDir, o.getenv(EnvModelDir), docDir} {
		if d != "" {
			return expand(d)
		}
	}
	if x := o.getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "llmshield", "models"), nil
	}
	h, err := home()
	if err != nil {
		return "", err
	}
	return filepath.Join(h, ".cache", "llmshield", "models"), nil
}

// CacheDir returns the directory models are stored in.
func (r *Registry) CacheDir() string { return r.cacheDir }

// Offline reports whether the registry refuses network access.
func (r *Registry) Offline() bool { return r.offline }

// Document returns the registry's document.
func (r *Registry) Document() Document {
	d := r.doc
	d.Models = slices.Clone(d.Models)
	d.CacheDir = r.cacheDir
	return d
}

// List returns the entries in registry order.
func (r *Registry) List() []Entry { return slices.Clone(r.doc.Models) }

// Metadata returns the first entry for task and variant. An empty variant
// matches any.
func (r *Registry) Metadata(task model.Task, variant model.Variant) (Entry, error) {
	for _, e := range r.doc.Models {
		if e.Task == task && (variant == "" || e.Variant == variant) {
			return e, nil
		}
	}
	if variant == "" {
		return Entry{}, fmt.Errorf("no model for task %s: %w", task, ErrNotFound)
	}
	return Entry{}, fmt.Errorf("no model for task %s, variant %s: %w", task, variant, ErrNotFound)
}

// Lookup returns the entry whose ID or Name is s.
func (r *Registry) Lookup(s string) (Entry, error) {
	for _, e := range r.doc.Models {
		if e.Matches(s) {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("no model named %q: %w", s, ErrNotFound)
}

// Dir returns the directory an entry's files live in: the cache
// subdirectory <cache dir>/<id>, or the entry's Path.
func (r *Registry) Dir(e Entry) string {
	if e.Source() == SourcePath {
		return e.Path
	}
	return filepath.Join(r.cacheDir, e.ID)
}

// Files are the local, verified files of a model.
type Files struct {
	Entry Entry
	// Dir is the directory holding the files.
	Dir string
	// Paths maps each file's name (as in Entry.Files, e.g. "model.onnx") to
	// its absolute path.
	Paths map[string]string
}

// Path returns the path of the named file.
func (f Files) Path(name string) (string, bool) {
	p, ok := f.Paths[name]
	return p, ok
}

// Model returns the path of model.onnx, or of the only .onnx file.
func (f Files) Model() string {
	if p, ok := f.Paths[ModelFile]; ok {
		return p
	}
	var found string
	for name, p := range f.Paths {
		if strings.HasSuffix(name, ".onnx") {
			if found != "" {
				return ""
			}
			found = p
		}
	}
	return found
}

// Tokenizer returns the path of tokenizer.json, or "" when there is none.
func (f Files) Tokenizer() string { return f.base(TokenizerFile) }

// Config returns the path of config.json, or "" when there is none.
func (f Files) Config() string { return f.base(ConfigFile) }

func (f Files) base(name string) string {
	if p, ok := f.Paths[name]; ok {
		return p
	}
	for n, p := range f.Paths {
		if filepath.Base(n) == name {
			return p
		}
	}
	return ""
}
