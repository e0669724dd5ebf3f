package builtin

import (
	"context"

	"github.com/llmshield/llmshield/internal/mlscan"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/anonymize"
	"github.com/llmshield/llmshield/scanner/bancode"
	"github.com/llmshield/llmshield/scanner/bancompetitors"
	"github.com/llmshield/llmshield/scanner/bansubstrings"
	"github.com/llmshield/llmshield/scanner/bantopics"
	"github.com/llmshield/llmshield/scanner/bias"
	"github.com/llmshield/llmshield/scanner/code"
	"github.com/llmshield/llmshield/scanner/deanonymize"
	"github.com/llmshield/llmshield/scanner/emotiondetection"
	"github.com/llmshield/llmshield/scanner/factualconsistency"
	"github.com/llmshield/llmshield/scanner/gibberish"
	"github.com/llmshield/llmshield/scanner/invisibletext"
	"github.com/llmshield/llmshield/scanner/jsonscan"
	"github.com/llmshield/llmshield/scanner/language"
	"github.com/llmshield/llmshield/scanner/languagesame"
	"github.com/llmshield/llmshield/scanner/maliciousurls"
	"github.com/llmshield/llmshield/scanner/norefusal"
	"github.com/llmshield/llmshield/scanner/norefusallight"
	"github.com/llmshield/llmshield/scanner/promptinjection"
	"github.com/llmshield/llmshield/scanner/readingtime"
	"github.com/llmshield/llmshield/scanner/regex"
	"github.com/llmshield/llmshield/scanner/relevance"
	"github.com/llmshield/llmshield/scanner/secrets"
	"github.com/llmshield/llmshield/scanner/sensitive"
	"github.com/llmshield/llmshield/scanner/sentiment"
	"github.com/llmshield/llmshield/scanner/tokenlimit"
	"github.com/llmshield/llmshield/scanner/toxicity"
	"github.com/llmshield/llmshield/scanner/urlreachability"
)

