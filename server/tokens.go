package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/llmshield/llmshield/config"
)

// Tokens gathers the bearer tokens from env (the value of
// LLMSHIELD_AUTH_TOKEN: comma-separated), the token file (one token per
// line; blank lines and lines starting with # are ignored) and the
// configured list, in that order. A token file that cannot be read or holds
// no token is an error naming server.auth.token_file. So is a variable that
// is set but holds no token (envSet with a blank value): an operator who set
// it meant to turn authentication on, and a blank value must not turn it off.
func Tokens(a config.Auth, env string, envSet bool) ([]string, error) {
	var out []string
	for _, t := range strings.Split(env, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	if envSet && len(out) == 0 {
		return nil, errors.New("LLMSHIELD_AUTH_TOKEN is set but holds no token: set it to one or more tokens (comma-separated), or unset it to run without authentication")
	}
	if a.TokenFile != "" {
		b, err := os.ReadFile(a.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("server.auth.token_file: %w", err)
		}
		n := 0
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			t := strings.TrimSpace(sc.Text())
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			out = append(out, t)
			n++
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("server.auth.token_file: %s: %w", a.TokenFile, err)
		}
		if n == 0 {
			return nil, fmt.Errorf("server.auth.token_file: no token in %s", a.TokenFile)
		}
	}
	for i, t := range a.Tokens {
		if t = strings.TrimSpace(t); t == "" {
			return nil, fmt.Errorf("server.auth.tokens[%d]: empty token", i)
		}
		out = append(out, t)
	}
	return out, nil
}
