package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmshield/llmshield/config"
)

func dial(t *testing.T, rn *running) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(rn.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func readStatus(t *testing.T, c net.Conn, within time.Duration) int {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no response within %s: %v", within, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// An announced body above the limit is refused at once, not after the read
// timeout, and without reading the body.
func TestOversizedContentLengthIsRefusedAtOnce(t *testing.T) {
	rn := start(t, config.Server{MaxBodyBytes: 1 << 10, BodyTimeout: 30 * time.Second}, &testLoader{})
	c := dial(t, rn)
	fmt.Fprintf(c, "POST /analyze/prompt HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 50<<20)
	if got := readStatus(t, c, 3*time.Second); got != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", got)
	}
}

// A body that trickles in slower than body_timeout gets 408, not 400.
func TestSlowBodyGets408(t *testing.T) {
	rn := start(t, config.Server{BodyTimeout: 300 * time.Millisecond}, &testLoader{})
	c := dial(t, rn)
	fmt.Fprint(c, "POST /v1/scan HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":")
	if got := readStatus(t, c, 5*time.Second); got != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408", got)
	}
}

// Clients that pipeline large requests and never read the answers must not
// pin the concurrency slots: once their write deadline passes they lose
// the connection and other clients are served again (before, every other
// client got 429 until the slow readers gave up).
func TestSlowReadersDoNotPinSlots(t *testing.T) {
	rn := start(t, config.Server{MaxConcurrent: 2, MaxBodyBytes: 2 << 20, PromptTimeout: time.Second, BodyTimeout: time.Second, WriteTimeout: 3 * time.Second}, &testLoader{})
	body := `{"prompt":"` + strings.Repeat("hello world ", 1500<<10/12) + `"}`
	req := fmt.Sprintf("POST /analyze/prompt HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	var wg sync.WaitGroup
	for range 4 {
		c := dial(t, rn)
		wg.Go(func() {
			_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			for range 8 {
				if _, err := io.WriteString(c, req); err != nil {
					return // the server gave up on us: expected
				}
			}
		})
	}
	// The slow readers' answers fill the socket buffers within moments and
	// pin both slots: other clients get 429 ...
	pinned := false
	for end := time.Now().Add(4 * time.Second); !pinned && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		pinned = rn.post(t, "/analyze/prompt", `{"prompt":"hi"}`).status == http.StatusTooManyRequests
	}
	if !pinned {
		t.Fatal("the slow readers never held the slots: the test does not reproduce the attack")
	}
	// ... until their write deadline (body + scan + write timeout, 5s)
	// passes and the server drops them.
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := rn.post(t, "/analyze/prompt", `{"prompt":"hi"}`)
		if r.status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d after the slow readers' write deadline: %s", r.status, r.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	wg.Wait()
}

// max_connections caps open connections: a further client waits until one
// closes.
func TestMaxConnections(t *testing.T) {
	rn := start(t, config.Server{MaxConnections: 2}, &testLoader{})
	a, b := dial(t, rn), dial(t, rn)
	fmt.Fprint(a, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	fmt.Fprint(b, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	readStatus(t, a, 3*time.Second)
	readStatus(t, b, 3*time.Second)
	quick := &http.Client{Timeout: 300 * time.Millisecond}
	if resp, err := quick.Get(rn.url + "/healthz"); err == nil {
		_ = resp.Body.Close()
		t.Fatal("a third connection was served while two were open")
	}
	_ = a.Close()
	slow := &http.Client{Timeout: 5 * time.Second}
	resp, err := slow.Get(rn.url + "/healthz")
	if err != nil {
		t.Fatalf("not served after a connection closed: %v", err)
	}
	_ = resp.Body.Close()
}

// An idle keep-alive connection is closed after idle_timeout.
func TestIdleTimeout(t *testing.T) {
	rn := start(t, config.Server{IdleTimeout: 200 * time.Millisecond}, &testLoader{})
	c := dial(t, rn)
	fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	start := time.Now()
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("read data from an idle connection")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("idle connection closed after %s, want about 200ms", d)
	}
}
