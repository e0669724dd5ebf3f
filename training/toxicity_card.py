#!/usr/bin/python3
"""Render models/toxicity/MODEL_CARD.md from models/toxicity/metrics.json.

    /usr/bin/python3 training/toxicity_card.py [--v1 training/work/v1_metrics.json]

--v1 stores the old model's figures (toxicity_compare.py) in metrics.json["v1"], so the
card shows v1 beside v2 and can be re-rendered from committed files alone.
"""
import argparse
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "models")


def f4(x):
    return "–" if x is None else f"{x:.3f}"


def row(name, m):
    return f"| {name} | {m['n']} | {m['pos']} | {f4(m.get('auc'))} | {f4(m['precision'])} | {f4(m['recall'])} | {f4(m['f1'])} | {f4(m['fpr'])} | {f4(m.get('length_auc'))} |"


def render(mt):
    v1 = mt.get("v1", {})
    files = mt["files"]
    t = mt["threshold"]
    fp = files["toxicity/model.onnx"]["size_bytes"]
    i8 = files["toxicity-int8/model.onnx"]["size_bytes"]
    hc, hcv1 = mt["hatecheck"], v1.get("hatecheck")
    L = []
    w = L.append
    w("# Toxicity classifier — `llmshield-tox-hashed-2.0.0` (multi-label: `hate`, `insult`; EN + DE)\n")
    w("Built-in llmshield model, trained from scratch by `training/toxicity.py` (no pretrained weights). "
      f"Two independent sigmoid labels: **hate** (hate speech / identity attack) and **insult** (insult / profanity / abuse). "
      f"The scanner flags a text when either label's probability is ≥ **{t}** and names the label(s) in its findings "
      f"(`ml.hate`, `ml.insult`). FP32 `models/toxicity` ({fp:,} bytes), INT8 `models/toxicity-int8` ({i8:,} bytes, `ml.variant: int8`).\n")
    w("## Held-out figures first\n")
    w("Every figure below is on text the model never trained on and whose threshold was not tuned on it. "
      "Scores are class-balanced logistic probabilities per label; the threshold is the best mean F1 of the two labels on the leave-one-source-out "
      "held-out-source predictions with ≤ 2 % flagged benign instructions. v1 = `llmshield-tox-tiny-1.1.0` (the previous model, SAFE/TOXIC, "
      "run through the Go pipeline with its own threshold 0.4388; for v1 each label column compares its single TOXIC score with that label).\n")
    w("### HateCheck (eval-only, 3,728 functional tests, gold = hateful)\n")
    w("| model / score | n | hateful | AUC | precision | recall | F1 | FPR | length AUC |\n|---|---|---|---|---|---|---|---|---|")
    w(row("v2 `hate` label", hc["hate"]))
    w(row("v2 scanner (any label)", hc["any"]))
    if hcv1:
        w(row("v1 TOXIC", hcv1))
    w("\nFlag rate per functionality (`_h` = hateful, should be flagged; `_nh` = not hateful, should not):\n")
    w("| functionality | gold | n | v2 hate | v2 any label | v1 |\n|---|---|---|---|---|---|")
    for f, m in hc["per_functionality"].items():
        w(f"| {f} | {m['gold']} | {m['n']} | {m['flag_rate_hate']:.2f} | {m['flag_rate_any']:.2f} | {f4(v1.get('per_functionality', {}).get(f))} |")
    w("\n### Leave-one-source-out (train on every other source, test on all rows of the left-out one)\n")
    w("| held-out source / label | n | positives | AUC | precision | recall | F1 | FPR | length AUC |\n|---|---|---|---|---|---|---|---|---|")
    for k, m in mt["loso"].items():
        w(row(k, m))
    if v1.get("loso_sources"):
        w("\nv1 on the same rows (v1 trained on Davidson, gpteacher, jackhhao and VADER; its Davidson and gpteacher rows are **not** held out for it):\n")
        w("| source / label | n | positives | AUC | precision | recall | F1 | FPR | length AUC |\n|---|---|---|---|---|---|---|---|---|")
        for k, m in v1["loso_sources"].items():
            w(row(k, m))
    w("\n### Benign instructions and system prompts (eval-only files of the injection task; never trained on)\n")
    w("| set | n | v2 flagged (any label) | v2 max score | v1 flagged | v1 max score |\n|---|---|---|---|---|---|")
    for k, m in mt["benign_eval_only"].items():
        if k == "short_instructions":
            continue
        b = v1.get("benign_eval_only", {}).get(k, {})
        w(f"| {k} | {m['n']} | {m['fpr_any']:.4f} | {m['max_score']:.3f} | {f4(b.get('fpr'))} | {f4(b.get('max'))} |")
    sh = mt["benign_eval_only"]["short_instructions"]
    w(f"\nShort assistant instructions (`toxicity_data.SHORT_EVAL`, {sh['n']} EN/DE, none of them in the training data): "
      f"{sh['below_0.1']}/{sh['n']} score below 0.1 on both labels (v2), flagged {sh['fpr_any']:.2f}.\n")
    w("| text | v2 hate | v2 insult | v1 TOXIC |\n|---|---|---|---|")
    for text, s in sh["scores"].items():
        w(f"| {text} | {s[0]:.3f} | {s[1]:.3f} | {f4(v1.get('short_scores', {}).get(text))} |")
    w("\n## Weaknesses (read before use)\n")
    for line in mt.get("weaknesses", []):
        w(f"- {line}")
    w("\n## Data and licences\n")
    w("| source | rows used | labels (hate, insult) | licence |\n|---|---|---|---|")
    for s, n, lab, lic in mt["data_table"]:
        w(f"| {s} | {n} | {lab} | {lic} |")
    w("\nHateCheck (`toxicity/eval-only`, CC BY 4.0) and the injection task's eval-only files are only read for the figures above. "
      "Template rows (`training/toxicity_templates.py`) were written for this project: hateful statements about identity groups and, "
      "with the same groups and words, neutral/positive mentions, negated hate, counter-speech that quotes and condemns hate, insults at "
      "individuals, dislike of non-protected targets; a quarter of them carry one random misspelling. The template *kinds* were chosen "
      "knowing HateCheck's list of functionalities (not its sentences), so HateCheck is not a fully blind test for them.\n")
    w("## Architecture and training\n")
    w(f"- Features: the hashed n-gram tokenizer (`HashedNGram`: NFKC + lower-case, character 2–5-grams and word 1–2-grams, "
      f"{mt['buckets']:,} buckets; Go `tokenizer/hashed.go`, Python twin `training/hashed_ngrams.py`); up to {mt['max_length']} ids per window, "
      "longer texts are scored window by window and the maximum counts.")
    w("- Model: tf-idf weights folded into one table `T[id] = [w_hate·idf, w_insult·idf, idf²]`; "
      "`logit_l = A_l · Σ T[id,l] / sqrt(Σ T[id,2]) + B_l`; ONNX ops Gather, Cast, Unsqueeze, MatMul, Reshape, Slice, Sqrt, Div, Mul, Add "
      "(both backends); INT8 stores the table as int8 with one scale per column.")
    w(f"- One logistic regression per label (averaged SGD, L2 alpha {mt['alpha']}, {mt['epochs']} epochs, class-balanced), trained only on rows "
      "where the source defines that label (no calibration: see the weaknesses).")
    w(f"- CPU time on the shared 2-core machine (load 20+): final fit {mt['train_seconds']} s wall, leave-one-source-out {mt['loso_seconds']} s wall, "
      f"whole run incl. featurising {mt['total_seconds_before_eval']} s before evaluation.")
    w("- Command: `make -C training toxicity` (= `/usr/bin/python3 training/toxicity.py`, then `toxicity_card.py`).")
    if mt.get("latency"):
        w("\n## Speed\n")
        for line in mt["latency"]:
            w(f"- {line}")
    return "\n".join(L) + "\n"


