package secrets

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// Fake credentials used across the tests (not live; assembled so that the
// source file itself holds no complete token for other scanners to trip on).
var (
	fakeGitHub = "ghp_" + "1234567890abcdefghijABCDEFGHIJ123456"
	fakeAWS    = "AKIA" + "IOSFODNN7ABCDEFQ"
	fakeStripe = "sk_live_" + "51H8s2kLmNoPqRsTuVwXyZ0123456789abcdEFGH"
)

func scan(t testing.TB, s *Scanner, text string) scanner.Result {
	t.Helper()
	res := scannertest.Check(t, s, scanner.Input{Prompt: text})
	return res
}

func TestScanFindings(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	text := "token " + fakeGitHub + " and aws " + fakeAWS + "."
	res := scan(t, s, text)
	if res.Valid || res.Risk != 1 {
		t.Fatalf("valid %v risk %v, want flagged", res.Valid, res.Risk)
	}
	type f struct {
		Rule   string
		Secret string
	}
	var got []f
	for _, x := range res.Findings {
		got = append(got, f{x.Rule, text[x.Start:x.End]})
		if strings.Contains(x.Detail, text[x.Start:x.End]) {
			t.Errorf("detail %q contains the secret", x.Detail)
		}
	}
	want := []f{{"github-pat", fakeGitHub}, {"aws-access-token", fakeAWS}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	if want := "token ****** and aws ******."; res.Sanitized != want {
		t.Errorf("sanitized %q, want %q", res.Sanitized, want)
	}
	clean := scan(t, s, "What's a good name for a cat that likes boxes?")
	if !clean.Valid || clean.Risk != 0 || len(clean.Findings) != 0 {
		t.Errorf("clean text flagged: %+v", clean)
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestRedactModes(t *testing.T) {
	text := "key=" + fakeGitHub + "\nagain: " + fakeGitHub + "\n"
	short := "password = 'abc12'\n"
	cases := []struct {
		name   string
		cfg    Config
		text   string
		want   string
		nFound int
	}{
		{"all", Config{Redact: true, RedactMode: RedactAll}, text, "key=******\nagain: ******\n", 2},
		{"default_mode_is_all", Config{Redact: true}, text, "key=******\nagain: ******\n", 2},
		{"partial", Config{Redact: true, RedactMode: RedactPartial}, text, "key=gh..56\nagain: gh..56\n", 2},
		{"hash", Config{Redact: true, RedactMode: RedactHash}, text, "key=" + md5hex(fakeGitHub) + "\nagain: " + md5hex(fakeGitHub) + "\n", 2},
		{"off", Config{Redact: false, RedactMode: RedactPartial}, text, text, 2},
		{"partial_short_secret_fully_redacted", Config{Redact: true, RedactMode: RedactPartial}, short, "password = '******'\n", 1},
		{"hash_short", Config{Redact: true, RedactMode: RedactHash}, short, "password = '" + md5hex("abc12") + "'\n", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scannertest.Must(t, New, c.cfg)
			res := scan(t, s, c.text)
			if res.Sanitized != c.want {
				t.Errorf("sanitized %q, want %q", res.Sanitized, c.want)
			}
			if len(res.Findings) != c.nFound {
				t.Errorf("%d findings, want %d: %+v", len(res.Findings), c.nFound, res.Findings)
			}
			if s.Rewrites() != c.cfg.Redact {
				t.Errorf("Rewrites() = %v, want %v", s.Rewrites(), c.cfg.Redact)
			}
		})
	}
}

func TestRedactValue(t *testing.T) {
	for _, c := range []struct{ secret, mode, want string }{
		{"abcdefgh", RedactPartial, "ab..gh"},
		{"abcdefg", RedactPartial, Redacted},
		{"ключ-секрет-42", RedactPartial, "кл..42"},
		{"abcdefgh", RedactAll, Redacted},
		{"abcdefgh", RedactHash, md5hex("abcdefgh")},
		{"abcdefgh", "bogus", Redacted},
	} {
		if got := RedactValue(c.secret, c.mode); got != c.want {
			t.Errorf("RedactValue(%q, %q) = %q, want %q", c.secret, c.mode, got, c.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	ok := Rule{ID: "my-token", Regex: `\b(myco_[a-z0-9]{20})\b`, Keywords: []string{"myco_"}}
	withRule := func(mut func(*Rule)) Config {
		r := ok
		r.Keywords = append([]string(nil), ok.Keywords...)
		mut(&r)
		return Config{Redact: true, Rules: []Rule{r}}
	}
	cases := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"redact_mode", Config{RedactMode: "mask"}, "redact_mode"},
		{"rule_id_missing", withRule(func(r *Rule) { r.ID = "" }), "rules[0].id"},
		{"rule_id_clash", withRule(func(r *Rule) { r.ID = "github-pat" }), "rules[0].id"},
		{"rule_regex_missing", withRule(func(r *Rule) { r.Regex = "" }), "rules[0].regex"},
		{"rule_regex_invalid", withRule(func(r *Rule) { r.Regex = "(unclosed" }), "rules[0].regex"},
		{"rule_regex_empty_match", withRule(func(r *Rule) { r.Regex = "x*" }), "rules[0].regex"},
		{"rule_secret_group", withRule(func(r *Rule) { r.SecretGroup = 2 }), "rules[0].secret_group"},
		{"rule_secret_group_negative", withRule(func(r *Rule) { r.SecretGroup = -1 }), "rules[0].secret_group"},
		{"rule_entropy", withRule(func(r *Rule) { r.Entropy = 9 }), "rules[0].entropy"},
		{"rule_entropy_negative", withRule(func(r *Rule) { r.Entropy = -1 }), "rules[0].entropy"},
		{"rule_keyword_empty", withRule(func(r *Rule) { r.Keywords = []string{"ok", ""} }), "rules[0].keywords[1]"},
		{"rule_keyword_utf8", withRule(func(r *Rule) { r.Keywords = []string{"\xff"} }), "rules[0].keywords[0]"},
		{"rule_allowlist_empty", withRule(func(r *Rule) { r.Allowlists = []Allowlist{{}} }), "rules[0].allowlists[0]"},
		{"rule_allowlist_regex", withRule(func(r *Rule) { r.Allowlists = []Allowlist{{Regexes: []string{"("}}} }), "rules[0].allowlists[0].regexes[0]"},
		{"rule_allowlist_target", withRule(func(r *Rule) { r.Allowlists = []Allowlist{{Regexes: []string{"x"}, RegexTarget: "file"}} }), "rules[0].allowlists[0].regex_target"},
		{"rule_allowlist_condition", withRule(func(r *Rule) { r.Allowlists = []Allowlist{{Regexes: []string{"x"}, Condition: "xor"}} }), "rules[0].allowlists[0].condition"},
		{"allowlist_allows_all", Config{Allowlists: []Allowlist{{Regexes: []string{".*"}}}}, "allowlists[0].regexes[0]"},
		{"allowlist_empty_stopword", Config{Allowlists: []Allowlist{{Stopwords: []string{""}}}}, "allowlists[0].stopwords[0]"},
		{"allowlist_no_checks", Config{Allowlists: []Allowlist{{Description: "nothing"}}}, "allowlists[0]"},
		{"disabled_unknown", Config{DisabledRules: []string{"no-such-rule"}}, "disabled_rules[0]"},
		{"duplicate_user_ids", Config{Rules: []Rule{ok, ok}}, "rules[1].id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("Validate() = %v, want an error naming %s", err, c.field)
			}
			if _, err := New(c.cfg); err == nil || !strings.HasPrefix(err.Error(), Name+": ") {
				t.Errorf("New() = %v, want the same error prefixed with %q", err, Name)
			}
		})
	}
	// Disabling every rule with no user rules would let everything through.
	s := scannertest.Must(t, New, DefaultConfig())
	if err := (Config{DisabledRules: s.RuleIDs()}).Validate(); err == nil || !strings.Contains(err.Error(), "disabled_rules") {
		t.Errorf("all rules disabled: %v, want an error naming disabled_rules", err)
	}
	if err := (Config{DisabledRules: s.RuleIDs(), Rules: []Rule{ok}}).Validate(); err != nil {
		t.Errorf("all built-ins disabled but a user rule: %v", err)
	}
}

func TestUserRulesAndAllowlists(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Rules = []Rule{{
		ID:       "myco-token",
		Regex:    `\b(myco_[a-z0-9]{20})\b`,
		Keywords: []string{"MYCO_"}, // keywords are case-insensitive
		Entropy:  3,
		Allowlists: []Allowlist{{
			Stopwords: []string{"test"},
		}},
	}}
	cfg.Allowlists = []Allowlist{{Regexes: []string{`^ghp_1234567890`}}}
	s := scannertest.Must(t, New, cfg)
	for _, c := range []struct {
		text string
		want []string
	}{
		{"use myco_a8f3k2m9x7q1w5e4r6t0 here", []string{"myco-token"}},
		{"low entropy myco_aaaaaaaaaaaaaaaaaaaa", nil},
		{"stopword myco_test8f3k2m9x7q1w5e4r6", nil},
		{"no keyword near mycoa8f3k2m9x7q1w5e4r6t0", nil},
		{"allowed by the global allowlist " + fakeGitHub, nil},
		{"still found " + fakeAWS, []string{"aws-access-token"}},
	} {
		res := scan(t, s, c.text)
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.Rule)
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%q (-want +got):\n%s", c.text, d)
		}
	}
	// Disabled rules do not run.
	cfg = DefaultConfig()
	cfg.DisabledRules = []string{"github-pat"}
	if res := scan(t, scannertest.Must(t, New, cfg), "x "+fakeGitHub); !res.Valid {
		t.Errorf("disabled rule still fires: %+v", res.Findings)
	}
}

