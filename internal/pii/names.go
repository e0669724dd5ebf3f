package pii

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed gazetteer/*.txt
var gazetteerFS embed.FS

// gazetteers are read once per process: they are immutable tables.
var (
	gazOnce sync.Once
	gaz     *gazetteers
)

type gazetteers struct {
	first, last map[string]bool // lowercased single tokens
	loc, org    map[string]bool // phrase keys (see phraseKey)
	prefixes    map[string]bool // every token prefix of a loc or org key
}

func loadGazetteers() *gazetteers {
	gazOnce.Do(func() {
		g := &gazetteers{first: map[string]bool{}, last: map[string]bool{}, loc: map[string]bool{}, org: map[string]bool{}}
		words := func(file string, into map[string]bool) {
			for _, line := range lines(file) {
				for _, w := range strings.Fields(line) {
					into[strings.ToLower(w)] = true
				}
			}
		}
		g.prefixes = map[string]bool{}
		phrases := func(file string, into map[string]bool) {
			for _, line := range lines(file) {
				toks := tokenize(line)
				var key []byte
				for k := range toks {
					key = appendKey(key, line, toks, k)
					g.prefixes[string(key)] = true
				}
				if len(toks) > 0 {
					into[string(key)] = true
				}
			}
		}
		words("gazetteer/first_names.txt", g.first)
		words("gazetteer/presidio_first.txt", g.first)
		// Multi-word surnames ("De Luca") are matched token by token.
		words("gazetteer/surnames.txt", g.last)
		words("gazetteer/presidio_last.txt", g.last)
		phrases("gazetteer/locations.txt", g.loc)
		phrases("gazetteer/presidio_loc.txt", g.loc)
		phrases("gazetteer/presidio_org.txt", g.org)
		for w := range stopwords {
			delete(g.first, w)
			delete(g.last, w)
		}
		gaz = g
	})
	return gaz
}

func lines(file string) []string {
	b, err := gazetteerFS.ReadFile(file)
	if err != nil {
		panic("pii: embedded gazetteer missing: " + file) // a build defect, caught by every test
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// stopwords are capitalised at the start of sentences or in titles but
// are not names. Lowercase.
var stopwords = toSet(`a an the this that these those there here it its i me my mine we us our you your he him his she her they them their
what which who whom whose when where why how if then else and or but nor so yet for of to in on at by from with without into onto about above below
after before during since until while because although though as is are was were be been being am do does did done have has had having will would
shall should can could may might must not no yes ok okay please thanks thank hello hi hey dear regards best sincerely cheers good great new old
all any some every each many much more most other another such only own same both few one two three first last next also just very too
monday tuesday wednesday thursday friday saturday sunday january february march april june july august september october november december
today tomorrow yesterday morning evening night mr mrs ms miss dr prof sir madam mx
der die das ein eine und oder aber nicht ich du er sie es wir ihr mein dein sein unser euer bitte danke hallo liebe lieber guten tag herr frau
le la les un une des et ou mais je tu il elle nous vous ils elles mon ton son notre votre bonjour merci cher chère monsieur madame
el los las uno una y o pero yo tu él ella nosotros vosotros ellos mi su nuestro hola gracias querido querida señor señora don doña
street st road rd avenue ave lane drive dr apt suite floor box po company inc ltd llc group
can't don't won't i'm i've i'll it's that's what's let's`)

// titles precede person names.
var titles = toSet(`mr mrs ms miss mx dr prof sir madam lady lord dame herr frau fräulein monsieur madame mademoiselle m mme mlle
sr sra srta señor señora señorita don doña sig signor signora dott dottore dottoressa capt captain col gen lt sgt rev father sister`)

// nameCues precede a name ("my name is ...").
var nameCues = []string{"name is", "named", "called", "call me", "calls me", "i am", "i'm", "this is", "dear", "regards,", "signed", "sincerely,", "cheers,", "contact",
	"hi", "hello", "hey", "thanks", "thank you", "starring", "directed by", "written by", "produced by", "featuring", "says", "said", "told", "asked", "ask", "tell",
	"speak to", "talk to", "met", "meet", "married", "wife", "husband", "son", "daughter", "mother", "father", "brother", "sister", "friend", "colleague", "boss", "manager",
	"partner", "partner's name", "guardian", "add", "producer", "songwriter", "singer", "author", "actor", "actress", "assistant to", "founders:", "given", "at", "shouted at",
	"mein name ist", "ich heiße", "ich bin", "heiße", "je m'appelle", "je suis", "m'appelle", "appelle", "me llamo", "mi nombre es", "soy", "mi chiamo", "sono",
	"patient", "client", "customer", "employee", "user", "applicant", "mrs", "mr", "ms", "dr"}

// orgSuffixes end company and institution names.
var orgSuffixes = toSet(`inc inc. incorporated ltd ltd. limited llc llp lp plc corp corp. corporation co co. company group holdings gmbh ag kg ohg ug se sa s.a. sas sarl s.l. sl srl spa s.p.a. bv nv oy ab as
bank university universität université universidad università college institute institut foundation stiftung association associates partners
technologies technology tech solutions systems services industries enterprises labs laboratories consulting insurance software media capital
ventures international global orchestra hospital clinic school academy agency trust network networks communications pharmaceuticals pharma motors airlines`)

// orgCues precede an organisation name.
var orgCues = []string{"work at", "works at", "worked at", "working at", "work for", "works for", "worked for", "working for", "employed at", "employed by",
	"joined", "company", "firm", "employer", "ceo of", "founder of", "founded", "arbeite bei", "arbeitet bei", "firma", "unternehmen", "travaille chez", "travaille pour",
	"société", "entreprise", "trabajo en", "trabaja en", "trabajo para", "empresa", "compañía", "lavoro presso", "azienda", "customer of", "account at", "bank"}

// locCues precede a place name.
var locCues = []string{"in", "from", "to", "at", "near", "live in", "lives in", "visit", "aus", "nach", "wohne in", "à", "de", "en", "desde", "vivo en", "habite à", "city of", "country"}

// particles may sit inside a person name.
var particles = toSet(`van von der den de del della di da das dos du la le bin ibn al el y zu ten ter`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

type token struct {
	start, end int
	text       string // without a trailing dot
	lower      string
	cap        bool // first letter upper case
	dot        bool // followed by a dot ("J.", "Inc.")
	sentStart  bool
	poss       bool // followed by a possessive "'s"
}

type nameFinder struct {
	g *gazetteers
}

func defaultNameFinder(string) *nameFinder { return &nameFinder{g: loadGazetteers()} }

func tokenize(text string) []token {
	toks := make([]token, 0, len(text)/6)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) {
			i += size
			continue
		}
		s := i
		i += size
		for i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
			if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) {
				i += size
				continue
			}
			if r == '\'' || r == '’' || r == '-' {
				if r2, size2 := utf8.DecodeRuneInString(text[i+size:]); i+size < len(text) && unicode.IsLetter(r2) {
					i += size + size2
					continue
				}
			}
			break
		}
		t := token{start: s, end: i}
		if e := i; e-s > 2 && (strings.HasSuffix(text[s:e], "'s") || strings.HasSuffix(text[s:e], "’s")) {
			if strings.HasSuffix(text[s:e], "'s") {
				t.end = e - 2
			} else {
				t.end = e - len("’s")
			}
			t.poss = true
		} else if i < len(text) && text[i] == '.' {
			t.dot = true
		}
		t.text = text[t.start:t.end]
		t.lower = strings.ToLower(t.text)
		r0, _ := utf8.DecodeRuneInString(t.text)
		t.cap = unicode.IsUpper(r0)
		t.sentStart = sentenceStart(text, s)
		toks = append(toks, t)
	}
	return toks
}

// appendKey extends a phrase key with token k: lower-cased tokens joined
// by their gap, white space collapsed to one space.
func appendKey(key []byte, text string, toks []token, k int) []byte {
	if k > 0 && len(key) > 0 {
		space := false
		for _, c := range []byte(text[toks[k-1].end:toks[k].start]) {
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				space = true
				continue
			}
			if space {
				key = append(key, ' ')
				space = false
			}
			key = append(key, c)
		}
		if space {
			key = append(key, ' ')
		}
	}
	return append(key, toks[k].lower...)
}

// sentenceStart reports whether the text before i ends a sentence.
func sentenceStart(text string, i int) bool {
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		switch {
		case r == ' ' || r == '\t' || r == '"' || r == '\'' || r == '(' || r == '“' || r == '«' || r == '¿' || r == '¡' || r == '*' || r == '-':
			i -= size
		case r == '\n' || r == '.' || r == '!' || r == '?' || r == ':' || r == ';':
			return true
		default:
			return false
		}
	}
	return true
}

// gapOK reports whether tokens a and b are separated only by a short run
// of spaces (and a trailing dot of a).
func gapOK(text string, a, b token) bool {
	gap := text[a.end:b.start]
	if a.dot {
		// Only an initial ("J. Smith") or a title ("Dr. Smith") continues
		// past its dot; any other dot ends the sentence.
		if utf8.RuneCountInString(a.text) > 1 && !titles[a.lower] {
			return false
		}
		gap = gap[1:]
	}
	return !a.poss && len(gap) >= 1 && len(gap) <= 2 && strings.Trim(gap, " ") == ""
}

func (f *nameFinder) find(text, lower string, out []Match, types map[string]bool) []Match {
	toks := tokenize(text)
	if len(toks) == 0 {
		return out
	}
	used := make([]bool, len(toks))
	// 1. Gazetteer phrases: organisations and places, longest first.
	var key []byte
	var keys [6]string
	for i := 0; i < len(toks); i++ {
		key = key[:0]
		n := 0
		for j := i; j < len(toks) && j-i < len(keys); j++ {
			if j > i {
				if g := text[toks[j-1].end:toks[j].start]; len(g) > 3 || strings.ContainsAny(g, "\n\t") {
					break
				}
			}
			key = appendKey(key, text, toks, j)
			if !f.g.prefixes[string(key)] {
				break
			}
			keys[j-i] = string(key)
			n = j - i + 1
		}
		for ; n >= 1; n-- {
			j := i + n - 1
			key := keys[n-1]
			typ, score := "", 0.0
			switch {
			case f.g.org[key] && types[Organization]:
				typ, score = Organization, 0.85
				if n == 1 && !toks[i].cap {
					continue
				}
			case f.g.loc[key] && types[Location]:
				typ, score = Location, 0.85
				if !toks[i].cap {
					// Lower-case place names only after a preposition.
					if !cueBefore(lower, toks[i].start, locCues) || stopwords[key] {
						continue
					}
					score = 0.6
				}
				if n == 1 && f.g.first[key] && !cueBefore(lower, toks[i].start, locCues) {
					if i+1 < len(toks) && toks[i+1].cap && gapOK(text, toks[i], toks[i+1]) {
						continue // "Jordan Echevarría": a person's name
					}
					score = 0.45 // "Georgia", "Florence": names too
				}
			default:
				continue
			}
			if n == 1 && toks[i].cap && toks[i].sentStart && stopwords[key] {
				continue
			}
			out = append(out, Match{Type: typ, Start: toks[i].start, End: toks[j].end, Score: score})
			for k := i; k <= j; k++ {
				used[k] = true
			}
			i = j
			break
		}
	}
	// 2. Runs of capitalised tokens.
	for i := 0; i < len(toks); {
		if used[i] || !toks[i].cap {
			i++
			continue
		}
		j := i
		for j+1 < len(toks) && !used[j+1] && gapOK(text, toks[j], toks[j+1]) {
			nx := toks[j+1]
			if nx.cap {
				j++
				continue
			}
			// A particle inside a name: "Donald van der Voet".
			k := j + 1
			for k < len(toks) && particles[toks[k].lower] && !toks[k].cap && k-j <= 3 && gapOK(text, toks[k-1], toks[k]) {
				k++
			}
			if k > j+1 && k < len(toks) && toks[k].cap && !used[k] && gapOK(text, toks[k-1], toks[k]) {
				j = k
				continue
			}
			break
		}
		out = f.classifyRun(text, lower, toks[i:j+1], out, types)
		i = j + 1
	}
	if types[Person] && !hasUpper(text) {
		out = f.lowercaseNames(text, lower, toks, used, out)
	}
	out = f.signatureOrgs(text, out, types)
	return out
}

// lowercaseNames finds names in text written entirely in lower case
// (chat messages): a known first name followed by a known surname, or a
// known first name after a cue or before a speech verb.
func (f *nameFinder) lowercaseNames(text, lower string, toks []token, used []bool, out []Match) []Match {
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if used[i] || stopwords[t.lower] || !f.g.first[t.lower] {
			continue
		}
		if i+1 < len(toks) && gapOK(text, t, toks[i+1]) && f.g.last[toks[i+1].lower] && !stopwords[toks[i+1].lower] {
			out = append(out, Match{Type: Person, Start: t.start, End: toks[i+1].end, Score: 0.6})
			i++
			continue
		}
		if cueBefore(lower, t.start, nameCues) || humanVerbRe().MatchString(text[t.end:]) {
			out = append(out, Match{Type: Person, Start: t.start, End: t.end, Score: 0.55})
		}
	}
	return out
}

// signatureOrgs finds the company line of a signature block: a short line
// of capitalised words right below a line that is a person's name.
func (f *nameFinder) signatureOrgs(text string, out []Match, types map[string]bool) []Match {
	if !types[Organization] || !strings.Contains(text, "\n") {
		return out
	}
	n := len(out)
	for k := 0; k < n; k++ {
		m := out[k]
		if m.Type != Person {
			continue
		}
		ls := strings.LastIndexByte(text[:m.Start], '\n') + 1
		if strings.Trim(text[ls:m.Start], " >\t") != "" || m.End >= len(text) || text[m.End] != '\n' {
			continue
		}
		next := text[m.End+1:]
		le := strings.IndexByte(next, '\n')
		if le < 0 {
			continue
		}
		line := next[:le]
		trim := strings.TrimLeft(line, " >\t")
		s := m.End + 1 + len(line) - len(trim)
		trim = strings.TrimRight(trim, " ")
		if sigLineRe().MatchString(trim) && !stopwords[strings.ToLower(trim)] && !f.g.loc[strings.ToLower(trim)] {
			out = append(out, Match{Type: Organization, Start: s, End: s + len(trim), Score: 0.55})
		}
	}
	return out
}

var sigLineRe = lazyRegexp(`^\p{Lu}[\p{L}\d&'.\-]*(?: [\p{Lu}&][\p{L}\d&'.\-]*){0,3}$`)

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

func cueBefore(lower string, start int, cues []string) bool {
	a := max(0, start-28)
	win := strings.TrimRight(lower[a:start], " \t,:\"'")
	for _, c := range cues {
		if strings.HasSuffix(win, c) {
			k := len(win) - len(c)
			if k == 0 || !isWordByte(win[k-1]) {
				return true
			}
		}
	}
	return false
}

func (f *nameFinder) classifyRun(text, lower string, run []token, out []Match, types map[string]bool) []Match {
	// Leading stop words and titles are not part of the name.
	title := false
	for len(run) > 0 && (stopwords[run[0].lower] || titles[run[0].lower]) {
		if titles[run[0].lower] {
			title = true
		}
		run = run[1:]
	}
	if len(run) == 0 {
		return out
	}
	if !title && run[0].start > 0 {
		// "Mr. Smith": the title just before the run.
		title = titleBefore(lower, run[0].start)
	}
	first, last := run[0], run[len(run)-1]
	start, end := first.start, last.end
	orgCue := cueBefore(lower, start, orgCues)
	// Organisations: a company suffix ends the run, or "X and Sons",
	// "X, Y and Z" after an organisation cue, or "Surname-Surname".
	if types[Organization] {
		if len(run) >= 2 && orgSuffixes[last.lower] {
			if last.dot && (last.lower == "inc" || last.lower == "ltd" || last.lower == "corp" || last.lower == "co") {
				end++
			}
			return append(out, Match{Type: Organization, Start: start, End: end, Score: 0.8})
		}
		if m := andSonsRe().FindStringIndex(text[end:]); m != nil {
			return append(out, Match{Type: Organization, Start: start, End: end + m[1], Score: 0.8})
		}
		if m := listOrgRe().FindStringIndex(text[start:]); m != nil && orgCue && !title {
			return append(out, Match{Type: Organization, Start: start, End: start + m[1], Score: 0.65})
		}
		if len(run) == 1 && !title {
			if parts := strings.Split(first.lower, "-"); len(parts) == 2 && f.g.last[parts[0]] && f.g.last[parts[1]] {
				return append(out, Match{Type: Organization, Start: start, End: end, Score: 0.6})
			}
		}
	}
	if !types[Person] && !types[Organization] {
		return out
	}
	firstKnown := f.g.first[first.lower]
	lastKnown := len(run) >= 2 && (f.g.last[last.lower] || f.g.first[last.lower])
	nameCue := cueBefore(lower, start, nameCues)
	verbAfter := humanVerbRe().MatchString(text[end:])
	score := 0.0
	switch {
	case firstKnown:
		score += 0.5
	case len(run) == 1 && f.g.last[first.lower]:
		score += 0.25
	}
	if lastKnown {
		score += 0.3
	}
	if len(run) >= 2 && len(run) <= 4 {
		score += 0.1
	}
	if title {
		score += 0.55
	}
	if len(run) >= 2 && len(run) <= 3 && !lastKnown && surnameShape().MatchString(last.lower) {
		score += 0.4
	}
	if len(run) >= 2 && len(run) <= 3 && wholeLine(text, start, end) {
		score += 0.15
	}
	if nameCue {
		score += 0.5
	}
	if verbAfter {
		score += 0.5
	}
	if len(run) == 1 && first.sentStart && !firstKnown && !title && !verbAfter {
		score = 0
	}
	if len(run) > 4 || allUpper(first.text) && len(run) == 1 && !firstKnown {
		score -= 0.3
	}
	if score >= 0.3 && types[Person] && !(orgCue && !firstKnown && !title && !nameCue) {
		return append(out, Match{Type: Person, Start: start, End: end, Score: min(score, 0.95)})
	}
	if types[Organization] && !first.sentStart && (orgCue || len(run) == 1 && allUpper(first.text) && len(first.text) <= 5 && cueBefore(lower, start, []string{"at", "from", "for", "with", "of"})) {
		return append(out, Match{Type: Organization, Start: start, End: end, Score: 0.6})
	}
	return out
}

// humanVerbRe follows a person's name: "X said", "X shouted at".
var humanVerbRe = lazyRegexp(`^(?:, (?:can|could|would|will) (?:i|you)\b|(?:,)? (?:said|says|shouted|told|asked|replied|wrote|writes|smiled|laughed|cried|whispered|explained|thinks|thought|believes|wants|wanted|loves|loved|lives|lived|works|worked|had given|has given|gave|is very reliable|sagte|fragte|schrieb|dit|a dit|demanda|écrit|dijo|preguntó|escribió)\b)`)

// surnameShape matches common surname endings across European languages.
var surnameShape = lazyRegexp(`(?:ić|vić|ović|ová|ski|ska|sky|ský|cki|cka|wicz|son|sen|sson|ssen|dóttir|dottir|poulos|ian|yan|enko|chuk|ov|ova|ev|eva|escu|eanu|elli|etti|ini|ez|berg|stein|feld|mann|hardt|aki|oto)$`)

// wholeLine reports whether [s,e) is alone on its line (signature blocks).
func wholeLine(text string, s, e int) bool {
	ls := strings.LastIndexByte(text[:s], '\n') + 1
	le := strings.IndexByte(text[e:], '\n')
	if le < 0 {
		le = len(text) - e
	}
	return strings.Trim(text[ls:s], " >\t") == "" && strings.TrimSpace(text[e:e+le]) == "" && (ls > 0 || e+le < len(text))
}

func allUpper(s string) bool {
	hasLetter := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		hasLetter = hasLetter || unicode.IsLetter(r)
	}
	return hasLetter
}

var (
	andSonsRe = lazyRegexp(`^(?:,? (?:and|&|und|et|y) (?:Sons|Söhne|Fils|Hijos))`)
	listOrgRe = lazyRegexp(`^\p{Lu}[\p{L}'\-]+, \p{Lu}[\p{L}'\-]+,? (?:and|&|und|et|y) \p{Lu}[\p{L}'\-]+`)
)

func titleBefore(lower string, start int) bool {
	a := max(0, start-12)
	w := strings.TrimRight(lower[a:start], " .")
	i := strings.LastIndexAny(w, " \n\t(\"'")
	return titles[w[i+1:]]
}

// NER agreement: a model span that overlaps a gazetteer-and-context name
// of the same type confirms it; the two confidences combine as
// independent evidence (1-(1-a)(1-b)) and the longer span is kept.
// Model spans alone keep the model's probability scaled by nerAlone, so
// that at the default threshold 0.5 a model-only name needs a probability
// of at least 0.5/nerAlone (0.7 chosen on the Presidio val split).
const nerAlone = 0.7

// gazAlone scales a gazetteer-and-context name that the model does not
// confirm, per type, so that only the strongest ones (title, cue and
// known names together) stay above the default threshold 0.5. Chosen on
// the val split of the Presidio data (internal/ner TestPresidioWithNER
// -split=val): place names from the gazetteer alone are mostly cities
// inside street addresses, which Presidio does not label as locations.
var gazAlone = map[string]float64{Person: 0.65, Organization: 0.65, Location: 0.55}

// addNER merges the model's names into all; all[from:] are the name
// finder's matches.
func (a *Analyzer) addNER(ctx context.Context, text string, all []Match, from int) ([]Match, error) {
	ms, err := a.ner.Entities(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("ner: %w", err)
	}
	to := len(all)
	confirmed := make([]bool, to-from)
	for _, m := range ms {
		if !a.types[m.Type] || m.Start < 0 || m.End > len(text) || m.End <= m.Start || m.Score != m.Score {
			continue
		}
		agreed := false
		for i := from; i < to; i++ {
			g := &all[i]
			if g.Type != m.Type || g.End <= m.Start || m.End <= g.Start {
				continue
			}
			agreed = true
			confirmed[i-from] = true
			g.Score = 1 - (1-g.Score)*(1-min(1, m.Score))
			if m.End-m.Start > g.End-g.Start {
				g.Start, g.End = m.Start, m.End
			}
		}
		if !agreed {
			m.Score = min(1, m.Score) * nerAlone
			all = append(all, m)
		}
	}
	for i := from; i < to; i++ {
		if f, ok := gazAlone[all[i].Type]; ok && !confirmed[i-from] {
			all[i].Score *= f
		}
	}
	return all, nil
}
