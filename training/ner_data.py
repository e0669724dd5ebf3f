#!/usr/bin/python3
"""Training / evaluation data of the NER model (training/ner_train.py).

* Presidio synthetic data (../shared/datasets/pii, MIT): rows are assigned to train /
  val / test by training/split.py's hash rule (internal/datasplit in Go); only the
  train split is trained on, val picks the epoch, test is only reported.
* Generated sentences: templates in EN/DE/FR/ES with person, organisation and
  location slots, instruction-style prompts (mostly without entities), and negatives
  (capitalised words that are not entities).
* Negatives from the VADER ground truth (../shared/datasets/sentiment, MIT; train split
  only): sentences with no capitalised word after the first and no gazetteer name. Names,
  organisations and places come from pools that are split 80/20 by a hash of the
  value; the held-out set uses the held-out 20 % of the pools and a family of
  templates (HELDOUT_TEMPLATES) never used in training.

Labels: IOB2 over the tokens of ner_features.tokens: O, B-PER, I-PER, B-ORG, I-ORG,
B-LOC, I-LOC. Presidio's PERSON -> PER, ORGANIZATION -> ORG, LOCATION and GPE -> LOC;
its other types are O.
"""
import hashlib
import json
import os
import random

import ner_features as F
from split import split_of

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
TYPE_MAP = {"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC", "GPE": "LOC"}
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "datasets", "pii")
GAZ = os.path.join(HERE, "..", "internal", "pii", "gazetteer")


def label_tokens(text, spans):
    """spans: [(start, end, TYPE)] in code points -> (toks, tags)."""
    toks = F.tokens(text)
    tags = ["O"] * len(toks)
    for s, e, typ in spans:
        first = True
        for i, (ts, te) in enumerate(toks):
            if ts < e and s < te:
                tags[i] = ("B-" if first else "I-") + typ
                first = False
    return toks, tags


def presidio(split):
    rows = []
    for name in sorted(os.listdir(SHARED)):
        if not name.startswith("presidio_") or not name.endswith(".jsonl"):
            continue
        for line in open(os.path.join(SHARED, name), encoding="utf-8"):
            r = json.loads(line)
            if split_of(r["text"]) != split:
                continue
            spans = [(s["start"], s["end"], TYPE_MAP[s["type"]]) for s in r.get("spans", []) if s["type"] in TYPE_MAP]
            toks, tags = label_tokens(r["text"], spans)
            rows.append({"text": r["text"], "toks": toks, "tags": tags, "source": "presidio"})
    return rows


def words_file(path):
    out = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            out.extend(line.split())
    return out


def lines_file(path):
    return [l.strip() for l in open(path, encoding="utf-8") if l.strip() and not l.startswith("#")]


# Our own name pools (DE, FR, ES, plus international), added to the package's hand-written
# gazetteers (internal/pii/gazetteer/first_names.txt, surnames.txt, locations.txt).
FIRST_EXTRA = """Lukas Jonas Felix Maximilian Leon Paul Finn Elias Niklas Tobias Jan Moritz Florian Sebastian Stefan Jürgen Uwe Dieter Klaus Wolfgang Günter
Hannah Lea Lena Leonie Johanna Katharina Anja Sabine Ursula Brigitte Monika Petra Ingrid Gisela Jutta Heike Birgit Kerstin Friederike Annika
Jean Pierre Jacques Michel Philippe Alain Bernard Christophe Nicolas Julien Mathieu Guillaume Antoine Thierry Olivier Sébastien Rémi Théo Hugo Baptiste
Camille Chloé Manon Léa Inès Margaux Élodie Sophie Nathalie Isabelle Céline Aurélie Sandrine Brigitte Véronique Hélène Océane Clémence Mathilde
José Antonio Manuel Francisco Javier Miguel Ángel Alejandro Pablo Sergio Jorge Diego Álvaro Rubén Iván Raúl Andrés Fernando Ignacio Gonzalo
Lucía María Carmen Isabel Dolores Pilar Marta Elena Cristina Paula Laura Andrea Alba Nuria Rocío Beatriz Inmaculada Montserrat Begoña Ainhoa
Giulia Francesca Chiara Alessandro Lorenzo Matteo Giuseppe Giovanni Marco Luca Aisha Fatima Mohammed Omar Yusuf Mei Hiroshi Yuki Sanjay Priya
Olga Dmitri Ivan Katarzyna Piotr Tomasz Agnieszka Lars Sven Ingrid Astrid Bjørn Søren Kwame Amara Chidi Thandiwe Raj Anil Deepa Wei Jun""".split()
LAST_EXTRA = """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann
Braun Krüger Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs
Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier
Morel Girard André Lefèvre Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas
García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez
Navarro Torres Domínguez Vázquez Ramos Gil Ramírez Serrano Blanco Molina Morales Suárez Ortega Delgado Castro Ortiz Rubio Marín Sanz Iglesias
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Nowak Kowalski Wiśniewski Novák Svoboda Andersson Johansson Nielsen Hansen
Ivanov Petrov Smirnov Okafor Mensah Nakamura Tanaka Suzuki Sato Kim Park Nguyen Tran Patel Sharma Gupta Singh Chen Wang Li Zhang Liu Haddad Yilmaz""".split()
ORG_SUFFIX = ["Inc.", "Inc", "LLC", "Ltd", "Ltd.", "Corp.", "Corporation", "Group", "Holdings", "GmbH", "AG", "SE", "SA", "S.A.", "SARL", "SAS",
              "S.L.", "SL", "S.p.A.", "BV", "plc", "& Co.", "& Partners", "Associates", "Solutions", "Technologies", "Systems", "Consulting", "Labs"]
