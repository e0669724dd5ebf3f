#!/usr/bin/env node
// Markdown table of speed.sh's runs.jsonl: per tool the median p50 and p99
// over the repeats, and each p50 as a ratio to the first llmshield row and
// to vard's. Usage: node speedtable.mjs runs.jsonl
import { readFileSync } from "node:fs";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const runs = readFileSync(process.argv[2], "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l));
if (runs.length === 0) throw new Error("no runs");
const byName = new Map();
for (const r of runs) {
  if (!byName.has(r.name)) byName.set(r.name, []);
  byName.get(r.name).push(r);
}
const rows = [...byName].map(([name, rs]) => ({
  name,
  pkg: rs[0].package ?? "",
  n: rs[0].n,
  repeats: rs.length,
  p50: median(rs.map((r) => r.p50_us)),
  p99: median(rs.map((r) => r.p99_us)),
  flagged: rs[rs.length - 1].flagged,
  methods: rs[rs.length - 1].methods,
}));
const vard = rows.find((r) => r.name === "vard");
const f1 = (v) => v.toFixed(1);
console.log("| tool | prompts | p50 µs | p99 µs | p50 ÷ vard's p50 | flagged |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of rows) {
  const label = r.pkg ? `${r.name} (${r.pkg})` : r.name;
  const ratio = vard ? (r.p50 / vard.p50).toFixed(2) + "×" : "-";
  console.log(`| ${label} | ${r.n} | ${f1(r.p50)} | ${f1(r.p99)} | ${ratio} | ${r.flagged} |`);
}
for (const r of rows) {
  if (!r.methods) continue;
  const fallback = Object.entries(r.methods).filter(([k]) => k.includes("fallback"));
  if (fallback.length) console.log(`\nnote: ${r.name} fell back to rules: ${fallback.map(([k, v]) => `${k} ${v}`).join(", ")}`);
}
