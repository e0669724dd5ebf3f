// Package urlreachability flags answers with links that do not work, like
// LLM Guard's URLReachability: each http(s) URL in the text (found with
// mvdan.cc/xurls/v2, strict: a scheme is required; at most max_urls, 4 at
// a time) is requested with HEAD, and with GET when HEAD fails or answers
// with a status outside success_status_codes (many servers reject HEAD).
// Redirects are not followed, so 301/302 count as success by default, as
// in LLM Guard. Response bodies are never read.
//
// SSRF safety: by default no connection is made to loopback, private
// (RFC 1918, fc00::/7), link-local, multicast, unspecified, CGNAT
// (100.64.0.0/10), benchmarking (198.18.0.0/15), IETF-reserved (192.0.0.0/24,
// 240.0.0.0/4) or broadcast addresses. The check runs in the dialer's
// Control hook on the address actually being connected to, after DNS
// resolution, so a name that resolves (or re-resolves) to such an address
// (DNS rebinding) is refused too. Environment proxies are not used.
// allow_private: true lifts the check (for tests and internal deployments).
// A URL that is refused counts as unreachable (the answer is flagged, fail
// closed) with the reason in the finding.
//
// Parameters follow LLM Guard: success_status_codes (default 200, 201,
// 202, 301, 302) and timeout (seconds per request, default 5). Additions:
// max_urls (default 10) and allow_private. Results depend on the network at
// scan time, so the scanner is not a Fingerprinter: its results are never
// cached.
package urlreachability

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"mvdan.cc/xurls/v2"

	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/internal/urltok"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "url_reachability"

const parallel = 4

// Config configures Scanner.
type Config struct {
	// SuccessStatusCodes are the HTTP statuses that count as reachable.
	SuccessStatusCodes []int `yaml:"success_status_codes"`
	// Timeout is the limit per request in seconds, in (0,60]. Default 5.
	Timeout float64 `yaml:"timeout"`
	// MaxURLs caps how many URLs of one text are checked, in [1,100]. Default 10.
	MaxURLs int `yaml:"max_urls"`
	// AllowPrivate permits connections to loopback, private and other
	// internal addresses. Default false.
	AllowPrivate bool `yaml:"allow_private"`
}

// DefaultConfig returns LLM Guard's defaults plus max_urls 10.
func DefaultConfig() Config {
	return Config{SuccessStatusCodes: []int{200, 201, 202, 301, 302}, Timeout: 5, MaxURLs: 10}
}

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if len(c.SuccessStatusCodes) == 0 {
		return fmt.Errorf("success_status_codes: at least one status code is required")
	}
	for i, code := range c.SuccessStatusCodes {
		if code < 100 || code > 599 {
			return fmt.Errorf("success_status_codes[%d]: %d is not an HTTP status", i, code)
		}
	}
	if !(c.Timeout > 0 && c.Timeout <= 60) {
		return fmt.Errorf("timeout: %v seconds outside (0,60]", c.Timeout)
	}
	if c.MaxURLs < 1 || c.MaxURLs > 100 {
		return fmt.Errorf("max_urls: %d outside [1,100]", c.MaxURLs)
	}
	return nil
}

// Scanner checks that links work. It is safe for concurrent use.
type Scanner struct {
	cfg    Config
	re     *regexp.Regexp
	client *http.Client
}

var (
	_ scanner.Scanner = (*Scanner)(nil)
	_ scanner.Stager  = (*Scanner)(nil)
	_ scanner.Closer  = (*Scanner)(nil)
)

// ErrForbiddenAddress is returned (wrapped) for connections the SSRF guard refuses.
var ErrForbiddenAddress = errors.New("address not allowed")

var extraBlocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// forbidden reports why an address may not be contacted, or "".
func forbidden(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	case a.IsUnspecified():
		return "unspecified"
	}
	for _, p := range extraBlocked {
		if p.Contains(a) {
			return "reserved"
		}
	}
	return ""
}

// guard is the dialer's Control hook: it sees the resolved address.
func guard(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q", ErrForbiddenAddress, address)
	}
	if why := forbidden(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s address %s", ErrForbiddenAddress, why, ap.Addr())
	}
	return nil
}

// New validates cfg and builds the HTTP client.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	timeout := time.Duration(cfg.Timeout * float64(time.Second))
	d := &net.Dialer{Timeout: timeout}
	if !cfg.AllowPrivate {
		d.Control = guard
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           16,
		IdleConnTimeout:        30 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	client := &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Scanner{cfg: cfg, re: xurls.Strict(), client: client}, nil
}

// Close releases idle connections.
func (s *Scanner) Close() error {
	s.client.CloseIdleConnections()
	return nil
}

// Name returns "url_reachability".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner checks outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageOutput }

// check returns "" when the URL is reachable, else the reason.
func (s *Scanner) check(ctx context.Context, raw string) string {
	status, err := s.request(ctx, http.MethodHead, raw)
	if err == nil && slices.Contains(s.cfg.SuccessStatusCodes, status) {
		return ""
	}
	if errors.Is(err, ErrForbiddenAddress) {
		return "refused: " + reason(err)
	}
	status, err = s.request(ctx, http.MethodGet, raw)
	switch {
	case err != nil:
		return reason(err)
	case !slices.Contains(s.cfg.SuccessStatusCodes, status):
		return fmt.Sprintf("status %d", status)
	}
	return ""
}

func (s *Scanner) request(ctx context.Context, method, raw string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, raw, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "llmshield-url-reachability/1")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// reason shortens a transport error to something safe and readable.
func reason(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, ErrForbiddenAddress):
		msg := err.Error()
		if i := strings.Index(msg, ErrForbiddenAddress.Error()); i >= 0 {
			msg = msg[i:]
		}
		return msg
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "timeout"
	case errors.As(err, &dnsErr):
		return "DNS lookup failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	}
	return "request failed"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// find returns the spans of URLs with a scheme. URLs contain no white
// space, so the expression runs only on white-space-separated tokens that
// contain "://" (fast on long texts without links).
func (s *Scanner) find(text string) [][2]int {
	var spans [][2]int
	urltok.Each(text, func(i int, tok string) {
		if strings.Contains(tok, "://") {
			for _, m := range s.re.FindAllStringIndex(tok, -1) {
				spans = append(spans, [2]int{i + m[0], i + m[1]})
			}
		}
	})
	return spans
}

// Scan requests every http(s) URL of in.Text() and flags the answer if
// any is unreachable. It returns ctx.Err() if ctx ends during the checks.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		type job struct {
			a, b int
			url  string
			why  string
		}
		var jobs []*job
		seen := map[string]bool{}
		for _, sp := range s.find(text) {
			raw := text[sp[0]:sp[1]]
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				continue
			}
			if seen[raw] {
				continue
			}
			seen[raw] = true
			jobs = append(jobs, &job{a: sp[0], b: sp[1], url: raw})
			if len(jobs) == s.cfg.MaxURLs {
				break
			}
		}
		sem := make(chan struct{}, parallel)
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				j.why = s.check(ctx, j.url)
			}()
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", Name, err)
		}
		for _, j := range jobs {
			if j.why != "" {
				rulescan.Flag(res, scanner.Finding{Rule: "unreachable_url", Start: j.a, End: j.b, Score: 1, Detail: j.why})
			}
		}
		return nil
	})
}
