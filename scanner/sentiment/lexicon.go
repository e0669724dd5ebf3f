package sentiment

// The valences below were assigned for llmshield by hand, on a scale from
// -4 (extremely negative) to +4 (extremely positive). Keys are normalised
// with internal/normalize at build time ("schön" is stored as "schon"). A
// trailing "+" on a word generates its regular inflections (s/es, ed/d,
// ing, with a final e dropped or a final consonant doubled where English
// spelling does so).

// LexiconVersion changes whenever the lexicon, the rules or the scoring
// change; it is part of the scanner fingerprint.
const LexiconVersion = "sentiment-heuristic-1"

type valenceGroup struct {
	v     float64
	words string
}

var valences = []valenceGroup{
	// ------------------------------------------------------------ English, positive
	{3.2, "love+ adore+ perfect perfectly masterpiece masterful magnificent phenomenal superb outstanding extraordinary exceptional flawless breathtaking brilliant brilliantly"},
	{3.0, "excellent excellence amazing amazingly awesome fantastic fantastically wonderful wonderfully marvelous marvellous terrific stunning spectacular incredible glorious sublime triumph triumphant ecstatic thrilled overjoyed"},
	{2.6, "beautiful beautifully gorgeous delightful delightfully delighted lovely loving lovable adorable joy joyful joyous happiness blissful bliss best greatest splendid impressive impressed impeccable heartwarming exquisite remarkable remarkably inspiring inspired superior"},
	{2.2, "great greatly happy happily glad enjoy+ enjoyable fun funny hilarious charming engaging compelling gripping captivating riveting moving touching poignant heartfelt fabulous excited exciting thrilling pleasure pleased pleasant pleasing grateful thankful thanks thank+ appreciate+ win+ winner winning won success successful successfully congrats congratulations celebrate+ celebration yay hooray woohoo"},
	{1.9, "good nice cool admire+ admirable likes liked liking likable likeable recommend+ recommended worth worthwhile satisfying satisfied satisfy+ refreshing fresh clever smart witty wise intelligent thoughtful insightful entertaining entertained engrossing absorbing memorable original inventive creative imaginative innovative sweet kind kindness generous friendly helpful useful effective elegant graceful fascinating interesting intriguing powerful strong solid rich vivid sharp tender warm warmth funniest favorite favourite fave hope+ hopeful hopefully proud pride peace peaceful calm comfortable comfort cute fair honest trust+ trusted reliable safe secure support+ supportive benefit+ beneficial improve+ improvement better"},
	{1.5, "decent nicely welcome+ easy easily handy convenient affordable works worked working fast smooth clean clear accurate sturdy durable quality pretty cheerful laugh+ laughter smile+ smiling lol lmao haha hahaha hehe rofl lucky fortunate blessed free freedom justice hero heroic brave courage courageous honor honour respect+ respected healthy agree+ correct solved caring"},
	{1.0, "ok okay alright fine yes wow whoa ha reasonable adequate acceptable plausible promising modest pleasantly amused amusing gentle"},

	{2.6, "mesmerizing mesmerising dazzling exhilarating gem marvel evocative refreshingly deftly masterfully triumphantly exquisitely"},
	{1.9, "energetic victory bright succeeds succeed+ encourage+ encouraging unique help+ helps colorful colourful strength strengths affection affecting delight delights positive striking lyrical accomplished smarter daring clarity intuitive appealing endearing epic assured beauty captures capture+ playful wise wisdom gifted talented skillful skilful polished vibrant lively heartening uplifting rewarding charm charmed terrifically tremendous wonder wonders glowing gracious superbly"},
	{1.2, "dreams adventure grand watchable distinctive friends friendship gritty subtle delicate haunting intimate delivers realistic ease detailed wry pros unexpected rare intense visceral bittersweet birthday stylish honest sincere genuine genuinely authentic respectable competent solidly clean crisp"},

	// ------------------------------------------------------------ English, negative
	{-1.2, "cliches avoid bother dirty sentimentality stiff cheesy desperately false shock refuse+ forced trapped stuck excuse excuses loose gore warning repetitive sappy simplistic superficial preachy indulgent generic unnecessary broke illegal charges jealousy jealous numb clumsily awkwardly implausible unconvincing uninspired uninvolving uninteresting unoriginal incoherent muddled bloated overblown overwrought obvious predictably"},
	{-1.9, "manipulative plodding inept bore bores meandering dreary mindless devoid retread crude mayhem maudlin victim victims painfully hackneyed crimes criminals tedium tiresomely lousy sour bitter ugliness miserably pitiful laughable amateurish incompetent disjointed clunky stupidity dreadfully boredom annoyance nonsensical"},
	{-1.0, "odd strange weird meh unclear confusing confused complicated slow expensive pricey bland plain mediocre average uneven flawed mixed doubt+ doubtful unsure uncertain risk risky concern+ concerned issue issues lack+ lacking missing miss+ tired limited predictable cliched cliche formulaic conventional derivative routine shallow thin slight overlong sluggish clumsy awkward"},
	{-1.5, "bad badly poor poorly wrong sad sadly unhappy upset sorry unfortunately unfortunate problem problems trouble troubled difficult fail+ failure failed weak weakness boring bored dull tedious tiresome tiring annoying annoyed irritating irritated frustrating frustrated frustration disappoint+ disappointment disappointing disappointed lame silly stupid dumb pointless unfunny forgettable lifeless flat empty hollow contrived pretentious trite stale messy mess sloppy lazy cheap flimsy broken defective junk useless worse loss lose+ lost losing loser complain+ complaint regret+ worry+ worried worrying anxious anxiety stress stressed stressful nervous afraid scared fear+ fearful cry+ crying tears lonely alone hurt+ pain painful sick ill ugly gross nasty rude harsh cruel unfair unjust guilty blame+ crisis conflict violence violent war attack+ threat threaten+ danger dangerous damage+ damaged harm+ harmful crime criminal corrupt corruption fraud scandal abuse abused poverty unemployment recession decline+ deficit collapse+ chaos mistake mistakes error errors bug bugs crash+ crashed ugh smh sigh"},
	{-2.2, "terrible terribly awful awfully horrible horribly dreadful miserable misery depressing depressed depression hate+ hateful dislike+ angry anger furious mad outraged outrage disgust disgusted disgusting sucks sucked suck sucky crap crappy shit shitty damn damned pathetic worthless waste wasted wasting garbage trash rubbish idiotic ridiculous absurd nonsense insulting offensive horrendous dire grim tragic tragedy disaster disastrous catastrophe catastrophic kill+ killed killing death dead die died dying murder+ murdered terror terrorism terrorist evil wicked vicious brutal brutally ruin+ ruined destroy+ destroyed devastating devastated heartbreaking heartbroken grief grieve+ mourn+ suffer+ suffering wtf ffs fml hopeless helpless shame shameful ashamed embarrassing embarrassed humiliating nightmare"},
	{-3.0, "worst atrocious abysmal appalling abominable horrific horrifying horrified unwatchable unbearable intolerable excruciating insufferable despise+ loathe+ detest+ hideous vile repulsive revolting sickening nauseating fuck fucking fucked disgraceful"},

	{-2.0, "insane insanely terrifies terrified terrifying emergency headache headaches exhausted exhausting pissed sux stinky stinks stink fuming disturbing disturbed poison poisonous hell pallid weeping tepid embarrassment embarrassed outlandish hungover sore troubles doom doomed panic cuts debt obstacles obstacle stormy imposter dizzy boycott flogged swollen madness ridiculousness ignorant scary creepy pain pains ache aching injured injury sickness disease cancer fever flu cough"},
	{-2.6, "idiot idiots moron morons bitch bitches bastard bastards asshole assholes douche douchebag cunt cunts fuckers motherfucker motherfuckers prick pricks jerk jerks scumbag"},

	// ------------------------------------------------------------ German, positive
	{3.0, "großartig hervorragend ausgezeichnet fantastisch wunderbar wundervoll perfekt genial traumhaft liebe lieben liebt phänomenal sensationell grandios"},
	{2.2, "toll super schön glücklich gut-gelaunt freude freuen freut spaß lustig begeistert danke dankbar spannend beeindruckend empfehlenswert klasse prima"},
	{1.8, "gut gute guter gutes besser beste lecker nett freundlich hilfreich nützlich angenehm zufrieden interessant empfehlen empfehle gerne gern hoffnung sicher bequem praktisch schnell richtig"},
	// ------------------------------------------------------------ German, negative
	{-1.5, "schlecht schlechte schlechter schlechtes traurig langweilig problem probleme leider falsch schwach enttäuscht enttäuschend enttäuschung ärgerlich nervig teuer kaputt defekt fehler mangelhaft schade müde sorge sorgen angst wütend ärger krank unzufrieden kompliziert dumm blöd"},
	{-2.3, "schrecklich furchtbar fürchterlich entsetzlich grauenhaft grausam mies scheiße scheiss hass hassen hasse hasst katastrophe katastrophal müll nutzlos wertlos ekelhaft widerlich tod tot sterben krieg gewalt"},
	{-3.0, "schlimmste schlechteste grauenvoll abscheulich"},
}

