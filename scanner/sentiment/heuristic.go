package sentiment

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/wordshape"
	"github.com/llmshield/llmshield/scanner"
)

// Labels returned in Analysis.Label.
const (
	LabelPositive = "POSITIVE"
	LabelNeutral  = "NEUTRAL"
	LabelNegative = "NEGATIVE"
)

// Scoring constants (chosen for llmshield and tuned on the train split of
// the VADER ground-truth sentences).
const (
	// normAlpha maps the raw valence sum s to s/sqrt(s*s+normAlpha).
	normAlpha = 15
	// negScale multiplies the valence of a negated word ("not good").
	negScale = -0.7
	// capsBoost is added to the magnitude of a word in ALL CAPS when the
	// rest of the text is not all caps.
	capsBoost = 0.7
	// bangBoost is added to the magnitude of the sum per "!" (at most maxBangs).
	bangBoost = 0.25
	maxBangs  = 4
	// before/after a contrast word ("but") in the same sentence.
	beforeContrast = 0.5
	afterContrast  = 1.5
	// window of tokens before a word in which boosters and negations act.
	modWindow = 3
	// labelPositive / labelNegative: compound thresholds for the labels
	// (best 3-class accuracy on the train split).
	labelPositive = 0.05
	labelNegative = -0.05
	// maxFindings caps the findings of one analysis.
	maxFindings = 8
)

// Analysis is the heuristic verdict on one text.
type Analysis struct {
	// Compound is the overall sentiment in [-1,1]; negative is negative.
	Compound float64
	// Label is POSITIVE, NEUTRAL or NEGATIVE.
	Label string
	// Risk is how negative the text is: max(0, -Compound), in [0,1].
	Risk float64
	// Findings point at the strongest negative phrases (spans into the
	// original text), ordered by start offset.
	Findings []scanner.Finding
}

type wordInfo struct {
	val      float64 // valence, 0 if none
	boost    float64 // booster (>0) or diminisher (<0) scale, 0 if none
	neg      bool
	contrast bool
	dimFirst bool // first word of a multi-word diminisher
	lang     int8 // 1: valence only in English text, 2: only in German text
	stop     int8 // 1: English stop word, 2: German stop word, 3: both
	idioms   []idiom
}

type idiom struct {
	words []string // the words after the first
	val   float64
}

// Heuristic is a lexicon-and-rules sentiment analyser. Text is normalised
// (internal/normalize), split into word tokens, emoticons and emoji, and
// each token is looked up once in a hash map. Rules, applied per word:
// ALL-CAPS emphasis, boosters and diminishers in the three tokens before
// ("very good", "slightly annoying"), negation in the three tokens before
// ("not good" turns negative, "not bad" positive), contrast ("but",
// "aber": the clause before counts half, the one after one and a half
// times), fixed idioms ("waste of time"), and exclamation marks that
// strengthen the total. The sum is squashed into a compound score in
// [-1,1]. English, with basic German.
//
// A Heuristic is immutable after NewHeuristic and safe for concurrent use.
type Heuristic struct {
	dict map[string]*wordInfo
}

// NewHeuristic builds the lexicon. It fails only if the built-in tables are
// malformed, which tests rule out.
func NewHeuristic() (*Heuristic, error) {
	h := &Heuristic{dict: map[string]*wordInfo{}}
	get := func(k string) *wordInfo {
		wi := h.dict[k]
		if wi == nil {
			wi = &wordInfo{}
			h.dict[k] = wi
		}
		return wi
	}
	for _, g := range valences {
		if g.v == 0 || g.v < -4 || g.v > 4 {
			return nil, fmt.Errorf("valence group %v: out of range", g.v)
		}
		for _, raw := range strings.Fields(g.words) {
			infl := strings.HasSuffix(raw, "+")
			w := normalize.String(strings.TrimSuffix(raw, "+"))
			if !isSingleToken(w) {
				return nil, fmt.Errorf("lexicon word %q: not a single token", raw)
			}
			forms := []string{w}
			if infl {
				forms = append(forms, inflect(w)...)
			}
			for i, f := range forms {
				wi := get(f)
				if wi.val != 0 && i > 0 {
					continue // explicit entries win over generated forms
				}
				wi.val = g.v
			}
		}
	}
	for k, v := range emoticons {
		get(normalize.String(k)).val = v
	}
	for _, w := range strings.Fields(negationWords) {
		get(normalize.String(w)).neg = true
	}
	for k, v := range boosters {
		get(normalize.String(k)).boost = v
	}
	for _, w := range strings.Fields(contrastWords) {
		get(normalize.String(w)).contrast = true
	}
	for _, w := range strings.Fields(englishOnly) {
		get(normalize.String(w)).lang = 1
	}
	for _, w := range strings.Fields(germanOnly) {
		get(normalize.String(w)).lang = 2
	}
	for _, w := range strings.Fields(englishStop) {
		get(normalize.String(w)).stop |= 1
	}
	for _, w := range strings.Fields(germanStop) {
		get(normalize.String(w)).stop |= 2
	}
	for k := range diminisherPairs {
		get(k[0]).dimFirst = true
	}
	for k, v := range idioms {
		ws := strings.Fields(normalize.String(k))
		if len(ws) == 1 {
			get(ws[0]).val = v
			continue
		}
		if len(ws) == 0 {
			return nil, fmt.Errorf("idiom %q: empty", k)
		}
		wi := get(ws[0])
		wi.idioms = append(wi.idioms, idiom{words: ws[1:], val: v})
	}
	for _, wi := range h.dict {
		// longest idiom first, then alphabetical, for determinism
		sort.Slice(wi.idioms, func(i, j int) bool {
			a, b := wi.idioms[i], wi.idioms[j]
			if len(a.words) != len(b.words) {
				return len(a.words) > len(b.words)
			}
			return strings.Join(a.words, " ") < strings.Join(b.words, " ")
		})
	}
	return h, nil
}

