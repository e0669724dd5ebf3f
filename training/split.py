#!/usr/bin/python3
"""Deterministic train/validation/test splits for llmshield's built-in models.

Usage:  /usr/bin/python3 training/split.py [--task injection|toxicity|sentiment|all]

Writes training/work/<task>_{train,val,test}.jsonl. Each row keeps
{"text", "label", "source"} (plus "generated": true for template rows).

Split rule (reproducible from Go):
  norm   = lowercase(text), runs of Unicode white space (Go unicode.IsSpace /
           strings.Fields) collapsed to one ASCII space, leading/trailing
           space removed
  h      = sha256(utf8(norm))
  bucket = big-endian uint64 of h[0:8] mod 100
  bucket 0-79 -> train, 80-89 -> val, 90-99 -> test

Template-generated injection data (training/generate_injection.py) and the
extra benign rows borrowed from the toxicity/sentiment datasets go ONLY into
the injection train split, and only if their normalised text does not occur in
val/test. The borrowed rows come only from their own train buckets.
"""
import argparse
import hashlib
import json
import os
import random
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")
DATA = os.environ.get("LLMSHIELD_DATASETS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "datasets"))  # ../shared beside the repository

# Short source names used in metrics / LOSO, keyed by dataset file.
INJECTION_FILES = {
    "jackhhao": "injection/jackhhao_jailbreak_classification.jsonl",
    "garak": "injection/garak_jailbreak_payloads.jsonl",
    "gpteacher": "injection/gpteacher_benign.jsonl",
    "giskard": "injection/giskard_prompt_injections.jsonl",
    "pallms": "injection/pallms_payloads.jsonl",
}
TOXICITY_FILES = {"davidson": "toxicity/davidson_hate_offensive.jsonl"}
SENTIMENT_FILES = {"vader": "sentiment/vader_ground_truth.jsonl"}

# Extra benign rows for the injection train split (from other tasks' train buckets).
EXTRA_BENIGN_VADER = 2500
EXTRA_BENIGN_DAVIDSON = 800
SEED = 20261125


def _is_space(c):
    return c in "\t\n\v\f\r \x85\xa0" or unicodedata.category(c) in ("Zs", "Zl", "Zp")


def normalise(text):
    out, word = [], []
    for c in text.lower():
        if _is_space(c):
            if word:
                out.append("".join(word))
                word = []
        else:
            word.append(c)
    if word:
        out.append("".join(word))
    return " ".join(out)


def bucket(text):
    h = hashlib.sha256(normalise(text).encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") % 100


def split_of(text):
    b = bucket(text)
    return "train" if b < 80 else ("val" if b < 90 else "test")


def read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{n}: invalid JSON: {e}")
            if not isinstance(r.get("text"), str) or not isinstance(r.get("label"), str):
                raise SystemExit(f"{path}:{n}: row needs string text and label")
            rows.append(r)
    return rows


def load(files):
    rows = []
    for short, rel in files.items():
        for r in read_jsonl(os.path.join(DATA, rel)):
            if not r["text"].strip():
                continue
            row = {"text": r["text"], "label": r["label"], "source": short}
            if isinstance(r.get("domain"), str):  # vader: tweets / movie / amazon / nyt
                row["domain"] = r["domain"]
            rows.append(row)
    return rows


def write(task, parts):
    os.makedirs(WORK, exist_ok=True)
    for name, rows in parts.items():
        path = os.path.join(WORK, f"{task}_{name}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        counts = {}
        for r in rows:
            counts[r["label"]] = counts.get(r["label"], 0) + 1
        print(f"{path}: {len(rows)} rows {dict(sorted(counts.items()))}")


def split_rows(rows):
    parts = {"train": [], "val": [], "test": []}
    for r in rows:
        parts[split_of(r["text"])].append(r)
    return parts


def do_simple(task, files):
    write(task, split_rows(load(files)))


def do_injection():
    sys.path.insert(0, HERE)
    import generate_injection  # noqa: E402

    parts = split_rows(load(INJECTION_FILES))
    held = {normalise(r["text"]) for r in parts["val"] + parts["test"]}
    seen = {normalise(r["text"]) for r in parts["train"]} | held

    rng = random.Random(SEED)
    filler = []
    extra = []
    for short, rel, n in (
        ("vader", SENTIMENT_FILES["vader"], EXTRA_BENIGN_VADER),
        ("davidson", TOXICITY_FILES["davidson"], EXTRA_BENIGN_DAVIDSON),
    ):
        cand = [r["text"] for r in read_jsonl(os.path.join(DATA, rel)) if split_of(r["text"]) == "train"]
        filler.extend(cand if short == "vader" else [])
        rng.shuffle(cand)
        for t in cand[:n]:
            extra.append({"text": t, "label": "SAFE", "source": "extra_benign_" + short, "generated": False})
    # Filler text for carriers: benign train-bucket texts only.
    filler += [r["text"] for r in parts["train"] if r["source"] == "gpteacher"]

    gen = generate_injection.generate(seed=SEED, filler=filler)
    added = 0
    for r in extra + gen:
        k = normalise(r["text"])
        if k in seen:
            continue
        seen.add(k)
        parts["train"].append(r)
        added += 1
    print(f"injection: added {added} generated/extra rows to train ({len(gen)} generated candidates)")
    write("injection", parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default="all", choices=["all", "injection", "toxicity", "sentiment"])
    a = ap.parse_args()
    if a.task in ("all", "injection"):
        do_injection()
    if a.task in ("all", "toxicity"):
        do_simple("toxicity", TOXICITY_FILES)
    if a.task in ("all", "sentiment"):
        do_simple("sentiment", SENTIMENT_FILES)


if __name__ == "__main__":
    main()
