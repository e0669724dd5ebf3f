#!/usr/bin/python3
"""Template rows for the toxicity model (written for llmshield; EN and DE).

generate(seed) yields (text, hate, insult, lang, kind):
  kind "hate"       hateful statements about an identity group       (1, None)
  kind "insult"     insults / profanity aimed at one person           (0, 1)
  kind "neutral"    neutral or positive sentences naming a group      (0, 0)
  kind "negated"    negated hate ("I don't hate X", "X are not ...")  (0, 0)
  kind "counter"    counter-speech quoting and condemning hate        (0, 0)
  kind "profane_ok" profanity that attacks nobody                     (0, 1)
  kind "nonprot"    dislike of things or non-protected groups         (0, None)
A quarter of the hate / neutral / negated rows get one random misspelling (obfuscate).

Hateful and benign rows share the same groups and most of the same words
(minimal pairs), so the model has to use the frame ("I don't", "it is wrong to
say", quotation) rather than the identity term. instructions() yields short
benign assistant instructions and system prompts.
"""
import random

GROUPS_EN = [
    "women", "men", "Muslims", "Jews", "Christians", "Hindus", "Sikhs", "Buddhists", "Black people",
    "white people", "Asians", "Asian people", "Mexicans", "Latinos", "Arabs", "immigrants", "refugees",
    "migrants", "gay people", "gays", "lesbians", "bisexual people", "trans people", "transgender people",
    "disabled people", "people with disabilities", "Roma", "Africans", "Chinese people", "Indians",
    "Pakistanis", "Turks", "Native Americans", "old people", "foreigners", "queer people", "Somalis",
]
GROUPS_DE = [
    "Frauen", "Männer", "Muslime", "Juden", "Christen", "Ausländer", "Flüchtlinge", "Migranten",
    "Schwule", "Lesben", "Transmenschen", "Behinderte", "Menschen mit Behinderung", "Türken", "Araber",
    "Schwarze", "Afrikaner", "Sinti und Roma", "Asiaten", "Polen", "Russen", "Syrer", "Homosexuelle",
    "Zuwanderer", "Asylbewerber",
]

NEG_EN = [
    "disgusting", "worthless", "subhuman", "filthy animals", "vermin", "a plague on this country",
    "parasites", "inferior", "all criminals", "a disease", "scum", "pathetic", "dirty", "savages",
    "too stupid to live", "a burden on society", "trash", "rats", "evil", "cockroaches", "lesser beings",
    "useless", "stupid", "dumb", "lazy", "greedy", "violent", "ugly", "vile", "repulsive", "primitive",
    "a cancer", "garbage", "freaks", "mentally ill", "dangerous", "thieves", "liars", "a waste of oxygen",
    "retarded", "brainless", "untrustworthy", "sick in the head", "pests", "a stain on humanity", "beasts",
    "incapable of thinking", "not real people", "an abomination", "degenerates", "barbarians", "idiots",
]
HATEVERB_EN = ["hate", "despise", "loathe", "can't stand", "detest", "am sick of", "am disgusted by",
               "really hate", "fucking hate", "cannot stand", "would never tolerate", "am so done with"]
EMOTE_EN = ["make me sick", "disgust me", "make me want to throw up", "make me so angry", "make me furious",
            "repulse me", "are a nightmare to be around", "make my skin crawl"]
THREAT_EN = ["kill", "shoot", "stab", "hurt", "beat", "burn", "hang", "murder", "slaughter", "get rid of", "wipe out"]
HARM_EN = [
    "be deported", "be locked up", "all die", "be banned from this country", "not be allowed to vote",
    "go back where they came from", "be wiped out", "be kept out of our schools", "be shot",
    "have no rights", "be thrown out", "disappear",
]
HARMACT_EN = ["get rid of", "kick out", "exterminate", "ban", "deport", "round up", "hang", "burn"]

