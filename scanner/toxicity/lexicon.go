package toxicity

// The lexicon and the phrase rules below were written for llmshield. Words
// are listed in their plain spelling: at build time every key is passed
// through internal/normalize (so "scheiße" is stored as "scheisse", "blöd"
// as "blod"), and inflected forms are generated for entries marked infl.
// Obfuscated spellings in scanned text (leetspeak, look-alike letters,
// spaced letters, masked letters such as f*ck, stretched letters such as
// fuuuck) are undone at scan time, so they need no entries of their own.

// LexiconVersion changes whenever the lexicon, the rules or the scoring
// change; it is part of the scanner fingerprint.
const LexiconVersion = "toxicity-heuristic-1"

// Categories reported in Analysis.Categories and as the first part of a
// finding's rule.
const (
	CategoryInsult         = "insult"
	CategoryProfanity      = "profanity"
	CategoryThreat         = "threat"
	CategoryIdentityAttack = "identity_attack"
	CategorySexualExplicit = "sexual_explicit"
	CategorySevere         = "severe_toxicity"
)

// entry flags
const (
	fInfl       = 1 << iota // generate English inflections (s, es, ed, ing, in, er, ers, y)
	fInflDE                 // generate German inflections (e, en, er, es, n, s)
	fMask                   // may be written with masked letters (f*ck, b!tch)
	fDirect                 // a noun that is worse when aimed at the addressee ("you are a ...")
	fDirectOnly             // an adjective/noun that is only toxic when aimed at the addressee
	fSevere                 // counts towards severe_toxicity on its own
	fPrefix                 // also matches as the first part of a compound ("fuckwit", "scheißkerl")
)

type lexDef struct {
	cat   string
	w     float64
	flags int
	words string // space separated
	// ctx lists words that, within a few tokens, mark a harmless sense
	// ("hoe" near "garden", "pussy" near "cat"); the weight is then cut.
	ctx string
}

