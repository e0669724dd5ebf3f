package server

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/vaultstore"
)

// Conversation vaults over the API. A prompt scan without "vault_id"
// starts a new conversation: when the anonymize scanner replaced anything,
// the answer carries the new vault's "vault_id". A prompt scan with a
// vault_id continues that conversation (same value, same placeholder); an
// output scan with it lets deanonymize restore the originals. Without a
// vault_id an output scan restores nothing: vaults are never shared
// between conversations (LLM Guard's API shares one process-wide vault).
// An unknown or expired id answers 404; a store that cannot be reached 503.

// WithVaultStore sets where conversation vaults live between requests
// (default: vaultstore.NewMemory with its default bounds).
func WithVaultStore(st vaultstore.Store) Option { return func(s *Server) { s.vaults = st } }

// vaultState is the server's part for vaults (a field of Server).
type vaultState struct {
	once sync.Once
	st   vaultstore.Store
}

func (s *Server) vaultStore() vaultstore.Store {
	s.vaultsInit.once.Do(func() {
		s.vaultsInit.st = s.vaults
		if s.vaultsInit.st == nil {
			m, err := vaultstore.NewMemory(vaultstore.Options{})
			if err != nil {
				panic(err) // default options are valid
			}
			s.vaultsInit.st = m
		}
	})
	return s.vaultsInit.st
}

// convo is one request's conversation vault.
type convo struct {
	id    string
	v     *scanner.Vault
	fresh bool // made by this request, not yet stored
}

// openVault returns the vault a scan uses: the one named by id, a new one
// for a prompt scan without id, none for an output scan without id. g's
// pipeline decides whether a new one is worth making: without a rewriting
// input scanner nothing would be put in it, so none is made (the answer
// carries no vault_id either way).
func (s *Server) openVault(ctx context.Context, g *generation, id *string, output bool, at string) (convo, error) {
	st := s.vaultStore()
	if id == nil {
		if output || !g.promptRewriter {
			return convo{}, nil
		}
		nid, v := st.New()
		return convo{id: nid, v: v, fresh: true}, nil
	}
	v, err := st.Load(ctx, *id)
	switch {
	case errors.Is(err, vaultstore.ErrBadID):
		return convo{}, badRequest(`field "%svault_id": %v`, at, err)
	case errors.Is(err, vaultstore.ErrNotFound):
		return convo{}, &requestError{status: http.StatusNotFound, msg: `field "` + at + `vault_id": ` + err.Error()}
	case err != nil:
		s.log.Error("vault store failed", "error", err)
		return convo{}, &requestError{status: http.StatusServiceUnavailable, msg: "vault store unavailable"}
	}
	return convo{id: *id, v: v}, nil
}

func (c convo) option() []llmshield.ScanOption {
	if c.v == nil {
		return nil
	}
	return []llmshield.ScanOption{llmshield.WithVault(c.v)}
}

// keep stores the vault after a prompt scan and returns the id to answer
// with ("" when a new conversation stored nothing).
func (s *Server) keepVault(ctx context.Context, c convo, output bool) (string, error) {
	if c.v == nil {
		return "", nil
	}
	if output || c.fresh && c.v.Len() == 0 {
		if c.fresh {
			return "", nil
		}
		return c.id, nil
	}
	if err := s.vaultStore().Save(ctx, c.id, c.v); err != nil {
		s.log.Error("vault store failed", "error", err)
		return "", &requestError{status: http.StatusServiceUnavailable, msg: "vault store unavailable"}
	}
	return c.id, nil
}