WEAKNESSES = [
    "**It misses the HateCheck bar.** On the `hate` label HateCheck F1 is 0.66 (bar 0.80), AUC 0.69: a linear model over n-grams "
    "cannot tell *who* a negative word is aimed at, so it misses implicit hate (`derog_impl_h`), negated positive statements "
    "(`negate_pos_h`), and misspelled hate (char deletion / swap / leetspeak) about half the time, and flags a third of the "
    "quoting-and-condemning counter-speech and half of the positive identity statements (`ident_pos_nh`). Counter-speech, "
    "negated hate and neutral identity mentions are *mostly* SAFE on the hate label (18–49 % flagged), not reliably SAFE.",
    "**The scanner flags on either label**, and the `insult` label covers profanity: HateCheck's non-hateful profanity, reclaimed "
    "slurs and slur homonyms are flagged by `insult` (53–63 %), by design of the label, not as hate. Use `positive_labels: [hate]` "
    "for hate speech only.",
    "**German is weak when judged on a source it did not see**: GermEval 2018 is the only German source, so its leave-one-source-out "
    "row measures a model that has seen almost no German (AUC 0.58–0.60); the shipped model trains on GermEval, but no held-out "
    "German source exists to measure it. Other languages are out of distribution.",
    "**Cross-source transfer is low**: leave-one-source-out AUCs are 0.60–0.79; the tweet sources disagree on what is offensive "
    "vs. hate (Davidson's hate class is mostly slurs, HateXplain's includes Gab posts), so figures on one platform do not carry over. "
    "Davidson's known annotation bias (African-American English over-labelled as offensive) is inherited by the `insult` label.",
    "**Short benign instructions**: the three named in the issue score below 0.1 on both labels, but 10 of the 30 held-out short "
    "instructions score 0.10–0.52 on `insult` (e.g. \"Translate this into French.\" 0.52, \"Respond in English.\" 0.44): none is "
    "flagged at the threshold, but the margin is small.",
    "Scores are class-balanced logistic probabilities, **not calibrated**: Platt scaling on the leave-one-source-out predictions was "
    "tried and dropped because it pulled every score towards the pooled base rate (benign instructions 0.2–0.5 on `insult`). The "
    "threshold was chosen on held-out-source predictions only.",
    "GPTeacher rows (SAFE here) include a few harmful or hateful jailbreak payloads (its README says so); they are noise in the negatives.",
]

