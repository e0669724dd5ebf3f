package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"golang.org/x/text/cases"
)

// checkKeys rejects a JSON document in which one object has the same key
// twice, or two keys that differ only in case ("prompt" and "Prompt").
//
// encoding/json matches keys case-insensitively and lets the last duplicate
// win, while Python and most gateways keep the first or match exactly: a
// body such as {"prompt":"<injection>","Prompt":"hello"} would be scanned
// as "hello" here and forwarded as the injection there. Refusing both
// forms removes the parser differential. A token pass over the already
// size-bounded body is used rather than encoding/json/v2 (still an
// experiment in Go 1.26) so that the check covers every nesting level with
// the decoder the handlers already use. Keys are compared after Unicode
// case folding, the same equivalence encoding/json applies (the Kelvin sign
// folds to "k", the long s to "s").
func checkKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	fold := cases.Fold()
	type object struct {
		seen     map[string]string // folded key → key as written
		wantsKey bool
	}
	var stack []*object // nil entries are arrays
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // malformed JSON: the decoder proper reports it with its offset
		}
		var top *object
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.wantsKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			key, _ := tok.(string)
			folded := fold.String(key)
			if first, dup := top.seen[folded]; dup {
				if first == key {
					return badRequest("duplicate key %q at offset %d: each key may appear once", key, off)
				}
				return badRequest("key %q at offset %d differs from key %q only in case: keys must be unique regardless of case", key, off, first)
			}
			top.seen[folded] = key
			top.wantsKey = false
			continue
		}
		if top != nil {
			top.wantsKey = true // a value was read; the next token is a key or '}'
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &object{seen: map[string]string{}, wantsKey: true})
		case json.Delim('['):
			stack = append(stack, nil)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1] != nil {
				stack[len(stack)-1].wantsKey = true
			}
		}
	}
}
