package tokenizer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"unicode/utf8"
)

// ErrInvalidUTF8 is returned (wrapped) when the input text is not valid UTF-8.
// The tokenizer never guesses a replacement: callers that want lossy decoding
// should run strings.ToValidUTF8 themselves before encoding.
var ErrInvalidUTF8 = errors.New("tokenizer: input is not valid UTF-8")

// DefaultMaxLength is the MaxLength used when Config.MaxLength is zero.
const DefaultMaxLength = 512

// PaddingStrategy selects how Encode and EncodeBatch pad encodings.
type PaddingStrategy int

const (
	// PadNone leaves every encoding at its natural length.
	PadNone PaddingStrategy = iota
	// PadToMaxLength pads every encoding to Config.MaxLength.
	PadToMaxLength
	// PadToLongest pads every encoding of one EncodeBatch call to the longest
	// encoding of that batch (Encode then behaves like PadNone).
	PadToLongest
)

// Config controls special tokens, truncation, padding and windowing.
// The zero value means: no special tokens, no truncation, no padding,
// MaxLength 512. DefaultConfig returns the usual model-input settings.
type Config struct {
	// MaxLength is the maximum number of ids per encoding including special
	// tokens (used by truncation, PadToMaxLength and EncodeWindows). 0 means 512.
	MaxLength int
	// Truncate cuts encodings (on the right) so they hold at most MaxLength ids.
	Truncate bool
	// AddSpecialTokens wraps each sequence with the model's special tokens
	// (e.g. [CLS] … [SEP]), as the tokenizer's post-processor says.
	AddSpecialTokens bool
	// Padding selects the padding strategy.
	Padding PaddingStrategy
	// Stride is the number of tokens consecutive EncodeWindows windows share.
	// 0 means MaxLength/8. It must be smaller than the window's content length.
	Stride int
	// Template overrides the special tokens put around a sequence (by token
	// string). Nil means: what tokenizer.json says; for SentencePiece .model
	// files [CLS] … [SEP] when the model has those pieces, else its bos … eos.
	Template *Template
}

// Template names the special tokens put before and after a single sequence.
type Template struct {
	Prefix []string
	Suffix []string
}

// DefaultConfig returns MaxLength 512, truncation on, special tokens on, no
// padding, stride 64.
func DefaultConfig() Config {
	return Config{MaxLength: DefaultMaxLength, Truncate: true, AddSpecialTokens: true, Stride: 64}
}

func (c Config) maxLen() int {
	if c.MaxLength <= 0 {
		return DefaultMaxLength
	}
	return c.MaxLength
}

// Encoding is the result of tokenizing one text. All slices have the same
// length. Offsets are UTF-8 byte offsets into the original text, end
// exclusive; special and padding tokens have offsets [0,0].
type Encoding struct {
	IDs               []int
	TypeIDs           []int
	AttentionMask     []int
	SpecialTokensMask []int
	Offsets           [][2]int
	Tokens            []string
}

// Len returns the number of tokens.
func (e *Encoding) Len() int { return len(e.IDs) }

// IDsInt64 returns the ids as int64 (the type ONNX models take).
func (e *Encoding) IDsInt64() []int64 { return toInt64(e.IDs) }

// AttentionMaskInt64 returns the attention mask as int64.
func (e *Encoding) AttentionMaskInt64() []int64 { return toInt64(e.AttentionMask) }

// TypeIDsInt64 returns the token type ids as int64.
func (e *Encoding) TypeIDsInt64() []int64 { return toInt64(e.TypeIDs) }

