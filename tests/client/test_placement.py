"""Placement: requested devices checked against the session's devices when a plan is built, soft
placement, colocation groups, TF's placer heuristics, and the log_device_placement lines (TF's
format and error wording)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import graphrt as tf
from graphrt.framework import ops as ops_lib

CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"
CPU1 = "/job:localhost/replica:0/task:0/device:CPU:1"
LOG_LINE = re.compile(r"^(\S+): \((\w+)\): (\S+)$")


def placement_log(err: str):
    """[(node, op type, device)] for each placement line in captured stderr."""
    out = []
    for line in err.splitlines():
        m = LOG_LINE.match(line)
        if m:
            out.append(m.groups())
    return out


def config(**kw):
    return tf.ConfigProto(**kw)


# ---- the seed page's soft-placement example -----------------------------------------------------

def _seed_graph():
    with tf.device("/device:GPU:0"):
        a = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[2, 3], name="a")
        b = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[3, 2], name="b")
        c = tf.matmul(a, b)
    return a, b, c


def test_seed_soft_placement_example_logs_cpu_for_every_node(capfd):
    a, b, c = _seed_graph()
    sess = tf.Session(config=tf.ConfigProto(allow_soft_placement=True, log_device_placement=True))
    out = sess.run(c)
    sess.close()
    np.testing.assert_allclose(out, [[22.0, 28.0], [49.0, 64.0]])
    err = capfd.readouterr().err
    log = placement_log(err)
    # TF's placer logs every other node first, then the "generators" (no inputs, one output).
    assert log == [("MatMul", "MatMul", CPU0), ("a", "Const", CPU0), ("b", "Const", CPU0)]
    assert "Device mapping: no known devices." in err
    assert a.op.device == b.op.device == c.op.device == "/device:GPU:0"  # the request is kept


def test_seed_example_without_soft_placement_fails_with_tf_message():
    _, _, c = _seed_graph()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(c)
    e = info.value
    assert e.message == ("Cannot assign a device for operation MatMul: Could not satisfy explicit device "
                         "specification '/device:GPU:0' because no supported kernel for GPU devices is available.")
    assert e.op is c.op


def test_log_lines_only_when_asked(capfd):
    x = tf.constant(1.0, name="x") + 1.0
    with tf.Session() as sess:
        sess.run(x)
    assert capfd.readouterr().err == ""


# ---- unsatisfiable requests -------------------------------------------------------------------

def test_unknown_cpu_index_message():
    with tf.device("/cpu:3"):
        x = tf.constant(1.0, name="x")
    with tf.Session(config=config(device_count={"CPU": 2})) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(x)
    assert info.value.message == (
        "Cannot assign a device for operation x: Could not satisfy explicit device specification '/device:CPU:3' "
        f"because no devices matching that specification are registered in this process; available devices: "
        f"{CPU0}, {CPU1}")


def test_unknown_job_is_unsatisfiable_even_with_soft_placement():
    with tf.device("/job:worker/task:1"):
        x = tf.constant(1.0, name="x")
    for soft in (False, True):
        with tf.Session(config=config(allow_soft_placement=soft)) as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="no devices matching that specification"):
                sess.run(x)


def test_other_device_types_use_the_kernel_wording():
    with tf.device("/device:TPU:0"):
        x = tf.constant(1.0, name="x")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(x)
    assert info.value.message.endswith("'/device:TPU:0' because no supported kernel for TPU devices is available.")


def test_soft_placement_maps_missing_devices_to_cpu0(capfd):
    with tf.device("/cpu:5"):
        x = tf.constant(2.0, name="x")
    with tf.device("/gpu:1"):
        y = tf.multiply(x, 3.0, name="y")
    with tf.Session(config=config(allow_soft_placement=True, device_count={"CPU": 2})) as sess:
        assert sess.run(y) == 6.0
        assert sess._c.placement() == {"x": CPU0, "Const": CPU0, "y": CPU0}


def test_failed_placement_is_not_cached_and_places_nothing():
    a = tf.constant(1.0, name="a")
    with tf.device("/gpu:0"):
        b = tf.add(a, 1.0, name="b")
    with tf.Session() as sess:
        for _ in range(2):
            with pytest.raises(tf.errors.InvalidArgumentError, match="operation b"):
                sess.run(b)
        assert sess._c.num_cached_plans == 0
        assert sess._c.placement() == {}
        assert sess.run(a) == 1.0  # the rest of the graph still runs
        assert sess._c.placement() == {"a": CPU0}


def test_malformed_node_device():
    x = tf.constant(1.0, name="x")
    x.op._set_device("/foo:bar")  # only a hand-written GraphDef can carry this
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Malformed device specification '/foo:bar'"):
            sess.run(x)


# ---- matching ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,expected", [
    ("", CPU0), ("/job:localhost", CPU0), ("/cpu:*", CPU0), ("/device:CPU", CPU0), ("/CPU:1", CPU1),
    ("/job:localhost/replica:0/task:0/device:CPU:1", CPU1), ("/replica:0/task:0", CPU0), ("/device:cpu:1", CPU1),
    ("/job:*/device:CPU:1", CPU1),
])
def test_partial_and_raw_specs_match(spec, expected):
    # Raw NodeDef device strings (as an imported GraphDef carries them), parsed by the runtime.
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.identity(x, name="y")
    y.op._set_device(spec)
    with tf.Session(config=config(device_count={"CPU": 2})) as sess:
        assert sess.run(y, {x: 3.0}) == 3.0
        assert sess._c.placement() == {"y": expected}


def test_ops_on_cpu1_run_there(capfd):
    x = tf.placeholder(tf.float32, [None], name="x")
    with tf.device("/device:CPU:1"):
        y = tf.square(x, name="y")
    z = tf.reduce_sum(y, name="z")
    with tf.Session(config=config(device_count={"CPU": 2}, log_device_placement=True)) as sess:
        assert sess.run(z, {x: [1.0, 2.0]}) == 5.0
    log = dict((n, d) for n, _, d in placement_log(capfd.readouterr().err))
    assert log["y"] == CPU1
    assert log["z"] == CPU0
    assert "x" not in log  # fed, so pruned from the plan


# ---- heuristics -------------------------------------------------------------------------------

def test_generators_follow_their_consumers():
    shared = tf.constant(1.0, name="shared")
    c1 = tf.constant(5.0, name="c1")
    with tf.device("/cpu:1"):
        y = tf.add(c1, shared, name="y")
    z = tf.add(shared, 1.0, name="z")
    with tf.Session(config=config(device_count={"CPU": 2})) as sess:
        sess.run([y, z])
        p = sess._c.placement()
    assert p["c1"] == CPU1  # only consumer is on CPU:1
    assert p["shared"] == CPU0  # consumers on two devices: the default
    assert p["y"] == CPU1 and p["z"] == CPU0


def test_metadata_ops_follow_their_input():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.device("/cpu:1"):
        y = tf.identity(x, name="y")
    s = tf.shape(y, name="s")
    with tf.Session(config=config(device_count={"CPU": 2})) as sess:
        np.testing.assert_array_equal(sess.run(s, {x: np.zeros((2, 3))}), [2, 3])
        assert sess._c.placement()["s"] == CPU1


# ---- colocation -------------------------------------------------------------------------------

def test_colocated_ops_share_the_device_of_the_group():
    a = tf.constant(1.0, name="a")
    with ops_lib.colocate_with(a):
        with tf.device("/cpu:1"):
            b = tf.identity(a, name="b")
    assert b.op.device == "/device:CPU:1"
    assert b.op.get_attr("_class") == [b"loc:@a"]
    with tf.Session(config=config(device_count={"CPU": 2})) as sess:
        sess.run(a)  # a alone: its group (a, b) asks for CPU:1
        assert sess._c.placement() == {"a": CPU1}
        sess.run(b)
        assert sess._c.placement() == {"a": CPU1, "b": CPU1}


def test_colocation_conflict_message_and_soft_placement():
    with tf.device("/cpu:1"):
        a = tf.constant(1.0, name="a")
    with ops_lib.colocate_with(a):
        b = tf.identity(a, name="b")
    b.op._set_device("/device:CPU:0")
    with tf.Session(config=config(device_count={"CPU": 2})) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(b)
    assert info.value.message == ("Cannot colocate nodes a and b: Cannot merge devices with incompatible ids: "
                                  "'/device:CPU:1' and '/device:CPU:0'")
    with tf.Session(config=config(device_count={"CPU": 2}, allow_soft_placement=True)) as sess:
        assert sess.run(b) == 1.0
        p = sess._c.placement()
        assert p["a"] == p["b"]


def test_colocated_with_unsatisfiable_group():
    with tf.device("/gpu:0"):
        a = tf.constant(1.0, name="a")
    with ops_lib.colocate_with(a):
        b = tf.identity(a, name="b")
    b.op._set_device("")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(b)
    assert info.value.message == (
        "Cannot assign a device for operation b: Could not satisfy explicit device specification '' because the "
        "node b was colocated with a group of nodes that required incompatible device '/device:GPU:0'. All "
        f"available devices [{CPU0}].")


# ---- once per plan ----------------------------------------------------------------------------

def test_each_node_is_placed_and_logged_once(capfd):
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.add(x, 1.0, name="y")
    z = tf.multiply(y, 2.0, name="z")
    with tf.Session(config=config(log_device_placement=True)) as sess:
        capfd.readouterr()
        for v in range(3):
            assert sess.run(y, {x: v}) == v + 1
        first = placement_log(capfd.readouterr().err)
        assert sorted(n for n, _, _ in first) == ["Const", "y"]
        assert sess.run(z, {x: 1.0}) == 4.0
        second = placement_log(capfd.readouterr().err)
        assert sorted(n for n, _, _ in second) == ["Const_1", "z"]  # y was placed by the first plan
        fn = sess.make_callable(z, [x])
        assert fn(2.0) == 6.0
        assert capfd.readouterr().err == ""
