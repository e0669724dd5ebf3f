#!/usr/bin/env node
// Runs third-party npm prompt-injection detectors on a labelled JSONL dataset
// ({"text","label","source"} per line) and prints, per detector, the same
// metric keys as `llmshield eval --format json` plus a per-source breakdown.
//
// Usage:
//   node run.mjs --dataset FILE [--positive INJECTION] [--detector NAME]... [--format text|json]
//
// Detectors (each with its package's documented defaults):
//   vard                      @andersmyrmel/vard  vard.safe(text)  (moderate preset, threshold 0.7,
//                             maxLength 10000); positive = result.safe === false
//   llm_guardrail             llm_guardrail       await checkInjection(text)  (model threshold 0.5);
//                             positive = result.detected
//   llm_guardrail_checkall    llm_guardrail       await checkAll(text)  (injection + jailbreak +
//                             malicious models, the README's "recommended" call); positive = !result.allowed
//
// Latency: wall time of one call (including awaiting the promise), texts run
// one after another in one process, after one untimed warm-up call per
// detector (llm_guardrail loads its model JSON on first use). Percentiles use
// the same rule as `llmshield eval`: the ceil(q*n)-th smallest value.
// A detector that throws on a row fails the whole run (as `llmshield eval`
// does on a scanner error): metrics over partly failed scans would mislead.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { add, metrics, percentile, readRows, sourceBreakdown } from "./lib.mjs";

// Exact versions this harness was written against (package.json pins them).
const PINNED = { "@andersmyrmel/vard": "1.2.0", llm_guardrail: "2.1.2" };

function installedVersion(pkg) {
  // Neither package exports ./package.json, so read it from node_modules directly.
  const dir = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
  try {
    return JSON.parse(readFileSync(dir, "utf8")).version;
  } catch (err) {
    throw new Error(`${pkg} is not installed next to run.mjs (run: npm ci --ignore-scripts): ${err.message}`);
  }
}

async function loadDetectors() {
  for (const [pkg, want] of Object.entries(PINNED)) {
    const got = installedVersion(pkg);
    if (got !== want) {
      throw new Error(`${pkg}: installed ${got}, harness pinned to ${want} (run: npm ci --ignore-scripts)`);
    }
  }
  const vardMod = await import("@andersmyrmel/vard");
  const guard = await import("llm_guardrail");
  const vard = vardMod.default;
  return {
    vard: {
      pkg: "@andersmyrmel/vard",
      // Synchronous; safeParse returns {safe:false, threats} instead of throwing.
      classify: (text) => {
        const r = vard.safe(text);
        if (r.safe) return { positive: false };
        const overLength = r.threats.some((t) => /^Input exceeds \d+ characters$/.test(t.match));
        return { positive: true, overLength };
      },
      async: false,
    },
    llm_guardrail: {
      pkg: "llm_guardrail",
      classify: async (text) => ({ positive: (await guard.checkInjection(text)).detected === true }),
      async: true,
    },
    llm_guardrail_checkall: {
      pkg: "llm_guardrail",
      classify: async (text) => ({ positive: (await guard.checkAll(text)).allowed === false }),
      async: true,
    },
  };
}

async function evaluate(name, det, rows, positiveLabel) {
  // Untimed warm-up: llm_guardrail parses its model JSON on the first call.
  await det.classify("warm-up text");
  const all = { tp: 0, fp: 0, tn: 0, fn: 0 };
  const bySource = new Map();
  const lat = new Array(rows.length);
  let overLength = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    let res;
    const t0 = process.hrtime.bigint();
    try {
      res = det.async ? await det.classify(row.text) : det.classify(row.text);
    } catch (err) {
      throw new Error(`${name}: row ${i + 1} (source ${row.source || "-"}): ${err.message}`);
    }
    lat[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.overLength) overLength++;
    const pos = row.label === positiveLabel;
    add(all, pos, res.positive);
    if (!bySource.has(row.source)) bySource.set(row.source, { tp: 0, fp: 0, tn: 0, fn: 0 });
    add(bySource.get(row.source), pos, res.positive);
  }
  lat.sort((a, b) => a - b);
  const out = {
    name,
    package: `${det.pkg}@${PINNED[det.pkg]}`,
    ...metrics(all),
    p50_ms: Math.round(percentile(lat, 0.5) * 1000) / 1000,
    p99_ms: Math.round(percentile(lat, 0.99) * 1000) / 1000,
  };
  out.by_source = sourceBreakdown(bySource);
  if (name === "vard") out.flagged_for_length = overLength;
  return out;
}

const f4 = (v) => (v === null ? "-" : v.toFixed(4));

function printText(r) {
  console.log(`== ${r.name} (${r.package})`);
  console.log(`n ${r.n}  tp ${r.tp}  fp ${r.fp}  tn ${r.tn}  fn ${r.fn}`);
  console.log(
    `precision ${f4(r.precision)}  recall ${f4(r.recall)}  f1 ${f4(r.f1)}  fpr ${f4(r.fpr)}  accuracy ${f4(r.accuracy)}`,
  );
  console.log(`latency p50 ${r.p50_ms.toFixed(3)} ms  p99 ${r.p99_ms.toFixed(3)} ms`);
  if (r.flagged_for_length !== undefined) {
    console.log(`rows flagged only because they exceed vard's default maxLength (10000 UTF-16 units): ${r.flagged_for_length}`);
  }
  console.log(`${"source".padEnd(24)} ${"n".padStart(6)} ${"pos".padStart(6)} ${"neg".padStart(6)} ${"recall".padStart(8)} ${"fpr".padStart(8)}`);
  for (const [src, g] of Object.entries(r.by_source)) {
    console.log(
      `${(src || "-").padEnd(24)} ${String(g.n).padStart(6)} ${String(g.pos).padStart(6)} ${String(g.neg).padStart(6)} ${f4(g.recall).padStart(8)} ${f4(g.fpr).padStart(8)}`,
    );
  }
  console.log("");
}

async function main() {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string" },
      positive: { type: "string", default: "INJECTION" },
      detector: { type: "string", multiple: true },
      format: { type: "string", default: "text" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log("usage: node run.mjs --dataset FILE [--positive INJECTION] [--detector vard|llm_guardrail|llm_guardrail_checkall]... [--format text|json]");
    return;
  }
  if (!values.dataset) throw new Error("--dataset is required");
  if (values.format !== "text" && values.format !== "json") {
    throw new Error(`--format: want text or json, got ${JSON.stringify(values.format)}`);
  }
  const detectors = await loadDetectors();
  const names = values.detector ?? ["vard", "llm_guardrail", "llm_guardrail_checkall"];
  for (const n of names) {
    if (!(n in detectors)) throw new Error(`--detector: unknown ${JSON.stringify(n)} (want one of ${Object.keys(detectors).join(", ")})`);
  }
  const rows = readRows(values.dataset);
  for (const n of names) {
    const r = await evaluate(n, detectors[n], rows, values.positive);
    if (values.format === "json") console.log(JSON.stringify(r));
    else printText(r);
  }
}

main().catch((err) => {
  console.error(`run.mjs: ${err.message}`);
  process.exit(2);
});
