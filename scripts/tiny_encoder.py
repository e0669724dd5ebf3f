"""The one-layer transformer encoder block of the tiny test models written by
scripts/gen-tiny-classifier.py and scripts/gen-tiny-pipelines.py, written out
by hand so that the exported graph only uses ops both ONNX Runtime and
onnx-gomlx implement (see gen-tiny-classifier.py)."""
import math

import torch


def encode(mod, input_ids, attention_mask, token_type_ids, dim, heads, with_types, cross_bias=None):
    """Embeds input_ids and runs one encoder layer of mod (its tok, pos,
    typ when with_types, ln0, q, k, v, o, ln1, ff1, ff2 and ln2); returns the
    hidden states [b, s, dim] and the attention mask as float32. cross_bias,
    when given, maps the token type ids to an extra additive attention bias
    [b, 1, s, s]."""
    b, s = input_ids.shape[0], input_ids.shape[1]
    x = mod.tok(input_ids) + mod.pos[:s].unsqueeze(0)
    if with_types:
        x = x + mod.typ(token_type_ids)
    x = mod.ln0(x)
    dh = dim // heads

    def split(t):
        return t.reshape(b, s, heads, dh).transpose(1, 2)

    q, k, v = split(mod.q(x)), split(mod.k(x)), split(mod.v(x))
    m = attention_mask.to(torch.float32)
    bias = (1.0 - m).unsqueeze(1).unsqueeze(2) * -10000.0
    if cross_bias is not None:
        bias = bias + cross_bias(token_type_ids)
    att = torch.softmax(torch.matmul(q, k.transpose(2, 3)) / math.sqrt(dh) + bias, dim=-1)
    ctx = torch.matmul(att, v).transpose(1, 2).reshape(b, s, dim)
    x = mod.ln1(x + mod.o(ctx))
    h = mod.ff1(x)
    h = 0.5 * h * (1.0 + torch.erf(h / math.sqrt(2.0)))
    return mod.ln2(x + mod.ff2(h)), m
