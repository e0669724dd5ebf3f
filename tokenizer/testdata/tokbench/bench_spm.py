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
best = bestcpu = float('inf')
for p in range(passes):
    t0, c0 = time.perf_counter(), time.process_time()
    for t in texts:
        sp.encode(t, out_type=int)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    best, bestcpu = min(best, dt), min(bestcpu, cpu)
    print(f"pass {p+1}: {nbytes/dt/1e6:.2f} MB/s wall, {nbytes/cpu/1e6:.2f} MB/s per CPU-second")
print(f"{model}: {len(texts)} texts, {nbytes} bytes, best {nbytes/best/1e6:.2f} MB/s wall, "
      f"{nbytes/bestcpu/1e6:.2f} MB/s per CPU-second (ids only)")
