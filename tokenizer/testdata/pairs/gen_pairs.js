// Reference sentence-pair encodings from Hugging Face tokenizers (npm
// tokenizers@0.23.2, the Rust core through napi), for pair_test.go.
// usage (from a scratch directory holding node_modules/tokenizers):
//   node gen_pairs.js <repo>/tokenizer/testdata/fixtures <shared/tokenizers dir> > pairs.jsonl
// Each variant is a tokenizer.json (fixtures/<dir> of this repository, or
// shared:<dir> of ../shared/tokenizers) with its post_processor replaced
// (null: as shipped); a {"define"} line precedes each variant's pairs and
// the Go test applies the same replacement. Pairs come from
// fixtures/sample.jsonl (texts of at most 200 bytes, picked by a fixed
// LCG), plus empty-text edge cases; max_length cycles through small values
// so that longest_first truncation is exercised.
const { Tokenizer } = require('tokenizers');
const fs = require('fs');
const path = require('path');
const [fixtures, shared] = process.argv.slice(2);
const variants = [
  { name: 'wordpiece-npm', base: 'wordpiece-npm', post: null },
  { name: 'bpe-roberta', base: 'bpe-roberta', post: null },
  { name: 'deberta-style', base: 'deberta-style', post: null },
  { name: 'unigram-hf', base: 'unigram-hf', post: null },
  { name: 'bert-template', base: 'shared:bert-base-uncased', post: null },
  { name: 'bert-bertprocessing', base: 'shared:bert-base-uncased', post: { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] } },
  { name: 'bert-deberta-template', base: 'shared:bert-base-uncased', post: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
    pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
    special_tokens: { '[CLS]': { id: '[CLS]', ids: [101], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [102], tokens: ['[SEP]'] } } } },
  { name: 'gpt2-bytelevel', base: 'shared:gpt2', post: null },
  { name: 'gpt2-roberta', base: 'shared:gpt2', post: { type: 'RobertaProcessing', sep: ['<|endoftext|>', 50256], cls: ['<|endoftext|>', 50256], trim_offsets: true, add_prefix_space: false } },
];
function cpToByte(text) {
  const m = [0]; let b = 0;
  for (const c of Array.from(text)) { const u = c.codePointAt(0); b += u < 0x80 ? 1 : u < 0x800 ? 2 : u < 0x10000 ? 3 : 4; m.push(b); }
  return m;
}
(async () => {
  const corpus = fs.readFileSync(path.join(fixtures, 'sample.jsonl'), 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l))
    .filter(t => Buffer.byteLength(t, 'utf8') <= 200);
  let seed = 20251130;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
  const pairs = [['', ''], ['', 'only the second text'], ['only the first text', '']];
  while (pairs.length < 50) pairs.push([corpus[next() % corpus.length], corpus[next() % corpus.length]]);
  const lengths = [0, 8, 12, 16, 24, 32, 64, 512]; // 0: no truncation
  for (const v of variants) {
    const j = JSON.parse(fs.readFileSync(v.base.startsWith('shared:') ? path.join(shared, v.base.slice(7), 'tokenizer.json') : path.join(fixtures, v.base, 'tokenizer.json'), 'utf8'));
    if (v.post) j.post_processor = v.post;
    j.truncation = null; j.padding = null;
    const tmp = path.join(require('os').tmpdir(), 'pair-' + v.name + '.json');
    fs.writeFileSync(tmp, JSON.stringify(j));
    process.stdout.write(JSON.stringify({ define: v.name, base: v.base, post_processor: v.post }) + '\n');
    const tok = Tokenizer.fromFile(tmp);
    tok.disablePadding();
    for (let i = 0; i < pairs.length; i++) {
      const [a, b] = pairs[i];
      const max = lengths[i % lengths.length];
      if (max === 0) tok.disableTruncation(); else tok.setTruncation(max, { strategy: 'LongestFirst' });
      let e;
      try { e = await tok.encode(a, b, { addSpecialTokens: true }); } catch (err) { continue; }
      const ma = cpToByte(a), mb = cpToByte(b);
      const seq = e.getSequenceIds ? e.getSequenceIds() : null;
      const offs = e.getOffsets().map(([s, en], k) => {
        const m = (seq && seq[k] === 1) ? mb : ma;
        return [m[s], m[en]];
      });
      process.stdout.write(JSON.stringify({ variant: v.name, a, b, max_length: max, ids: e.getIds(), type_ids: e.getTypeIds(),
        special: e.getSpecialTokensMask(), offsets: offs, sequence_ids: seq }) + '\n');
    }
  }
})();
