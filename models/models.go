// Package models ships llmshield's built-in models inside the binary:
// small classifiers trained by the project (see training/ and each model's
// MODEL_CARD.md), listed in registry.json with their files' SHA-256 hashes.
// The model registry materialises them into its cache directory on first
// use, so they work offline with no download.
//
// Public on purpose: a program can list or serve the built-in models
// (FS) without going through the CLI.
package models

import (
	"embed"
	"io/fs"
)

//go:embed registry.json */model.onnx */tokenizer.json */config.json */MODEL_CARD.md
var files embed.FS

// FS returns the built-in models: registry.json at the root, and the
// directories its "embedded" entries name.
func FS() fs.FS { return files }
