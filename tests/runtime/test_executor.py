"""Executor behaviour: pruning, parallel branches, errors cancelling the step, cycles, threads,
concurrent runs, and a long loop with flat memory."""
import threading

import numpy as np
import pytest

import graphrt as tf
from graphrt import _core
from graphrt.framework.graph_def import GraphDef


def test_pruning_skips_unneeded_unfed_placeholders():
    x = tf.placeholder(tf.float32, [])
    unused = tf.placeholder(tf.float32, [])
    y = x * 2.0
    _ = unused + 1.0
    with tf.Session() as sess:
        assert sess.run(y, {x: 3.0}) == 6.0


@pytest.mark.parametrize("inter", [1, 2, 4])
def test_wide_graph_of_matmuls_is_exact(inter):
    rng = np.random.default_rng(0)
    mats = [rng.standard_normal((32, 32)).astype(np.float64) for _ in range(40)]
    x = tf.placeholder(tf.float64, [32, 32])
    total = tf.add_n([tf.matmul(x, tf.constant(m)) for m in mats])
    xv = rng.standard_normal((32, 32))
    cfg = tf.ConfigProto(inter_op_parallelism_threads=inter, intra_op_parallelism_threads=1)
    with tf.Session(config=cfg) as sess:
        out = sess.run(total, {x: xv})
    np.testing.assert_allclose(out, sum(xv @ m for m in mats), rtol=1e-10)


def test_failing_node_cancels_step_and_names_node():
    x = tf.placeholder(tf.int32, [None])
    bad = tf.floordiv(x, tf.constant([1, 0, 2]), name="bad_div")
    good = tf.identity(x * 2, name="good")
    out = tf.add(bad, good, name="sum")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="division by zero") as info:
            sess.run(out, {x: [1, 2, 3]})
        assert info.value.op.name == "bad_div"
        # The session stays usable.
        np.testing.assert_array_equal(sess.run(good, {x: [1, 2, 3]}), [2, 4, 6])


def test_cycle_in_imported_nodes_is_invalid_argument():
    g = GraphDef()
    a = g.node.add(name="a", op="Identity", input=["b"])
    a.attr["T"].type = 1
    b = g.node.add(name="b", op="Identity", input=["a"])
    b.attr["T"].type = 1
    sess = tf.Session(graph=tf.Graph())
    sess._c.extend(g.SerializeToString())
    with pytest.raises(tf.errors.InvalidArgumentError, match="cycle"):
        sess._c.make_plan([], ["a:0"], [])
    sess.close()


def test_extend_rejects_bad_graphs_atomically():
    sess = tf.Session(graph=tf.Graph())
    g = GraphDef()
    g.node.add(name="x", op="NoSuchOp")
    with pytest.raises(tf.errors.NotFoundError, match="NoSuchOp"):
        sess._c.extend(g.SerializeToString())
    g = GraphDef()
    n = g.node.add(name="y", op="Identity", input=["missing"])
    n.attr["T"].type = 1
    with pytest.raises(tf.errors.InvalidArgumentError, match="missing"):
        sess._c.extend(g.SerializeToString())
    g = GraphDef()
    g.node.add(name="n1", op="NoOp")
    g.node.add(name="n1", op="NoOp")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate"):
        sess._c.extend(g.SerializeToString())
    assert sess._c.num_nodes == 0
    sess.close()


def test_kernel_construction_error_names_node():
    g = GraphDef()
    n = g.node.add(name="c", op="Const")
    n.attr["dtype"].type = 1
    t = n.attr["value"].tensor
    t.dtype = 1
    t.tensor_shape.dim.add(size=4)
    t.tensor_content = b"\x00" * 5  # 5 bytes cannot hold 4 floats
    sess = tf.Session(graph=tf.Graph())
    sess._c.extend(g.SerializeToString())
    with pytest.raises(tf.errors.InvalidArgumentError, match="tensor_content"):
        sess._c.make_plan([], ["c:0"], [])
    sess.close()


