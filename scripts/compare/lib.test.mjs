// Tests for the harness's shared helpers: node --test scripts/compare/
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { add, metrics, percentile, readRows, sourceBreakdown } from "./lib.mjs";

const dir = mkdtempSync(join(tmpdir(), "compare-lib-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name, body) {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

test("readRows keeps text, label and source and skips blank lines", () => {
  const p = file("ok.jsonl", '{"text":"a","label":"SAFE","source":"s1"}\n\n  \n{"text":"b","label":"INJECTION"}\n');
  assert.deepEqual(readRows(p), [
    { text: "a", label: "SAFE", source: "s1" },
    { text: "b", label: "INJECTION", source: "" },
  ]);
});

test("readRows rejects bad input with the line number", () => {
  const cases = [
    ["bad-json.jsonl", '{"text":"a","label":"SAFE"}\n{"text":\n', /line 2:/],
    ["no-label.jsonl", '{"text":"a"}\n', /line 1: missing "label"/],
    ["text-not-string.jsonl", '{"text":3,"label":"SAFE"}\n', /line 1: "text" must be a string/],
    ["array.jsonl", "[1,2]\n", /line 1: want a JSON object/],
    ["empty.jsonl", "\n\n", /no rows/],
  ];
  for (const [name, body, want] of cases) {
    assert.throws(() => readRows(file(name, body)), want, name);
  }
  assert.throws(() => readRows(join(dir, "missing.jsonl")), /ENOENT/);
});

test("metrics follow llmshield eval's definitions", () => {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const [pos, pred] of [[true, true], [true, true], [true, false], [false, true], [false, false], [false, false], [false, false]]) {
    add(c, pos, pred);
  }
  assert.deepEqual(c, { tp: 2, fp: 1, tn: 3, fn: 1 });
  const m = metrics(c);
  assert.equal(m.n, 7);
  assert.equal(m.precision, 2 / 3);
  assert.equal(m.recall, 2 / 3);
  assert.ok(Math.abs(m.f1 - 2 / 3) < 1e-12);
  assert.equal(m.fpr, 1 / 4);
  assert.equal(m.accuracy, 5 / 7);
  // No positives predicted and none present: zeros, not NaN.
  assert.deepEqual(metrics({ tp: 0, fp: 0, tn: 2, fn: 0 }), {
    n: 2, tp: 0, fp: 0, tn: 2, fn: 0, precision: 0, recall: 0, f1: 0, fpr: 0, accuracy: 1,
  });
});

test("percentile is the ceil(q*n)-th smallest value", () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(xs, 0.5), 5);
  assert.equal(percentile(xs, 0.99), 10);
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
  assert.equal(percentile([7], 0.5), 7);
  assert.equal(percentile([], 0.5), 0);
});

test("sourceBreakdown gives recall on positives and FPR on negatives", () => {
  const m = new Map([
    ["b", { tp: 0, fp: 1, tn: 3, fn: 0 }],
    ["a", { tp: 3, fp: 0, tn: 0, fn: 1 }],
  ]);
  const got = sourceBreakdown(m);
  assert.deepEqual(Object.keys(got), ["a", "b"]);
  assert.deepEqual(got.a, { n: 4, pos: 4, neg: 0, tp: 3, fp: 0, recall: 0.75, fpr: null });
  assert.deepEqual(got.b, { n: 4, pos: 0, neg: 4, tp: 0, fp: 1, recall: null, fpr: 0.25 });
});
