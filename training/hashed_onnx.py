#!/usr/bin/python3
"""ONNX graph of a linear model over hashed n-gram ids (training/hashed_ngrams.py).

For one row with ids x_1..x_S and mask m_1..m_S the graph computes

    a = sum_s m_s * T[x_s, 0]          (weighted feature sum; T[:,0] = weight * idf)
    q = sum_s m_s * T[x_s, 1]          (normaliser; T[:,1] = idf^2, or 1 = feature count)
    z = a / sqrt(q)
    logits = z * W + c                 (W, c: [1, num_labels]; for a binary model
                                        W = [-A/2, A/2], c = [-B/2, B/2], so that
                                        softmax(logits)[1] = sigmoid(A z + B))

with Gather (the per-bucket table), Cast, Unsqueeze, MatMul (masked sum: onnx-gomlx
has no ReduceSum), Reshape, Slice, Sqrt, Div, Add, Mul; the INT8 variant stores T as
int8 with one scale per column and dequantises the gathered rows (Gather on int8,
Cast, Mul): both ONNX Runtime and onnx-gomlx run every op. T[pad] must have a
positive normaliser (the pure-Go backend pads rows with the pad id and mask 1 on the
first position), and T[cls] = [0, 1] keeps q > 0 for an empty text.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def quantize_table(table):
    """Symmetric per-column int8 quantisation: (int8 table, float32 scales)."""
    t = np.asarray(table, np.float32)
    amax = np.abs(t).max(axis=0)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(t / scale), -127, 127).astype(np.int8)
    return q, scale


def gather(table, int8):
    """Initializers and nodes that look the rows of table up by input_ids
    into "g" (dequantised when int8)."""
    if int8:
        qt, scale = quantize_table(table)
        return ([numpy_helper.from_array(qt, "table_q"), numpy_helper.from_array(scale, "table_scale")], [
            helper.make_node("Gather", ["table_q", "input_ids"], ["gq"], axis=0),
            helper.make_node("Cast", ["gq"], ["gf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["gf", "table_scale"], ["g"]),
        ])
    return [numpy_helper.from_array(table, "table")], [helper.make_node("Gather", ["table", "input_ids"], ["g"], axis=0)]


def pool(width, lo, hi):
    """Nodes that sum "g" over the unmasked positions into [B, width] and
    divide columns [lo:hi] by the square root of the last column: "z"."""
    return [
        helper.make_node("Cast", ["attention_mask"], ["mf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mf", "axis1"], ["m3"]),          # [B,1,S]
        helper.make_node("MatMul", ["m3", "g"], ["sum3"]),                # [B,1,width]
        helper.make_node("Reshape", ["sum3", width], ["sum2"]),          # [B,width]
        helper.make_node("Slice", ["sum2"] + lo, ["a"]),
        helper.make_node("Slice", ["sum2"] + hi, ["q"]),                  # [B,1]
        helper.make_node("Sqrt", ["q"], ["sq"]),
        helper.make_node("Div", ["a", "sq"], ["z"]),
    ]


def model(nodes, inits, L, name, doc):
    """The checked ModelProto: input_ids and attention_mask in, logits [B, L] out."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", L])],
        initializer=inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="llmshield-training", doc_string=doc)
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def build(table, W, c, int8=False, name="llmshield-hashed-linear", doc=""):
    """ModelProto for table [V, 2] (float32), W and c [1, L]."""
    table = np.asarray(table, np.float32)
    W = np.asarray(W, np.float32).reshape(1, -1)
    c = np.asarray(c, np.float32).reshape(1, -1)
    assert table.ndim == 2 and table.shape[1] == 2
    L = W.shape[1]
    inits, nodes = gather(table, int8)
    inits += [
        numpy_helper.from_array(np.array([1], np.int64), "axis1"),
        numpy_helper.from_array(np.array([-1, 2], np.int64), "shape_b2"),
        numpy_helper.from_array(np.array([0], np.int64), "s0"),
        numpy_helper.from_array(np.array([1], np.int64), "s1"),
        numpy_helper.from_array(np.array([2], np.int64), "s2"),
        numpy_helper.from_array(W, "W"),
        numpy_helper.from_array(c, "c"),
    ]
    nodes += pool("shape_b2", ["s0", "s1", "s1"], ["s1", "s2", "s1"]) + [
        helper.make_node("MatMul", ["z", "W"], ["zw"]),                   # [B,L]
        helper.make_node("Add", ["zw", "c"], ["logits"]),
    ]
    return model(nodes, inits, L, name, doc)


def reference_logits(table, W, c, ids, mask, int8=False):
    """What the graph computes, in float64 numpy (ids, mask: [B, S] int)."""
    t = np.asarray(table, np.float32)
    if int8:
        qt, scale = quantize_table(t)
        t = qt.astype(np.float32) * scale
    t = t.astype(np.float64)
    ids = np.asarray(ids)
    mask = np.asarray(mask, np.float64)
    g = t[ids]                                   # [B,S,2]
    s = (mask[:, :, None] * g).sum(axis=1)       # [B,2]
    z = s[:, 0:1] / np.sqrt(s[:, 1:2])
    return z @ np.asarray(W, np.float64).reshape(1, -1) + np.asarray(c, np.float64).reshape(1, -1)
