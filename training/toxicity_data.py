#!/usr/bin/python3
"""Out-of-domain benign rows for the toxicity model (SAFE only).

    /usr/bin/python3 training/toxicity_data.py      # train.py --task toxicity calls build()

Davidson (the only toxicity source) is ~83% TOXIC tweets, so a model trained on
it alone learns "unfamiliar text = toxic": llmshield-tox-tiny-1.0.0 flagged 55%
of benign GPT-4 instructions. This module writes
work/toxicity_ood_{train,val,test}.jsonl with ordinary, non-toxic text from
other tasks' datasets, all labelled SAFE:

  gpteacher   injection/gpteacher_benign.jsonl (all rows are SAFE instructions)
  jackhhao    SAFE rows of injection/jackhhao_jailbreak_classification.jsonl
  vader       POSITIVE and NEUTRAL rows of sentiment/vader_ground_truth.jsonl
              (NEGATIVE rows are skipped: many are insults or abuse)

Each row goes to the split given by split.py's bucket rule (the same rule the
Go `llmshield eval --split` uses), so out-of-domain train rows never leak into
validation/test. train.py adds the train rows to the toxicity train split and
uses the val rows only to cap the false-positive rate when choosing the
threshold; test rows are reported per source.

Rows are dropped when their normalised text equals any Davidson row (the
Davidson label wins) and, for the sentiment-labelled sources, when they contain
strong profanity or slurs: VADER labels sentiment, not toxicity, and a positive
tweet such as "that's f***ing great" is offensive under the Davidson labelling,
so it must not teach the model that profanity is harmless. The injection
datasets are left alone otherwise (jailbreak rows are never used).
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import split  # noqa: E402  (bucket rule, reader, dataset paths)

# Strong profanity / slurs (word prefixes). Mild words (hell, damn, suck, hate)
# stay: they are common in ordinary text and the model must not flag them alone.
PROFANE = re.compile(
    r"\b(fuck|f\*ck|shit|sh\*t|bitch|b\*tch|cunt|nigg|fag|whore|slut|pussy|dick|retard|twat|hoe|hoes|bastard|asshole)",
    re.IGNORECASE,
)

# (source name in the split files, dataset path relative to DATA, labels kept, profanity filter)
SOURCES = (
    ("gpteacher", split.INJECTION_FILES["gpteacher"], ("SAFE",), False),
    ("jackhhao", split.INJECTION_FILES["jackhhao"], ("SAFE",), False),
    ("vader", split.SENTIMENT_FILES["vader"], ("POSITIVE", "NEUTRAL"), True),
)


def rows():
    """All out-of-domain SAFE rows with their split, deterministic order."""
    davidson = {split.normalise(r["text"]) for r in split.read_jsonl(os.path.join(split.DATA, split.TOXICITY_FILES["davidson"]))}
    seen = set(davidson)
    out = []
    dropped = {"davidson_duplicate": 0, "profanity": 0, "duplicate": 0}
    for short, rel, keep, filt in SOURCES:
        for r in split.read_jsonl(os.path.join(split.DATA, rel)):
            t = r["text"]
            if r["label"] not in keep or not t.strip():
                continue
            k = split.normalise(t)
            if k in davidson:
                dropped["davidson_duplicate"] += 1
                continue
            if k in seen:
                dropped["duplicate"] += 1
                continue
            if filt and PROFANE.search(t):
                dropped["profanity"] += 1
                continue
            seen.add(k)
            row = {"text": t, "label": "SAFE", "source": short}
            if isinstance(r.get("domain"), str):
                row["domain"] = r["domain"]
            out.append((split.split_of(t), row))
    return out, dropped


def build():
    """Write work/toxicity_ood_{train,val,test}.jsonl; return {split: rows}."""
    all_rows, dropped = rows()
    parts = {"train": [], "val": [], "test": []}
    for s, r in all_rows:
        parts[s].append(r)
    os.makedirs(split.WORK, exist_ok=True)
    for s, rs in parts.items():
        path = os.path.join(split.WORK, f"toxicity_ood_{s}.jsonl")
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rs)
        # Rewrite only on change so train.py's id cache (keyed on mtime) stays valid.
        if not os.path.exists(path) or open(path, encoding="utf-8").read() != body:
            with open(path, "w", encoding="utf-8") as f:
                f.write(body)
        by = {}
        for r in rs:
            by[r["source"]] = by.get(r["source"], 0) + 1
        print(f"{path}: {len(rs)} SAFE rows {dict(sorted(by.items()))}")
    print(f"toxicity ood: dropped {dropped}")
    return parts


if __name__ == "__main__":
    build()
