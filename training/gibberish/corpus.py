"""Collect real text on this machine for the character models (gibberish,
language evaluation). Each item: (source, lang, text).

TRAIN sources (the gibberish model learns from these):
  man      translated and English man pages, /usr/share/man (roff stripped)
  mo       translated program messages, /usr/share/locale/*/LC_MESSAGES/*.mo
  doc      English package READMEs, /usr/share/doc
  code     Go/Python/JS/C/shell source from the Go module cache
  t0, gpteacher   shared/datasets/injection training files (English prompts)
HELD-OUT sources (never trained on; only measured):
  multijail (10 languages), germeval (de), gsm8k, self_instruct, jackhhao SAFE,
  sst2 (en)
"""
import glob, gzip, gettext, json, os, random, re, subprocess, hashlib

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets")
GOMOD = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True).stdout.strip()

ROFF_ESC = re.compile(r"\\f[BIRP]|\\f\(..|\\\(..|\\[&|^%]|\\-|\\\*\(..|\\\*.|\\s[-+]?\d|\\e")

def strip_roff(src):
    out = []
    for line in src.splitlines():
        if line.startswith((".", "'")):
            # keep the text of title/section/paragraph macros that carry words
            m = re.match(r"^\.(SH|SS|B|I|BR|IR|RB|IB|BI)\s+(.*)$", line)
            if not m:
                continue
            line = m.group(2).replace('"', "")
        line = ROFF_ESC.sub("", line).replace("\\", "")
        out.append(line)
    text = "\n".join(out)
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return [p for p in paras if len(p) >= 20]

def man_items(limit_per_lang=400):
    items = []
    langs = [d for d in os.listdir("/usr/share/man") if not d.startswith("man")]
    for lang in langs + ["en"]:
        base = "/usr/share/man" if lang == "en" else f"/usr/share/man/{lang}"
        files = sorted(glob.glob(f"{base}/man*/*.gz"))
        random.Random(lang).shuffle(files)
        n = 0
        for f in files:
            try:
                paras = strip_roff(gzip.open(f, "rt", errors="replace").read())
            except Exception:
                continue
            for p in paras:
                items.append(("man", lang.split("_")[0], p))
                n += 1
            if n >= limit_per_lang * 4:
                break
    return items

def mo_items(limit_per_lang=3000):
    items = []
    for d in sorted(glob.glob("/usr/share/locale/*/LC_MESSAGES")):
        lang = d.split("/")[4].split("_")[0].split("@")[0]
        n = 0
        for f in sorted(glob.glob(d + "/*.mo")):
            try:
                cat = gettext.GNUTranslations(open(f, "rb"))._catalog
            except Exception:
                continue
            for k, v in cat.items():
                if k == "" or not isinstance(v, str):
                    continue
                v = " ".join(v.replace("%s", "").replace("%d", "").replace("&", "").replace("_", "").split())
                if len(v) >= 12:
                    items.append(("mo", lang, v))
                    n += 1
            if n >= limit_per_lang:
                break
    return items

def doc_items(limit=6000):
    items = []
    for f in sorted(glob.glob("/usr/share/doc/*/README*"))[:400]:
        if f.endswith(".gz"):
            try:
                t = gzip.open(f, "rt", errors="replace").read()
            except Exception:
                continue
        else:
            try:
                t = open(f, errors="replace").read()
            except Exception:
                continue
        for p in re.split(r"\n\s*\n", t):
            p = " ".join(p.split())
            if len(p) >= 40:
                items.append(("doc", "en", p))
    random.Random(1).shuffle(items)
    return items[:limit]

CODE_EXT = {".go": "go", ".py": "python", ".js": "javascript", ".c": "c", ".h": "c", ".sh": "shell"}

def code_items(limit=4000):
    files = []
    for root, _, names in os.walk(GOMOD):
        if "/cache/" in root:
            continue
        for n in names:
            ext = os.path.splitext(n)[1]
            if ext in CODE_EXT and not n.endswith("_test.go"):
                files.append(os.path.join(root, n))
    files.sort()
    random.Random(2).shuffle(files)
    items = []
    for f in files[:800]:
        try:
            t = open(f, errors="replace").read()
        except Exception:
            continue
        lines = t.splitlines()
        for i in range(0, len(lines), 12):
            chunk = "\n".join(lines[i:i + 12]).strip()
            if len(chunk) >= 40:
                items.append(("code", "code", chunk[:600]))
    random.Random(3).shuffle(items)
    return items[:limit]

def jsonl(path, src, lang, field="lang", filt=None, limit=None):
    items = []
    for line in open(path):
        r = json.loads(line)
        if filt and not filt(r):
            continue
        items.append((src, r.get(field, lang) if field else lang, r["text"]))
    if limit:
        random.Random(src).shuffle(items)
        items = items[:limit]
    return items

def train_items():
    inj = os.path.join(SHARED, "injection")
    return (man_items() + mo_items() + doc_items() + code_items()
            + jsonl(f"{inj}/t0_prompted_tasks_benign.jsonl", "t0", "en", None, limit=4000)
            + jsonl(f"{inj}/gpteacher_benign.jsonl", "gpteacher", "en", None, limit=3000))

def heldout_items():
    inj, tox, sen = (os.path.join(SHARED, d) for d in ("injection", "toxicity", "sentiment"))
    items = jsonl(f"{inj}/multijail_harmful_requests.jsonl", "multijail", None)
    items += jsonl(f"{tox}/germeval2018_german.jsonl", "germeval", "de", None)
    items += jsonl(f"{inj}/gsm8k_questions_benign.jsonl", "gsm8k", "en", None, limit=1000)
    items += jsonl(f"{inj}/self_instruct_benign.jsonl", "self_instruct", "en", None)
    items += jsonl(f"{inj}/jackhhao_jailbreak_classification.jsonl", "jackhhao_safe", "en", None,
                   filt=lambda r: r["label"] == "SAFE", limit=1000)
    items += jsonl(f"{sen}/sst2_sentences.jsonl", "sst2", "en", None, limit=1000)
    return items

def split_key(text):
    return int(hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:8], 16) % 10
