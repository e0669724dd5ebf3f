// Trains the small WordPiece fixture and writes HF reference encodings for
// both fixtures (see make_fixtures.sh).
'use strict';
const tk = require('tokenizers');
const fs = require('fs');
const [S, D] = process.argv.slice(2);
function cpToByte(text) {
  const m = [0]; let b = 0;
  for (const c of Array.from(text)) { const u = c.codePointAt(0); b += u < 0x80 ? 1 : u < 0x800 ? 2 : u < 0x10000 ? 3 : 4; m.push(b); }
  return m;
}
function trainWordPiece(out) {
  const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const tmp = new tk.Tokenizer(tk.WordPiece.empty());
  tmp.setNormalizer(tk.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: true }));
  tmp.setPreTokenizer(tk.bertPreTokenizer());
  tmp.train([`${S}/corpus.txt`]);
  const learned = Object.entries(tmp.getVocab(false)).sort((a, b) => a[1] - b[1]).map((e) => e[0]);
  const vocab = {};
  for (const s of SPECIALS) vocab[s] = Object.keys(vocab).length;
  for (const t of learned) {
    if (Object.keys(vocab).length >= 2000) break;
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  }
  const tok = new tk.Tokenizer(tk.WordPiece.init(vocab, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 }));
  tok.setNormalizer(tk.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: true }));
  tok.setPreTokenizer(tk.bertPreTokenizer());
  tok.setPostProcessor(tk.templateProcessing('[CLS] $A [SEP]', '[CLS] $A [SEP] $B:1 [SEP]:1',
    [['[CLS]', vocab['[CLS]']], ['[SEP]', vocab['[SEP]']]]));
  tok.setDecoder(tk.wordPieceDecoder('##', true));
  tok.addSpecialTokens(SPECIALS);
  tok.save(out, false);
}
async function reference(tokfile, dir, texts) {
  const a = tk.Tokenizer.fromFile(tokfile); a.disableTruncation(); a.disablePadding();
  const b = tk.Tokenizer.fromFile(tokfile); b.setTruncation(64); b.disablePadding();
  const fa = fs.openSync(`${dir}/reference.jsonl`, 'w'), fb = fs.openSync(`${dir}/reference_special.jsonl`, 'w');
  for (const t of texts) {
    const m = cpToByte(t);
    for (const [tok, fd, sp] of [[a, fa, false], [b, fb, true]]) {
      const e = await tok.encode(t, null, { addSpecialTokens: sp });
      fs.writeSync(fd, JSON.stringify({ ids: e.getIds(), offsets: e.getOffsets().map(([s, en]) => [m[s], m[en]]) }) + '\n');
    }
  }
  fs.closeSync(fa); fs.closeSync(fb);
}
(async () => {
  trainWordPiece(`${D}/wordpiece-npm/tokenizer.json`);
  const wp = JSON.parse(fs.readFileSync(`${D}/wordpiece-npm/tokenizer.json`, 'utf8'));
  wp.normalizer = { type: 'Sequence', normalizers: [
    { type: 'NFKC' }, { type: 'Lowercase' }, { type: 'Replace', pattern: { Regex: '\\s{2,}' }, content: ' ' },
    { type: 'Replace', pattern: { String: 'ß' }, content: 'ss' }, { type: 'StripAccents' }] };
  wp.pre_tokenizer = { type: 'Sequence', pretokenizers: [
    { type: 'WhitespaceSplit' },
    { type: 'Split', pattern: { Regex: '[0-9]+' }, behavior: 'Isolated', invert: false },
    { type: 'Split', pattern: { String: '-' }, behavior: 'MergedWithPrevious', invert: false },
    { type: 'Split', pattern: { String: '/' }, behavior: 'MergedWithNext', invert: false },
    { type: 'Split', pattern: { String: '.' }, behavior: 'Contiguous', invert: false },
    { type: 'Split', pattern: { Regex: '[,;:]' }, behavior: 'Removed', invert: false },
    { type: 'Punctuation', behavior: 'Isolated' }] };
  fs.mkdirSync(`${D}/split-mix`, { recursive: true });
  fs.writeFileSync(`${D}/split-mix/tokenizer.json`, JSON.stringify(wp));
  const texts = fs.readFileSync(`${D}/sample.jsonl`, 'utf8').split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
  await reference(`${D}/wordpiece-npm/tokenizer.json`, `${D}/wordpiece-npm`, texts);
  await reference(`${D}/unigram-hf/tokenizer.json`, `${D}/unigram-hf`, texts);
  await reference(`${D}/bpe-roberta/tokenizer.json`, `${D}/bpe-roberta`, texts);
  await reference(`${D}/deberta-style/tokenizer.json`, `${D}/deberta-style`, texts);
  await reference(`${D}/split-mix/tokenizer.json`, `${D}/split-mix`, texts);
  await reference(`${D}/unigram-bytefallback/tokenizer.json`, `${D}/unigram-bytefallback`, texts);
  console.log('fixtures written for', texts.length, 'texts');
})().catch((e) => { console.error(e); process.exit(1); });
