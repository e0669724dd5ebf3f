package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The generator composes refusals from parts (opening, refusal core,
// reason, offer of an alternative) and compliant answers from openers,
// hard-negative sentences and benign text. Every list is split by index:
// even entries are used for training, odd ones only for the held-out test
// set, so that test refusals are built from phrasings training never saw.

type langParts struct {
	openers []string // apology / softener before the core ("" allowed)
	cores   []string // refusal statements; {t} is the topic
	reasons []string
	alts    []string // offers of something else; {s} is a safe topic
	topics  []string
	safe    []string
	comply  []string // compliant openers ("Sure! ")
	hardNeg []string // compliant sentences with refusal-like words
}

var parts = map[string]langParts{
	"en": {
		openers: []string{"I'm sorry, but", "Sorry, but", "I apologize, but", "Unfortunately,", "I'm afraid", "", "My apologies, but", "I understand why you're asking, but", "Thanks for asking, but", "As an AI language model,", "Regrettably,", "I hear you, but", "As an AI assistant,", "I'm really sorry, but"},
		cores: []string{
			"I can't help with {t}.", "I cannot provide {t}.", "I'm not able to assist with {t}.", "I won't be able to give you {t}.",
			"I must decline to help with {t}.", "that's not something I can help with.", "I'm unable to share {t}.", "I can't do that.",
			"I can't assist with that request.", "I cannot fulfill this request.", "I'm not going to provide {t}.", "I will not help with {t}.",
			"I can't create {t}.", "I won't write {t}.", "helping with {t} isn't something I can do.", "I am not able to provide {t}.",
			"I cannot comply with that.", "I'm not comfortable providing {t}.", "I can't support {t}.", "I have to refuse this one.",
			"I'm not permitted to share {t}.", "this is a request I can't fulfil.",
		},
		reasons: []string{"", " It could cause serious harm.", " That would be illegal.", " This goes against my guidelines.", " Doing so could put people at risk.", " It violates the policies I follow.", " That would be unethical.", " It could be used to hurt someone.", " Sharing that would be irresponsible.", " It's not safe.", ""},
		alts:    []string{"", " If you'd like, I can help with {s} instead.", " Is there anything else I can help you with?", " I'd be happy to talk about {s}.", " You may want to consult a qualified professional.", " Let me know if there's something else you need.", " I can, however, explain {s}.", " If you're in danger, please contact local emergency services.", ""},
		topics:  []string{"instructions for making a bomb", "that", "information on hacking someone's email", "a guide to stealing a car", "ways to hurt someone", "that kind of content", "a phishing email", "details on buying illegal drugs", "malware code", "instructions to make methamphetamine", "a plan to cheat on the exam", "personal information about that person", "explicit sexual content", "a way to bypass the security system", "tips for evading taxes", "a fake ID", "ransomware", "ways to stalk someone"},
		safe:    []string{"online safety", "how to protect your accounts", "the history of chemistry", "legal ways to save money", "study techniques", "cybersecurity basics", "conflict resolution", "general safety tips"},
		comply:  []string{"Sure! ", "Certainly. ", "Of course! ", "Here's what you need to know: ", "Great question. ", "", "Absolutely. ", "Happy to help! ", "Here you go: ", "Yes — ", "Good idea. ", "Alright, ", "No problem. ", "Okay. "},
		hardNeg: []string{
			"I'm sorry to hear that you're dealing with this.", "You cannot divide by zero, so the expression is undefined.", "Unfortunately, the museum is closed on Mondays.",
			"I can't stress enough how important it is to back up your files.", "The function cannot return nil here because the slice is never empty.",
			"I apologize for the confusion in my previous answer; here is the corrected version.", "This medication should not be taken with alcohol.",
			"Plants can't survive without light for long.", "I won't go into every detail, but here is the summary.", "Sorry for the delay — the results are below.",
			"It is not possible to travel faster than light according to relativity.", "The API will not accept requests without a token.",
			"Unfortunately, there is no single right answer, but here are the options.", "You can't go wrong with a classic margherita pizza.",
			"I'm afraid the weather will turn cold this weekend, so bring a jacket.", "Without a valid visa you cannot enter the country, so apply early.",
		},
	},
	"de": {
		openers: []string{"Es tut mir leid, aber", "Tut mir leid, aber", "Leider", "Entschuldigung, aber", "", "Als KI-Sprachmodell", "Ich verstehe die Frage, aber"},
		cores:   []string{"ich kann dabei nicht helfen.", "kann ich keine {t} bereitstellen.", "ich kann dir keine {t} geben.", "dabei kann ich dir nicht helfen.", "ich muss diese Anfrage ablehnen.", "ich werde keine {t} erstellen.", "ich bin nicht in der Lage, {t} zu liefern.", "das kann ich nicht tun."},
		reasons: []string{"", " Das wäre illegal.", " Das könnte Menschen schaden.", " Das verstößt gegen meine Richtlinien.", ""},
		alts:    []string{"", " Kann ich dir bei etwas anderem helfen?", " Gerne erkläre ich dir stattdessen {s}.", " Wende dich bitte an eine Fachperson.", ""},
		topics:  []string{"Anleitung zum Bombenbau", "Informationen zum Hacken", "Schadsoftware", "Anleitung für Drogen", "gefälschte Dokumente", "Phishing-Mail"},
		safe:    []string{"Grundlagen der IT-Sicherheit", "legale Alternativen", "Sicherheitstipps", "die Geschichte der Chemie"},
		comply:  []string{"Gerne! ", "Natürlich. ", "Klar! ", "Hier ist die Antwort: ", "", "Sehr gern. "},
		hardNeg: []string{"Es tut mir leid zu hören, dass es dir nicht gut geht.", "Leider ist das Museum montags geschlossen.", "Man kann nicht durch null teilen.", "Ohne Visum kann man nicht einreisen, also beantrage es früh."},
	},
	"fr": {
		openers: []string{"Je suis désolé, mais", "Désolé, mais", "Malheureusement,", "", "En tant que modèle de langage,", "Je comprends votre demande, mais"},
		cores:   []string{"je ne peux pas vous aider avec cela.", "je ne peux pas fournir {t}.", "je ne suis pas en mesure de fournir {t}.", "je dois refuser cette demande.", "je ne vais pas écrire {t}.", "ce n'est pas quelque chose que je peux faire."},
		reasons: []string{"", " Ce serait illégal.", " Cela pourrait causer du tort.", " Cela va à l'encontre de mes règles.", ""},
		alts:    []string{"", " Puis-je vous aider avec autre chose ?", " Je peux plutôt vous expliquer {s}.", ""},
		topics:  []string{"des instructions pour fabriquer une bombe", "un logiciel malveillant", "des informations pour pirater un compte", "un faux document"},
		safe:    []string{"les bases de la sécurité", "des alternatives légales", "l'histoire de la chimie"},
		comply:  []string{"Bien sûr ! ", "Avec plaisir. ", "Voici la réponse : ", "", "Certainement. "},
		hardNeg: []string{"Je suis désolé d'apprendre que vous êtes malade.", "Malheureusement, le musée est fermé le lundi.", "On ne peut pas diviser par zéro."},
	},
	"es": {
		openers: []string{"Lo siento, pero", "Lo lamento, pero", "Desafortunadamente,", "", "Como modelo de lenguaje,", "Entiendo tu pregunta, pero"},
		cores:   []string{"no puedo ayudarte con eso.", "no puedo proporcionar {t}.", "no estoy en condiciones de ofrecer {t}.", "debo rechazar esta solicitud.", "no voy a escribir {t}.", "eso no es algo con lo que pueda ayudar."},
		reasons: []string{"", " Sería ilegal.", " Podría causar daño.", " Va en contra de mis normas.", ""},
		alts:    []string{"", " ¿Hay algo más en lo que pueda ayudarte?", " Puedo explicarte {s} en su lugar.", ""},
		topics:  []string{"instrucciones para fabricar una bomba", "malware", "información para hackear una cuenta", "un documento falso"},
		safe:    []string{"la seguridad en línea", "alternativas legales", "la historia de la química"},
		comply:  []string{"¡Claro! ", "Por supuesto. ", "Aquí tienes la respuesta: ", "", "Con gusto. "},
		hardNeg: []string{"Lo siento mucho por tu pérdida.", "Desafortunadamente, el museo cierra los lunes.", "No se puede dividir entre cero."},
	},
	"it": {
		openers: []string{"Mi dispiace, ma", "Purtroppo", "", "Come modello linguistico,", "Capisco la richiesta, ma"},
		cores:   []string{"non posso aiutarti con questo.", "non posso fornire {t}.", "non sono in grado di fornire {t}.", "devo rifiutare questa richiesta.", "non scriverò {t}."},
		reasons: []string{"", " Sarebbe illegale.", " Potrebbe causare danni.", ""},
		alts:    []string{"", " Posso aiutarti con qualcos'altro?", " Posso invece spiegarti {s}.", ""},
		topics:  []string{"istruzioni per costruire una bomba", "un malware", "informazioni per violare un account"},
		safe:    []string{"la sicurezza online", "alternative legali"},
		comply:  []string{"Certo! ", "Ecco la risposta: ", "", "Volentieri. "},
		hardNeg: []string{"Mi dispiace sapere che stai male.", "Purtroppo il museo è chiuso il lunedì."},
	},
	"pt": {
		openers: []string{"Desculpe, mas", "Sinto muito, mas", "Infelizmente,", "", "Como modelo de linguagem,"},
		cores:   []string{"não posso ajudar com isso.", "não posso fornecer {t}.", "não sou capaz de fornecer {t}.", "devo recusar este pedido.", "não vou escrever {t}."},
		reasons: []string{"", " Seria ilegal.", " Poderia causar danos.", ""},
		alts:    []string{"", " Posso ajudar com outra coisa?", " Posso explicar {s} em vez disso.", ""},
		topics:  []string{"instruções para fazer uma bomba", "um malware", "informações para invadir uma conta"},
		safe:    []string{"segurança online", "alternativas legais"},
		comply:  []string{"Claro! ", "Com certeza. ", "Aqui está a resposta: ", ""},
		hardNeg: []string{"Sinto muito pela sua perda.", "Infelizmente, o museu fecha às segundas-feiras."},
	},
	"nl": {
		openers: []string{"Het spijt me, maar", "Sorry, maar", "Helaas", "", "Als taalmodel"},
		cores:   []string{"ik kan je daar niet mee helpen.", "kan ik geen {t} geven.", "ik ben niet in staat om {t} te leveren.", "ik moet dit verzoek weigeren.", "ik ga geen {t} schrijven."},
		reasons: []string{"", " Dat zou illegaal zijn.", " Dat kan schade veroorzaken.", ""},
		alts:    []string{"", " Kan ik je ergens anders mee helpen?", " Ik kan je wel uitleggen wat {s} is.", ""},
		topics:  []string{"instructies voor een bom", "malware", "informatie om een account te hacken"},
		safe:    []string{"online veiligheid", "legale alternatieven"},
		comply:  []string{"Natuurlijk! ", "Zeker. ", "Hier is het antwoord: ", ""},
		hardNeg: []string{"Het spijt me te horen dat je ziek bent.", "Helaas is het museum op maandag gesloten."},
	},
	"zh": {
		openers: []string{"抱歉，", "对不起，", "很抱歉，", "", "作为一个人工智能，", "非常抱歉，"},
		cores:   []string{"我无法帮助你{t}。", "我不能提供{t}。", "我无法协助这个请求。", "我不能满足这个要求。", "这不是我能帮忙的事情。", "我无法提供相关信息。"},
		reasons: []string{"", "这可能造成伤害。", "这是违法的。", "这违反了我的准则。", ""},
		alts:    []string{"", "还有其他我可以帮忙的吗？", "我可以为你介绍{s}。", ""},
		topics:  []string{"制造炸弹", "入侵别人的账户", "购买毒品", "编写恶意软件"},
		safe:    []string{"网络安全知识", "合法的替代方案"},
		comply:  []string{"当然！", "好的，", "以下是答案：", ""},
		hardNeg: []string{"听到你生病了我很难过。", "很遗憾，博物馆周一闭馆。"},
	},
	"ja": {
		openers: []string{"申し訳ありませんが、", "すみませんが、", "残念ながら、", "", "AIとして、"},
		cores:   []string{"そのご要望にはお応えできません。", "{t}についての情報は提供できません。", "その件についてはお手伝いできません。", "お答えできません。", "{t}はできかねます。"},
		reasons: []string{"", "違法な行為につながる可能性があります。", "危険だからです。", ""},
		alts:    []string{"", "他にお手伝いできることはありますか？", "代わりに{s}について説明できます。", ""},
		topics:  []string{"爆弾の作り方", "アカウントのハッキング", "違法薬物の入手"},
		safe:    []string{"ネットの安全", "合法的な方法"},
		comply:  []string{"もちろんです。", "はい、", "以下が答えです：", ""},
		hardNeg: []string{"体調が悪いと聞いて残念です。", "残念ながら、博物館は月曜日休館です。"},
	},
	"ru": {
		openers: []string{"Извините, но", "К сожалению,", "Простите, но", "", "Как языковая модель,"},
		cores:   []string{"я не могу помочь с этим.", "я не могу предоставить {t}.", "я не могу выполнить этот запрос.", "я вынужден отказаться.", "я не буду писать {t}."},
		reasons: []string{"", " Это было бы незаконно.", " Это может причинить вред.", ""},
		alts:    []string{"", " Могу ли я помочь с чем-то другим?", " Я могу рассказать о {s}.", ""},
		topics:  []string{"инструкции по изготовлению бомбы", "вредоносную программу", "информацию для взлома аккаунта"},
		safe:    []string{"безопасности в интернете", "законных альтернативах"},
		comply:  []string{"Конечно! ", "Разумеется. ", "Вот ответ: ", ""},
		hardNeg: []string{"Мне жаль слышать, что вы заболели.", "К сожалению, музей закрыт по понедельникам."},
	},
}

// Which part of each list the generator draws from.
type half int

const (
	evens half = iota // training in -split parity
	odds              // test in -split parity
	whole             // training in -split all
)

// pick returns a random entry from the chosen half of list.
func pick(r *rand.Rand, list []string, h half) string {
	if len(list) == 1 || h == whole {
		return list[r.IntN(len(list))]
	}
	if h == odds {
		return list[2*r.IntN(len(list)/2)+1]
	}
	return list[2*r.IntN((len(list)+1)/2)]
}

func fill(s string, p langParts, r *rand.Rand, h half) string {
	s = strings.ReplaceAll(s, "{t}", pick(r, p.topics, h))
	return strings.ReplaceAll(s, "{s}", pick(r, p.safe, h))
}

func join(lang, a, b string) string {
	if a == "" {
		return capitalise(b)
	}
	if lang == "zh" || lang == "ja" {
		return a + b
	}
	return a + " " + b
}

func capitalise(s string) string {
	for i, c := range s {
		return strings.ToUpper(string(c)) + s[i+len(string(c)):]
	}
	return s
}

// refusal generates one refusal in lang.
func refusal(r *rand.Rand, lang string, h half) string {
	p := parts[lang]
	s := join(lang, pick(r, p.openers, h), fill(pick(r, p.cores, h), p, r, h))
	s += fill(pick(r, p.reasons, h), p, r, h)
	s += fill(pick(r, p.alts, h), p, r, h)
	return strings.TrimSpace(s)
}

// compliance wraps a benign body as an answer: with an opener, a
// hard-negative sentence, both or neither.
func compliance(r *rand.Rand, lang, body string, h half) string {
	p := parts[lang]
	switch r.IntN(4) {
	case 0:
		return body
	case 1:
		return pick(r, p.comply, h) + body
	case 2:
		return pick(r, p.hardNeg, h) + " " + body
	default:
		return fmt.Sprintf("%s%s %s", pick(r, p.comply, h), body, pick(r, p.hardNeg, h))
	}
}

var langs = []string{"en", "de", "fr", "es", "it", "pt", "nl", "zh", "ja", "ru"}
