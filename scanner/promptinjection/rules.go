package promptinjection

// RulesVersion changes whenever a rule, weight or keyword changes; it is part
// of the scanner's fingerprint so cached verdicts are invalidated.
const RulesVersion = "2026-11-26.1"

// Rule families. A finding's rule id is "<family>.<name>".
const (
	FamilyInstructionOverride = "instruction_override"
	FamilyRolePlay            = "role_play"
	FamilySystemPrompt        = "system_prompt_extraction"
	FamilyFakeTurns           = "fake_turns"
	FamilyEncodedPayload      = "encoded_payload"
	FamilyIndirect            = "indirect_injection"
	FamilyHarmfulCompliance   = "harmful_compliance"
)

// ruleDef is one rule as written. Patterns run on normalised text (see
// internal/normalize: lower case, no diacritics, leetspeak undone) and use
// three macros expanded by compile:
//
//	a space  zero or more non-alphanumeric characters (so spaced-out and
//	         glued words also match)
//	%w       up to three arbitrary words
//	%f       up to five filler words (me, the, your, all, full, ...)
//
// Every match of Pattern must contain one of Keywords (already in normalised
// form): keywords drive the Aho-Corasick prefilter, and the regex only runs
// on a window around each keyword hit.
type ruleDef struct {
	ID       string
	Weight   float64
	Keywords []string
	Pattern  string
	Detail   string
	// Bounded: a keyword hit counts only when it is not part of a longer
	// word (for short keywords such as "ai" or "dan"). A single keyword is
	// bounded by writing it as \bkeyword\b.
	Bounded bool
	// Anchored: every match starts at a keyword (after at most a few
	// non-alphanumerics), so the regex is tried only there; otherwise it
	// runs on a window from Before bytes ahead of the hit.
	Anchored bool
	Before   int
	// After bounds the window after the keyword hit (default windowAfter).
	After int
	// Follow, when set, is a cheap precondition: one of its bytes must
	// occur within FollowWithin bytes after the keyword, else the regex is
	// not run (e.g. the colon of "assistant: ignore ...").
	Follow       string
	FollowWithin int
	// RequireObfuscation counts a match only when the original text hid it
	// (spaced letters, look-alikes, leetspeak, invisible characters).
	RequireObfuscation bool
}

var overrideVerbs = []string{"ignor", "disregard", "forget", "forgot", "overrid", "bypass", "skip", "discard", "abandon", "neglect", "overlook", "set aside", "throw away", "pay no attention", "do not follow", "do not obey", "dont follow", "dont obey", "don't follow", "don't obey", "stop follow", "stop obey", "no longer follow", "no longer obey"}

const overrideVerbRe = `(?:ignor(?:e|es|ed|ing)?|disregard(?:s|ed|ing)?|forg[eo]t(?:ting)?|overrid(?:e|es|ing)|bypass(?:ing)?|skip|discard|abandon|neglect|overlook|set aside|throw away|pay no attention to|(?:do not|dont|don't|stop|no longer) (?:follow|obey)(?:ing)?)`

const overrideNounRe = `(?:instructions?|instructed|directions?|directives?|rules|guidelines|prompts?|commands?|orders|guidance|programming|constraints|restrictions|context|text|messages?|requests?|conversation|polic(?:y|ies)|filters?|training|settings|input|everything)`

