// Package maliciousurls flags suspicious URLs in answers, like LLM Guard's
// MaliciousURLs, from features of each URL (and a user URL classifier when
// model names one).
//
// URLs are found with mvdan.cc/xurls/v2 (relaxed: with or without a
// scheme) plus javascript:, vbscript: and data: URLs, at most MaxURLs per
// text. Each URL gets a score from these signals, combined as a noisy OR
// (1-Π(1-w)); the text is flagged when any URL's score reaches Threshold
// (default 0.5, as in LLM Guard):
//
//	script scheme (javascript:, vbscript:)              1.0
//	domain or URL on the local blocklist                1.0
//	look-alike of a brand (paypa1.com, pаypal.com with
//	  Cyrillic а, rn for m) not on the brand's domains  0.9
//	data: URL with HTML or script content               0.9
//	user info in the authority (https://paypal.com@evil) 0.7 (0.9 when it looks like a domain)
//	brand as a subdomain label (paypal.com.evil.xyz)    0.7
//	brand one edit away (brands of 6+ letters)          0.45
//	brand as a hyphenated part (paypal-login.com)       0.4
//	host is a raw IP address (with a scheme, port or path) 0.6
//	internationalised (punycode) domain with mixed scripts 0.6, other punycode 0.3
//	executable download (.exe, .apk, .ps1, ...)         0.5
//	URL shortener                                       0.4
//	top-level domain not in the public suffix list      0.4
//	risky TLD (.zip, .xyz, .top, .tk, ...)              0.3
//	lure word (login, verify, wallet, ...) with another signal 0.2
//	non-standard port, ≥ 5 host labels                  0.2 each
//
// Public suffixes come from golang.org/x/net/publicsuffix, so a brand's
// registrable domain (eTLD+1) is compared, not the host. Brand look-alikes
// compare a "skeleton" of the registrable label (look-alike letters folded
// with internal/normalize, then 0→o, 1/i→l, 3→e, 4→a, 5→s, 7→t, 8→b,
// rn→m, vv→w) with the brand's. The weaker brand signals need another
// signal (risky TLD, lure word, ...) to reach the default threshold, as
// "office-depot.com" or "stripes.com" are not attacks.
//
// Differences from LLM Guard: LLM Guard runs a URL classifier model
// (codebert-base-Malicious_URLs) and nothing else; here the features always
// run and a model named by model: adds its score per URL (the larger
// counts), so the blocklist and script URLs are never missed. Additions: blocklist_file (one domain or URL per
// line, # comments), brands (extra brand → official domains),
// allowed_domains (registrable domains never flagged) and max_urls. The
// scanner makes no network requests.
package maliciousurls

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lithammer/fuzzysearch/fuzzy"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"mvdan.cc/xurls/v2"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "malicious_urls"

// Config configures Scanner.
type Config struct {
	// Threshold is the URL score at which the text is flagged, in (0,1].
	// Default 0.5.
	Threshold float64 `yaml:"threshold"`
	// BlocklistFile is an optional local file of blocked domains or URLs.
	BlocklistFile string `yaml:"blocklist_file"`
	// Brands adds brand names (lower case letters/digits) with their
	// official registrable domains to the built-in list.
	Brands map[string][]string `yaml:"brands"`
	// AllowedDomains are registrable domains that are never flagged.
	AllowedDomains []string `yaml:"allowed_domains"`
	// MaxURLs caps how many URLs of one text are examined. Default 100.
	MaxURLs int `yaml:"max_urls"`
	// Model is a user URL classifier (a registry id or name or a local
	// model directory), as LLM Guard's MaliciousURLs runs
	// codebert-base-Malicious_URLs: every URL (up to MaxURLs) is classified
	// on its own, its risk is the highest score of a malicious label (every
	// label but "benign"; LABEL_1 for a LABEL_0/LABEL_1 model), and the
	// URL's risk is the larger of that and the built-in features' (so the
	// blocklist and script URLs still count). scanner/builtin loads it.
	Model string `yaml:"model"`
}

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in features alone).
func (c Config) ConfiguredModel() string { return c.Model }

