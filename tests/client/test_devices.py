"""Devices and session configuration: list_devices, device_count, DeviceSpec, device scopes and
functions, colocate_with, targets, thread pools (sizes observable through the runtime and through
the process's thread count) and GraphOptions."""
from __future__ import annotations

import gc
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrt as tf
from graphrt import _core
from graphrt.client import config as config_lib
from graphrt.framework import ops as ops_lib

CPU = "/job:localhost/replica:0/task:0/device:CPU:{}"


# ---- list_devices / device_count ---------------------------------------------------------------

def test_list_devices_default():
    with tf.Session() as sess:
        devs = sess.list_devices()
        again = sess.list_devices()
    assert len(devs) == 1
    d = devs[0]
    assert d.name == CPU.format(0)
    assert d.device_type == "CPU"
    assert d.memory_limit_bytes == os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert isinstance(d.incarnation, int) and 0 < d.incarnation < 2 ** 64
    assert again[0].incarnation == d.incarnation  # stable for the session
    assert repr(d) == f"_DeviceAttributes({d.name}, CPU, {d.memory_limit_bytes}, {d.incarnation})"
    with pytest.raises(AttributeError):
        d.name = "x"


def test_device_count_creates_cpu_devices():
    with tf.Session(config=tf.ConfigProto(device_count={"CPU": 3, "GPU": 2})) as sess:
        devs = sess.list_devices()
    assert [d.name for d in devs] == [CPU.format(i) for i in range(3)]
    assert all(d.device_type == "CPU" for d in devs)
    assert len({d.incarnation for d in devs}) == 3
    with tf.Session(config=tf.ConfigProto(device_count={"GPU": 1})) as sess:
        assert [d.name for d in sess.list_devices()] == [CPU.format(0)]


def test_incarnations_differ_between_sessions():
    with tf.Session() as s1, tf.Session() as s2:
        assert s1.list_devices()[0].incarnation != s2.list_devices()[0].incarnation


@pytest.mark.parametrize("n", [0, -1])
def test_no_cpu_devices(n):
    with pytest.raises(tf.errors.NotFoundError, match="No CPU devices are available in this process"):
        tf.Session(config=tf.ConfigProto(device_count={"CPU": n}))


# ---- DeviceSpec -------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,fields,canonical", [
    ("/job:localhost/replica:0/task:0/device:CPU:0", ("localhost", 0, 0, "CPU", 0),
     "/job:localhost/replica:0/task:0/device:CPU:0"),
    ("/cpu:0", (None, None, None, "CPU", 0), "/device:CPU:0"),
    ("/GPU:1", (None, None, None, "GPU", 1), "/device:GPU:1"),
    ("/gpu:*", (None, None, None, "GPU", None), "/device:GPU:*"),
    ("cpu", (None, None, None, "CPU", None), "/device:CPU:*"),
    ("/device:cpu:2", (None, None, None, "CPU", 2), "/device:CPU:2"),
    ("/device:XLA_CPU:0", (None, None, None, "XLA_CPU", 0), "/device:XLA_CPU:0"),
    ("/device:CPU", (None, None, None, "CPU", None), "/device:CPU:*"),
    ("/job:ps", ("ps", None, None, None, None), "/job:ps"),
    ("/replica:1/task:2", (None, 1, 2, None, None), "/replica:1/task:2"),
    ("", (None, None, None, None, None), ""),
])
def test_device_spec_parse(spec, fields, canonical):
    d = tf.DeviceSpec.from_string(spec)
    assert (d.job, d.replica, d.task, d.device_type, d.device_index) == fields
    assert d.to_string() == canonical


@pytest.mark.parametrize("spec,message", [
    ("/foo:1", "Unknown attribute: 'foo' in '/foo:1'"),
    ("/cpu:0/gpu:0", "Cannot specify multiple device types: /cpu:0/gpu:0"),
    ("/device:CPU:x", "invalid literal for int: /device:CPU:x"),
])
def test_device_spec_errors(spec, message):
    with pytest.raises(ValueError) as info:
        tf.DeviceSpec.from_string(spec)
    assert str(info.value) == message
    with pytest.raises(ValueError):
        tf.device(spec).__enter__()  # parsed when the scope is entered


