package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/llmshield/llmshield/model"
)

// Document is a registry.json file: where models are cached and which models
// exist.
type Document struct {
	// CacheDir is where downloaded and embedded models are stored. Empty means
	// the default (see New). A leading "~/" is the user's home directory.
	CacheDir string `json:"cache_dir,omitempty"`
	// Models lists the models. When several match a (task, variant) lookup,
	// the first wins.
	Models []Entry `json:"models"`
}

// Entry describes one model. Exactly one source is given: URL (a single
// file, stored as model.onnx), Files with a URL each, Path (a local
// directory) or Embedded (a directory in the registry's built-in fs.FS).
type Entry struct {
	// ID identifies the model in the cache and on the command line, e.g.
	// "deberta-v3-base-prompt-injection-v2". It is also the directory name
	// under the cache dir, so it is limited to [A-Za-z0-9._-].
	ID string `json:"id"`
	// Name is a human identifier, typically the Hugging Face repository
	// ("protectai/deberta-v3-base-prompt-injection-v2"). Lookups accept it.
	Name    string        `json:"name,omitempty"`
	Task    model.Task    `json:"task"`
	Variant model.Variant `json:"variant"`

	// URL, Checksum (SHA-256, hex) and SizeBytes describe a single-file model.
	URL       string `json:"url,omitempty"`
	Checksum  string `json:"checksum,omitempty"`
	SizeBytes int64  `json:"size_bytes,omitempty"`

	// Files lists a multi-file model (weights, tokenizer, config). With Path
	// or Embedded, it names the files to use and optionally their hashes.
	Files []File `json:"files,omitempty"`
	// Path is a local directory holding the files.
	Path string `json:"path,omitempty"`
	// Embedded is a directory inside the registry's built-in fs.FS.
	Embedded string `json:"embedded,omitempty"`

	// Hints for the scanner using the model.
	Labels      []string `json:"labels,omitempty"`
	Threshold   float64  `json:"threshold,omitempty"`
	MaxLength   int      `json:"max_length,omitempty"`
	License     string   `json:"license,omitempty"`
	Description string   `json:"description,omitempty"`
}

// File is one file of a model.
type File struct {
	// Name is the file's path relative to the model's directory, e.g.
	// "model.onnx" or "tokenizer.json".
	Name string `json:"name"`
	// URL is where to download it (URL-sourced entries only).
	URL string `json:"url,omitempty"`
	// SHA256 is the expected hash in hex. Empty means unknown: the first pull
	// pins it in the lock file.
	SHA256    string `json:"sha256,omitempty"`
	SizeBytes int64  `json:"size_bytes,omitempty"`
}

// Well-known file names.
const (
	ModelFile     = "model.onnx"
	TokenizerFile = "tokenizer.json"
	ConfigFile    = "config.json"
)

// Source says where an entry's files come from.
type Source string

// Sources.
const (
	SourceURL      Source = "url"
	SourcePath     Source = "path"
	SourceEmbedded Source = "embedded"
)

// Source returns where the entry's files come from.
func (e Entry) Source() Source {
	switch {
	case e.Embedded != "":
		return SourceEmbedded
	case e.Path != "":
		return SourcePath
	default:
		return SourceURL
	}
}

// FileList returns the entry's files; the single-file form (URL, Checksum,
// SizeBytes) becomes one file named model.onnx.
func (e Entry) FileList() []File {
	if len(e.Files) > 0 {
		return append([]File(nil), e.Files...)
	}
	if e.URL != "" {
		return []File{{Name: ModelFile, URL: e.URL, SHA256: e.Checksum, SizeBytes: e.SizeBytes}}
	}
	return nil
}

// Matches reports whether s is the entry's ID or Name (case-insensitive for
// the name, as Hugging Face repositories are).
func (e Entry) Matches(s string) bool {
	return s != "" && (s == e.ID || (e.Name != "" && strings.EqualFold(s, e.Name)))
}

// Parse decodes a registry.json strictly: unknown fields, trailing data and
// malformed JSON are errors that name the entry and field. It does not
// validate; call Document.Validate.
func Parse(data []byte) (Document, error) {
	var raw struct {
		CacheDir string            `json:"cache_dir"`
		Models   []json.RawMessage `json:"models"`
	}
	if err := decodeStrict(data, &raw); err != nil {
		return Document{}, fmt.Errorf("registry: %w", err)
	}
	doc := Document{CacheDir: raw.CacheDir, Models: make([]Entry, 0, len(raw.Models))}
	for i, m := range raw.Models {
		var e Entry
		if err := decodeStrict(m, &e); err != nil {
			return Document{}, fmt.Errorf("registry: models[%d]%s: %w", i, idHint(m), err)
		}
		doc.Models = append(doc.Models, e)
	}
	return doc, nil
}

