// Shared helpers for the comparison harness: dataset reading and the metric
// definitions of `llmshield eval` (internal/cli/eval.go).
import { readFileSync } from "node:fs";

export function readRows(path) {
  let data;
  try {
    data = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`${path}: ${err.message}`);
  }
  const rows = [];
  const lines = data.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let r;
    try {
      r = JSON.parse(line);
    } catch (err) {
      throw new Error(`${path}: line ${i + 1}: ${err.message}`);
    }
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new Error(`${path}: line ${i + 1}: want a JSON object`);
    }
    if (typeof r.text !== "string") throw new Error(`${path}: line ${i + 1}: "text" must be a string`);
    if (typeof r.label !== "string" || r.label === "") throw new Error(`${path}: line ${i + 1}: missing "label"`);
    rows.push({ text: r.text, label: r.label, source: typeof r.source === "string" ? r.source : "" });
  }
  if (rows.length === 0) throw new Error(`${path}: no rows`);
  return rows;
}

const safeDiv = (a, b) => (b === 0 ? 0 : a / b);

export function metrics(c) {
  const p = safeDiv(c.tp, c.tp + c.fp);
  const r = safeDiv(c.tp, c.tp + c.fn);
  return {
    n: c.tp + c.fp + c.tn + c.fn,
    tp: c.tp,
    fp: c.fp,
    tn: c.tn,
    fn: c.fn,
    precision: p,
    recall: r,
    f1: safeDiv(2 * p * r, p + r),
    fpr: safeDiv(c.fp, c.fp + c.tn),
    accuracy: safeDiv(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn),
  };
}

// percentile matches internal/cli/eval.go: over latencies sorted ascending,
// the ceil(q*n)-th value.
export function percentile(sortedMs, q) {
  if (sortedMs.length === 0) return 0;
  const i = Math.ceil(q * sortedMs.length) - 1;
  return sortedMs[Math.max(0, Math.min(i, sortedMs.length - 1))];
}

export function add(c, positive, predicted) {
  if (positive && predicted) c.tp++;
  else if (positive) c.fn++;
  else if (predicted) c.fp++;
  else c.tn++;
}

// sourceBreakdown turns a Map source -> {tp,fp,tn,fn} into the per-source
// object printed by run.mjs and table.mjs: recall on positive rows, FPR on
// negative rows (null where the source has none).
export function sourceBreakdown(bySource) {
  const out = {};
  for (const src of [...bySource.keys()].sort()) {
    const c = bySource.get(src);
    const pos = c.tp + c.fn;
    const neg = c.tn + c.fp;
    out[src] = { n: pos + neg, pos, neg, tp: c.tp, fp: c.fp, recall: pos === 0 ? null : c.tp / pos, fpr: neg === 0 ? null : c.fp / neg };
  }
  return out;
}
