#!/usr/bin/python3
"""Write models/ner{,-int8}/MODEL_CARD.md from their metrics.json (ner_train.py) and
training/ner_card_extra.md (figures measured by the Go tests)."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")


def table(m):
    out = ["| type | gold | predicted | precision | recall | F1 |", "|---|---|---|---|---|---|"]
    for t, name in (("PER", "person"), ("ORG", "organisation"), ("LOC", "location")):
        r = m[t]
        out.append(f"| {name} | {r['gold']} | {r['pred']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |")
    return "\n".join(out)


def card(dirname):
    d = os.path.join(ROOT, "models", dirname)
    m = json.load(open(os.path.join(d, "metrics.json")))
    cfg = json.load(open(os.path.join(d, "config.json")))
    size = os.path.getsize(os.path.join(d, "model.onnx"))
    extra = open(os.path.join(HERE, "ner_card_extra.md")).read() if os.path.exists(os.path.join(HERE, "ner_card_extra.md")) else ""
    text = f"""# {cfg['model_version']} ({cfg['variant']})

Built-in named-entity recogniser of llmshield: **person, organisation and location names**
(IOB2 labels `{', '.join(cfg['id2label'][str(i)] for i in range(len(cfg['id2label'])))}`), used by
the `anonymize` and `sensitive` scanners through `internal/ner` together with the gazetteer
recognizers of `internal/pii`. Trained by `make -C training ner` (CPU only).

## Architecture

{cfg['architecture']}. Tokenizer: `HashedWordFeatures` (package `tokenizer`; Python twin
`training/ner_features.py`): every word or punctuation token becomes 8 hashed feature ids
(lower-cased word, word shape, 2-3 letter prefixes, 2-4 letter suffixes, cased word); the graph
(`training/ner_onnx.py`, opset 13: Gather, Reshape, Slice, Cast, MatMul, Add, Relu, Mul, Concat,
Unsqueeze, Expand) sees 4 words of context on each side and returns per-input-token logits
`[batch, sequence, 7]`, run by both inference backends (ONNX Runtime and pure Go).
{'The embedding table is stored as int8 with one scale per column (dequantised by Gather, Cast, Mul); the dense layers stay float32.' if cfg['variant'] == 'int8' else ''}
ONNX file: {size/1e6:.2f} MB.

## Training data and licences

* `../shared/datasets/pii/presidio_synth_dataset_v2.jsonl` and `presidio_generated_large.jsonl`:
  Presidio synthetic data from microsoft/presidio-research @ `7622dec1e5f7`; the dataset README
  states its licence as "MIT" for both files. Only the **train** split (internal/datasplit:
  SHA-256 bucket 0-79 of the normalised text; {m['rows']['train']} training rows in all
  with the generated ones) is trained on; the val split (buckets 80-89) picked the epoch
  (best: {m['best_epoch']} of {m['epochs_run']}); the test split (90-99) is only reported.
  PERSON -> PER, ORGANIZATION -> ORG, LOCATION and GPE -> LOC; other Presidio types are O (a city
  inside a street address is therefore O, as Presidio labels it).
* Negatives from `../shared/datasets/sentiment/vader_ground_truth.jsonl` (cjhutto/vaderSentiment,
  whose README the dataset README quotes as "MIT (repo LICENSE.txt)"), train split only:
  {m['rows'].get('vader_negatives', 0)} sentences with no capitalised word after the first and no
  gazetteer name, all labelled O.
* Generated sentences (`training/ner_data.py`, our own templates, EN/DE/FR/ES, with negatives:
  capitalised headings, product and programming names, sentence starts, and instruction-style
  prompts such as "Describe a mysterious castle in which a lazy knight finds a knife."). Names come from the
  hand-written lists of `internal/pii/gazetteer` and ner_data.py and from names of the Presidio
  train split; every pool is split 80/20 by a hash of the value, training uses the 80 %.
* No training text is shipped.

## Evaluation (model alone, overlap matching as internal/pii's TestPresidio, threshold 0.5)

Computed in Python by ner_train.py on whole tokens (so a gold span that cuts a token counts on
the token; Go's figures below count character spans, hence 98 vs 100 gold locations).

Presidio **test** split ({m['rows']['test']} rows, never trained or tuned on):

{table(m['test'])}

Held-out generated set ({m['rows']['heldout']} sentences from a template family never used in
training — headers, lists, chat, quoted mail, in EN/DE/FR/ES — filled with the held-out 20 % of
every name pool):

{table(m['heldout'])}

Presidio val split (used to pick the epoch):

{table(m['val'])}

Training time: {m['train_seconds_cpu']:.0f} s on one CPU thread (a shared 2-core machine), for
{m['epochs_run']} epochs.
{extra}
## Limits

* Synthetic training data: the Presidio templates and our own. Real prompts are messier; names
  written in lower case are found less often, and single capitalised words at the start of a
  sentence are the most frequent false positives.
* Word features only, no pretrained embeddings: names far from the training distribution
  (other scripts, rare cultures) are found by shape and context alone.
"""
    open(os.path.join(d, "MODEL_CARD.md"), "w").write(text)
    print("wrote", os.path.join(d, "MODEL_CARD.md"))


if __name__ == "__main__":
    for dn in ("ner", "ner-int8"):
        card(dn)
