#!/usr/bin/python3
"""Python twin of the Go tokenizer model "HashedWordFeatures" (tokenizer/hashedword.go).

Version 1, parameters from the tokenizer.json model section (buckets, first_id):

1. Tokens: scan the text by code point. White space (Unicode White_Space / categories
   Zs, Zl, Zp and \t\n\v\f\r\x85), control (Cc) and format (Cf) characters separate
   tokens and are dropped. A maximal run of letters, marks and numbers (categories L*,
   M*, N*) is one word token; every other code point (punctuation, symbols) is a token
   of its own.
2. Per token, K = 8 feature strings, in slot order:
     0 lower     the token lower-cased code point by code point (simple mapping;
                 a character whose lower case is not one code point is kept)
     1 shape     per code point: Lu -> 'X', Ll -> 'x', other letters -> 'l', marks
                 dropped, numbers -> 'd', anything else itself; a run of one
                 symbol is cut after 3 ("Müller" -> "Xxxx", "ACME" -> "XXX")
     2 prefix2   first 2 code points of lower
     3 prefix3   first 3
     4 suffix2   last 2 code points of lower
     5 suffix3   last 3
     6 suffix4   last 4
     7 cased     the token as written
3. Hash of slot s: FNV-1a 64 over the code points of the feature string (h ^= cp;
   h *= 0x100000001b3, from 0xcbf29ce484222325), then the value 0x130000 + s mixed in
   the same way, then the MurmurHash3 64-bit finaliser; id = first_id + h mod buckets.
4. Output: for each token its 8 ids in slot order; every id carries the token's
   byte offsets in the original text.
"""
import unicodedata

from hashed_ngrams import FNV_OFFSET, FNV_PRIME, M64, fmix64

K = 8
SLOT_TAG = 0x130000
SHAPE_RUN = 3


def is_sep(c):
    if c in "\t\n\v\f\r \x85\xa0":
        return True
    cat = unicodedata.category(c)
    return cat in ("Zs", "Zl", "Zp", "Cc", "Cf")


def is_word(c):
    return unicodedata.category(c)[0] in "LMN"


def tokens(text):
    """[(start, end)] in code point offsets."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if is_sep(c):
            i += 1
            continue
        if is_word(c):
            j = i + 1
            while j < n and is_word(text[j]):
                j += 1
            out.append((i, j))
            i = j
            continue
        out.append((i, i + 1))
        i += 1
    return out


def lower(s):
    out = []
    for c in s:
        l = c.lower()
        out.append(l if len(l) == 1 else c)
    return "".join(out)


def shape(s):
    out = []
    last, run = None, 0
    for c in s:
        cat = unicodedata.category(c)
        if cat == "Lu":
            x = "X"
        elif cat == "Ll":
            x = "x"
        elif cat[0] == "L":
            x = "l"
        elif cat[0] == "M":
            continue
        elif cat[0] == "N":
            x = "d"
        else:
            x = c
        if x == last:
            run += 1
            if run > SHAPE_RUN:
                continue
        else:
            last, run = x, 1
        out.append(x)
    return "".join(out)


def features(word):
    lw = lower(word)
    return [lw, shape(word), lw[:2], lw[:3], lw[-2:], lw[-3:], lw[-4:], word]


def hash_feature(s, slot, buckets, first_id):
    h = FNV_OFFSET
    for c in s:
        h = ((h ^ ord(c)) * FNV_PRIME) & M64
    h = ((h ^ (SLOT_TAG + slot)) * FNV_PRIME) & M64
    return first_id + fmix64(h) % buckets


def encode_tokens(text, toks, buckets, first_id, cache=None):
    """ids: list of K-lists, one per token."""
    out = []
    for s, e in toks:
        w = text[s:e]
        if cache is not None and w in cache:
            out.append(cache[w])
            continue
        ids = [hash_feature(f, k, buckets, first_id) for k, f in enumerate(features(w))]
        if cache is not None:
            cache[w] = ids
        out.append(ids)
    return out


def byte_offsets(text):
    """code point index -> byte offset (len+1 entries)."""
    out, b = [], 0
    for c in text:
        out.append(b)
        b += len(c.encode("utf-8"))
    out.append(b)
    return out
