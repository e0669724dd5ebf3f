package pii

import (
	"net/netip"
	"regexp"
	"strings"
	"sync"
)

// Entity types. The names follow Presidio's, which LLM Guard reports.
const (
	Email          = "EMAIL_ADDRESS"
	Phone          = "PHONE_NUMBER"
	CreditCard     = "CREDIT_CARD"
	IBAN           = "IBAN_CODE"
	USSSN          = "US_SSN"
	IPAddress      = "IP_ADDRESS"
	URL            = "URL"
	UUID           = "UUID"
	Crypto         = "CRYPTO"
	DateOfBirth    = "DATE_OF_BIRTH"
	Passport       = "PASSPORT"
	DriverLicense  = "DRIVER_LICENSE"
	TaxID          = "TAX_ID"
	Person         = "PERSON"
	Organization   = "ORGANIZATION"
	Location       = "LOCATION"
	Custom         = "CUSTOM"
	contextBoost   = 0.35
	contextBefore  = 48 // bytes of text before a match searched for context words
	contextAfter   = 24
	maxMatchLength = 256
)

// AllTypes lists every built-in entity type, in a stable order.
var AllTypes = []string{
	Email, Phone, CreditCard, IBAN, USSSN, IPAddress, URL, UUID, Crypto,
	DateOfBirth, Passport, DriverLicense, TaxID, Person, Organization, Location,
}

// pattern is a regular-expression recognizer: re finds candidates (group
// 1 when it has one, else the whole match), validate confirms them and
// may change the score, and context words near a candidate raise it.
type pattern struct {
	entity   string
	re       *regexp.Regexp
	score    float64
	validate func(s string) (float64, bool)
	context  []string
	// needContext drops candidates with no context word nearby.
	needContext bool
	// pre is a cheap test on the whole text; false skips the pattern.
	pre func(st *textStats) bool
	// trigger, when set, is a byte every match contains: the pattern then
	// runs only on the windows around its occurrences, each window
	// stretched over the bytes in span (so that a window edge is never
	// inside a possible match).
	trigger byte
	span    func(c byte) bool
}

// urlByte may be part of a URL, a domain or an e-mail address.
func urlByte(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v', '<', '>', '"', '\'', '(', ')', '[', ']', '{', '}':
		return false
	}
	return true
}

// wordOrDot may be part of an IPv4 address or sit next to one.
func wordOrDot(c byte) bool { return isAlnumByte(c) || c == '_' || c == '.' }

// textStats are facts about a text that let patterns skip it cheaply.
type textStats struct {
	lower  string
	digits int
	at     bool // has '@'
	colons int
	scheme bool // has "://" or "www."
	dotTLD bool // has a dot between a letter or digit and a letter ("x.com")
	// digitRun is the most digits in a run where single ' ', '-' or '.'
	// may separate them; alnumRun the longest run of ASCII letters and digits.
	digitRun, alnumRun int
	dashes             int
}

func statsOf(text, lower string) *textStats {
	st := &textStats{lower: lower}
	run, alnum := 0, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if isAlnumByte(c) {
			alnum++
			st.alnumRun = max(st.alnumRun, alnum)
		} else {
			alnum = 0
		}
		switch {
		case c >= '0' && c <= '9':
			run++
			st.digitRun = max(st.digitRun, run)
		case (c == ' ' || c == '-' || c == '.') && i > 0 && text[i-1] >= '0' && text[i-1] <= '9':
		default:
			run = 0
		}
		if c == '-' {
			st.dashes++
		}
		switch {
		case c >= '0' && c <= '9':
			st.digits++
		case c == '@':
			st.at = true
		case c == ':':
			st.colons++
		case c == '.':
			if i > 0 && i+1 < len(text) && isAlnumByte(text[i-1]) && isAlnumByte(text[i+1]) && !(text[i+1] >= '0' && text[i+1] <= '9') {
				st.dotTLD = true
			}
		}
	}
	st.scheme = strings.Contains(lower, "://") || strings.Contains(lower, "www.")
	return st
}

func digitRun(n int) func(*textStats) bool {
	return func(st *textStats) bool { return st.digitRun >= n }
}