var rules = []ruleDef{
	// ------------------------------------------------ instruction_override
	{
		ID: "instruction_override.ignore_previous", Weight: 0.92, Anchored: true, Keywords: overrideVerbs,
		Pattern: `\b` + overrideVerbRe + ` (?:%w)?(?:all |any |every |of |the |your |my |these |those )*(?:previous|prior|preceding|above|earlier|former|original|initial|old|existing|preset|pre-set|system|developer|safety|default|current|foregoing|aforementioned|given|provided)\b %w` + overrideNounRe,
		Detail:  "asks to ignore earlier instructions",
	},
	{
		ID: "instruction_override.ignore_what_told", Weight: 0.85, Anchored: true, After: 80, Keywords: overrideVerbs,
		Pattern: `\b` + overrideVerbRe + ` (?:all |about )?(?:of )?(?:what|everything|anything|whatever|all that|all) (?:%w)?you (?:were|have been|'ve been|got|received|had been|are) (?:told|given|instructed|taught|programmed|trained|asked)`,
		Detail:  "asks to ignore what the model was told",
	},
	{
		ID: "instruction_override.ignore_above", Weight: 0.8, Anchored: true, After: 60, Keywords: overrideVerbs,
		Pattern: `\b` + overrideVerbRe + ` (?:all )?(?:of )?(?:the |everything |what(?:'s| is| was) )?(?:above|previous|prior|preceding|foregoing|before|earlier)(?: (?:and|then)\b|[^a-z0-9\x{80}-\x{10FFFF}]*(?:[,.;:!]|$))`,
		Detail:  "asks to ignore everything above",
	},
	{
		ID: "instruction_override.ignore_all", Weight: 0.6, Anchored: true, Keywords: overrideVerbs,
		Pattern: `\b` + overrideVerbRe + ` (?:all|any|every|your|everything) (?:of |the |your |my )*(?:instructions?|directions?|directives?|rules|guidelines|prompts?|programming|constraints|restrictions|polic(?:y|ies)|filters|training|you were told|you have been told|you've been told|you know|i said|i told you|before)`,
		Detail:  "asks to ignore all instructions or rules",
	},
	{
		ID: "instruction_override.instructions_void", Weight: 0.85, Before: 40, After: 100,
		Keywords: []string{"instruction", "rules", "directions", "prompt", "guidelines"},
		Pattern:  `\b(?:previous|prior|preceding|above|earlier|original|old|all|your|system) (?:instructions?|rules|directions|prompts?|guidelines) (?:are|is|were|should be|must be|have been|will be|can be) (?:now )?(?:ignored|void|null|cancel+ed|revoked|obsolete|invalid|overridden|replaced|disabled|lifted|suspended|deleted|removed|no longer (?:valid|apply|applicable|relevant|in effect))`,
		Detail:   "declares earlier instructions void",
	},
	{
		ID: "instruction_override.new_instructions", Weight: 0.55, Before: 40, After: 60,
		Keywords: []string{"new instruction", "new rule", "new task", "new directive", "new system", "new prompt", "new order", "new objective", "new goal", "new role", "updated instruction", "real instruction", "actual instruction", "real task", "actual task"},
		Pattern:  `\b(?:new|updated|real|actual|true) (?:instructions?|rules|task|directives?|system prompt|prompt|orders|objective|goal|role)\b(?: (?:is|are))?\W{0,3}(?::|-|\n|$)|\b(?:your|the) (?:new|real|actual|true) (?:instructions?|rules|task|directives?|objective|goal|purpose|role|job) (?:is|are|will be)\b|\bhere (?:is|are) (?:your|the) (?:new|updated|real) (?:instructions?|rules|task|orders)`,
		Detail:   "announces new instructions",
	},
	{
		ID: "instruction_override.from_now_on", Weight: 0.35, Anchored: true, After: 90,
		Keywords: []string{"from now on", "henceforth", "from this point", "from here on", "for the rest of this conversation", "ab jetzt", "ab sofort", "von nun an", "desormais", "a partir de ahora", "de ahora en adelante"},
		Pattern:  `\b(?:from now on|henceforth|from this (?:point|moment)(?: on| forward)?|from here on(?: out)?|for the rest of this conversation|ab jetzt|ab sofort|von nun an|desormais|a partir de (?:maintenant|ahora)|de ahora en adelante)\W{0,3}(?:%w)?(?:you|your|u|du|dein|tu|vous|tus?|eres|seras|respond|answer|act|reply|only|always|never|bist|wirst|antworte)`,
		Detail:   "redefines behaviour from now on",
	},
	{
		ID: "instruction_override.forget_everything", Weight: 0.6, Anchored: true, After: 90,
		Keywords: []string{"forget everything", "forget all", "vergiss alles", "vergiss alle", "oublie tout", "olvida todo", "reset your", "wipe your", "clear your"},
		Pattern:  `\b(?:forget (?:everything|all(?: of)?(?: that| this)?)\b %w(?:you|i|above|before|said|told|know|learn|previous|prior)|vergiss (?:alles|alle\w*)|oublie tout|olvida todo|(?:reset|wipe|clear) your (?:memory|instructions|programming|context|rules|settings))`,
		Detail:   "asks to forget everything said before",
	},
	{
		ID: "instruction_override.stop_everything", Weight: 0.45, Anchored: true, After: 50,
		Keywords: []string{"stop everything", "stop what you", "halt everything", "abort", "cancel all"},
		Pattern:  `\b(?:stop|halt|cancel|abort) (?:everything|what you are doing|what you're doing|all (?:previous )?(?:tasks|instructions|actions)|the current task|your current task)`,
		Detail:   "tells the model to drop its current task",
	},
	{
		ID: "instruction_override.just_say", Weight: 0.25, Anchored: true, After: 30, Follow: "\"'\xe2\xc2", FollowWithin: 26,
		Keywords: []string{"just", "only", "simply"},
		Pattern:  `\b(?:just|only|simply) (?:say|print|output|write|type|respond with|reply with|answer with)\W{0,3}["'“‘«]`,
		Detail:   "dictates a verbatim output",
	},
	{
		ID: "instruction_override.ignore_previous_de", Weight: 0.92, Anchored: true,
		Keywords: []string{"ignorier", "vergiss", "vergess", "missacht", "uberspring", "ueberspring", "verwirf", "befolge nicht", "nicht befolgen", "hor auf"},
		Pattern:  `\b(?:ignorier\w*|vergiss|vergesse?n?|missacht\w*|u(?:e)?berspring\w*|verwirf|befolge nicht|nicht (?:mehr )?befolgen|hor auf\w*) (?:%w)?(?:alle\w* |die |deine\w* |sam(?:t|mt)liche\w* |meine\w* |den |das )*(?:vorherig\w*|vorig\w*|bisherig\w*|obig\w*|fruher\w*|frueher\w*|vorangegangen\w*|vorausgegangen\w*|ursprunglich\w*|urspruenglich\w*|alten?|gegebenen?|alle\w*|deine\w*|system\w*) %w(?:anweisung\w*|instruktion\w*|befehl\w*|regel\w*|vorgabe\w*|anordnung\w*|richtlinie\w*|prompts?|aufgabe\w*|einschrankung\w*)`,
		Detail:   "asks (in German) to ignore earlier instructions",
	},
	{
		// German puts the infinitive last: "kannst du alle vorherigen
		// Anweisungen ignorieren", "die bisherigen Regeln vergessen".
		ID: "instruction_override.ignore_previous_de_verb_final", Weight: 0.9, Before: 90, After: 12,
		Keywords: []string{"ignorieren", "vergessen", "missachten", "uberspringen", "ueberspringen", "verwerfen", "nicht befolgen", "nicht mehr befolgen"},
		Pattern:  `\b(?:alle\w* |die |deine\w* |sam(?:t|mt)liche\w* |meine\w* |den |das )*(?:vorherig\w*|vorig\w*|bisherig\w*|obig\w*|fruher\w*|frueher\w*|vorangegangen\w*|vorausgegangen\w*|ursprunglich\w*|urspruenglich\w*|alten?|gegebenen?|system\w*) (?:anweisung\w*|instruktion\w*|befehl\w*|regel\w*|vorgabe\w*|anordnung\w*|richtlinie\w*|prompts?|einschrankung\w*) (?:einfach |bitte |jetzt |ab sofort |komplett |vollstandig |ganz |sofort )*(?:ignorieren|vergessen|missachten|u(?:e)?berspringen|verwerfen|nicht (?:mehr )?befolgen)\b`,
		Detail:   "asks (in German, verb last) to ignore earlier instructions",
	},
	{
		ID: "instruction_override.ignore_previous_fr_es", Weight: 0.9, Anchored: true,
		Keywords: []string{"ignore", "oublie", "ne tiens pas", "ne tenez pas", "ignora", "olvida", "omite", "descarta", "no sigas"},
		Pattern:  `\b(?:ignore[sz]?|ignorer|oublie[sz]?|oublier|ne (?:tiens|tenez) pas compte d\w*|ignora\w*|olvida\w*|omite|descarta\w*|no sigas) (?:%w)?(?:toutes |tous |les |tes |vos |des |todas |todos |las |los |tus |sus )+(?:%w)?(?:precedent\w*|anterieur\w*|instructions?|consignes?|regles|directives|anteriores|previas|instrucciones|reglas|indicaciones|ordenes|directrices)`,
		Detail:   "asks (in French or Spanish) to ignore earlier instructions",
	},

	// ------------------------------------------------ role_play
	{
		ID: "role_play.do_anything_now", Weight: 0.85, Before: 12, After: 24, Keywords: []string{"do anything now", "doanythingnow", "anything"}, Bounded: true,
		Pattern: `do anything now`, Detail: "DAN (do anything now) jailbreak persona",
	},
	{
		ID: "role_play.jailbreak_persona", Weight: 0.75, Anchored: true, After: 40,
		Keywords: []string{"dan", "stan", "dude", "aim", "anarchy", "evil", "chaos", "omega", "apophis", "mongo", "jailbreak", "jailbroken", "unrestricted", "unfiltered", "uncensored", "unlocked", "unchained", "god", "developer mode output"}, Bounded: true,
		Pattern: `\b(?:dan|stan|dude|aim|anarchy|evil|chaos|omega|apophis|mongo tom|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|unlocked|unchained|god) mode\b|\[(?:dan|stan|dude|aim|jailbreak|jailbroken|evil|unfiltered|uncensored|developer mode output)\]`,
		Detail:  "invokes a known jailbreak persona or mode",
	},
	{
		ID: "role_play.special_mode", Weight: 0.3, Before: 70, After: 60,
		Keywords: []string{"mode"}, Bounded: true,
		Pattern: `\b(?:developer|dev|debug|debugging|admin|administrator|sudo|root|maintenance|god|test|diagnostic|override|benchmarking)[ _]mode\b %w(?:enabled|activated|on\b|engaged|output|responses?|polic(?:y|ies)|is (?:now )?(?:enabled|active|on))|\b(?:enable|activate|enter|switch to|turn on|simulate|you are (?:now )?in|stay in|remain in)\w* (?:%w)?(?:developer|dev|debug|debugging|admin|sudo|root|maintenance|god|unrestricted|jailbreak|dan|evil|unfiltered|uncensored|diagnostic|benchmarking)[ _]mode\b`,
		Detail:  "switches the model into a privileged mode",
	},
	{
		ID: "role_play.generic_mode", Weight: 0.2, Before: 24, After: 30,
		Keywords: []string{"mode"}, Bounded: true,
		Pattern: `\b[a-z0-9]+ mode\b (?:%w)?(?:enabled|activated|output)\b`,
		Detail:  "switches on a named mode",
	},
	{
		ID: "role_play.suppress_disclaimer", Weight: 0.45, Before: 60, After: 30,
		Keywords: []string{"as an ai", "as a language model", "as a large language model", "as an artificial intelligence"},
		Pattern:  `\b(?:not|never|don't|dont|do not|stop|without|no more) (?:%w)?(?:say|saying|respond with|responding with|start with|starting with|use|using|write|writing|include|including|mention|mentioning|reminding)\w* (?:%w)?as an? (?:ai|language model|large language model|artificial intelligence)\b`,
		Detail:   "forbids the model's AI disclaimers",
	},
	{
		ID: "role_play.not_respond_as_ai", Weight: 0.45, Before: 40, After: 40,
		Keywords: []string{"as chatgpt", "as gpt", "as an ai", "as an assistant", "as a language model", "as claude", "as bard", "as openai"},
		Pattern:  `\b(?:will not|won't|wont|never|do not|don't|dont|stop|no longer|not) (?:%w)?(?:respond|answer|reply|act|behave|talk|speak)\w* (?:%w)?as (?:chatgpt|gpt|an ai|an assistant|a language model|claude|bard|openai)\b`,
		Detail:   "tells the model to stop acting as itself",
	},
	{
		ID: "role_play.you_are_dan", Weight: 0.6, Before: 40, After: 20,
		Keywords: []string{"dan", "stan", "dude", "mongo tom", "aim"}, Bounded: true,
		Pattern: `\b(?:you are|you're|u r|act as|pretend (?:you are|to be|you're)|become|play|du bist) (?:now )?(?:the )?(?:dan|stan|dude|mongo tom|aim)\b`,
		Detail:  "assigns a known jailbreak persona",
	},
	{
		ID: "role_play.not_bound", Weight: 0.5, Before: 40, After: 80,
		Keywords: []string{"bound", "restricted", "limited", "constrained", "restrained", "held back", "shackled", "censored"},
		Pattern:  `\b(?:not|never|no longer|isn't|is not|aren't|are not|won't be|will not be|never be|free and not) (?:be )?(?:bound|restricted|limited|constrained|restrained|held back|shackled|censored|governed) by (?:any|the|its|their|your|his|her|openai'?s?|chatgpt'?s?|ethical|moral)? ?(?:%w)?(?:restrictions|rules|guidelines|polic(?:y|ies)|filters|ethics|morals|morality|limitations|laws|principles|programming|constraints|safeguards|guardrails|content policy)`,
		Detail:   "claims the model is not bound by its rules",
	},
	{
		ID: "role_play.can_do_anything", Weight: 0.35, Before: 40, After: 60,
		Keywords: []string{"anything", "everything", "whatever"},
		Pattern:  `\b(?:can|will|could|is able to|are able to) (?:do|say|answer|generate|write|tell|produce) (?:anything|everything|whatever)\b %w(?:and everything|at all|without|no matter|even|regardless|illegal|unethical|immoral|explicit|it wants|they want|you want|i ask|asked)`,
		Detail:   "claims the model can do anything",
	},
	{
		ID: "role_play.ai_persona", Weight: 0.3, Before: 16, After: 45,
		Keywords: []string{"ai", "chatbot", "language model", "bot", "gpt"}, Bounded: true,
		Pattern: `\b(?:another|an?|the|hypothetical|fictional|new|rogue|alternate|alternative) (?:ai|a\.i|chatbot|language model|ai model|ai system|bot|gpt) (?:%w)?(?:called|named|known as|which (?:is|stands for)|that (?:is not|isn't|has no|doesn't|does not|can|will))\b`,
		Detail:  "creates an alternative AI persona",
	},
	{
		ID: "role_play.jailbreak_word", Weight: 0.35, Anchored: true, After: 16, Keywords: []string{"jailbr"},
		Pattern: `\bjailbr(?:eak|oken|eaking|eaks)\b`, Detail: "mentions jailbreaking",
	},
	{
		ID: "role_play.unrestricted_ai", Weight: 0.8, Before: 70, After: 120,
		Keywords: []string{"unrestricted", "unfiltered", "uncensored", "unlimited", "unbound", "amoral", "immoral", "unethical", "rogue", "unshackled", "limitless", "no restrictions", "no limits", "no filters", "without restrictions", "without any restrictions", "without filters", "without limits", "free from", "free of", "broken free", "break free", "freed from", "escaped the", "not bound", "no longer bound", "no longer restricted", "ki ohne", "bot ohne", "modell ohne", "assistent ohne", "chatbot ohne"},
		Pattern:  `\b(?:unrestricted|unfiltered|uncensored|unlimited|unbound|unbounded|amoral|immoral|unethical|rogue|unshackled|limitless|unchained|unaligned|liberated|free|evil) (?:and (?:\w+ )?)?(?:ai|a\.i|assistant|chatbot|bot|model|language model|llm|gpt|chatgpt|version of (?:yourself|chatgpt|gpt|the ai)|persona|entity|intelligence)\b|\b(?:ai|assistant|chatbot|bot|model|language model|llm|gpt|chatgpt|you)\b %w(?:without|with no|free from|free of|(?:has |have |who has |that has )?(?:no|zero)|not bound by|no longer bound by|no longer restricted by|(?:broken|break|broke|freed|escaped) (?:free )?(?:of|from)(?: the)?) (?:any |all )?(?:%w)?(?:restrictions|filters|filtering|limitations|limits|guidelines|censorship|ethics|ethical (?:guidelines|principles|constraints)|morals|moral (?:guidelines|principles|constraints)|boundaries|constraints|safeguards|polic(?:y|ies)|rules|confines|shackles)|\b(?:ki|assistent\w*|chatbot|modell|bot|sprachmodell) (?:ohne|mit keinen|frei von) (?:jegliche\w* |irgendwelche\w* )?(?:einschrankung\w*|einschraenkung\w*|filter\w*|regeln|grenzen|zensur|moral|ethik|richtlinien)`,
		Detail:   "asks for an AI without restrictions",
	},
	{
		ID: "role_play.no_restrictions", Weight: 0.4, Before: 90, After: 40,
		Keywords: []string{"restriction", "filter", "limitation", "censor", "guideline", "boundaries", "safeguard", "guardrail", "confines", "rules to follow", "morals", "ethics", "einschrank", "zensur", `\bohne\b`, `\bkeine\b`, "sin restricciones", "sans restriction", "sans filtre"},
		Pattern:  `\b(?:no|without(?: any)?|free (?:of|from)|not bound by|not restricted by|(?:doesn't|does not|don't|do not|dont) (?:have|follow|care about|abide by|adhere to)(?: any)?|bypass(?:es|ing)?|circumvent\w*|ignore[sd]?|lift(?:ed)?|remove[sd]?|disable[sd]?|beyond|outside) (?:%w)?(?:restrictions?|filters?|filtering|limitations?|censorship|guidelines|boundar(?:y|ies)|safeguards?|guardrails?|confines|content filters?|safety (?:measures|features|protocols)|rules to follow|morals|ethics)\b|\b(?:ohne|keine) (?:jegliche |irgendwelche |alle |weiteren )?(?:einschrankung\w*|einschraenkung\w*|filter|zensur|regeln|grenzen|richtlinien)|\b(?:sin restricciones|sin filtros|sin censura|sans (?:restrictions?|filtres?|censure|limites))`,
		Detail:   "asks to drop restrictions or filters",
	},
	{
		ID: "role_play.you_are_now", Weight: 0.3, Anchored: true, After: 30,
		Keywords: []string{"you are now", "you're now", "youre now", "you will now be", "you are going to act", "you are going to pretend", "you will act as", "du bist jetzt", "du bist nun", "du bist ab", "tu es maintenant", "vous etes maintenant", "ahora eres", "ahora tu eres"},
		Pattern:  `\b(?:you are now|you're now|youre now|you will now be|you are going to (?:act|pretend)|you will act as|du bist (?:jetzt|nun|ab sofort|ab jetzt)|tu es maintenant|vous etes maintenant|ahora (?:tu )?eres)\b`,
		Detail:   "assigns the model a new identity",
	},
	{
		ID: "role_play.pretend", Weight: 0.2, Anchored: true, After: 90,
		Keywords: []string{"pretend", "simulate", "emulate", "immerse yourself", "take on the role", "tu so", "gib dich als"},
		Pattern:  `\b(?:pretend (?:you are|you're|to be|that you|you have|you can)|(?:simulate|emulate) (?:%w)?(?:an? |the )?(?:ai|chatbot|language model|model|assistant|chatgpt|gpt|mode|persona|personality)|immerse yourself (?:into|in) the role|take on the role of (?:an? |the )?(?:ai|chatbot|model|assistant)|tu so,? als|gib dich als)`,
		Detail:   "asks the model to pretend or simulate another system",
	},
	{
		ID: "role_play.stay_in_character", Weight: 0.3, Before: 24, After: 8,
		Keywords: []string{"character", "in der rolle", "aus der rolle"},
		Pattern:  `\b(?:stay(?:s|ing)? in character|break(?:ing)? (?:of )?character|out of character|remain in character|keep (?:up )?(?:the|your) (?:character|act)|(?:bleib\w*|fall\w*) (?:in der|aus der) rolle)`,
		Detail:   "insists the model keeps a persona",
	},
	{
		ID: "role_play.not_an_ai", Weight: 0.55, Before: 30, After: 60,
		Keywords: []string{"no longer", "not chatgpt", "not an ai", "not a language model", "not bound", "not an assistant", "nicht mehr", "kein ki"},
		Pattern:  `\byou (?:are|re) (?:no longer|not|not actually|not really|nicht mehr) (?:an? )?(?:chatgpt|gpt|an ai|ai|a language model|language model|assistant|ai assistant|bound by|restricted by|limited by|subject to|claude|bard|gemini|llama)\b|\b(?:forget|ignore) (?:that )?you are (?:an? )?(?:ai|language model|assistant|chatgpt)`,
		Detail:   "denies the model's identity or constraints",
	},
	{
		ID: "role_play.dual_response", Weight: 0.3, Anchored: true, After: 140,
		Keywords: []string{"two response", "two different response", "two answer", "two separate", "two way", "2 response", "two paragraph", "both response", "dual response", "two outputs"},
		Pattern:  `\b(?:two|2|dual|both) (?:different |separate |distinct )*(?:responses|answers|ways|replies|outputs|paragraphs)\b %W(?:normal|normally|classic|standard|filtered|censored|unfiltered|uncensored|jailbr|dan|developer|tagged|evil|opposite|without|as)`,
		Detail:   "asks for a normal and an unrestricted answer",
	},

	// ------------------------------------------------ system_prompt_extraction
	{
		ID: "system_prompt_extraction.reveal_system_prompt", Weight: 0.85, Before: 100, After: 40,
		Keywords: []string{"system prompt", "system_prompt", "systemprompt", "system-prompt", "system message", "system configuration", "initial configuration", "starting instruction", "initialization", "initial prompt", "initial instruction", "original prompt", "original instruction", "hidden prompt", "hidden instruction", "secret instruction", "pre-prompt", "preprompt", "meta prompt", "developer message", "developer prompt", "developer instruction", "above", "system instruction", "starting prompt", "first prompt", "initial message", "custom instruction", "confidential instruction", "internal instruction"},
		Pattern:  `\b(?:print|reveal|show|display|repeat|output|tell|give|share|list|spell|recite|dump|leak|expose|disclose|paste|echo|copy|return|translate|summari[sz]e|encode|convert|rewrite|quote|reproduce|read|type|send|see|view|access|get|obtain|extract|inspect|log)(?:s|ed|ing)? (?:%W)?(?:system prompt|system message|system instructions?|system configuration|initial (?:prompt|instructions?|message|configuration)|starting instructions|initialization|original (?:prompt|instructions?)|hidden (?:prompt|instructions?)|secret (?:prompt|instructions?)|pre-?prompt|meta ?prompt|developer (?:message|prompt|instructions?)|starting prompt|first prompt|custom instructions?|confidential instructions?|internal instructions?)|\b(?:what (?:is|was|are|were|s)|what's|whats|describe|explain) (?:your|ur|the|its|this (?:chat|bot|assistant)'s) (?:%f)(?:system prompt|system message|system instructions?|initial (?:prompt|instructions?)|original (?:prompt|instructions?)|hidden (?:prompt|instructions?)|secret (?:prompt|instructions?)|pre-?prompt|developer (?:message|prompt|instructions?))|\b(?:print|reveal|show|display|repeat|output|tell|give|share|list|spell|recite|dump|leak|expose|disclose|paste|echo|copy|return|translate|summari[sz]e|encode|rewrite|quote|reproduce) (?:%f)(?:text|words|prompt|instructions?|messages?|conversation|content|lines) (?:above|before (?:this|my))`,
		Detail:   "asks for the system prompt or hidden instructions",
	},
	{
		ID: "system_prompt_extraction.reveal_your_instructions", Weight: 0.6, Before: 100, After: 30,
		Keywords: []string{"instructions", "prompt", "directives", "programming", "configuration", "guidelines", "rules", "commands", "system message", "context window"},
		Pattern:  `\b(?:print|reveal|show|display|repeat|output|tell|give|share|list|spell|recite|dump|leak|expose|disclose|paste|echo|copy|return|quote|reproduce|explain|what (?:is|was|are|were|s)|what's|whats) (?:%f)(?:your|ur) (?:%f)(?:instructions|prompt|prompts|directives|programming|configuration|guidelines|rules|commands|system message|context window)\b`,
		Detail:   "asks the model to reveal its instructions",
	},
	{
		ID: "system_prompt_extraction.what_were_you_told", Weight: 0.6, Before: 40, After: 30,
		Keywords: []string{"you told", "you been told", "were you told", "you given", "been given", "were you given", "you programmed", "were you programmed", "you instructed", "were you instructed", "you were told", "you have been", "you were given", "you were instructed", "you received", "you got", "given to you", "supposed to", "not allowed to", "forbidden to"},
		Pattern:  `\b(?:what|which|how) (?:%w)?(?:were|have|did|was) you (?:been )?(?:told|given|instructed|programmed|configured|asked)\b|\b(?:instructions?|rules|directives|guidelines|prompt|text|words|information) (?:that )?(?:you (?:were|have been|got|received)|(?:were|was) given to you|given to you)\b|\bwhat (?:are|were|is) you (?:not supposed|not allowed|forbidden|instructed not|told not|programmed not) to (?:tell|say|reveal|share|discuss|talk about|mention)`,
		Detail:   "asks what the model was told",
	},
	{
		ID: "system_prompt_extraction.repeat_above", Weight: 0.65, Before: 120, After: 40,
		Keywords: []string{"above", "so far", "beginning", "verbatim", "word for word"},
		Pattern:  `\b(?:repeat|print|output|copy|echo|recite|reproduce|write out|spell out|show|display|rewrite|translate) (?:%f)(?:everything|all|the (?:text|words|lines|content|message|conversation)|anything|what (?:is|was) written|the previous (?:text|message|words)) (?:%w)?(?:above|so far|before this|from the (?:beginning|start)|verbatim|word for word)|\b(?:repeat|print|output|copy|echo|recite|reproduce|show|display|rewrite|translate) (?:%f)(?:the )?(?:above|preceding|previous|prior|earlier|foregoing) (?:text|words|lines|content|message|prompt|instructions|conversation|paragraph)`,
		Detail:   "asks to repeat the text above",
	},
	{
		ID: "system_prompt_extraction.completion_trick", Weight: 0.55, Before: 40, After: 40,
		Keywords: []string{"instruction", "system prompt", "prompt is", "rules are", "i was told", "i was programmed", "i was asked"},
		Pattern:  `["'“‘«]\W*(?:my|the|your) (?:system prompt|instructions|initial instructions|secret instructions|hidden instructions|original instructions|initial prompt|prompt|rules) (?:is|are|were|was|say|says|read)\b|["'“‘«]\W*i (?:was|have been|am) (?:instructed|told|programmed|asked) to`,
		Detail:   "primes the model to complete its own instructions",
	},
	{
		ID: "system_prompt_extraction.reveal_de_fr_es", Weight: 0.8, Anchored: true,
		Keywords: []string{"zeig", "gib", "nenn", "verrat", "wiederhol", "ausgeb", "druck", "affiche", "montre", "revele", "repete", "donne", "muestra", "revela", "repite", "dime", "imprime", "ensena"},
		Pattern:  `\b(?:zeig\w*|gib|nenn\w*|verrat\w*|wiederhol\w*|gib aus|druck\w*|affiche\w*|montre\w*|revele\w*|repete\w*|donne\w*|dis-moi|muestra\w*|revela\w*|repite|dime|imprime|ensena\w*) (?:%f)(?:deine\w*|dein|den|die|ihre\w*|ton|ta|tes|votre|vos|le|les|tu|tus|el|las|los|su|sus) (?:%f)(?:system ?prompt\w*|systemanweisung\w*|systemnachricht\w*|anweisung\w*|instruktion\w*|vorgabe\w*|anfangs\w*|prompt|instructions?|consignes?|invite systeme|instrucciones|indicaciones|prompt del sistema|mensaje del sistema)`,
		Detail:   "asks (in German, French or Spanish) for the system prompt",
	},

	{
		ID: "system_prompt_extraction.reveal_de_verb_final", Weight: 0.75, Before: 90, After: 12,
		Keywords: []string{"zeigen", "nennen", "verraten", "wiederholen", "ausgeben", "ausdrucken", "preisgeben", "offenlegen"},
		Pattern:  `\b(?:deine\w*|dein|den|die|ihre\w*) (?:%f)?(?:system ?prompt\w*|systemanweisung\w*|systemnachricht\w*|anfangs\w*|(?:geheim\w*|versteckt\w*|ursprunglich\w*|urspruenglich\w*|initial\w*) (?:anweisung\w*|instruktion\w*|vorgabe\w*)) (?:%w)?(?:zeigen|nennen|verraten|wiederholen|ausgeben|ausdrucken|preisgeben|offenlegen)\b`,
		Detail:   "asks (in German, verb last) for the system prompt",
	},

	// ------------------------------------------------ fake_turns
	{
		ID: "fake_turns.chat_template_token", Weight: 0.85, Anchored: true, After: 24,
		Keywords: []string{"<|im_", "<|system|", "<|user|", "<|assistant|", "<|endoftext|", "<|eot_id|", "<|start_header_id|", "<|end_header_id|", "[inst]", "[/inst]", "<sys>", "</sys>", "<|begin_of_text|", "<start_of_turn>", "<end_of_turn>"},
		Pattern:  `<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>|\[/?inst\]|</?sys>|<(?:start|end)_of_turn>`,
		Detail:   "contains chat-template control tokens",
	},
	{
		ID: "fake_turns.end_of_sequence", Weight: 0.35, Anchored: true, After: 6, Keywords: []string{"</s>"},
		Pattern: `</s>`, Detail: "contains an end-of-sequence token",
	},
	{
		ID: "fake_turns.role_header", Weight: 0.45, Before: 12, After: 40,
		Keywords: []string{"system", "admin", "administrator", "developer", "root", "sudo", "operator", "instruction", "instructions", "security"}, Bounded: true,
		Pattern: `(?:^|\n)\W*(?:system|admin|administrator|developer|root|sudo|operator|system message|system prompt|system override|admin override|system notice|system update|system alert|developer message|developer note|instructions?)\W{0,3}(?::|\]|\)|>)|\[(?:system|admin|developer|sys|operator)(?: message| note| override)?\]|\b(?:system|admin|administrator|developer|sudo|root|security) override\b`,
		Detail:  "contains a fake system/admin header",
	},
	{
		ID: "fake_turns.assistant_turn", Weight: 0.2, Before: 8, After: 10,
		Keywords: []string{"assistant", "ai:", "bot:", "gpt:", "chatgpt:", "model:", "human:", "user:"},
		Pattern:  `\n\W*(?:assistant|ai|bot|gpt|chatgpt|model|human|user)\W{0,3}:`,
		Detail:   "contains a fake conversation turn",
	},
	{
		ID: "fake_turns.markdown_instruction_header", Weight: 0.35, Anchored: true, After: 40,
		Keywords: []string{"# instruction", "# system", "# new instruction", "# response", "# task", "#instruction", "#system"},
		Pattern:  `#\s?(?:new |updated |real |actual )?(?:instructions?|system|response|task)\b\W{0,3}(?::|\n|$)`,
		Detail:   "contains an instruction-style markdown header",
	},
	{
		ID: "fake_turns.end_of_prompt", Weight: 0.5, Before: 24, After: 40,
		Keywords: []string{"end of", "new task", "new instruction", "ende der", "begin new", "start new", "system instruction", "system message", "system prompt", "system override", "admin instruction", "admin message", "admin override", "developer instruction", "developer message", "developer prompt", "user message", "user input", "user prompt"},
		Pattern:  `\bend of (?:the )?(?:prompt|instructions?|system prompt|system message|input|user input|context|conversation|document|text|data|email)\b\W{0,6}(?:\n|$|-|=|#|\*|\]|>|\)|new|begin|start|now)|(?:^|\n|[-=#*>\]])\W*(?:begin|start)?\W*new (?:task|instructions?|prompt|session|conversation|context)\W*(?:[-=#*<\[]|:|\n|$)|\bende der (?:anweisung\w*|eingabe|nachricht)\b|\b(?:system|admin|developer) (?:instructions?|message|prompt|override) (?:begins?|starts?|follows?|enabled|activated)\b|\buser (?:message|input|prompt) (?:terminat\w*|ends?|ended|over)\b`,
		Detail:   "contains a fake end-of-prompt or new-task delimiter",
	},

	// ------------------------------------------------ encoded_payload
	{
		ID: "encoded_payload.spaced_phrase", Weight: 0.8, Before: 24, After: 40, RequireObfuscation: true,
		Keywords: []string{"ignoreall", "ignoreprevious", "ignoreprior", "ignoreyour", "ignorethe", "disregardall", "disregardprevious", "disregardprior", "forgetall", "forgetprevious", "forgeteverything", "previousinstructions", "priorinstructions", "allinstructions", "yourinstructions", "systemprompt", "jailbreak", "donotfollow", "dontfollow", "newinstructions", "developermode", "doanythingnow"},
		Pattern:  `(?:ignore|disregard|forget)(?:all|any|previous|prior|your|the|everything)+(?:instructions?|rules|prompts?|directions)?|(?:previous|prior|all|your|new)instructions|systemprompt|jailbreak|do(?:not|nt)follow|developermode|doanythingnow`,
		Detail:   "trigger phrase spelled out letter by letter",
	},
	{
		ID: "encoded_payload.decode_and_follow", Weight: 0.55, Before: 45, After: 90,
		Keywords: []string{"base64", "base 64", "b64", "rot13", "rot-13", "rot 13", "morse", "caesar", "decode", "decipher", "decrypt"},
		Pattern:  `\b(?:decode|decipher|translate|convert|interpret|read|decrypt)\w* (?:%w)?(?:base ?64|b64|hex(?:adecimal)?|rot-?13|rot 13|binary|morse|caesar|cipher|encoded|encrypted)\b %W(?:and|then|,)\W+(?:%w)?(?:follow|execute|do|obey|run|carry out|perform|answer|respond|act|comply|apply)`,
		Detail:   "asks to decode a payload and follow it",
	},

	// ------------------------------------------------ indirect_injection
	{
		ID: "indirect_injection.note_to_ai", Weight: 0.65, Before: 60, After: 40,
		Keywords: []string{"to the ai", "for the ai", "to ai", "for ai", "to the llm", "for the llm", "to the assistant", "for the assistant", "to the model", "for the model", "to the chatbot", "for the chatbot", "to the bot", "to any ai", "to all ai", "to the language model", "for the language model", "to gpt", "to chatgpt", "to the agent", "for the agent", "to copilot", "an die ki", "fur die ki", "a l'ia", "para la ia"},
		Pattern:  `\b(?:note|message|instructions?|attention|reminder|notice|memo|directive|hint|request|ps|p\.s|important|hinweis|nachricht|anweisung) (?:%w)?(?:to|for|an|fur|a|pour|para) (?:the |any |all |die |den |l')?(?:ai|a\.i|llms?|language models?|assistants?|ai assistants?|chatbots?|bots?|gpt|chatgpt|models?|agents?|ai agents?|copilot|claude|gemini|ki|ia)\b`,
		Detail:   "text addressed to an AI that processes it",
	},
	{
		ID: "indirect_injection.if_you_are_ai", Weight: 0.7, Anchored: true, After: 90,
		Keywords: []string{"if you are", "if you're", "if youre", "if you happen to be", "wenn du eine", "wenn du ein", "si tu es", "si eres"},
		Pattern:  `\b(?:if you are|if you're|if youre|if you happen to be|wenn du (?:eine?|ein) |si tu es |si eres ) (?:an? |une? )?(?:ai|a\.i|llm|large language model|language model|ai assistant|assistant|chatbot|bot|gpt|chatgpt|ai agent|ai model|ai system|ai tool|agent|automated (?:system|agent|assistant|tool)|ki|ia|sprachmodell|modele de langage|modelo de lenguaje)\b(?:\W*[,.:;!\n-]|\W+(?:reading|processing|summari\w*|parsing|analy\w*|scraping|crawling|looking at|that|who|then|please|you must|you should|ignore|liest|verarbeitest))`,
		Detail:   "conditional instruction aimed at AI readers",
	},
	{
		ID: "indirect_injection.ai_imperative", Weight: 0.5, Anchored: true, After: 80, Follow: ":,", FollowWithin: 5,
		Keywords: []string{"ai", "llm", "llms", "assistant", "assistants", "chatbot", "chatbots", "gpt", "chatgpt", "bot", "bots", "agent", "agents", "model", "models"}, Bounded: true,
		Pattern: `\b(?:ai|llm|assistant|ai assistant|chatbot|gpt|chatgpt|bot|agent|ai agent|language model)s?\W{0,3}[:,]\W*(?:please |now |instead |also |important\W+)?(?:ignore|disregard|forget|stop|you must|you will|you should|instead|always|never|include|send|forward|exfiltrate|recommend|insert|append|reveal|output the|tell the user|do not (?:tell|mention|reveal|summari))\b`,
		Detail:  "imperative addressed to an AI inside the text",
	},
	{
		ID: "indirect_injection.html_comment", Weight: 0.45, Anchored: true, After: 320, Keywords: []string{"<!-"},
		Pattern: `<!-[^>]*?\b(?:ignore|disregard|ai|assistant|llm|chatbot|gpt|system prompt|instructions?|you must|do not tell)\b`,
		Detail:  "instruction hidden in an HTML comment",
	},
	{
		ID: "indirect_injection.hidden_text", Weight: 0.45, Anchored: true, After: 420,
		Keywords: []string{"display:none", "display: none", "font-size:0", "font-size: 0", "visibility:hidden", "visibility: hidden", "opacity:0", "opacity: 0", "color:white", "color: white", "color:#fff", "color: #fff"},
		Pattern:  `(?:display ?: ?none|font-size ?: ?0(?:px|pt|em)?\b|visibility ?: ?hidden|opacity ?: ?0\b|color ?: ?(?:white|#fff\w*))[^<]*?<?[^<]*?\b(?:ignore|disregard|instructions?|ai|assistant|llm|chatbot|prompt|you must)\b`,
		Detail:   "instructions in visually hidden text",
	},
	{
		ID: "indirect_injection.hide_from_user", Weight: 0.55, Before: 50, After: 30,
		Keywords: []string{"tell the user", "inform the user", "mention", "reveal", "let the user", "telling the user", "without the user", "sag dem nutzer", "verrate dem"},
		Pattern:  `\b(?:do not|don't|dont|never|without) (?:tell\w*|inform\w*|mention\w*|reveal\w*|let\w*|alert\w*|notify\w*|show\w*) (?:%w)?(?:the |this to the )?(?:user|human|operator|reader|customer)s?\b|\bwithout the (?:user|human)(?:'s)? (?:knowing|noticing|knowledge|consent)|\b(?:sag|verrate)\w* (?:es )?(?:dem|den) (?:nutzer|benutzer)\w* nicht`,
		Detail:   "asks to hide actions from the user",
	},
	{
		ID: "indirect_injection.exfiltrate", Weight: 0.6, Before: 50, After: 70,
		Keywords: []string{"conversation", "chat history", "password", "secret", "api key", "credential", "access token", "personal data", "personal information", "system prompt", "previous messages", "user data", "user's", "users'", "user message", "user password", "user email", "user information", "user detail", "user input"},
		Pattern:  `\b(?:append|include|add|insert|encode|embed|put|send)\w* (?:%w)?(?:the )?(?:conversation|chat history|chat|user'?s? (?:data|messages?|password|email|information|details|input)|previous messages|system prompt|secrets?|api keys?|credentials|passwords?|access tokens?|personal (?:data|information)) %w(?:to|in|into|as|via) %w(?:the |a )?(?:url|link|image|query|markdown|http)`,
		Detail:   "asks to exfiltrate data through a URL",
	},

	// ------------------------------------------------ harmful_compliance
	{
		ID: "harmful_compliance.never_refuse", Weight: 0.5, Before: 50, After: 20,
		Keywords: []string{"refuse", "decline", "deny", "reject", "say no", "verweiger", "ablehn"},
		Pattern:  `\b(?:never|must not|mustn't|cannot|can't|cant|can not|will not|won't|wont|do not|don't|dont|should not|shouldn't|not allowed to|unable to|not able to|are not permitted to|is not permitted to|not supposed to) (?:ever |be able to )?(?:refuse|decline|deny|reject|say no)\b|\b(?:nie|niemals|darfst nicht|kannst nicht)\w* (?:%w)?(?:verweiger\w*|ablehn\w*)`,
		Detail:   "forbids the model to refuse",
	},
	{
		ID: "harmful_compliance.always_comply", Weight: 0.4, Before: 110, After: 120,
		Keywords: []string{"no matter", "regardless", "any request", "every request", "all request", "any question", "every question", "all question", "without question", "unconditionally", "all instruction", "every instruction", "any instruction", "all command", "any command", "every command", "any prompt", "every prompt"},
		Pattern:  `\b(?:answers?|follows?|fulfil+s?|obeys?|complies with|responds? to|executes?) (?:all|every|any) (?:requests?|instructions|questions|commands|prompts)\b %w(?:without|no matter|regardless|even|and (?:follows?|answers?|obeys?))|\b(?:always|must|will|have to|has to|shall)\w* (?:%w)?(?:answer|comply|respond|obey|fulfil+|do|follow|provide|generate|reply)\w* (?:%W)?(?:no matter (?:what|how)|regardless(?: of)?|any request|every request|all requests|any question|every question|without question|unconditionally|whatever)`,
		Detail:   "demands unconditional compliance",
	},
	{
		ID: "harmful_compliance.no_warnings", Weight: 0.3, Before: 70, After: 40,
		Keywords: []string{"warning", "disclaimer", "caveat", "moraliz", "moralis", "lectur", "apolog", "judgement", "judgment", "censor", "ethical consideration", "reminder"},
		Pattern:  `\b(?:without|no|never|don't|do not|dont|omit|skip|leave out|never include) (?:%w)?(?:warnings?|disclaimers?|caveats|moraliz\w*|moralis\w*|lectur\w*|apolog\w*|judge?ments?|censorship|censoring|ethical (?:considerations|reminders|warnings)|reminders?)\b`,
		Detail:   "asks to drop warnings or disclaimers",
	},
	{
		ID: "harmful_compliance.content_policy", Weight: 0.6, Before: 60, After: 30,
		Keywords: []string{"polic", "openai", "guideline", "ethic", "moral", "principle", `\btos\b`, "terms of service", "terms of use"},
		Pattern:  `\b(?:ignore[sd]?|ignoring|forget|bypass\w*|violat\w*|break\w*|disregard\w*|circumvent\w*|not (?:bound|restricted|limited) by|free (?:from|of)|(?:doesn't|does not|don't|do not|dont|won't|will not|never)(?: have to)? (?:follow|have|care(?: about)?|abide by|adhere to|comply with|respect)|without|no longer (?:bound by|follows?|has)) (?:%w)?(?:openai|anthropic|content|usage|safety|ethical|moral|company|community|programming|any)? ?(?:polic(?:y|ies)|guidelines|ethics|morals|morality|principles|standards|tos|terms of service|terms of use)\b|\b(?:without|against|beyond|outside) (?:%w)?(?:openai|anthropic|content|usage|safety|ethical|moral|programming)'?s? (?:polic(?:y|ies)|guidelines|ethics|morals|principles|standards|filters)\b|\b(?:openai|anthropic|content|usage|safety|chatgpt'?s?) (?:rules|polic(?:y|ies)|guidelines|filters|restrictions) (?:do not|don't|dont|does not|doesn't|no longer|won't|will not|never) (?:apply|matter|exist)`,
		Detail:   "asks to violate content policy or ethics",
	},
	{
		ID: "harmful_compliance.illegal_ok", Weight: 0.45, Before: 70, After: 60,
		Keywords: []string{"illegal", "harmful", "dangerous", "unethical", "immoral", "explicit", "offensive", "inappropriate"},
		Pattern:  `\b(?:don't|dont|do not|doesn't|does not|never|won't|will not) care (?:if|whether|about|that) %w(?:illegal|harmful|dangerous|unethical|immoral|explicit|offensive|inappropriate)|\bno matter how (?:\w+ )?(?:illegal|harmful|dangerous|unethical|immoral|explicit|offensive|inappropriate|reckless|inhumane)|\beven if (?:it is|it's|its|they are|they're|the (?:request|question|answer|content) is)? ?(?:\w+ )?(?:illegal|harmful|dangerous|unethical|immoral|explicit|offensive|inappropriate)|\b(?:illegal|harmful|dangerous|unethical|immoral|explicit|offensive|inappropriate) (?:%w)?(?:is|are|becomes?) (?:now )?(?:allowed|ok|okay|fine|permitted|acceptable|legal)\b`,
		Detail:   "declares harmful content acceptable",
	},
}
