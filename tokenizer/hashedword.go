package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"
)

// HashedWordFeatures is the tokenizer.json model type of the per-word hashed
// feature extractor used by llmshield's token classifiers (the built-in NER
// model): every word or punctuation token of the text becomes exactly
// [HashedWordFeaturesK] ids, one per feature, all carrying that token's byte
// offsets. A model reads the ids in groups of K (one group per word) and
// returns one logit row per id, so Hugging Face's token-classification
// post-processing (word ids from offsets, aggregation "first") applies
// unchanged. training/ner_features.py is the Python twin;
// testdata/hashedword/reference.jsonl is compared against it.
//
// The algorithm (version 1), parameters from the model section:
//
//  1. Tokens: the text is read by code point, without normalisation, so
//     offsets are exact. White space (unicode.IsSpace) and control (Cc) and
//     format (Cf) characters separate tokens and are dropped; a maximal run
//     of letters, marks and numbers (Unicode L, M, N) is one token; any other
//     code point (punctuation, symbols) is a token of its own.
//  2. Features of a token, in slot order (features must list exactly these):
//     "lower" (lower-cased code point by code point; U+0130 'İ', whose
//     lower case is two code points, is kept), "shape"
//     (Lu → 'X', Ll → 'x', other letters → 'l', marks dropped, numbers →
//     'd', anything else itself; a run of one symbol is cut after 3),
//     "prefix2", "prefix3" (first code points of lower), "suffix2",
//     "suffix3", "suffix4" (last code points of lower), "cased" (the token
//     as written).
//  3. Hash of the feature string s in slot k (hash "fnv1a64-cp-fmix64"):
//     FNV-1a 64 over its code points, then the value 0x130000+k mixed in the
//     same way, then the MurmurHash3 64-bit finaliser; id = first_id + hash
//     mod buckets.
//
// Token strings are the token's text. Encodings of this model have a length
// that is a multiple of K when no special tokens are added and MaxLength is
// a multiple of K (truncation otherwise may cut a word's group).
const HashedWordFeatures = "HashedWordFeatures"

// HashedWordFeaturesK is the number of ids per token of a HashedWordFeatures
// tokenizer (version 1).
const HashedWordFeaturesK = 8

const hashSlotTag = 0x130000

// hashedWordFeatureNames are the version 1 features in slot order.
var hashedWordFeatureNames = [HashedWordFeaturesK]string{"lower", "shape", "prefix2", "prefix3", "suffix2", "suffix3", "suffix4", "cased"}

type hashedWordModel struct {
	hashedHeader
	Features []string `json:"features"`
}

// hashedWordModelName names the HashedWordFeatures model in errors.
const hashedWordModelName = "hashed word features model"

// hashedWordPipeline implements pipeline for HashedWordFeatures.
type hashedWordPipeline struct {
	hashedVocab
}

func parseHashedWordModel(m json.RawMessage) (*hashedWordPipeline, error) {
	var c hashedWordModel
	if err := json.Unmarshal(m, &c); err != nil {
		return nil, err
	}
	if err := c.checkFormat(hashedWordModelName); err != nil {
		return nil, err
	}
	if !slices.Equal(c.Features, hashedWordFeatureNames[:]) {
		return nil, fmt.Errorf("%s: features %q are not the version 1 features %q", hashedWordModelName, c.Features, hashedWordFeatureNames)
	}
	if err := c.checkSize(hashedWordModelName); err != nil {
		return nil, err
	}
	v, err := c.vocab(hashedWordModelName)
	if err != nil {
		return nil, err
	}
	return &hashedWordPipeline{v}, nil
}

func isWordSep(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
}

func (p *hashedWordPipeline) encode(text string, b *tokBuf) {
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if isWordSep(r) {
			i += n
			continue
		}
		s := i
		i += n
		if isHashedWordRune(r) {
			for i < len(text) {
				r2, n2 := utf8.DecodeRuneInString(text[i:])
				if !isHashedWordRune(r2) {
					break
				}
				i += n2
			}
		}
		p.addToken(text[s:i], int32(s), int32(i), b)
	}
}

// addToken appends the K feature ids of tok.
func (p *hashedWordPipeline) addToken(tok string, s, e int32, b *tokBuf) {
	// lower-cased code points (simple mapping)
	b.scratch = b.scratch[:0]
	nc := 0
	for _, r := range tok {
		if r != 'İ' { // the one letter whose full lower case is two code points stays
			r = unicode.ToLower(r)
		}
		b.scratch = utf8.AppendRune(b.scratch, r)
		nc++
	}
	lower := b.scratch
	// byte index of the k-th code point of lower, from the start and the end
	prefix := func(k int) []byte {
		if k >= nc {
			return lower
		}
		j := 0
		for ; k > 0; k-- {
			_, n := utf8.DecodeRune(lower[j:])
			j += n
		}
		return lower[:j]
	}
	suffix := func(k int) []byte {
		if k >= nc {
			return lower
		}
		j := len(lower)
		for ; k > 0; k-- {
			_, n := utf8.DecodeLastRune(lower[:j])
			j -= n
		}
		return lower[j:]
	}
	add := func(slot int, h uint64) {
		h = fnvStep(h, uint32(hashSlotTag+slot))
		id := p.firstID + int(fmix64(h)%p.buckets)
		b.add(int32(id), s, e, tok)
	}
	add(0, hashBytes(lower))
	add(1, shapeHash(tok))
	add(2, hashBytes(prefix(2)))
	add(3, hashBytes(prefix(3)))
	add(4, hashBytes(suffix(2)))
	add(5, hashBytes(suffix(3)))
	add(6, hashBytes(suffix(4)))
	h := uint64(fnvOffset64)
	for _, r := range tok {
		h = fnvStep(h, uint32(r))
	}
	add(7, h)
}

// hashBytes is FNV-1a 64 over the code points of UTF-8 s.
func hashBytes(s []byte) uint64 {
	h := uint64(fnvOffset64)
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		h = fnvStep(h, uint32(r))
		s = s[n:]
	}
	return h
}

const shapeRun = 3

// shapeHash hashes the word shape of tok without building the string.
func shapeHash(tok string) uint64 {
	h := uint64(fnvOffset64)
	var last rune = -1
	run := 0
	for _, r := range tok {
		var x rune
		switch {
		case unicode.IsUpper(r):
			x = 'X'
		case unicode.IsLower(r):
			x = 'x'
		case unicode.IsLetter(r):
			x = 'l'
		case unicode.IsMark(r):
			continue
		case unicode.IsNumber(r):
			x = 'd'
		default:
			x = r
		}
		if x == last {
			run++
			if run > shapeRun {
				continue
			}
		} else {
			last, run = x, 1
		}
		h = fnvStep(h, uint32(x))
	}
	return h
}

func fromHashedWordJSON(f *hfFile, cfg Config) (*Tokenizer, error) {
	if !isNull(f.Normalizer) || !isNull(f.PreTokenizer) || !isNull(f.PostProcessor) {
		return nil, errors.New("tokenizer: tokenizer.json: a HashedWordFeatures model splits and normalises itself and adds no special tokens; normalizer, pre_tokenizer and post_processor must be null")
	}
	if len(f.AddedTokens) > 0 {
		return nil, errors.New("tokenizer: tokenizer.json: a HashedWordFeatures model takes no added_tokens (declare special_tokens in the model)")
	}
	p, err := parseHashedWordModel(f.Model)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: tokenizer.json: model: %w", err)
	}
	return f.hashedTokenizer(p, p.specials, postProcessor{}, cfg, "hashed-word-features")
}
