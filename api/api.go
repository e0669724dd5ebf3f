// Package api holds llmshield's HTTP API description: the OpenAPI 3
// document that `llmshield serve` publishes at /openapi.json.
//
// Public on purpose: HTTP clients can embed the API document.
package api

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI returns the OpenAPI 3 document (JSON) of the HTTP API.
func OpenAPI() []byte { return bytes.Clone(openapi) }
