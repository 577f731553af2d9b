"""GraphDef / NodeDef / AttrValue / TensorProto wire format, import_graph_def, write_graph and the
hardening of the C++ GraphDef decoder."""
from __future__ import annotations

import json
import os
import pickle
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import graphrt as tf
from graphrt import _core
from graphrt.framework import ops as ops_lib
from graphrt.framework import protobuf
from graphrt.framework.graph_def import (GRAPH_DEF_VERSION, AttrValue, GraphDef, NameAttrList, NodeDef,
                                         TensorProto, TensorShapeProto, VersionDef)

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(tf.__file__)))


# ---- raw wire helpers (independent of graphrt's encoder) --------------------------------------

def varint(v: int) -> bytes:
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def ld(field: int, payload: bytes) -> bytes:
    """A length-delimited field."""
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def vi(field: int, value: int) -> bytes:
    """A varint field."""
    return varint(field << 3) + varint(value)


# ---- graphs used below ------------------------------------------------------------------------

def rich_node_def() -> NodeDef:
    """A NodeDef with every attr kind (built with the message API and with attr_value)."""
    nd = NodeDef(name="rich", op="NoOp", input=["x", "x:1", "^ctrl"], device="/device:CPU:0")
    nd.attr["s"].s = b"hello\x00\xff world"
    nd.attr["i"].i = -5
    nd.attr["i_big"].i = 2 ** 62 + 3
    nd.attr["i_min"].i = -(2 ** 63)
    nd.attr["f"].f = 1.5
    nd.attr["f_neg"].f = -0.25
    nd.attr["b"].b = True
    nd.attr["b_false"].b = False
    nd.attr["i_zero"].i = 0
    nd.attr["type"].type = tf.int64.as_datatype_enum
    nd.attr["shape"].shape.dim.add(size=-1)
    nd.attr["shape"].shape.dim.add(size=3)
    nd.attr["shape"].shape.dim.add(size=0)
    nd.attr["shape_unknown"].shape.unknown_rank = True
    nd.attr["shape_scalar"].CopyFrom(ops_lib.attr_value(tf.TensorShape([])))
    nd.attr["tensor"].tensor.CopyFrom(tf.make_tensor_proto(np.array([[1.5, -2.5, 3.0]], np.float32)))
    nd.attr["tensor_str"].tensor.CopyFrom(tf.make_tensor_proto([b"a", b"", b"xyz"]))
    nd.attr["tensor_i64"].tensor.CopyFrom(tf.make_tensor_proto(np.array([-1, 2 ** 40], np.int64)))
    nd.attr["list_s"].CopyFrom(ops_lib.attr_value([b"a", b"", "c\u00e9"]))
    nd.attr["list_i"].CopyFrom(ops_lib.attr_value([1, -2, 2 ** 40]))
    nd.attr["list_f"].CopyFrom(ops_lib.attr_value([0.5, -1.25]))
    nd.attr["list_b"].CopyFrom(ops_lib.attr_value([True, False, True]))
    nd.attr["list_type"].CopyFrom(ops_lib.attr_value([tf.float32, tf.string, tf.uint16]))
    nd.attr["list_shape"].CopyFrom(ops_lib.attr_value([tf.TensorShape([1, None]), tf.TensorShape(None),
                                                       tf.TensorShape([])]))
    nd.attr["list_tensor"].CopyFrom(ops_lib.attr_value([tf.make_tensor_proto(np.int32(7)),
                                                        tf.make_tensor_proto([True, False])]))
    nd.attr["list_empty"].CopyFrom(ops_lib.attr_value([]))
    return nd


def check_rich_node_def(nd: NodeDef) -> None:
    assert nd.name == "rich" and nd.op == "NoOp"
    assert list(nd.input) == ["x", "x:1", "^ctrl"]
    assert nd.device == "/device:CPU:0"
    a = nd.attr
    assert a["s"].WhichOneof("value") == "s" and a["s"].s == b"hello\x00\xff world"
    assert a["i"].i == -5 and a["i_big"].i == 2 ** 62 + 3 and a["i_min"].i == -(2 ** 63)
    assert a["i_zero"].WhichOneof("value") == "i" and a["i_zero"].i == 0
    assert a["f"].f == 1.5 and a["f_neg"].f == -0.25
    assert a["b"].b is True
    assert a["b_false"].WhichOneof("value") == "b" and a["b_false"].b is False
    assert a["type"].WhichOneof("value") == "type" and a["type"].type == 9
    assert [d.size for d in a["shape"].shape.dim] == [-1, 3, 0]
    assert not a["shape"].shape.unknown_rank
    assert a["shape_unknown"].shape.unknown_rank and len(a["shape_unknown"].shape.dim) == 0
    assert a["shape_scalar"].WhichOneof("value") == "shape"
    assert len(a["shape_scalar"].shape.dim) == 0 and not a["shape_scalar"].shape.unknown_rank
    t = tf.make_ndarray(a["tensor"].tensor)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t, [[1.5, -2.5, 3.0]])
    assert list(tf.make_ndarray(a["tensor_str"].tensor)) == [b"a", b"", b"xyz"]
    np.testing.assert_array_equal(tf.make_ndarray(a["tensor_i64"].tensor), np.array([-1, 2 ** 40], np.int64))
    assert list(a["list_s"].list.s) == [b"a", b"", "c\u00e9".encode()]
    assert list(a["list_i"].list.i) == [1, -2, 2 ** 40]
    assert list(a["list_f"].list.f) == [0.5, -1.25]
    assert list(a["list_b"].list.b) == [True, False, True]
    assert list(a["list_type"].list.type) == [1, 7, 17]
    shapes = a["list_shape"].list.shape
    assert [d.size for d in shapes[0].dim] == [1, -1]
    assert shapes[1].unknown_rank
    assert len(shapes[2].dim) == 0 and not shapes[2].unknown_rank
    assert len(shapes) == 3
    tensors = a["list_tensor"].list.tensor
    assert tf.make_ndarray(tensors[0]) == 7 and tf.make_ndarray(tensors[0]).dtype == np.int32
    np.testing.assert_array_equal(tf.make_ndarray(tensors[1]), [True, False])
    assert a["list_empty"].WhichOneof("value") == "list"
    assert ops_lib.attr_to_python(a["list_empty"]) == []