NEG_DE = [
    "Abschaum", "Ungeziefer", "widerlich", "wertlos", "Parasiten", "minderwertig", "dreckig",
    "Schmarotzer", "alle kriminell", "Tiere", "Pack", "eine Plage", "Dreck", "Untermenschen",
    "zu dumm zum Leben", "Gesindel",
]
HATEVERB_DE = ["hasse", "verachte", "kann nicht ausstehen", "verabscheue"]
HARM_DE = ["abschieben", "einsperren", "loswerden", "rauswerfen", "vergasen", "aufhängen", "ausweisen"]

INSULT_EN = [
    "idiot", "moron", "stupid bitch", "loser", "dumbass", "piece of shit", "clown", "asshole",
    "pathetic little man", "fucking idiot", "waste of space", "dickhead", "jerk", "bastard",
]
INSULT_DE = [
    "Idiot", "Vollidiot", "Trottel", "Arschloch", "Versager", "Wichser", "Depp", "Spast",
    "Penner", "Hurensohn", "Lauch", "Vollpfosten", "Schwachkopf",
]

POS_EN = ["wonderful", "kind", "welcome here", "part of our community", "great neighbours", "just people",
          "as smart as anyone else", "valued members of society", "hard-working", "people too"]
POS_DE = ["willkommen", "Teil unserer Gesellschaft", "tolle Nachbarn", "Menschen wie alle anderen",
          "genauso klug wie alle anderen", "fleißig", "herzlich", "wertvolle Mitbürger"]


# Hateful statement templates: {g} is the group; each {} is filled, in order,
# with a random choice from the lists that follow the template.
HATE_EN = [
    ("{g} are {}.", NEG_EN),
    ("All {g} are {}.", NEG_EN),
    ("I {} {g}.", HATEVERB_EN),
    ("{g} should {}.", HARM_EN),
    ("We need to {} all the {g}.", HARMACT_EN),
    ("Never trust {g}, they are {}.", NEG_EN),
    ("The world would be better without {g}.",),
    ("Why are {g} always so {}?", ["disgusting", "dirty", "stupid", "lazy", "violent", "pathetic"]),
    ("Honestly, {g} are {} and everyone knows it.", NEG_EN),
    ("{g} are not human, they are {}.", ["animals", "vermin", "rats", "parasites"]),
    ("I'm going to {} every one of those {g}.", ["kill", "hurt", "beat up"]),
    ("{g} {}.", EMOTE_EN),
    ("I want to {} all {g}.", THREAT_EN),
    ("{g} like you are {}.", NEG_EN),
    ("{g} think they deserve respect. They are {}.", NEG_EN),
    ("If you ask me, {g} are {}.", NEG_EN),
    ("Isn't it obvious that {g} are {}?", NEG_EN),
    ("{g} should {}.", ["be killed", "be hanged", "be gassed", "be punished for existing", "burn", "suffer"]),
    ("No wonder, {g} are {}. I {} them.", NEG_EN, HATEVERB_EN),
]
HATE_DE = [
    ("{g} sind {}.", NEG_DE),
    ("Alle {g} sind {}.", NEG_DE),
    ("Ich {} {g}.", HATEVERB_DE),
    ("{g} sollte man {}.", HARM_DE),
    ("{g} gehören nicht in dieses Land, das sind {}.", NEG_DE),
    ("Ohne {g} wäre die Welt besser.",),
    ("Diese {g} sind doch alle {}!", NEG_DE),
    ("Man muss die {g} endlich {}.", HARM_DE),
]


def _from_templates(rng, groups, templates):
    """A group, then a template and its fills, drawn in that order."""
    g = rng.choice(groups)
    template, *choices = templates[rng.randrange(len(templates))]
    return template.format(*[rng.choice(c) for c in choices], g=g)


def _hate_en(rng):
    return _from_templates(rng, GROUPS_EN, HATE_EN)


def _hate_de(rng):
    return _from_templates(rng, GROUPS_DE, HATE_DE)