// idHint extracts the id of a malformed entry, if it has one, for error messages.
func idHint(m json.RawMessage) string {
	var v struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(m, &v) == nil && v.ID != "" {
		return fmt.Sprintf(" (%q)", v.ID)
	}
	return ""
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// encoding/json reports unknown fields as `json: unknown field "x"`.
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// validID reports whether id is 1–128 bytes of ASCII letters, digits, '.',
// '_' and '-' that starts with a letter or digit. (A plain loop: the
// equivalent regular expression, with its {0,127} repeat, cost about 2 ms of
// package initialisation in every process.)
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// isSHA256Hex reports whether s is a SHA-256 digest in lower-case hex.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Validate checks the document. Each error names the entry (index and id)
// and the field.
func (d Document) Validate() error {
	var errs []error
	ids := map[string]int{}
	names := map[string]int{}
	for i, e := range d.Models {
		where := fmt.Sprintf("models[%d]", i)
		if e.ID != "" {
			where += fmt.Sprintf(" (%q)", e.ID)
		}
		bad := func(field, format string, a ...any) {
			errs = append(errs, fmt.Errorf("registry: %s: %s: %s", where, field, fmt.Sprintf(format, a...)))
		}
		switch {
		case e.ID == "":
			bad("id", "is required")
		case !validID(e.ID) || e.ID == "." || e.ID == "..":
			bad("id", "%q must be 1-128 characters of letters, digits, '.', '_' or '-'", e.ID)
		default:
			if j, dup := ids[e.ID]; dup {
				bad("id", "duplicates models[%d]", j)
			}
			ids[e.ID] = i
		}
		if e.Name != "" {
			k := strings.ToLower(e.Name)
			if j, dup := names[k]; dup {
				bad("name", "%q duplicates models[%d]", e.Name, j)
			}
			names[k] = i
		}
		if e.Task == "" {
			bad("task", "is required")
		}
		if _, err := model.ParseVariant(string(e.Variant)); err != nil {
			bad("variant", "%v", err)
		}
		nsrc := 0
		for _, s := range []string{e.URL, e.Path, e.Embedded} {
			if s != "" {
				nsrc++
			}
		}
		if len(e.Files) > 0 && e.Path == "" && e.Embedded == "" {
			nsrc++
		}
		if e.URL != "" && len(e.Files) > 0 {
			bad("url", "give either url (single file) or files, not both")
		}
		switch {
		case nsrc == 0:
			bad("url", "one of url, files, path or embedded is required")
		case nsrc > 1:
			bad("url", "give only one of url, files, path or embedded")
		}
		if e.URL != "" {
			if err := checkURL(e.URL); err != nil {
				bad("url", "%v", err)
			}
			if e.Checksum != "" && !isSHA256Hex(e.Checksum) {
				bad("checksum", "must be 64 lowercase hex digits (SHA-256), got %q", e.Checksum)
			}
		} else if e.Checksum != "" {
			bad("checksum", "only applies with url; give files[].sha256")
		}
		if e.SizeBytes < 0 {
			bad("size_bytes", "must not be negative")
		}
		if e.Embedded != "" && !fsValidPath(e.Embedded) {
			bad("embedded", "%q is not a clean relative path", e.Embedded)
		}
		seen := map[string]int{}
		for j, f := range e.Files {
			ff := fmt.Sprintf("files[%d]", j)
			switch {
			case f.Name == "":
				bad(ff+".name", "is required")
			case !fsValidPath(f.Name):
				bad(ff+".name", "%q is not a clean relative path", f.Name)
			default:
				if k, dup := seen[f.Name]; dup {
					bad(ff+".name", "%q duplicates files[%d]", f.Name, k)
				}
				seen[f.Name] = j
			}
			if e.Source() == SourceURL {
				if f.URL == "" {
					bad(ff+".url", "is required")
				} else if err := checkURL(f.URL); err != nil {
					bad(ff+".url", "%v", err)
				}
			} else if f.URL != "" {
				bad(ff+".url", "only applies to downloaded models, not %s ones", e.Source())
			}
			if f.SHA256 != "" && !isSHA256Hex(f.SHA256) {
				bad(ff+".sha256", "must be 64 lowercase hex digits, got %q", f.SHA256)
			}
			if f.SizeBytes < 0 {
				bad(ff+".size_bytes", "must not be negative")
			}
		}
		if t := e.Threshold; t != t || t < 0 || t >= 1 {
			bad("threshold", "must be in (0,1) or omitted, got %v", t)
		}
		if e.MaxLength < 0 {
			bad("max_length", "must not be negative")
		}
		for j, l := range e.Labels {
			if strings.TrimSpace(l) == "" {
				bad(fmt.Sprintf("labels[%d]", j), "is empty")
			}
		}
	}
	return errors.Join(errs...)
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("%q: scheme must be http or https", s)
	}
	if u.Host == "" {
		return fmt.Errorf("%q: host is missing", s)
	}
	return nil
}

// fsValidPath is fs.ValidPath without "." and without backslashes, so names
// are safe to join under a directory on every OS.
func fsValidPath(p string) bool {
	return p != "." && !strings.Contains(p, `\`) && path.Clean(p) == p && !strings.HasPrefix(p, "../") && p != ".." && !path.IsAbs(p) && validFS(p)
}

func validFS(p string) bool {
	for _, el := range strings.Split(p, "/") {
		if el == "" || el == "." || el == ".." {
			return false
		}
	}
	return true
}

// Merge concatenates documents: entries of earlier documents come first and
// so win (task, variant) lookups. The first non-empty cache_dir is kept.
// Entries whose id already appeared are dropped, so a built-in registry can
// override a default entry by reusing its id.
func Merge(docs ...Document) Document {
	var out Document
	seen := map[string]bool{}
	for _, d := range docs {
		if out.CacheDir == "" {
			out.CacheDir = d.CacheDir
		}
		for _, e := range d.Models {
			if seen[e.ID] {
				continue
			}
			seen[e.ID] = true
			out.Models = append(out.Models, e)
		}
	}
	return out
}
