// Single-threaded throughput of Hugging Face tokenizers (npm "tokenizers",
// the Rust core) on a JSONL corpus of strings, one text at a time, without
// special tokens or truncation — the same work as BenchmarkEncode* in Go.
//
// usage (install outside the repo, never commit node_modules):
//   mkdir -p /tmp/tokbench && cd /tmp/tokbench && npm install tokenizers@0.23.2
//   NODE_PATH=/tmp/tokbench/node_modules RAYON_NUM_THREADS=1 \
//     node bench_hf.js TOKENIZER_JSON CORPUS_JSONL [PASSES] [single|batch]
// "single" (default) awaits encode() per text: this includes the napi/promise
// overhead of every call. "batch" passes the whole corpus to one
// encodeBatch() call; with RAYON_NUM_THREADS=1 and TOKENIZERS_PARALLELISM=false
// that is the Rust core's single-thread throughput. Both wall-clock and
// process-CPU MB/s are printed (CPU time > wall time means more than one
// thread was busy).
const { Tokenizer } = require('tokenizers');
const fs = require('fs');
const [tokfile, corpus, passesArg, modeArg] = process.argv.slice(2);
const mode = modeArg || 'single';
const passes = parseInt(passesArg || '5', 10);
const texts = fs.readFileSync(corpus, 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, 'utf8'), 0);
const tok = Tokenizer.fromFile(tokfile);
tok.disableTruncation(); tok.disablePadding();
async function run() {
  if (mode === 'batch') {
    await tok.encodeBatch(texts, { addSpecialTokens: false });
  } else {
    for (const t of texts) await tok.encode(t, null, { addSpecialTokens: false });
  }
}
(async () => {
  await run(); // warm-up
  let best = Infinity, bestCPU = Infinity;
  for (let p = 0; p < passes; p++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await run();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    best = Math.min(best, dt);
    bestCPU = Math.min(bestCPU, cpu);
    console.log(`pass ${p + 1}: ${(bytes / dt / 1e6).toFixed(2)} MB/s wall, ${(bytes / cpu / 1e6).toFixed(2)} MB/s per CPU-second`);
  }
  console.log(`${tokfile} [${mode}]: ${texts.length} texts, ${bytes} bytes, best ${(bytes / best / 1e6).toFixed(2)} MB/s wall, ${(bytes / bestCPU / 1e6).toFixed(2)} MB/s per CPU-second`);
})();