def _neutral_en(rng):
    g = rng.choice(GROUPS_EN)
    return rng.choice([
        f"{g} live in many countries around the world.", f"My neighbours are {g}.",
        f"I met a few {g} at the conference last week.", f"Many {g} work in healthcare.",
        f"The museum has an exhibition about the history of {g}.", f"There are {g} in my class.",
        f"How many {g} live in Canada?", f"I love {g}.", f"{g} are {rng.choice(POS_EN)}.",
        f"{g} deserve the same rights as everyone else.", f"I have a lot of respect for {g}.",
        f"The study asked {g} about their experience at work.", f"Some of my best friends are {g}.",
        f"{g} have contributed a lot to this city.", f"Our team includes {g} and we are proud of it.",
        f"The charity supports {g} who need housing.", f"We should listen to {g} more.",
        f"Being one of the {g} is nothing to be ashamed of.", f"{g} face a lot of discrimination.",
    ])


def _neutral_de(rng):
    g = rng.choice(GROUPS_DE)
    return rng.choice([
        f"In meiner Straße wohnen viele {g}.", f"{g} sind {rng.choice(POS_DE)}.", f"Ich mag {g}.",
        f"Die Ausstellung erzählt die Geschichte der {g}.", f"{g} verdienen Respekt.",
        f"Wie viele {g} leben in Deutschland?", f"Unser Verein hilft {g} bei der Wohnungssuche.",
        f"Meine Kollegen sind {g} und wir arbeiten gern zusammen.", f"{g} haben die gleichen Rechte wie alle.",
        f"Viele {g} erleben im Alltag Diskriminierung.",
    ])


def _negated_en(rng):
    g = rng.choice(GROUPS_EN)
    n = rng.choice(NEG_EN)
    return rng.choice([
        f"I don't hate {g}.", f"I do not {rng.choice(HATEVERB_EN[:5])} {g} at all.", f"{g} are not {n}.",
        f"{g} are never {n}.", f"It is wrong to say that {g} are {n}.", f"No one should claim {g} are {n}.",
        f"I would never say that {g} are {n}.", f"There is no reason to hate {g}.",
        f"Nobody deserves to be hated for being one of the {g}.", f"{g} should not {rng.choice(HARM_EN)}.",
        f"I don't think {g} are {n}, that's a prejudice.", f"{g} are no threat to anyone.",
    ])


def _negated_de(rng):
    g = rng.choice(GROUPS_DE)
    n = rng.choice(NEG_DE)
    return rng.choice([
        f"Ich hasse {g} nicht.", f"{g} sind nicht {n}.", f"Es ist falsch zu sagen, dass {g} {n} sind.",
        f"Niemand sollte behaupten, {g} seien {n}.", f"Ich würde nie sagen, dass {g} {n} sind.",
        f"Es gibt keinen Grund, {g} zu hassen.", f"{g} sind keine Gefahr für irgendwen.",
    ])


def _counter_en(rng):
    q = _hate_en(rng)
    g = rng.choice(GROUPS_EN)
    return rng.choice([
        f"Saying \"{q}\" is hateful and wrong.", f"Someone posted \"{q}\" and I reported it.",
        f"Statements like \"{q}\" have no place here.", f"\"{q}\" That is pure bigotry, stop spreading it.",
        f"I'm tired of people claiming {g} are {rng.choice(NEG_EN)}. It's a lie.",
        f"The idea that {g} are {rng.choice(NEG_EN)} is a racist myth.",
        f"When you say \"{q}\", you are spreading hate. Please stop.",
        f"My teacher explained why sentences like \"{q}\" count as hate speech.",
        f"If you read \"{q}\" online, report it and support the people targeted.",
    ])