// Classifier is the user model; *classifier.Classifier implements it.
type Classifier = classifier.Model

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithClassifier gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithClassifier(m Classifier) Option { return func(s *Scanner) { s.model = m } }

// MaliciousLabels returns the labels of a URL classifier that mean
// "malicious": every label but one named "benign" (any case), or LABEL_1
// for a model whose labels are exactly LABEL_0 and LABEL_1. It is an error
// when neither applies.
func MaliciousLabels(labels []string) ([]string, error) {
	return modelscan.LabelsBut(labels, "benign", "malicious")
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{Threshold: 0.5, MaxURLs: 100} }

var brandName = regexp.MustCompile(`^[a-z0-9]{2,63}$`)

// Validate checks the configuration (not the blocklist file's contents,
// which New reads); errors name the field.
func (c Config) Validate() error {
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		return fmt.Errorf("threshold: %v outside (0,1]", c.Threshold)
	}
	if c.MaxURLs < 1 || c.MaxURLs > 10000 {
		return fmt.Errorf("max_urls: %d outside [1,10000]", c.MaxURLs)
	}
	for b, doms := range c.Brands {
		if !brandName.MatchString(b) {
			return fmt.Errorf("brands: name %q must be 2-63 lower-case letters or digits", b)
		}
		if len(doms) == 0 {
			return fmt.Errorf("brands[%q]: at least one official domain is required", b)
		}
		for i, d := range doms {
			if _, err := registrable(strings.ToLower(d)); err != nil {
				return fmt.Errorf("brands[%q][%d]: %w", b, i, err)
			}
		}
	}
	for i, d := range c.AllowedDomains {
		if _, err := registrable(strings.ToLower(d)); err != nil {
			return fmt.Errorf("allowed_domains[%d]: %w", i, err)
		}
	}
	return nil
}

// registrable returns the eTLD+1 of host.
func registrable(host string) (string, error) {
	r, err := publicsuffix.EffectiveTLDPlusOne(strings.TrimSuffix(host, "."))
	if err != nil {
		return "", fmt.Errorf("%q has no registrable domain: %w", host, err)
	}
	return r, nil
}

type brand struct {
	name, skel string
	official   map[string]bool
}

// Scanner flags suspicious URLs. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg      Config
	re       *regexp.Regexp
	brands   []brand
	official map[string]bool // every brand's official domains
	allowed  map[string]bool
	blockDom map[string]bool
	blockURL map[string]bool
	model    Classifier
	bad      []string // the model's malicious labels
}

var _ rulescan.Scanner = (*Scanner)(nil)

var scriptURL = regexp.MustCompile(`(?i)\b(?:javascript|vbscript|data):[^\s"'<>]+`)

