package tokenizer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// ---------------------------------------------------------------- protobuf

// protoReader is a minimal protobuf wire-format reader (enough for
// SentencePiece's ModelProto).
type protoReader struct {
	b   []byte
	err error
}

var errProto = errors.New("malformed protobuf")

func (p *protoReader) varint() uint64 {
	var x uint64
	for s := uint(0); s < 64; s += 7 {
		if len(p.b) == 0 {
			p.err = errProto
			return 0
		}
		c := p.b[0]
		p.b = p.b[1:]
		x |= uint64(c&0x7f) << s
		if c < 0x80 {
			return x
		}
	}
	p.err = errProto
	return 0
}

// next returns the next field number and wire type; ok is false at the end
// or on error.
func (p *protoReader) next() (field int, wire int, ok bool) {
	if p.err != nil || len(p.b) == 0 {
		return 0, 0, false
	}
	k := p.varint()
	if p.err != nil {
		return 0, 0, false
	}
	if k>>3 == 0 || k>>3 > math.MaxInt32 {
		p.err = errProto
		return 0, 0, false
	}
	return int(k >> 3), int(k & 7), true
}

func (p *protoReader) bytes() []byte {
	n := p.varint()
	if p.err != nil {
		return nil
	}
	if n > uint64(len(p.b)) {
		p.err = errProto
		return nil
	}
	v := p.b[:n]
	p.b = p.b[n:]
	return v
}

func (p *protoReader) fixed32() uint32 {
	if len(p.b) < 4 {
		p.err = errProto
		return 0
	}
	v := binary.LittleEndian.Uint32(p.b)
	p.b = p.b[4:]
	return v
}

func (p *protoReader) skip(wire int) {
	switch wire {
	case 0:
		p.varint()
	case 1:
		if len(p.b) < 8 {
			p.err = errProto
			return
		}
		p.b = p.b[8:]
	case 2:
		p.bytes()
	case 5:
		p.fixed32()
	default:
		p.err = errProto
	}
}

type spPiece struct {
	piece string
	score float32
	typ   uint8
}

type spModel struct {
	pieces            []spPiece
	modelType         int
	byteFallback      bool
	unkID, bosID      int
	eosID, padID      int
	wsSuffix          bool
	normName          string
	charsmap          []byte
	addDummyPrefix    bool
	removeExtraSpaces bool
	escapeSpaces      bool
}