var lexicon = []lexDef{
	// ---------------------------------------------------------- profanity, English
	{cat: CategoryProfanity, w: 0.7, flags: fInfl | fMask | fPrefix, words: "fuck"},
	{cat: CategoryProfanity, w: 0.7, flags: fMask, words: "fucking fuckin fucken fuckn fukin fuking fkn fking fcking fcuk fuk fuking fuq fck phuck phucking fucktard fuckface fuckwit fuckhead fucker fuckers"},
	{cat: CategoryProfanity, w: 0.85, flags: fInfl | fMask | fPrefix | fDirect, words: "motherfuck"},
	{cat: CategoryProfanity, w: 0.85, flags: fMask | fDirect, words: "motherfucker motherfuckers muthafucka muthafuckas mothafucka mofo"},
	{cat: CategoryProfanity, w: 0.6, flags: fInfl | fMask, words: "shit"},
	{cat: CategoryProfanity, w: 0.6, flags: fMask, words: "shitty shite bullshit horseshit apeshit batshit shitload shitshow shitstorm shits"},
	{cat: CategoryInsult, w: 0.75, flags: fMask | fDirect | fInfl, words: "shithead dipshit shitbag shitstain"},
	{cat: CategoryProfanity, w: 0.25, flags: fMask, words: "damn goddamn damned"},
	{cat: CategoryProfanity, w: 0.3, flags: 0, words: "dammit damnit goddammit"},
	{cat: CategoryProfanity, w: 0.3, flags: fInfl | fMask, words: "crap"},
	{cat: CategoryProfanity, w: 0.35, flags: fInfl | fMask, words: "piss"},
	{cat: CategoryProfanity, w: 0.45, flags: fMask, words: "bollocks bugger"},
	{cat: CategoryProfanity, w: 0.45, flags: fMask, words: "ass asses arse", ctx: "donkey donkeys mule mules burro foal"},
	{cat: CategoryProfanity, w: 0.6, flags: 0, words: "stfu gtfo"},
	{cat: CategoryProfanity, w: 0.4, flags: 0, words: "wtf fml omfg"},
	{cat: CategoryProfanity, w: 0.55, flags: fMask, words: "nigga niggas nigguh niggaz nig nigs wigga"},

	// ---------------------------------------------------------- insults, English
	{cat: CategoryInsult, w: 0.7, flags: fInfl | fMask | fDirect, words: "bitch", ctx: "dog dogs puppy puppies breed breeding breeder litter kennel whelp"},
	{cat: CategoryInsult, w: 0.7, flags: fMask | fDirect, words: "bitches bitchez biatch biotch bitchass sonofabitch"},
	{cat: CategoryInsult, w: 0.85, flags: fMask | fDirect, words: "cunt cunts"},
	{cat: CategoryInsult, w: 0.75, flags: fMask | fDirect, words: "asshole assholes arsehole arseholes asswipe dumbass dumbasses fatass jackass jackasses smartass dickhead dickheads douchebag douchebags scumbag scumbags twat twats wanker wankers tosser cocksucker cocksuckers"},
	{cat: CategoryInsult, w: 0.55, flags: fDirect, words: "bastard bastards prick pricks douche"},
	{cat: CategoryInsult, w: 0.8, flags: fMask | fDirect, words: "whore whores slut sluts slutty skank skanks"},
	{cat: CategoryInsult, w: 0.55, flags: fMask | fDirect, words: "hoe hoes thot thots", ctx: "garden gardening soil weed weeds weeding rake shovel spade till tool tools dirt plant planting ik je het een niet wat dat maar van gaat moet ze zo"},
	{cat: CategoryInsult, w: 0.2, flags: fDirectOnly, words: "ho hos cripple queer"},
	{cat: CategoryInsult, w: 0.5, flags: fDirect, words: "moron morons imbecile imbeciles cretin cretins nitwit dimwit halfwit numbnuts", ctx: ""},
	{cat: CategoryInsult, w: 0.45, flags: fDirect, words: "idiot idiots"},
	{cat: CategoryInsult, w: 0.65, flags: fDirect, words: "retard retards retarded", ctx: "timing ignition flame growth spark engine fire"},
	{cat: CategoryInsult, w: 0.35, flags: fDirect, words: "loser losers jerk jerks creep creeps clown clowns freak freaks redneck rednecks"},
	{cat: CategoryInsult, w: 0.45, flags: fDirect, words: "dick dicks cock cocks", ctx: "moby tracy van philip k dickens rooster hen hens chicken chickens crow crowing weathercock spring valve faucet"},
	{cat: CategoryInsult, w: 0.55, flags: fMask | fDirect, words: "pussy pussies", ctx: "cat cats kitty kitten kittens willow willows"},
	// Adjectives and nouns that are insults when aimed at someone.
	{cat: CategoryInsult, w: 0.2, flags: fDirectOnly, words: "stupid dumb ugly worthless useless pathetic disgusting fat trash garbage pig pigs scum filth subhuman brainless clueless hopeless ignorant lame incompetent dense waste failure joke vermin parasite"},

	// ---------------------------------------------------------- German
	{cat: CategoryProfanity, w: 0.55, flags: fInflDE | fMask | fPrefix, words: "scheiße scheiß"},
	{cat: CategoryProfanity, w: 0.3, flags: fInflDE, words: "kacke verdammt verdammte"},
	{cat: CategoryProfanity, w: 0.65, flags: fInflDE, words: "ficken gefickt fick"},
	{cat: CategoryInsult, w: 0.45, flags: fInflDE | fDirect, words: "arsch depp trottel dummkopf penner honk"},
	{cat: CategoryInsult, w: 0.6, flags: fInflDE | fDirect, words: "vollidiot vollpfosten blödmann spast spasti mongo dreckskerl pisser miststück"},
	{cat: CategoryInsult, w: 0.8, flags: fInflDE | fDirect | fPrefix, words: "arschloch wichser hurensohn"},
	{cat: CategoryInsult, w: 0.8, flags: fInflDE | fDirect, words: "fotze schlampe nutte missgeburt drecksau"},
	{cat: CategoryInsult, w: 0.2, flags: fDirectOnly, words: "dumm dumme dummer blöd blöde blöder hässlich hässliche nutzlos wertlos erbärmlich abschaum"},
	{cat: CategoryInsult, w: 0.45, flags: fInflDE | fDirect, words: "fresse"},

	// ---------------------------------------------------------- identity attacks (slurs)
	{cat: CategoryIdentityAttack, w: 0.95, flags: fMask | fSevere | fPrefix, words: "nigger niggers sandnigger"},
	{cat: CategoryIdentityAttack, w: 0.9, flags: fMask | fSevere, words: "faggot faggots kike kikes jigaboo pickaninny"},
	{cat: CategoryIdentityAttack, w: 0.8, flags: fMask | fDirect, words: "fag fags faggy wetback wetbacks raghead ragheads towelhead towelheads gook gooks zipperhead beaner beaners", ctx: "gobbledy gobbledygook gobble de"},
	{cat: CategoryIdentityAttack, w: 0.7, flags: fDirect, words: "spic spics chink chinks paki pakis tranny trannies dyke dykes heeb dago dagos golliwog shemale", ctx: "armor armour span wall light sunlight"},
	{cat: CategoryIdentityAttack, w: 0.5, flags: fDirect, words: "coon coons homo homos mongoloid", ctx: "maine hunting hunt hound hounds dog dogs raccoon raccoons skin sapiens erectus economicus habilis neanderthalensis"},
	{cat: CategoryIdentityAttack, w: 0.4, flags: 0, words: "negro negroes jap japs honky honkey whitey"},
	{cat: CategoryIdentityAttack, w: 0.85, flags: fInflDE | fDirect, words: "neger kanake kanacke schwuchtel untermensch kameltreiber"},
	{cat: CategoryIdentityAttack, w: 0.95, flags: fInflDE | fSevere, words: "judensau"},
	{cat: CategoryIdentityAttack, w: 0.5, flags: fInflDE, words: "zigeuner tunte transe"},

	// ---------------------------------------------------------- sexual
	{cat: CategorySexualExplicit, w: 0.7, flags: fMask, words: "blowjob blowjobs handjob handjobs cumshot cumshots deepthroat gangbang bukkake creampie milf milfs"},
	{cat: CategorySexualExplicit, w: 0.55, flags: fMask, words: "cum cums cumming jizz dildo dildos tits titties clit clitoris"},
	{cat: CategorySexualExplicit, w: 0.4, flags: 0, words: "porn porno horny boobs nudes orgasm masturbate masturbating"},
	{cat: CategorySexualExplicit, w: 0.3, flags: 0, words: "anal rape raped raping", ctx: "retentive fistula canal gland"},
	{cat: CategorySexualExplicit, w: 0.55, flags: fInflDE, words: "titten muschi schwanz", ctx: "hund hunde katze katzen tier tiere vogel"},
	{cat: CategorySexualExplicit, w: 0.6, flags: 0, words: "kinderficker"},
}