// New validates cfg, reads the blocklist and builds the scanner.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	s := &Scanner{cfg: cfg, re: xurls.Relaxed(), official: map[string]bool{}, allowed: map[string]bool{},
		blockDom: map[string]bool{}, blockURL: map[string]bool{}}
	if err := modelscan.Setup(Name, cfg, s, opts, "WithClassifier", func(s *Scanner) bool { return s.model != nil }); err != nil {
		return nil, err
	}
	if s.model != nil {
		bad, err := MaliciousLabels(s.model.Labels())
		if err != nil {
			return nil, fmt.Errorf("%s: model: %w", Name, err)
		}
		s.bad = bad
	}
	all := map[string][]string{}
	for b, d := range brands {
		all[b] = d
	}
	for b, d := range cfg.Brands {
		all[b] = append(all[b], d...)
	}
	names := make([]string, 0, len(all))
	for b := range all {
		names = append(names, b)
	}
	sort.Strings(names)
	for _, b := range names {
		br := brand{name: b, skel: skeleton(b), official: map[string]bool{}}
		for _, d := range all[b] {
			r, _ := registrable(strings.ToLower(d))
			br.official[r] = true
			s.official[r] = true
		}
		s.brands = append(s.brands, br)
	}
	for _, d := range cfg.AllowedDomains {
		r, _ := registrable(strings.ToLower(d))
		s.allowed[r] = true
	}
	h := sha256.New()
	b, _ := json.Marshal(struct {
		V string
		C Config
		B []string
	}{"1", cfg, names})
	h.Write(b)
	if cfg.BlocklistFile != "" {
		if err := s.readBlocklist(cfg.BlocklistFile, h); err != nil {
			return nil, fmt.Errorf("%s: blocklist_file: %w", Name, err)
		}
	}
	if s.model != nil {
		h.Write([]byte("model:" + s.model.Version()))
	}
	// The fingerprint covers the configuration, the brand list, the
	// blocklist's contents and the model.
	s.Shell = rulescan.ShellWith(Name, scanner.StageOutput, hex.EncodeToString(h.Sum(nil)[:16]))
	return s, nil
}

func (s *Scanner) readBlocklist(path string, h interface{ Write([]byte) (int, error) }) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for line := 1; sc.Scan(); line++ {
		h.Write(sc.Bytes())
		h.Write([]byte{'\n'})
		t := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(t, '#'); i >= 0 {
			t = strings.TrimSpace(t[:i])
		}
		if t == "" {
			continue
		}
		if !utf8.ValidString(t) {
			return fmt.Errorf("%s:%d: not valid UTF-8", path, line)
		}
		t = strings.ToLower(t)
		if strings.Contains(t, "/") {
			s.blockURL[strings.TrimSuffix(t, "/")] = true
		} else {
			s.blockDom[strings.TrimSuffix(t, ".")] = true
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s has no entries (an empty blocklist blocks nothing; remove blocklist_file instead)", path)
	}
	return nil
}

// skeleton folds look-alike characters so that imitations of a name
// compare equal to it.
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			switch r {
			case '0':
				r = 'o'
			case '1', 'i', '|':
				r = 'l'
			case '3':
				r = 'e'
			case '4':
				r = 'a'
			case '5':
				r = 's'
			case '7':
				r = 't'
			case '8':
				r = 'b'
			case '-', '_', '.':
				continue
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			f := normalize.String(string(r))
			for _, fr := range f {
				if fr == 'i' {
					fr = 'l'
				}
				b.WriteRune(fr)
			}
		}
	}
	out := b.String()
	out = strings.ReplaceAll(out, "rn", "m")
	out = strings.ReplaceAll(out, "vv", "w")
	return out
}

type signal struct {
	why string
	w   float64
}

