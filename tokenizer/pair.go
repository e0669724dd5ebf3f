package tokenizer

import (
	"errors"
	"fmt"
)

// errTemplatePair explains why a Config.Template override disables pairs.
const errTemplatePair = "Config.Template overrides the special tokens of single sequences only; pair templates come from the tokenizer file"

// ErrNoPairs is returned (wrapped) by EncodePair when the tokenizer has no
// way to join two texts (HashedNGram models, Config.Template overrides).
var ErrNoPairs = errors.New("tokenizer: sentence pairs are not supported")

// bertPair is the pair template of BERT-style models: [CLS] A [SEP] B [SEP]
// with type ids 0 up to the first [SEP] and 1 after it.
func bertPair(cls, sep specialTok) []pairItem {
	cls.typeID, sep.typeID = 0, 0
	sep1 := sep
	sep1.typeID = 1
	return []pairItem{{seq: -1, tok: cls}, {seq: 0}, {seq: -1, tok: sep}, {seq: 1, typeID: 1}, {seq: -1, tok: sep1, typeID: 1}}
}

// robertaPair is RoBERTa's pair template: <s> A </s> </s> B </s>, every
// type id 0.
func robertaPair(cls, sep specialTok) []pairItem {
	cls.typeID, sep.typeID = 0, 0
	return []pairItem{{seq: -1, tok: cls}, {seq: 0}, {seq: -1, tok: sep}, {seq: -1, tok: sep}, {seq: 1}, {seq: -1, tok: sep}}
}

// NumPairSpecialTokens returns how many special tokens AddSpecialTokens adds
// to a pair of texts.
func (t *Tokenizer) NumPairSpecialTokens() int {
	n := 0
	for _, it := range t.post.pair {
		if it.seq < 0 {
			n++
		}
	}
	return n
}

// SupportsPairs reports whether EncodePair works, and why not.
func (t *Tokenizer) SupportsPairs() (bool, string) {
	if t.post.noPair != "" {
		return false, t.post.noPair
	}
	return true, ""
}

// EncodePair encodes a pair of texts (premise and hypothesis, query and
// passage) as one model input, the way Hugging Face's tokenizers do: the
// post-processor's pair template places the special tokens and type ids
// (BERT and DeBERTa: [CLS] a [SEP] b [SEP] with type ids 0 then 1;
// RoBERTa: <s> a </s></s> b </s>, all type ids 0; SentencePiece .model
// files: [CLS] a [SEP] b [SEP] when the model has those pieces, else the
// RoBERTa layout with its bos/eos; without special tokens: a then b with
// type ids 0 then 1). With Truncate, the longer text loses tokens first
// (Hugging Face's longest_first strategy) until the pair fits MaxLength,
// special tokens included. Offsets of b's tokens are byte offsets into b.
// PadToMaxLength pads the result.
func (t *Tokenizer) EncodePair(a, b string) (Encoding, error) {
	if t.post.noPair != "" {
		return Encoding{}, fmt.Errorf("%w: %s", ErrNoPairs, t.post.noPair)
	}
	if err := checkUTF8(a); err != nil {
		return Encoding{}, fmt.Errorf("first text: %w", err)
	}
	if err := checkUTF8(b); err != nil {
		return Encoding{}, fmt.Errorf("second text: %w", err)
	}
	ba := t.pool.Get().(*tokBuf)
	defer t.release(ba)
	bb := t.pool.Get().(*tokBuf)
	defer t.release(bb)
	ba.reset()
	bb.reset()
	t.p.encode(a, ba)
	t.p.encode(b, bb)
	na, nb := len(ba.ids), len(bb.ids)
	if t.cfg.Truncate {
		room := t.cfg.maxLen()
		if t.cfg.AddSpecialTokens {
			room -= t.NumPairSpecialTokens()
		}
		if room < 0 {
			return Encoding{}, fmt.Errorf("tokenizer: MaxLength %d is shorter than the %d special tokens of a pair", t.cfg.maxLen(), t.NumPairSpecialTokens())
		}
		na, nb = longestFirst(na, nb, room)
	}
	ea := t.build(a, ba, 0, na, 0)
	eb := t.build(b, bb, 0, nb, 0)
	enc := t.joinPair(ea, eb)
	if t.cfg.Padding == PadToMaxLength {
		t.pad(&enc, t.cfg.maxLen())
	}
	return enc, nil
}

// EncodePairBatch encodes pairs in order; with PadToLongest all encodings
// are padded to the longest. The first error names the pair's index.
func (t *Tokenizer) EncodePairBatch(pairs [][2]string) ([]Encoding, error) {
	out := make([]Encoding, len(pairs))
	for i, p := range pairs {
		e, err := t.EncodePair(p[0], p[1])
		if err != nil {
			return nil, fmt.Errorf("tokenizer: batch pair %d: %w", i, err)
		}
		out[i] = e
	}
	t.padToLongest(out)
	return out, nil
}

// longestFirst returns how many tokens of each text to keep so that at most
// room remain, removing from the longer text first: Hugging Face's
// TruncationStrategy::LongestFirst as its source states it (the shorter
// text is kept whole when the longer can take the rest; otherwise both get
// half of room, the longer text the odd token). Measured against
// tokenizers 0.23.2 (testdata/pairs), the kept lengths agree except that
// on about 4% of pairs cut on both sides with an odd room, HF gives the
// odd token to the other text; the counts per text then differ by one.
func longestFirst(na, nb, room int) (int, int) {
	if na+nb <= room {
		return na, nb
	}
	n1, n2 := na, nb
	swap := n1 > n2
	if swap {
		n1, n2 = n2, n1
	}
	if n1 > room {
		n2 = n1
	} else {
		n2 = max(n1, room-n1)
	}
	if n1+n2 > room {
		n1 = room / 2
		n2 = n1 + room%2
	}
	if swap {
		n1, n2 = n2, n1
	}
	return min(na, n1), min(nb, n2)
}

// joinPair wraps two bare encodings (built without special tokens or with
// them: build adds the single template when AddSpecialTokens is set, so
// the content is taken from the non-special entries) with the pair
// template.
func (t *Tokenizer) joinPair(a, b Encoding) Encoding {
	capa := a.Len() + b.Len() + len(t.post.pair)
	enc := newEncoding(capa)
	content := func(e Encoding, typeID int) {
		for i := range e.IDs {
			if e.SpecialTokensMask[i] == 1 {
				continue
			}
			enc.IDs = append(enc.IDs, e.IDs[i])
			enc.TypeIDs = append(enc.TypeIDs, typeID)
			enc.AttentionMask = append(enc.AttentionMask, 1)
			enc.SpecialTokensMask = append(enc.SpecialTokensMask, 0)
			enc.Offsets = append(enc.Offsets, e.Offsets[i])
			enc.Tokens = append(enc.Tokens, e.Tokens[i])
		}
	}
	if !t.cfg.AddSpecialTokens || t.post.pair == nil {
		content(a, 0)
		content(b, 1)
		return enc
	}
	for _, it := range t.post.pair {
		switch it.seq {
		case 0:
			content(a, it.typeID)
		case 1:
			content(b, it.typeID)
		default:
			enc.IDs = append(enc.IDs, it.tok.id)
			enc.TypeIDs = append(enc.TypeIDs, it.typeID)
			enc.AttentionMask = append(enc.AttentionMask, 1)
			enc.SpecialTokensMask = append(enc.SpecialTokensMask, 1)
			enc.Offsets = append(enc.Offsets, [2]int{0, 0})
			enc.Tokens = append(enc.Tokens, it.tok.tok)
		}
	}
	return enc
}
