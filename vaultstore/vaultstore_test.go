package vaultstore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

func TestMemory(t *testing.T) {
	now := time.Unix(0, 0)
	s, err := NewMemory(Options{TTL: time.Minute, MaxVaults: 2, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id1, v1 := s.New()
	v1.Placeholder("PERSON", "Alice")
	if err := s.Save(ctx, id1, v1); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, id1)
	if err != nil || got.Deanonymize("[REDACTED_PERSON_1]") != "Alice" {
		t.Fatalf("load: %v", err)
	}
	if _, err := s.Load(ctx, "nope"); !errors.Is(err, ErrBadID) {
		t.Errorf("bad id: %v", err)
	}
	id2, v2 := s.New()
	if id2 == id1 {
		t.Fatal("ids repeat")
	}
	now = now.Add(10 * time.Second)
	_ = s.Save(ctx, id2, v2)
	id3, v3 := s.New()
	_ = s.Save(ctx, id3, v3)
	if _, err := s.Load(ctx, id1); !errors.Is(err, ErrNotFound) {
		t.Errorf("bound: oldest vault kept: %v", err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := s.Load(ctx, id3); !errors.Is(err, ErrNotFound) {
		t.Errorf("ttl: expired vault returned: %v", err)
	}
	if _, err := NewMemory(Options{TTL: -1}); err == nil {
		t.Error("negative ttl accepted")
	}
}

func TestParseKey(t *testing.T) {
	if _, err := ParseKey("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"); err != nil {
		t.Error(err)
	}
	if _, err := ParseKey("c2hvcnQ="); err == nil {
		t.Error("short key accepted")
	}
}

// TestRedis needs a Redis at $LLMSHIELD_TEST_REDIS (host:port).
func TestRedis(t *testing.T) {
	addr := os.Getenv("LLMSHIELD_TEST_REDIS")
	if addr == "" {
		t.Skip("LLMSHIELD_TEST_REDIS not set")
	}
	c := goredis.NewClient(&goredis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	key := bytes.Repeat([]byte{7}, 32)
	a, err := NewRedis(c, "llmshield-test:", key, time.Second, Options{TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewRedis(c, "llmshield-test:", key, time.Second, Options{TTL: time.Minute}) // another replica
	id, v := a.New()
	v.Placeholder("EMAIL_ADDRESS", "jane@corp.example")
	if err := a.Save(ctx, id, v); err != nil {
		t.Fatal(err)
	}
	raw, _ := c.Get(ctx, "llmshield-test:vault:"+id).Bytes()
	if bytes.Contains(raw, []byte("jane")) || bytes.Contains(raw, []byte("REDACTED")) {
		t.Fatal("vault stored in clear")
	}
	got, err := b.Load(ctx, id)
	if err != nil || got.Deanonymize("[REDACTED_EMAIL_ADDRESS_1]") != "jane@corp.example" {
		t.Fatalf("other replica: %v", err)
	}
	wrong, _ := NewRedis(c, "llmshield-test:", bytes.Repeat([]byte{8}, 32), time.Second, Options{})
	if _, err := wrong.Load(ctx, id); err == nil {
		t.Error("wrong key decrypted")
	}
	// A ciphertext moved to another id does not open.
	id2, _ := a.New()
	c.Set(ctx, "llmshield-test:vault:"+id2, raw, time.Minute)
	if _, err := a.Load(ctx, id2); err == nil {
		t.Error("moved ciphertext accepted")
	}
	if _, err := a.Load(ctx, "0123456789abcdef0123456789abcdef"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
}
