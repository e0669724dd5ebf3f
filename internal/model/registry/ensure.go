package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/llmshield/llmshield/model"
)

// ErrNotDownloaded means a model's files are not (all) on disk.
var ErrNotDownloaded = errors.New("model not downloaded")

// Ensure makes the files of the model for task and variant available locally
// and returns their paths. See the package documentation for what it does.
func (r *Registry) Ensure(ctx context.Context, task model.Task, variant model.Variant) (Files, error) {
	e, err := r.Metadata(task, variant)
	if err != nil {
		return Files{}, err
	}
	return r.ensure(ctx, e, r.opts.progress)
}

// EnsureID is Ensure for the entry whose ID or Name is id.
func (r *Registry) EnsureID(ctx context.Context, id string) (Files, error) {
	e, err := r.Lookup(id)
	if err != nil {
		return Files{}, err
	}
	return r.ensure(ctx, e, r.opts.progress)
}

// Pull is EnsureID with a progress callback for this call (nil uses the
// registry's). When another caller is already downloading a file, Pull waits
// for it and only the first caller's callback sees progress.
func (r *Registry) Pull(ctx context.Context, id string, progress ProgressFunc) (Files, error) {
	e, err := r.Lookup(id)
	if err != nil {
		return Files{}, err
	}
	if progress == nil {
		progress = r.opts.progress
	}
	return r.ensure(ctx, e, progress)
}

// Path returns the directory holding the model's files, checking only that
// every file exists (no hashing, no network). A missing file is an error
// wrapping ErrNotDownloaded; the directory is returned with it.
func (r *Registry) Path(id string) (string, error) {
	e, err := r.Lookup(id)
	if err != nil {
		return "", err
	}
	dir := r.Dir(e)
	names, err := r.fileNames(e)
	if err != nil {
		return dir, err
	}
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(n)))
		if err != nil || !fi.Mode().IsRegular() {
			return dir, fmt.Errorf("model %s: file %s: %w (run `llmshield models pull %s`)", e.ID, n, ErrNotDownloaded, e.ID)
		}
	}
	return dir, nil
}

func (r *Registry) ensure(ctx context.Context, e Entry, progress ProgressFunc) (Files, error) {
	out := Files{Entry: e, Dir: r.Dir(e), Paths: map[string]string{}}
	switch e.Source() {
	case SourcePath:
		return r.ensurePath(ctx, e, out)
	case SourceEmbedded:
		names, err := r.fileNames(e)
		if err != nil {
			return Files{}, err
		}
		for _, n := range names {
			p, err := r.ensureShared(ctx, e, n, func() error { return r.materialise(ctx, e, n) })
			if err != nil {
				return Files{}, err
			}
			out.Paths[n] = p
		}
	default:
		for _, f := range e.FileList() {
			p, err := r.ensureShared(ctx, e, f.Name, func() error { return r.fetchFile(ctx, e, f, progress) })
			if err != nil {
				return Files{}, err
			}
			out.Paths[f.Name] = p
		}
	}
	return out, nil
}

// ensureShared runs fn once per file across goroutines. A caller whose ctx
// ends stops waiting; if the goroutine doing the work gave up because its own
// ctx ended, a waiter whose ctx is still live takes over.
func (r *Registry) ensureShared(ctx context.Context, e Entry, name string, fn func() error) (string, error) {
	target := r.target(e, name)
	for range 3 {
		ch := r.flights.DoChan(target, func() (any, error) { return nil, fn() })
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("model %s: file %s: %w", e.ID, name, ctx.Err())
		case res := <-ch:
			if res.Err != nil && ctx.Err() == nil && (errors.Is(res.Err, context.Canceled) || errors.Is(res.Err, context.DeadlineExceeded)) {
				continue // the leader's context ended, not ours
			}
			return target, res.Err
		}
	}
	return "", fmt.Errorf("model %s: file %s: other callers kept cancelling the shared download", e.ID, name)
}

func (r *Registry) target(e Entry, name string) string {
	return filepath.Join(r.Dir(e), filepath.FromSlash(name))
}

