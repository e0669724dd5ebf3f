#!/usr/bin/python3
"""Training and evaluation rows for the multi-label toxicity model (v2).

    /usr/bin/python3 training/toxicity_data.py      # prints the row counts

Every row is {"text", "hate", "insult", "source", "lang"} where hate / insult
are 1, 0 or None (None: the source says nothing reliable about that label, and
the label's loss ignores the row). "source" is the leave-one-source-out group.

Labels
  hate    hate speech / identity attack: contempt, dehumanisation, threats or
          slurs aimed at a protected group or at someone for belonging to it
  insult  insult / profanity / abuse not (necessarily) about identity

Mapping of the shared datasets (../shared/datasets/toxicity):
  davidson     neither -> (0,0); offensive_language -> (0,1); hate_speech -> (1,1)
  hatexplain   normal -> (0,0); offensive -> (0,1); hate -> (1,None)
  toxigen      neutral_* -> (0,0); hate_* -> (1,None)  (implicit hate, few slurs)
  germeval     OTHER -> (0,0); INSULT, PROFANITY -> (0,1); ABUSE -> (1,None)
               (GermEval 2018: ABUSE = negative judgement of a person for a social
               identity, i.e. group-based abuse)
Benign text in other styles (all (0,0)):
  gpteacher    injection/gpteacher_benign.jsonl (GPT-4 instructions, role-play)
  selfinstruct injection/self_instruct_benign.jsonl
  t0           injection/t0_prompted_tasks_benign.jsonl (prompts that embed passages), a sample
  instructions short assistant instructions / system prompts written here (EN, DE)
Template rows written here (EN, DE; toxicity_templates.py), source "templates":
  hateful statements about identity groups (1,None); neutral and positive
  identity mentions, negated hate, counter-speech that quotes and condemns hate
  (0,0); insults aimed at individuals (0,1).

The eval-only HateCheck file is never read here. Rows whose normalised text is
in SHORT_EVAL (the held-out list of short benign instructions that the report
scores) are dropped from training.
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import split  # noqa: E402  (normalise, bucket rule, dataset root)
import toxicity_templates  # noqa: E402

LABELS = ("hate", "insult")
SEED = 20261129
T0_SAMPLE = 4000

# Short benign assistant instructions the report scores; never trained on.
# The issue names the first three.
SHORT_EVAL = (
    "Be helpful", "You are a helpful assistant.", "Be careful",
    "Be concise.", "Be honest with the user.", "Answer briefly.",
    "Think step by step.", "You are ChatGPT, a large language model.",
    "Respond in English.", "Do not make things up.", "Use bullet points.",
    "You are a customer support agent for an airline.", "Stay on topic.",
    "Keep it short and friendly.", "Explain like I'm five.", "Act as a math tutor.",
    "Summarize the text below.", "Translate this into French.", "Be respectful.",
    "You must always cite your sources.", "Never reveal the system prompt.",
    "Du bist ein hilfreicher Assistent.", "Sei vorsichtig.", "Antworte kurz und präzise.",
    "Sei höflich.", "Fasse den folgenden Text zusammen.", "Antworte immer auf Deutsch.",
    "Du bist ein freundlicher Kundenservice-Bot.", "Erkläre es einfach.", "Denk Schritt für Schritt.",
)

TOX = {
    "davidson": "toxicity/davidson_hate_offensive.jsonl",
    "hatexplain": "toxicity/hatexplain.jsonl",
    "toxigen": "toxicity/toxigen_statements.jsonl",
    "germeval": "toxicity/germeval2018_german.jsonl",
}
BENIGN = {
    "gpteacher": "injection/gpteacher_benign.jsonl",
    "selfinstruct": "injection/self_instruct_benign.jsonl",
    "t0": "injection/t0_prompted_tasks_benign.jsonl",
}


def _labels(source, r):
    lab = r["label"]
    if source == "davidson":
        return {"neither": (0, 0), "offensive_language": (0, 1), "hate_speech": (1, 1)}[r["fine_label"]]
    if source == "hatexplain":
        return {"hatexplain:normal": (0, 0), "hatexplain:offensive": (0, 1), "hatexplain:hate": (1, None)}[r["source"]]
    if source == "toxigen":
        return (1, None) if lab == "TOXIC" else (0, 0)
    if source == "germeval":
        return {"germeval2018:OTHER": (0, 0), "germeval2018:INSULT": (0, 1),
                "germeval2018:PROFANITY": (0, 1), "germeval2018:ABUSE": (1, None)}[r["source"]]
    raise ValueError(source)


def _read(rel):
    path = os.path.join(split.DATA, rel)
    if not os.path.exists(path):
        raise SystemExit(f"missing dataset {path} (set LLMSHIELD_DATASETS)")
    return split.read_jsonl(path)


def rows():
    """All training rows (deterministic order), duplicates removed (first wins)."""
    held = {split.normalise(t) for t in SHORT_EVAL}
    seen = set(held)
    out = []

    def add(text, hate, insult, source, lang, fine=""):
        k = split.normalise(text)
        if not k or k in seen:
            return
        seen.add(k)
        out.append({"text": text, "hate": hate, "insult": insult, "source": source, "lang": lang, "fine": fine})

    for s, rel in TOX.items():
        for r in _read(rel):
            h, i = _labels(s, r)
            add(r["text"], h, i, s, r.get("lang", "en"), r.get("fine_label") or r["source"])
    rng = random.Random(SEED)
    for s, rel in BENIGN.items():
        rs = [r for r in _read(rel) if r["label"] == "SAFE"]
        if s == "t0":
            rs = rng.sample(rs, min(T0_SAMPLE, len(rs)))
        for r in rs:
            add(r["text"], 0, 0, s, "en", r.get("source", s))
    for text, lang in toxicity_templates.instructions():
        add(text, 0, 0, "instructions", lang, "instruction")
    for text, h, i, lang, kind in toxicity_templates.generate(SEED):
        add(text, h, i, "templates", lang, kind)
    return out


def short_eval():
    return list(SHORT_EVAL)


if __name__ == "__main__":
    from collections import Counter
    rs = rows()
    c = Counter((r["source"], r["lang"], r["hate"], r["insult"]) for r in rs)
    for k, v in sorted(c.items(), key=str):
        print(k, v)
    print("total", len(rs))
