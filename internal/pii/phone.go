package pii

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// phonenumbers' own matcher is not ported to Go, so candidates come from
// phoneRe and each is parsed and validated by the library.
var phoneRe = lazyRegexp(`(?i)(?:\+|\b00)?(?:\(\+?\d{1,4}\)[ .\-]?)?\d[\d .\-/()]{4,22}\d(?:\s*(?:x|ext\.?|extension|#)\s*\d{1,6})?`)

var isoDateRe = lazyRegexp(`^\d{4}-\d{2}-\d{2}`)

var phoneContext = []string{"phone", "tel", "tel.", "telephone", "call", "mobile", "cell", "fax", "contact", "reach", "whatsapp", "sms", "text me",
	"telefon", "handy", "rufnummer", "anrufen", "téléphone", "telephone", "portable", "appeler", "teléfono", "telefono", "móvil", "movil", "llamar", "celular"}

// regionsFor returns the regions a national number is tried in, the
// language's own first.
func regionsFor(lang string) []string {
	first := map[string]string{"en": "US", "de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL", "pt": "PT", "pl": "PL"}[lang]
	out := []string{}
	if first != "" {
		out = append(out, first)
	}
	for _, r := range []string{"US", "GB", "DE", "FR", "ES", "IT", "NL", "CA", "AU", "IN", "CH", "AT"} {
		if r != first {
			out = append(out, r)
		}
	}
	return out
}

// findPhones returns phone-number matches in text.
func (a *Analyzer) findPhones(text, lower string, out []Match) []Match {
	memo := map[string]float64{} // a number repeated in a text is parsed once
	for _, loc := range phoneRe().FindAllStringIndex(text, -1) {
		s, e := loc[0], loc[1]
		// Trim unbalanced brackets and separators the pattern took in.
		for e > s && strings.ContainsRune(" .-/(", rune(text[e-1])) {
			e--
		}
		for s < e && strings.ContainsRune(" .-/)", rune(text[s])) {
			s++
		}
		if e-s > 40 || !boundaryOK(text, s, e) {
			continue
		}
		cand := text[s:e]
		if strings.Count(cand, "(") != strings.Count(cand, ")") {
			if cand[0] == '(' || strings.HasPrefix(cand, "+(") {
				continue
			}
			if i := strings.IndexByte(cand, '('); i > 0 {
				e = s + i
				for e > s && text[e-1] == ' ' {
					e--
				}
				cand = text[s:e]
			}
		}
		if isoDateRe().MatchString(cand) {
			continue
		}
		core := cand
		if i := strings.IndexAny(strings.ToLower(core), "xe#"); i > 0 {
			core = core[:i]
		}
		nd := len(Digits(core))
		if nd < 7 || nd > 15 || allSame(Digits(core)) || dateRe().MatchString(cand) && len(dateRe().FindString(cand)) == len(cand) {
			continue
		}
		score, seen := memo[cand]
		if !seen {
			score = a.phoneScore(cand)
			memo[cand] = score
		}
		if score <= 0 {
			continue
		}
		if hasContext(lower, s, e, phoneContext) {
			score = min(1, score+contextBoost)
		}
		out = append(out, Match{Type: Phone, Start: s, End: e, Score: score})
	}
	return out
}

// phoneScore validates a candidate: a number valid in some region scores
// 0.75, one merely possible 0.55 when written with phone-like grouping,
// else 0.35; one that does not parse scores 0.
func (a *Analyzer) phoneScore(cand string) float64 {
	p := cand
	if strings.HasPrefix(p, "00") {
		p = "+" + p[2:]
	}
	best := 0.0
	var num phonenumbers.PhoneNumber
	for _, r := range a.regions {
		if err := phonenumbers.ParseToNumber(p, r, &num); err != nil {
			continue
		}
		if phonenumbers.IsValidNumber(&num) {
			return 0.75
		}
		if phonenumbers.IsPossibleNumber(&num) {
			best = 0.35
			if grouped(cand) {
				best = 0.55
			}
		}
		if strings.HasPrefix(p, "+") {
			break // the region is in the number itself
		}
	}
	return best
}

// grouped reports whether a candidate is written like a phone number:
// separators between digit groups, or a bracketed area code, or a leading +.
func grouped(s string) bool {
	return strings.HasPrefix(s, "+") || strings.Contains(s, "(") ||
		strings.Count(s, "-") >= 2 || strings.Count(s, ".") >= 2 || strings.Count(s, " ") >= 2
}