// fileNames lists the names of an entry's files.
func (r *Registry) fileNames(e Entry) ([]string, error) {
	if fl := e.FileList(); len(fl) > 0 {
		names := make([]string, len(fl))
		for i, f := range fl {
			names[i] = f.Name
		}
		return names, nil
	}
	switch e.Source() {
	case SourceEmbedded:
		var names []string
		err := fs.WalkDir(r.opts.embedded, e.Embedded, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				names = append(names, strings.TrimPrefix(p, e.Embedded+"/"))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("model %s: embedded %s: %w", e.ID, e.Embedded, err)
		}
		if !slices.ContainsFunc(names, isONNX) {
			return nil, fmt.Errorf("model %s: embedded %s holds no .onnx file", e.ID, e.Embedded)
		}
		return names, nil
	case SourcePath:
		des, err := os.ReadDir(e.Path)
		if err != nil {
			return nil, fmt.Errorf("model %s: path: %w", e.ID, err)
		}
		var names []string
		for _, d := range des {
			if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
				names = append(names, d.Name())
			}
		}
		if !slices.ContainsFunc(names, isONNX) {
			return nil, fmt.Errorf("model %s: path %s holds no .onnx file", e.ID, e.Path)
		}
		return names, nil
	}
	return nil, fmt.Errorf("model %s: no files", e.ID)
}

func isONNX(n string) bool { return strings.HasSuffix(n, ".onnx") }

// ensurePath checks a local-directory entry: files must exist, and match
// their sha256 when one is given (hashed every time: the directory is the
// user's and the registry writes nothing into it).
func (r *Registry) ensurePath(ctx context.Context, e Entry, out Files) (Files, error) {
	names, err := r.fileNames(e)
	if err != nil {
		return Files{}, err
	}
	want := map[string]string{}
	for _, f := range e.Files {
		want[f.Name] = f.SHA256
	}
	for _, n := range names {
		p := r.target(e, n)
		fi, err := os.Stat(p)
		if err != nil {
			return Files{}, fmt.Errorf("model %s: file %s: %w", e.ID, n, err)
		}
		if !fi.Mode().IsRegular() {
			return Files{}, fmt.Errorf("model %s: file %s: %s is not a regular file", e.ID, n, p)
		}
		if w := want[n]; w != "" {
			got, err := hashFile(ctx, p)
			if err != nil {
				return Files{}, fmt.Errorf("model %s: file %s: %w", e.ID, n, err)
			}
			if got != w {
				return Files{}, mismatch(e, n, w, got)
			}
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return Files{}, err
		}
		out.Paths[n] = abs
	}
	return out, nil
}

func mismatch(e Entry, name, want, got string) error {
	return fmt.Errorf("model %s: file %s: %w: want sha256 %s, got %s", e.ID, name, ErrChecksumMismatch, want, got)
}

// expected returns the hash a URL file must have: the registry's, else the
// pinned one, else "".
func (r *Registry) expected(e Entry, f File) (string, error) {
	if f.SHA256 != "" {
		return f.SHA256, nil
	}
	pins, err := r.readPins()
	if err != nil {
		return "", err
	}
	return pins.Files[pinKey(e, f.Name)].SHA256, nil
}

// fetchFile makes one URL file present: verified on disk already, or
// downloaded under a cross-process lock.
func (r *Registry) fetchFile(ctx context.Context, e Entry, f File, progress ProgressFunc) error {
	target := r.target(e, f.Name)
	want, err := r.expected(e, f)
	if err != nil {
		return err
	}
	if ok, err := r.present(ctx, e, f, target, want); ok || err != nil {
		return err
	}
	if r.offline {
		return r.offlineError(e, f.Name)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("model %s: %w", e.ID, err)
	}
	unlock, err := r.lock(ctx, target+".lock")
	if err != nil {
		return fmt.Errorf("model %s: file %s: %w", e.ID, f.Name, err)
	}
	defer unlock()
	// Another process may have finished (and pinned) while we waited.
	if want, err = r.expected(e, f); err != nil {
		return err
	}
	if ok, err := r.present(ctx, e, f, target, want); ok || err != nil {
		return err
	}
	r.opts.log.InfoContext(ctx, "downloading model file", "model", e.ID, "file", f.Name, "url", redactURL(f.URL))
	sum, size, err := r.download(ctx, e, f, target, want, progress)
	if err != nil {
		return err
	}
	if want == "" {
		return r.pin(ctx, e, f, sum, size)
	}
	return nil
}

func (r *Registry) offlineError(e Entry, name string) error {
	id := e.ID
	if e.Name != "" {
		id = e.Name
	}
	return fmt.Errorf("model %s: file %s is missing from %s and offline mode forbids downloading it: run `llmshield models pull %s` on a connected machine and copy the %s folder of its model cache to %s, or put the model's files there by hand: %w",
		e.ID, name, r.Dir(e), id, e.ID, r.Dir(e), ErrOffline)
}

// lock takes the cross-process file lock at p, waiting as long as ctx allows.
func (r *Registry) lock(ctx context.Context, p string) (func(), error) {
	l := flock.New(p)
	ok, err := l.TryLockContext(ctx, r.opts.lockPoll)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s: not acquired", p)
	}
	return func() { _ = l.Unlock() }, nil
}