func isSingleToken(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' {
			return false
		}
	}
	return true
}

// inflect returns regular English inflections of a word.
func inflect(w string) []string {
	n := len(w)
	var out []string
	switch {
	case strings.HasSuffix(w, "e"):
		out = append(out, w+"s", w+"d", w[:n-1]+"ing")
	case strings.HasSuffix(w, "y") && n > 2 && !isVowel(w[n-2]):
		out = append(out, w[:n-1]+"ies", w[:n-1]+"ied", w+"ing")
	case strings.HasSuffix(w, "s") || strings.HasSuffix(w, "sh") || strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "x"):
		out = append(out, w+"es", w+"ed", w+"ing")
	default:
		out = append(out, w+"s", w+"ed", w+"ing")
		if n >= 3 && n <= 4 && !isVowel(w[n-1]) && isVowel(w[n-2]) && !isVowel(w[n-3]) && w[n-1] != 'w' && w[n-1] != 'y' {
			d := w + w[n-1:]
			out = append(out, d+"ed", d+"ing")
		}
	}
	return out
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

type tok struct {
	w     string // the token's normalised text
	s, e  int32  // byte range in the original text
	info  *wordInfo
	sent  int32 // sentence number
	caps  bool  // ALL CAPS in the original text
	emoji bool
}

// contribution is one scored word.
type contribution struct {
	v        float64
	from, to int // token range the phrase covers
	negated  bool
	emoticon bool
}