def test_device_spec_fields_and_merging():
    d = tf.DeviceSpec(job="ps", device_type="cpu", device_index=0)
    assert d.device_type == "CPU" and d.to_string() == "/job:ps/device:CPU:0"
    assert tf.DeviceSpec(device_type="Cpu").device_type == "Cpu"  # only "cpu"/"gpu" are normalized
    d.task = "3"
    d.device_type = "gpu"
    assert d.task == 3 and d.to_string() == "/job:ps/task:3/device:GPU:0"
    d.merge_from(tf.DeviceSpec(job="worker", device_index=1))
    assert d.to_string() == "/job:worker/task:3/device:GPU:1"
    outer = tf.DeviceSpec(job="train", device_type="CPU")
    merged = outer.make_merged_spec(tf.DeviceSpec(device_type="GPU", device_index=1))
    assert merged.to_string() == "/job:train/device:GPU:1"
    assert outer.to_string() == "/job:train/device:CPU:*"  # unchanged
    assert merged.replace(job=None).to_string() == "/device:GPU:1"
    p = tf.DeviceSpec(job="x")
    assert p.parse_from_string("/cpu:1") is p and p.to_string() == "/device:CPU:1"
    assert tf.DeviceSpec.from_string("/cpu:0") == tf.DeviceSpec(device_type="CPU", device_index=0)
    assert hash(tf.DeviceSpec.from_string("/cpu:0")) == hash(tf.DeviceSpec.from_string("/device:CPU:0"))
    assert tf.DeviceSpec.from_string("/cpu:0") != tf.DeviceSpec.from_string("/cpu:1")


_names = st.none() | st.sampled_from(["localhost", "ps", "worker"])
_ints = st.none() | st.integers(0, 12)
_types = st.none() | st.sampled_from(["CPU", "GPU", "TPU"])


@settings(max_examples=50, deadline=None)
@given(_names, _ints, _ints, _types, _ints, _names, _ints, _ints, _types, _ints)
def test_device_spec_roundtrip_and_merge(j1, r1, t1, d1, i1, j2, r2, t2, d2, i2):
    a = tf.DeviceSpec(j1, r1, t1, d1, i1)
    b = tf.DeviceSpec(j2, r2, t2, d2, i2)
    assert tf.DeviceSpec.from_string(a.to_string()).to_string() == a.to_string()
    m = a.make_merged_spec(b)
    for f in ("job", "replica", "task", "device_type"):
        assert getattr(m, f) == (getattr(b, f) if getattr(b, f) is not None else getattr(a, f))
    assert m.device_index == (i2 if i2 is not None else i1)


# ---- device scopes ----------------------------------------------------------------------------

def test_nested_device_scopes_merge():
    with tf.device("/job:worker/replica:0"):
        a = tf.constant(1.0)
        with tf.device("/task:1/cpu:0"):
            b = tf.constant(1.0)
            with tf.device(tf.DeviceSpec(job="ps", device_type="GPU", device_index=2)):
                c = tf.constant(1.0)
            with tf.device(""):  # a null merge: changes nothing
                d = tf.constant(1.0)
            with tf.device(None):
                e = tf.constant(1.0)
                with tf.device("/cpu:1"):
                    f = tf.constant(1.0)
    assert a.op.device == "/job:worker/replica:0"
    assert b.op.device == "/job:worker/replica:0/task:1/device:CPU:0"
    assert c.op.device == "/job:ps/replica:0/task:1/device:GPU:2"
    assert d.op.device == b.op.device
    assert e.op.device == ""
    assert f.op.device == "/device:CPU:1"


def test_device_spec_scope_is_a_snapshot():
    spec = tf.DeviceSpec(device_type="CPU", device_index=0)
    with tf.device(spec):
        spec.device_index = 1
        a = tf.constant(1.0)
    assert a.op.device == "/device:CPU:0"


def test_device_functions():
    def by_type(op):
        return "/gpu:0" if op.type == "MatMul" else tf.DeviceSpec(device_type="CPU", device_index=1)

    with tf.device("/job:ps"):
        with tf.device(by_type):
            x = tf.ones([2, 2])
            m = tf.matmul(x, x)
    assert m.op.device == "/job:ps/device:GPU:0"
    assert x.op.device == "/job:ps/device:CPU:1"
    seen = []
    with tf.device(lambda op: seen.append(op.device) or None):
        with tf.device("/cpu:1"):
            y = tf.constant(1.0)
    assert seen == ["/device:CPU:1"]  # a function sees the device set by inner scopes ...
    assert y.op.device == ""  # ... and its result replaces it


def test_device_scope_bad_nesting():
    g = tf.get_default_graph()
    outer, inner = g.device("/cpu:0"), g.device("/cpu:1")
    outer.__enter__()
    inner.__enter__()
    with pytest.raises(RuntimeError, match="Exiting device scope without proper scope nesting."):
        outer.__exit__(None, None, None)


# ---- colocate_with ----------------------------------------------------------------------------

