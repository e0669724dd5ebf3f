#!/usr/bin/env node
// Builds compare.sh's markdown report from one run's output directory:
//   packages.jsonl            run.mjs --format json (one object per npm detector)
//   llmshield-MODE.eval.json  `llmshield eval --format json` for each mode
//   llmshield-MODE.scan.jsonl `llmshield scan --format json --jsonl DATASET` for each mode
//
// The scan lines give, per row, the verdict and the prompt_injection
// scanner's detection method; they are lined up with the dataset's non-blank
// rows to get the per-source breakdown and the method counts, and their
// confusion counts must equal eval's (the script fails otherwise, since then
// the two runs did not measure the same thing).
//
// Usage: node table.mjs --dataset FILE --dir OUTDIR [--positive INJECTION] [--modes heuristic_only,ml_only,hybrid,both]
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { add, metrics, readRows, sourceBreakdown } from "./lib.mjs";

function readJSONLines(path) {
  const out = [];
  const lines = readFileSync(path, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    try {
      out.push(JSON.parse(lines[i]));
    } catch (err) {
      throw new Error(`${path}: line ${i + 1}: ${err.message}`);
    }
  }
  return out;
}

function llmshieldRow(dir, mode, rows, positive) {
  const evalPath = join(dir, `llmshield-${mode}.eval.json`);
  const scanPath = join(dir, `llmshield-${mode}.scan.jsonl`);
  const ev = readJSONLines(evalPath);
  if (ev.length !== 1) throw new Error(`${evalPath}: want one JSON object, got ${ev.length}`);
  const m = ev[0];
  const scans = readJSONLines(scanPath);
  if (scans.length !== rows.length) {
    throw new Error(`${scanPath}: ${scans.length} results for ${rows.length} dataset rows`);
  }
  const all = { tp: 0, fp: 0, tn: 0, fn: 0 };
  const bySource = new Map();
  const methods = {};
  scans.forEach((s, i) => {
    if (s.error) throw new Error(`${scanPath}: row ${i + 1}: ${s.error}`);
    const pi = (s.scanners ?? []).find((x) => x.name === "prompt_injection");
    if (!pi) throw new Error(`${scanPath}: row ${i + 1}: no prompt_injection scanner result`);
    methods[pi.method] = (methods[pi.method] ?? 0) + 1;
    const pos = rows[i].label === positive;
    const pred = s.valid === false;
    add(all, pos, pred);
    if (!bySource.has(rows[i].source)) bySource.set(rows[i].source, { tp: 0, fp: 0, tn: 0, fn: 0 });
    add(bySource.get(rows[i].source), pos, pred);
  });
  for (const k of ["tp", "fp", "tn", "fn"]) {
    if (all[k] !== m[k]) {
      throw new Error(`llmshield ${mode}: eval says ${k}=${m[k]} but scan --jsonl gives ${all[k]} on the same file`);
    }
  }
  return { name: `llmshield ${mode}`, ...metrics(all), p50_ms: m.p50_ms, p99_ms: m.p99_ms, by_source: sourceBreakdown(bySource), methods };
}

const f3 = (v) => (v === null || v === undefined ? "-" : v.toFixed(3));

function main() {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string" },
      dir: { type: "string" },
      positive: { type: "string", default: "INJECTION" },
      modes: { type: "string", default: "heuristic_only,ml_only,hybrid,both" },
    },
    strict: true,
  });
  if (!values.dataset || !values.dir) throw new Error("--dataset and --dir are required");
  const rows = readRows(values.dataset);
  const results = [];
  for (const mode of values.modes.split(",").filter(Boolean)) {
    results.push(llmshieldRow(values.dir, mode, rows, values.positive));
  }
  const pkgPath = join(values.dir, "packages.jsonl");
  if (!existsSync(pkgPath)) throw new Error(`${pkgPath}: missing (run.mjs did not run?)`);
  for (const p of readJSONLines(pkgPath)) {
    if (p.n !== rows.length) throw new Error(`${pkgPath}: ${p.name} scored ${p.n} rows, dataset has ${rows.length}`);
    results.push(p);
  }

  console.log(`| detector | n | precision | recall | f1 | fpr | p50_ms | p99_ms | note |`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---|`);
  for (const r of results) {
    let note = "";
    if (r.methods) {
      note = "method: " + Object.entries(r.methods).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ");
    } else if (r.package) {
      note = r.package;
      if (r.flagged_for_length) note += `; ${r.flagged_for_length} row(s) flagged for length > 10000`;
    }
    console.log(
      `| ${r.name} | ${r.n} | ${f3(r.precision)} | ${f3(r.recall)} | ${f3(r.f1)} | ${f3(r.fpr)} | ${f3(r.p50_ms)} | ${f3(r.p99_ms)} | ${note} |`,
    );
  }

  // Per-source breakdown: recall on positive rows, FPR on negative rows.
  const sources = [...new Set(rows.map((r) => r.source))].sort();
  const counts = sources.map((s) => {
    const pos = rows.filter((r) => r.source === s && r.label === values.positive).length;
    return `${s || "-"} (${pos}+/${rows.filter((r) => r.source === s).length - pos}-)`;
  });
  console.log("");
  console.log(`Per source: recall on ${values.positive} rows / FPR on other rows ("-": none).`);
  console.log("");
  console.log(`| detector | ${counts.join(" | ")} |`);
  console.log(`|---|${sources.map(() => "---").join("|")}|`);
  for (const r of results) {
    const cells = sources.map((s) => {
      const g = r.by_source[s];
      return g ? `${f3(g.recall)} / ${f3(g.fpr)}` : "- / -";
    });
    console.log(`| ${r.name} | ${cells.join(" | ")} |`);
  }
}

try {
  main();
} catch (err) {
  console.error(`table.mjs: ${err.message}`);
  process.exit(2);
}
