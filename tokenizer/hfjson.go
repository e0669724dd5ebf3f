package tokenizer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"unicode/utf8"
	"unsafe"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

type hfFile struct {
	AddedTokens []struct {
		ID         int    `json:"id"`
		Content    string `json:"content"`
		SingleWord bool   `json:"single_word"`
		Lstrip     bool   `json:"lstrip"`
		Rstrip     bool   `json:"rstrip"`
		Normalized bool   `json:"normalized"`
		Special    bool   `json:"special"`
	} `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Model         json.RawMessage `json:"model"`
	Padding       *struct {
		PadID    int    `json:"pad_id"`
		PadToken string `json:"pad_token"`
	} `json:"padding"`
}

func isNull(m json.RawMessage) bool {
	m = bytes.TrimSpace(m)
	return len(m) == 0 || string(m) == "null"
}

func typeOf(m json.RawMessage) (string, error) {
	var t struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(m, &t); err != nil {
		return "", err
	}
	return t.Type, nil
}

// sequence parses the items of a Sequence component (the JSON list under
// field) with parse.
func sequence[T any](m json.RawMessage, field string, parse func(json.RawMessage) (T, error)) ([]T, error) {
	var c map[string]json.RawMessage
	if err := json.Unmarshal(m, &c); err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if !isNull(c[field]) {
		if err := json.Unmarshal(c[field], &items); err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
	}
	out := make([]T, 0, len(items))
	for i, x := range items {
		t, err := parse(x)
		if err != nil {
			return nil, fmt.Errorf("sequence item %d: %w", i, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// hfPattern is the pattern of a Replace normalizer or a Split
// pre-tokenizer: a literal string or a regular expression.
type hfPattern struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

// regexp compiles the pattern (a literal string quoted); what names the
// component in errors.
func (p hfPattern) regexp(what string) (*regexp.Regexp, error) {
	switch {
	case p.String != nil:
		return regexp.MustCompile(regexp.QuoteMeta(*p.String)), nil
	case p.Regex != nil:
		re, err := regexp.Compile(*p.Regex)
		if err != nil {
			return nil, fmt.Errorf("%s: regex %q is not supported by Go's RE2: %w", what, *p.Regex, err)
		}
		return re, nil
	}
	return nil, fmt.Errorf("%s: pattern has neither String nor Regex", what)
}

// segXform rewrites one text segment before pre-tokenization (the parts of
// ByteLevel and Metaspace pre-tokenizers that change the text).
type segXform struct {
	prefixSpace   bool   // ByteLevel add_prefix_space
	metaspace     bool   // Metaspace: replace ' ' by repl
	repl          string // Metaspace replacement
	prependAlways bool   // Metaspace prepend_scheme always
	prependFirst  bool   // Metaspace prepend_scheme first
}

func (x *segXform) apply(dst, src *normStr, lo, hi int, first bool) {
	dst.reset()
	if lo >= hi {
		return
	}
	if x.prefixSpace && src.b[lo] != ' ' {
		dst.appendByte(' ', src.s[lo], src.e[lo])
	}
	if x.metaspace {
		startsWithRepl := bytes.HasPrefix(src.b[lo:hi], []byte(x.repl)) || src.b[lo] == ' '
		// "first" prepends only to the split that starts the original text
		if !startsWithRepl && (x.prependAlways || (x.prependFirst && first && src.s[lo] == 0)) {
			dst.appendString(x.repl, src.s[lo], src.e[lo])
		}
		for i := lo; i < hi; i++ {
			if src.b[i] == ' ' {
				dst.appendString(x.repl, src.s[i], src.e[i])
			} else {
				dst.appendByte(src.b[i], src.s[i], src.e[i])
			}
		}
		return
	}
	dst.copyRange(src, lo, hi)
}

// hfPipeline is a tokenizer.json pipeline: added tokens, normalizer,
// pre-tokenizer, model.
type hfPipeline struct {
	v         *vocab
	rawAdded  *addedMatcher // normalized=false: matched on the original text
	normAdded *addedMatcher // normalized=true: matched on normalized text
	norm      normalizer
	xform     *segXform
	pre       preTokenizer
	model     model
}

func (p *hfPipeline) vocabSize() int { return len(p.v.id2tok) }

func (p *hfPipeline) tokenToID(tok string) (int, bool) {
	id, ok := p.v.tok2id[tok]
	return int(id), ok
}

func (p *hfPipeline) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(p.v.id2tok) || p.v.id2tok[id] == "" {
		return "", false
	}
	return p.v.id2tok[id], true
}

func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (p *hfPipeline) encode(text string, b *tokBuf) {
	raw := strBytes(text)
	pos, seg := 0, 0
	for {
		st, en, cs, ce, ok := len(raw), len(raw), 0, 0, false
		var tok *addedToken
		if p.rawAdded != nil {
			st, en, cs, ce, tok, ok = p.rawAdded.find(raw, pos)
			if !ok {
				st, en = len(raw), len(raw)
			}
		}
		if st > pos {
			p.encodeSegment(text[pos:st], pos, seg == 0, b)
			seg++
		}
		if !ok {
			return
		}
		b.add(tok.id, int32(cs), int32(ce), tok.content)
		seg++
		pos = en
	}
}

func (p *hfPipeline) encodeSegment(s string, base int, first bool, b *tokBuf) {
	b.ns.setIdentity(s, base)
	ns := &b.ns
	if p.norm != nil {
		b.ns2.reset()
		p.norm.normalize(&b.ns2, &b.ns, &b.scratch)
		ns = &b.ns2
	}
	if p.normAdded == nil {
		p.preAndModel(ns, 0, len(ns.b), first, b)
		return
	}
	pos := 0
	for {
		st, en, cs, ce, tok, ok := p.normAdded.find(ns.b, pos)
		if !ok {
			st, en = len(ns.b), len(ns.b)
		}
		if st > pos {
			p.preAndModel(ns, pos, st, first && pos == 0, b)
		}
		if !ok {
			return
		}
		b.add(tok.id, ns.s[cs], ns.e[ce-1], tok.content)
		pos = en
	}
}

func (p *hfPipeline) preAndModel(ns *normStr, lo, hi int, first bool, b *tokBuf) {
	if lo >= hi {
		return
	}
	if p.xform != nil {
		var tmp *normStr = &b.ns3
		p.xform.apply(tmp, ns, lo, hi, first)
		ns, lo, hi = tmp, 0, len(tmp.b)
	}
	b.rng = append(b.rng[:0], rng{lo, hi})
	splits := b.rng
	if p.pre != nil {
		b.rng2 = p.pre.split(ns, b.rng, b.rng2[:0])
		splits = b.rng2
	}
	for _, sp := range splits {
		if sp.hi <= sp.lo {
			continue
		}
		b.mt = p.model.tokenize(b, ns.b[sp.lo:sp.hi], b.mt[:0])
		for _, t := range b.mt {
			b.add(t.id, ns.s[sp.lo+int(t.lo)], ns.e[sp.lo+int(t.hi)-1], p.v.id2tok[t.id])
		}
	}
}

// FromJSON builds a tokenizer from the bytes of a Hugging Face tokenizer.json.
func FromJSON(data []byte, cfg Config) (*Tokenizer, error) {
	var f hfFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: %w", err)
	}
	if isNull(f.Model) {
		return nil, errors.New("tokenizer: tokenizer.json: no model")
	}
	if typ, err := typeOf(f.Model); err == nil && typ == HashedNGram {
		return fromHashedJSON(&f, cfg)
	} else if err == nil && typ == HashedWordFeatures {
		return fromHashedWordJSON(&f, cfg)
	}
	p := &hfPipeline{v: &vocab{tok2id: map[string]int32{}}}
	var err error
	if !isNull(f.Normalizer) {
		if p.norm, err = parseNormalizer(f.Normalizer); err != nil {
			return nil, fmt.Errorf("tokenizer: tokenizer.json: normalizer: %w", err)
		}
	}
	byteLevel := false
	if !isNull(f.PreTokenizer) {
		x := &segXform{}
		if p.pre, err = parsePreTokenizer(f.PreTokenizer, x, &byteLevel); err != nil {
			return nil, fmt.Errorf("tokenizer: tokenizer.json: pre_tokenizer: %w", err)
		}
		if x.prefixSpace || x.metaspace {
			p.xform = x
		}
	}
	kind, err := parseModel(f.Model, p, byteLevel)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: model: %w", err)
	}
	var rawAdded, normAdded []addedToken
	for _, a := range f.AddedTokens {
		if err := p.v.add(a.Content, a.ID); err != nil {
			return nil, fmt.Errorf("tokenizer: tokenizer.json: added token: %w", err)
		}
		p.v.id2tok[a.ID] = a.Content
		at := addedToken{content: a.Content, id: int32(a.ID), lstrip: a.Lstrip, rstrip: a.Rstrip, singleWord: a.SingleWord, normalized: a.Normalized, special: a.Special}
		// As Hugging Face: tokens with normalized=false are matched on the
		// original text, the others on the normalized text.
		if a.Normalized {
			normAdded = append(normAdded, at)
		} else {
			rawAdded = append(rawAdded, at)
		}
	}
	if p.norm == nil {
		rawAdded = append(rawAdded, normAdded...)
		normAdded = nil
	}
	p.rawAdded = newAddedMatcher(rawAdded)
	p.normAdded = newAddedMatcher(normAdded)
	var post postProcessor
	if !isNull(f.PostProcessor) {
		if err := parsePost(f.PostProcessor, &post, p.v); err != nil {
			return nil, fmt.Errorf("tokenizer: tokenizer.json: post_processor: %w", err)
		}
	}
	t, err := newTokenizer(p, post, cfg, kind)
	if err != nil {
		return nil, err
	}
	if f.Padding != nil && f.Padding.PadToken != "" {
		t.padID, t.padTk = f.Padding.PadID, f.Padding.PadToken
	}
	return t, nil
}

// hfComponent holds the settings of a normalizer or pre-tokenizer of
// tokenizer.json: each type reads its own (Hugging Face names them
// differently per type); absent ones stay zero or nil.
type hfComponent struct {
	Type string `json:"type"`
	// BertNormalizer (nil: the default).
	CleanText    *bool `json:"clean_text"`
	ChineseChars *bool `json:"handle_chinese_chars"`
	StripAccents *bool `json:"strip_accents"`
	Lowercase    *bool `json:"lowercase"`
	// Strip.
	StripLeft  bool `json:"strip_left"`
	StripRight bool `json:"strip_right"`
	// Prepend.
	Prepend string `json:"prepend"`
	// Replace (Pattern, Content) and Split (Pattern, Behavior, Invert);
	// Punctuation's Behavior.
	Pattern  hfPattern `json:"pattern"`
	Content  string    `json:"content"`
	Behavior string    `json:"behavior"`
	Invert   bool      `json:"invert"`
	// Precompiled.
	CharsMap *string `json:"precompiled_charsmap"`
	// Digits.
	IndividualDigits bool `json:"individual_digits"`
	// ByteLevel (AddPrefixSpace, UseRegex) and Metaspace (AddPrefixSpace,
	// Replacement, PrependScheme, Split).
	AddPrefixSpace *bool  `json:"add_prefix_space"`
	UseRegex       *bool  `json:"use_regex"`
	Replacement    string `json:"replacement"`
	PrependScheme  string `json:"prepend_scheme"`
	Split          *bool  `json:"split"`
}

// or returns *p, or d when p is nil.
func or[T any](p *T, d T) T {
	if p == nil {
		return d
	}
	return *p
}

func parseNormalizer(m json.RawMessage) (normalizer, error) {
	var c hfComponent
	if err := json.Unmarshal(m, &c); err != nil {
		return nil, err
	}
	switch c.Type {
	case "BertNormalizer":
		n := &bertNormalizer{cleanText: or(c.CleanText, true), chineseChars: or(c.ChineseChars, true), lowercase: or(c.Lowercase, true)}
		n.stripAccents = or(c.StripAccents, n.lowercase)
		return n, nil
	case "Lowercase":
		return lowercaseNormalizer{}, nil
	case "StripAccents":
		return stripAccentsNormalizer{}, nil
	case "NFC":
		return unicodeNormalizer{norm.NFC}, nil
	case "NFD":
		return unicodeNormalizer{norm.NFD}, nil
	case "NFKC":
		return unicodeNormalizer{norm.NFKC}, nil
	case "NFKD":
		return unicodeNormalizer{norm.NFKD}, nil
	case "Strip":
		return stripNormalizer{c.StripLeft, c.StripRight}, nil
	case "Prepend":
		return prependNormalizer{c.Prepend}, nil
	case "Replace":
		if c.Pattern.String != nil {
			return replaceNormalizer{*c.Pattern.String, c.Content}, nil
		}
		re, err := c.Pattern.regexp("replace normalizer")
		if err != nil {
			return nil, err
		}
		return regexReplaceNormalizer{re, c.Content}, nil
	case "Precompiled":
		if c.CharsMap == nil || *c.CharsMap == "" {
			return seqNormalizer(nil), nil
		}
		raw, err := base64.StdEncoding.DecodeString(*c.CharsMap)
		if err != nil {
			return nil, fmt.Errorf("precompiled normalizer: %w", err)
		}
		cm, err := parseCharsMap(raw)
		if err != nil {
			return nil, fmt.Errorf("precompiled normalizer: %w", err)
		}
		return &precompiledNormalizer{cm}, nil
	case "Sequence":
		sq, err := sequence(m, "normalizers", parseNormalizer)
		if err != nil {
			return nil, err
		}
		return seqNormalizer(sq), nil
	}
	return nil, fmt.Errorf("unsupported normalizer type %q", c.Type)
}

// precompiledNormalizer is Hugging Face's Precompiled normalizer: the
// SentencePiece charsmap applied per grapheme cluster (whole cluster when
// shorter than 6 bytes and mapped, else per character).
type precompiledNormalizer struct{ cm *charsMap }

func (cm *charsMap) first(s []byte) ([]byte, bool) {
	u := cm.units
	offset := func(x uint32) uint32 { return (x >> 10) << ((x & (1 << 9)) >> 6) }
	pos := offset(u[0])
	for i := 0; i < len(s); i++ {
		pos ^= uint32(s[i])
		if int(pos) >= len(u) {
			return nil, false
		}
		x := u[pos]
		if x&((1<<31)|0xff) != uint32(s[i]) {
			return nil, false
		}
		pos ^= offset(x)
		if (x>>8)&1 == 1 && int(pos) < len(u) {
			val := int(u[pos] & ((1 << 31) - 1))
			if val >= len(cm.norm) {
				return nil, false
			}
			end := val
			for end < len(cm.norm) && cm.norm[end] != 0 {
				end++
			}
			return cm.norm[val:end], true
		}
	}
	return nil, false
}

func (pn *precompiledNormalizer) normalize(dst, src *normStr, _ *[]byte) {
	b := src.b
	state := -1
	for pos := 0; pos < len(b); {
		var g []byte
		g, _, _, state = uniseg.Step(b[pos:], state)
		if len(g) == 0 {
			break
		}
		end := pos + len(g)
		if len(g) < 6 {
			if repl, ok := pn.cm.first(g); ok {
				dst.appendReplacement(src, pos, end, repl)
				pos = end
				continue
			}
		}
		for i := pos; i < end; {
			_, sz := utf8.DecodeRune(b[i:end])
			if repl, ok := pn.cm.first(b[i : i+sz]); ok {
				dst.appendReplacement(src, i, i+sz, repl)
			} else {
				dst.copyRange(src, i, i+sz)
			}
			i += sz
		}
		pos = end
	}
}

func parsePreTokenizer(m json.RawMessage, x *segXform, byteLevel *bool) (preTokenizer, error) {
	var c hfComponent
	if err := json.Unmarshal(m, &c); err != nil {
		return nil, err
	}
	switch c.Type {
	case "BertPreTokenizer":
		return bertPreTokenizer{}, nil
	case "Whitespace":
		return whitespacePre{}, nil
	case "WhitespaceSplit":
		return whitespaceSplit{}, nil
	case "Punctuation":
		if c.Behavior != "" && c.Behavior != "Isolated" {
			return nil, fmt.Errorf("punctuation pre-tokenizer: behavior %q is not supported", c.Behavior)
		}
		return punctuationPre{}, nil
	case "Split":
		re, err := c.Pattern.regexp("split pre-tokenizer")
		if err != nil {
			return nil, err
		}
		switch c.Behavior {
		case "Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous":
		default:
			return nil, fmt.Errorf("split pre-tokenizer: unknown behavior %q", c.Behavior)
		}
		return splitPre{re: re, behavior: c.Behavior, invert: c.Invert}, nil
	case "Digits":
		return digitsPre{c.IndividualDigits}, nil
	case "ByteLevel":
		*byteLevel = true
		x.prefixSpace = or(c.AddPrefixSpace, false)
		return byteLevelPre{useRegex: or(c.UseRegex, true)}, nil
	case "Metaspace":
		if c.Replacement == "" {
			c.Replacement = spaceSymbol
		}
		x.metaspace, x.repl = true, c.Replacement
		switch c.PrependScheme {
		case "always":
			x.prependAlways = true
		case "first":
			x.prependFirst = true
		case "never":
		case "":
			x.prependAlways = or(c.AddPrefixSpace, true)
		default:
			return nil, fmt.Errorf("metaspace pre-tokenizer: unknown prepend_scheme %q", c.PrependScheme)
		}
		if !or(c.Split, true) {
			return seqPre(nil), nil
		}
		return metaspaceSplit{c.Replacement}, nil
	case "Sequence":
		sq, err := sequence(m, "pretokenizers", func(p json.RawMessage) (preTokenizer, error) {
			return parsePreTokenizer(p, x, byteLevel)
		})
		if err != nil {
			return nil, err
		}
		return seqPre(sq), nil
	}
	return nil, fmt.Errorf("unsupported pre-tokenizer type %q", c.Type)
}

func parseModel(m json.RawMessage, p *hfPipeline, byteLevel bool) (string, error) {
	typ, err := typeOf(m)
	if err != nil {
		return "", err
	}
	if typ == "" {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(m, &probe); err != nil {
			return "", err
		}
		switch {
		case probe["merges"] != nil:
			typ = "BPE"
		case probe["max_input_chars_per_word"] != nil:
			typ = "WordPiece"
		default:
			typ = "Unigram"
		}
	}
	switch typ {
	case "WordPiece":
		var c struct {
			Vocab    map[string]int `json:"vocab"`
			Unk      string         `json:"unk_token"`
			Prefix   *string        `json:"continuing_subword_prefix"`
			MaxChars *int           `json:"max_input_chars_per_word"`
		}
		if err := json.Unmarshal(m, &c); err != nil {
			return "", err
		}
		wp := &wordPiece{v: p.v, prefix: or(c.Prefix, "##"), maxChars: or(c.MaxChars, 100)}
		if err := p.v.addAll(c.Vocab); err != nil {
			return "", err
		}
		for tok := range c.Vocab {
			wp.maxTok = max(wp.maxTok, len(tok))
		}
		unk, ok := p.v.tok2id[c.Unk]
		if !ok {
			return "", fmt.Errorf("wordpiece unk_token %q not in vocab", c.Unk)
		}
		wp.unk = unk
		p.model = wp
		return "wordpiece", nil
	case "BPE":
		var c struct {
			Vocab        map[string]int    `json:"vocab"`
			Merges       []json.RawMessage `json:"merges"`
			Unk          *string           `json:"unk_token"`
			FuseUnk      bool              `json:"fuse_unk"`
			ByteFallback bool              `json:"byte_fallback"`
			Prefix       *string           `json:"continuing_subword_prefix"`
			Suffix       *string           `json:"end_of_word_suffix"`
			Dropout      *float64          `json:"dropout"`
			IgnoreMerges bool              `json:"ignore_merges"`
		}
		if err := json.Unmarshal(m, &c); err != nil {
			return "", err
		}
		if c.Dropout != nil && *c.Dropout > 0 {
			return "", errors.New("bpe dropout is not supported (non-deterministic)")
		}
		mdl := &bpe{v: p.v, merges: make(map[uint64]uint64, len(c.Merges)), byteLevel: byteLevel, unk: -1, fuseUnk: c.FuseUnk, byteFallbk: c.ByteFallback, ignoreMrg: c.IgnoreMerges, cache: newBPECache(),
			prefix: or(c.Prefix, ""), suffix: or(c.Suffix, "")}
		if err := p.v.addAll(c.Vocab); err != nil {
			return "", err
		}
		if c.Unk != nil {
			if id, ok := p.v.tok2id[*c.Unk]; ok {
				mdl.unk = id
			}
		}
		if byteLevel {
			b2u := byteToUnicode()
			for i, r := range b2u {
				id, ok := p.v.tok2id[string(r)]
				if !ok {
					return "", fmt.Errorf("byte-level BPE vocab lacks the token for byte 0x%02x", i)
				}
				mdl.byteID[i] = id
			}
		}
		for rank, raw := range c.Merges {
			var a, b string
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				i := bytes.IndexByte([]byte(s), ' ')
				if i < 0 {
					return "", fmt.Errorf("merge %d %q has no space", rank, s)
				}
				a, b = s[:i], s[i+1:]
			} else {
				var pair []string
				if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
					return "", fmt.Errorf("merge %d is neither \"a b\" nor [a,b]", rank)
				}
				a, b = pair[0], pair[1]
			}
			ia, ok1 := p.v.tok2id[a]
			ib, ok2 := p.v.tok2id[b]
			merged := a + b
			if mdl.prefix != "" && len(b) >= len(mdl.prefix) && b[:len(mdl.prefix)] == mdl.prefix {
				merged = a + b[len(mdl.prefix):]
			}
			im, ok3 := p.v.tok2id[merged]
			if !ok1 || !ok2 || !ok3 {
				return "", fmt.Errorf("merge %d (%q %q) uses tokens not in vocab", rank, a, b)
			}
			key := uint64(uint32(ia))<<32 | uint64(uint32(ib))
			if _, dup := mdl.merges[key]; !dup {
				mdl.merges[key] = uint64(rank)<<32 | uint64(uint32(im))
			}
		}
		p.model = mdl
		return "bpe", nil
	case "Unigram":
		var c struct {
			Vocab        [][2]json.RawMessage `json:"vocab"`
			UnkID        *int                 `json:"unk_id"`
			ByteFallback bool                 `json:"byte_fallback"`
		}
		if err := json.Unmarshal(m, &c); err != nil {
			return "", err
		}
		scores := make([]float64, len(c.Vocab))
		types := make([]uint8, len(c.Vocab))
		for i, e := range c.Vocab {
			var tok string
			if err := json.Unmarshal(e[0], &tok); err != nil {
				return "", fmt.Errorf("vocab entry %d: %w", i, err)
			}
			if err := json.Unmarshal(e[1], &scores[i]); err != nil {
				return "", fmt.Errorf("vocab entry %d: %w", i, err)
			}
			if err := p.v.add(tok, i); err != nil {
				return "", err
			}
			types[i] = pieceNormal
		}
		if c.UnkID == nil {
			return "", errors.New("unigram without unk_id is not supported")
		}
		u, err := newUnigram(p.v, scores, types, *c.UnkID, false, true, c.ByteFallback)
		if err != nil {
			return "", err
		}
		p.model = u
		return "unigram", nil
	}
	return "", fmt.Errorf("unsupported model type %q", typ)
}

// templatePiece is one item of a TemplateProcessing template: a special
// token or a sequence ($A, $B).
type templatePiece struct {
	SpecialToken *templateRef `json:"SpecialToken"`
	Sequence     *templateRef `json:"Sequence"`
}

type templateRef struct {
	ID     string `json:"id"`
	TypeID int    `json:"type_id"`
}

func parsePost(m json.RawMessage, post *postProcessor, v *vocab) error {
	typ, err := typeOf(m)
	if err != nil {
		return err
	}
	pair := func(raw json.RawMessage) (specialTok, error) {
		var a [2]json.RawMessage
		if err := json.Unmarshal(raw, &a); err != nil {
			return specialTok{}, err
		}
		var s specialTok
		if err := json.Unmarshal(a[0], &s.tok); err != nil {
			return s, err
		}
		if err := json.Unmarshal(a[1], &s.id); err != nil {
			return s, err
		}
		return s, nil
	}
	switch typ {
	case "TemplateProcessing":
		var c struct {
			Single  []templatePiece `json:"single"`
			Pair    []templatePiece `json:"pair"`
			Special map[string]struct {
				IDs    []int    `json:"ids"`
				Tokens []string `json:"tokens"`
			} `json:"special_tokens"`
		}
		if err := json.Unmarshal(m, &c); err != nil {
			return err
		}
		// special returns the tokens the special token ref names, with
		// ref's type id; what names the template in the error.
		special := func(ref *templateRef, what string) ([]specialTok, error) {
			sp, ok := c.Special[ref.ID]
			if !ok || len(sp.IDs) != len(sp.Tokens) {
				return nil, fmt.Errorf("%s special token %q undefined", what, ref.ID)
			}
			toks := make([]specialTok, len(sp.IDs))
			for k := range sp.IDs {
				toks[k] = specialTok{id: sp.IDs[k], tok: sp.Tokens[k], typeID: ref.TypeID}
			}
			return toks, nil
		}
		post.pair, post.noPair = nil, ""
		if len(c.Pair) == 0 {
			post.noPair = "the TemplateProcessing post-processor has no pair template"
		}
		var seqs [2]bool
		for _, it := range c.Pair {
			switch {
			case it.Sequence != nil:
				seq := map[string]int{"A": 0, "B": 1}
				k, ok := seq[it.Sequence.ID]
				if !ok {
					return fmt.Errorf("pair template sequence %q is not A or B", it.Sequence.ID)
				}
				seqs[k] = true
				post.pair = append(post.pair, pairItem{seq: k, typeID: it.Sequence.TypeID})
			case it.SpecialToken != nil:
				toks, err := special(it.SpecialToken, "pair template")
				if err != nil {
					return err
				}
				for _, st := range toks {
					post.pair = append(post.pair, pairItem{seq: -1, tok: st, typeID: st.typeID})
				}
			}
		}
		if len(c.Pair) > 0 && (!seqs[0] || !seqs[1]) {
			return errors.New("pair template must contain both $A and $B")
		}
		seen := false
		for _, it := range c.Single {
			switch {
			case it.Sequence != nil:
				seen = true
				post.seqTypeID = it.Sequence.TypeID
			case it.SpecialToken != nil:
				toks, err := special(it.SpecialToken, "template")
				if err != nil {
					return err
				}
				if seen {
					post.suffix = append(post.suffix, toks...)
				} else {
					post.prefix = append(post.prefix, toks...)
				}
			}
		}
		return nil
	case "BertProcessing", "RobertaProcessing":
		var c struct {
			Sep            json.RawMessage `json:"sep"`
			Cls            json.RawMessage `json:"cls"`
			TrimOffsets    *bool           `json:"trim_offsets"`
			AddPrefixSpace *bool           `json:"add_prefix_space"`
		}
		if err := json.Unmarshal(m, &c); err != nil {
			return err
		}
		cls, err := pair(c.Cls)
		if err != nil {
			return fmt.Errorf("cls: %w", err)
		}
		sep, err := pair(c.Sep)
		if err != nil {
			return fmt.Errorf("sep: %w", err)
		}
		post.prefix = append(post.prefix, cls)
		post.suffix = append(post.suffix, sep)
		post.pair, post.noPair = bertPair(cls, sep), ""
		if typ == "RobertaProcessing" {
			post.pair = robertaPair(cls, sep)
			post.trimOffsets = c.TrimOffsets == nil || *c.TrimOffsets
			post.addPrefixSpace = c.AddPrefixSpace == nil || *c.AddPrefixSpace
		}
		return nil
	case "ByteLevel":
		var c struct {
			TrimOffsets    bool `json:"trim_offsets"`
			AddPrefixSpace bool `json:"add_prefix_space"`
		}
		if err := json.Unmarshal(m, &c); err != nil {
			return err
		}
		post.trimOffsets = post.trimOffsets || c.TrimOffsets
		post.addPrefixSpace = c.AddPrefixSpace
		return nil
	case "Sequence":
		_, err := sequence(m, "processors", func(x json.RawMessage) (struct{}, error) {
			return struct{}{}, parsePost(x, post, v)
		})
		return err
	}
	return fmt.Errorf("unsupported post-processor type %q", typ)
}

// fromHashedJSON builds a HashedNGram tokenizer. Its normalisation is part of
// the model, so tokenizer.json must not name a normalizer or pre-tokenizer,
// and added tokens (matched in the text) are not supported: special tokens
// are declared in the model and used only by the post-processor.
func fromHashedJSON(f *hfFile, cfg Config) (*Tokenizer, error) {
	if !isNull(f.Normalizer) || !isNull(f.PreTokenizer) {
		return nil, errors.New("tokenizer: tokenizer.json: a HashedNGram model normalises itself; normalizer and pre_tokenizer must be null")
	}
	if len(f.AddedTokens) > 0 {
		return nil, errors.New("tokenizer: tokenizer.json: a HashedNGram model takes no added_tokens (declare special_tokens in the model)")
	}
	p, err := parseHashedModel(f.Model)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: model: %w", err)
	}
	post := postProcessor{noPair: "HashedNGram models classify single texts"}
	if !isNull(f.PostProcessor) {
		if err := parsePost(f.PostProcessor, &post, nil); err != nil {
			return nil, fmt.Errorf("tokenizer: tokenizer.json: post_processor: %w", err)
		}
		for _, s := range append(append([]specialTok(nil), post.prefix...), post.suffix...) {
			if id, ok := p.specials[s.tok]; !ok || id != s.id {
				return nil, fmt.Errorf("tokenizer: tokenizer.json: post_processor token %q (id %d) is not a special token of the model", s.tok, s.id)
			}
		}
	}
	return f.hashedTokenizer(p, p.specials, post, cfg, "hashed-ngram")
}

// hashedTokenizer builds the tokenizer of a hashed model and sets its
// padding from the padding section, whose token must be one of the model's
// special tokens (a hashed model has no vocabulary to look it up in).
func (f *hfFile) hashedTokenizer(p pipeline, specials map[string]int, post postProcessor, cfg Config, kind string) (*Tokenizer, error) {
	t, err := newTokenizer(p, post, cfg, kind)
	if err != nil {
		return nil, err
	}
	if f.Padding == nil || f.Padding.PadToken == "" {
		return t, nil
	}
	if id, ok := specials[f.Padding.PadToken]; !ok || id != f.Padding.PadID {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: padding token %q (id %d) is not a special token of the model", f.Padding.PadToken, f.Padding.PadID)
	}
	t.padID, t.padTk = f.Padding.PadID, f.Padding.PadToken
	return t, nil
}