def test_colocate_with_sets_class_and_device():
    with tf.device("/cpu:1"):
        a = tf.constant(1.0, name="a")
    with tf.device("/job:ps"):  # device scopes from outside do not apply inside colocate_with
        with ops_lib.colocate_with(a):
            b = tf.identity(a, name="b")
            with tf.device("/cpu:0"):
                c = tf.identity(a, name="c")  # the colocated op's device wins
        d = tf.identity(a, name="d")
    assert b.op.get_attr("_class") == [b"loc:@a"]
    assert b.op.device == c.op.device == "/device:CPU:1"
    assert c.op.get_attr("_class") == [b"loc:@a"]
    assert d.op.device == "/job:ps"
    with pytest.raises(ValueError):
        d.op.get_attr("_class")
    nd = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    assert list(nd["b"].attr["_class"].list.s) == [b"loc:@a"]
    with tf.Session(config=tf.ConfigProto(device_count={"CPU": 2})) as sess:
        assert sess.run([b, c]) == [1.0, 1.0]


def test_colocate_with_nesting_and_groups():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    with ops_lib.colocate_with(b.op):
        with ops_lib.colocate_with(a):
            c = tf.add(a, b, name="c")
        with ops_lib.colocate_with(a, ignore_existing=True):
            d = tf.identity(a, name="d")
        with ops_lib.colocate_with(None, ignore_existing=True):
            e = tf.identity(a, name="e")
    with ops_lib.colocate_with(c):  # c's own groups, not loc:@c
        f = tf.identity(c, name="f")
    assert c.op.get_attr("_class") == [b"loc:@a", b"loc:@b"]
    assert d.op.get_attr("_class") == [b"loc:@a"]
    with pytest.raises(ValueError):
        e.op.get_attr("_class")
    assert f.op.get_attr("_class") == [b"loc:@a", b"loc:@b"]
    with pytest.raises(ValueError, match="Trying to reset colocation"):
        with ops_lib.colocate_with(None):
            pass


def test_colocate_with_anything_that_has_an_op():
    class VariableLike:  # how a Variable hooks in: its .op is the op to colocate with
        def __init__(self, t):
            self._t = t

        @property
        def op(self):
            return self._t.op

    with tf.device("/cpu:1"):
        v = tf.constant([1.0, 2.0], name="v")
    with tf.get_default_graph().colocate_with(VariableLike(v)):
        r = tf.identity(v, name="read")
    assert r.op.get_attr("_class") == [b"loc:@v"]
    assert r.op.device == "/device:CPU:1"


# ---- target -----------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["", "local", b"local"])
def test_in_process_targets(target):
    a = tf.constant(3.0)
    with tf.Session(target) as sess:
        assert sess.run(a) == 3.0
        assert sess.sess_str == (target.decode() if isinstance(target, bytes) else target)
    tf.Session.reset(target)


@pytest.mark.parametrize("target", ["grpc://localhost:2222", "localhost:2222", "remote"])
def test_other_targets_raise_naming_the_target(target):
    with pytest.raises(tf.errors.UnimplementedError) as info:
        tf.Session(target)
    assert repr(target) in info.value.message
    with pytest.raises(tf.errors.UnimplementedError):
        tf.Session.reset(target)


# ---- thread pools -----------------------------------------------------------------------------

