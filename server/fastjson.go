package server

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The fast path of decodeJSON. Nearly every scan request is a flat JSON
// object whose members are strings, nulls or arrays of strings, under the
// exact field names of the request type ({"prompt":"..."}). Such a body is
// decoded here in one pass, without reflection and without the token pass
// of checkKeys. Anything else (a key in another case or unknown, a
// duplicate key, a number, a nested object, a null inside an array, a
// malformed literal, trailing data) is left to the strict decoder, which
// then accepts or refuses it with its usual message. So the fast path never
// decides an error; it only answers what encoding/json would have answered
// for the bodies it takes (FuzzFastDecode compares the two).

// flatField is one member of a flat request object.
type flatField struct {
	// str receives a string member; null leaves it unset (nil pointer).
	str **string
	// plain receives a string member into a non-pointer string; null
	// leaves it unchanged, as encoding/json does.
	plain *string
	// list receives an array of strings; null sets it to nil.
	list *[]string
}

// fastDecode decodes b into v when v is a request type it knows and b is a
// flat object of its fields; it reports whether it did. b must be valid
// UTF-8 (readBody checks), though invalid bytes are refused here too.
func fastDecode(b []byte, v any) bool {
	var fields [5]struct {
		name string
		f    flatField
	}
	var n int
	add := func(name string, f flatField) { fields[n].name, fields[n].f = name, f; n++ }
	switch r := v.(type) {
	case *compatRequest:
		add("prompt", flatField{str: &r.Prompt})
		add("output", flatField{str: &r.Output})
		add("scanners_suppress", flatField{list: &r.ScannersSuppress})
		add("vault_id", flatField{str: &r.VaultID})
	case *ScanRequest:
		add("prompt", flatField{str: &r.Prompt})
		add("output", flatField{str: &r.Output})
		add("scanners_suppress", flatField{list: &r.ScannersSuppress})
		add("user_id", flatField{plain: &r.UserID})
		add("vault_id", flatField{str: &r.VaultID})
	default:
		return false
	}
	p := flatParser{b: b}
	p.space()
	if !p.byte('{') {
		return false
	}
	var seen uint8
	// The values are written to the request only once the whole body has
	// parsed, so a refused body leaves v as it was for the strict decoder.
	var vals [5]flatValue
	p.space()
	if !p.byte('}') {
		for {
			p.space()
			key, ok := p.rawKey()
			if !ok {
				return false
			}
			i := 0
			for i < n && fields[i].name != string(key) {
				i++
			}
			if i == n || seen&(1<<i) != 0 {
				return false // unknown, other case, or duplicate: the strict decoder's call
			}
			seen |= 1 << i
			p.space()
			if !p.byte(':') {
				return false
			}
			p.space()
			val, ok := p.value(fields[i].f.list != nil)
			if !ok {
				return false
			}
			vals[i] = val
			p.space()
			if p.byte(',') {
				continue
			}
			if p.byte('}') {
				break
			}
			return false
		}
	}
	p.space()
	if p.i != len(b) {
		return false
	}
	for i := range n {
		if seen&(1<<i) == 0 {
			continue
		}
		f, val := fields[i].f, vals[i]
		switch {
		case f.str != nil:
			if val.null {
				*f.str = nil
			} else {
				s := val.s
				*f.str = &s
			}
		case f.plain != nil:
			if !val.null {
				*f.plain = val.s
			}
		case f.list != nil:
			*f.list = val.list // nil for null, empty for []
		}
	}
	return true
}

// flatValue is a parsed member value.
type flatValue struct {
	null bool
	s    string
	list []string
}

type flatParser struct {
	b []byte
	i int
}

func (p *flatParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte consumes c if it comes next.
func (p *flatParser) byte(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// rawKey reads a key made only of lower-case ASCII letters and '_' (the
// request fields' names) without escapes.
func (p *flatParser) rawKey() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			k := p.b[start:p.i]
			p.i++
			return k, true
		case c >= 'a' && c <= 'z' || c == '_':
			p.i++
		default:
			return nil, false
		}
	}
	return nil, false
}

// value reads a string, null, or (when list) an array of strings.
func (p *flatParser) value(list bool) (flatValue, bool) {
	if p.i >= len(p.b) {
		return flatValue{}, false
	}
	switch p.b[p.i] {
	case 'n':
		if len(p.b)-p.i >= 4 && string(p.b[p.i:p.i+4]) == "null" {
			p.i += 4
			return flatValue{null: true}, true
		}
		return flatValue{}, false
	case '"':
		if list {
			return flatValue{}, false
		}
		s, ok := p.str()
		return flatValue{s: s}, ok
	case '[':
		if !list {
			return flatValue{}, false
		}
		p.i++
		out := []string{}
		p.space()
		if p.byte(']') {
			return flatValue{list: out}, true
		}
		for {
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return flatValue{}, false
			}
			s, ok := p.str()
			if !ok {
				return flatValue{}, false
			}
			out = append(out, s)
			p.space()
			if p.byte(',') {
				continue
			}
			if p.byte(']') {
				return flatValue{list: out}, true
			}
			return flatValue{}, false
		}
	}
	return flatValue{}, false
}

// str reads a JSON string literal, decoding its escapes exactly as
// encoding/json does (an unpaired surrogate escape becomes U+FFFD).
func (p *flatParser) str() (string, bool) {
	p.i++ // the opening quote
	start := p.i
	// The common case: no escape, one copy.
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := string(p.b[start:p.i])
			p.i++
			return s, true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			p.i++
		default:
			r, size := utf8.DecodeRune(p.b[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			p.i += size
		}
	}
	return "", false
}

// escaped finishes a string literal that started at start and has an
// escape at p.i.
func (p *flatParser) escaped(start int) (string, bool) {
	out := make([]byte, 0, p.i-start+64)
	out = append(out, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if p.i+1 >= len(p.b) {
				return "", false
			}
			e := p.b[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(p.b[p.i:])
				if !ok {
					return "", false
				}
				p.i += 4
				if utf16.IsSurrogate(r) {
					if len(p.b)-p.i >= 6 && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
						if r2, ok := hex4(p.b[p.i+2:]); ok {
							if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
								p.i += 6
								out = utf8.AppendRune(out, d)
								continue
							}
						}
					}
					r = unicode.ReplacementChar
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.b[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			out = append(out, p.b[p.i:p.i+size]...)
			p.i += size
		}
	}
	return "", false
}

// hex4 reads four hex digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}
