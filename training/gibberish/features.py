"""Feature extraction shared (bit for bit) with scanner/gibberish/features.go."""
import math, unicodedata

T3_BITS, T2_BITS, W1_BITS = 18, 16, 20
NOSPACE_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")

def fnv1a(b):
    h = 0x811C9DC5
    for x in b:
        h ^= x
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h

def sym(c):
    cat = unicodedata.category(c)
    if cat[0] in "LM":
        lo = c.lower()
        return lo if len(lo) == 1 else c
    if cat == "Nd":
        return "0"
    return " "

def nospace(c):
    n = unicodedata.name(c, "")
    return any(n.startswith(s) for s in NOSPACE_SCRIPTS)

def symbols(text):
    out = [" "]
    for c in text:
        s = sym(c)
        if s == " " and out[-1] == " ":
            continue
        out.append(s)
    if out[-1] != " ":
        out.append(" ")
    return out

def words(syms):
    ws, cur = [], []
    for s in syms:
        if s == " ":
            if cur:
                ws.append("".join(cur))
            cur = []
        else:
            cur.append(s)
    return ws

def h3(a, b, c):
    return fnv1a((a + b + c).encode()) & ((1 << T3_BITS) - 1)

def h2(a, b):
    return fnv1a((a + b).encode()) & ((1 << T2_BITS) - 1)

def hw1(w):
    return fnv1a(w.encode()) & ((1 << W1_BITS) - 1)

def letters(text):
    return sum(1 for c in text if unicodedata.category(c)[0] in "LM")

NFEAT = 9

def features(text, t3, t2, w1):
    """t3, t2: bytes-like quantized tables; w1: bytes-like bitset."""
    syms = symbols(text)
    n3 = max(len(syms) - 2, 1)
    s3 = unseen = 0
    for i in range(len(syms) - 2):
        q = t3[h3(syms[i], syms[i + 1], syms[i + 2])]
        s3 += q
        unseen += q == 0
    s2 = 0
    n2 = max(len(syms) - 1, 1)
    for i in range(len(syms) - 1):
        s2 += t2[h2(syms[i], syms[i + 1])]
    ws = [w for w in words(syms) if not nospace(w[0])]
    known = 0
    for w in ws:
        h = hw1(w)
        known += (w1[h >> 3] >> (h & 7)) & 1
    known_frac = known / len(ws) if ws else 1.0
    repeat = 1 - len(set(ws)) / len(ws) if len(ws) >= 2 else 0.0
    nonspace = sum(1 for c in text if not c.isspace())
    letter_ratio = letters(text) / nonspace if nonspace else 0.0
    longw = sum(1 for w in ws if len(w) > 20) / len(ws) if ws else 0.0
    run = best = 1
    for i in range(1, len(syms)):
        if syms[i] == syms[i - 1] and syms[i] != " ":
            run += 1
            best = max(best, run)
        else:
            run = 1
    return [s3 / n3 / 255, unseen / n3, s2 / n2 / 255, known_frac, repeat,
            letter_ratio, math.log1p(len(syms)) / 8, longw, min(best, 10) / 10]
