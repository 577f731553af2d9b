"""Session.run fetch and feed semantics, errors, lifecycle and default sessions (TF1 behaviour)."""
import collections
import threading

import numpy as np
import pytest

import graphrt as tf


def test_seed_example():
    a = tf.constant(5.0)
    b = tf.constant(6.0)
    c = a * b
    with tf.Session() as sess:
        v = sess.run(c)
    assert v == 30.0
    assert isinstance(v, np.float32)


def test_fetch_structures_nested():
    a = tf.constant([1.0, 2.0])
    b = tf.constant(3)
    Pair = collections.namedtuple("Pair", ["x", "y"])
    with tf.Session() as sess:
        out = sess.run({"list": [a, (b, a)], "pair": Pair(a, b), "od": collections.OrderedDict([("z", b), ("a", a)])})
    np.testing.assert_array_equal(out["list"][0], [1.0, 2.0])
    assert isinstance(out["list"][1], tuple) and out["list"][1][0] == 3
    assert isinstance(out["pair"], Pair) and out["pair"].y == 3
    assert isinstance(out["od"], collections.OrderedDict) and list(out["od"].keys()) == ["z", "a"]


def test_fetch_operation_gives_none_and_names():
    a = tf.constant(2.0, name="a")
    b = tf.identity(a, name="b")
    noop = tf.group(b, name="grp")
    with tf.Session() as sess:
        assert sess.run(b.op) is None
        assert sess.run("b:0") == 2.0
        assert sess.run("b") is None  # an op name fetches the operation
        assert sess.run(["a:0", b]) == [2.0, 2.0]
        assert sess.run(noop) is None
        assert sess.run([noop, b]) == [None, 2.0]


def test_duplicate_fetches_computed_once_and_returned_twice():
    x = tf.placeholder(tf.float32, [])
    y = x + 1
    with tf.Session() as sess:
        r = sess.run([y, y, {"k": y}], {x: 1.0})
    assert r[0] == r[1] == r[2]["k"] == 2.0


def test_defaultdict_fetch():
    a = tf.constant(1)
    d = collections.defaultdict(list)
    d["a"] = a
    with tf.Session() as sess:
        out = sess.run(d)
    assert isinstance(out, collections.defaultdict) and out["a"] == 1


def test_feed_keys_tensor_string_and_tuple():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.placeholder(tf.float32, [2], name="y")
    s = x + y
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(s, {x: [1, 2], "y:0": np.array([3, 4])}), [4, 6])
        np.testing.assert_array_equal(sess.run(s, {(x, y): ([1, 1], [2, 2])}), [3, 3])
        np.testing.assert_array_equal(sess.run(s, {"x:0": [0, 0], y: [5, 5]}), [5, 5])


def test_feed_values_converted_to_key_dtype():
    x = tf.placeholder(tf.int64, [None])
    y = x * 2
    with tf.Session() as sess:
        r = sess.run(y, {x: [1, 2, 3]})
        assert r.dtype == np.int64
        np.testing.assert_array_equal(r, [2, 4, 6])
        r = sess.run(y, {x: np.array([4, 5], dtype=np.int32)})
        np.testing.assert_array_equal(r, [8, 10])


def test_feed_shape_check_before_execution():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            sess.run(x + 1, {x: np.zeros((2, 4))})


def test_feeding_non_placeholder_overrides_it():
    a = tf.constant(2.0)
    b = a * 3.0
    c = b + 1.0
    with tf.Session() as sess:
        assert sess.run(c) == 7.0
        assert sess.run(c, {b: 10.0}) == 11.0
        assert sess.run(c, {a: 1.0}) == 4.0
        assert sess.run(b, {b: 5.0}) == 5.0


def test_placeholder_with_default():
    d = tf.placeholder_with_default(tf.constant([1.0, 2.0]), shape=[None])
    y = d * 2
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [2, 4])
        np.testing.assert_array_equal(sess.run(y, {d: [5.0, 6.0, 7.0]}), [10, 12, 14])


def test_unfed_placeholder_is_invalid_argument_naming_it():
    x = tf.placeholder(tf.float32, [None, 3], name="my_input")
    y = tf.identity(x * 2, name="y")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="my_input") as info:
            sess.run(y)
    err = info.value
    assert err.error_code == tf.errors.INVALID_ARGUMENT
    assert err.op is x.op
    assert err.node_def.name == "my_input"


def test_bad_fetch_types_and_names():
    a = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(TypeError):
            sess.run(None)
        with pytest.raises(TypeError):
            sess.run(3)
        with pytest.raises(TypeError):
            sess.run([a, object()])
        with pytest.raises(ValueError):
            sess.run("does_not_exist:0")
        with pytest.raises(ValueError):
            sess.run("does_not_exist")


