// Check an exported model with ONNX Runtime (onnxruntime-node) before the Go side exists.
//
//   node training/verify_onnx.js <model dir> <reference.jsonl> [runs]
//
// reference.jsonl rows: {"text", "ids", "logits"} written by train.py (PyTorch logits).
// 1. Tokenises each text with the model dir's tokenizer.json (HF tokenizers npm)
//    and checks the ids equal the training ids.
// 2. Runs each row alone and all rows as one padded batch (attention_mask 0 on
//    padding) and checks logits against PyTorch (max abs diff <= 1e-3): this
//    proves padding is masked.
// 3. Latency: single-threaded session (intra/inter op threads = 1), one
//    128-token input, p50/p90 over [runs] runs after 20 warm-up runs.
// Module locations: ORT_NODE_MODULES (default /tmp/ortn/node_modules) and
// TOKENIZERS_NODE_MODULES (default training/work/node_modules).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(process.env.ORT_NODE_MODULES || '/tmp/ortn/node_modules', 'onnxruntime-node'));
const tk = require(path.join(process.env.TOKENIZERS_NODE_MODULES || path.join(__dirname, 'work', 'node_modules'), 'tokenizers'));

function tensor(rows, L) {
  const ids = new BigInt64Array(rows.length * L);
  const mask = new BigInt64Array(rows.length * L);
  rows.forEach((r, i) => r.forEach((id, j) => { ids[i * L + j] = BigInt(id); mask[i * L + j] = 1n; }));
  return { input_ids: new ort.Tensor('int64', ids, [rows.length, L]), attention_mask: new ort.Tensor('int64', mask, [rows.length, L]) };
}

(async () => {
  const [dir, refPath, runsArg] = process.argv.slice(2);
  const runs = parseInt(runsArg || '300', 10);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const tok = tk.Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
  tok.setTruncation(cfg.max_length);
  const ref = fs.readFileSync(refPath, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
  const sess = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  let maxDiff = 0; let idMismatch = 0;
  for (const r of ref) {
    const e = await tok.encode(r.text);
    if (JSON.stringify(e.getIds()) !== JSON.stringify(r.ids)) idMismatch++;
    const out = await sess.run(tensor([r.ids], r.ids.length));
    out.logits.data.forEach((v, j) => { maxDiff = Math.max(maxDiff, Math.abs(v - r.logits[j])); });
  }
  const L = Math.max(...ref.map((r) => r.ids.length));
  const outB = await sess.run(tensor(ref.map((r) => r.ids), L));
  const n = cfg.num_labels; let maxDiffBatch = 0;
  ref.forEach((r, i) => r.logits.forEach((v, j) => { maxDiffBatch = Math.max(maxDiffBatch, Math.abs(outB.logits.data[i * n + j] - v)); }));
  // latency: 128 tokens
  const ids = [2]; for (let i = 0; ids.length < 127; i++) ids.push(5 + ((i * 7919) % 9000)); ids.push(3);
  const feed = tensor([ids], 128);
  for (let i = 0; i < 20; i++) await sess.run(feed);
  const t = [];
  for (let i = 0; i < runs; i++) { const s = process.hrtime.bigint(); await sess.run(feed); t.push(Number(process.hrtime.bigint() - s) / 1e6); }
  t.sort((a, b) => a - b);
  const res = {
    rows: ref.length, tokenizer_id_mismatches: idMismatch, max_abs_logit_diff_single: maxDiff, max_abs_logit_diff_padded_batch: maxDiffBatch,
    latency_ms_128tok_1thread: { runtime: `onnxruntime-node ${require(path.join(process.env.ORT_NODE_MODULES || '/tmp/ortn/node_modules', 'onnxruntime-node', 'package.json')).version}`, runs, p50: +t[Math.floor(runs * 0.5)].toFixed(3), p90: +t[Math.floor(runs * 0.9)].toFixed(3) },
    ok: idMismatch === 0 && maxDiff <= 1e-3 && maxDiffBatch <= 1e-3,
  };
  console.log(JSON.stringify(res));
  process.exit(res.ok ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