func toInt64(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// Window is one EncodeWindows window: an encoding of a contiguous run of
// tokens, and the byte span [Start, End) of the original text it covers.
type Window struct {
	Encoding
	Start, End int
}

// specialTok is a special token put around a sequence by the post-processor.
type specialTok struct {
	id     int
	tok    string
	typeID int
}

// pairItem is one element of a pair template: a special token (seq -1) or
// the tokens of the first (seq 0) or second (seq 1) text.
type pairItem struct {
	seq    int
	tok    specialTok
	typeID int
}

// postProcessor describes how a single sequence, and a pair, are wrapped.
type postProcessor struct {
	prefix, suffix []specialTok
	seqTypeID      int
	// pair is the pair template; nil means A then B without special tokens
	// (type ids 0 and 1), as Hugging Face does without a post-processor.
	pair []pairItem
	// noPair says why the tokenizer cannot encode pairs ("" when it can).
	noPair string
	// byte-level offset trimming (RobertaProcessing / ByteLevel trim_offsets)
	trimOffsets    bool
	addPrefixSpace bool
}

// pipeline turns text into model tokens without special tokens.
type pipeline interface {
	encode(text string, out *tokBuf)
	vocabSize() int
	tokenToID(tok string) (int, bool)
	idToToken(id int) (string, bool)
}

// tokBuf collects the tokens of one text; it is reused through a sync.Pool.
type tokBuf struct {
	ids  []int32
	offs [][2]int32
	toks []string
	// scratch space for pipelines
	ns      normStr
	ns2     normStr
	ns3     normStr
	rng     []rng
	rng2    []rng
	mt      []mtok
	scratch []byte
	lattice []latticeNode
	hashed  *hashedText // HashedNGram working memory
}

// maxPooledElems bounds the buffers a pooled tokBuf keeps, so that one huge
// text does not pin hundreds of megabytes in the pool.
const maxPooledElems = 1 << 20

func (t *Tokenizer) release(b *tokBuf) {
	if cap(b.ids) > maxPooledElems || cap(b.ns.b) > maxPooledElems || cap(b.ns2.b) > maxPooledElems ||
		cap(b.ns3.b) > maxPooledElems || cap(b.lattice) > maxPooledElems || cap(b.mt) > maxPooledElems ||
		cap(b.rng) > maxPooledElems || cap(b.rng2) > maxPooledElems || cap(b.scratch) > maxPooledElems ||
		(b.hashed != nil && cap(b.hashed.cps) > maxPooledElems) {
		return // let the GC have it
	}
	t.pool.Put(b)
}

func (b *tokBuf) reset() {
	b.ids = b.ids[:0]
	b.offs = b.offs[:0]
	b.toks = b.toks[:0]
}

func (b *tokBuf) add(id int32, s, e int32, tok string) {
	b.ids = append(b.ids, id)
	b.offs = append(b.offs, [2]int32{s, e})
	b.toks = append(b.toks, tok)
}

// Tokenizer encodes text into model ids. It is immutable and safe for
// concurrent use.
type Tokenizer struct {
	p     pipeline
	post  postProcessor
	cfg   Config
	padID int
	padTk string
	kind  string
	pool  *sync.Pool
}

// Load reads a tokenizer from path: a Hugging Face tokenizer.json, a
// SentencePiece .model file, or a directory holding tokenizer.json (preferred)
// or one of spiece.model, spm.model, sentencepiece.bpe.model, tokenizer.model.
func Load(path string, cfg Config) (*Tokenizer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: load: %w", err)
	}
	if st.IsDir() {
		for _, name := range []string{"tokenizer.json", "spiece.model", "spm.model", "sentencepiece.bpe.model", "tokenizer.model"} {
			p := filepath.Join(path, name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return Load(p, cfg)
			}
		}
		return nil, fmt.Errorf("tokenizer: load: no tokenizer.json or SentencePiece .model in %s", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: load: %w", err)
	}
	if looksLikeJSON(data) {
		t, err := FromJSON(data, cfg)
		if err != nil {
			return nil, fmt.Errorf("%w (file %s)", err, path)
		}
		return t, nil
	}
	t, err := FromSentencePiece(data, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return t, nil
}

func looksLikeJSON(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		default:
			return false
		}
	}
	return false
}