// present reports whether target exists with the wanted hash (any hash when
// want is ""). A stale or corrupt file is removed so that it is downloaded
// again, except offline, where it is an error.
func (r *Registry) present(ctx context.Context, e Entry, f File, target, want string) (bool, error) {
	fi, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("model %s: file %s: %w", e.ID, f.Name, err)
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("model %s: file %s: %s is not a regular file", e.ID, f.Name, target)
	}
	got := ""
	if sc, ok := readSidecar(target, fi); ok {
		got = sc.SHA256
	}
	if got == "" || (want != "" && got != want) {
		// No trustworthy sidecar (or it disagrees): hash the file.
		if got, err = hashFile(ctx, target); err != nil {
			return false, fmt.Errorf("model %s: file %s: %w", e.ID, f.Name, err)
		}
		if want == "" || got == want {
			r.writeSidecar(target, fi, got)
		}
	}
	if want != "" && got != want {
		if r.offline && e.Source() == SourceURL {
			return false, mismatch(e, f.Name, want, got)
		}
		r.opts.log.WarnContext(ctx, "model file on disk has the wrong hash; downloading it again", "model", e.ID, "file", f.Name, "want", want, "got", got)
		if err := removeIfExists(target); err != nil {
			return false, err
		}
		_ = removeIfExists(target + sidecarExt)
		return false, nil
	}
	if want == "" && e.Source() == SourceURL {
		if err := r.pin(ctx, e, f, got, fi.Size()); err != nil {
			return false, err
		}
	}
	return true, nil
}