// emoticons and emoji with their valences (matched as tokens).
var emoticons = map[string]float64{
	":)": 2, ":-)": 2, ":]": 1.8, "=)": 2, "(:": 2, ":d": 2.5, ":-d": 2.5, "xd": 2, ";)": 1.6, ";-)": 1.6, ":p": 1.4, ":-p": 1.4, "<3": 2.6, "^^": 1.6, "^_^": 2,
	":(": -2, ":-(": -2, ":[": -1.8, "):": -2, ":'(": -2.5, ";(": -2, ":/": -1.2, ":-/": -1.2, ":s": -1.2, "</3": -2.6, ">:(": -2.8, ":@": -2.5, "d:": -2,
	"😀": 2.2, "😁": 2.2, "😂": 1.8, "🤣": 1.8, "😃": 2.2, "😄": 2.2, "😅": 1, "😆": 2, "😊": 2.2, "😍": 2.8, "🥰": 2.8, "😘": 2.2, "🙂": 1.5, "😉": 1.5, "😎": 1.8,
	"👍": 1.8, "❤": 2.6, "💕": 2.4, "💖": 2.4, "💯": 1.6, "🎉": 2.2, "✨": 1.2, "🙌": 2, "👏": 1.8, "🥳": 2.4, "😃‍": 2,
	"😞": -2, "😟": -1.8, "😠": -2.6, "😡": -2.8, "🤬": -3, "😢": -2.2, "😭": -2.2, "😩": -2, "😫": -2, "😤": -1.6, "👎": -2, "💔": -2.6, "🤮": -2.8, "🤢": -2.2,
	"😒": -1.6, "🙄": -1.4, "😔": -1.8, "😣": -1.8, "😖": -2, "😰": -2, "😨": -2, "😱": -1.8, "☹": -2, "🙁": -1.6,
}

