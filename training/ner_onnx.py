#!/usr/bin/python3
"""ONNX graph of the hashed-word-feature token classifier (training/ner_train.py).

Input ids are K ids per word (tokenizer model HashedWordFeatures, K = 8), so a row of
S = W*K ids holds W words. For one batch:

    E  = Gather(table, input_ids)                          [B, S, D]
    X  = reshape(E, [B, W, K*D])
    m  = attention_mask of each word's first id            [B, W, 1]
    H1 = relu(X W1 + b1) * m                               [B, W, H]
    H2 = relu(window(H1) W2 + b2) * m                      window: the word and its
    H3 = relu(window(H2) W3 + b3) * m                      2 neighbours each side,
    Z  = H3 Wo + bo                                        concatenated (zero padded)
    logits = Z repeated for each of the word's K ids        [B, S, L]

so the model gives HF-style per-input-token logits and every id of a word carries
its word's labels. Ops: Reshape, Gather, Cast, Slice, MatMul, Add, Relu, Mul,
Concat, Unsqueeze, Expand (opset 13), all run by ONNX Runtime and onnx-gomlx. The
INT8 variant stores the table as int8 with one scale per column (Gather, Cast, Mul).
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from hashed_onnx import quantize_table

OPSET = 13
WINDOW = 2
BIG = 1 << 62


def build(w, K, int8=False, name="llmshield-ner", doc=""):
    """w: dict of numpy arrays table [V,D], W1 [K*D,H], b1, W2 [5H,H], b2, W3, b3, Wo [H,L], bo."""
    table = np.asarray(w["table"], np.float32)
    D = table.shape[1]
    L = w["Wo"].shape[1]
    f = lambda a: np.asarray(a, np.float32)
    inits = [numpy_helper.from_array(f(w[k]), k) for k in ("W1", "b1", "W2", "b2", "W3", "b3", "Wo", "bo")]
    inits += [
        numpy_helper.from_array(np.array([0, -1, K], np.int64), "shape_bwk"),
        numpy_helper.from_array(np.array([0, -1, K * D], np.int64), "shape_bwkd"),
        numpy_helper.from_array(np.array([0, -1, L], np.int64), "shape_bsl"),
        numpy_helper.from_array(np.array([0], np.int64), "i0"),
        numpy_helper.from_array(np.array([1], np.int64), "i1"),
        numpy_helper.from_array(np.array([2], np.int64), "i2"),
        numpy_helper.from_array(np.array([1, 1, K, 1], np.int64), "expand_k"),
        numpy_helper.from_array(np.array(0, np.float32), "zero"),
    ]
    nodes = []
    if int8:
        q, scale = quantize_table(table)
        inits += [numpy_helper.from_array(q, "table_q"), numpy_helper.from_array(scale, "table_scale")]
        nodes += [helper.make_node("Gather", ["table_q", "input_ids"], ["eq"], axis=0),
                  helper.make_node("Cast", ["eq"], ["ef"], to=TensorProto.FLOAT),
                  helper.make_node("Mul", ["ef", "table_scale"], ["E"])]
    else:
        inits.append(numpy_helper.from_array(table, "table"))
        nodes.append(helper.make_node("Gather", ["table", "input_ids"], ["E"], axis=0))
    nodes += [
        helper.make_node("Reshape", ["E", "shape_bwkd"], ["X"]),
        helper.make_node("Reshape", ["attention_mask", "shape_bwk"], ["mask3"]),
        helper.make_node("Slice", ["mask3", "i0", "i1", "i2"], ["mask1"]),
        helper.make_node("Cast", ["mask1"], ["m"], to=TensorProto.FLOAT),
        helper.make_node("MatMul", ["X", "W1"], ["x1"]),
        helper.make_node("Add", ["x1", "b1"], ["x1b"]),
        helper.make_node("Relu", ["x1b"], ["x1r"]),
        helper.make_node("Mul", ["x1r", "m"], ["H1"]),
    ]
    for layer, (src, Wn, bn, dst) in enumerate((("H1", "W2", "b2", "H2"), ("H2", "W3", "b3", "H3"))):
        p = f"l{layer}_"
        # zero padding of WINDOW words each side (SimpleGo has no Pad): a
        # [B, 1, H] zero block from the first word times 0, concatenated
        nodes += [helper.make_node("Slice", [src, "i0", "i1", "i1"], [p + "first"]),
                  helper.make_node("Mul", [p + "first", "zero"], [p + "z"]),
                  helper.make_node("Concat", [p + "z"] * WINDOW + [src] + [p + "z"] * WINDOW, [p + "pad"], axis=1)]
        parts = []
        for k in range(2 * WINDOW + 1):
            end = k - 2 * WINDOW
            inits += [numpy_helper.from_array(np.array([k], np.int64), f"{p}s{k}"),
                      numpy_helper.from_array(np.array([end if end < 0 else BIG], np.int64), f"{p}e{k}")]
            nodes.append(helper.make_node("Slice", [p + "pad", f"{p}s{k}", f"{p}e{k}", "i1"], [f"{p}sh{k}"]))
            parts.append(f"{p}sh{k}")
        nodes += [
            helper.make_node("Concat", parts, [p + "cat"], axis=2),
            helper.make_node("MatMul", [p + "cat", Wn], [p + "mm"]),
            helper.make_node("Add", [p + "mm", bn], [p + "add"]),
            helper.make_node("Relu", [p + "add"], [p + "relu"]),
            helper.make_node("Mul", [p + "relu", "m"], [dst]),
        ]
    nodes += [
        helper.make_node("MatMul", ["H3", "Wo"], ["zo"]),
        helper.make_node("Add", ["zo", "bo"], ["Z"]),
        helper.make_node("Unsqueeze", ["Z", "i2"], ["Z4"]),
        helper.make_node("Expand", ["Z4", "expand_k"], ["Zk"]),
        helper.make_node("Reshape", ["Zk", "shape_bsl"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence", L])],
        inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="llmshield-training")
    m.ir_version = 7
    m.doc_string = doc
    onnx.checker.check_model(m)
    return m


def reference_forward(w, ids, mask, K, int8=False):
    """numpy forward pass of the graph (for reference files and checks)."""
    table = np.asarray(w["table"], np.float32)
    if int8:
        q, s = quantize_table(table)
        table = q.astype(np.float32) * s
    B, S = ids.shape
    W = S // K
    E = table[ids.reshape(B, W, K)].reshape(B, W, -1)
    m = mask.reshape(B, W, K)[:, :, :1].astype(np.float32)
    relu = lambda a: np.maximum(a, 0)
    H = relu(E @ w["W1"] + w["b1"]) * m
    for Wn, bn in (("W2", "b2"), ("W3", "b3")):
        P = np.pad(H, ((0, 0), (WINDOW, WINDOW), (0, 0)))
        C = np.concatenate([P[:, k:k + W] for k in range(2 * WINDOW + 1)], axis=2)
        H = relu(C @ w[Wn] + w[bn]) * m
    Z = H @ w["Wo"] + w["bo"]
    return np.repeat(Z, K, axis=1).astype(np.float32)