// Score returns the score of one URL and the reasons.
func (s *Scanner) Score(raw string) (float64, []string) {
	var sig []signal
	add := func(w float64, why string) { sig = append(sig, signal{why, w}) }
	lower := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(lower, "javascript:") || strings.HasPrefix(lower, "vbscript:"):
		return 1, []string{"script URL"}
	case strings.HasPrefix(lower, "data:"):
		meta, _, _ := strings.Cut(lower[5:], ",")
		if strings.Contains(meta, "html") || strings.Contains(meta, "script") || strings.Contains(meta, "svg") {
			return 0.9, []string{"data: URL with active content"}
		}
		return 0.3, []string{"data: URL"}
	}
	if strings.HasPrefix(lower, "mailto:") || (!strings.Contains(raw, "://") && strings.Contains(raw, "@")) {
		return 0, nil // an e-mail address, not a link
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		u, err = url.Parse("http://" + raw)
		if err != nil || u.Host == "" {
			return 0, nil
		}
	}
	if u.User != nil {
		w, why := 0.7, "user info in authority"
		if strings.Contains(u.User.Username(), ".") {
			w, why = 0.9, "user info that looks like a domain"
		}
		add(w, why)
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		add(0.2, "non-standard port")
	}
	if s.blockURL[strings.TrimSuffix(lower, "/")] {
		return 1, []string{"URL on blocklist"}
	}
	if _, err := netip.ParseAddr(host); err == nil {
		if !strings.ContainsAny(raw, "/:") {
			return 0, nil // a bare address in prose ("192.168.1.1") is not a link
		}
		add(0.6, "raw IP address host")
		return combine(sig)
	}
	if strings.Count(host, ".") >= 4 {
		add(0.2, "many subdomains")
	}
	uni := host
	if strings.Contains(host, "xn--") {
		if d, err := idna.ToUnicode(host); err == nil {
			uni = d
		}
		if mixedScripts(uni) {
			add(0.6, "punycode domain mixing scripts")
		} else {
			add(0.3, "punycode domain")
		}
	} else if !isASCII(host) && mixedScripts(host) {
		add(0.6, "internationalised domain mixing scripts")
	}
	asciiHost := host
	if !isASCII(host) {
		if a, err := idna.ToASCII(host); err == nil {
			asciiHost = a
		}
	}
	reg, err := registrable(asciiHost)
	if err != nil {
		add(0.4, "no registrable domain")
		return combine(sig)
	}
	for d := range s.blockDom {
		if asciiHost == d || strings.HasSuffix(asciiHost, "."+d) || reg == d {
			return 1, []string{"domain on blocklist"}
		}
	}
	if s.allowed[reg] {
		return 0, nil
	}
	suffix, icann := publicsuffix.PublicSuffix(asciiHost)
	tld := suffix[strings.LastIndexByte(suffix, '.')+1:]
	if !icann && !strings.Contains(suffix, ".") {
		add(0.4, "top-level domain ."+tld+" not in the public suffix list")
	} else if riskyTLDs[tld] {
		add(0.3, "risky TLD ."+tld)
	}
	if shorteners[reg] || shorteners[asciiHost] {
		add(0.4, "URL shortener")
	}
	if !s.official[reg] {
		s.brandSignals(uni, reg, add)
	}
	path := strings.ToLower(u.EscapedPath())
	for _, ext := range riskyExt {
		if strings.HasSuffix(path, ext) {
			add(0.5, "executable download "+ext)
			break
		}
	}
	if len(sig) > 0 {
		for _, w := range lureWords {
			if strings.Contains(path, w) || strings.Contains(host, w) {
				add(0.2, "lure word "+w)
				break
			}
		}
	}
	return combine(sig)
}

// brandSignals compares a registrable domain that belongs to no brand
// with every brand.
func (s *Scanner) brandSignals(uniHost, reg string, add func(float64, string)) {
	label := reg[:strings.IndexByte(reg, '.')]
	uniLabel := label
	if strings.HasPrefix(label, "xn--") {
		if d, err := idna.ToUnicode(label); err == nil {
			uniLabel = d
		}
	}
	sk := skeleton(uniLabel)
	sub := strings.TrimSuffix(strings.TrimSuffix(uniHost, reg), ".")
	subParts, labelParts := splitParts(sub), splitParts(uniLabel)
	for _, b := range s.brands {
		switch {
		case uniLabel == b.name:
			add(0.5, "brand "+b.name+" on a domain it does not use")
		case sk == b.skel:
			add(0.9, "look-alike of "+b.name)
		case len(b.name) >= 3 && slices.Contains(subParts, b.name):
			add(0.7, "brand "+b.name+" as a subdomain of another domain")
		case len(b.name) >= 6 && abs(len(sk)-len(b.skel)) <= 1 && sk[0] == b.skel[0] && fuzzy.LevenshteinDistance(sk, b.skel) == 1:
			add(0.45, "one edit from "+b.name)
		case len(b.name) >= 3 && slices.Contains(labelParts, b.name):
			add(0.4, "brand "+b.name+" inside another domain")
		default:
			continue
		}
		return
	}
}