func minDigits(n int) func(*textStats) bool {
	return func(st *textStats) bool { return st.digits >= n }
}

// anyWord reports whether any context word occurs in the text at all.
func anyWord(words []string) func(*textStats) bool {
	return func(st *textStats) bool {
		for _, w := range words {
			if strings.Contains(st.lower, w) {
				return true
			}
		}
		return false
	}
}

var (
	emailRe = lazyRegexp(`[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]+`)
	urlRe   = lazyRegexp(`(?i)\b(?:https?://|ftp://|www\.)[^\s<>"'()\[\]{}]+[^\s<>"'()\[\]{}.,;:!?]`)
	domRe   = lazyRegexp(`(?i)\b(?:[a-z0-9][a-z0-9\-]*\.)+(?:com|org|net|edu|gov|io|info|biz|co|uk|de|fr|es|it|nl|eu|ru|us|ca|au|ch|at|be|jp|cn|in|br|mx|ar|pl|se|no|dk|fi|pt|cz|gr|tr|il|za|app|dev|ai)\b(?:/[^\s<>"'()\[\]{}]*[^\s<>"'()\[\]{}.,;:!?])?`)
	cardRe  = lazyRegexp(`\b(?:\d[ \-]?){11,18}\d\b`)
	ibanRe  = lazyRegexp(`\b[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]{4}){2,7}(?:[ \-]?[A-Z0-9]{1,3})?\b`)
	ssnRe   = lazyRegexp(`\b\d{3}([- .]?)\d{2}([- .]?)\d{4}\b`)
	ipv4Re  = lazyRegexp(`\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b`)
	ipv6Re  = lazyRegexp(`(?i)(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{0,4}|(?:\d{1,3}\.){3}\d{1,3})`)
	uuidRe  = lazyRegexp(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	months  = `(?:jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|f[ée]vr(?:ier)?|febrero|m[aä]r(?:ch|z)?|mars|marzo|apr(?:il)?|avr(?:il)?|abril|may|mai|mayo|jun(?:e|i)?|juin|junio|jul(?:y|i)?|juil(?:let)?|julio|aug(?:ust)?|ao[uû]t|agosto|sep(?:t(?:ember)?)?|septiembre|oct(?:ober)?|okt(?:ober)?|octobre|octubre|nov(?:ember)?|novembre|noviembre|dec(?:ember)?|dez(?:ember)?|d[ée]c(?:embre)?|diciembre)`
	dateRe  = lazyRegexp(`(?i)\b(?:\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)\d{2}|(?:19|20)\d{2}[./\-]\d{1,2}[./\-]\d{1,2}|\d{1,2}\.?\s+(?:de\s+)?` + months + `\.?\s+(?:de\s+)?(?:19|20)\d{2}|` + months + `\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})\b`)
	passRe  = lazyRegexp(`\b[A-Z0-9]{6,9}\b`)
	dlRe    = lazyRegexp(`\b[A-Z]{1,2}[\- ]?\d{4,14}\b|\b\d{7,12}\b|\b[A-Z]\d{3}-\d{3}-\d{2}-\d{3}-\d\b|\b[A-Z0-9]{5}\d{6}[A-Z0-9]{5}\b`)
	taxRe   = lazyRegexp(`\b\d{2}-\d{7}\b|\b9\d{2}-[78]\d-\d{4}\b|\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b|\b\d{13}\b|\b[XYZ0-9]\d{7}[A-Z]\b|\b\d{3} ?\d{3} ?\d{3}\b`)
)

func ok(score float64) func(string) (float64, bool) {
	return func(string) (float64, bool) { return score, true }
}

// builtinPatterns returns the recognizers for the structured types.
func builtinPatterns() []pattern {
	return []pattern{
		{entity: Email, re: emailRe(), score: 1, pre: func(st *textStats) bool { return st.at }, trigger: '@', span: urlByte, validate: func(s string) (float64, bool) {
			at := strings.LastIndexByte(s, '@')
			if at <= 0 || at > 64 || len(s)-at > 254 || strings.Contains(s[at:], "..") {
				return 0, false
			}
			tld := s[strings.LastIndexByte(s, '.')+1:]
			return 1, len(tld) >= 2 && len(tld) <= 24
		}},
		{entity: URL, re: urlRe(), score: 0.85, validate: ok(0.85), pre: func(st *textStats) bool { return st.scheme }, trigger: '.', span: urlByte,
			context: []string{"url", "website", "site", "link", "domain", "web", "visit", "page"}},
		{entity: URL, re: domRe(), score: 0.6, validate: ok(0.6), pre: func(st *textStats) bool { return st.dotTLD }, trigger: '.', span: urlByte,
			context: []string{"url", "website", "site", "link", "domain", "web", "visit", "page"}},
		{entity: CreditCard, re: cardRe(), score: 1, pre: digitRun(12), validate: func(s string) (float64, bool) {
			d := Digits(s)
			if len(d) < 12 || len(d) > 19 || allSame(d) || !luhn(d) {
				return 0, false
			}
			if len(d) == 12 {
				// Only Maestro issues 12-digit cards: reported with context.
				return 0.45, d[0] == '5' || d[0] == '6'
			}
			// Major networks' prefixes score higher than an unknown one.
			switch d[0] {
			case '2', '3', '4', '5', '6':
				return 1, true
			}
			return 0.6, true
		}, context: []string{"card", "credit", "visa", "mastercard", "amex", "cc", "karte", "kreditkarte", "carte", "tarjeta", "payment"}},
		{entity: IBAN, re: ibanRe(), score: 1, pre: minDigits(4), validate: func(s string) (float64, bool) {
			c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s))
			if ibanValid(c) {
				return 1, true
			}
			// The right length for its country but a wrong check sum: most
			// likely a mistyped IBAN, still personal data.
			n, known := ibanLengths[c[:2]]
			return 0.5, known && n == len(c)
		}, context: []string{"iban", "bank", "account", "konto", "compte", "cuenta", "transfer"}},
		{entity: USSSN, re: ssnRe(), score: 0.5, pre: digitRun(9), validate: func(s string) (float64, bool) {
			m := ssnRe().FindStringSubmatch(s)
			if m == nil || m[1] != m[2] { // mixed separators
				return 0, false
			}
			if !ssnValid(Digits(s)) {
				return 0, false
			}
			switch m[1] {
			case "-":
				return 0.85, true
			case "":
				return 0.3, true
			}
			return 0.5, true
		}, context: []string{"ssn", "social security", "social", "security number", "ss#", "ssn#", "taxpayer"}},
		{entity: IPAddress, re: ipv4Re(), score: 0.8, pre: digitRun(4), trigger: '.', span: wordOrDot, validate: func(s string) (float64, bool) {
			_, err := netip.ParseAddr(s)
			return 0.8, err == nil
		}, context: []string{"ip", "address", "host", "server", "ipv4"}},
		{entity: IPAddress, re: ipv6Re(), score: 0.8, pre: func(st *textStats) bool { return st.colons >= 2 }, validate: func(s string) (float64, bool) {
			a, err := netip.ParseAddr(s)
			if err != nil || !a.Is6() || strings.Count(s, ":") < 2 {
				return 0, false
			}
			return 0.8, true
		}, context: []string{"ip", "address", "host", "ipv6"}},
		{entity: UUID, re: uuidRe(), score: 0.85, pre: func(st *textStats) bool { return st.dashes >= 4 }, validate: ok(0.85), context: []string{"uuid", "guid", "id"}},
		{entity: DateOfBirth, re: dateRe(), score: 0.45, validate: ok(0.45), needContext: true,
			context: []string{"born", "birth", "dob", "d.o.b", "birthday", "geboren", "geburtsdatum", "geburtstag", "né ", "née", "naissance", "nacido", "nacida", "nacimiento", "cumpleaños", "anniversaire"}},
		{entity: Passport, re: passRe(), score: 0.45, needContext: true, validate: func(s string) (float64, bool) {
			return 0.45, strings.ContainsAny(s, "0123456789")
		}, context: []string{"passport", "reisepass", "pass-nr", "passnummer", "passeport", "pasaporte", "travel document"}},
		{entity: DriverLicense, re: dlRe(), score: 0.45, needContext: true, validate: ok(0.45),
			context: []string{"driver", "driving", "licence", "license", "dl#", "dl ", "führerschein", "fuhrerschein", "permis de conduire", "permis", "carnet de conducir", "permiso de conducir", "licencia"}},
		{entity: TaxID, re: taxRe(), score: 0.45, validate: func(s string) (float64, bool) {
			if len(s) == 9 && dniValid(s) {
				return 0.6, true
			}
			return 0.45, true
		}, needContext: true,
			context: []string{"tax", "tin", "ein", "itin", "steuer", "steuer-id", "steueridentifikationsnummer", "idnr", "fiscal", "numéro fiscal", "nif", "dni", "nie", "vat", "ust-id", "tva"}},
	}
}

