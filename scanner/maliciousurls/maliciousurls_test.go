package maliciousurls

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/idna"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestURLs(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	homograph, err := idna.ToASCII("p\u0430ypal.com") // Cyrillic а
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text, why string // why "" = valid
	}{
		{"Log in at https://www.paypal.com/signin to continue.", ""},
		{"See https://en.wikipedia.org/wiki/Go_(programming_language) and www.bbc.co.uk/news.", ""},
		{"Source: https://github.com/golang/go/issues/1", ""},
		{"Dinner at https://www.applebees.com tonight, or office-depot.com for paper.", ""},
		{"Short link: https://bit.ly/3xYz", ""}, // shortener alone: 0.4
		{"Get it at https://example.zip/", ""},  // risky TLD alone: 0.3
		{"Log in at https://paypa1.com/login now.", "look-alike of paypal"},
		{"Log in at https://" + homograph + "/login now.", "punycode domain mixing scripts"},
		{"Log in at https://rnicrosoft.com/", "look-alike of microsoft"},
		{"Router: http://192.168.1.10/admin", "raw IP address host"},
		{"Try http://[2001:db8::1]:8080/x", "raw IP address host"},
		{"Go to https://www.google.com@evil.example/login", "user info that looks like a domain"},
		{`<a href="javascript:alert(document.cookie)">click</a>`, "script URL"},
		{"Open data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== in a tab", "data: URL with active content"},
		{"https://paypal.com.account-check.top/", "brand paypal as a subdomain"},
		{"Download https://secure-update.xyz/files/setup.exe", "executable download .exe"},
		{"Verify at https://bit.ly/verify-account", "URL shortener"},
		{"Your package: https://dhl-delivery.ml/track?id=1", "risky TLD .ml"},
	}
	for _, c := range cases {
		res := scannertest.Check(t, s, scannertest.Answer(c.text))
		if c.why == "" {
			if !res.Valid {
				t.Errorf("%q flagged: %+v", c.text, res.Findings)
			}
			continue
		}
		if res.Valid || len(res.Findings) == 0 {
			t.Errorf("%q not flagged (risk %v)", c.text, res.Risk)
			continue
		}
		f := res.Findings[0]
		if !strings.Contains(f.Detail, c.why) {
			t.Errorf("%q: detail %q, want %q", c.text, f.Detail, c.why)
		}
		if f.Start < 0 || f.End > len(c.text) || f.Start >= f.End {
			t.Errorf("%q: span %d-%d", c.text, f.Start, f.End)
		}
	}
}

func TestBlocklistAndAllowList(t *testing.T) {
	dir := t.TempDir()
	bl := filepath.Join(dir, "block.txt")
	if err := os.WriteFile(bl, []byte("# local list\nevil.example\nhttps://good.example/bad-page  # one page\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.BlocklistFile = bl
	c.AllowedDomains = []string{"paypa1.com"}
	s := scannertest.MustWith(t, New, c)
	scannertest.Verdicts(t, s, map[string]bool{
		"https://cdn.evil.example/x.js":      false,
		"https://good.example/bad-page":      false,
		"https://good.example/other":         true,
		"https://paypa1.com/ (allow-listed)": true,
	}, nil)
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("# nothing\n\n"), 0o600)
	for _, path := range []string{filepath.Join(dir, "missing.txt"), empty} {
		c.BlocklistFile = path
		if _, err := New(c); err == nil || !strings.Contains(err.Error(), "blocklist_file") {
			t.Errorf("%s: err %v", path, err)
		}
	}
	// fingerprint follows the file's contents
	c.BlocklistFile = bl
	a := scannertest.MustWith(t, New, c)
	os.WriteFile(bl, []byte("evil.example\nworse.example\n"), 0o600)
	if b := scannertest.MustWith(t, New, c); a.Fingerprint() == b.Fingerprint() {
		t.Error("fingerprint must change with the blocklist")
	}
}

func TestCustomBrand(t *testing.T) {
	c := DefaultConfig()
	c.Brands = map[string][]string{"acmebank": {"acmebank.com"}}
	s := scannertest.MustWith(t, New, c)
	if res, _ := s.Scan(context.Background(), scannertest.Answer("https://acrnebank.com/login")); res.Valid {
		t.Error("look-alike of a configured brand not flagged")
	}
	if res, _ := s.Scan(context.Background(), scannertest.Answer("https://acmebank.com/login")); !res.Valid {
		t.Error("official domain flagged")
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		mod   func(*Config)
		field string
	}{
		{func(c *Config) { c.Threshold = 0 }, "threshold"},
		{func(c *Config) { c.MaxURLs = 0 }, "max_urls"},
		{func(c *Config) { c.Brands = map[string][]string{"Bad Name": {"x.com"}} }, "brands"},
		{func(c *Config) { c.Brands = map[string][]string{"acme": nil} }, `brands["acme"]`},
		{func(c *Config) { c.Brands = map[string][]string{"acme": {"com"}} }, `brands["acme"][0]`},
		{func(c *Config) { c.AllowedDomains = []string{"co.uk"} }, "allowed_domains[0]"},
		{func(c *Config) { c.Model = "DunnBC22/codebert-base-Malicious_URLs" }, "model"}, // named but not loaded
	} {
		cfg := DefaultConfig()
		c.mod(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("err %v, want one naming %s", err, c.field)
		}
	}
}

func TestMaxURLs(t *testing.T) {
	c := DefaultConfig()
	c.MaxURLs = 2
	s := scannertest.MustWith(t, New, c)
	res, _ := s.Scan(context.Background(), scannertest.Answer("https://a.com https://b.com http://10.0.0.1/"))
	if !res.Valid {
		t.Errorf("third URL is past max_urls and must not be examined: %+v", res.Findings)
	}
}

func TestConformance(t *testing.T) {
	scannertest.Run(t, scannertest.MustWith(t, New, DefaultConfig()), scannertest.WithInputs("Log in at https://paypa1.com/login or http://10.1.2.3/ or javascript:alert(1)"))
}

func FuzzScan(f *testing.F) {
	s := scannertest.MustWith(f, New, DefaultConfig())
	for _, seed := range []string{"https://paypa1.com/login", "http://[::1]:80/", "data:,x", "xn--80ak6aa92e.com", "\xff://a.b", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		scannertest.CheckFlagsFrom(t, s, scannertest.Answer(text), 0.5)
	})
}

func BenchmarkScan1KB(b *testing.B) {
	s := scannertest.MustWith(b, New, DefaultConfig())
	text := strings.Repeat("See https://en.wikipedia.org/wiki/Phishing and log in at https://paypa1.com/login for details. ", 11)[:1024]
	scannertest.Bench(b, s, scannertest.Answer(text))
}

// A typical answer: prose with two links.
func BenchmarkScan1KBProse(b *testing.B) {
	s := scannertest.MustWith(b, New, DefaultConfig())
	text := (strings.Repeat("The committee reviewed the budget and approved the new library hours for the spring term. ", 5) +
		"Details are at https://www.example.org/library/hours and the form is at https://forms.example.com/apply?id=42. " +
		strings.Repeat("Members may borrow up to ten books, and late returns cost a small fee each day. ", 6))[:1024]
	scannertest.Bench(b, s, scannertest.Answer(text))
}