ORG_WORD = """Apex Nova Orion Vertex Quantum Blue Silver Green Northern Atlantic Pacific Summit Horizon Pioneer Crescent Granite Harbor Meridian Zenith Aurora
Falcon Phoenix Cedar Maple Sterling Beacon Bright Clear Swift Prime Core Fusion Nimbus Solaris Vector Helix Lumen Stratus Cobalt Ember Redwood Evergreen
Alpen Rhein Nord Süd Sonnen Berg Lumière Soleil Étoile Azur Sol Luna Sierra Costa Mar Tierra Andes Iberia Norte Brisa""".split()
ORG_INDUSTRY = """Logistics Software Analytics Pharma Energy Foods Motors Insurance Capital Media Robotics Textiles Airlines Bank Trust Health Networks
Biotech Maschinenbau Versicherung Logistik Immobilien Transports Assurances Construcciones Seguros Alimentos Telecom Chemicals Foods""".split()
ORG_PATTERNS = ["{W} {I}", "{W} {I} {S}", "{L} {I} {S}", "{N} {S}", "{N} & {N2}", "{N} {I}", "{W}{w} {S}", "Bank of {P}", "University of {P}",
                "Universität {P}", "Université de {P}", "Universidad de {P}", "{P} City Council", "Stadtwerke {P}", "Banco {W}", "Groupe {N}",
                "{W} Hospital", "{P} General Hospital", "{N} Foundation", "{W} Stiftung", "{W} {I}", "{WU}", "{WU} {S}"]


def _heldout(value):
    return int(hashlib.sha256(value.encode("utf-8")).hexdigest()[:8], 16) % 5 == 0


def pools():
    first = sorted(set(words_file(os.path.join(GAZ, "first_names.txt")) + FIRST_EXTRA + lines_file(os.path.join(GAZ, "presidio_first.txt"))))
    last = sorted(set(words_file(os.path.join(GAZ, "surnames.txt")) + LAST_EXTRA + lines_file(os.path.join(GAZ, "presidio_last.txt"))))
    locs = sorted(set(lines_file(os.path.join(GAZ, "locations.txt")) + [l for l in lines_file(os.path.join(GAZ, "presidio_loc.txt")) if not l.isupper()]))
    orgs = sorted(set(lines_file(os.path.join(GAZ, "presidio_org.txt"))))
    out = {}
    for name, pool in (("first", first), ("last", last), ("loc", locs), ("org", orgs), ("orgword", ORG_WORD)):
        out[name] = ([v for v in pool if not _heldout(v)], [v for v in pool if _heldout(v)])
    return out


def make_person(rng, P, k):
    f, l = rng.choice(P["first"][k]), rng.choice(P["last"][k])
    r = rng.random()
    if r < 0.45:
        return f + " " + l
    if r < 0.6:
        return f
    if r < 0.72:
        return l
    if r < 0.8:
        return f + " " + rng.choice(P["first"][k]) + " " + l
    if r < 0.86:
        return f[0] + ". " + l
    if r < 0.9:
        return f + " " + rng.choice(["van", "von", "de", "del", "di", "van der", "de la"]) + " " + l
    if r < 0.95:
        return f + " " + l + "-" + rng.choice(P["last"][k])
    return (f + " " + l).upper() if rng.random() < 0.5 else (f + " " + l).lower()


