package cli

import (
	"fmt"
	"log/slog"

	goredis "github.com/redis/go-redis/v9"

	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/vaultstore"
)

// vaultStore picks where `serve` keeps conversation vaults: in Redis,
// encrypted with LLMSHIELD_VAULT_KEY, when server.redis is configured and
// the key is set (so every replica can deanonymise); else in this process.
// A key that does not parse is a start-up error. The returned close
// function releases the Redis client.
func (a *app) vaultStore(cfg config.Server, log *slog.Logger) (vaultstore.Store, func() error, error) {
	keyText := a.env("LLMSHIELD_VAULT_KEY")
	var key []byte
	if keyText != "" {
		var err error
		if key, err = vaultstore.ParseKey(keyText); err != nil {
			return nil, nil, fmt.Errorf("LLMSHIELD_VAULT_KEY: %w", err)
		}
	}
	r := cfg.Redis
	if r.Addr == "" || key == nil {
		if r.Addr != "" {
			log.Warn("conversation vaults stay in this process (set LLMSHIELD_VAULT_KEY to share them, encrypted, through server.redis)")
		}
		m, err := vaultstore.NewMemory(vaultstore.Options{})
		return m, func() error { return nil }, err
	}
	c := goredis.NewClient(&goredis.Options{Addr: r.Addr, Password: r.Password, DB: r.DB, DialTimeout: r.Timeout, ReadTimeout: r.Timeout, WriteTimeout: r.Timeout})
	st, err := vaultstore.NewRedis(c, r.Prefix, key, r.Timeout, vaultstore.Options{})
	if err != nil {
		_ = c.Close()
		return nil, nil, err
	}
	return st, c.Close, nil
}