func parseSPModel(data []byte) (*spModel, error) {
	m := &spModel{modelType: 1, unkID: 0, bosID: 1, eosID: 2, padID: -1, addDummyPrefix: true, removeExtraSpaces: true, escapeSpaces: true}
	err := fields(data, func(p *protoReader, f, w int) error {
		switch {
		case f == 1 && w == 2:
			sp := spPiece{typ: pieceNormal}
			if err := fields(p.bytes(), func(q *protoReader, f, w int) error {
				switch {
				case f == 1 && w == 2:
					sp.piece = string(q.bytes())
				case f == 2 && w == 5:
					sp.score = math.Float32frombits(q.fixed32())
				case f == 3 && w == 0:
					sp.typ = uint8(q.varint())
				default:
					q.skip(w)
				}
				return nil
			}); err != nil {
				return fmt.Errorf("piece %d: %w", len(m.pieces), err)
			}
			m.pieces = append(m.pieces, sp)
		case f == 2 && w == 2:
			if err := fields(p.bytes(), func(q *protoReader, f, w int) error {
				if w != 0 {
					q.skip(w)
					return nil
				}
				v := q.varint()
				switch f {
				case 3:
					m.modelType = int(v)
				case 24:
					m.wsSuffix = v != 0
				case 35:
					m.byteFallback = v != 0
				case 40:
					m.unkID = int(int32(v))
				case 41:
					m.bosID = int(int32(v))
				case 42:
					m.eosID = int(int32(v))
				case 43:
					m.padID = int(int32(v))
				}
				return nil
			}); err != nil {
				return fmt.Errorf("trainer spec: %w", err)
			}
		case f == 3 && w == 2:
			if err := fields(p.bytes(), func(q *protoReader, f, w int) error {
				switch {
				case f == 1 && w == 2:
					m.normName = string(q.bytes())
				case f == 2 && w == 2:
					m.charsmap = q.bytes()
				case f == 3 && w == 0:
					m.addDummyPrefix = q.varint() != 0
				case f == 4 && w == 0:
					m.removeExtraSpaces = q.varint() != 0
				case f == 5 && w == 0:
					m.escapeSpaces = q.varint() != 0
				default:
					q.skip(w)
				}
				return nil
			}); err != nil {
				return fmt.Errorf("normalizer spec: %w", err)
			}
		default:
			p.skip(w)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(m.pieces) == 0 {
		return nil, errors.New("no pieces (not a SentencePiece model?)")
	}
	return m, nil
}

// fields calls fn for each field of the protobuf message msg; fn reads the
// value (or skips it). It stops at fn's first error and returns it, else
// returns the reader's error.
func fields(msg []byte, fn func(q *protoReader, field, wire int) error) error {
	q := &protoReader{b: msg}
	for {
		f, w, ok := q.next()
		if !ok {
			return q.err
		}
		if err := fn(q, f, w); err != nil {
			return err
		}
	}
}

// ---------------------------------------------------------------- charsmap

// charsMap is SentencePiece's precompiled normalization map: a darts-clone
// double-array trie whose values index NUL-terminated replacement strings.
type charsMap struct {
	units []uint32
	norm  []byte
}

func parseCharsMap(b []byte) (*charsMap, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b) < 4 {
		return nil, errors.New("precompiled charsmap too short")
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) || n%4 != 0 || n == 0 {
		return nil, fmt.Errorf("precompiled charsmap: trie size %d invalid for %d bytes", n, len(b))
	}
	cm := &charsMap{units: make([]uint32, n/4), norm: b[4+n:]}
	for i := range cm.units {
		cm.units[i] = binary.LittleEndian.Uint32(b[4+4*i:])
	}
	return cm, nil
}

// longest returns the length of the longest key that is a prefix of s and the
// replacement string; n == 0 when nothing matches.
func (cm *charsMap) longest(s []byte) (n int, repl []byte) {
	u := cm.units
	offset := func(x uint32) uint32 { return (x >> 10) << ((x & (1 << 9)) >> 6) }
	pos := offset(u[0])
	val := -1
	for i := 0; i < len(s); i++ {
		pos ^= uint32(s[i])
		if int(pos) >= len(u) {
			break
		}
		x := u[pos]
		if x&((1<<31)|0xff) != uint32(s[i]) {
			break
		}
		pos ^= offset(x)
		if (x>>8)&1 == 1 {
			if int(pos) >= len(u) {
				break
			}
			val = int(u[pos] & ((1 << 31) - 1))
			n = i + 1
		}
	}
	if val < 0 || val >= len(cm.norm) {
		return 0, nil
	}
	end := val
	for end < len(cm.norm) && cm.norm[end] != 0 {
		end++
	}
	return n, cm.norm[val:end]
}

// ---------------------------------------------------------------- pipeline

// spmPipeline reproduces SentencePiece's normalizer and Unigram encoder.
type spmPipeline struct {
	m        *spModel
	v        *vocab
	u        *unigram
	cm       *charsMap
	user     *byteTrie // user-defined symbols, matched before normalization
	vocabLen int
}

func (p *spmPipeline) vocabSize() int { return p.vocabLen }

func (p *spmPipeline) tokenToID(tok string) (int, bool) {
	id, ok := p.v.tok2id[tok]
	return int(id), ok
}

func (p *spmPipeline) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(p.v.id2tok) {
		return "", false
	}
	return p.v.id2tok[id], true
}

// normalizePrefix returns the normalized form of the longest rule matching a
// prefix of s and the number of input bytes consumed.
func (p *spmPipeline) normalizePrefix(s []byte) ([]byte, int) {
	if p.user != nil {
		node, best := int32(0), 0
		for k := 0; k < len(s); k++ {
			node = p.user.next(node, s[k])
			if node < 0 {
				break
			}
			if p.user.val[node] >= 0 {
				best = k + 1
			}
		}
		if best > 0 {
			return s[:best], best
		}
	}
	if p.cm != nil {
		if n, repl := p.cm.longest(s); n > 0 {
			return repl, n
		}
	}
	if s[0] < utf8.RuneSelf {
		return s[:1], 1
	}
	_, n := utf8.DecodeRune(s)
	return s[:n], n
}

const spaceSymbol = "\u2581"

// normalize writes SentencePiece's normalized text into b.ns.b and the
// normalized->original byte map (one entry per byte plus the end) into b.ns.s.
func (p *spmPipeline) normalize(text string, b *tokBuf) {
	in := strBytes(text) // read-only view, no copy
	out := b.ns.b[:0]
	n2o := b.ns.s[:0]
	consumed := 0
	m := p.m
	if m.removeExtraSpaces {
		for len(in) > 0 {
			r, n := p.normalizePrefix(in)
			if string(r) != " " {
				break
			}
			in = in[n:]
			consumed += n
		}
	}
	if len(in) == 0 {
		b.ns.b, b.ns.s = out, append(n2o, int32(consumed))
		return
	}
	addWS := func() {
		if m.escapeSpaces {
			out = append(out, spaceSymbol...)
			n2o = append(n2o, int32(consumed), int32(consumed), int32(consumed))
		} else {
			out = append(out, ' ')
			n2o = append(n2o, int32(consumed))
		}
	}
	if !m.wsSuffix && m.addDummyPrefix {
		addWS()
	}
	prevSpace := m.removeExtraSpaces
	for len(in) > 0 {
		sp, n := p.normalizePrefix(in)
		if prevSpace {
			for len(sp) > 0 && sp[0] == ' ' {
				sp = sp[1:]
			}
		}
		if len(sp) > 0 {
			for _, c := range sp {
				if m.escapeSpaces && c == ' ' {
					out = append(out, spaceSymbol...)
					n2o = append(n2o, int32(consumed), int32(consumed), int32(consumed))
				} else {
					out = append(out, c)
					n2o = append(n2o, int32(consumed))
				}
			}
			prevSpace = sp[len(sp)-1] == ' '
		}
		consumed += n
		in = in[n:]
		if !m.removeExtraSpaces {
			prevSpace = false
		}
	}
	if m.removeExtraSpaces {
		sp := " "
		if m.escapeSpaces {
			sp = spaceSymbol
		}
		for len(out) >= len(sp) && string(out[len(out)-len(sp):]) == sp {
			l := len(out) - len(sp)
			consumed = int(n2o[l])
			out = out[:l]
			n2o = n2o[:l]
		}
	}
	if m.wsSuffix && m.addDummyPrefix {
		addWS()
	}
	n2o = append(n2o, int32(consumed))
	b.ns.b, b.ns.s = out, n2o
}

func (p *spmPipeline) encode(text string, b *tokBuf) {
	p.normalize(text, b)
	norm, n2o := b.ns.b, b.ns.s
	b.mt = p.u.encode(b, norm, b.mt[:0])
	for _, t := range b.mt {
		if t.id == p.u.unk && p.u.byteFallback && p.u.hasBytes(norm[t.lo:t.hi]) {
			// SentencePiece: one <0xXX> piece per byte; only the last one
			// carries the character's span, the others are empty at its start.
			for k := t.lo; k < t.hi; k++ {
				id := p.u.byteIDs[norm[k]]
				end := n2o[t.lo]
				if k == t.hi-1 {
					end = n2o[t.hi]
				}
				b.add(id, n2o[t.lo], end, p.v.id2tok[id])
			}
			continue
		}
		b.add(t.id, n2o[t.lo], n2o[t.hi], p.v.id2tok[t.id])
	}
}

// FromSentencePiece builds a tokenizer from the bytes of a SentencePiece
// .model file (Unigram models; BPE/word/char models are rejected).
func FromSentencePiece(data []byte, cfg Config) (*Tokenizer, error) {
	m, err := parseSPModel(data)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: sentencepiece model: %w", err)
	}
	if m.modelType != 1 {
		return nil, fmt.Errorf("tokenizer: sentencepiece model type %d is not supported (only Unigram = 1)", m.modelType)
	}
	if m.normName != "" && m.normName != "identity" && len(m.charsmap) == 0 {
		return nil, fmt.Errorf("tokenizer: sentencepiece normalizer %q has no precompiled charsmap", m.normName)
	}
	v := &vocab{tok2id: make(map[string]int32, len(m.pieces))}
	scores := make([]float64, len(m.pieces))
	types := make([]uint8, len(m.pieces))
	unk := -1
	var userKeys []string
	var userVals []int32
	for i, pc := range m.pieces {
		if err := v.add(pc.piece, i); err != nil {
			return nil, fmt.Errorf("tokenizer: sentencepiece model: %w", err)
		}
		v.id2tok[i] = pc.piece
		scores[i] = float64(pc.score)
		types[i] = pc.typ
		if pc.typ == pieceUnknown && unk < 0 {
			unk = i
		}
		if pc.typ == pieceUserDefined {
			userKeys = append(userKeys, pc.piece)
			userVals = append(userVals, int32(i))
		}
	}
	if unk < 0 {
		return nil, errors.New("tokenizer: sentencepiece model has no unknown piece")
	}
	// SentencePiece fuses consecutive unknown pieces, except with byte
	// fallback, where each unknown character becomes its own bytes.
	u, err := newUnigram(v, scores, types, unk, true, !m.byteFallback, m.byteFallback)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: sentencepiece model: %w", err)
	}
	cm, err := parseCharsMap(m.charsmap)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: sentencepiece model: %w", err)
	}
	p := &spmPipeline{m: m, v: v, u: u, cm: cm, vocabLen: len(m.pieces)}
	if len(userKeys) > 0 {
		p.user = buildTrie(userKeys, userVals)
	}
	var post postProcessor
	pieceOK := func(id int) bool { return id >= 0 && id < len(m.pieces) }
	if cls, ok := v.tok2id["[CLS]"]; ok {
		if sep, ok := v.tok2id["[SEP]"]; ok {
			post.prefix = []specialTok{{id: int(cls), tok: "[CLS]"}}
			post.suffix = []specialTok{{id: int(sep), tok: "[SEP]"}}
			post.pair = bertPair(post.prefix[0], post.suffix[0])
		}
	}
	if post.prefix == nil && pieceOK(m.bosID) && pieceOK(m.eosID) {
		post.prefix = []specialTok{{id: m.bosID, tok: m.pieces[m.bosID].piece}}
		post.suffix = []specialTok{{id: m.eosID, tok: m.pieces[m.eosID].piece}}
		post.pair = robertaPair(post.prefix[0], post.suffix[0])
	}
	return newTokenizer(p, post, cfg, "sentencepiece-unigram")
}