def make_org(rng, P, k):
    if P["org"][k] and rng.random() < 0.3:
        return rng.choice(P["org"][k])
    pat = rng.choice(ORG_PATTERNS)
    w = rng.choice(P["orgword"][k])
    return pat.format(W=w, w=rng.choice(["tech", "soft", "ware", "data", "med", "corp", "ify", "ly"]), I=rng.choice(ORG_INDUSTRY),
                      S=rng.choice(ORG_SUFFIX), L=rng.choice(P["loc"][k]).split(",")[0], N=rng.choice(P["last"][k]),
                      N2=rng.choice(P["last"][k]), P=rng.choice(P["loc"][k]).split(",")[0], WU=w.upper()[:4])


def make_loc(rng, P, k):
    return rng.choice(P["loc"][k])


TITLES = ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Herr", "Frau", "M.", "Mme", "Sr.", "Sra.", "Don", "Doña"]

# Training templates: {PER}, {ORG}, {LOC}; {T} a title (not part of the name).
TRAIN_TEMPLATES = {
    "en": ["My name is {PER} and I live in {LOC}.", "{PER} works at {ORG} in {LOC}.", "Please forward this to {T} {PER} at {ORG}.",
           "I met {PER} yesterday in {LOC}.", "{ORG} announced that {PER} will lead its office in {LOC}.", "Can you write a letter to {PER}?",
           "Contact {PER} ({ORG}) for details.", "{PER} was born in {LOC} and moved to {LOC} in 2009.", "Send the invoice to {ORG}, attention {PER}.",
           "Hi {PER}, thanks for the call.", "Our client {ORG} is based in {LOC}.", "Dear {T} {PER},", "Best regards, {PER}",
           "The meeting with {ORG} is moved to Friday.", "{PER} and {PER} visited {LOC} last summer.", "Is {LOC} far from {LOC}?",
           "I used to work for {ORG} before joining {ORG}.", "Tell {PER} that the package arrived in {LOC}.", "{PER} said the report is late.",
           "Summarize the complaint {PER} filed against {ORG}.", "We are flying from {LOC} to {LOC} on Monday.", "{T} {PER} will see you now.",
           "Book a table for {PER} at 7 pm.", "What is the weather like in {LOC} today?", "The patient, {PER}, was admitted on March 3.",
           "Translate this email from {PER} into German.", "{ORG} hired {PER} as Chief Technology Officer.", "Ask {PER} about the {ORG} contract."],
    "de": ["Mein Name ist {PER} und ich wohne in {LOC}.", "{PER} arbeitet bei {ORG} in {LOC}.", "Sehr geehrte {T} {PER},",
           "Bitte leiten Sie das an {PER} von der {ORG} weiter.", "Ich habe {PER} gestern in {LOC} getroffen.", "Mit freundlichen Grüßen, {PER}",
           "Die {ORG} hat ihren Sitz in {LOC}.", "{PER} ist nach {LOC} umgezogen.", "Der Vertrag mit {ORG} läuft im Mai aus.",
           "Hallo {PER}, kannst du mich morgen anrufen?", "Wir fahren am Montag von {LOC} nach {LOC}.", "{T} {PER} ist heute nicht im Büro."],
    "fr": ["Je m'appelle {PER} et j'habite à {LOC}.", "{PER} travaille chez {ORG} à {LOC}.", "Bonjour {T} {PER},", "Cordialement, {PER}",
           "J'ai rencontré {PER} hier à {LOC}.", "La société {ORG} est installée à {LOC}.", "Merci de transmettre ce dossier à {PER}.",
           "{PER} a quitté {ORG} l'année dernière.", "Nous partons de {LOC} pour {LOC} lundi.", "{T} {PER} vous attend à l'accueil."],
    "es": ["Me llamo {PER} y vivo en {LOC}.", "{PER} trabaja en {ORG} en {LOC}.", "Estimado {T} {PER}:", "Un saludo, {PER}",
           "Conocí a {PER} ayer en {LOC}.", "La empresa {ORG} tiene su sede en {LOC}.", "Por favor, envía esto a {PER} de {ORG}.",
           "{PER} se mudó a {LOC} el año pasado.", "Viajamos de {LOC} a {LOC} el lunes.", "{T} {PER} le atenderá enseguida."],
}
# Held-out family: structured / chat / list styles never used in training.
HELDOUT_TEMPLATES = [
    "From: {PER}\nCompany: {ORG}\nCity: {LOC}", "Attendees: {PER}, {PER} and {PER} ({ORG}).", "lol {PER} just texted me from {LOC}",
    "> {PER} wrote:\n> see you in {LOC}", "Signed on behalf of {ORG} by {PER}, {LOC}.", "{PER} ({LOC}) – account manager, {ORG}",
    "Teilnehmer: {PER}, {PER}; Ort: {LOC}", "Réunion avec {PER} ({ORG}) à {LOC} jeudi.", "Reunión con {PER} de {ORG} en {LOC}.",
    "Q: who runs {ORG}? A: {PER}, from {LOC}.", "cc: {PER}; bcc: {PER}", "Shipping address city: {LOC}; recipient: {PER}",
]
# Negatives: capitalised words that are no entities (headings, products, sentence starts).
NEGATIVES = [
    "Please Review The Attached Document Before Friday.", "The Quarterly Report Is Due On Monday.", "Write a Python function that parses JSON.",
    "Explain the difference between TCP and UDP.", "Summary: The Project Is On Track.", "Note: All Fields Are Required.", "Step One: Open The Settings Menu.",
    "Can you help me with my Homework?", "Generate a SQL query for the Orders table.", "The Board approved the Budget for Q3.",
    "Use the Export button in the Toolbar.", "Thank You For Your Order!", "Welcome to the Onboarding Guide.", "Click Save and then Close.",
    "Bitte lesen Sie die Anleitung sorgfältig durch.", "Die Sitzung beginnt um zehn Uhr.", "Das Ergebnis der Analyse ist positiv.",
    "Merci de lire le Guide avant de commencer.", "La Réunion commence à dix heures.", "Por favor, revise el Informe antes del Lunes.",
    "El Equipo de Ventas presentará los Resultados.", "Chapter Three: The Return.", "Action Items", "Subject: Monthly Newsletter",
    "Translate the following sentence into French.", "Is Monday a good day for the Release?", "The API returns an HTTP 404 Error.",
    "Install Docker and run the Tests.", "Write a Haiku about Autumn Leaves.", "Rate this Product from One to Five.",
    "English and Spanish are both spoken there.", "Christmas Eve falls on a Tuesday this year.", "The Python Package Index hosts many libraries.",
]