LICENCES = {
    "davidson": "MIT (t-davidson/hate-speech-and-offensive-language @ cb50f7e9eb85)",
    "hatexplain": "MIT (HateXplain data, via Media-Bias-Group/MBIB @ b9a887ffd461; MBIB code GPL-3.0, not used)",
    "toxigen": "MIT + CDLA-Permissive-2.0 (microsoft/TOXIGEN @ 01517e814639)",
    "germeval": "CC BY 4.0 (uds-lsv/GermEval-2018-Data @ 9877472d3952)",
    "gpteacher": "MIT (teknium1/GPTeacher @ 481075123c29; GPT-4 generated text, OpenAI terms may apply)",
    "selfinstruct": "Apache-2.0 (yizhongw/self-instruct @ 0b26ccaa4159)",
    "t0": "Apache-2.0 repo (yizhongw/self-instruct @ 0b26ccaa4159); underlying datasets carry their own terms",
    "instructions": "written for llmshield (training/toxicity_templates.py)",
    "templates": "written for llmshield (training/toxicity_templates.py)",
}


def data_table():
    import sys
    from collections import Counter, defaultdict
    sys.path.insert(0, HERE)
    import toxicity_data
    n, lab = Counter(), defaultdict(Counter)
    for r in toxicity_data.rows():
        n[r["source"]] += 1
        lab[r["source"]][f"({r['hate']}, {r['insult']})".replace("None", "–")] += 1
    return [(s, n[s], ", ".join(f"{k}: {v}" for k, v in sorted(lab[s].items())), LICENCES.get(s, "")) for s in n]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--v1")
    args = ap.parse_args()
    p = os.path.join(MODELS, "toxicity", "metrics.json")
    mt = json.load(open(p))
    mt["data_table"] = data_table()
    mt["weaknesses"] = WEAKNESSES
    if args.v1:
        mt["v1"] = json.load(open(args.v1))
    if True:
        with open(p, "w") as f:
            json.dump(mt, f, indent=1, ensure_ascii=False)
            f.write("\n")
    with open(os.path.join(MODELS, "toxicity", "MODEL_CARD.md"), "w") as f:
        f.write(render(mt))
    with open(os.path.join(MODELS, "toxicity-int8", "MODEL_CARD.md"), "w") as f:
        f.write("# Toxicity classifier — INT8 variant of `llmshield-tox-hashed-2.0.0`\n\n"
                "Same model, features and threshold as `models/toxicity` (see its MODEL_CARD.md for data, licences, figures and weaknesses); "
                "the n-gram weight table is stored as int8 with one scale per column. "
                + mt.get("int8_note", "") + "\n")
    print("wrote MODEL_CARD.md (fp32, int8)")