// negations flip and damp the valence of a sentiment word that follows
// within three tokens. Tokens ending in "n't" negate too.
var negationWords = "not no never none nobody nothing neither nor nowhere cannot cant dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt couldnt hasnt havent hadnt aint without nicht kein keine keinen keiner keines keinem nie niemals nichts ohne weder"

// boosters scale the valence of the sentiment word after them up (positive
// value) or down (negative value).
var boosters = map[string]float64{
	"very": 0.3, "really": 0.3, "so": 0.25, "extremely": 0.4, "incredibly": 0.4, "absolutely": 0.4, "totally": 0.35, "completely": 0.35, "utterly": 0.4,
	"highly": 0.3, "super": 0.3, "hugely": 0.35, "deeply": 0.3, "especially": 0.25, "exceptionally": 0.4, "remarkably": 0.3, "truly": 0.3, "most": 0.25,
	"particularly": 0.25, "thoroughly": 0.3, "fucking": 0.4, "freaking": 0.35, "frickin": 0.35, "damn": 0.3, "entirely": 0.3, "enormously": 0.4, "too": 0.2,
	"awfully": 0.3, "terribly": 0.3, "insanely": 0.4, "ridiculously": 0.35, "way": 0.2, "much": 0.2, "more": 0.15, "such": 0.2, "quite": 0.1, "pretty": 0.15, "real": 0.2,
	"sehr": 0.3, "total": 0.35, "extrem": 0.4, "echt": 0.3, "wirklich": 0.3, "unglaublich": 0.4, "absolut": 0.4, "völlig": 0.35, "besonders": 0.25, "richtig": 0.3, "voll": 0.3, "zu": 0.2,
	"slightly": -0.35, "somewhat": -0.3, "barely": -0.4, "hardly": -0.4, "kinda": -0.3, "sorta": -0.3, "fairly": -0.2, "marginally": -0.35, "partly": -0.3,
	"occasionally": -0.3, "scarcely": -0.4, "little": -0.2, "mildly": -0.3, "moderately": -0.2, "rather": -0.1, "almost": -0.25, "nearly": -0.2,
	"etwas": -0.3, "leicht": -0.3, "kaum": -0.4, "eher": -0.2, "ziemlich": 0.1,
}

// Words that are sentiment words in one language and ordinary words in the
// other ("war", "die", "hell" in German; "toll", "gut" in English). Their
// valence only counts when the text is in the language they belong to.
var (
	englishOnly = "war die dies hell gift arm kind fast rot also bald"
	germanOnly  = "toll gut gute guter gutes tot mist super klasse"
	// stop words used to tell German text from English.
	germanStop  = "der die das und ist nicht ich du wir sie es ein eine einen war sind mit auf für von zu den dem im ist auch aber sehr noch nur wie"
	englishStop = "the a an and is are was were not i you we they it of to in on for with this that but very just my your"
)

// contrast words shift emphasis to what follows them.
var contrastWords = "but however yet although though aber jedoch allerdings dennoch trotzdem"

// multi-word diminishers ("kind of good") are recognised by their first
// token followed by the second.
var diminisherPairs = map[[2]string]float64{
	{"kind", "of"}: -0.3, {"sort", "of"}: -0.3, {"a", "bit"}: -0.3, {"a", "little"}: -0.3, {"ein", "bisschen"}: -0.3, {"ein", "wenig"}: -0.3,
}

// idioms override the valence of their words ("not bad" is handled by
// negation; these are fixed expressions).
var idioms = map[string]float64{
	"the shit": 2.5, "the bomb": 2.5, "bad ass": 1.5, "badass": 1.5, "kiss of death": -2, "no doubt": 1, "to die for": 2.5, "cut above": 2,
	"yeah right": -1.5, "waste of time": -3, "waste of money": -3, "not worth": -2, "fell flat": -2, "falls flat": -2, "falls apart": -2, "stopped working": -2.2,
	"well done": 2.5, "well made": 2, "must see": 2.5, "must-see": 2.5, "top notch": 2.8, "top-notch": 2.8, "second rate": -2, "second-rate": -2, "so-so": -0.8,
	"at least": 0, "no problem": 1.2, "no worries": 1.2, "kein problem": 1.2, "nicht schlecht": 1.5, "alles gut": 1.5,
}
