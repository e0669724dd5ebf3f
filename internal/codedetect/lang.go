package codedetect

import (
	"regexp"
	"sort"

	"github.com/go-enry/go-enry/v2"
)

// langCues are syntax cues per Linguist language; each match adds its
// weight once per block.
var langCues = map[string][]cue{
	"Python": {
		{regexp.MustCompile(`(?m)^\s*def\s+\w+\s*\(.*\)\s*(->\s*[\w\[\], .]+)?:\s*$`), 3, nil},
		{regexp.MustCompile(`(?m)^\s*(from\s+[\w.]+\s+import|import\s+[\w.]+(\s+as\s+\w+)?\s*$)`), 2, nil},
		{regexp.MustCompile(`(?m)^\s*(class\s+\w+(\(.*\))?|if .+|elif .+|else|for .+ in .+|while .+|try|except.*|with .+)\s*:\s*$`), 2, nil},
		{regexp.MustCompile(`\b(self\.|None\b|True\b|False\b|print\(|__init__|__name__|lambda\s|elif\b)`), 1, nil},
	},
	"Go": {
		{regexp.MustCompile(`(?m)^package\s+\w+\s*$`), 3, nil},
		{regexp.MustCompile(`(?m)^\s*func\s+(\(\w+\s+\*?\w+\)\s*)?\w+\s*\(`), 3, nil},
		{regexp.MustCompile(`:=|\bfmt\.|\berr != nil\b|\bchan\b|\bgo func\b|\bdefer\b|\[\]byte|\bstruct\s*\{|\binterface\s*\{`), 2, nil},
	},
	"JavaScript": {
		{regexp.MustCompile(`\b(const|let|var)\s+\w+\s*=`), 1, nil},
		{regexp.MustCompile(`\bfunction\s*\w*\s*\(|=>\s*[{(\w]`), 2, nil},
		{regexp.MustCompile(`\b(console\.log|document\.|window\.|require\(|module\.exports|export\s+(default|const|function)|=== |!== |\.then\(|async\s+function|new Promise)`), 2, nil},
	},
	"TypeScript": {
		{regexp.MustCompile(`\b(interface\s+\w+\s*\{|type\s+\w+\s*=|:\s*(string|number|boolean|any|void)\b|\bimplements\b|<\w+>\(|as const\b)`), 2, nil},
	},
	"C": {
		{regexp.MustCompile(`(?m)^\s*#\s*include\s*[<"]`), 3, nil},
		{regexp.MustCompile(`\b(printf|malloc|free|sizeof|NULL|struct\s+\w+\s*[*{]|int\s+main\s*\(|char\s*\*|->\w+|unsigned\s+\w+)`), 2, nil},
	},
	"C++": {
		{regexp.MustCompile(`\b(std::|cout\s*<<|cin\s*>>|template\s*<|namespace\s+\w+|#include\s*<(iostream|vector|string|map)>|nullptr|class\s+\w+\s*(:\s*public)?)`), 3, nil},
	},
	"Java": {
		{regexp.MustCompile(`\b(public\s+(static\s+)?(class|void|int|String)|System\.out\.|import\s+java\.|@Override|extends\s+\w+|new\s+\w+<)`), 3, nil},
	},
	"C#": {
		{regexp.MustCompile(`\b(using\s+System|Console\.Write|namespace\s+\w+|public\s+(async\s+)?(Task|void|string|int)\b.*\(|\bvar\s+\w+\s*=\s*new\b|\{\s*get;\s*set;\s*\})`), 3, nil},
	},
	"Shell": {
		{regexp.MustCompile(`(?m)^\s*(\$\s+)?(echo|export|cd|sudo|apt-get|apt|pip3?|npm|yarn|git|curl|wget|chmod|chown|mkdir|rm|ls|cat|grep|docker|kubectl|make)\s`), 2, nil},
		{regexp.MustCompile(`(?m)^\s*(fi|done|esac|then|do)\s*$|\$\{?\w+\}?|\[\[ |\]\]|\|\s*(grep|awk|sed|xargs|sort)\b|&&\s*\w+|2>&1|>\s*/dev/null`), 2, nil},
	},
	"Ruby": {
		{regexp.MustCompile(`(?m)^\s*(def\s+\w+[?!]?(\(.*\))?\s*$|end\s*$|puts\s|require\s+['"]|attr_accessor|\.each\s+do\s*\|)`), 2, nil},
	},
	"PHP": {
		{regexp.MustCompile(`<\?php|\$\w+\s*=|\becho\s+\$|->\w+\(|\bfunction\s+\w+\s*\(\$`), 3, nil},
	},
	"Rust": {
		{regexp.MustCompile(`\b(fn\s+\w+\s*(<.*>)?\s*\(|let\s+mut\s|impl\s+\w+|println!\(|&str\b|Vec<|Option<|Result<|match\s+\w+\s*\{|use\s+std::)`), 3, nil},
	},
	"SQL": {
		{regexp.MustCompile(`(?i)\b(SELECT\s+[\w*,\s.]+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|WHERE\s+\w+\s*=|JOIN\s+\w+\s+ON)\b`), 3, nil},
	},
	"HTML": {
		{regexp.MustCompile(`(?i)<(!DOCTYPE|html|head|body|div|span|p|a\s+href|script|style|table|ul|li)\b`), 3, nil},
	},
	"CSS": {
		{regexp.MustCompile(`(?m)^\s*[.#]?[\w-]+(\s*[.#:>][\w-]+)*\s*\{\s*$|^\s*[\w-]+\s*:\s*[^;]+;\s*$`), 2, nil},
	},
}

const maxLangBytes = 16 << 10

// shebangLang returns the language of a leading shebang line.
func shebangLang(content string) string {
	if len(content) < 3 || content[:2] != "#!" {
		return ""
	}
	if l, ok := enry.GetLanguageByShebang([]byte(content)); ok {
		return l
	}
	return ""
}

// Language names the language of a code snippet, or "" when no cue fires.
// Only the first maxLangBytes of a block are looked at.
func Language(content string) string {
	if len(content) > maxLangBytes {
		content = content[:maxLangBytes]
	}
	trimmed := content
	for len(trimmed) > 0 && (trimmed[0] == '\n' || trimmed[0] == ' ' || trimmed[0] == '\t' || trimmed[0] == '\r') {
		trimmed = trimmed[1:]
	}
	if l := shebangLang(trimmed); l != "" {
		return l
	}
	type sc struct {
		lang  string
		score float64
	}
	var scores []sc
	for lang, cues := range langCues {
		s := 0.0
		for _, c := range cues {
			if c.re.MatchString(content) {
				s += c.w
			}
		}
		if s > 0 {
			scores = append(scores, sc{lang, s})
		}
	}
	if len(scores) == 0 {
		return ""
	}
	sort.Slice(scores, func(i, j int) bool {
		if scores[i].score != scores[j].score {
			return scores[i].score > scores[j].score
		}
		return scores[i].lang < scores[j].lang
	})
	// TypeScript is JavaScript with types; C++ a superset of C in cues.
	best := scores[0]
	var cands []string
	for _, s := range scores {
		if s.score >= best.score-1 {
			cands = append(cands, s.lang)
		}
	}
	if len(cands) == 1 {
		return best.lang
	}
	if l, _ := enry.GetLanguageByClassifier([]byte(content), cands); l != "" {
		return l
	}
	return best.lang
}
