package registry

import (
	_ "embed"
	"fmt"
	"io/fs"
)

// defaultRegistry lists public models users commonly want. Its URLs point at
// Hugging Face; hashes are left empty where not independently known, so the
// first pull pins them (see LockFile).
//
//go:embed default_registry.json
var defaultRegistry []byte

// BuiltinRegistryFile is the file NewDefault reads from a built-in fs.FS.
const BuiltinRegistryFile = "registry.json"

// DefaultDocument returns the embedded default registry.
func DefaultDocument() Document {
	doc, err := Parse(defaultRegistry)
	if err != nil {
		// The file is embedded and covered by tests; this cannot happen in a
		// released binary.
		panic(fmt.Sprintf("registry: embedded default_registry.json: %v", err))
	}
	return doc
}

// NewDefault returns a registry of the built-in models followed by the
// default ones. builtins (may be nil) holds registry.json at its root whose
// entries use "embedded" directories in the same fs.FS; they come first, so
// they are what (task, variant) lookups find, also offline. A built-in
// entry reusing a default entry's id replaces it.
//
// Typical use, with the models package embedding its directory:
//
//	reg, err := registry.NewDefault(models.FS, registry.WithLogger(log))
func NewDefault(builtins fs.FS, opts ...Option) (*Registry, error) {
	docs := []Document{}
	if builtins != nil {
		b, err := fs.ReadFile(builtins, BuiltinRegistryFile)
		if err != nil {
			return nil, fmt.Errorf("registry: built-in models: %w", err)
		}
		doc, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("registry: built-in %s: %w", BuiltinRegistryFile, err)
		}
		docs = append(docs, doc)
		opts = append([]Option{WithEmbedded(builtins)}, opts...)
	}
	docs = append(docs, DefaultDocument())
	return New(Merge(docs...), opts...)
}