// Analyze scores text. It never panics; invalid UTF-8 bytes are read as
// U+FFFD by normalisation.
func (h *Heuristic) Analyze(text string) Analysis {
	a := Analysis{Label: LabelNeutral, Findings: []scanner.Finding{}}
	if strings.TrimSpace(text) == "" {
		return a
	}
	toks := h.tokenizeText(text)
	// ALL CAPS counts as emphasis only when some, not all, words are caps.
	words, capsWords := 0, 0
	for i := range toks {
		if toks[i].emoji {
			continue
		}
		words++
		lo, hi := int(toks[i].s), int(toks[i].e)
		if allCaps(text[lo:hi]) {
			toks[i].caps = true
			capsWords++
		}
	}
	capsEmphasis := capsWords > 0 && capsWords < words
	// Language: German when German stop words outnumber English ones.
	en, de := 0, 0
	for i := range toks {
		if ti := toks[i].info; ti != nil {
			en += int(ti.stop & 1)
			de += int(ti.stop >> 1)
		}
	}
	lang := int8(1)
	if de > en {
		lang = 2
	}
	// Contrast: the first contrast word of each sentence.
	contrastAt := map[int32]int{}
	for i := range toks {
		if ti := toks[i].info; ti != nil && ti.contrast && i > 0 && toks[i-1].sent == toks[i].sent {
			if _, seen := contrastAt[toks[i].sent]; !seen {
				contrastAt[toks[i].sent] = i
			}
		}
	}
	var contribs []contribution
	sum := 0.0
	skipUntil := -1
	for i := 0; i < len(toks); i++ {
		ti := toks[i].info
		if ti == nil || i < skipUntil {
			continue
		}
		v, from, to := ti.val, i, i+1
		if ti.lang != 0 && ti.lang != lang {
			v = 0
		}
		// idioms
		for _, id := range ti.idioms {
			if matchIdiom(toks, i+1, id.words) {
				v, to = id.val, i+1+len(id.words)
				skipUntil = to
				break
			}
		}
		if v == 0 {
			continue
		}
		if ti.dimFirst && to == i+1 && i+1 < len(toks) {
			if _, ok := diminisherPairs[[2]string{toks[i].w, toks[i+1].w}]; ok {
				continue // "kind of": a diminisher here
			}
		}
		if ti.boost != 0 && to == i+1 && i+1 < len(toks) && toks[i+1].info != nil && toks[i+1].info.val != 0 {
			continue // "pretty good", "super nice": a booster here, not a word of its own
		}
		sign := math.Copysign(1, v)
		if capsEmphasis && toks[i].caps {
			v += sign * capsBoost
		}
		negated := false
		for d := 1; d <= modWindow && i-d >= 0; d++ {
			j := i - d
			if toks[j].sent != toks[i].sent {
				break
			}
			pj := toks[j].info
			if pj == nil {
				continue
			}
			if pj.boost != 0 && (pj.val == 0 || j+1 < len(toks) && toks[j+1].info != nil && toks[j+1].info.val != 0) {
				b := pj.boost * (1 - 0.1*float64(d-1))
				if capsEmphasis && toks[j].caps && b > 0 {
					b += 0.3
				}
				v += sign * b
				from = min(from, j)
			}
			if j > 0 {
				if pp := toks[j-1].info; pp != nil && pp.dimFirst {
					if b, ok := diminisherPairs[[2]string{toks[j-1].w, toks[j].w}]; ok && d == 1 {
						v += sign * b
						from = min(from, j-1)
					}
				}
			}
			if pj.neg || isNT(toks[j].w) || toks[j].w == "least" && (j == 0 || toks[j-1].w != "at") {
				if j+1 < len(toks) && (toks[j+1].w == "only" || toks[j+1].w == "just") {
					continue // "not only good but ..."
				}
				negated = true
				from = min(from, j)
			}
		}
		if negated {
			v *= negScale
		}
		if ci, ok := contrastAt[toks[i].sent]; ok {
			if i < ci {
				v *= beforeContrast
			} else {
				v *= afterContrast
			}
		}
		sum += v
		contribs = append(contribs, contribution{v: v, from: from, to: to, negated: negated, emoticon: toks[i].emoji || ti.val != 0 && !isWordStart(toks[i].w[0])})
	}
	if sum != 0 {
		bangs := min(strings.Count(text, "!"), maxBangs)
		sum += math.Copysign(float64(bangs)*bangBoost, sum)
	}
	c := sum / math.Sqrt(sum*sum+normAlpha)
	c = math.Max(-1, math.Min(1, c))
	if c != c { // NaN cannot happen with finite sums; keep the result defined anyway
		c = 0
	}
	a.Compound = math.Round(c*1e4) / 1e4
	switch {
	case a.Compound >= labelPositive:
		a.Label = LabelPositive
	case a.Compound <= labelNegative:
		a.Label = LabelNegative
	}
	a.Risk = scanner.ClampRisk(math.Max(0, -a.Compound))
	// Findings: the strongest negative contributions.
	neg := make([]contribution, 0, len(contribs))
	for _, ct := range contribs {
		if ct.v < 0 {
			neg = append(neg, ct)
		}
	}
	sort.SliceStable(neg, func(i, j int) bool { return neg[i].v < neg[j].v })
	if len(neg) > maxFindings {
		neg = neg[:maxFindings]
	}
	for _, ct := range neg {
		lo, hi := int(toks[ct.from].s), int(toks[ct.to-1].e)
		how := "lexicon"
		switch {
		case ct.emoticon:
			how = "emoticon"
		case ct.negated:
			how = "negated"
		}
		a.Findings = append(a.Findings, scanner.Finding{Rule: "negative_phrase", Start: lo, End: hi,
			Score: math.Round(math.Min(1, -ct.v/4)*1e4) / 1e4, Detail: "negative sentiment (" + how + ")"})
	}
	sort.SliceStable(a.Findings, func(i, j int) bool {
		if a.Findings[i].Start != a.Findings[j].Start {
			return a.Findings[i].Start < a.Findings[j].Start
		}
		return a.Findings[i].End < a.Findings[j].End
	})
	return a
}

// asciiLower returns s with ASCII letters lower-cased (same length).
func asciiLower(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isWordStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80 }

func isNT(w string) bool {
	return strings.HasSuffix(w, "n't") || strings.HasSuffix(w, "n\u2019t")
}

func matchIdiom(toks []tok, i int, words []string) bool {
	if i+len(words) > len(toks) {
		return false
	}
	for k, w := range words {
		if toks[i+k].w != w {
			return false
		}
	}
	return true
}

