package urlreachability

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

// server is a local test server on 127.0.0.1 that counts requests.
func server(t testing.TB) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) { n.Add(1); http.NotFound(w, r) })
	mux.HandleFunc("/nohead", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, "/missing", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return srv, &n
}

func relaxed(t testing.TB, mod func(*Config)) *Scanner {
	t.Helper()
	c := DefaultConfig()
	c.AllowPrivate = true // the test server is on loopback
	if mod != nil {
		mod(&c)
	}
	s := scannertest.Must(t, New, c)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestReachability(t *testing.T) {
	srv, _ := server(t)
	s := relaxed(t, func(c *Config) { c.Timeout = 1.5 })
	cases := []struct {
		path, why string
	}{
		{"/ok", ""},
		{"/nohead", ""}, // HEAD 405, GET 200
		{"/moved", ""},  // 302 counts as success, not followed
		{"/missing", "status 404"},
		{"/slow", "timeout"},
	}
	for _, c := range cases {
		text := "See " + srv.URL + c.path + " for details."
		res := scannertest.Check(t, s, scannertest.Answer(text))
		if c.why == "" {
			if !res.Valid {
				t.Errorf("%s: flagged %+v", c.path, res.Findings)
			}
			continue
		}
		if res.Valid || len(res.Findings) != 1 || res.Findings[0].Detail != c.why {
			t.Errorf("%s: valid %v findings %+v, want %q", c.path, res.Valid, res.Findings, c.why)
			continue
		}
		if f := res.Findings[0]; text[f.Start:f.End] != srv.URL+c.path {
			t.Errorf("%s: span %q", c.path, text[f.Start:f.End])
		}
	}
	// a closed port
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res, _ := s.Scan(context.Background(), scannertest.Answer("http://"+addr+"/x"))
	if res.Valid || res.Findings[0].Detail != "connection refused" {
		t.Errorf("closed port: %+v", res.Findings)
	}
	// non-http schemes and text without links are not checked
	res, _ = s.Scan(context.Background(), scannertest.Answer("ftp://127.0.0.1/file and mailto:a@b.example, plain text"))
	if !res.Valid {
		t.Errorf("non-http links must not be checked: %+v", res.Findings)
	}
}

func TestDefaultRefusesLoopback(t *testing.T) {
	srv, n := server(t)
	s := scannertest.Must(t, New, DefaultConfig())
	defer s.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	for _, u := range []string{srv.URL + "/ok", "http://localhost" + port + "/ok", "http://[::ffff:127.0.0.1]" + port + "/ok"} {
		res := scannertest.Check(t, s, scannertest.Answer("Link: "+u))
		if res.Valid || len(res.Findings) != 1 || !strings.HasPrefix(res.Findings[0].Detail, "refused: address not allowed: loopback") {
			t.Errorf("%s: valid %v findings %+v, want a refusal", u, res.Valid, res.Findings)
		}
	}
	if got := n.Load(); got != 0 {
		t.Errorf("server received %d requests; the SSRF guard must refuse before connecting", got)
	}
}

func TestGuard(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:80": "loopback", "[::1]:80": "loopback", "[::ffff:127.0.0.1]:80": "loopback",
		"10.1.2.3:80": "private", "172.16.0.1:443": "private", "192.168.1.1:80": "private", "[fd00::1]:80": "private",
		"169.254.169.254:80": "link-local", "[fe80::1]:80": "link-local", "224.0.0.1:80": "link-local",
		"239.1.1.1:80": "multicast", "0.0.0.0:80": "unspecified", "[::]:80": "unspecified",
		"100.64.0.1:80": "reserved", "198.18.0.1:80": "reserved", "255.255.255.255:80": "reserved",
		"8.8.8.8:53": "", "[2001:4860:4860::8888]:443": "", "93.184.215.14:443": "",
	} {
		err := guard("tcp", addr, nil)
		if want == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", addr, err)
			}
			continue
		}
		if !errors.Is(err, ErrForbiddenAddress) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %s", addr, err, want)
		}
	}
	if forbidden(netip.MustParseAddr("1.1.1.1")) != "" {
		t.Error("public address forbidden")
	}
}

func TestMaxURLs(t *testing.T) {
	srv, n := server(t)
	s := relaxed(t, func(c *Config) { c.MaxURLs = 2 })
	text := srv.URL + "/ok?1 " + srv.URL + "/ok?2 " + srv.URL + "/ok?3 " + srv.URL + "/ok?1"
	if res, _ := s.Scan(context.Background(), scannertest.Answer(text)); !res.Valid {
		t.Fatalf("%+v", res.Findings)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("%d requests, want 2 (max_urls)", got)
	}
}

func TestCancelledDuringChecks(t *testing.T) {
	srv, _ := server(t)
	s := relaxed(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Scan(ctx, scannertest.Answer(srv.URL+"/slow"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v after the deadline", d)
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		mod   func(*Config)
		field string
	}{
		{func(c *Config) { c.SuccessStatusCodes = nil }, "success_status_codes"},
		{func(c *Config) { c.SuccessStatusCodes = []int{200, 99} }, "success_status_codes[1]"},
		{func(c *Config) { c.Timeout = 0 }, "timeout"},
		{func(c *Config) { c.Timeout = 61 }, "timeout"},
		{func(c *Config) { c.MaxURLs = 0 }, "max_urls"},
	} {
		cfg := DefaultConfig()
		c.mod(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("err %v, want one naming %s", err, c.field)
		}
	}
}

func TestConformance(t *testing.T) {
	srv, _ := server(t)
	s := relaxed(t, func(c *Config) { c.Timeout = 30 }) // generous: 64 goroutines on a loaded machine
	scannertest.Run(t, s, scannertest.WithInputs("ok "+srv.URL+"/ok and missing "+srv.URL+"/missing"))
}

// FuzzScan runs with a dialer that refuses every connection, so fuzzed
// URLs never reach any network.
func FuzzScan(f *testing.F) {
	s := scannertest.Must(f, New, DefaultConfig())
	s.client.Transport.(*http.Transport).DialContext = func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no network in fuzzing")
	}
	for _, seed := range []string{"http://example.com/x", "https://[::1]:99/", "http://a.b http://c.d", "\xffhttp://x.y", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if res := scannertest.CheckFlagsByFindings(t, s, scannertest.Answer(text)); len(res.Findings) > 10 {
			t.Fatalf("%d findings", len(res.Findings))
		}
	})
}

func BenchmarkScanLocal(b *testing.B) {
	srv, _ := server(b)
	s := relaxed(b, nil)
	for _, n := range []int{0, 1, 5} {
		text := strings.Repeat("The library opens at nine and closes at six. ", 24)[:1024-n*30]
		for i := range n {
			text += " " + srv.URL + "/ok?" + string(rune('a'+i))
		}
		b.Run(string(rune('0'+n))+"urls", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res, err := s.Scan(context.Background(), scannertest.Answer(text)); err != nil || !res.Valid {
					b.Fatal(err, res.Findings)
				}
			}
		})
	}
}
