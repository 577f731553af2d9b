"""Graph / Operation / Tensor / TensorShape / DType API tests (TF1 graph-mode semantics)."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import graphrt as tf
from graphrt.framework import tensor_shape


@pytest.fixture
def g():
    graph = tf.Graph()
    with graph.as_default():
        yield graph


def run(fetches, feed_dict=None, graph=None):
    graph = graph if graph is not None else tf.get_default_graph()
    with tf.Session(graph=graph) as sess:
        return sess.run(fetches, feed_dict)


# ---- Graph: defaulting ------------------------------------------------------------------------

def test_as_default_nested_restores_outer():
    g1, g2 = tf.Graph(), tf.Graph()
    outer_default = tf.get_default_graph()
    with g1.as_default() as entered:
        assert entered is g1
        assert tf.get_default_graph() is g1
        with g2.as_default():
            assert tf.get_default_graph() is g2
            c = tf.constant(1.0)
            assert c.graph is g2
        assert tf.get_default_graph() is g1
        d = tf.constant(2.0)
        assert d.graph is g1
    assert tf.get_default_graph() is outer_default
    assert [op.name for op in g1.get_operations()] == ["Const"]
    assert [op.name for op in g2.get_operations()] == ["Const"]


def test_as_default_is_thread_local():
    g1 = tf.Graph()
    seen = {}

    def worker():
        seen["graph"] = tf.get_default_graph()
        with tf.Graph().as_default() as inner:
            seen["inner"] = tf.get_default_graph() is inner

    with g1.as_default():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert tf.get_default_graph() is g1
    assert seen["graph"] is not g1
    assert seen["inner"] is True


def test_reset_default_graph():
    before = tf.get_default_graph()
    tf.reset_default_graph()
    after = tf.get_default_graph()
    assert after is not before
    assert after.get_operations() == []
    assert tf.get_default_graph() is after  # stable until the next reset


def test_reset_default_graph_inside_as_default_raises():
    with tf.Graph().as_default():
        with pytest.raises(AssertionError):
            tf.reset_default_graph()


# ---- Graph: lookup ----------------------------------------------------------------------------

def test_get_operation_and_tensor_by_name(g):
    x = tf.constant([1.0, 2.0], name="x")
    y = tf.identity(x, name="y")
    assert g.get_operation_by_name("x") is x.op
    assert g.get_operation_by_name("y") is y.op
    assert g.get_tensor_by_name("x:0") is x
    assert g.get_tensor_by_name("y:0") is y


def test_lookup_errors(g):
    tf.constant(1.0, name="x")
    with pytest.raises(KeyError):
        g.get_operation_by_name("nope")
    with pytest.raises(KeyError):
        g.get_tensor_by_name("nope:0")
    with pytest.raises(KeyError):
        g.get_tensor_by_name("x:1")  # op exists, output does not
    with pytest.raises(ValueError):
        g.get_tensor_by_name("x")  # an op name
    with pytest.raises(ValueError):
        g.get_operation_by_name("x:0")  # a tensor name
    with pytest.raises(TypeError):
        g.get_operation_by_name(3)
    with pytest.raises(TypeError):
        g.get_tensor_by_name(None)


def test_as_graph_element(g):
    x = tf.constant(1.0, name="x")
    assert g.as_graph_element("x") is x.op
    assert g.as_graph_element("x:0") is x
    assert g.as_graph_element(x) is x
    assert g.as_graph_element(x.op) is x.op
    with pytest.raises(ValueError):
        g.as_graph_element("x", allow_operation=False)
    with pytest.raises(TypeError):
        g.as_graph_element(x, allow_tensor=False)
    with pytest.raises(TypeError):
        g.as_graph_element(3.5)
    other = tf.Graph()
    with other.as_default():
        z = tf.constant(2.0, name="z")
    with pytest.raises(ValueError):
        g.as_graph_element(z)


def test_get_operations_in_creation_order(g):
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    c = tf.add(a, b, name="c")
    p = tf.placeholder(tf.float32, name="p")
    ops = g.get_operations()
    assert [o.name for o in ops] == ["a", "b", "c", "p"]
    assert ops[2] is c.op and ops[3] is p.op
    ops.clear()  # a copy
    assert len(g.get_operations()) == 4


def test_version_increases(g):
    versions = [g.version]
    tf.constant(1.0)
    versions.append(g.version)
    tf.constant(2.0)
    versions.append(g.version)
    x = tf.placeholder(tf.float32)
    _ = x * 2.0  # two ops: Const + Mul
    versions.append(g.version)
    assert all(b > a for a, b in zip(versions, versions[1:]))


def test_finalize_blocks_new_ops(g):
    x = tf.constant(1.0)
    assert not g.finalized
    g.finalize()
    assert g.finalized
    with pytest.raises(RuntimeError):
        tf.constant(2.0)
    with pytest.raises(RuntimeError):
        tf.identity(x)
    assert len(g.get_operations()) == 1
    # A finalized graph still runs.
    assert run(x, graph=g) == np.float32(1.0)


def test_finalize_blocks_add_to_collection(g):
    # TF1: Graph.add_to_collection calls _check_not_finalized().
    g.finalize()
    with pytest.raises(RuntimeError):
        g.add_to_collection("things", 1)


# ---- Graph: collections -----------------------------------------------------------------------

def test_collections(g):
    with tf.name_scope("a"):
        xa = tf.constant(1.0, name="x")
    with tf.name_scope("b"):
        xb = tf.constant(2.0, name="x")
    g.add_to_collection("vals", xa)
    tf.add_to_collection("vals", xb)
    g.add_to_collection("vals", 42)  # non-named items are kept, but filtered by scope
    tf.add_to_collections(["one", "two"], xa)
    assert g.get_collection("vals") == [xa, xb, 42]
    assert tf.get_collection("vals", scope="a") == [xa]
    assert g.get_collection("vals", scope="b/") == [xb]
    assert g.get_collection("vals", scope="[ab]") == [xa, xb]
    assert g.get_collection("vals", scope="c") == []
    assert g.get_collection("missing") == []
    assert g.get_collection("one") == [xa] and g.get_collection("two") == [xa]
    assert set(g.get_all_collection_keys()) >= {"vals", "one", "two"}

    # get_collection returns a copy, get_collection_ref the live list.
    copy = g.get_collection("vals")
    copy.append("junk")
    assert g.get_collection("vals") == [xa, xb, 42]
    ref = g.get_collection_ref("vals")
    ref.append("live")
    assert g.get_collection("vals")[-1] == "live"
    ref2 = tf.get_collection_ref("fresh")
    assert ref2 == []
    ref2.append(7)
    assert g.get_collection("fresh") == [7]
    assert g.get_collection_ref("fresh") is ref2

    g.clear_collection("vals")
    assert g.get_collection("vals") == []
    assert "vals" not in g.get_all_collection_keys()


# ---- Graph: names -----------------------------------------------------------------------------

def test_unique_names(g):
    a = tf.constant(1.0)
    adds = [tf.add(a, a) for _ in range(3)]
    assert [t.op.name for t in adds] == ["Add", "Add_1", "Add_2"]
    assert [t.name for t in adds] == ["Add:0", "Add_1:0", "Add_2:0"]
    # "add" clashes case-insensitively with the generated "Add", "Add_1", "Add_2".
    n = [tf.identity(a, name="add").op.name for _ in range(3)]
    assert n == ["add_3", "add_4", "add_5"]


def test_unique_names_explicit(g):
    a = tf.constant(1.0, name="c")
    names = [tf.identity(a, name="add").op.name for _ in range(3)]
    assert names == ["add", "add_1", "add_2"]
    # An explicit name that collides with a generated one gets its own suffix.
    assert tf.identity(a, name="add_1").op.name == "add_1_1"
    assert g.unique_name("add", mark_as_used=False) == "add_3"
    assert g.unique_name("fresh", mark_as_used=False) == "fresh"


def test_unique_names_case_insensitive(g):
    a = tf.constant(1.0, name="Foo")
    b = tf.identity(a, name="foo")
    c = tf.identity(a, name="FOO")
    assert a.op.name == "Foo"
    assert b.op.name == "foo_1"
    assert c.op.name == "FOO_2"


def test_name_scope_nesting_and_reentry(g):
    a = tf.constant(1.0, name="a")
    with tf.name_scope("outer") as outer:
        assert outer == "outer/"
        assert tf.get_name_scope() == "outer"
        with tf.name_scope("inner") as inner:
            assert inner == "outer/inner/"
            x = tf.add(a, a, name="add")
    assert x.op.name == "outer/inner/add"
    assert tf.get_name_scope() == ""
    with tf.name_scope("outer") as outer2:
        assert outer2 == "outer_1/"
        y = tf.add(a, a, name="add")
    assert y.op.name == "outer_1/add"
    # A scope name ending in '/' re-enters that scope exactly.
    with tf.name_scope(outer) as again:
        assert again == "outer/"
        z = tf.add(a, a, name="add")
        w = tf.add(a, a, name="add")
    assert z.op.name == "outer/add"
    assert w.op.name == "outer/add_1"
    with tf.name_scope("outer/inner/"):
        v = tf.add(a, a, name="add")
    assert v.op.name == "outer/inner/add_1"


def test_name_scope_none_resets(g):
    a = tf.constant(1.0, name="a")
    with tf.name_scope("outer"):
        with tf.name_scope(None) as top:
            assert top == ""
            x = tf.identity(a, name="top_level")
        y = tf.identity(a, name="inside")
    assert x.op.name == "top_level"
    assert y.op.name == "outer/inside"


def test_name_scope_default_name_and_values(g):
    a = tf.constant(1.0, name="a")
    with tf.name_scope(None, "Default", [a]) as scope:
        assert scope == "Default/"
    with tf.name_scope("given", "Default", [a]) as scope:
        assert scope == "given/"


# ---- Graph: control dependencies ------------------------------------------------------------

def test_control_dependencies_basic(g):
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    with tf.control_dependencies([a.op]):
        c = tf.constant(3.0, name="c")
        d = tf.identity(b, name="d")
    e = tf.identity(b, name="e")
    assert c.op.control_inputs == [a.op]
    assert d.op.control_inputs == [a.op]
    assert e.op.control_inputs == []
    assert "^a" in list(d.op.node_def.input)
    assert list(e.op.node_def.input) == ["b"]


def test_control_dependencies_nested_accumulate_and_none_clears(g):
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    x = tf.constant(3.0, name="x")
    with g.control_dependencies([a]):  # a Tensor: converted to its op
        with g.control_dependencies([b]):
            c = tf.identity(x, name="c")
            with g.control_dependencies(None):
                d = tf.identity(x, name="d")
                with g.control_dependencies([b]):
                    e = tf.identity(x, name="e")
            f = tf.identity(x, name="f")
    assert c.op.control_inputs == [a.op, b.op]
    assert d.op.control_inputs == []
    assert e.op.control_inputs == [b.op]
    assert f.op.control_inputs == [a.op, b.op]
    assert list(c.op.node_def.input) == ["x", "^a", "^b"]


def test_control_dependencies_skip_data_inputs(g):
    a = tf.constant(1.0, name="a")
    with g.control_dependencies([a]):
        b = tf.identity(a, name="b")  # a is already a data input
    assert b.op.control_inputs == []
    assert list(b.op.node_def.input) == ["a"]


def test_control_dependencies_dominated_inputs(g):
    # TF1 (ops_test ControlDependenciesTest.testComplex): an op whose input was created inside the
    # same control_dependencies block is already ordered after the control inputs, so it gets none.
    a = tf.constant(1.0, name="a")
    x = tf.constant(2.0, name="x")
    with g.control_dependencies([a]):
        b = tf.identity(x, name="b")
        c = tf.identity(b, name="c")
    assert b.op.control_inputs == [a.op]
    assert c.op.control_inputs == []


def test_control_dependencies_errors(g):
    with pytest.raises(TypeError):
        with g.control_dependencies([3]):
            pass
    other = tf.Graph()
    with other.as_default():
        z = tf.constant(1.0)
    with pytest.raises(ValueError):
        with g.control_dependencies([z]):
            pass


def test_control_dependencies_run_order(g):
    # The control input is pulled into the run even though nothing consumes its value.
    p = tf.placeholder(tf.float32, shape=[], name="p")
    check = tf.identity(p, name="check")
    with g.control_dependencies([check]):
        out = tf.constant(5.0, name="out")
    with tf.Session(graph=g) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(out)  # placeholder not fed
        assert sess.run(out, {p: 1.0}) == np.float32(5.0)


# ---- Graph: devices ---------------------------------------------------------------------------

def test_device_scopes(g):
    with tf.device("/cpu:0"):
        a = tf.constant(1.0, name="a")
    assert a.op.device == "/device:CPU:0"
    assert a.device == "/device:CPU:0"
    b = tf.constant(1.0, name="b")
    assert b.op.device == ""
    with tf.device("/job:worker"):
        c = tf.constant(1.0)
        with tf.device("/cpu:0"):
            d = tf.constant(1.0)
            with tf.device("/device:GPU:1"):
                e = tf.constant(1.0)
            with tf.device(None):
                f = tf.constant(1.0)
    assert c.op.device == "/job:worker"
    assert d.op.device == "/job:worker/device:CPU:0"
    assert e.op.device == "/job:worker/device:GPU:1"
    assert f.op.device == ""
    assert a.op.node_def.device == "/device:CPU:0"
    gd = g.as_graph_def()
    assert {n.name: n.device for n in gd.node}["a"] == "/device:CPU:0"


def test_device_function(g):
    def dev_fn(op):
        return "/device:GPU:0" if op.type == "MatMul" else "/device:CPU:0"

    with g.device(dev_fn):
        a = tf.constant([[1.0]], name="a")
        m = tf.matmul(a, a)
    assert a.op.device == "/device:CPU:0"
    assert m.op.device == "/device:GPU:0"


def test_device_function_merges_with_outer_string_scope(g):
    # TF1 applies the device stack innermost first; an enclosing string spec then fills the fields the
    # function left unset (pydev.MergeDevice), so the job survives.
    with g.device("/job:worker"):
        with g.device(lambda op: "/device:CPU:0"):
            a = tf.constant(1.0, name="a")
    assert a.op.device == "/job:worker/device:CPU:0"


# ---- Operation --------------------------------------------------------------------------------

def test_operation_properties(g):
    a = tf.placeholder(tf.float32, shape=[None, 3], name="a")
    b = tf.constant(np.ones((3, 2), np.float32), name="b")
    ctrl = tf.constant(0.0, name="ctrl")
    with tf.device("/cpu:0"), g.control_dependencies([ctrl]):
        m = tf.matmul(a, b, transpose_b=False, name="m")
    op = m.op
    assert op.name == "m"
    assert op.type == "MatMul"
    assert op.graph is g
    assert op.inputs == (a, b)
    assert isinstance(op.inputs, tuple)
    assert op.outputs == [m]
    assert op.control_inputs == [ctrl.op]
    assert op.device == "/device:CPU:0"
    assert a.op.inputs == ()
    assert a.consumers() == [op]

    nd = op.node_def
    assert isinstance(nd, tf.NodeDef)
    assert nd.name == "m" and nd.op == "MatMul"
    assert list(nd.input) == ["a", "b", "^ctrl"]
    assert nd.device == "/device:CPU:0"
    assert set(nd.attr) == {"T", "transpose_a", "transpose_b"}
    nd.name = "mutated"  # node_def is a copy
    assert op.name == "m"


def test_operation_get_attr_kinds(g):
    p = tf.placeholder(tf.float32, shape=[None, 3], name="p")
    m = tf.matmul(p, tf.ones([3, 3]), transpose_b=True)
    s = p[1]
    c = tf.constant([[1, 2], [3, 4]], dtype=tf.int64, name="c")

    # type
    assert p.op.get_attr("dtype") == tf.float32
    assert isinstance(p.op.get_attr("dtype"), tf.DType)
    assert m.op.get_attr("T") is tf.float32 or m.op.get_attr("T") == tf.float32
    # bool
    assert m.op.get_attr("transpose_b") is True
    assert m.op.get_attr("transpose_a") is False
    # int
    assert s.op.get_attr("shrink_axis_mask") == 1
    assert s.op.get_attr("begin_mask") == 0
    assert isinstance(s.op.get_attr("shrink_axis_mask"), int)
    # shape -> TensorShapeProto
    sp = p.op.get_attr("shape")
    assert isinstance(sp, tf.TensorShapeProto)
    assert [d.size for d in sp.dim] == [-1, 3]
    assert not sp.unknown_rank
    assert tf.placeholder(tf.float32).op.get_attr("shape").unknown_rank
    # tensor -> TensorProto
    tp = c.op.get_attr("value")
    assert isinstance(tp, tf.TensorProto)
    assert tp.dtype == tf.int64.as_datatype_enum
    np.testing.assert_array_equal(tf.make_ndarray(tp), np.array([[1, 2], [3, 4]], np.int64))
    assert tf.make_ndarray(tp).dtype == np.int64
    with pytest.raises(ValueError):
        p.op.get_attr("no_such_attr")


# ---- Tensor -----------------------------------------------------------------------------------

def test_tensor_properties(g):
    x = tf.constant([[1, 2, 3]], name="x")
    assert x.name == "x:0"
    assert x.dtype == tf.int32
    assert x.shape == tf.TensorShape([1, 3])
    assert x.get_shape().as_list() == [1, 3]
    assert x.op.type == "Const"
    assert x.value_index == 0
    assert x.graph is g
    assert x.op.outputs[0] is x


def test_tensor_set_shape(g):
    p = tf.placeholder(tf.float32, shape=[None, 3])
    p.set_shape([5, None])
    assert p.shape.as_list() == [5, 3]
    with pytest.raises(ValueError):
        p.set_shape([4, 3])
    with pytest.raises(ValueError):
        p.set_shape([5, 3, 1])
    assert p.shape.as_list() == [5, 3]

    q = tf.placeholder(tf.int32)
    assert q.shape.rank is None
    q.set_shape([None, 2])
    assert q.shape.as_list() == [None, 2]
    q.set_shape(tf.TensorShape(None))  # unknown merges to no-op
    assert q.shape.as_list() == [None, 2]
    q.set_shape([7, 2])
    assert q.shape.is_fully_defined()


def test_tensor_hash_and_identity_equality(g):
    a = tf.constant(1.0)
    b = tf.constant(1.0)
    assert a == a
    assert not (a == b)
    assert a != b
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"
    assert hash(a) == hash(g.get_tensor_by_name(a.name))
    assert len({a, b, g.get_tensor_by_name(a.name)}) == 2


def test_tensor_not_bool_not_array_not_iterable(g):
    a = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError):
        bool(a)
    with pytest.raises(TypeError):
        if a:
            pass
    with pytest.raises(NotImplementedError):
        np.array(a)
    with pytest.raises(TypeError):
        iter(a)
    with pytest.raises(TypeError):
        len(a)


# ---- TensorShape ------------------------------------------------------------------------------

def test_tensor_shape_unknown_rank():
    s = tf.TensorShape(None)
    assert s.rank is None and s.ndims is None
    assert s.dims is None
    assert not s.is_fully_defined()
    assert s.num_elements() is None
    with pytest.raises(ValueError):
        s.as_list()
    assert s.is_compatible_with([1, 2, 3])
    assert s.merge_with([1, None]).as_list() == [1, None]
    assert s.concatenate([1]).rank is None
    assert tensor_shape.unknown_shape().rank is None
    assert tensor_shape.unknown_shape(2).as_list() == [None, None]


def test_tensor_shape_known_and_unknown_dims():
    s = tf.TensorShape([2, None, 4])
    assert s.rank == 3
    assert s.as_list() == [2, None, 4]
    assert not s.is_fully_defined()
    assert s.num_elements() is None
    full = tf.TensorShape([2, 3, 4])
    assert full.is_fully_defined()
    assert full.num_elements() == 24
    assert tf.TensorShape([]).num_elements() == 1
    assert tf.TensorShape([]).rank == 0
    assert tf.TensorShape([3, 0]).num_elements() == 0
    assert tf.dimension_value(s[0]) == 2
    assert tf.dimension_value(s[1]) is None
    assert tf.dimension_value(s[-1]) == 4
    assert s[1:] == tf.TensorShape([None, 4]) or s[1:].as_list() == [None, 4]
    assert s[:1].as_list() == [2]
    assert isinstance(s[0:2], tf.TensorShape)
    assert len(s) == 3
    assert [tf.dimension_value(d) for d in s] == [2, None, 4]


def test_tensor_shape_compat_merge_concat_eq():
    a = tf.TensorShape([None, 3])
    b = tf.TensorShape([5, None])
    assert a.is_compatible_with(b)
    assert a.merge_with(b).as_list() == [5, 3]
    assert not a.is_compatible_with([5, 4])
    assert not a.is_compatible_with([3])
    with pytest.raises(ValueError):
        a.merge_with([5, 4])
    with pytest.raises(ValueError):
        a.merge_with([1, 2, 3])
    assert a.concatenate(b).as_list() == [None, 3, 5, None]
    assert a.concatenate([]).as_list() == [None, 3]
    assert tf.TensorShape([1, 2]) == tf.TensorShape([1, 2])
    assert tf.TensorShape([1, 2]) == [1, 2]
    assert tf.TensorShape([1, 2]) != tf.TensorShape([1, 3])
    assert tf.TensorShape([1, 2]) != tf.TensorShape([1, 2, 1])
    assert tf.TensorShape([1, 2]) != tf.TensorShape(None)
    assert hash(tf.TensorShape([1, 2])) == hash(tf.TensorShape([1, 2]))
    with pytest.raises(ValueError):
        tf.TensorShape([1, 2]).with_rank(3)
    assert tf.TensorShape(None).with_rank(2).as_list() == [None, None]


def test_dimension():
    d = tf.Dimension(3)
    assert d.value == 3
    assert int(d) == 3
    assert tf.Dimension(None).value is None
    assert d.is_compatible_with(tf.Dimension(None))
    assert not d.is_compatible_with(4)
    assert d.merge_with(None).value == 3
    with pytest.raises(ValueError):
        d.merge_with(4)
    with pytest.raises(ValueError):
        tf.Dimension(-1)
    with pytest.raises(TypeError):
        tf.Dimension(1.5)


# ---- dtypes -----------------------------------------------------------------------------------

DTYPES = [
    (tf.float16, "float16", 19, np.float16),
    (tf.float32, "float32", 1, np.float32),
    (tf.float64, "float64", 2, np.float64),
    (tf.int8, "int8", 6, np.int8),
    (tf.int16, "int16", 5, np.int16),
    (tf.int32, "int32", 3, np.int32),
    (tf.int64, "int64", 9, np.int64),
    (tf.uint8, "uint8", 4, np.uint8),
    (tf.uint16, "uint16", 17, np.uint16),
    (tf.bool, "bool", 10, np.bool_),
    (tf.string, "string", 7, np.object_),
]


@pytest.mark.parametrize("dtype,name,enum,np_type", DTYPES, ids=[d[1] for d in DTYPES])
def test_dtype_table(dtype, name, enum, np_type):
    assert dtype.name == name
    assert dtype.as_datatype_enum == enum
    assert tf.as_dtype(name) is dtype
    assert tf.as_dtype(enum) is dtype
    assert tf.as_dtype(dtype) is dtype
    assert dtype.as_numpy_dtype is np_type
    assert tf.as_dtype(np.dtype(np_type)) is dtype
    assert tf.as_dtype(np_type) is dtype
    assert dtype.is_floating == (name in ("float16", "float32", "float64"))
    assert dtype.is_integer == (name in ("int8", "int16", "int32", "int64", "uint8", "uint16"))
    assert dtype.is_unsigned == (name in ("uint8", "uint16"))
    assert dtype.is_bool == (name == "bool")
    assert dtype == tf.as_dtype(enum) and hash(dtype) == hash(tf.as_dtype(name))
    others = [d for d, *_ in DTYPES if d is not dtype]
    assert all(dtype != o for o in others)


def test_dtype_aliases_and_errors():
    assert tf.half is tf.float16
    assert tf.double is tf.float64
    assert tf.as_dtype("float") is tf.float32
    assert tf.as_dtype("double") is tf.float64
    assert tf.float32.min == np.finfo(np.float32).min
    assert tf.int8.max == 127 and tf.uint8.min == 0
    assert tf.float64.size == 8 and tf.int16.size == 2
    with pytest.raises(TypeError):
        tf.as_dtype("not_a_type")
    with pytest.raises(TypeError):
        tf.as_dtype(12345)
    with pytest.raises(TypeError):
        tf.as_dtype(np.complex64)


# ---- convert_to_tensor ------------------------------------------------------------------------

def test_convert_to_tensor_inference(g):
    assert tf.convert_to_tensor(1.5).dtype == tf.float32
    assert tf.convert_to_tensor([1.0, 2.0]).dtype == tf.float32
    assert tf.convert_to_tensor(3).dtype == tf.int32
    assert tf.convert_to_tensor([1, 2]).dtype == tf.int32
    assert tf.convert_to_tensor(2 ** 40).dtype == tf.int64
    assert tf.convert_to_tensor([1, 2 ** 40]).dtype == tf.int64
    assert tf.convert_to_tensor(np.float64(1.5)).dtype == tf.float64
    assert tf.convert_to_tensor(np.array([1.5, 2.5])).dtype == tf.float64
    assert tf.convert_to_tensor(np.array([1, 2], np.int64)).dtype == tf.int64
    assert tf.convert_to_tensor(True).dtype == tf.bool
    assert tf.convert_to_tensor(b"abc").dtype == tf.string
    assert tf.convert_to_tensor("abc").dtype == tf.string
    assert tf.convert_to_tensor(3, dtype=tf.float32).dtype == tf.float32
    assert tf.convert_to_tensor(3.0, dtype=tf.int32).dtype == tf.int32  # integral float is fine
    t = tf.convert_to_tensor([[1, 2], [3, 4]], dtype=tf.int64)
    assert t.shape.as_list() == [2, 2]
    out = run([tf.convert_to_tensor(2 ** 40), tf.convert_to_tensor(np.float64(1.5)),
               tf.convert_to_tensor("abc"), tf.convert_to_tensor(True), t], graph=g)
    assert out[0] == 2 ** 40 and out[0].dtype == np.int64
    assert out[1] == 1.5 and out[1].dtype == np.float64
    assert out[2] == b"abc"
    assert out[3] is True or out[3] == np.bool_(True)
    np.testing.assert_array_equal(out[4], np.array([[1, 2], [3, 4]], np.int64))


def test_convert_to_tensor_passthrough_and_errors(g):
    x = tf.constant(1.0)
    assert tf.convert_to_tensor(x) is x
    assert tf.convert_to_tensor(x, dtype=tf.float32) is x
    with pytest.raises(ValueError):
        tf.convert_to_tensor(x, dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.convert_to_tensor(1.5, dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.convert_to_tensor("abc", dtype=tf.float32)
    with pytest.raises(TypeError):
        tf.convert_to_tensor(x.op)
    with pytest.raises(ValueError):
        tf.convert_to_tensor([[1, 2], [3]])


# ---- operator overloads -----------------------------------------------------------------------

BIN_OPS = [
    ("add", lambda a, b: a + b, "Add"),
    ("sub", lambda a, b: a - b, "Sub"),
    ("mul", lambda a, b: a * b, "Mul"),
    ("floordiv", lambda a, b: a // b, "FloorDiv"),
    ("mod", lambda a, b: a % b, "FloorMod"),
    ("pow", lambda a, b: a ** b, "Pow"),
    ("lt", lambda a, b: a < b, "Less"),
    ("le", lambda a, b: a <= b, "LessEqual"),
    ("gt", lambda a, b: a > b, "Greater"),
    ("ge", lambda a, b: a >= b, "GreaterEqual"),
]

NUM_DTYPES = [np.float32, np.float64, np.int32, np.int64]


def _operands(np_dtype, shape_a, shape_b, positive_base=False):
    rng = np.random.default_rng(1234)
    if np.issubdtype(np_dtype, np.floating):
        a = rng.uniform(-5, 5, size=shape_a)
        b = rng.uniform(0.5, 3, size=shape_b) * rng.choice([-1, 1], size=shape_b)
        if positive_base:
            a = np.abs(a) + 0.5
            b = rng.uniform(-2, 2, size=shape_b)
    else:
        a = rng.integers(-9, 10, size=shape_a)
        b = rng.integers(1, 4, size=shape_b) * rng.choice([-1, 1], size=shape_b)
        if positive_base:
            a = rng.integers(-4, 5, size=shape_a)
            b = rng.integers(0, 4, size=shape_b)
    return np.asarray(a, np_dtype), np.asarray(b, np_dtype)


@pytest.mark.parametrize("np_dtype", NUM_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3))],
                         ids=["same", "row", "outer"])
def test_binary_operators(g, np_dtype, shapes):
    tensors = []
    expected = []
    for name, fn, op_type in BIN_OPS:
        a, b = _operands(np_dtype, *shapes, positive_base=(name == "pow"))
        ta, tb = tf.constant(a), tf.constant(b)
        r = fn(ta, tb)
        assert r.op.type == op_type, name
        want = fn(a, b)
        assert r.shape.as_list() == list(want.shape), name
        tensors.append(r)
        expected.append((name, want))
    got = run(tensors, graph=g)
    for (name, want), value in zip(expected, got):
        assert value.dtype == want.dtype, name
        assert value.shape == want.shape, name
        if np.issubdtype(want.dtype, np.floating):
            rtol = 1e-5 if want.dtype == np.float32 else 1e-12
            np.testing.assert_allclose(value, want, rtol=rtol, atol=rtol, err_msg=name)
        else:
            np.testing.assert_array_equal(value, want, err_msg=name)


@pytest.mark.parametrize("np_dtype", NUM_DTYPES, ids=lambda d: np.dtype(d).name)
def test_truediv_operator(g, np_dtype):
    a, b = _operands(np_dtype, (2, 3), (3,))
    r = tf.constant(a) / tf.constant(b)
    r2 = 12 / tf.constant(b)
    assert r.op.type == "RealDiv"
    want = a / b
    want2 = 12 / b
    if np.issubdtype(np_dtype, np.integer):
        assert r.dtype == tf.float64  # int32/int64 true division goes through float64
        assert want.dtype == np.float64
    else:
        assert r.dtype == tf.as_dtype(np_dtype)
        want2 = want2.astype(np_dtype)
    got, got2 = run([r, r2], graph=g)
    assert got.dtype == want.dtype and got2.dtype == want2.dtype
    rtol = 1e-6 if np_dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=rtol)
    np.testing.assert_allclose(got2, want2, rtol=rtol)


@pytest.mark.parametrize("np_dtype", [np.int32, np.int64], ids=["int32", "int64"])
def test_floor_div_mod_negative_ints(g, np_dtype):
    a = np.array([-7, 7, -7, 7, -6, 0, -1, 5], np_dtype)
    b = np.array([2, -2, -2, 2, 3, -3, 4, -7], np_dtype)
    ta, tb = tf.constant(a), tf.constant(b)
    q, m = run([ta // tb, ta % tb], graph=g)
    np.testing.assert_array_equal(q, a // b)
    np.testing.assert_array_equal(m, a % b)
    np.testing.assert_array_equal(q, [-4, -4, 3, 3, -2, 0, -1, -1])
    np.testing.assert_array_equal(m, [1, -1, -1, 1, 0, 0, 3, -2])


def test_floor_div_mod_negative_floats(g):
    a = np.array([-7.5, 7.5, -7.5, 7.5], np.float64)
    b = np.array([2.0, -2.0, -2.0, 2.0], np.float64)
    q, m = run([tf.constant(a) // b, tf.constant(a) % b], graph=g)
    np.testing.assert_array_equal(q, np.floor_divide(a, b))
    np.testing.assert_allclose(m, np.mod(a, b))


@pytest.mark.parametrize("np_dtype", NUM_DTYPES, ids=lambda d: np.dtype(d).name)
def test_reversed_operators(g, np_dtype):
    b = np.array([[1, 2, 3], [-1, -2, 4]], np_dtype)
    t = tf.constant(b)
    cases = [
        (2 + t, 2 + b, "Add"),
        (2 - t, 2 - b, "Sub"),
        (3 * t, 3 * b, "Mul"),
        (7 // t, 7 // b, "FloorDiv"),
        (7 % t, 7 % b, "FloorMod"),
        (2 < t, 2 < b, "Greater"),
        (2 >= t, 2 >= b, "LessEqual"),
    ]
    if np.issubdtype(np_dtype, np.floating):
        cases.append((2 ** t, np.asarray(2, np_dtype) ** b, "Pow"))
    else:
        bp = np.abs(b)
        tp = tf.constant(bp)
        cases.append((2 ** tp, 2 ** bp, "Pow"))
    for r, _, op_type in cases:
        assert r.op.type == op_type
    got = run([c[0] for c in cases], graph=g)
    for (r, want, op_type), value in zip(cases, got):
        want = np.asarray(want)
        if want.dtype != np.bool_:
            want = want.astype(np_dtype)
        assert value.dtype == want.dtype, op_type
        np.testing.assert_allclose(value, want, rtol=1e-6, err_msg=op_type)
    # The constant operand took the tensor's dtype.
    assert (2 - t).op.inputs[0].dtype == tf.as_dtype(np_dtype)


@pytest.mark.parametrize("np_dtype", NUM_DTYPES, ids=lambda d: np.dtype(d).name)
def test_unary_operators(g, np_dtype):
    a = np.array([[-3, 0, 2], [5, -1, -7]], np_dtype)
    t = tf.constant(a)
    n, ab = -t, abs(t)
    assert n.op.type == "Neg"
    assert ab.op.type == "Abs"
    got_n, got_ab = run([n, ab], graph=g)
    np.testing.assert_array_equal(got_n, -a)
    np.testing.assert_array_equal(got_ab, np.abs(a))
    assert got_n.dtype == a.dtype and got_ab.dtype == a.dtype


@pytest.mark.parametrize("np_dtype", NUM_DTYPES, ids=lambda d: np.dtype(d).name)
def test_matmul_operator(g, np_dtype):
    rng = np.random.default_rng(7)
    a = rng.integers(-5, 5, size=(3, 4)).astype(np_dtype)
    b = rng.integers(-5, 5, size=(4, 2)).astype(np_dtype)
    r = tf.constant(a) @ tf.constant(b)
    rl = a.tolist() @ tf.constant(b)  # __rmatmul__
    assert r.op.type == "MatMul" and rl.op.type == "MatMul"
    assert r.shape.as_list() == [3, 2]
    got, got_l = run([r, rl], graph=g)
    np.testing.assert_allclose(got, a @ b, rtol=1e-6)
    np.testing.assert_allclose(got_l, a @ b, rtol=1e-6)
    assert got.dtype == np_dtype


def test_numpy_array_on_the_left_defers_to_tensor(g):
    a = np.array([1.0, 2.0], np.float32)
    t = tf.constant([10.0, 20.0])
    r = a + t
    assert isinstance(r, tf.Tensor)
    assert r.op.type == "Add"
    np.testing.assert_allclose(run(r, graph=g), [11.0, 22.0])


def test_operator_dtype_mismatch_raises(g):
    with pytest.raises((TypeError, ValueError)):
        _ = tf.constant([1.0]) + tf.constant([1])
    with pytest.raises(TypeError):
        _ = tf.constant([1]) + 1.5


# ---- __getitem__ ------------------------------------------------------------------------------

X3 = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)

SLICES = [
    ("t[1]", lambda t: t[1]),
    ("t[-1]", lambda t: t[-1]),
    ("t[1:]", lambda t: t[1:]),
    ("t[::-1]", lambda t: t[::-1]),
    ("t[..., 0]", lambda t: t[..., 0]),
    ("t[:, newaxis]", lambda t: t[:, tf.newaxis]),
    ("t[1:, ..., newaxis, ::-2]", lambda t: t[1:, ..., tf.newaxis, ::-2]),
    ("t[0, 1:3, -1]", lambda t: t[0, 1:3, -1]),
    ("t[:, ::2, 1::2]", lambda t: t[:, ::2, 1::2]),
    ("t[-1:, -2::-1]", lambda t: t[-1:, -2::-1]),
    ("t[newaxis, ..., newaxis]", lambda t: t[tf.newaxis, ..., tf.newaxis]),
    ("t[1, 2, 3]", lambda t: t[1, 2, 3]),
    ("t[5:]", lambda t: t[5:]),
]


@pytest.mark.parametrize("name,fn", SLICES, ids=[s[0] for s in SLICES])
def test_getitem_matches_numpy(g, name, fn):
    assert tf.newaxis is None
    t = tf.constant(X3)
    r = fn(t)
    want = fn(X3)  # tf.newaxis is None, so the same index expression works on numpy
    assert r.op.type == "StridedSlice"
    assert r.shape.as_list() == list(want.shape)
    got = run(r, graph=g)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_getitem_unknown_dims(g):
    p = tf.placeholder(tf.float32, shape=[None, 3, 4])
    r = p[:, 1:, tf.newaxis, ::-2]
    assert r.shape.as_list() == [None, 2, 1, 2]
    r2 = p[0]
    assert r2.shape.as_list() == [3, 4]
    got = run(r, {p: X3}, graph=g)
    np.testing.assert_array_equal(got, X3[:, 1:, None, ::-2])


def test_getitem_bad_index(g):
    t = tf.constant(X3)
    with pytest.raises(TypeError):
        _ = t[1.5]
    with pytest.raises(ValueError):
        _ = t[::0]
    with pytest.raises(ValueError):
        _ = t[5]  # out of range at graph build time for a known dim


# ---- static shape inference -------------------------------------------------------------------

def test_matmul_shapes_with_transpose(g):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    ta, tb = tf.constant(a), tf.constant(b)
    tat, tbt = tf.constant(a.T.copy()), tf.constant(b.T.copy())
    m0 = tf.matmul(ta, tb)
    m1 = tf.matmul(tat, tb, transpose_a=True)
    m2 = tf.matmul(ta, tbt, transpose_b=True)
    m3 = tf.matmul(tat, tbt, transpose_a=True, transpose_b=True)
    for m in (m0, m1, m2, m3):
        assert m.shape.as_list() == [2, 4]
    p = tf.placeholder(tf.float32, shape=[None, 3])
    assert tf.matmul(p, tb).shape.as_list() == [None, 4]
    assert tf.matmul(tf.placeholder(tf.float32), tb).shape.rank is None  # BatchMatMulV2, as TF1
    got = run([m0, m1, m2, m3], graph=g)
    for v in got:
        np.testing.assert_allclose(v, a @ b)
    with pytest.raises(ValueError):
        tf.matmul(ta, ta)  # [2,3] x [2,3]
    with pytest.raises(ValueError):
        tf.matmul(ta, tat, transpose_b=True)  # [2,3] x [2,3]^T... inner 3 vs 2
    with pytest.raises(ValueError):
        tf.matmul(tf.constant([1.0, 2.0]), tb)  # rank 1


def test_broadcast_shapes_with_unknown_dims(g):
    p = tf.placeholder(tf.float32, shape=[None, 3])
    q = tf.placeholder(tf.float32, shape=[None, 1])
    u = tf.placeholder(tf.float32)
    assert (p + tf.constant([1.0, 2.0, 3.0])).shape.as_list() == [None, 3]
    assert (q + tf.ones([1, 4])).shape.as_list() == [None, 4]
    assert (q * tf.ones([5, 1])).shape.as_list() == [5, 1]
    assert (p - p).shape.as_list() == [None, 3]
    assert (tf.placeholder(tf.float32, [None]) + tf.ones([5])).shape.as_list() == [5]
    assert (p + u).shape.rank is None
    assert (p < 1.0).shape.as_list() == [None, 3]
    assert (p < 1.0).dtype == tf.bool
    with pytest.raises(ValueError):
        _ = p + tf.constant([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError):
        _ = tf.ones([2, 3]) + tf.ones([3, 2])


def test_reshape_fill_zeros_ones_shape_shapes(g):
    x = tf.constant(np.arange(24, dtype=np.int32))
    r = tf.reshape(x, [-1, 4])
    assert r.shape.as_list() == [6, 4]
    r2 = tf.reshape(x, [2, -1, 3])
    assert r2.shape.as_list() == [2, 4, 3]
    p = tf.placeholder(tf.float32, shape=[None, 3])
    assert tf.reshape(p, [-1]).shape.as_list() == [None]
    assert tf.reshape(p, [-1, 3]).shape.as_list() == [None, 3]
    with pytest.raises(ValueError):
        tf.reshape(x, [5, -1])
    with pytest.raises(ValueError):
        tf.reshape(x, [5, 5])

    f = tf.fill([2, 3], 7.0)
    z = tf.zeros([3, 2], dtype=tf.int64)
    o = tf.ones([4])
    assert f.shape.as_list() == [2, 3] and f.dtype == tf.float32
    assert z.shape.as_list() == [3, 2] and z.dtype == tf.int64
    assert o.shape.as_list() == [4] and o.dtype == tf.float32

    s = tf.shape(p)
    assert s.shape.as_list() == [2]
    assert s.dtype == tf.int32
    assert p.shape.as_list() == [None, 3]

    vals = run([r, r2, f, z, o, s], {p: np.zeros((5, 3), np.float32)}, graph=g)
    np.testing.assert_array_equal(vals[0], np.arange(24).reshape(6, 4))
    np.testing.assert_array_equal(vals[1], np.arange(24).reshape(2, 4, 3))
    np.testing.assert_array_equal(vals[2], np.full((2, 3), 7.0, np.float32))
    np.testing.assert_array_equal(vals[3], np.zeros((3, 2), np.int64))
    assert vals[3].dtype == np.int64
    np.testing.assert_array_equal(vals[4], np.ones(4, np.float32))
    np.testing.assert_array_equal(vals[5], [5, 3])


def test_placeholder_shape_and_feed_check(g):
    p = tf.placeholder(tf.float32, shape=[None, 3], name="p")
    assert p.shape.as_list() == [None, 3]
    assert p.op.type == "Placeholder"
    y = p * 2.0
    np.testing.assert_allclose(run(y, {p: np.ones((2, 3))}, graph=g), np.full((2, 3), 2.0))
    with pytest.raises(ValueError):
        run(y, {p: np.ones((2, 4))}, graph=g)