// allCaps reports whether s has at least two letters and no lower-case one.
func allCaps(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			letters++
		}
	}
	return letters >= 2
}

func isWordASCII(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// emoticonByte marks bytes that can start or make up an ASCII emoticon.
var emoticonByte = func() (t [256]bool) {
	for _, c := range []byte(":;=<>()[]/\\^_-'@|3dpsx") {
		t[c] = true
	}
	return t
}()

// tokenizeText splits text into tokens line by line. A line of printable
// ASCII only needs lower-casing, which keeps byte offsets; other lines are
// normalised (look-alike letters, fullwidth forms, accents, invisible
// characters) with a map back to the original offsets.
func (h *Heuristic) tokenizeText(text string) []tok {
	toks := make([]tok, 0, len(text)/6+1)
	lower := asciiLower(text)
	var sent int32
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start + 1
		}
		line := text[start:end]
		if isPlainASCII(line) {
			off := start
			toks, sent = h.tokenize(lower[start:end], func(s, e int) (int, int) { return off + s, off + e }, toks, sent)
		} else {
			seg := &normalize.Normalize(line, normalize.Options{}).Segments[0]
			off := start
			toks, sent = h.tokenize(seg.Text, func(s, e int) (int, int) {
				a, b := seg.Span(s, e)
				return off + a, off + b
			}, toks, sent)
		}
		start = end
	}
	return toks
}

// isPlainASCII reports whether s is printable ASCII (tab and line breaks
// allowed).
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c < ' ' && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}

// tokenize appends the tokens of normalised text t: words (letters and
// digits, with an apostrophe inside a word), ASCII emoticons and emoji.
// span maps offsets of t to the original text. Sentences are numbered
// from sent on.
func (h *Heuristic) tokenize(t string, span func(s, e int) (int, int), toks []tok, sent int32) ([]tok, int32) {
	add := func(s, e int, wi *wordInfo, emoji bool) {
		a, b := span(s, e)
		toks = append(toks, tok{w: t[s:e], s: int32(a), e: int32(b), info: wi, sent: sent, emoji: emoji})
	}
	for i := 0; i < len(t); {
		c := t[i]
		if c < utf8.RuneSelf && !isWordASCII(c) {
			// emoticon: a run of non-space bytes starting here
			if emoticonByte[c] {
				j := i
				for j < len(t) && j-i < 4 && t[j] > ' ' && t[j] < utf8.RuneSelf {
					j++
				}
				for k := j; k >= i+2; k-- {
					if k < len(t) && (isWordASCII(t[k]) || t[k] == '/') {
						continue // "http://x" is no ":/"
					}
					if wi := h.dict[t[i:k]]; wi != nil && wi.val != 0 {
						add(i, k, wi, true)
						i = k
						goto next
					}
				}
			}
			switch c {
			case '.', '!', '?', '\n', ';':
				sent++
			}
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(t[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				if wi := h.dict[t[i:i+size]]; wi != nil && wi.val != 0 {
					add(i, i+size, wi, true)
				}
				i += size
				continue
			}
		}
		{
			start := i
			for i < len(t) {
				c := t[i]
				if c < utf8.RuneSelf {
					if isWordASCII(c) {
						i++
						continue
					}
					if c == '\'' && i+1 < len(t) && isWordASCII(t[i+1]) && i > start {
						i++
						continue
					}
					break
				}
				r, size := utf8.DecodeRuneInString(t[i:])
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					i += size
					continue
				}
				if r == '\u2019' && i+size < len(t) && isWordASCII(t[i+size]) {
					i += size
					continue
				}
				break
			}
			w := t[start:i]
			wi := h.dict[w]
			if wi == nil && strings.Contains(w, "\u2019") {
				wi = h.dict[strings.ReplaceAll(w, "\u2019", "'")]
			}
			if wi == nil && strings.IndexByte(w, '\'') >= 0 {
				wi = h.dict[strings.ReplaceAll(w, "'", "")]
			}
			if wi == nil && wordshape.Stretched(w) {
				wi = h.dict[wordshape.Squeeze(w, 2)]
				if wi == nil {
					wi = h.dict[wordshape.Squeeze(w, 1)]
				}
			}
			add(start, i, wi, false)
		}
	next:
	}
	return toks, sent + 1
}

// Assess returns the heuristic risk and findings (the rule side of the
// hybrid Scanner).
func (h *Heuristic) Assess(text string) (float64, []scanner.Finding) {
	a := h.Analyze(text)
	return a.Risk, a.Findings
}

// Fingerprint is the lexicon version; it is part of the Scanner's cache key.
func (h *Heuristic) Fingerprint() string { return LexiconVersion }