func newTokenizer(p pipeline, post postProcessor, cfg Config, kind string) (*Tokenizer, error) {
	t := &Tokenizer{p: p, post: post, kind: kind, pool: &sync.Pool{New: func() any { return new(tokBuf) }}}
	t.padID, t.padTk = 0, ""
	for _, cand := range []string{"[PAD]", "<pad>", "<|padding|>"} {
		if id, ok := p.tokenToID(cand); ok {
			t.padID, t.padTk = id, cand
			break
		}
	}
	if t.padTk == "" {
		if tok, ok := p.idToToken(0); ok {
			t.padTk = tok
		}
	}
	if err := t.setConfig(cfg); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Tokenizer) specials(names []string) ([]specialTok, error) {
	out := make([]specialTok, 0, len(names))
	for _, n := range names {
		id, ok := t.p.tokenToID(n)
		if !ok {
			return nil, fmt.Errorf("tokenizer: template token %q is not in the vocabulary", n)
		}
		out = append(out, specialTok{id: id, tok: n})
	}
	return out, nil
}

// setConfig applies cfg's template, if any, checks cfg and keeps it.
func (t *Tokenizer) setConfig(cfg Config) error {
	if cfg.Template != nil {
		var err error
		if t.post.prefix, err = t.specials(cfg.Template.Prefix); err != nil {
			return err
		}
		if t.post.suffix, err = t.specials(cfg.Template.Suffix); err != nil {
			return err
		}
		t.post.noPair = errTemplatePair
	}
	if cfg.MaxLength < 0 {
		return fmt.Errorf("tokenizer: config: MaxLength %d is negative", cfg.MaxLength)
	}
	if cfg.Stride < 0 {
		return fmt.Errorf("tokenizer: config: Stride %d is negative", cfg.Stride)
	}
	if cfg.AddSpecialTokens && cfg.maxLen() <= len(t.post.prefix)+len(t.post.suffix) {
		return fmt.Errorf("tokenizer: config: MaxLength %d leaves no room beside %d special tokens", cfg.maxLen(), len(t.post.prefix)+len(t.post.suffix))
	}
	t.cfg = cfg
	return nil
}

// WithConfig returns a tokenizer sharing t's model with another Config.
func (t *Tokenizer) WithConfig(cfg Config) (*Tokenizer, error) {
	c := *t
	if err := c.setConfig(cfg); err != nil {
		return nil, err
	}
	return &c, nil
}

// Config returns the tokenizer's configuration.
func (t *Tokenizer) Config() Config { return t.cfg }

// Kind names the model type: "wordpiece", "bpe", "unigram",
// "sentencepiece-unigram" or "hashed-ngram".
func (t *Tokenizer) Kind() string { return t.kind }

// VocabSize returns the number of ids the model can produce (including added
// tokens).
func (t *Tokenizer) VocabSize() int { return t.p.vocabSize() }

// TokenToID returns the id of a vocabulary or added token.
func (t *Tokenizer) TokenToID(tok string) (int, bool) { return t.p.tokenToID(tok) }

// IDToToken returns the token string of an id.
func (t *Tokenizer) IDToToken(id int) (string, bool) { return t.p.idToToken(id) }

// NumSpecialTokens returns how many special tokens AddSpecialTokens adds to
// a single sequence.
func (t *Tokenizer) NumSpecialTokens() int { return len(t.post.prefix) + len(t.post.suffix) }

func checkUTF8(text string) error {
	if utf8.ValidString(text) {
		return nil
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Errorf("%w (invalid byte 0x%02x at offset %d)", ErrInvalidUTF8, text[i], i)
		}
		i += n
	}
	return ErrInvalidUTF8
}

