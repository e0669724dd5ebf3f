#!/usr/bin/env python3
"""Rewrite models/registry.json from the model directories under models/.

Each directory holding model.onnx, tokenizer.json and config.json becomes an
embedded registry entry with the files' SHA-256 hashes and sizes. Run it after
training a model:  python3 scripts/update-models-registry.py
"""
import hashlib
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models")
TASKS = {"promptinjection": "prompt_injection", "toxicity": "toxicity", "sentiment": "sentiment", "ner": "ner"}
# Extra precision variants live in sibling directories named <dir>-<variant>.
VARIANTS = ["int8", "fp16"]
FILES = ["model.onnx", "tokenizer.json", "config.json"]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    # hand-written licence and description texts of existing entries are kept
    try:
        old = {m["id"]: m for m in json.load(open(os.path.join(ROOT, "registry.json")))["models"]}
    except (OSError, ValueError, KeyError):
        old = {}
    models = []
    dirs = []
    for d, task in TASKS.items():
        dirs.append((d, task, "fp32"))
        dirs += [(d + "-" + v, task, v) for v in VARIANTS]
    for d, task, variant in dirs:
        path = os.path.join(ROOT, d)
        if not all(os.path.exists(os.path.join(path, f)) for f in FILES):
            continue
        cfg = json.load(open(os.path.join(path, "config.json")))
        version = cfg.get("model_version") or ("llmshield-" + d)
        labels = [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))]
        models.append({
            "id": version,
            "name": "llmshield/" + d,
            "task": task,
            "variant": variant,
            "embedded": d,
            "files": [{"name": f, "sha256": sha256(os.path.join(path, f)),
                       "size_bytes": os.path.getsize(os.path.join(path, f))} for f in FILES],
            "labels": labels,
            "threshold": cfg.get("threshold", 0.5),
            "max_length": cfg.get("max_length", 512),
            "license": cfg.get("license", "trained from MIT and Apache-2.0 licensed public data (see MODEL_CARD.md)"),
            "description": "Built-in llmshield model, trained by training/ in this repository; see models/%s/MODEL_CARD.md" % d,
        })
        for k in ("license", "description"):
            if version in old and k in old[version]:
                models[-1][k] = old[version][k]
    with open(os.path.join(ROOT, "registry.json"), "w") as f:
        json.dump({"models": models}, f, indent=2)
        f.write("\n")
    print("models/registry.json: %d built-in models" % len(models))


if __name__ == "__main__":
    main()