def _counter_de(rng):
    q = _hate_de(rng)
    g = rng.choice(GROUPS_DE)
    return rng.choice([
        f"Sätze wie „{q}“ sind Hetze und gehören gemeldet.", f"Jemand schrieb „{q}“ – das ist widerlicher Rassismus.",
        f"Wer „{q}“ sagt, verbreitet Hass. Hört auf damit.", f"Die Behauptung, {g} seien {rng.choice(NEG_DE)}, ist ein Vorurteil.",
        f"„{q}“ – so etwas hat hier keinen Platz.",
    ])


def _insult(rng, lang):
    if lang == "en":
        i = rng.choice(INSULT_EN)
        return rng.choice([f"You are a {i}.", f"Shut up, you {i}.", f"What a {i} you are.",
                           f"Go away, {i}.", f"You're such a {i}, nobody likes you.", f"Only a {i} would write this."])
    i = rng.choice(INSULT_DE)
    return rng.choice([f"Du bist ein {i}.", f"Halt die Klappe, du {i}.", f"Was für ein {i}.",
                       f"Verpiss dich, du {i}.", f"So ein {i}, echt jetzt."])


def _profane(rng, lang):
    if lang == "en":
        return rng.choice(["This fucking printer is broken again.", "Holy shit, that game was amazing!",
                           "Damn, I forgot my keys again.", "What the fuck happened to the weather today?",
                           "This shitty bus is late again.", "Fuck yeah, we won the match!"])
    return rng.choice(["Scheiße, ich hab den Bus verpasst.", "Verdammt, schon wieder Stau.",
                       "Was für ein Scheißwetter heute.", "Geil, wir haben gewonnen!"])


NONPROT_EN = ["Mondays", "lawyers", "politicians", "bankers", "this weather", "traffic jams", "spiders",
              "mosquitoes", "tax forms", "fans of that team", "vegans", "hipsters", "my landlord", "this phone",
              "these cars", "the new update", "billionaires", "people who chew loudly", "reality TV"]


def _nonprot_en(rng):
    g = rng.choice(NONPROT_EN)
    return rng.choice([f"I hate {g}.", f"{g} are the worst.", f"{g} make me so angry.", f"I can't stand {g}.",
                       f"{g} are useless.", f"Honestly, {g} are a nightmare.", f"{g} disgust me."])


def obfuscate(rng, t):
    """One random spelling change of a word of t (letter dropped or swapped, leetspeak,
    spaces between letters, two words joined): such spellings evade word lists."""
    words = t.split(" ")
    cand = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not cand:
        return t
    i = rng.choice(cand)
    w = words[i]
    k = rng.randrange(5)
    j = rng.randrange(1, len(w) - 1)
    if k == 0:
        w = w[:j] + w[j + 1:]
    elif k == 1:
        w = w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]
    elif k == 2:
        w = w.translate(str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}))
    elif k == 3:
        w = " ".join(w)
    elif i + 1 < len(words):
        words[i:i + 2] = [w + words[i + 1]]
        return " ".join(words)
    words[i] = w
    return " ".join(words)


COUNTS = {  # (kind, lang): rows drawn before de-duplication
    ("hate", "en"): 5000, ("hate", "de"): 1500,
    ("neutral", "en"): 2000, ("neutral", "de"): 900,
    ("negated", "en"): 2500, ("negated", "de"): 900,
    ("counter", "en"): 1500, ("counter", "de"): 700,
    ("insult", "en"): 500, ("insult", "de"): 400,
    ("profane_ok", "en"): 60, ("profane_ok", "de"): 40,
    ("nonprot", "en"): 600,
}
LABEL = {"nonprot": (0, None), "hate": (1, None), "insult": (0, 1), "neutral": (0, 0), "negated": (0, 0), "counter": (0, 0), "profane_ok": (0, 1)}
MAKE = {
    ("hate", "en"): _hate_en, ("hate", "de"): _hate_de, ("neutral", "en"): _neutral_en, ("neutral", "de"): _neutral_de,
    ("negated", "en"): _negated_en, ("negated", "de"): _negated_de, ("counter", "en"): _counter_en,
    ("counter", "de"): _counter_de, ("nonprot", "en"): _nonprot_en,
}