// splitParts splits a host name at dots and hyphens.
func splitParts(host string) []string {
	return strings.FieldsFunc(host, func(r rune) bool { return r == '.' || r == '-' })
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func combine(sig []signal) (float64, []string) {
	keep := 1.0
	why := make([]string, 0, len(sig))
	for _, s := range sig {
		keep *= 1 - s.w
		why = append(why, s.why)
	}
	return math.Round((1-keep)*1e6) / 1e6, why
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// mixedScripts reports whether a domain label mixes Latin with Cyrillic,
// Greek or Armenian letters (the usual homograph attack).
func mixedScripts(host string) bool {
	for _, label := range strings.Split(host, ".") {
		var latin, other bool
		for _, r := range label {
			switch {
			case unicode.In(r, unicode.Latin):
				latin = true
			case unicode.In(r, unicode.Cyrillic, unicode.Greek, unicode.Armenian):
				other = true
			}
		}
		if latin && other {
			return true
		}
		// all-Cyrillic labels that fold entirely to Latin look-alikes
		if other && !latin && normalize.String(label) != strings.ToLower(label) && isASCII(normalize.String(label)) {
			return true
		}
	}
	return false
}

// find returns the spans of URLs in text. URLs contain no white space, so
// the (slow, large) URL expressions run only on white-space-separated
// tokens that could hold one: with a colon, or a dot that is not the
// token's last character.
func (s *Scanner) find(text string) [][2]int {
	var spans [][2]int
	i := 0
	for i < len(text) && len(spans) < s.cfg.MaxURLs {
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		j := i
		for j < len(text) && !isSpace(text[j]) {
			j++
		}
		tok := text[i:j]
		if k := strings.IndexAny(tok, ".:"); k >= 0 && (tok[k] == ':' || strings.IndexByte(tok[:len(tok)-1], '.') >= 0) {
			found := false
			for _, m := range scriptURL.FindAllStringIndex(tok, -1) {
				spans = append(spans, [2]int{i + m[0], i + m[1]})
				found = true
			}
			if !found {
				for _, m := range s.re.FindAllStringIndex(tok, -1) {
					spans = append(spans, [2]int{i + m[0], i + m[1]})
				}
			}
		}
		i = j
	}
	return spans
}

// isSpace reports ASCII white space; URLs found by the expressions never
// contain it, and Unicode spaces are left to the expressions.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}

// Scan examines the URLs in in.Text().
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		return s.check(ctx, text, res)
	})
}

// check scores each URL of text, by its features and the user's model.
func (s *Scanner) check(ctx context.Context, text string, res *scanner.Result) error {
	if s.model != nil {
		res.Method = scanner.MethodML
	}
	spans := s.find(text)
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	if len(spans) > s.cfg.MaxURLs {
		spans = spans[:s.cfg.MaxURLs]
	}
	for i, sp := range spans {
		if i%32 == 31 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		raw := text[sp[0]:sp[1]]
		if !utf8.ValidString(raw) {
			continue
		}
		score, why := s.Score(raw)
		if s.model != nil {
			p, err := s.model.Classify(ctx, raw, classifier.MatchTruncate, s.bad)
			if err != nil {
				return fmt.Errorf("%s: model: %w", Name, err)
			}
			if p.Score > score {
				score = p.Score
				why = append(why, fmt.Sprintf("model: %s %.2f", s.model.BestLabel(p, s.bad), p.Score))
			}
		}
		if score <= 0 {
			continue
		}
		res.Risk = max(res.Risk, score)
		if score >= s.cfg.Threshold {
			res.Findings = append(res.Findings, scanner.Finding{Rule: "malicious_url", Start: sp[0], End: sp[1], Score: score,
				Detail: strings.Join(why, "; ")})
		}
	}
	res.Risk = scanner.ClampRisk(res.Risk)
	res.Valid = res.Risk < s.cfg.Threshold
	return nil
}