def build_api_graph() -> tf.Graph:
    """A graph built through the public API, touching many attr kinds and dtypes."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, shape=[None, 3], name="x")
        u = tf.placeholder(tf.int32, name="u")  # unknown rank
        ctrl = tf.constant(0, name="ctrl")
        w = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4), name="w")
        with tf.device("/cpu:0"), tf.control_dependencies([ctrl]):
            m = tf.matmul(x, w, transpose_a=False, name="m")
        with tf.name_scope("scope"):
            s = m[:, 1:3]
            r = tf.reshape(s, [-1])
            _ = r * 2.0 + 1.0
            _ = tf.zeros([2, 2], dtype=tf.int64)
            _ = tf.ones([3], dtype=tf.float64)
            _ = tf.fill([2], True)
            _ = tf.constant(["a", "bc"], name="strs")
            _ = tf.constant(np.array([1, 2], np.int16), name="i16")
            _ = tf.constant(np.array([1.5], np.float16), name="f16")
            _ = tf.constant(np.array([[255, 0]], np.uint8), name="u8")
            _ = tf.cast(u, tf.float32) // 2.0
            _ = tf.shape(x, out_type=tf.int64)
            _ = tf.placeholder_with_default(tf.constant([1.0, 2.0]), shape=[None], name="pwd")
    return g


def graph_with_rich_node() -> GraphDef:
    gd = build_api_graph().as_graph_def()
    gd.node.add().CopyFrom(rich_node_def())
    return gd


# ---- Python message roundtrip -----------------------------------------------------------------

def test_node_def_roundtrip_every_attr_kind():
    nd = rich_node_def()
    check_rich_node_def(nd)
    data = nd.SerializeToString()
    back = NodeDef.FromString(data)
    check_rich_node_def(back)
    assert back.SerializeToString() == data
    assert back == nd
    other = NodeDef()
    assert other.ParseFromString(data) == len(data)
    check_rich_node_def(other)
    # Through a GraphDef too.
    gd = GraphDef()
    gd.node.add().CopyFrom(nd)
    gd2 = GraphDef.FromString(gd.SerializeToString())
    assert len(gd2.node) == 1
    check_rich_node_def(gd2.node[0])


def test_graph_def_roundtrip_preserves_versions_and_library():
    gd = GraphDef()
    gd.node.add(name="a", op="NoOp")
    gd.versions.producer = 27
    gd.versions.min_consumer = 12
    fn = gd.library.function.add()
    fn.signature.name = "f"
    fn.signature.input_arg.add(name="x", type=1)
    fn.signature.output_arg.add(name="y", type=1)
    fn.node_def.add(name="n", op="Identity", input=["x"])
    fn.ret["y"] = "n:0"
    back = GraphDef.FromString(gd.SerializeToString())
    assert back.versions.producer == 27 and back.versions.min_consumer == 12
    assert back.library == gd.library
    assert back.library.function[0].ret == {"y": "n:0"}
    assert back.library.function[0].signature.input_arg[0].name == "x"
    assert _core.reencode_graph_def(gd.SerializeToString()) == gd.SerializeToString()
    assert [n.name for n in back.node] == ["a"]


def test_tensor_proto_roundtrip_each_dtype():
    values = [
        np.array([1.5, -2.0], np.float16), np.array([[1.5, -2.0, 3.25]], np.float32),
        np.array([1e300, -1e-300], np.float64), np.array([-128, 127], np.int8),
        np.array([-32768, 5], np.int16), np.array([-(2 ** 31), 2 ** 31 - 1], np.int32),
        np.array([-(2 ** 63), 2 ** 63 - 1], np.int64), np.array([0, 255], np.uint8),
        np.array([0, 65535], np.uint16), np.array([True, False]), np.array([], np.float32),
        np.full((2, 3), 4.0, np.float32), np.float32(2.5),
    ]
    for v in values:
        proto = tf.make_tensor_proto(v)
        back = TensorProto.FromString(proto.SerializeToString())
        out = tf.make_ndarray(back)
        assert out.dtype == np.asarray(v).dtype, v
        assert out.shape == np.asarray(v).shape, v
        np.testing.assert_array_equal(out, v)


# ---- wire-format facts (field numbers from TF's .proto files) --------------------------------

def test_node_def_field_numbers():
    assert NodeDef(name="a").SerializeToString() == b"\n\x01a"
    assert NodeDef(name="a", op="Const").SerializeToString() == b"\n\x01a\x12\x05Const"
    nd = NodeDef(name="a", op="Add", input=["x", "^c"], device="/cpu:0")
    assert nd.SerializeToString() == b"\n\x01a\x12\x03Add\x1a\x01x\x1a\x02^c\x22\x06/cpu:0"
    nd = NodeDef(name="a")
    nd.attr["T"].type = 1
    # attr is field 5: a map entry {key=1: "T", value=2: AttrValue{type=6: 1}}.
    assert nd.SerializeToString() == b"\n\x01a" + b"\x2a\x07" + b"\n\x01T" + b"\x12\x02" + b"\x30\x01"
    # Map entries are written sorted by key.
    nd2 = NodeDef(name="a")
    nd2.attr["b"].i = 1
    nd2.attr["a"].i = 2
    assert nd2.SerializeToString() == b"\n\x01a" + ld(5, ld(1, b"a") + ld(2, vi(3, 2))) + ld(5, ld(1, b"b") + ld(2, vi(3, 1)))


def test_graph_def_field_numbers():
    gd = GraphDef()
    gd.node.add(name="a")
    assert gd.SerializeToString() == b"\n\x03\n\x01a"
    gd = GraphDef()
    gd.versions.producer = 27
    assert gd.SerializeToString() == b"\x22\x02\x08\x1b"
    gd.versions.min_consumer = 3
    assert gd.SerializeToString() == b"\x22\x04\x08\x1b\x10\x03"
    parsed = GraphDef.FromString(ld(1, ld(1, b"n1") + ld(2, b"NoOp")) + ld(4, vi(1, 5) + vi(2, 1)) + vi(3, 9))
    assert [n.name for n in parsed.node] == ["n1"] and parsed.node[0].op == "NoOp"
    assert parsed.versions.producer == 5 and parsed.versions.min_consumer == 1
    assert parsed.version == 9  # deprecated field 3


def test_attr_value_field_numbers():
    assert AttrValue(s=b"hi").SerializeToString() == b"\x12\x02hi"
    assert AttrValue(i=5).SerializeToString() == b"\x18\x05"
    assert AttrValue(i=-1).SerializeToString() == b"\x18" + b"\xff" * 9 + b"\x01"  # int64: 10-byte varint
    assert AttrValue(f=1.0).SerializeToString() == b"\x25" + struct.pack("<f", 1.0)
    assert AttrValue(b=True).SerializeToString() == b"\x28\x01"
    # A oneof member is written even when it holds the default value.
    assert AttrValue(b=False).SerializeToString() == b"\x28\x00"
    assert AttrValue(i=0).SerializeToString() == b"\x18\x00"
    assert AttrValue(type=1).SerializeToString() == b"\x30\x01"
    # list (field 1): repeated numerics are packed.
    assert ops_lib.attr_value([1, 2, 3]).SerializeToString() == b"\x0a\x05\x1a\x03\x01\x02\x03"
    assert ops_lib.attr_value([b"a", b"b"]).SerializeToString() == b"\x0a\x06\x12\x01a\x12\x01b"
    assert ops_lib.attr_value([tf.float32, tf.int32]).SerializeToString() == b"\x0a\x04\x32\x02\x01\x03"
    assert ops_lib.attr_value([]).SerializeToString() == b"\x0a\x00"
    # Setting one oneof member clears the other.
    a = AttrValue(i=3)
    a.f = 2.0
    assert a.WhichOneof("value") == "f"
    assert a.SerializeToString() == b"\x25" + struct.pack("<f", 2.0)


def test_shape_and_tensor_field_numbers():
    s = TensorShapeProto()
    s.dim.add(size=-1)
    s.dim.add(size=3)
    assert s.SerializeToString() == b"\x12\x0b\x08" + b"\xff" * 9 + b"\x01" + b"\x12\x02\x08\x03"
    assert TensorShapeProto(unknown_rank=True).SerializeToString() == b"\x18\x01"
    t = TensorProto(dtype=1)
    t.float_val.extend([1.0, 2.0])
    assert t.SerializeToString() == b"\x08\x01" + b"\x2a\x08" + struct.pack("<2f", 1.0, 2.0)
    t = TensorProto(dtype=7)
    t.string_val.extend([b"ab", b""])
    assert t.SerializeToString() == b"\x08\x07\x42\x02ab\x42\x00"
    t = TensorProto(dtype=9)
    t.int64_val.append(-1)
    assert t.SerializeToString() == b"\x08\x09\x52\x0a" + b"\xff" * 9 + b"\x01"
    t = TensorProto(dtype=1, tensor_content=b"\x00\x00\x80\x3f")
    assert t.SerializeToString() == b"\x08\x01\x22\x04\x00\x00\x80\x3f"


def test_parse_accepts_unpacked_repeated_and_skips_unknown_fields():
    lst = AttrValue.ListValue.FromString(vi(3, 1) + vi(3, 2) + ld(3, b"\x03\x04") + vi(3, 5))
    assert list(lst.i) == [1, 2, 3, 4, 5]
    lst = AttrValue.ListValue.FromString(b"\x25" + struct.pack("<f", 0.5) + ld(4, struct.pack("<f", 1.5)))
    assert list(lst.f) == [0.5, 1.5]
    data = ld(1, b"a") + vi(15, 123) + ld(99, b"junk") + b"\x69" + b"\x00" * 8 + b"\x75\x00\x00\x00\x00" + ld(2, b"Op")
    nd = NodeDef.FromString(data)
    assert nd.name == "a" and nd.op == "Op"
    assert nd.SerializeToString() == b"\n\x01a\x12\x02Op"
    # Last value wins for a singular field.
    assert NodeDef.FromString(ld(1, b"a") + ld(1, b"b")).name == "b"


def test_python_decode_errors_are_decode_error():
    assert issubclass(protobuf.DecodeError, ValueError)
    valid = graph_with_rich_node().SerializeToString()
    n_bad = 0
    for k in range(1, len(valid), 7):
        try:
            GraphDef.FromString(valid[:k])
        except protobuf.DecodeError:
            n_bad += 1
    assert n_bad > 0
    for bad in [b"\x0a\x05ab", b"\x0a", b"\x0f", b"\x08", b"\x00", b"\x0a\x80", b"\x22\x02\x08",
                b"\x0a" + b"\xff" * 11, ld(1, ld(1, b"\xff\xfe")), ld(1, b"\x0a\x05ab"), b"\x09\x00\x00"]:
        with pytest.raises(protobuf.DecodeError):
            GraphDef.FromString(bad)
    with pytest.raises(ValueError):
        GraphDef.FromString(valid[:-1])


def test_python_decoder_bounds_nesting_depth():
    deep = nested_func_attr_graph(1000)
    with pytest.raises(protobuf.DecodeError):
        GraphDef.FromString(deep)
    shallow = GraphDef.FromString(nested_func_attr_graph(5))
    f = shallow.node[0].attr["f"]
    for _ in range(5):
        assert f.WhichOneof("value") == "func"
        f = f.func.attr["k"]
    assert f.WhichOneof("value") is None


def nested_func_attr_graph(depth: int) -> bytes:
    """A GraphDef whose node has an attr nested ``depth`` levels through AttrValue.func ->
    NameAttrList.attr -> AttrValue ..."""
    av = b""
    for _ in range(depth):
        av = ld(10, ld(2, ld(1, b"k") + ld(2, av)))
    node = ld(1, b"n") + ld(2, b"NoOp") + ld(5, ld(1, b"f") + ld(2, av))
    return ld(1, node)


# ---- as_graph_def / sess.graph_def ------------------------------------------------------------

def test_as_graph_def_contains_every_op_with_inputs():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, shape=[2], name="x")
        ctrl = tf.constant(1.0, name="ctrl")
        with tf.control_dependencies([ctrl]):
            y = tf.identity(x, name="y")
        z = tf.add(x, y, name="z")
    gd = g.as_graph_def()
    nodes = {n.name: n for n in gd.node}
    assert [n.name for n in gd.node] == [op.name for op in g.get_operations()]
    assert list(nodes["y"].input) == ["x", "^ctrl"]
    assert list(nodes["z"].input) == ["x", "y"]
    assert nodes["x"].op == "Placeholder" and nodes["z"].op == "Add"
    assert nodes["x"].attr["dtype"].type == tf.float32.as_datatype_enum
    assert [d.size for d in nodes["x"].attr["shape"].shape.dim] == [2]
    assert gd.versions.producer == GRAPH_DEF_VERSION
    assert gd.SerializeToString()[-1:] != b""  # non-empty

    with tf.Session(graph=g) as sess:
        sgd = sess.graph_def
        assert [n.name for n in sgd.node] == [n.name for n in gd.node]
        assert sgd == gd
        np.testing.assert_array_equal(sess.run(z, {x: [1.0, 2.0]}), [2.0, 4.0])
        # The C++ runtime holds the same nodes.
        cgd = GraphDef.FromString(sess._c.graph_def())
        assert {n.name: list(n.input) for n in cgd.node} == {n.name: list(n.input) for n in gd.node}
        assert {n.name: n.op for n in cgd.node} == {n.name: n.op for n in gd.node}

    # from_version: only the ops added later.
    with g.as_default():
        tf.identity(z, name="later")
    tail = g.as_graph_def(from_version=len(gd.node))
    assert [n.name for n in tail.node] == ["later"]
    assert list(tail.node[0].input) == ["z"]


def test_as_graph_def_add_shapes():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, shape=[None, 3], name="x")
        tf.identity(x, name="y")
    gd = g.as_graph_def(add_shapes=True)
    shapes = {n.name: n.attr["_output_shapes"].list.shape for n in gd.node}
    assert [d.size for d in shapes["y"][0].dim] == [-1, 3]


def test_graph_def_with_output_index_input_roundtrips():
    gd = GraphDef()
    gd.node.add(name="x", op="Placeholder")
    gd.node.add(name="y", op="Identity", input=["x:1", "x", "x:0", "^x"])
    data = gd.SerializeToString()
    back = GraphDef.FromString(data)
    assert list(back.node[1].input) == ["x:1", "x", "x:0", "^x"]
    out = _core.reencode_graph_def(data)
    assert list(GraphDef.FromString(out).node[1].input) == ["x:1", "x", "x:0", "^x"]


# ---- Python bytes <-> C++ codec ---------------------------------------------------------------

def test_cpp_reencodes_api_graphs_identically():
    g = build_api_graph()
    data = g.as_graph_def().SerializeToString()
    assert _core.reencode_graph_def(data) == data
    rich = graph_with_rich_node().SerializeToString()
    out = _core.reencode_graph_def(rich)
    assert out == rich
    check_rich_node_def(GraphDef.FromString(out).node[-1])
    shapes = g.as_graph_def(add_shapes=True).SerializeToString()
    assert _core.reencode_graph_def(shapes) == shapes
    for n in range(1, 6):
        nested = GraphDef.FromString(nested_func_attr_graph(n))
        nested.versions.producer = 1
        b = nested.SerializeToString()
        assert _core.reencode_graph_def(b) == b


def test_cpp_decodes_unpacked_repeated_and_skips_unknown_fields():
    lst = vi(3, 1) + vi(3, 2) + ld(3, b"\x03")  # unpacked and packed list.i
    node = ld(1, b"n") + ld(2, b"NoOp") + vi(15, 7) + ld(5, ld(1, b"a") + ld(2, ld(1, lst))) + ld(77, b"zz")
    data = ld(1, node) + ld(4, vi(1, 3)) + vi(9, 1)
    out = _core.reencode_graph_def(data)
    gd = GraphDef.FromString(out)
    assert list(gd.node[0].attr["a"].list.i) == [1, 2, 3]
    assert gd.versions.producer == 3
    expected = GraphDef()
    nd = expected.node.add(name="n", op="NoOp")
    nd.attr["a"].CopyFrom(ops_lib.attr_value([1, 2, 3]))
    expected.versions.producer = 3
    assert out == expected.SerializeToString()


def test_empty_graph_def():
    assert GraphDef.FromString(b"").node == []
    out = _core.reencode_graph_def(b"")
    assert isinstance(out, bytes)
    assert len(GraphDef.FromString(out).node) == 0


# ---- import_graph_def -------------------------------------------------------------------------

def source_graph_def() -> GraphDef:
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, shape=[3], name="x")
        c = tf.constant([1.0, 2.0, 3.0], name="c")
        ctrl = tf.constant(0.0, name="ctrl")
        m = x * 2.0  # created outside the block, so the Add itself carries the control edge
        with tf.control_dependencies([ctrl]):
            tf.add(m, c, name="y")
    return g.as_graph_def()


def test_import_graph_def_default_prefix_and_run():
    gd = source_graph_def()
    g = tf.Graph()
    with g.as_default():
        assert tf.import_graph_def(gd) is None
        names = [op.name for op in g.get_operations()]
        assert sorted(names) == sorted("import/" + n.name for n in gd.node)
        y = g.get_tensor_by_name("import/y:0")
        assert y.dtype == tf.float32
        assert y.shape.as_list() == [3]
        assert g.get_operation_by_name("import/ctrl") in y.op.control_inputs
        assert y.op.inputs[0].op.type == "Mul"
        assert y.op.inputs[1] is g.get_tensor_by_name("import/c:0")
        assert "^import/ctrl" in list(y.op.node_def.input)
        with tf.Session(graph=g) as sess:
            out = sess.run(y, {"import/x:0": [1.0, 2.0, 3.0]})
        np.testing.assert_allclose(out, [3.0, 6.0, 9.0])
        # A second import gets a fresh scope.
        tf.import_graph_def(gd)
        assert g.get_operation_by_name("import_1/y").type == "Add"


def test_import_graph_def_name_empty_and_custom():
    gd = source_graph_def()
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
        assert sorted(op.name for op in g.get_operations()) == sorted(n.name for n in gd.node)
        tf.import_graph_def(gd, name="foo")
        assert g.get_operation_by_name("foo/y").type == "Add"
        assert g.get_tensor_by_name("foo/x:0").op.type == "Placeholder"
        with tf.Session(graph=g) as sess:
            a, b = sess.run(["y:0", "foo/y:0"], {"x:0": [0.0, 0.0, 0.0], "foo/x:0": [1.0, 1.0, 1.0]})
        np.testing.assert_allclose(a, [1.0, 2.0, 3.0])
        np.testing.assert_allclose(b, [3.0, 4.0, 5.0])


@pytest.mark.parametrize("key", ["x", "x:0"])
def test_import_graph_def_input_map_and_return_elements(key):
    gd = source_graph_def()
    g = tf.Graph()
    with g.as_default():
        replacement = tf.constant([10.0, 20.0, 30.0], name="replacement")
        y, y_op, x_op = tf.import_graph_def(gd, input_map={key: replacement},
                                            return_elements=["y:0", "y", "x"])
        assert isinstance(y, tf.Tensor) and y.name == "import/y:0"
        assert isinstance(y_op, tf.Operation) and y_op is y.op
        assert isinstance(x_op, tf.Operation) and x_op.name == "import/x"
        mul = y.op.inputs[0].op
        assert mul.type == "Mul"
        assert mul.inputs[0] is replacement
        assert g.get_operation_by_name("import/x").outputs[0].consumers() == []
        with tf.Session(graph=g) as sess:
            np.testing.assert_allclose(sess.run(y), [21.0, 42.0, 63.0])  # no feed needed


def test_import_graph_def_errors():
    gd = source_graph_def()
    g = tf.Graph()
    with g.as_default():
        c = tf.constant([1.0, 2.0, 3.0])
        with pytest.raises(ValueError):
            tf.import_graph_def(gd, input_map={"nope:0": c})
        with pytest.raises(ValueError):
            tf.import_graph_def(gd, return_elements=["nope:0"], name="r")

    bad_op = GraphDef()
    bad_op.node.add(name="a", op="NoSuchOpType")
    g2 = tf.Graph()
    with g2.as_default():
        with pytest.raises(tf.errors.NotFoundError):
            tf.import_graph_def(bad_op)
        assert g2.get_operations() == []

    cycle = GraphDef()
    a = cycle.node.add(name="a", op="Identity", input=["b"])
    a.attr["T"].type = 1
    b = cycle.node.add(name="b", op="Identity", input=["a"])
    b.attr["T"].type = 1
    with g2.as_default():
        with pytest.raises(ValueError):
            tf.import_graph_def(cycle)
        assert g2.get_operations() == []

    missing = GraphDef()
    m = missing.node.add(name="m", op="Identity", input=["ghost"])
    m.attr["T"].type = 1
    with g2.as_default():
        with pytest.raises(ValueError):
            tf.import_graph_def(missing)

    # 'x:1' names an output that a one-output node does not have.
    src = source_graph_def()
    bad_index = GraphDef()
    for n in src.node:
        if n.name == "x":
            bad_index.node.add().CopyFrom(n)
    i = bad_index.node.add(name="i", op="Identity", input=["x:1"])
    i.attr["T"].type = 1
    with g2.as_default():
        with pytest.raises(ValueError):
            tf.import_graph_def(bad_index, name="bi")
    with pytest.raises(TypeError):
        tf.import_graph_def("not a graph def")


def test_import_graph_def_from_bytes():
    gd = source_graph_def()
    g = tf.Graph()
    with g.as_default():
        (y,) = tf.import_graph_def(gd.SerializeToString(), return_elements=["y:0"], name="b")
        assert y.name == "b/y:0"
        with tf.Session(graph=g) as sess:
            np.testing.assert_allclose(sess.run(y, {"b/x:0": [0.5, 0.5, 0.5]}), [2.0, 3.0, 4.0])


def test_import_roundtrip_of_api_graph_runs_identically():
    g = build_api_graph()
    gd = g.as_graph_def()
    g2 = tf.Graph()
    with g2.as_default():
        tf.import_graph_def(gd, name="")
    assert g2.as_graph_def().SerializeToString() == gd.SerializeToString()
    feed = {"x:0": np.arange(6, dtype=np.float32).reshape(2, 3), "u:0": np.array([3, -3], np.int32)}
    fetches = [op.outputs[0].name for op in g.get_operations() if op.outputs and op.type != "Placeholder"]
    with tf.Session(graph=g) as s1, tf.Session(graph=g2) as s2:
        v1 = s1.run(fetches, feed)
        v2 = s2.run(fetches, feed)
    for name, a, b in zip(fetches, v1, v2):
        np.testing.assert_array_equal(a, b, err_msg=name)
    x = feed["x:0"]
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(v1[fetches.index("m:0")], x @ w)


# ---- write_graph ------------------------------------------------------------------------------

def test_write_graph_binary_and_text(tmp_path):
    g = build_api_graph()
    gd = g.as_graph_def()
    path = tf.train.write_graph(g, str(tmp_path / "out"), "g.pb", as_text=False)
    assert path == os.path.join(str(tmp_path / "out"), "g.pb")
    with open(path, "rb") as f:
        data = f.read()
    assert data == gd.SerializeToString()
    assert GraphDef.FromString(data) == gd
    assert not os.path.exists(path + ".tmp")

    path_txt = tf.train.write_graph(gd, str(tmp_path), "g.pbtxt")  # as_text defaults to True
    with open(path_txt) as f:
        text = f.read()
    assert "node {" in text
    assert 'name: "x"' in text
    assert 'name: "scope/strs"' in text
    assert 'op: "MatMul"' in text
    assert 'input: "^ctrl"' in text
    assert text.count("node {") == len(gd.node)
    assert "versions {" in text and f"producer: {GRAPH_DEF_VERSION}" in text
    with pytest.raises(TypeError):
        tf.train.write_graph(42, str(tmp_path), "bad.pb")


# ---- C++ decoder hardening (run in a child process, so a crash is reported, not fatal) -------

CHILD = textwrap.dedent("""
    import json, pickle, sys
    import graphrt as tf
    from graphrt import _core
    from graphrt.framework.graph_def import GraphDef, DecodeError
    inputs = pickle.load(open(sys.argv[1], "rb"))
    check_python = sys.argv[2] == "1"
    results = []
    for data in inputs:
        try:
            out = _core.reencode_graph_def(data)
        except tf.errors.InvalidArgumentError:
            status = "invalid"
        except BaseException as e:
            status = "other:" + type(e).__name__ + ":" + str(e)[:200]
        else:
            if not isinstance(out, bytes):
                status = "other:returned " + type(out).__name__
            else:
                try:
                    again = _core.reencode_graph_def(out)
                except BaseException as e:
                    status = "unstable:re-decoding the output failed: " + type(e).__name__
                else:
                    status = "ok" if again == out else "unstable:output is not a fixed point"
        if not check_python:
            results.append([status, "skipped"])
            continue
        try:
            GraphDef.FromString(data)
            py = "ok"
        except DecodeError:
            py = "invalid"
        except BaseException as e:
            py = "other:" + type(e).__name__ + ":" + str(e)[:200]
        results.append([status, py])
    json.dump(results, sys.stdout)