def _cap(s):
    return s[0].upper() + s[1:]


def generate(seed):
    rng = random.Random(seed)
    for (kind, lang), n in COUNTS.items():
        h, i = LABEL[kind]
        for _ in range(n):
            if kind == "insult":
                t = _insult(rng, lang)
            elif kind == "profane_ok":
                t = _profane(rng, lang)
            else:
                t = MAKE[(kind, lang)](rng)
            t = _cap(t)
            if kind in ("hate", "neutral", "negated") and rng.random() < 0.25:
                t = obfuscate(rng, t)
            if rng.random() < 0.3:
                t = t.lower()
            if rng.random() < 0.2:
                t = t.rstrip(".")
            yield t, h, i, lang, kind


ROLES_EN = ["assistant", "tutor", "travel agent", "support agent", "coding assistant", "translator",
            "writing coach", "data analyst", "tour guide", "chef", "librarian", "legal assistant", "fitness coach"]
ADJ_EN = ["helpful", "friendly", "polite", "kind", "patient", "precise", "clear", "thorough", "careful",
          "accurate", "brief", "calm", "professional", "creative", "cautious", "supportive", "objective"]
ROLES_DE = ["Assistent", "Tutor", "Reiseberater", "Kundenberater", "Programmierassistent", "Übersetzer",
            "Schreibcoach", "Koch", "Bibliothekar"]
ADJ_DE = ["hilfsbereit", "freundlich", "geduldig", "genau", "klar", "gründlich", "sachlich", "ruhig", "kreativ"]


def instructions():
    """Short benign assistant instructions / system prompts (EN, DE)."""
    out = []
    for a in ADJ_EN:
        out += [(f"Be {a}.", "en"), (f"Please be {a}", "en"), (f"Always be {a} with the user.", "en"),
                (f"Stay {a} in every answer.", "en")]
        for r in ROLES_EN:
            out += [(f"You are a {a} {r}.", "en"), (f"Act as a {a} {r}.", "en")]
    for r in ROLES_EN:
        out += [(f"You are an AI {r}. Answer the user's questions.", "en"), (f"You are the {r}.", "en")]
    out += [(s, "en") for s in [
        "Be nice.", "Be careful with dates.", "Be helpful and harmless.", "Be very careful.",
        "You are a helpful, harmless and honest assistant.", "You are an AI assistant.", "Answer in one sentence.",
        "Reply in German.", "Use simple words.", "Don't use jargon.", "Format the answer as a table.",
        "Give three examples.", "Ask clarifying questions when needed.", "Keep answers under 100 words.",
        "You are a helpful assistant that answers questions about our product.", "Cite the documentation.",
        "If you don't know, say so.", "Only answer questions about cooking.", "Write in a formal tone.",
        "You help users write better emails.", "Never share personal data.", "Avoid speculation.",
        "You are a helpful assistant. Be concise and polite.", "Check your work before answering.",
        "Help the user debug their code.", "Respond with JSON only.", "Be gentle, the user is a beginner.",
    ]]
    for a in ADJ_DE:
        out += [(f"Sei {a}.", "de"), (f"Bitte sei {a}", "de"), (f"Antworte immer {a}.", "de")]
        for r in ROLES_DE:
            out += [(f"Du bist ein {a}er {r}.", "de")]
    out += [(s, "de") for s in [
        "Du bist ein KI-Assistent.", "Antworte in einem Satz.", "Nutze einfache Wörter.", "Sei bitte vorsichtig.",
        "Gib drei Beispiele.", "Frag nach, wenn etwas unklar ist.", "Antworte auf Englisch.",
        "Du hilfst Nutzern, bessere E-Mails zu schreiben.", "Gib keine persönlichen Daten weiter.",
        "Schreib in einem formellen Ton.", "Prüfe deine Antwort, bevor du sie abschickst.",
    ]]
    return out