# Instruction-style prompts (the bulk of real LLM traffic): lower-case nouns, verbs and
# adjectives in every position and capitalised imperative verbs at the start, mostly
# without entities. Our own word lists.
VERBS = """Write Explain Describe Provide Summarize Summarise List Create Generate Translate Compare Find Give Suggest Draft Outline Classify
Rewrite Calculate Identify Tell Imagine Design Analyze Evaluate Propose Name Convert Edit Correct Predict Discuss Define Recommend Brainstorm""".split()
NOUNS = """story poem essay letter report plan recipe song speech dialogue summary list table email review question answer argument
dragon robot garden city river forest ocean mountain village castle kingdom planet spaceship computer phone car train bicycle house
teacher student doctor farmer soldier detective wizard knight king queen child friend neighbour customer manager scientist artist
climate energy water food health education technology economy history science music art sport travel weather money time love war
gun knife murder crime evidence victim witness suspect body room door window street bridge market school hospital office factory
algorithm function database network server variable loop error bug code program language model data file password system""".split()
ADJS = """short long funny sad happy dark mysterious ancient modern simple complex famous unknown small large quick slow bright quiet loud
strange beautiful dangerous safe wealthy poor young old brave clever lazy angry friendly medieval futuristic fictional realistic""".split()
INSTRUCTIONS = ["{V} a {A} {N} about a {N}.", "{V} the difference between a {N} and a {N}.", "{V} three ways to improve the {N}.",
                "{V} how the {N} affects the {N}.", "{V} a {N} in which a {A} {N} finds a {N}.", "{V} why the {N} is {A}.",
                "Can you {v} a {A} {N} for my {N}?", "I need a {A} {N} about {N} and {N}.", "What is the best {N} for a {A} {N}?",
                "{V} the following {N}: the {N} was {A} and the {N} was {A}.", "You are a {A} {N}. {V} your {N} to the {N}.",
                "A {A} {N} was found near the {N}. {V} what happened.", "{V} a {N} from the perspective of a {A} {N}.",
                "How do I {v} a {N} with a {N}?", "{V} the {N} below and {v} a {A} {N}.", "In the {A} {N}, the {N} meets a {N}. {V} the scene."]