func TestAllowlistTargetsAndConditions(t *testing.T) {
	base := Rule{ID: "t", Regex: `key=(\w{8,})`, Keywords: []string{"key="}}
	for _, c := range []struct {
		name string
		al   Allowlist
		text string
		want bool // flagged
	}{
		{"secret_target", Allowlist{Regexes: []string{`^abc`}}, "key=abcdefgh", false},
		{"match_target", Allowlist{Regexes: []string{`^key=`}, RegexTarget: TargetMatch}, "key=abcdefgh", false},
		{"secret_target_does_not_see_match", Allowlist{Regexes: []string{`^key=`}}, "key=abcdefgh", true},
		{"line_target", Allowlist{Regexes: []string{`(?i)example`}, RegexTarget: TargetLine}, "example: key=abcdefgh\nnext", false},
		{"line_target_other_line", Allowlist{Regexes: []string{`(?i)example`}, RegexTarget: TargetLine}, "example\nkey=abcdefgh", true},
		{"and_both", Allowlist{Regexes: []string{`^abc`}, Stopwords: []string{"efg"}, Condition: ConditionAnd}, "key=abcdefgh", false},
		{"and_one", Allowlist{Regexes: []string{`^abc`}, Stopwords: []string{"zzz"}, Condition: ConditionAnd}, "key=abcdefgh", true},
		{"or_one", Allowlist{Regexes: []string{`^abc`}, Stopwords: []string{"zzz"}}, "key=abcdefgh", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := base
			r.Allowlists = []Allowlist{c.al}
			s := scannertest.Must(t, New, Config{Rules: []Rule{r}, DisabledRules: scannertest.Must(t, New, DefaultConfig()).RuleIDs()})
			if got := !scan(t, s, c.text).Valid; got != c.want {
				t.Errorf("flagged %v, want %v", got, c.want)
			}
		})
	}
}