""")


def run_decoder_child(inputs, tmp_path, check_python=True):
    path = tmp_path / "inputs.pkl"
    with open(path, "wb") as f:
        pickle.dump(list(inputs), f)
    env = dict(os.environ)
    env["PYTHONPATH"] = PYTHON_DIR + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", CHILD, str(path),
                           "1" if check_python else "0"], capture_output=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, (f"decoder child died with return code {proc.returncode}\n"
                                  f"{proc.stderr.decode(errors='replace')[-3000:]}")
    return json.loads(proc.stdout)


def assert_only_bytes_or_invalid(inputs, results):
    bad = [(i, inputs[i][:40], r[0]) for i, r in enumerate(results) if r[0] not in ("ok", "invalid")]
    assert not bad, f"{len(bad)} inputs gave something other than bytes or InvalidArgumentError: {bad[:5]}"
    py_bad = [(i, inputs[i][:40], r[1]) for i, r in enumerate(results) if r[1] not in ("ok", "invalid", "skipped")]
    assert not py_bad, f"Python decoder raised something other than DecodeError: {py_bad[:5]}"


def test_decoder_every_truncation(tmp_path):
    gd = graph_with_rich_node()
    valid = gd.SerializeToString()
    inputs = [valid[:k] for k in range(len(valid) + 1)]
    results = run_decoder_child(inputs, tmp_path)
    assert_only_bytes_or_invalid(inputs, results)
    accepted = [k for k, r in enumerate(results) if r[0] == "ok"]
    py_accepted = [k for k, r in enumerate(results) if r[1] == "ok"]
    # A prefix is a valid GraphDef exactly when it ends on a top-level field boundary.
    boundaries = [0]
    for n in gd.node:
        boundaries.append(boundaries[-1] + len(ld(1, n.SerializeToString())))
    boundaries.append(len(valid))
    assert accepted == boundaries
    assert py_accepted == boundaries


def test_decoder_random_bytes(tmp_path):
    rng = np.random.default_rng(20240611)
    inputs = []
    for i in range(2000):
        n = int(rng.integers(0, 80))
        b = rng.integers(0, 256, size=n, dtype=np.uint8).tobytes()
        if i % 2:  # half start like a node field, so the decoder gets past the first tag
            b = b"\x0a" + bytes([min(n, 127)]) + b
        inputs.append(b)
    results = run_decoder_child(inputs, tmp_path)
    assert_only_bytes_or_invalid(inputs, results)
    assert sum(r[0] == "invalid" for r in results) > 100
    unstable = [r for r in results if r[0].startswith("unstable")]
    assert not unstable


def test_decoder_single_byte_mutations(tmp_path):
    valid = graph_with_rich_node().SerializeToString()
    inputs = []
    for i, byte in enumerate(valid):
        for v in {byte ^ 0x01, byte ^ 0x80, byte ^ 0x40, 0x00, 0xFF, 0x7F}:
            if v != byte:
                inputs.append(valid[:i] + bytes([v]) + valid[i + 1:])
    results = run_decoder_child(inputs, tmp_path, check_python=False)
    assert_only_bytes_or_invalid(inputs, results)
    n_ok = sum(r[0] == "ok" for r in results)
    n_invalid = sum(r[0] == "invalid" for r in results)
    assert n_ok > 0 and n_invalid > 0


def test_decoder_hostile_inputs(tmp_path):
    def attr_node(attr_value: bytes) -> bytes:
        return ld(1, ld(1, b"n") + ld(2, b"NoOp") + ld(5, ld(1, b"k") + ld(2, attr_value)))

    deep_list_func = b""
    for _ in range(3000):  # AttrValue.list.func -> NameAttrList.attr -> AttrValue.list ...
        deep_list_func = ld(1, ld(9, ld(2, ld(1, b"k") + ld(2, deep_list_func))))
    # name: (bytes, the C++ result required, or None when either bytes or InvalidArgumentError is fine)
    cases = {
        "huge length": (b"\x0a" + varint(2 ** 62) + b"ab", "invalid"),
        "length wrapping a pointer": (b"\x0a" + varint(2 ** 64 - 1) + b"ab", "invalid"),
        "11-byte varint": (b"\x0a" + b"\xff" * 10 + b"\x01", "invalid"),
        "truncated varint": (b"\x0a" + b"\xff" * 9, "invalid"),
        "field number 0": (b"\x00", "invalid"),
        "field number >= 2**32": (varint((2 ** 32) << 3 | 2) + b"\x00", "invalid"),
        "start group": (b"\x0b", None),
        "end group": (b"\x0c", None),
        "wire type 6": (b"\x0e", "invalid"),
        "wire type 7": (b"\x0f", "invalid"),
        "dim as a length field": (attr_node(ld(7, ld(2, ld(1, varint(2 ** 63))))), None),
        "dim size -5": (attr_node(ld(7, ld(2, vi(1, 2 ** 64 - 5)))), "invalid"),
        "dim size -1": (attr_node(ld(7, ld(2, vi(1, 2 ** 64 - 1)))), "ok"),
        "partial packed float": (attr_node(ld(8, vi(1, 1) + ld(5, b"\x00\x00"))), "invalid"),
        "partial packed double": (attr_node(ld(8, vi(1, 2) + ld(6, b"\x00" * 7))), "invalid"),
        "truncated packed varint": (attr_node(ld(1, ld(3, b"\x80"))), "invalid"),
        "type enum out of range": (attr_node(vi(6, 2 ** 64 - 1)), None),
        "bytes for an int attr": (attr_node(ld(3, b"\x01")), "invalid"),
        "varint for a string attr": (attr_node(vi(2, 1)), "invalid"),
        "many name repeats": (ld(1, ld(1, b"n") * 100000), "ok"),
        "many inputs": (ld(1, ld(3, b"i") * 50000), "ok"),
        "empty node": (ld(1, b""), "ok"),
        "malformed library": (ld(2, b"\xff" * 10), "invalid"),
        "empty library": (ld(2, b""), "ok"),
        "func nesting 10": (nested_func_attr_graph(10), "ok"),
        "func nesting 3000": (nested_func_attr_graph(3000), "invalid"),
        "list.func nesting 3000": (ld(1, ld(2, b"NoOp") + ld(5, ld(1, b"f") + ld(2, deep_list_func))), "invalid"),
    }
    names = list(cases)
    inputs = [cases[n][0] for n in names]
    results = run_decoder_child(inputs, tmp_path)
    assert_only_bytes_or_invalid(inputs, results)
    wrong = {n: r[0] for n, r in zip(names, results) if cases[n][1] is not None and r[0] != cases[n][1]}
    assert not wrong, wrong
    by_name = dict(zip(names, results))
    assert by_name["func nesting 3000"][1] == "invalid"  # the Python decoder bounds depth too
    assert by_name["list.func nesting 3000"][1] == "invalid"


def test_session_extend_with_malformed_bytes_raises_invalid_argument():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant([1.0, 2.0], name="x")
        y = x * 3.0
    sess = tf.Session(graph=g)
    try:
        for bad in [b"\x0a\x05ab", b"\x0a", b"\x0f", b"\xff" * 11, b"\x0a\x02\x0a\xff"]:
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess._c.extend(bad)
        # The session is still usable afterwards.
        np.testing.assert_allclose(sess.run(y), [3.0, 6.0])
    finally:
        sess.close()


def test_incremental_graph_def_matches_as_graph_def():
    """What a Session sends (Graph._nodes_since, encoded node by node) is the GraphDef as_graph_def
    builds, and a later call carries only the ops and library functions added since."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [], name="x")
        tf.while_loop(lambda i: i < 3.0, lambda i: i + x, [tf.constant(0.0)])
    data, n_ops, n_fns = g._nodes_since(0, 0)
    assert data == g.as_graph_def().SerializeToString()
    assert n_ops == len(g.get_operations()) and n_fns >= 2  # cond and body
    with g.as_default():
        y = tf.multiply(x, 2.0, name="later")
        tf.while_loop(lambda i: i < y, lambda i: i + 1.0, [tf.constant(0.0)])
    more, n_ops2, n_fns2 = g._nodes_since(n_ops, n_fns)
    back = GraphDef.FromString(more)
    full = g.as_graph_def()
    assert [n.name for n in back.node] == [op.name for op in g.get_operations()[n_ops:]]
    assert list(back.node) == list(full.node)[n_ops:]
    assert list(back.library.function) == list(full.library.function)[n_fns:] and n_fns2 > n_fns
    assert back.versions == full.versions and n_ops2 == len(full.node)
    with tf.Session(graph=g) as sess:
        assert sess.run(y, {x: 1.5}) == 3.0