def test_concurrent_runs_on_one_session_are_exact():
    x = tf.placeholder(tf.float64, [None])
    w = tf.constant(np.arange(64, dtype=np.float64).reshape(8, 8))
    y = tf.matmul(tf.reshape(x, [-1, 8]), w) * 2.0 + 1.0
    errors = []
    with tf.Session() as sess:
        def worker(seed):
            rng = np.random.default_rng(seed)
            try:
                for _ in range(50):
                    v = rng.standard_normal(16)
                    out = sess.run(y, {x: v})
                    np.testing.assert_allclose(out, (v.reshape(-1, 8) @ np.arange(64).reshape(8, 8)) * 2 + 1)
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors


def test_thousand_steps_memory_is_flat():
    import os
    x = tf.placeholder(tf.float32, [None])
    y = x * 2.0 + 1.0
    arr = np.ones(256 * 1024, np.float32)

    def rss():
        with open(f"/proc/{os.getpid()}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    with tf.Session() as sess:
        for _ in range(100):
            sess.run(y, {x: arr})
        live0 = _core.allocator_stats()["live_bytes"]
        rss0 = rss()
        for _ in range(1000):
            out = sess.run(y, {x: arr})
        live1 = _core.allocator_stats()["live_bytes"]
        rss1 = rss()
    assert out[0] == 3.0
    # The only live buffer is the last fetched result (and its predecessor's memory is back).
    assert live1 - live0 <= arr.nbytes
    assert rss1 - rss0 < 16 * 1024 * 1024


def test_graphrt_bench_harness_runs_a_written_graph(tmp_path):
    import os
    import subprocess
    bench = os.path.join(os.path.dirname(tf.__file__), "bin", "graphrt_bench")
    if not os.path.exists(bench):
        pytest.skip("graphrt_bench is installed with the wheel only")
    x = tf.placeholder(tf.float32, [None, 16], name="x")
    y = tf.matmul(x, tf.ones([16, 4]), name="y")
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "g.pb", as_text=False)
    out = subprocess.run([bench, path, "--fetch", "y:0", "--shape", "x=8,16", "--iters", "20", "--warmup", "2"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "p50=" in out.stdout and "Tensor<float32, [8,4]>" in out.stdout
    bad = subprocess.run([bench, path, "--fetch", "nope:0"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "nope" in bad.stderr


@pytest.mark.parametrize("intra", [1, 2, 3])
@pytest.mark.parametrize("shape", [(256, 256, 256), (1000, 40, 300), (64, 300, 700)])
def test_gemm_parallelized_by_the_intra_op_pool_not_openblas(intra, shape):
    # OpenBLAS's own threads stay unused (its count stays 1): the intra-op pool splits the product
    # by rows or by columns, and every split gives numpy's answer.
    m, k, n = shape
    rng = np.random.default_rng(m + n)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    x = tf.placeholder(tf.float32, [m, k])
    w = tf.placeholder(tf.float32, [k, n])
    y = tf.matmul(x, w)
    with tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=intra)) as sess:
        np.testing.assert_allclose(sess.run(y, {x: a, w: b}), a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)
        assert _core._debug_blas_threads() == 1


def test_repeated_step_allocates_no_step_metadata():
    x = tf.placeholder(tf.float32, [None])
    y = tf.reduce_sum(tf.exp(x) * 2.0 + x)
    cond_out = tf.cond(x[0] > 0, lambda: y + 1.0, lambda: y - 1.0)
    arr = np.ones(16, np.float32)
    with tf.Session(config=tf.ConfigProto(inter_op_parallelism_threads=1)) as sess:
        f = sess.make_callable([y, cond_out], [x])
        for _ in range(5):
            f(arr)
        before = _core._debug_step_buffer_allocations()
        for _ in range(200):
            out = f(arr)
        after = _core._debug_step_buffer_allocations()
    assert after == before
    np.testing.assert_allclose(out[0], 16 * (2 * np.e + 1), rtol=1e-6)