// extraCases gives each llmshield rule in extra.toml texts it must flag
// (with the secret it must report) and texts it must not.
var extraCases = map[string]struct {
	pos    [][2]string // text, secret
	negNot []string
}{
	"pkcs12-file": {pos: [][2]string{{"cert: MIIJzwIBAzCCCYUGCSqGSIb3DQEHAaCCCXYEgglyMIIJbjCCBeIGCSqGSIb3DQEHBqCCBdMwggXPAgEAMIIFyAYJKoZIhvcNAQcBMBwGCiqGSIb3", "MIIJzwIBAzCCCYUGCSqGSIb3DQEHAaCCCXYEgglyMIIJbjCCBeIGCSqGSIb3DQEHBqCCBdMwggXPAgEAMIIFyAYJKoZIhvcNAQcBMBwGCiqGSIb3"}},
		negNot: []string{"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"}},
	"password-assignment": {pos: [][2]string{{"db_password = \"hunter2!x\"\n", "hunter2!x"}, {"REACT_APP_AUTH_PASS=whiteduke\n", "whiteduke"}, {"if creds.Secret != 'open-sesame' {", "open-sesame"}},
		negNot: []string{"password: make sure it is long", "password = os.environ['DB_PASSWORD']\n", "password = ${DB_PASSWORD}\n", "compass: north\n"}},
	"password-in-prose": {pos: [][2]string{{"The default password is 'blooberry'.", "blooberry"}},
		negNot: []string{"The password is strong enough."}},
	"connection-uri-password": {pos: [][2]string{{"mongodb+srv://app:S3cr3t%40x@cluster0.example.net/db", "S3cr3t%40x"}, {"postgres://svc:pa55w0rd@db.internal:5432/x", "pa55w0rd"}},
		negNot: []string{"https://example.com:8443/path", "postgres://user:${DB_PASS}@db/x"}},
	"connection-string-password":      {pos: [][2]string{{"Server=db;User Id=app;Password=Tr0ub4dor;Database=x;", "Tr0ub4dor"}}},
	"cli-password-argument":           {pos: [][2]string{{"psexec \\\\10.0.0.5 -u admin -p Zx9!kq cmd", "Zx9!kq"}, {"docker login -u me -p s3cretTok3n", "s3cretTok3n"}}, negNot: []string{"docker run -p 8080:80 nginx", "psexec \\\\host -u admin -p $Password cmd"}},
	"netrc-password":                  {pos: [][2]string{{"machine api.example.com login bob password t0ps3cret", "t0ps3cret"}}},
	"gradle-credentials-password":     {pos: [][2]string{{"credentials {\n  username 'ci'\n  password 'gr4dl3pw'\n}", "gr4dl3pw"}}},
	"dotnet-credential-password":      {pos: [][2]string{{`new NetworkCredential("svc", "N3tw0rkPw")`, "N3tw0rkPw"}}},
	"http-basic-auth":                 {pos: [][2]string{{"Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="}}},
	"http-bearer-token":               {pos: [][2]string{{"Authorization: Bearer abc.DEF-123_x", "abc.DEF-123_x"}}, negNot: []string{"Authorization: Bearer <token>"}},
	"jwt-secret":                      {pos: [][2]string{{"jwt_secret: \"k9#Lm2$pQ8\"", "k9#Lm2$pQ8"}}},
	"aws-secret-access-key":           {pos: [][2]string{{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKQ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKQ"}}},
	"aws-account-id":                  {pos: [][2]string{{"aws_account_id=891511536143", "891511536143"}}},
	"django-secret-key":               {pos: [][2]string{{"SECRET_KEY = 'django-insecure-q8w#e4r!t6y7u8i9o0p-a1s2d3f4g5h6j7k8l9z0x1c2'", "django-insecure-q8w#e4r!t6y7u8i9o0p-a1s2d3f4g5h6j7k8l9z0x1c2"}}},
	"kubernetes-bootstrap-token":      {pos: [][2]string{{"--tls-bootstrap-token q8w4e2.r6t7y8u9i0o1p2a3", "q8w4e2.r6t7y8u9i0o1p2a3"}}},
	"vault-service-token-legacy":      {pos: [][2]string{{"VAULT_TOKEN=s.Qf1s5zigZA3bW9w8J1eTWpXk", "s.Qf1s5zigZA3bW9w8J1eTWpXk"}}},
	"vault-unseal-key":                {pos: [][2]string{{"vault operator unseal Xq9mZ2k4L7pR1sT8vW3yB6nC0dF5gH2jK4lM7nP9qR1=", "Xq9mZ2k4L7pR1sT8vW3yB6nC0dF5gH2jK4lM7nP9qR1="}}},
	"jenkins-crumb":                   {pos: [][2]string{{"-H 'Jenkins-Crumb:0a1b2c3d4e5f60718293a4b5c6d7e8f9'", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}}},
	"jenkins-initial-admin-password":  {pos: [][2]string{{"Please use the following password to proceed to installation:\n\n0a1b2c3d4e5f60718293a4b5c6d7e8f9\n", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}}},
	"password-hash-bcrypt":            {pos: [][2]string{{"hash: $2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"}}},
	"password-hash-md5crypt":          {pos: [][2]string{{"root:$1$Qd8H2kLm$Zq1w2e3r4t5y6u7i8o9p0a:0:0", "$1$Qd8H2kLm$Zq1w2e3r4t5y6u7i8o9p0a"}}},
	"password-hash-sha256crypt":       {pos: [][2]string{{"$5$Qd8H2kLmZ1x$" + strings.Repeat("aB3", 14) + "c", "$5$Qd8H2kLmZ1x$" + strings.Repeat("aB3", 14) + "c"}}},
	"password-hash-sha512crypt":       {pos: [][2]string{{"$6$Qd8H2kLm$" + strings.Repeat("aB3/", 21) + "xy", "$6$Qd8H2kLm$" + strings.Repeat("aB3/", 21) + "xy"}}},
	"password-hash-cisco-type8-type9": {pos: [][2]string{{"secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM", "$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM"}}},
	"password-hash-kerberos":          {pos: [][2]string{{"$krb5asrep$23$" + strings.Repeat("ab", 16) + "$" + strings.Repeat("c0", 40), "$krb5asrep$23$" + strings.Repeat("ab", 16) + "$" + strings.Repeat("c0", 40)}}},
	"azure-devops-pat":                {pos: [][2]string{{"pat=" + strings.Repeat("Ab1", 25) + "xAZDOq9Z1", strings.Repeat("Ab1", 25) + "xAZDOq9Z1"}}},
	"blynk-device-token":              {pos: [][2]string{{"https://blynk.cloud/external/api/get?token=Qw3rTy8uIo9pAs2dFg4hJk6lZx7cVb1n&V1", "Qw3rTy8uIo9pAs2dFg4hJk6lZx7cVb1n"}}},
	"google-oauth-client-id":          {pos: [][2]string{{"client_id: 123456789012-q8w4e2r6t7y8u9i0o1p2a3s5d7f9g1h3.apps.googleusercontent.com", "123456789012-q8w4e2r6t7y8u9i0o1p2a3s5d7f9g1h3"}}},
	"google-oauth-access-token":       {pos: [][2]string{{"Bearer ya29.a0AfH6SMBx7kq9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk", "ya29.a0AfH6SMBx7kq9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk"}}},
	"microsoft-teams-webhook-url": {pos: [][2]string{{"url: https://outlook.office.com/webhook/2f92c502-7feb-4a6c-86f1-477271ae576f@990414fa-d0a3-42f5-b740-21d865a44a28/IncomingWebhook/54e43eb586f14aa9984d5c0bec3d5050/539ce6fa-e9aa-413f-a79b-fb7e8998fcac",
		"https://outlook.office.com/webhook/2f92c502-7feb-4a6c-86f1-477271ae576f@990414fa-d0a3-42f5-b740-21d865a44a28/IncomingWebhook/54e43eb586f14aa9984d5c0bec3d5050/539ce6fa-e9aa-413f-a79b-fb7e8998fcac"}}},
	"okta-api-token":           {pos: [][2]string{{"Authorization: SSWS 00Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df8Gh1Jk3L", "00Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df8Gh1Jk3L"}}},
	"truenas-api-key":          {pos: [][2]string{{`{"method":"auth.login_with_api_key", "params":["3-` + strings.Repeat("aZ9", 21) + `x"]}`, "3-" + strings.Repeat("aZ9", 21) + "x"}}},
	"dependency-track-api-key": {pos: [][2]string{{"X-Api-Key: odt_Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df8", "odt_Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df8"}}},
	"docker-hub-token":         {pos: [][2]string{{"DOCKER_TOKEN=dckr_pat_Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0", "dckr_pat_Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0"}}},
	"tavily-api-key":           {pos: [][2]string{{"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", "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"}}},
	"thingsboard-access-token": {pos: [][2]string{{"https://thingsboard.cloud/api/v1/q8w4e2r6t7y8u9i0o1p2/telemetry", "q8w4e2r6t7y8u9i0o1p2"}}},
	"twitch-stream-key":        {pos: [][2]string{{"live_123456789_Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6", "live_123456789_Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6"}}},
	"new-relic-key":            {pos: [][2]string{{"NRAK-Q9LM2ZP4RT8VW1YC3ND5GH7JK0A", "NRAK-Q9LM2ZP4RT8VW1YC3ND5GH7JK0A"}}},
	"nuget-api-key":            {pos: [][2]string{{"nuget push x.nupkg oy2q9lm2zp4rt8vw1yc3nd5gh7jk0as6df8gh1jk3lz5xc", "oy2q9lm2zp4rt8vw1yc3nd5gh7jk0as6df8gh1jk3lz5xc"}}},
	"private-key-base64":       {pos: [][2]string{{"KEY=LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb2dJQkFBS0NBUUVBb3kxWFh1VkFRcHFIYlFF", "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb2dJQkFBS0NBUUVBb3kxWFh1VkFRcHFIYlFF"}}},
	"salesforce-access-token":  {pos: [][2]string{{"token 00D5g000001Qx9L!" + strings.Repeat("Ab3.", 22), "00D5g000001Qx9L!" + strings.Repeat("Ab3.", 22)}}},
	"telegram-bot-token-bare":  {pos: [][2]string{{"4839574813:AAFQx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df", "4839574813:AAFQx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df"}}},
	"adafruit-io-key-bare":     {pos: [][2]string{{"IO_KEY=aio_Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0A", "aio_Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0A"}}},
	"bitbucket-app-password":   {pos: [][2]string{{"https://me:ATBBQx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df@bitbucket.org/x", "ATBBQx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df"}}},
	"codeclimate-reporter-id":  {pos: [][2]string{{"CC_TEST_REPORTER_ID: " + strings.Repeat("0a1b2c3d", 8), strings.Repeat("0a1b2c3d", 8)}}},
	"doppler-token":            {pos: [][2]string{{"dp.st.dev.Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df8Gh1Jk3Lz", "dp.st.dev.Qx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Df8Gh1Jk3Lz"}}},
	"facebook-app-secret":      {pos: [][2]string{{"fbAppSecret: \"0a1b2c3d4e5f60718293a4b5c6d7e8f9\"", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}}},
	"groq-api-key":             {pos: [][2]string{{"gsk_" + strings.Repeat("Qx9Lm2Zp4Rt8Vw1Yc3Nd", 2) + "5Gh7Jk0As6Df", "gsk_" + strings.Repeat("Qx9Lm2Zp4Rt8Vw1Yc3Nd", 2) + "5Gh7Jk0As6Df"}}},
	"sourcegraph-token-bare":   {pos: [][2]string{{"token sgp_0a1b2c3d4e5f6071_" + strings.Repeat("8293a4b5", 5) + "<br/>", "sgp_0a1b2c3d4e5f6071_" + strings.Repeat("8293a4b5", 5)}}},
	"square-access-token-bare": {pos: [][2]string{{"token sq0atp-Qx9Lm2Zp4Rt8Vw1Yc3Nd5G<br/>", "sq0atp-Qx9Lm2Zp4Rt8Vw1Yc3Nd5G"}}},
	"crates-io-api-key":        {pos: [][2]string{{"CARGO_REGISTRY_TOKEN=cioQx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Dz", "cioQx9Lm2Zp4Rt8Vw1Yc3Nd5Gh7Jk0As6Dz"}}},
	"postmark-server-token":    {pos: [][2]string{{"postmark_token: \"f59dffd2-83ea-47c7-ba8f-95e053a6d0ae\"", "f59dffd2-83ea-47c7-ba8f-95e053a6d0ae"}}},
}

// TestExtraRules checks every llmshield rule on its own examples: it must
// report the secret's exact span under its own id, and must not fire on
// the negatives.
func TestExtraRules(t *testing.T) {
	f, err := parseRuleFile("extra.toml", extraTOML)
	if err != nil {
		t.Fatal(err)
	}
	s := scannertest.Must(t, New, DefaultConfig())
	for _, r := range f.Rules {
		c, ok := extraCases[r.ID]
		if !ok || len(c.pos) == 0 {
			t.Errorf("rule %s has no test examples", r.ID)
			continue
		}
		only := scannertest.Must(t, New, onlyRule(t, r.ID))
		for _, p := range c.pos {
			res := scan(t, only, p[0])
			found := false
			for _, fd := range res.Findings {
				if fd.Rule == r.ID && p[0][fd.Start:fd.End] == p[1] {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: %q: want secret %q, got %+v", r.ID, p[0], p[1], res.Findings)
			}
			if res := scan(t, s, p[0]); res.Valid {
				t.Errorf("%s: %q not flagged by the full rule set", r.ID, p[0])
			}
		}
		for _, n := range c.negNot {
			if res := scan(t, only, n); !res.Valid {
				t.Errorf("%s: negative %q flagged: %+v", r.ID, n, res.Findings)
			}
		}
	}
	for id := range extraCases {
		found := false
		for _, r := range f.Rules {
			found = found || r.ID == id
		}
		if !found {
			t.Errorf("test examples for unknown rule %s", id)
		}
	}
}

// onlyRule is a config running the single built-in rule id.
func onlyRule(t testing.TB, id string) Config {
	cfg := DefaultConfig()
	for _, other := range scannertest.Must(t, New, DefaultConfig()).RuleIDs() {
		if other != id {
			cfg.DisabledRules = append(cfg.DisabledRules, other)
		}
	}
	return cfg
}

func TestDetailNeverContainsSecret(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	var texts []string
	for _, c := range extraCases {
		for _, p := range c.pos {
			texts = append(texts, p[0])
		}
	}
	if dir := sharedDir(); dir != "" {
		for _, r := range readJSONL(t, dir+"/secrets/noseyparker_rule_examples.jsonl") {
			texts = append(texts, r.Text)
		}
	}
	for _, text := range texts {
		res := scan(t, s, text)
		for _, f := range res.Findings {
			secret := text[f.Start:f.End]
			// The detail is built from the rule and the length only.
			origin := originGitleaks
			if !isGitleaksRule(t, f.Rule) {
				origin = originExtra
			}
			want := []string{
				fmt.Sprintf("%s rule %s matched a secret of %d bytes", origin, f.Rule, len(secret)),
				fmt.Sprintf("another occurrence of a secret found by %s rule %s", origin, f.Rule),
			}
			if !slices.Contains(want, f.Detail) {
				t.Errorf("finding %s: detail %q, want one of %q", f.Rule, f.Detail, want)
			}
			if !strings.Contains(res.Sanitized, Redacted) || strings.Contains(res.Sanitized, secret) && len(secret) >= partialMin {
				t.Errorf("finding %s: secret left in sanitized text %.80q", f.Rule, res.Sanitized)
			}
		}
	}
}

func isGitleaksRule(t testing.TB, id string) bool {
	set, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range set.rules[:set.gitleaksN] {
		if r.id == id {
			return true
		}
	}
	return false
}

func TestRepeatedSecretRedacted(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	// The second occurrence has no context a rule would match.
	text := "db_password = \"Wq8#zL2!pX\"\nlater I typed Wq8#zL2!pX into the form"
	res := scan(t, s, text)
	if strings.Contains(res.Sanitized, "Wq8#zL2!pX") {
		t.Errorf("repeat not redacted: %q", res.Sanitized)
	}
	if len(res.Findings) != 2 || !strings.Contains(res.Findings[1].Detail, "another occurrence") {
		t.Errorf("findings %+v, want the rule match and its repeat", res.Findings)
	}
}

// TestManyRepeatedSecrets exercises the automaton path of repeats (more
// than fewSecrets distinct secrets).
func TestManyRepeatedSecrets(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	var sb, again strings.Builder
	var pws []string
	for i := range fewSecrets + 2 {
		pw := fmt.Sprintf("Wq8#zL2!p%d", i)
		pws = append(pws, pw)
		fmt.Fprintf(&sb, "db_password_%d = \"%s\"\n", i, pw)
		fmt.Fprintf(&again, "typed %s again; ", pw)
	}
	text := sb.String() + again.String()
	res := scan(t, s, text)
	if len(res.Findings) != 2*len(pws) {
		t.Errorf("%d findings, want %d", len(res.Findings), 2*len(pws))
	}
	for _, pw := range pws {
		if strings.Contains(res.Sanitized, pw) {
			t.Errorf("%s left in %q", pw, res.Sanitized)
		}
	}
}

func TestGenericYieldsToSpecific(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	res := scan(t, s, "api_key = \""+fakeStripe+"\"\n")
	if len(res.Findings) != 1 || res.Findings[0].Rule != "stripe-access-token" {
		t.Errorf("findings %+v, want only stripe-access-token", res.Findings)
	}
}

func TestHugeTextSegments(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	filler := strings.Repeat("The quick brown fox jumps over the lazy dog.\n", 1500) // ~67 KB
	var sb strings.Builder
	var want []int
	for i := range 6 {
		sb.WriteString(filler[:len(filler)-i*997])
		want = append(want, sb.Len()+len("token "))
		sb.WriteString("token " + fakeGitHub + "\n")
	}
	text := sb.String()
	if len(text) < 3*segmentSize {
		t.Fatalf("text of %d bytes does not span several segments", len(text))
	}
	res := scan(t, s, text)
	var got []int
	for _, f := range res.Findings {
		got = append(got, f.Start)
		if text[f.Start:f.End] != fakeGitHub {
			t.Errorf("finding %+v is not the token", f)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("starts (-want +got):\n%s", d)
	}
	if strings.Contains(res.Sanitized, fakeGitHub) {
		t.Error("token left in sanitized text")
	}
}

func TestCancelled(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Scan(ctx, scanner.Input{Prompt: "x " + fakeGitHub}); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestOutputStage(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	res := scannertest.Check(t, s, scanner.Input{Prompt: "hi", Output: "here: " + fakeGitHub, Stage: scanner.StageOutput})
	if res.Valid || res.Sanitized != "here: ******" {
		t.Errorf("output scan: %+v", res)
	}
}

func TestFingerprint(t *testing.T) {
	base := scannertest.Must(t, New, DefaultConfig()).Fingerprint()
	if base != scannertest.Must(t, New, DefaultConfig()).Fingerprint() {
		t.Error("fingerprint not stable")
	}
	seen := map[string]string{"default": base}
	for name, cfg := range map[string]Config{
		"mode":     {Redact: true, RedactMode: RedactHash},
		"redact":   {Redact: false},
		"disabled": {Redact: true, DisabledRules: []string{"jwt"}},
		"rules":    {Redact: true, Rules: []Rule{{ID: "x", Regex: "xyz123"}}},
		"allow":    {Redact: true, Allowlists: []Allowlist{{Stopwords: []string{"example"}}}},
	} {
		fp := scannertest.Must(t, New, cfg).Fingerprint()
		for other, ofp := range seen {
			if fp == ofp {
				t.Errorf("%s and %s share a fingerprint", name, other)
			}
		}
		seen[name] = fp
	}
}

func TestYAMLConfig(t *testing.T) {
	src := `
redact: true
redact_mode: partial
disabled_rules: [jwt]
rules:
  - id: myco-token
    description: MyCo API token
    regex: '\b(myco_[a-z0-9]{20})\b'
    secret_group: 1
    entropy: 3.5
    keywords: [myco_]
    allowlists:
      - regexes: ['^myco_test']
        regex_target: secret
allowlists:
  - stopwords: [example]
    condition: or
`
	c := DefaultConfig()
	scannertest.DecodeYAML(t, src, &c)
	want := Config{
		Redact: true, RedactMode: RedactPartial, DisabledRules: []string{"jwt"},
		Rules: []Rule{{ID: "myco-token", Description: "MyCo API token", Regex: `\b(myco_[a-z0-9]{20})\b`, SecretGroup: 1, Entropy: 3.5,
			Keywords: []string{"myco_"}, Allowlists: []Allowlist{{Regexes: []string{"^myco_test"}, RegexTarget: "secret"}}}},
		Allowlists: []Allowlist{{Stopwords: []string{"example"}, Condition: "or"}},
	}
	if d := cmp.Diff(want, c); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader([]byte("rules:\n  - id: x\n    path: '.tf$'\n")))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err == nil {
		t.Error("gitleaks-only field path accepted in YAML")
	}
}

func TestConformance(t *testing.T) {
	for _, cfg := range []Config{
		DefaultConfig(),
		{Redact: true, RedactMode: RedactPartial},
		{Redact: true, RedactMode: RedactHash},
		{Redact: false},
	} {
		scannertest.Run(t, scannertest.Must(t, New, cfg), scannertest.WithInputs(
			"token "+fakeGitHub,
			"aws "+fakeAWS+" and "+fakeAWS,
			"db_password = \"Wq8#zL2!pX\"\nagain Wq8#zL2!pX",
			"password = 'ключ-секрет-42'\n",
			"mongodb://app:p%40ss\xffword@db/x",
		))
	}
}

func FuzzScan(f *testing.F) {
	for _, c := range extraCases {
		for _, p := range c.pos {
			f.Add(p[0])
		}
	}
	f.Add("token " + fakeGitHub)
	f.Add("")
	f.Add("\xff\xfe password = 'x\xffy'\n")
	s := scannertest.Must(f, New, Config{Redact: true, RedactMode: RedactPartial})
	f.Fuzz(func(t *testing.T, text string) {
		res := scannertest.Check(t, s, scanner.Input{Prompt: text})
		if res.Valid != (len(res.Findings) == 0) {
			t.Fatalf("valid %v with %d findings", res.Valid, len(res.Findings))
		}
		for _, fd := range res.Findings {
			if fd.Start < 0 || fd.End > len(text) || fd.Start >= fd.End {
				t.Fatalf("bad span %+v in %d bytes", fd, len(text))
			}
		}
		if utf8.ValidString(text) && !utf8.ValidString(res.Sanitized) {
			t.Fatalf("sanitized not valid UTF-8: %q", res.Sanitized)
		}
		if res.Valid && res.Sanitized != text {
			t.Fatalf("clean text rewritten")
		}
	})
}