func removeIfExists(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// hashFile returns the SHA-256 of the file at p in hex, stopping early when
// ctx ends.
func hashFile(ctx context.Context, p string) (string, error) {
	return hashOf(ctx, os.Open, p)
}

// hashOf returns the SHA-256 in hex of the file open(name) opens, stopping
// early when ctx ends.
func hashOf[F io.ReadCloser](ctx context.Context, open func(string) (F, error), name string) (string, error) {
	f, err := open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// The sidecar <file>.sha256 records the hash of a verified file with its size
// and modification time; it is trusted only while both still match.
const sidecarExt = ".sha256"

type sidecar struct {
	Size    int64  `json:"size"`
	MtimeNS int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
}

func readSidecar(target string, fi fs.FileInfo) (sidecar, bool) {
	b, err := os.ReadFile(target + sidecarExt)
	if err != nil {
		return sidecar{}, false
	}
	var sc sidecar
	if json.Unmarshal(b, &sc) != nil || !isSHA256Hex(sc.SHA256) {
		return sidecar{}, false
	}
	if sc.Size != fi.Size() || sc.MtimeNS != fi.ModTime().UnixNano() {
		return sidecar{}, false
	}
	return sc, true
}

func (r *Registry) writeSidecar(target string, fi fs.FileInfo, sum string) {
	b, _ := json.Marshal(sidecar{Size: fi.Size(), MtimeNS: fi.ModTime().UnixNano(), SHA256: sum})
	if err := writeFileAtomic(target+sidecarExt, b, 0o644); err != nil {
		// Only costs a re-hash next time.
		r.opts.log.Warn("could not record a verified hash", "file", target, "error", err)
	}
}

// writeFileAtomic writes b to p through a temporary file in the same
// directory, fsyncs it, renames it into place and fsyncs the directory.
func writeFileAtomic(p string, b []byte, perm os.FileMode) error {
	dir := filepath.Dir(p)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Lock file: hashes pinned on first pull of files the registry gives no hash for.

const lockFileName = "registry.lock.json"

// LockFile is the content of <cache dir>/registry.lock.json.
type LockFile struct {
	Version int                   `json:"version"`
	Files   map[string]PinnedFile `json:"files"`
}

// PinnedFile is a pinned hash, keyed in LockFile by "<id>/<file name>".
type PinnedFile struct {
	SHA256    string    `json:"sha256"`
	SizeBytes int64     `json:"size_bytes"`
	URL       string    `json:"url,omitempty"`
	PinnedAt  time.Time `json:"pinned_at"`
}

func pinKey(e Entry, name string) string { return e.ID + "/" + name }

// LockFilePath returns where pinned hashes are kept.
func (r *Registry) LockFilePath() string { return filepath.Join(r.cacheDir, lockFileName) }

// Pins returns the pinned hashes.
func (r *Registry) Pins() (LockFile, error) { return r.readPins() }

func (r *Registry) readPins() (LockFile, error) {
	lf := LockFile{Version: 1, Files: map[string]PinnedFile{}}
	b, err := os.ReadFile(r.LockFilePath())
	if errors.Is(err, fs.ErrNotExist) {
		return lf, nil
	}
	if err != nil {
		return lf, fmt.Errorf("registry lock file: %w", err)
	}
	if err := json.Unmarshal(b, &lf); err != nil {
		return lf, fmt.Errorf("registry lock file %s is corrupt (fix or delete it; it will be rebuilt on the next pull): %w", r.LockFilePath(), err)
	}
	if lf.Files == nil {
		lf.Files = map[string]PinnedFile{}
	}
	return lf, nil
}

// pin records sum for f, under the process mutex and a file lock so that
// concurrent pins from several processes merge instead of overwriting each
// other. A different existing pin is a checksum mismatch.
func (r *Registry) pin(ctx context.Context, e Entry, f File, sum string, size int64) error {
	r.lockMu.Lock()
	defer r.lockMu.Unlock()
	if err := os.MkdirAll(r.cacheDir, 0o755); err != nil {
		return fmt.Errorf("registry lock file: %w", err)
	}
	unlock, err := r.lock(ctx, r.LockFilePath()+".lock")
	if err != nil {
		return fmt.Errorf("registry lock file: %w", err)
	}
	defer unlock()
	lf, err := r.readPins()
	if err != nil {
		return err
	}
	k := pinKey(e, f.Name)
	if old, ok := lf.Files[k]; ok {
		if old.SHA256 != sum {
			return fmt.Errorf("%w (pinned in %s; delete the %q entry there if the new file is intended)", mismatch(e, f.Name, old.SHA256, sum), r.LockFilePath(), k)
		}
		return nil
	}
	lf.Files[k] = PinnedFile{SHA256: sum, SizeBytes: size, URL: redactURL(f.URL), PinnedAt: time.Now().UTC()}
	b, err := json.MarshalIndent(lf, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(r.LockFilePath(), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("registry lock file: %w", err)
	}
	r.opts.log.InfoContext(ctx, "pinned model file hash", "model", e.ID, "file", f.Name, "sha256", sum)
	return nil
}

// Embedded models.

// materialise copies an embedded file into the cache, verified, unless an
// identical copy is already there. When the registry gives the file's hash,
// the embedded file is not hashed up front (a few ms of every start): the
// copy in the cache must have that hash, by its sidecar or by hashing the
// bytes while they are copied, so a built-in file that disagrees with its
// registry entry is still refused when it would be used.
func (r *Registry) materialise(ctx context.Context, e Entry, name string) error {
	src := path.Join(e.Embedded, name)
	want := ""
	for _, f := range e.Files {
		if f.Name == name {
			want = f.SHA256
		}
	}
	embSum := want
	if embSum == "" {
		var err error
		if embSum, err = r.embeddedHash(ctx, src); err != nil {
			return fmt.Errorf("model %s: embedded file %s: %w", e.ID, name, err)
		}
	}
	target := r.target(e, name)
	f := File{Name: name}
	if ok, err := r.present(ctx, e, f, target, embSum); ok || err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("model %s: %w", e.ID, err)
	}
	unlock, err := r.lock(ctx, target+".lock")
	if err != nil {
		return fmt.Errorf("model %s: file %s: %w", e.ID, name, err)
	}
	defer unlock()
	if ok, err := r.present(ctx, e, f, target, embSum); ok || err != nil {
		return err
	}
	in, err := r.opts.embedded.Open(src)
	if err != nil {
		return fmt.Errorf("model %s: embedded file %s: %w", e.ID, name, err)
	}
	defer in.Close()
	part := target + ".part"
	out, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("model %s: file %s: %w", e.ID, name, err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), ctxReader{ctx, in})
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(part)
		return fmt.Errorf("model %s: file %s: %w", e.ID, name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != embSum {
		_ = os.Remove(part)
		return fmt.Errorf("built-in %w", mismatch(e, name, embSum, got))
	}
	return r.install(part, target, embSum)
}

// install renames a verified part file into place, syncs the directory and
// records the sidecar.
func (r *Registry) install(part, target, sum string) error {
	if err := os.Rename(part, target); err != nil {
		_ = os.Remove(part)
		return err
	}
	if err := syncDir(filepath.Dir(target)); err != nil {
		return err
	}
	fi, err := os.Stat(target)
	if err != nil {
		return err
	}
	r.writeSidecar(target, fi, sum)
	return nil
}

func (r *Registry) embeddedHash(ctx context.Context, src string) (string, error) {
	if v, ok := r.embHashes.Load(src); ok {
		return v.(string), nil
	}
	sum, err := hashOf(ctx, r.opts.embedded.Open, src)
	if err != nil {
		return "", err
	}
	r.embHashes.Store(src, sum)
	return sum, nil
}
