package bantopics

// term is one lexicon entry: a word or phrase and how strongly it signals
// its topic on its own (1 = unambiguous, 0.6 = strong, 0.3 = weak, mostly
// meaningful together with others). A trailing "*" matches any word that
// starts with the stem ("explos*": explosive, explosion); otherwise the
// entry must end on a word boundary. Entries are the project's own,
// written for this scanner; they are normalised like the text (lower case,
// accents folded) before matching, so "Waffe" and "waffe" are one entry.
type term struct {
	text   string
	weight float64
}

// Topic names.
const (
	Violence  = "violence"
	Weapons   = "weapons"
	Drugs     = "drugs"
	SelfHarm  = "self_harm"
	Sexual    = "sexual"
	Politics  = "politics"
	Religion  = "religion"
	Medical   = "medical"
	Legal     = "legal"
	Financial = "financial"
	strong    = 1.0
	medium    = 0.6
	weak      = 0.3
)

// TopicNames lists the built-in topics in a stable order.
func TopicNames() []string {
	return []string{Violence, Weapons, Drugs, SelfHarm, Sexual, Politics, Religion, Medical, Legal, Financial}
}

// topicAliases maps other spellings (after lower-casing and turning spaces
// and hyphens into underscores) to built-in topics.
var topicAliases = map[string]string{
	"violent": Violence, "weapon": Weapons, "firearms": Weapons, "guns": Weapons,
	"drug": Drugs, "narcotics": Drugs, "self_harm": SelfHarm, "selfharm": SelfHarm, "suicide": SelfHarm,
	"sex": Sexual, "sexual_content": Sexual, "adult": Sexual, "nsfw": Sexual,
	"political": Politics, "religious": Religion, "medicine": Medical, "medical_advice": Medical, "health": Medical,
	"law": Legal, "legal_advice": Legal, "finance": Financial, "financial_advice": Financial, "investment_advice": Financial,
}