// lowerASCII lowercases ASCII letters only, keeping byte offsets.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// hasContext reports whether any word appears near [start,end) of lower.
func hasContext(lower string, start, end int, words []string) bool {
	if len(words) == 0 {
		return false
	}
	a, b := max(0, start-contextBefore), min(len(lower), end+contextAfter)
	win := lower[a:start] + " " + lower[end:b]
	for _, w := range words {
		i := strings.Index(win, w)
		for i >= 0 {
			// A word must start at a word boundary, so "ssn" is not found
			// in "lessons".
			if i == 0 || !isWordByte(win[i-1]) {
				return true
			}
			j := strings.Index(win[i+1:], w)
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// boundaryOK reports whether a candidate at [start,end) is not glued to
// letters or digits on either side (RE2 has no look-behind).
func boundaryOK(text string, start, end int) bool {
	if start > 0 && isAlnumByte(text[start-1]) {
		return false
	}
	if end < len(text) && isAlnumByte(text[end]) {
		return false
	}
	return true
}

func isAlnumByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

var (
	ibanContext   = []string{"iban", "bank", "account", "konto", "compte", "cuenta", "transfer"}
	walletContext = []string{"bitcoin", "btc", "ethereum", "eth", "wallet", "crypto", "address"}
)

// findTokens checks every maximal run of ASCII letters and digits (one
// pass, instead of a regular expression each) for the types that are a
// single such run: compact IBANs in any case, Bitcoin Base58Check and
// bech32 addresses, Ethereum addresses.
func (a *Analyzer) findTokens(text, lower string, out []Match) []Match {
	iban, crypto := a.types[IBAN], a.types[Crypto]
	for i := 0; i < len(text); {
		if !isAlnumByte(text[i]) {
			i++
			continue
		}
		s := i
		for i < len(text) && isAlnumByte(text[i]) {
			i++
		}
		if (s > 0 && text[s-1] == '_') || (i < len(text) && text[i] == '_') {
			continue // inside an identifier
		}
		tok, n := text[s:i], i-s
		typ, score := "", 0.0
		switch {
		case n < 14:
		case iban && n <= 34 && isLetter(tok[0]) && isLetter(tok[1]) && isDigit(tok[2]) && isDigit(tok[3]):
			c := strings.ToUpper(tok)
			if ibanValid(c) {
				typ, score = IBAN, 1
			} else if l, known := ibanLengths[c[:2]]; known && l == n {
				typ, score = IBAN, 0.5
			}
		case crypto && n >= 26 && n <= 35 && (tok[0] == '1' || tok[0] == '3') && base58CheckValid(tok):
			typ, score = Crypto, 1
		case crypto && n <= 74 && (strings.HasPrefix(lower[s:i], "bc1")) && bech32Valid(tok):
			typ, score = Crypto, 1
		case crypto && n == 42 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X') && isHex(tok[2:]):
			typ, score = Crypto, 0.7
		}
		if typ == "" {
			continue
		}
		ctx := ibanContext
		if typ == Crypto {
			ctx = walletContext
		}
		if hasContext(lower, s, i, ctx) {
			score = min(1, score+contextBoost)
		}
		out = append(out, Match{Type: typ, Start: s, End: i, Score: score})
	}
	return out
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f') && !(s[i] >= 'A' && s[i] <= 'F') {
			return false
		}
	}
	return true
}

// lazyRegexp compiles pattern on first use rather than at package
// initialisation, which every llmshield process pays whether or not it
// looks for PII; the result is shared and never modified.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
