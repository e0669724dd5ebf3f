"""Write ../work/lang_eval.jsonl: multilingual texts for measuring language
identifiers. None of these sources is training data of whatlanggo or
lingua-go (their models come from other corpora), and llmshield trains no
identifier of its own. Sources: MultiJail (10 languages), GermEval (de),
program message translations (.mo, mostly short) and translated man pages
(long), at most 300 texts per (source, language).

    cd training/gibberish && python3 lang_eval.py
"""
import collections, json, os, random
import corpus

WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "work")
LANGS = {"en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "pl", "cs", "ro", "hu", "fi", "tr", "ru", "uk",
         "ja", "ko", "zh", "ar", "vi", "th", "bn", "id", "hr", "sl", "sw", "jv", "he", "el", "bg", "hi"}

def main():
    items = corpus.heldout_items()
    items = [i for i in items if i[0] in ("multijail", "germeval")]
    items += [i for i in corpus.mo_items() + corpus.man_items() if i[1] in LANGS]
    by = collections.defaultdict(list)
    for s, l, t in items:
        by[(s, l)].append(t)
    os.makedirs(WORK, exist_ok=True)
    rng = random.Random(7)
    n = 0
    with open(os.path.join(WORK, "lang_eval.jsonl"), "w") as f:
        for (s, l), ts in sorted(by.items()):
            rng.shuffle(ts)
            for t in ts[:300]:
                f.write(json.dumps({"source": s, "lang": l, "text": t}, ensure_ascii=False) + "\n")
                n += 1
    print(n, "texts")

if __name__ == "__main__":
    main()