def test_feed_errors():
    x = tf.placeholder(tf.float32, [])
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="cannot be a tf.Tensor"):
            sess.run(x, {x: tf.constant(1.0)})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            sess.run(x, {3: 1.0})
        with pytest.raises(TypeError):
            sess.run(x, {x: "not a number"})


def test_fetch_from_other_graph_rejected():
    g = tf.Graph()
    with g.as_default():
        other = tf.constant(1.0)
    mine = tf.constant(2.0)
    with tf.Session() as sess:
        assert sess.run(mine) == 2.0
        with pytest.raises(ValueError):
            sess.run(other)


def test_run_after_close_is_runtime_error():
    a = tf.constant(1.0)
    sess = tf.Session()
    assert sess.run(a) == 1.0
    sess.close()
    sess.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(a)


def test_context_manager_closes_on_exception():
    a = tf.constant(1.0)
    with pytest.raises(KeyError):
        with tf.Session() as sess:
            raise KeyError("boom")
    with pytest.raises(RuntimeError):
        sess.run(a)


def test_session_graph_attrs_and_default_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(4.0, name="c")
    sess = tf.Session(graph=g)
    assert sess.graph is g
    assert sess.sess_str == ""
    assert [n.name for n in sess.graph_def.node] == ["c"]
    with sess:
        assert tf.get_default_graph() is g
        assert tf.get_default_session() is sess
        assert c.eval() == 4.0
    assert tf.get_default_session() is None


def test_as_default_does_not_close_and_is_thread_local():
    a = tf.constant(3.0)
    sess = tf.Session()
    with sess.as_default():
        assert tf.get_default_session() is sess
        assert a.eval() == 3.0
        seen = []
        t = threading.Thread(target=lambda: seen.append(tf.get_default_session()))
        t.start()
        t.join()
        assert seen == [None]
    assert tf.get_default_session() is None
    assert sess.run(a) == 3.0  # still open
    sess.close()


def test_eval_and_operation_run():
    x = tf.placeholder(tf.float32, [])
    y = x * 2
    op = tf.identity(y).op
    with tf.Session():
        assert y.eval({x: 4.0}) == 8.0
        assert op.run({x: 1.0}) is None
    with pytest.raises(ValueError, match="No default session"):
        y.eval({x: 1.0})
    other = tf.Session(graph=tf.Graph())
    with pytest.raises(ValueError):
        y.eval({x: 1.0}, session=other)


def test_interactive_session():
    a = tf.constant(7.0)
    sess = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is sess
        assert a.eval() == 7.0
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_config_proto_and_run_options_fields():
    cfg = tf.ConfigProto(inter_op_parallelism_threads=1, intra_op_parallelism_threads=1,
                         allow_soft_placement=True, log_device_placement=False)
    assert cfg.inter_op_parallelism_threads == 1
    cfg.gpu_options.allow_growth = True
    with pytest.raises(ValueError):
        tf.ConfigProto(no_such_field=1)
    opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE, timeout_in_ms=1000)
    md = tf.RunMetadata()
    a = tf.constant(1.0)
    with tf.Session(config=cfg) as sess:
        assert sess._c.inter_op_threads == 1 and sess._c.intra_op_threads == 1
        assert sess.run(a, options=opts, run_metadata=md) == 1.0
    with pytest.raises(TypeError):
        tf.Session(config="bad")


def test_graph_sent_incrementally():
    a = tf.constant(1.0)
    with tf.Session() as sess:
        assert sess.run(a) == 1.0
        assert sess._c.num_nodes == 1
        b = a + 1.0
        assert sess.run(b) == 2.0
        assert sess._c.num_nodes == 3  # a, the 1.0 const, add: only the new two were sent
        # nothing new -> nothing sent
        sess.run(b)
        assert sess._c.num_nodes == 3


def test_plan_cache_per_signature():
    x = tf.placeholder(tf.float32, [])
    y = x + 1
    z = x * 2
    with tf.Session() as sess:
        for v in range(5):
            assert sess.run(y, {x: v}) == v + 1
        assert sess._c.num_cached_plans == 1
        sess.run(z, {x: 1.0})
        sess.run([y, z], {x: 1.0})
        assert sess._c.num_cached_plans == 3


def test_string_tensors_roundtrip():
    s = tf.constant([b"ab", b"c"])
    p = tf.placeholder(tf.string, [None])
    with tf.Session() as sess:
        out = sess.run(s)
        assert list(out) == [b"ab", b"c"]
        fed = sess.run(tf.identity(p), {p: ["x", "yz"]})
        assert list(fed) == [b"x", b"yz"]
        assert sess.run(tf.constant("hi")) == b"hi"


def test_unsupported_target():
    with pytest.raises(tf.errors.UnimplementedError):
        tf.Session("grpc://localhost:2222")