def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.fixture
def no_gc():
    """No collection (which could end another test's session, and its threads) while counting."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def test_thread_counts_are_honoured_and_real(no_gc):
    before = _threads()
    sess = tf.Session(config=tf.ConfigProto(inter_op_parallelism_threads=5, intra_op_parallelism_threads=3,
                                            use_per_session_threads=True))
    assert sess._c.inter_op_threads == 5 and sess._c.intra_op_threads == 3
    (pool,) = sess._c.inter_op_pools
    assert pool["num_threads"] == 5 and pool["owned"]
    assert _threads() - before == (5 - 1) + (3 - 1)  # the calling thread is the extra one
    a = tf.constant(2.0)
    assert sess.run(a * a) == 4.0
    assert _core._debug_last_inter_op_pool() == pool["id"]
    sess.close()
    del sess
    gc.collect()
    assert _threads() == before  # an owned pool goes with its session


def test_default_inter_op_pool_is_shared_per_size(no_gc):
    cfg = tf.ConfigProto(inter_op_parallelism_threads=3, intra_op_parallelism_threads=1)
    with tf.Session(config=cfg) as s1:
        before = _threads()
        with tf.Session(config=cfg) as s2:
            assert _threads() == before  # no new inter-op threads (and intra=1 adds none)
            p1, p2 = s1._c.inter_op_pools[0], s2._c.inter_op_pools[0]
            assert p1["id"] == p2["id"] and not p1["owned"] and p1["num_threads"] == 3
        own = tf.Session(config=tf.ConfigProto(inter_op_parallelism_threads=3, use_per_session_threads=True))
        assert own._c.inter_op_pools[0]["id"] != p1["id"]
        own.close()


def test_negative_inter_op_runs_in_the_caller_thread():
    with tf.Session(config=tf.ConfigProto(inter_op_parallelism_threads=-1)) as sess:
        assert sess._c.inter_op_threads == 1
        assert sess.run(tf.constant(1.0) + 1.0) == 2.0
        assert _core._debug_last_inter_op_pool() == 0
    with pytest.raises(ValueError):
        tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=-1))


def test_session_inter_op_thread_pools_and_run_options():
    cfg = tf.ConfigProto(inter_op_parallelism_threads=2)
    cfg.session_inter_op_thread_pool.add(num_threads=3)
    cfg.session_inter_op_thread_pool.add()  # 0: inter_op_parallelism_threads
    cfg.session_inter_op_thread_pool.add(num_threads=1)
    x = tf.placeholder(tf.float32, [])
    y = x * 2.0
    with tf.Session(config=cfg) as sess:
        pools = sess._c.inter_op_pools
        assert [p["num_threads"] for p in pools] == [3, 2, 1]
        assert sess._c.inter_op_threads == 3
        assert len({p["id"] for p in pools}) == 3
        for i in range(3):
            assert sess.run(y, {x: i}, options=tf.RunOptions(inter_op_thread_pool=i)) == 2.0 * i
            assert _core._debug_last_inter_op_pool() == pools[i]["id"]
        assert sess.run(y, {x: 1.0}, options=tf.RunOptions(inter_op_thread_pool=-1)) == 2.0
        assert _core._debug_last_inter_op_pool() == 0
        for bad in (3, -2):
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(y, {x: 1.0}, options=tf.RunOptions(inter_op_thread_pool=bad))
            assert info.value.message == f"Invalid inter_op_thread_pool: {bad}"
        fn = sess.make_callable(y, [x], accept_options=True)
        assert fn(4.0, options=tf.RunOptions(inter_op_thread_pool=2)) == 8.0
        assert _core._debug_last_inter_op_pool() == pools[2]["id"]
        assert fn(4.0) == 8.0
        assert _core._debug_last_inter_op_pool() == pools[0]["id"]


def test_global_named_pools():
    name = f"test_pool_{os.getpid()}"
    cfg = tf.ConfigProto(session_inter_op_thread_pool=[config_lib.ThreadPoolOptionProto(num_threads=2,
                                                                                        global_name=name)])
    with tf.Session(config=cfg) as s1, tf.Session(config=cfg) as s2:
        p1, p2 = s1._c.inter_op_pools[0], s2._c.inter_op_pools[0]
        assert p1["id"] == p2["id"] and p1["global_name"] == name and not p1["owned"]
    bad = tf.ConfigProto(session_inter_op_thread_pool=[{"num_threads": 3, "global_name": name}])
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.Session(config=bad)
    assert info.value.message == (f"Pool {name} configured previously with num_threads=2; cannot re-configure "
                                  "with num_threads=3")
    with pytest.raises(ValueError):
        tf.Session(config=tf.ConfigProto(session_inter_op_thread_pool=[{"num_threads": -1}]))


# ---- graph options / other fields -------------------------------------------------------------

def test_graph_options_switches():
    with tf.Session() as sess:
        assert sess._c.optimizer_switches and all(sess._c.optimizer_switches.values())
        assert sess._c.operation_timeout_in_ms == 0
    RC = config_lib.RewriterConfig
    cfg = tf.ConfigProto(operation_timeout_in_ms=1500)
    cfg.graph_options.rewrite_options.constant_folding = RC.OFF
    cfg.graph_options.rewrite_options.arithmetic_optimization = RC.OFF
    with tf.Session(config=cfg) as sess:
        sw = sess._c.optimizer_switches
        assert sw["constant_folding"]  # the classic optimizer (L1) still folds, as in TF
        assert not sw["arithmetic_optimization"]
        assert sess._c.operation_timeout_in_ms == 1500
    cfg.graph_options.optimizer_options.opt_level = tf.OptimizerOptions.L0
    with tf.Session(config=cfg) as sess:
        assert not sess._c.optimizer_switches["constant_folding"]
        assert sess._c.optimizer_switches["common_subexpression_elimination"]
    cfg = tf.ConfigProto(graph_options=tf.GraphOptions(
        optimizer_options=tf.OptimizerOptions(opt_level=tf.OptimizerOptions.L0,
                                              global_jit_level=tf.OptimizerOptions.OFF),
        rewrite_options=RC(disable_meta_optimizer=True)))
    assert tf.OptimizerOptions.OFF == -1
    with tf.Session(config=cfg) as sess:
        assert not any(sess._c.optimizer_switches.values())
        assert sess.run(tf.constant(np.float32(2.5))) == 2.5
