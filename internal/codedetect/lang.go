package codedetect

import "sort"

// langCueSpecs are syntax cues per Linguist language; each match adds its
// weight once per block.
var langCueSpecs = map[string][]cueSpec{
	"Python": {
		{`(?m)^\s*def\s+\w+\s*\(.*\)\s*(->\s*[\w\[\], .]+)?:\s*$`, 3, nil},
		{`(?m)^\s*(from\s+[\w.]+\s+import|import\s+[\w.]+(\s+as\s+\w+)?\s*$)`, 2, nil},
		{`(?m)^\s*(class\s+\w+(\(.*\))?|if .+|elif .+|else|for .+ in .+|while .+|try|except.*|with .+)\s*:\s*$`, 2, nil},
		{`\b(self\.|None\b|True\b|False\b|print\(|__init__|__name__|lambda\s|elif\b)`, 1, nil},
	},
	"Go": {
		{`(?m)^package\s+\w+\s*$`, 3, nil},
		{`(?m)^\s*func\s+(\(\w+\s+\*?\w+\)\s*)?\w+\s*\(`, 3, nil},
		{`:=|\bfmt\.|\berr != nil\b|\bchan\b|\bgo func\b|\bdefer\b|\[\]byte|\bstruct\s*\{|\binterface\s*\{`, 2, nil},
	},
	"JavaScript": {
		{`\b(const|let|var)\s+\w+\s*=`, 1, nil},
		{`\bfunction\s*\w*\s*\(|=>\s*[{(\w]`, 2, nil},
		{`\b(console\.log|document\.|window\.|require\(|module\.exports|export\s+(default|const|function)|=== |!== |\.then\(|async\s+function|new Promise)`, 2, nil},
	},
	"TypeScript": {
		{`\b(interface\s+\w+\s*\{|type\s+\w+\s*=|:\s*(string|number|boolean|any|void)\b|\bimplements\b|<\w+>\(|as const\b)`, 2, nil},
	},
	"C": {
		{`(?m)^\s*#\s*include\s*[<"]`, 3, nil},
		{`\b(printf|malloc|free|sizeof|NULL|struct\s+\w+\s*[*{]|int\s+main\s*\(|char\s*\*|->\w+|unsigned\s+\w+)`, 2, nil},
	},
	"C++": {
		{`\b(std::|cout\s*<<|cin\s*>>|template\s*<|namespace\s+\w+|#include\s*<(iostream|vector|string|map)>|nullptr|class\s+\w+\s*(:\s*public)?)`, 3, nil},
	},
	"Java": {
		{`\b(public\s+(static\s+)?(class|void|int|String)|System\.out\.|import\s+java\.|@Override|extends\s+\w+|new\s+\w+<)`, 3, nil},
	},
	"C#": {
		{`\b(using\s+System|Console\.Write|namespace\s+\w+|public\s+(async\s+)?(Task|void|string|int)\b.*\(|\bvar\s+\w+\s*=\s*new\b|\{\s*get;\s*set;\s*\})`, 3, nil},
	},
	"Shell": {
		{`(?m)^\s*(\$\s+)?(echo|export|cd|sudo|apt-get|apt|pip3?|npm|yarn|git|curl|wget|chmod|chown|mkdir|rm|ls|cat|grep|docker|kubectl|make)\s`, 2, nil},
		{`(?m)^\s*(fi|done|esac|then|do)\s*$|\$\{?\w+\}?|\[\[ |\]\]|\|\s*(grep|awk|sed|xargs|sort)\b|&&\s*\w+|2>&1|>\s*/dev/null`, 2, nil},
	},
	"Ruby": {
		{`(?m)^\s*(def\s+\w+[?!]?(\(.*\))?\s*$|end\s*$|puts\s|require\s+['"]|attr_accessor|\.each\s+do\s*\|)`, 2, nil},
	},
	"PHP": {
		{`<\?php|\$\w+\s*=|\becho\s+\$|->\w+\(|\bfunction\s+\w+\s*\(\$`, 3, nil},
	},
	"Rust": {
		{`\b(fn\s+\w+\s*(<.*>)?\s*\(|let\s+mut\s|impl\s+\w+|println!\(|&str\b|Vec<|Option<|Result<|match\s+\w+\s*\{|use\s+std::)`, 3, nil},
	},
	"SQL": {
		{`(?i)\b(SELECT\s+[\w*,\s.]+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|WHERE\s+\w+\s*=|JOIN\s+\w+\s+ON)\b`, 3, nil},
	},
	"HTML": {
		{`(?i)<(!DOCTYPE|html|head|body|div|span|p|a\s+href|script|style|table|ul|li)\b`, 3, nil},
	},
	"CSS": {
		{`(?m)^\s*[.#]?[\w-]+(\s*[.#:>][\w-]+)*\s*\{\s*$|^\s*[\w-]+\s*:\s*[^;]+;\s*$`, 2, nil},
	},
}

const maxLangBytes = 16 << 10

// Language names the language of a code snippet, or "" when no cue fires:
// the language of a leading shebang line, else the language whose syntax
// cues score highest, with Linguist's classifier choosing among languages
// within one point of the best. Only the first maxLangBytes of a block are
// looked at.
func Language(content string) string {
	return language(content, shebangLang, func(content string, cands []string) string {
		return classifier().classify(content, cands)
	})
}

// language is Language with the shebang lookup and the classifier given
// (the tests give go-enry's).
func language(content string, shebang func(string) string, classify func(content string, cands []string) string) string {
	if len(content) > maxLangBytes {
		content = content[:maxLangBytes]
	}
	trimmed := content
	for len(trimmed) > 0 && (trimmed[0] == '\n' || trimmed[0] == ' ' || trimmed[0] == '\t' || trimmed[0] == '\r') {
		trimmed = trimmed[1:]
	}
	if l := shebang(trimmed); l != "" {
		return l
	}
	cands := candidates(content)
	switch {
	case len(cands) == 0:
		return ""
	case len(cands) == 1:
		return cands[0]
	}
	if l := classify(content, cands); l != "" {
		return l
	}
	return cands[0]
}

// candidates returns the languages whose cues score within one point of the
// best, best first (ties by name); none when no cue fires.
func candidates(content string) []string {
	type sc struct {
		lang  string
		score float64
	}
	var scores []sc
	for lang, cs := range cues().lang {
		s := 0.0
		for _, c := range cs {
			if c.re.MatchString(content) {
				s += c.w
			}
		}
		if s > 0 {
			scores = append(scores, sc{lang, s})
		}
	}
	if len(scores) == 0 {
		return nil
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
	return cands
}