// Encode tokenizes one text according to the tokenizer's Config.
func (t *Tokenizer) Encode(text string) (Encoding, error) {
	if err := checkUTF8(text); err != nil {
		return Encoding{}, err
	}
	b := t.pool.Get().(*tokBuf)
	b.reset()
	t.p.encode(text, b)
	n := len(b.ids)
	if t.cfg.Truncate {
		room := t.cfg.maxLen()
		if t.cfg.AddSpecialTokens {
			room -= t.NumSpecialTokens()
		}
		if n > room {
			n = room
		}
	}
	enc := t.build(text, b, 0, n, 0)
	t.release(b)
	if t.cfg.Padding == PadToMaxLength {
		t.pad(&enc, t.cfg.maxLen())
	}
	return enc, nil
}

// newEncoding returns an empty Encoding with room for capa entries.
func newEncoding(capa int) Encoding {
	return Encoding{
		IDs:               make([]int, 0, capa),
		TypeIDs:           make([]int, 0, capa),
		AttentionMask:     make([]int, 0, capa),
		SpecialTokensMask: make([]int, 0, capa),
		Offsets:           make([][2]int, 0, capa),
		Tokens:            make([]string, 0, capa),
	}
}

// build assembles an Encoding from tokens [lo,hi) of b, with special tokens
// when configured and room for pad extra entries.
func (t *Tokenizer) build(text string, b *tokBuf, lo, hi, extra int) Encoding {
	special := t.cfg.AddSpecialTokens
	total := hi - lo
	if special {
		total += t.NumSpecialTokens()
	}
	capa := total + extra
	enc := newEncoding(capa)
	addSpecial := func(s specialTok) {
		enc.IDs = append(enc.IDs, s.id)
		enc.TypeIDs = append(enc.TypeIDs, s.typeID)
		enc.AttentionMask = append(enc.AttentionMask, 1)
		enc.SpecialTokensMask = append(enc.SpecialTokensMask, 1)
		enc.Offsets = append(enc.Offsets, [2]int{0, 0})
		enc.Tokens = append(enc.Tokens, s.tok)
	}
	if special {
		for _, s := range t.post.prefix {
			addSpecial(s)
		}
	}
	for i := lo; i < hi; i++ {
		enc.IDs = append(enc.IDs, int(b.ids[i]))
		enc.TypeIDs = append(enc.TypeIDs, t.post.seqTypeID)
		enc.AttentionMask = append(enc.AttentionMask, 1)
		enc.SpecialTokensMask = append(enc.SpecialTokensMask, 0)
		o := [2]int{int(b.offs[i][0]), int(b.offs[i][1])}
		if t.post.trimOffsets {
			o = trimByteLevelOffsets(b.toks[i], o, i == 0, t.post.addPrefixSpace)
			// Trimming counts bytes and can land inside a character; Hugging
			// Face's character offsets then point at that character's start.
			o[0], o[1] = charStart(text, o[0]), charStart(text, o[1])
		}
		enc.Offsets = append(enc.Offsets, o)
		enc.Tokens = append(enc.Tokens, b.toks[i])
	}
	if special {
		for _, s := range t.post.suffix {
			addSpecial(s)
		}
	}
	return enc
}

// trimByteLevelOffsets removes leading/trailing spaces (byte-level 'Ġ') from a
// token's offsets, as Hugging Face's ByteLevel/Roberta post-processors do with
// trim_offsets.
func trimByteLevelOffsets(tok string, o [2]int, first, addPrefixSpace bool) [2]int {
	lead, trail := 0, 0
	for _, r := range tok {
		if r != 'Ġ' {
			break
		}
		lead++
	}
	for i := len(tok); i > 0; {
		r, n := utf8.DecodeLastRuneInString(tok[:i])
		if r != 'Ġ' {
			break
		}
		trail++
		i -= n
	}
	if lead > 0 {
		if (first || o[0] == 0) && addPrefixSpace && lead == 1 {
			lead = 0
		}
		o[0] = min(o[0]+lead, o[1])
	}
	if trail > 0 && o[1] >= trail {
		o[1] = max(o[1]-trail, o[0])
	}
	return o
}

func charStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

func (t *Tokenizer) pad(e *Encoding, n int) {
	for len(e.IDs) < n {
		e.IDs = append(e.IDs, t.padID)
		e.TypeIDs = append(e.TypeIDs, 0)
		e.AttentionMask = append(e.AttentionMask, 0)
		e.SpecialTokensMask = append(e.SpecialTokensMask, 1)
		e.Offsets = append(e.Offsets, [2]int{0, 0})
		e.Tokens = append(e.Tokens, t.padTk)
	}
}

// EncodeBatch encodes texts in parallel (one worker per CPU) and returns the
// encodings in input order. With PadToLongest all encodings are padded to the
// longest one. The first error (e.g. invalid UTF-8) names the text's index.
func (t *Tokenizer) EncodeBatch(texts []string) ([]Encoding, error) {
	out := make([]Encoding, len(texts))
	errs := make([]error, len(texts))
	workers := min(runtime.GOMAXPROCS(0), len(texts))
	if workers <= 1 {
		for i, s := range texts {
			out[i], errs[i] = t.Encode(s)
		}
	} else {
		var wg sync.WaitGroup
		var next int
		var mu sync.Mutex
		const chunk = 16
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					mu.Lock()
					lo := next
					next += chunk
					mu.Unlock()
					if lo >= len(texts) {
						return
					}
					for i := lo; i < min(lo+chunk, len(texts)); i++ {
						out[i], errs[i] = t.Encode(texts[i])
					}
				}
			}()
		}
		wg.Wait()
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("tokenizer: batch text %d: %w", i, err)
		}
	}
	t.padToLongest(out)
	return out, nil
}

// padToLongest pads a batch's encodings to its longest when the
// configuration asks for PadToLongest.
func (t *Tokenizer) padToLongest(out []Encoding) {
	if t.cfg.Padding != PadToLongest {
		return
	}
	longest := 0
	for i := range out {
		longest = max(longest, len(out[i].IDs))
	}
	for i := range out {
		t.pad(&out[i], longest)
	}
}

// EncodeWindows encodes a text of any length as overlapping windows of at most
// MaxLength ids each (special tokens included when AddSpecialTokens is set),
// consecutive windows sharing Stride tokens, so that every token of the text
// is in at least one window. Each window carries the byte span of the original
// text its tokens cover. A text without tokens gives one window with only the
// special tokens (Start = End = 0). Truncation is ignored; PadToMaxLength pads
// every window.
func (t *Tokenizer) EncodeWindows(text string) ([]Window, error) {
	if err := checkUTF8(text); err != nil {
		return nil, err
	}
	room := t.cfg.maxLen()
	if t.cfg.AddSpecialTokens {
		room -= t.NumSpecialTokens()
	}
	stride := t.cfg.Stride
	if stride == 0 {
		stride = t.cfg.maxLen() / 8
	}
	if stride >= room {
		return nil, fmt.Errorf("tokenizer: stride %d must be smaller than the window content length %d", stride, room)
	}
	b := t.pool.Get().(*tokBuf)
	defer t.release(b)
	b.reset()
	t.p.encode(text, b)
	n := len(b.ids)
	var wins []Window
	for lo := 0; ; lo += room - stride {
		hi := min(lo+room, n)
		w := Window{Encoding: t.build(text, b, lo, hi, 0)}
		first := true
		for i, o := range w.Offsets {
			if w.SpecialTokensMask[i] == 1 {
				continue
			}
			if first {
				w.Start, first = o[0], false
			}
			w.Start = min(w.Start, o[0])
			w.End = max(w.End, o[1])
		}
		if t.cfg.Padding == PadToMaxLength {
			t.pad(&w.Encoding, t.cfg.maxLen())
		}
		wins = append(wins, w)
		if hi >= n {
			break
		}
	}
	return wins, nil
}
