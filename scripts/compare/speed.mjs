#!/usr/bin/env node
// Per-prompt latency of npm prompt-injection detectors, measured the way
// `llmshield bench --prompts` measures llmshield: every row of the JSONL file
// once untimed (JIT warm-up, lazy model loading), then --rounds timed passes,
// one call after another in one process; p50/p99 over all timed calls with
// eval's rule (the ceil(q*n)-th smallest). Prints one JSON object per
// detector with the keys of `llmshield bench --prompts --format json`.
//
// Usage:
//   node speed.mjs --dataset F.jsonl --modules DIR [--rounds 3] [--detector vard|llm_guardrail]...
// DIR is an npm prefix (DIR/node_modules/<package>) holding the packages at
// the versions of package.json; speed.sh installs them in a temporary one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import { percentile, readRows } from "./lib.mjs";

const PINNED = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")).dependencies;

// importPinned loads pkg's ESM entry point from DIR/node_modules after
// checking its version against package.json.
async function importPinned(dir, pkg) {
  const root = join(dir, "node_modules", pkg);
  let meta;
  try {
    meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  } catch (err) {
    throw new Error(`${pkg} is not installed under ${dir}: ${err.message}`);
  }
  if (meta.version !== PINNED[pkg]) {
    throw new Error(`${pkg}: installed ${meta.version}, package.json pins ${PINNED[pkg]}`);
  }
  const exp = meta.exports?.["."];
  const entry = (typeof exp === "string" ? exp : exp?.import ?? exp?.default) ?? meta.module ?? meta.main ?? "index.js";
  return import(pathToFileURL(join(root, entry)).href);
}

const DETECTORS = {
  // Rule-only: vard.safe(text), the moderate preset; positive = !safe.
  vard: async (dir) => {
    const vard = (await importPinned(dir, "@andersmyrmel/vard")).default;
    return { pkg: "@andersmyrmel/vard", call: (t) => !vard.safe(t).safe, async: false };
  },
  // TF-IDF + logistic regression: await checkInjection(text); positive = detected.
  llm_guardrail: async (dir) => {
    const g = await importPinned(dir, "llm_guardrail");
    return { pkg: "llm_guardrail", call: async (t) => (await g.checkInjection(t)).detected === true, async: true };
  },
};

async function measure(name, det, texts, rounds) {
  for (const t of texts) {
    if (det.async) await det.call(t);
    else det.call(t);
  }
  const lat = [];
  let flagged = 0;
  let total = 0;
  for (let r = 0; r < rounds; r++) {
    flagged = 0;
    for (const t of texts) {
      const t0 = process.hrtime.bigint();
      const pos = det.async ? await det.call(t) : det.call(t);
      const us = Number(process.hrtime.bigint() - t0) / 1e3;
      lat.push(us);
      total += us;
      if (pos) flagged++;
    }
  }
  lat.sort((a, b) => a - b);
  const round3 = (v) => Math.round(v * 1000) / 1000;
  return {
    name,
    package: `${det.pkg}@${PINNED[det.pkg]}`,
    n: texts.length,
    rounds,
    p50_us: round3(percentile(lat, 0.5)),
    p99_us: round3(percentile(lat, 0.99)),
    mean_us: round3(total / lat.length),
    flagged,
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string" },
      modules: { type: "string" },
      rounds: { type: "string", default: "3" },
      detector: { type: "string", multiple: true },
    },
    strict: true,
  });
  if (!values.dataset) throw new Error("--dataset is required");
  if (!values.modules) throw new Error("--modules is required");
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: want a positive integer, got ${values.rounds}`);
  const names = values.detector ?? ["vard"];
  for (const n of names) {
    if (!(n in DETECTORS)) throw new Error(`--detector: unknown ${JSON.stringify(n)} (want one of ${Object.keys(DETECTORS).join(", ")})`);
  }
  const texts = readRows(values.dataset).map((r) => r.text);
  for (const n of names) {
    const det = await DETECTORS[n](values.modules);
    console.log(JSON.stringify(await measure(n, det, texts, rounds)));
  }
}

main().catch((err) => {
  console.error(`speed.mjs: ${err.message}`);
  process.exit(2);
});
