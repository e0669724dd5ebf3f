// Build and apply llmshield's shared BERT-style WordPiece tokenizer with the
// Hugging Face "tokenizers" npm package (Rust core), so training ids are exactly HF's.
//
//   node training/tokenizer.js train  <out tokenizer.json> <vocab size> <corpus.txt>
//   node training/tokenizer.js encode <tokenizer.json> <in.jsonl> <out.jsonl> <max length>
//
// train: HF's WordPiece trainer (the node binding exposes only its defaults:
// 30000 tokens, alphabet first, then merges in order) learns on corpus.txt
// (one text per line). We keep the special tokens [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3
// [MASK]=4 followed by the first (size-5) learned tokens in learned order, which
// is a valid WordPiece vocabulary because every merge's parts precede it.
// Lowercasing BertNormalizer (clean text, CJK spacing, strip accents),
// BertPreTokenizer, "[CLS] $A [SEP]" template, WordPiece decoder.
//
// encode: writes {"ids": [...]} per input row (same order), with [CLS]/[SEP]
// and truncation to <max length> tokens, no padding.
'use strict';
const fs = require('fs');
const path = require('path');
const tk = require(path.join(process.env.TOKENIZERS_NODE_MODULES || path.join(__dirname, 'work', 'node_modules'), 'tokenizers'));

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

function configure(tok, vocab) {
  tok.setNormalizer(tk.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: true }));
  tok.setPreTokenizer(tk.bertPreTokenizer());
  tok.setPostProcessor(tk.templateProcessing('[CLS] $A [SEP]', '[CLS] $A [SEP] $B:1 [SEP]:1',
    [['[CLS]', vocab['[CLS]']], ['[SEP]', vocab['[SEP]']]]));
  tok.setDecoder(tk.wordPieceDecoder('##', true));
}

function train(out, size, corpus) {
  const tmp = new tk.Tokenizer(tk.WordPiece.empty());
  tmp.setNormalizer(tk.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: true }));
  tmp.setPreTokenizer(tk.bertPreTokenizer());
  tmp.train([corpus]);
  const learned = Object.entries(tmp.getVocab(false)).sort((a, b) => a[1] - b[1]).map((e) => e[0]);
  const vocab = {};
  for (const s of SPECIALS) vocab[s] = Object.keys(vocab).length;
  for (const t of learned) {
    if (Object.keys(vocab).length >= size) break;
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  }
  const tok = new tk.Tokenizer(tk.WordPiece.init(vocab, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 }));
  configure(tok, vocab);
  tok.addSpecialTokens(SPECIALS);
  tok.save(out, true);
  console.log(`${out}: vocab ${tok.getVocabSize(true)} (learned ${learned.length})`);
}

async function encode(tokfile, input, output, maxLen) {
  const tok = tk.Tokenizer.fromFile(tokfile);
  tok.setTruncation(maxLen);
  tok.disablePadding();
  const lines = fs.readFileSync(input, 'utf8').split('\n').filter((l) => l.length);
  const fd = fs.openSync(output, 'w');
  const B = 256;
  for (let i = 0; i < lines.length; i += B) {
    const texts = lines.slice(i, i + B).map((l) => JSON.parse(l).text);
    const encs = await tok.encodeBatch(texts, { addSpecialTokens: true });
    fs.writeSync(fd, encs.map((e) => JSON.stringify({ ids: e.getIds() })).join('\n') + '\n');
  }
  fs.closeSync(fd);
  console.log(`${output}: ${lines.length} rows`);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'train' && args.length === 3) {
  train(args[0], parseInt(args[1], 10), args[2]);
} else if (cmd === 'encode' && args.length === 4) {
  encode(args[0], args[1], args[2], parseInt(args[3], 10)).catch((e) => { console.error(e); process.exit(1); });
} else {
  console.error('usage: tokenizer.js train <out> <size> <corpus.txt> | encode <tokenizer.json> <in.jsonl> <out.jsonl> <maxlen>');
  process.exit(2);
}
