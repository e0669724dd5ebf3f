#!/usr/bin/python3
# Single-threaded throughput of libsentencepiece (Debian python3-sentencepiece)
# on a JSONL corpus of strings, one text at a time (ids only).
# usage: /usr/bin/python3 bench_spm.py MODEL CORPUS_JSONL [PASSES]
import json, sys, time
import sentencepiece as spm
model, corpus = sys.argv[1:3]
passes = int(sys.argv[3]) if len(sys.argv) > 3 else 5
texts = [json.loads(l) for l in open(corpus, encoding='utf-8') if l.strip()]
nbytes = sum(len(t.encode('utf-8')) for t in texts)
sp = spm.SentencePieceProcessor(model_file=model)
for t in texts:
    sp.encode(t, out_type=int)
best = float('inf')
for p in range(passes):
    t0 = time.perf_counter()
    for t in texts:
        sp.encode(t, out_type=int)
    dt = time.perf_counter() - t0
    best = min(best, dt)
    print(f"pass {p+1}: {nbytes/dt/1e6:.2f} MB/s")
print(f"{model}: {len(texts)} texts, {nbytes} bytes, best {nbytes/best/1e6:.2f} MB/s (ids only)")