// All returns every built-in scanner factory, in a stable order.
func All() []Factory {
	return []Factory{
		{
			Name:        invisibletext.Name,
			Description: "Invisible characters (format, private-use, tag characters) used to hide instructions; removes them.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := invisibletext.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return invisibletext.New(*p.(*invisibletext.Config))
			},
		},
		{
			Name:        bansubstrings.Name,
			Description: "Banned substrings or words (Aho-Corasick), optionally redacted.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := bansubstrings.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return bansubstrings.New(*p.(*bansubstrings.Config))
			},
		},
		{
			Name:        regex.Name,
			Description: "Regular expressions as a deny list (flag matches, optionally redact) or an allow list.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := regex.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return regex.New(*p.(*regex.Config))
			},
		},
		{
			Name:        anonymize.Name,
			Description: "Personal data (e-mail, phone, cards, IBAN, SSN, IPs, names, ...) replaced by [REDACTED_<TYPE>_<n>] placeholders kept in the conversation's vault.",
			Stages:      scanner.StagePrompt,
			Defaults:    func() any { c := anonymize.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				return anonymize.New(*p.(*anonymize.Config), anonymize.WithNER(d.NER))
			},
		},
		{
			Name:        deanonymize.Name,
			Description: "Restores the values anonymize replaced, from the conversation's vault (exact, case_insensitive, fuzzy or combined_exact_fuzzy matching).",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := deanonymize.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return deanonymize.New(*p.(*deanonymize.Config))
			},
		},
		{
			Name:        sensitive.Name,
			Description: "Personal data in responses (the anonymize recognizers), optionally redacted.",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := sensitive.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				return sensitive.New(*p.(*sensitive.Config), anonymize.WithNER(d.NER))
			},
		},
		{
			Name:        tokenlimit.Name,
			Description: "Prompts longer than a tiktoken limit (cl100k_base or o200k_base, default 4096 tokens); truncates to the first chunk within it.",
			Stages:      scanner.StagePrompt,
			Defaults:    func() any { c := tokenlimit.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return tokenlimit.New(*p.(*tokenlimit.Config))
			},
		},
		{
			Name:        jsonscan.Name,
			Description: "JSON in responses (fenced blocks, bare objects and arrays): flags invalid JSON or fewer than required_elements documents; optional repair.",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := jsonscan.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return jsonscan.New(*p.(*jsonscan.Config))
			},
		},
		{
			Name:        readingtime.Name,
			Description: "Responses that take longer than max_time minutes to read (200 words per minute); optional truncation.",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := readingtime.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return readingtime.New(*p.(*readingtime.Config))
			},
		},
		{
			Name:        gibberish.Name,
			Description: "Gibberish (random letters, keyboard mashing, scrambled words, repeated tokens): a character model trained by the project, embedded.; a user gibberish classifier (model)",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := gibberish.DefaultConfig(); return &c },
			Build:       buildGibberish,
		},
		{
			Name:        language.Name,
			Description: "Text outside the valid_languages allow-list (ISO 639-1): script check, then whatlanggo; short texts get no verdict.; a user language classifier (model)",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := language.DefaultConfig(); return &c },
			Build:       buildLanguage,
		},
		{
			Name:        languagesame.Name,
			Description: "Responses in another language (or script) than their prompt; short or unsure texts get no verdict.",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := languagesame.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return languagesame.New(*p.(*languagesame.Config))
			},
		},
		{
			Name:        code.Name,
			Description: "Source code in (or, with is_blocked false, outside) the given languages: fences, shebangs, syntax cues, Linguist's classifier on narrowed candidates.; a user code-language classifier (model)",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := code.DefaultConfig(); return &c },
			Build:       buildCode,
		},
		{
			Name:        bancode.Name,
			Description: "Any source code (fenced blocks, shebangs, code-like lines).",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := bancode.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return bancode.New(*p.(*bancode.Config))
			},
		},
		{
			Name:        secrets.Name,
			Description: "Credentials (API keys, tokens, private keys, passwords, password hashes): gitleaks' rules plus llmshield's, keyword-prefiltered; redacts them (all, partial or hash).",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := secrets.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return secrets.New(*p.(*secrets.Config))
			},
		},
		{
			Name:        promptinjection.Name,
			Description: "Prompt injection and jailbreaks: normalised-text rules (EN/DE/FR/ES) and the built-in ML classifier, in hybrid mode by default. On outputs it catches instructions passed on to the next agent step.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := promptinjection.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				return promptinjection.New(*p.(*promptinjection.Config), d.ml())
			},
		},
		{
			Name:        toxicity.Name,
			Description: "Toxicity (insults, profanity, threats, identity attacks, sexual content): obfuscation-aware lexicon rules (EN/DE) and the built-in ML classifier, hybrid by default.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := toxicity.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				return toxicity.New(*p.(*toxicity.Config), d.ml())
			},
		},
		{
			Name:        sentiment.Name,
			Description: "Negative sentiment: a lexicon-and-rules analyser (EN/DE) and the built-in ML classifier (label NEGATIVE), hybrid by default; method: vader scores with VADER's compound alone, like LLM Guard.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := sentiment.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				return sentiment.New(*p.(*sentiment.Config), d.ml())
			},
		},
		{
			Name:        norefusallight.Name,
			Description: "Refusals in the answer, from weighted refusal phrases in 13 languages (normalised, Aho-Corasick).",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := norefusallight.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return norefusallight.New(*p.(*norefusallight.Config))
			},
		},
		{
			Name:        norefusal.Name,
			Description: "Refusals in the answer: the built-in hashed n-gram logistic-regression classifier (10 languages, pure Go); a user classifier (model).",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := norefusal.DefaultConfig(); return &c },
			Build:       buildNoRefusal,
		},
		{
			Name:        bancompetitors.Name,
			Description: "Competitor names and aliases (gazetteer: normalised, word boundaries, fuzzy for longer names), redacted by default; only inside ORG entities of a user NER model (model).",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := bancompetitors.DefaultConfig(); return &c },
			Build:       buildBanCompetitors,
		},
		{
			Name:        bantopics.Name,
			Description: "Banned topics (violence, weapons, drugs, self_harm, sexual, politics, religion, medical, legal, financial) from weighted EN/DE lexicons; any topics zero-shot with a user NLI model (model).",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := bantopics.DefaultConfig(); return &c },
			Build:       buildBanTopics,
		},
		{
			Name:        maliciousurls.Name,
			Description: "Suspicious URLs in the answer (xurls extraction; raw IPs, look-alike and punycode domains, user info, risky TLDs, script/data URLs, shorteners, local blocklist); no network access; a user URL classifier (model).",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := maliciousurls.DefaultConfig(); return &c },
			Build:       buildMaliciousURLs,
		},
		{
			Name:        urlreachability.Name,
			Description: "Links in the answer that do not work (HEAD, then GET; timeouts, a cap on URLs); SSRF-safe: no internal addresses unless allow_private.",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := urlreachability.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return urlreachability.New(*p.(*urlreachability.Config))
			},
		},
		{
			Name:        relevance.Name,
			Description: "Answers unrelated to the prompt: lexical cosine similarity of content-word stems (EN/DE stop words) under a threshold; embedding cosine with a user model (model).",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := relevance.DefaultConfig(); return &c },
			Build:       buildRelevance,
		},
		{
			Name:        factualconsistency.Name,
			Description: "Answer claims (numbers, names) the prompt does not support: share of supported claims under minimum_score; entailment by the prompt with a user NLI model (model).",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := factualconsistency.DefaultConfig(); return &c },
			Build:       buildFactualConsistency,
		},
		{
			Name:        bias.Name,
			Description: "Generalisations about groups of people in the answer: group terms with quantifiers/copulas and stereotyping traits (EN, some DE lexicon baseline); a user classifier (model).",
			Stages:      scanner.StageOutput,
			Defaults:    func() any { c := bias.DefaultConfig(); return &c },
			Build:       buildBias,
		},
		{
			Name:        emotiondetection.Name,
			Description: "Blocked emotions (GoEmotions labels; negative ones by default) from an English cue lexicon with negation and emoji; a user emotion classifier (model).",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := emotiondetection.DefaultConfig(); return &c },
			Build:       buildEmotionDetection,
		},
	}
}

// MLParams is implemented by the params of ML-capable scanners.
type MLParams interface {
	MLConfig() mlscan.Config
}

// NERParams is implemented by the params of scanners that may use the
// NER model (anonymize, sensitive): the model hub is needed when UsesNER.
type NERParams interface {
	UsesNER() bool
}

// ml gives an ML scanner its model hub, observability and instance name.
func (d Deps) ml() mlscan.Option {
	models := d.Models
	if models == nil && d.Hub != nil {
		models = mlscan.FromHub(d.Hub)
	}
	return mlscan.WithEnv(d.Instance, models, d.Logger, d.Registerer)
}