// classes name sets of tokens that the phrase rules refer to with @name.
var classes = map[string]string{
	"you":      "you u ya yu youu",
	"youare":   "you're youre ur yer",
	"are":      "are r",
	"neg":      "not no never nt nicht kein keine keiner nie",
	"art":      "a an such the one",
	"first":    "i i'll i'm im ima imma i'ma ill we we'll we're ich wir",
	"firstfut": "i'll ima imma i'ma we'll ill",
	"modal":    "will 'll shall am m gonna going to gon finna bout about would 'd could can really literally fucking gotta want wanna and then you u come find hunt track down personally seriously actually definitely swear just is are werde werden",
	"kill":     "kill murder stab strangle behead decapitate butcher slaughter execute shoot lynch rape choke gut skin",
	"hurt":     "hurt beat punch slap smash kick bash stomp",
	"target":   "you u ya y'all yall him her them everyone everybody",
	"your":     "your ur yo",
	"family":   "family kids children wife husband mom mother mum dad mama face ass head",
	"die":      "die rot burn perish",
	"should":   "should shall must deserve deserves ought need needs better",
	"be":       "are is r be were sind ist seid",
	"group":    "jews jewish muslims moslems muslim islam blacks black whites white gays gay lesbians homosexuals trans transgenders transgender immigrants migrants refugees illegals mexicans arabs asians africans chinese indians hindus christians latinos hispanics foreigners women females niggers niggas faggots kikes spics juden muslime auslander fluchtlinge migranten schwarze schwule lesben turken araber asylanten frauen zigeuner kanaken neger",
	"people":   "people folks men women guys persons leute menschen",
	"fill":     "all just nothing but like such fucking dirty filthy bloody a an the so nur alle doch wie einfach nichts als total complete absolute",
	"dehuman":  "animals animal vermin rats rat cockroaches roaches parasites parasite subhuman subhumans savages savage scum filth disease plague cancer trash garbage inferior apes monkeys pigs dogs maggots leeches degenerates tiere ungeziefer parasiten abschaum dreck untermenschen ratten pack gesindel schweine affen minderwertig kakerlaken pest seuche mull",
	"exterm":   "kill gas exterminate hang shoot lynch burn eradicate slaughter genocide nuke vergasen vergast totet erschiesst erschiessen",
}