INSTR_WITH_ENTITIES = ["{V} a {A} {N} to {PER} about the {N}.", "{V} a {N} about the history of {LOC}.", "{V} a {N} for {ORG} about their {N}.",
                       "{PER} asked me to {v} a {N}. {V} it.", "{V} the {N} that {PER} sent from {LOC}."]


def instruction(rng, P, k):
    t = rng.choice(INSTR_WITH_ENTITIES if rng.random() < 0.2 else INSTRUCTIONS)
    out = ""
    i = 0
    while i < len(t):
        if t.startswith("{V}", i):
            out += rng.choice(VERBS); i += 3
        elif t.startswith("{v}", i):
            out += rng.choice(VERBS).lower(); i += 3
        elif t.startswith("{N}", i):
            out += rng.choice(NOUNS); i += 3
        elif t.startswith("{A}", i):
            out += rng.choice(ADJS); i += 3
        else:
            out += t[i]; i += 1
    return fill(rng, out, P, k)


def vader_negatives(n, seed):
    """Sentences of the VADER ground truth (MIT; train split only) with no capitalised word
    after the first and no word of the name gazetteers: O everywhere."""
    path = os.path.join(SHARED, "..", "sentiment", "vader_ground_truth.jsonl")
    if not os.path.exists(path):
        return []
    P = pools()
    names = {w.lower() for w in P["first"][0] + P["first"][1] + P["last"][0] + P["last"][1]}
    rows = []
    for line in open(path, encoding="utf-8"):
        t = json.loads(line)["text"]
        if split_of(t) != "train" or len(t) > 300:
            continue
        toks = F.tokens(t)
        words = [t[s:e] for s, e in toks]
        if any(w[:1].isupper() for w in words[1:]) or any(w.lower() in names for w in words):
            continue
        rows.append({"text": t, "toks": toks, "tags": ["O"] * len(toks), "source": "vader-negative"})
    random.Random(seed).shuffle(rows)
    return rows[:n]


def fill(rng, tmpl, P, k):
    text, spans = "", []
    i = 0
    while i < len(tmpl):
        if tmpl[i] == "{":
            j = tmpl.index("}", i)
            slot = tmpl[i + 1:j]
            if slot == "T":
                v = rng.choice(TITLES)
                text += v
            else:
                v = {"PER": make_person, "ORG": make_org, "LOC": make_loc}[slot](rng, P, k)
                spans.append((len(text), len(text) + len(v), slot))
                text += v
            i = j + 1
        else:
            text += tmpl[i]
            i += 1
    return text, spans


def generated(n, seed, heldout=False):
    rng = random.Random(seed)
    P = pools()
    k = 1 if heldout else 0
    rows = []
    flat = [(lang, t) for lang, ts in TRAIN_TEMPLATES.items() for t in ts]
    for _ in range(n):
        if not heldout and rng.random() < 0.25:
            text, spans = instruction(rng, P, k)
        elif not heldout and rng.random() < 0.12:
            text, spans = rng.choice(NEGATIVES), []
            if rng.random() < 0.5:
                # a negative sentence followed by a normal one
                t2, s2 = fill(rng, rng.choice(flat)[1], P, k)
                spans = [(a + len(text) + 1, b + len(text) + 1, c) for a, b, c in s2]
                text = text + " " + t2
        elif heldout:
            text, spans = fill(rng, rng.choice(HELDOUT_TEMPLATES), P, k)
        else:
            text, spans = fill(rng, rng.choice(flat)[1], P, k)
            if rng.random() < 0.1:
                text = text.lower()
        toks, tags = label_tokens(text, spans)
        rows.append({"text": text, "toks": toks, "tags": tags, "source": "heldout" if heldout else "generated"})
    return rows


if __name__ == "__main__":
    for r in generated(8, 1) + generated(4, 2, heldout=True):
        print(r["text"].replace("\n", " / "), [(r["text"][s:e], t) for (s, e), t in zip(r["toks"], r["tags"]) if t != "O"])
    for sp in ("train", "val", "test"):
        print(sp, len(presidio(sp)))
