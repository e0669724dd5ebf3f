package emotiondetection

// Labels are the 28 GoEmotions labels (Demszky et al., 2020), in their
// published order.
var Labels = [...]string{
	"admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity", "desire",
	"disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear", "gratitude", "grief", "joy",
	"love", "nervousness", "optimism", "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
}

// Weights of lexicon entries: strong cues count 0.6, weak ones 0.3.
const (
	strongCue = 0.6
	weakCue   = 0.3
)

// lexicon maps each label (except neutral, which is the absence of the
// others) to cue words and phrases, the project's own lists in the
// NRC-lexicon style: a word lists the emotions it evokes. Entries ending in
// "*" match any word with that stem; "!" marks a strong cue.
var lexicon = map[string][]string{
	"admiration":     {"!amazing", "!impressive", "!brilliant", "!admire*", "!incredible", "!outstanding", "!excellent", "!magnificent", "!genius", "great", "awesome", "beautiful", "wonderful", "talented", "respect", "!well done", "!hats off", "inspiring"},
	"amusement":      {"!lol", "!lmao", "!haha*", "!hilarious", "!funny", "!rofl", "joke", "laugh*", "amusing", "!cracked me up", "witty", "comedy"},
	"anger":          {"!angry", "!furious", "!rage", "!outraged", "!livid", "!pissed", "!hate", "!hatred", "!infuriat*", "mad at", "!how dare", "fuming", "enraged", "!damn you", "screw you", "resent*", "hostile"},
	"annoyance":      {"!annoy*", "!irritat*", "!frustrat*", "!ugh", "bother*", "tired of", "fed up", "!sick of", "!so done", "stupid", "ridiculous", "whatever", "!seriously?", "nuisance"},
	"approval":       {"!agree", "!exactly", "!approve*", "good point", "makes sense", "fair enough", "!well said", "support", "right", "correct", "true", "yes", "!absolutely", "sounds good"},
	"caring":         {"!take care", "!hope you", "!are you ok", "!here for you", "stay safe", "!sending hugs", "careful", "look after", "!feel better", "concern*", "support you", "!be gentle"},
	"confusion":      {"!confus*", "!don't understand", "!what do you mean", "!makes no sense", "puzzl*", "!no idea", "unclear", "!huh", "lost", "baffl*", "!i don't get", "weird"},
	"curiosity":      {"!curious", "!wonder*", "!i wonder", "interesting", "!tell me more", "how does", "why does", "what if", "intrigu*", "fascinat*", "!want to know"},
	"desire":         {"!wish", "!i want", "!i'd love", "!long for", "!crave*", "!yearn*", "desire", "hope to", "would love", "dream of", "!can't wait to have"},
	"disappointment": {"!disappoint*", "!let down", "!letdown", "!underwhelm*", "!unfortunately", "!sadly", "fail*", "mediocre", "!expected more", "not as good", "waste of", "meh", "!what a shame"},
	"disapproval":    {"!disagree", "!wrong", "!unacceptable", "!disapprove*", "!shame on", "!should not", "!shouldn't", "bad idea", "not okay", "!not ok", "inappropriate", "object to", "condemn*", "criticiz*", "terrible"},
	"disgust":        {"!disgust*", "!gross", "!revolting", "!repulsive", "!nasty", "!vile", "!sickening", "!eww", "yuck", "!repugnant", "filthy", "nauseat*", "appalling"},
	"embarrassment":  {"!embarrass*", "!ashamed", "!humiliat*", "!awkward", "!cringe*", "mortified", "blush*", "!so stupid of me", "self-conscious"},
	"excitement":     {"!excited", "!exciting", "!thrilled", "!can't wait", "!woohoo", "!yay", "!pumped", "eager", "!let's go", "thrilling", "hyped"},
	"fear":           {"!afraid", "!scared", "!terrified", "!fear*", "!frightened", "!panic*", "horrif*", "dread*", "!scary", "threat*", "danger*", "alarm*", "!nightmare"},
	"gratitude":      {"!thank*", "!grateful", "!appreciate*", "!thx", "!much obliged", "thankful", "!cheers", "!ty"},
	"grief":          {"!grief", "!griev*", "!mourn*", "!passed away", "!rest in peace", "!rip", "!funeral", "!condolences", "loss of", "!died", "heartbroken"},
	"joy":            {"!happy", "!joy*", "!delighted", "!glad", "!yay", "!so good", "cheerful", "enjoy*", "fun", "smile*", "great day", "!overjoyed", "pleased", "!love it"},
	"love":           {"!love", "!adore", "!i love", "!loving", "!beloved", "!sweetheart", "darling", "affection*", "romantic", "!xoxo", "cherish*", "fond of"},
	"nervousness":    {"!nervous", "!anxious", "!anxiety", "!worried", "!worry", "!stressed", "!stress", "uneasy", "tense", "jittery", "on edge", "!freaking out"},
	"optimism":       {"!hopeful", "!optimis*", "!looking forward", "!fingers crossed", "!it will be fine", "!things will get better", "hope", "bright side", "confident", "promising", "!we can do it"},
	"pride":          {"!proud", "!pride", "!accomplish*", "!achiev*", "nailed it", "my best", "honored", "self-respect"},
	"realization":    {"!i realized", "!i realise", "!i realize", "!turns out", "!now i see", "!i see now", "!it dawned", "!oh i see", "noticed", "figured out", "understand now"},
	"relief":         {"!relieved", "!relief", "!phew", "!thank god", "!finally", "!what a relief", "calm*", "at ease", "safe now"},
	"remorse":        {"!sorry", "!apologi*", "!regret*", "!my fault", "!my bad", "!forgive me", "guilty", "remorse", "!i shouldn't have"},
	"sadness":        {"!sad", "!sadness", "!depress*", "!unhappy", "!miserable", "!heartbroken", "!cry*", "!tears", "lonely", "!devastat*", "gloomy", "down", "hopeless", "!miss you", "sorrow*", "grim"},
	"surprise":       {"!wow", "!surpris*", "!omg", "!shocked", "!unbelievable", "!no way", "!astonish*", "!unexpected*", "whoa", "!can't believe", "stunned"},
}

// Emoji cues (strong).
var emoji = map[rune]string{
	'😂': "amusement", '🤣': "amusement", '😆': "amusement", '😡': "anger", '🤬': "anger", '😠': "anger", '🙄': "annoyance",
	'👍': "approval", '🤗': "caring", '😕': "confusion", '🤔': "curiosity", '🤢': "disgust", '🤮': "disgust", '😳': "embarrassment",
	'🤩': "excitement", '😱': "fear", '😨': "fear", '🙏': "gratitude", '😊': "joy", '😁': "joy", '😀': "joy", '❤': "love",
	'😍': "love", '😘': "love", '😰': "nervousness", '😬': "nervousness", '😌': "relief", '😢': "sadness", '😭': "sadness",
	'😞': "disappointment", '😮': "surprise", '😲': "surprise",
}

// negators within the three tokens before a cue cancel it ("not happy").
var negators = map[string]bool{"not": true, "no": true, "never": true, "don't": true, "didn't": true, "isn't": true, "wasn't": true,
	"aren't": true, "can't": true, "won't": true, "hardly": true, "without": true, "nor": true, "nicht": true, "kein": true, "nie": true}

// DefaultBlocked are the negative GoEmotions labels.
func DefaultBlocked() []string {
	return []string{"anger", "annoyance", "disappointment", "disapproval", "disgust", "embarrassment", "fear", "grief", "nervousness", "remorse", "sadness"}
}