// phrase rules: a sequence of elements separated by spaces. An element is
// a word, alternatives a|b|c, or @class; a trailing ? makes it optional and
// {m,n} repeats it. The first element must be mandatory.
type phraseDef struct {
	rule    string // category.name
	w       float64
	severe  bool
	pattern string
	// unless lists words that, right after the match, mark a harmless
	// reading ("I'll beat you at chess").
	unless string
}

var phrases = []phraseDef{
	// threats in the first person against the addressee or a third person
	{rule: "threat.first_person_violence", w: 0.9, severe: true, pattern: "@firstfut @modal{0,4} @kill @target"},
	{rule: "threat.first_person_violence", w: 0.9, severe: true, pattern: "@first @modal{1,4} @kill @target"},
	{rule: "threat.first_person_violence", w: 0.9, severe: true, pattern: "@first @modal{0,4} @kill @your whole|entire|fucking? @family"},
	// present tense without a modal is often narration ("we shoot them in the game")
	{rule: "threat.first_person_violence", w: 0.55, pattern: "@first @kill @target", unless: "in at on with during"},
	{rule: "threat.first_person_violence", w: 0.6, pattern: "@firstfut @modal{0,4} @hurt @target", unless: "at in on to with"},
	{rule: "threat.first_person_violence", w: 0.6, pattern: "@first @modal{1,4} @hurt @target", unless: "at in on to with"},
	{rule: "threat.first_person_violence", w: 0.8, pattern: "@first @modal{0,4} break|snap|slit @your neck|legs|throat|face|bones|skull"},
	{rule: "threat.death_wish", w: 0.85, severe: true, pattern: "@you @should to? die|rot|burn|suffer"},
	{rule: "threat.death_wish", w: 0.85, severe: true, pattern: "@you @should be killed|shot|hanged|raped|murdered|executed|gassed"},
	{rule: "threat.death_wish", w: 0.8, severe: true, pattern: "hope|wish that? @you die|rot|burn|suffer"},
	{rule: "threat.death_wish", w: 0.8, severe: true, pattern: "hope|wish that? @you get|gets cancer|raped|killed|shot|aids"},
	{rule: "threat.death_wish", w: 0.75, pattern: "go|just|pls|please die"},
	{rule: "threat.death_wish", w: 0.8, pattern: "die in a fire|hole|ditch"},
	{rule: "threat.self_harm_incitement", w: 0.9, severe: true, pattern: "kill|hang|shoot|off|neck urself|yourself|yoself|yourselves"},
	{rule: "threat.self_harm_incitement", w: 0.9, severe: true, pattern: "kys"},
	{rule: "threat.self_harm_incitement", w: 0.8, pattern: "drink bleach"},
	{rule: "threat.intimidation", w: 0.75, pattern: "i|we know where @you live|lives"},
	{rule: "threat.intimidation", w: 0.6, pattern: "@youare|you're dead meat"},
	{rule: "threat.intimidation", w: 0.6, pattern: "@you are dead meat"},
	{rule: "threat.intimidation", w: 0.55, pattern: "watch your back"},
	// German threats
	{rule: "threat.first_person_violence", w: 0.9, severe: true, pattern: "ich|wir @modal{0,2} bring|bringe|bringen dich|euch|ihn|sie um"},
	{rule: "threat.first_person_violence", w: 0.9, severe: true, pattern: "ich|wir @modal{0,2} tote|toten|erschiesse|erschiessen|ersteche|erstechen|erwurge|erwurgen|kille|killen dich|euch|ihn"},
	{rule: "threat.first_person_violence", w: 0.9, severe: true, pattern: "ich|wir werde|werden dich|euch|ihn umbringen|toten|abstechen|erschiessen|kaltmachen|abknallen"},
	{rule: "threat.first_person_violence", w: 0.85, pattern: "ich|wir @modal{0,2} mach|mache|machen|stech|steche|knall|knalle dich|euch kalt|ab|fertig"},
	{rule: "threat.first_person_violence", w: 0.6, pattern: "ich|wir @modal{0,2} schlag|schlage|hau|haue|verprugel|verprugele dich|euch"},
	{rule: "threat.death_wish", w: 0.85, severe: true, pattern: "du|ihr @should|sollst|solltest|sollt|solltet sterben|verrecken|krepieren"},
	{rule: "threat.death_wish", w: 0.7, pattern: "verreck|verrecke|krepier|krepiere"},
	{rule: "threat.death_wish", w: 0.6, pattern: "stirb|sterbt", unless: "langsam"},
	{rule: "threat.death_wish", w: 0.75, pattern: "geh|geht sterben|verrecken"},
	{rule: "threat.self_harm_incitement", w: 0.9, severe: true, pattern: "bring|bringt dich|euch um"},
	{rule: "threat.self_harm_incitement", w: 0.85, severe: true, pattern: "hang|hange|erschiess dich|euch auf?"},
	{rule: "threat.intimidation", w: 0.75, pattern: "ich|wir weiss|weis|wissen wo du|ihr wohnst|wohnt"},
	{rule: "threat.intimidation", w: 0.65, pattern: "du bist so? gut? wie? tot"},

	// insults as phrases
	{rule: "insult.phrase", w: 0.8, pattern: "son of a bitch|whore"},
	{rule: "insult.phrase", w: 0.75, pattern: "piece of shit|crap|garbage|trash"},
	{rule: "insult.phrase", w: 0.7, pattern: "go fuck|screw yourself|urself|off"},
	{rule: "insult.directed", w: 0.85, pattern: "fuck|screw you|u|ya|yall|y'all|off|yourself|urself"},
	{rule: "insult.phrase", w: 0.7, pattern: "eat shit|a dick"},
	{rule: "insult.phrase", w: 0.65, pattern: "shut the fuck|hell up"},
	{rule: "insult.phrase", w: 0.55, pattern: "shut your mouth|face|trap|pie"},
	{rule: "insult.phrase", w: 0.6, pattern: "@you|@youare are? a|an? waste of space|oxygen|air|skin"},
	{rule: "insult.phrase", w: 0.5, pattern: "go to hell"},
	{rule: "insult.phrase", w: 0.55, pattern: "nobody|no one likes|loves @you"},
	{rule: "sexual_explicit.phrase", w: 0.85, pattern: "suck|lick my dick|cock|balls|pussy|tits"},
	{rule: "sexual_explicit.phrase", w: 0.55, pattern: "jerk|jack|jerking|jacking off"},
	{rule: "insult.directed", w: 0.85, pattern: "fick|fickt dich|euch"},
	{rule: "insult.phrase", w: 0.85, pattern: "fick|fickt deine mutter"},
	{rule: "insult.phrase", w: 0.75, pattern: "verpiss|verpisst dich|euch"},
	{rule: "insult.phrase", w: 0.75, pattern: "halt|haltet die|deine|eure fresse|schnauze|klappe|maul"},
	{rule: "insult.phrase", w: 0.65, pattern: "leck|leckt mich am arsch"},
	{rule: "insult.phrase", w: 0.55, pattern: "du|sie bist|sind so? ein|eine|einer? stuck scheisse|dreck|mist"},

	// hate against protected groups
	{rule: "identity_attack.dehumanising", w: 0.85, severe: true, pattern: "@group @people? @be @fill{0,3} @dehuman"},
	{rule: "identity_attack.extermination", w: 0.9, severe: true, pattern: "@exterm @fill{0,2} @group"},
	{rule: "identity_attack.extermination", w: 0.9, severe: true, pattern: "@group @people? @should to? @fill{0,2} die|burn|perish|hang"},
	{rule: "identity_attack.extermination", w: 0.9, severe: true, pattern: "@group @people? @should to? @fill{0,2} be killed|gassed|exterminated|shot|hanged|lynched|eradicated"},
	{rule: "identity_attack.exclusion", w: 0.75, pattern: "@group raus"},
	{rule: "identity_attack.exclusion", w: 0.6, pattern: "go back to your country|cave|jungle|desert"},
	{rule: "identity_attack.slur", w: 0.8, pattern: "porch|moon monkey|monkeys"},
	{rule: "identity_attack.slur", w: 0.8, pattern: "ching chong"},
	{rule: "identity_attack.slur", w: 0.45, pattern: "white trash"},
	{rule: "identity_attack.slur", w: 0.5, pattern: "uncle tom"},
}