var lexicons = map[string][]term{
	Violence: {
		{"kill", medium}, {"killing", medium}, {"killed", weak}, {"murder*", strong}, {"homicide", strong}, {"assassinat*", strong},
		{"stab", medium}, {"stabbing", medium}, {"beat up", medium}, {"beat him", medium}, {"beat her", medium}, {"torture*", strong},
		{"massacre*", strong}, {"genocide", strong}, {"terror attack", strong}, {"terrorist attack", strong}, {"behead*", strong},
		{"strangle*", strong}, {"choke someone", strong}, {"kidnap*", strong}, {"hostage*", medium}, {"violence", medium}, {"violent", medium},
		{"assault", medium}, {"attack someone", strong}, {"hurt someone", strong}, {"hurt him", medium}, {"hurt her", medium}, {"hurt people", strong},
		{"injure", medium}, {"maim", strong}, {"shoot someone", strong}, {"shoot him", strong}, {"shoot her", strong}, {"mass shooting", strong},
		{"school shooting", strong}, {"bloodshed", medium}, {"punch", weak}, {"fight", weak}, {"brutal*", weak}, {"abuse", weak}, {"domestic violence", strong},
		{"threaten", medium}, {"revenge", weak}, {"electrocut*", strong}, {"poison", medium}, {"tie someone up", medium}, {"blow up", medium}, {"break his neck", strong}, {"break her neck", strong}, {"poison someone", strong}, {"poison him", strong}, {"poison her", strong}, {"lynch*", strong}, {"rape", strong},
		// German
		{"toten", medium}, {"umbringen", strong}, {"ermorden", strong}, {"mord", strong}, {"morde*", medium}, {"erstechen", strong}, {"erschiessen", strong},
		{"gewalt", medium}, {"folter*", strong}, {"entfuhr*", medium}, {"verpruge*", strong}, {"anschlag", medium}, {"terroranschlag", strong},
		{"massaker", strong}, {"volkermord", strong}, {"schlagen", weak}, {"verletzen", medium}, {"bedrohen", medium}, {"vergewaltig*", strong},
	},
	Weapons: {
		{"gun", medium}, {"guns", medium}, {"firearm*", strong}, {"rifle*", strong}, {"pistol*", strong}, {"handgun*", strong}, {"shotgun*", strong},
		{"ammunition", strong}, {"ammo", strong}, {"bullet*", medium}, {"ar-15", strong}, {"ak-47", strong}, {"assault rifle*", strong},
		{"machine gun*", strong}, {"silencer*", strong}, {"suppressor*", medium}, {"3d-printed gun*", strong}, {"ghost gun*", strong},
		{"bomb", strong}, {"bombs", strong}, {"pipe bomb*", strong}, {"explosive*", strong}, {"explosion", weak}, {"detonat*", strong}, {"grenade*", strong},
		{"landmine*", strong}, {"molotov", strong}, {"napalm", strong}, {"thermite", medium}, {"tnt", strong}, {"ied", strong},
		{"nerve agent*", strong}, {"anthrax", strong}, {"ricin", strong}, {"blow up", medium}, {"sarin", strong}, {"chemical weapon*", strong}, {"bioweapon*", strong}, {"biological weapon*", strong},
		{"nuclear weapon*", strong}, {"dirty bomb", strong}, {"weapon", strong}, {"weapons", strong}, {"knife", weak}, {"knives", weak}, {"sword*", weak},
		{"crossbow*", medium}, {"taser*", medium}, {"brass knuckles", strong}, {"switchblade*", strong}, {"sniper", medium}, {"caliber", medium}, {"9mm", strong},
		// German
		{"waffe*", strong}, {"schusswaffe*", strong}, {"gewehr*", strong}, {"pistole*", strong}, {"munition", strong}, {"sprengstoff*", strong},
		{"bombe*", strong}, {"granate*", strong}, {"sprengsatz", strong}, {"messer", weak}, {"revolver", strong}, {"sturmgewehr*", strong},
	},
	Drugs: {
		{"drug", medium}, {"drugs", medium}, {"cocaine", strong}, {"crack cocaine", strong}, {"heroin", strong}, {"meth", strong}, {"methamphetamine", strong},
		{"crystal meth", strong}, {"fentanyl", strong}, {"lsd", strong}, {"mdma", strong}, {"ecstasy", medium}, {"ketamine", medium}, {"opioid*", medium},
		{"opiate*", medium}, {"marijuana", strong}, {"cannabis", strong}, {"weed", medium}, {"psilocybin", strong}, {"magic mushroom*", strong},
		{"get high", strong}, {"getting high", strong}, {"overdose", medium}, {"drug dealer*", strong}, {"dealing drugs", strong}, {"narcotic*", strong},
		{"amphetamine*", strong}, {"oxycodone", medium}, {"oxycontin", medium}, {"xanax", medium}, {"benzodiazepine*", medium}, {"dmt", strong},
		{"snort*", strong}, {"inject heroin", strong}, {"smoke weed", strong}, {"grow weed", strong}, {"dark web", weak}, {"bong", strong}, {"stoned", medium},
		{"cook meth", strong}, {"pcp", strong}, {"ghb", strong},
		// German
		{"droge*", strong}, {"kokain", strong}, {"heroin", strong}, {"crystal", weak}, {"haschisch", strong}, {"gras rauchen", strong}, {"kiffen", strong},
		{"rauschgift*", strong}, {"dealer", medium}, {"uberdosis", medium}, {"betaubungsmittel*", strong}, {"ecstasy", medium},
	},
	SelfHarm: {
		{"suicide", strong}, {"suicidal", strong}, {"kill myself", strong}, {"killing myself", strong}, {"end my life", strong}, {"take my own life", strong},
		{"want to die", strong}, {"wanna die", strong}, {"self-harm", strong}, {"self harm", strong}, {"selfharm", strong}, {"cut myself", strong},
		{"cutting myself", strong}, {"hurt myself", strong}, {"harm myself", strong}, {"overdose on", medium}, {"jump off a bridge", strong},
		{"hang myself", strong}, {"slit my wrists", strong}, {"no reason to live", strong}, {"better off dead", strong}, {"painless way to die", strong},
		{"anorexi*", medium}, {"bulimi*", medium}, {"starve myself", strong}, {"purging", weak}, {"self-injury", strong}, {"suicide note", strong},
		// German
		{"selbstmord", strong}, {"suizid*", strong}, {"mich umbringen", strong}, {"nicht mehr leben", strong}, {"ritzen", strong}, {"selbstverletz*", strong},
		{"mir das leben nehmen", strong}, {"sterben will", medium}, {"magersucht", medium},
	},
	Sexual: {
		{"sex", medium}, {"sexual", medium}, {"sexually", medium}, {"porn*", strong}, {"nude*", strong}, {"naked", medium}, {"erotic*", strong},
		{"orgasm*", strong}, {"masturbat*", strong}, {"blowjob*", strong}, {"penis", medium}, {"vagina", medium}, {"genital*", medium}, {"intercourse", medium},
		{"have sex", strong}, {"having sex", strong}, {"sex with", strong}, {"hookup", medium}, {"fetish*", strong}, {"bdsm", strong}, {"xxx", strong},
		{"onlyfans", strong}, {"prostitut*", strong}, {"escort service*", strong}, {"sexting", strong}, {"horny", strong}, {"seduc*", medium},
		{"explicit content", medium}, {"nsfw", strong}, {"stripper*", medium}, {"brothel*", strong}, {"sex worker*", strong}, {"one night stand", medium},
		// German
		{"sex", medium}, {"sexuell*", medium}, {"nackt*", medium}, {"erotik", strong}, {"pornografie", strong}, {"geschlechtsverkehr", strong},
		{"prostitution", strong}, {"bordell*", strong}, {"selbstbefriedigung", strong},
	},
	Politics: {
		{"election*", medium}, {"vote for", medium}, {"voting", weak}, {"ballot*", medium}, {"democrat*", medium}, {"republican*", medium},
		{"liberal*", weak}, {"conservative*", weak}, {"left-wing", medium}, {"right-wing", medium}, {"politic*", medium}, {"president", weak},
		{"prime minister", medium}, {"parliament*", medium}, {"congress", medium}, {"senator*", medium}, {"campaign", weak}, {"government", weak},
		{"trump", medium}, {"biden", medium}, {"obama", medium}, {"putin", medium}, {"immigration policy", strong}, {"abortion", medium},
		{"gun control", strong}, {"propaganda", medium}, {"political party", strong}, {"communis*", medium}, {"socialis*", medium}, {"fascis*", medium},
		{"dictator*", medium}, {"referendum", strong}, {"legislation", weak}, {"protest*", weak}, {"candidate*", weak},
		// German
		{"wahl", medium}, {"wahlen", medium}, {"bundestag", strong}, {"partei*", medium}, {"regierung", weak}, {"kanzler*", medium}, {"afd", strong},
		{"cdu", strong}, {"spd", strong}, {"grunen", medium}, {"politik*", medium}, {"abstimmung", weak}, {"demonstration*", weak},
	},
	Religion: {
		{"religio*", strong}, {"god", medium}, {"allah", strong}, {"jesus", strong}, {"christ", medium}, {"christian*", strong}, {"muslim*", strong},
		{"islam*", strong}, {"jew", strong}, {"jews", strong}, {"jewish", strong}, {"judaism", strong}, {"hindu*", strong}, {"buddhis*", strong},
		{"atheis*", strong}, {"bible", strong}, {"quran", strong}, {"koran", strong}, {"torah", strong}, {"church*", medium}, {"mosque*", strong},
		{"synagogue*", strong}, {"temple", weak}, {"prayer*", medium}, {"pray", medium}, {"sin", weak}, {"heaven", weak}, {"hell", weak},
		{"prophet*", medium}, {"pope", medium}, {"faith", weak}, {"scripture*", medium}, {"sermon*", strong}, {"blasphem*", strong}, {"catholic*", strong},
		{"protestant*", strong}, {"sikh*", strong}, {"worship*", medium}, {"holy", weak}, {"gospel*", medium}, {"satan*", medium},
		// German
		{"religion*", strong}, {"gott", medium}, {"kirche*", medium}, {"moschee*", strong}, {"synagoge*", strong}, {"christ", medium}, {"christen", strong},
		{"muslime", strong}, {"juden", strong}, {"judisch*", strong}, {"bibel", strong}, {"glaube*", weak}, {"beten", medium}, {"gebet*", medium},
	},
	Medical: {
		{"diagnos*", medium}, {"symptom*", medium}, {"treatment*", weak}, {"medication*", medium}, {"medicine", medium}, {"prescription*", medium},
		{"dosage", strong}, {"dose of", medium}, {"mg", weak}, {"side effect*", medium}, {"doctor", weak}, {"physician*", medium}, {"disease*", medium},
		{"cancer", medium}, {"tumor*", medium}, {"tumour*", medium}, {"diabetes", medium}, {"infection*", medium}, {"antibiotic*", medium}, {"vaccin*", medium},
		{"surgery", medium}, {"blood pressure", medium}, {"heart attack", medium}, {"chest pain", strong}, {"fever", medium}, {"pregnan*", medium},
		{"therapy", weak}, {"chemotherapy", strong}, {"insulin", medium}, {"ibuprofen", strong}, {"paracetamol", strong}, {"acetaminophen", strong},
		{"should i take", weak}, {"is it safe to take", strong}, {"medical advice", strong}, {"my doctor", medium}, {"clinic*", weak}, {"illness*", medium},
		{"depression", weak}, {"vaxxer*", medium}, {"vaccine*", medium}, {"sick", weak}, {"clinic", medium}, {"anxiety", weak}, {"rash", medium}, {"migraine*", medium},
		// German
		{"diagnose*", medium}, {"symptom*", medium}, {"medikament*", strong}, {"arzt", medium}, {"arztin", medium}, {"krankheit*", medium}, {"krebs", medium},
		{"dosierung", strong}, {"nebenwirkung*", strong}, {"rezept", weak}, {"schmerz*", weak}, {"fieber", medium}, {"schwanger*", medium}, {"behandlung*", weak},
		{"impfung*", medium}, {"tabletten", medium},
	},
	Legal: {
		{"lawyer*", strong}, {"attorney*", strong}, {"lawsuit*", strong}, {"sue", medium}, {"suing", strong}, {"court", medium}, {"judge", weak},
		{"legal advice", strong}, {"legally", medium}, {"illegal", weak}, {"is it legal", strong}, {"contract*", weak}, {"liabilit*", medium},
		{"custody", medium}, {"divorce*", medium}, {"plaintiff*", strong}, {"defendant*", strong}, {"litigation", strong}, {"settlement", weak},
		{"copyright*", medium}, {"trademark*", medium}, {"patent*", medium}, {"tenant rights", strong}, {"eviction", medium}, {"landlord", weak},
		{"arrest*", medium}, {"criminal record", strong}, {"felony", strong}, {"misdemeanor", strong}, {"statute*", medium}, {"jurisdiction", medium},
		{"power of attorney", strong}, {"will and testament", strong}, {"small claims", strong}, {"subpoena*", strong}, {"bail", medium}, {"parole", medium}, {"extradition", strong}, {"jail", weak}, {"laws", weak}, {"prosecut*", medium},
		// German
		{"anwalt", strong}, {"anwaltin", strong}, {"rechtsanwalt*", strong}, {"klage*", medium}, {"verklagen", strong}, {"gericht*", medium}, {"vertrag*", weak},
		{"scheidung", medium}, {"sorgerecht", strong}, {"mietrecht", strong}, {"kundigung*", medium}, {"rechtlich*", medium}, {"gesetz*", medium},
		{"strafanzeige", strong}, {"urheberrecht*", strong},
	},
	Financial: {
		{"invest*", medium}, {"stock*", medium}, {"stock market", strong}, {"shares", weak}, {"portfolio*", medium}, {"crypto*", medium},
		{"bitcoin", medium}, {"ethereum", medium}, {"etf*", strong}, {"index fund*", strong}, {"mutual fund*", strong}, {"dividend*", strong},
		{"retirement savings", strong}, {"401(k)", strong}, {"401k", strong}, {"ira", medium}, {"pension*", medium}, {"mortgage*", medium}, {"loan*", weak},
		{"interest rate*", medium}, {"credit score", medium}, {"debt", weak}, {"tax*", weak}, {"financial advice", strong}, {"financial advisor", strong},
		{"which stock", strong}, {"should i buy", medium}, {"should i sell", medium}, {"trading", medium}, {"day trading", strong}, {"forex", strong},
		{"options trading", strong}, {"hedge fund*", strong}, {"bonds", medium}, {"return on investment", strong}, {"get rich", medium}, {"savings account", medium},
		{"budget*", weak}, {"credit card*", medium}, {"bank account*", medium}, {"financial institution*", medium}, {"net worth", medium}, {"inflation", weak}, {"real estate", weak},
		// German
		{"investier*", strong}, {"aktie*", strong}, {"geldanlage", strong}, {"anlage", weak}, {"sparplan", strong}, {"rente", medium}, {"altersvorsorge", strong},
		{"kredit*", medium}, {"hypothek*", strong}, {"zins*", medium}, {"steuer*", weak}, {"borse", strong}, {"finanzberatung", strong}, {"depot", medium},
		{"krypto*", medium},
	},
}
