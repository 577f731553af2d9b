"""Session.partial_run_setup / partial_run: incremental steps, TF's errors, handle lifetime."""
import threading

import numpy as np
import pytest

import graphrt as tf
from graphrt.framework import dtypes
from graphrt.ops import array_ops, math_ops


def _abc():
    a = array_ops.placeholder(dtypes.float32, shape=[])
    b = array_ops.placeholder(dtypes.float32, shape=[])
    c = array_ops.placeholder(dtypes.float32, shape=[])
    r1 = math_ops.add(a, b)
    r2 = math_ops.multiply(r1, c)
    return a, b, c, r1, r2


def test_seed_page_example_verbatim():
    with tf.Session() as sess:
        a = array_ops.placeholder(dtypes.float32, shape=[])
        b = array_ops.placeholder(dtypes.float32, shape=[])
        c = array_ops.placeholder(dtypes.float32, shape=[])
        r1 = math_ops.add(a, b)
        r2 = math_ops.multiply(r1, c)
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        res = sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
        res = sess.partial_run(h, r2, feed_dict={c: res})
        assert res == 9.0
        assert isinstance(res, np.float32)
        # Completed: every feed fed and every fetch fetched, so the handle is gone.
        assert sess._c.num_partial_runs == 0
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"^Must run 'setup' before performing partial runs!$"):
            sess.partial_run(h, r2, feed_dict={c: 1.0})


def test_unspecified_feed():
    a, b, c, r1, _ = _abc()
    with tf.Session() as sess:
        h = sess.partial_run_setup([r1], [a, b])
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            sess.partial_run(h, r1, feed_dict={a: 1, b: 2, c: 3})
        assert str(e.value.message) == f"The feed {c.name} was not specified in partial_run_setup."
        # The failed check does not end the partial run.
        assert sess.partial_run(h, r1, feed_dict={a: 1, b: 2}) == 3.0


def test_unspecified_fetch():
    a, b, c, r1, r2 = _abc()
    with tf.Session() as sess:
        h = sess.partial_run_setup([r1], [a, b, c])
        with pytest.raises(tf.errors.InvalidArgumentError, match="was not specified in partial_run_setup.$") as e:
            sess.partial_run(h, r2, feed_dict={a: 1, c: 3})
        assert e.value.message == f"The fetch {r2.name} was not specified in partial_run_setup."


def test_already_fed():
    a, b, c, r1, r2 = _abc()
    with tf.Session() as sess:
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
        with pytest.raises(tf.errors.InvalidArgumentError, match="has already been fed.$") as e:
            sess.partial_run(h, r2, feed_dict={a: 1, c: 3})
        assert e.value.message == f"The feed {a.name} has already been fed."
        assert sess.partial_run(h, r2, feed_dict={c: 3}) == 9.0


def test_already_fetched():
    a, b, c, r1, r2 = _abc()
    with tf.Session() as sess:
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
        with pytest.raises(tf.errors.InvalidArgumentError, match="has already been fetched.$") as e:
            sess.partial_run(h, r1, feed_dict={c: 3})
        assert e.value.message == f"The fetch {r1.name} has already been fetched."


def test_unknown_handle():
    a, b, c, r1, _ = _abc()
    with tf.Session() as sess:
        sess.partial_run_setup([r1], [a, b])
        with pytest.raises(tf.errors.InvalidArgumentError, match="^Must run 'setup' before performing partial runs!$"):
            sess.partial_run("no-such-handle", r1, feed_dict={a: 1, b: 2})


def test_fetch_not_computable_yet():
    a, b, c, r1, r2 = _abc()
    with tf.Session() as sess:
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        with pytest.raises(tf.errors.InvalidArgumentError, match="can't be computed from the feeds that have been fed so far"):
            sess.partial_run(h, r2, feed_dict={a: 1, b: 2})
        # Nothing was fed by the failed call.
        assert sess.partial_run(h, r2, feed_dict={a: 1, b: 2, c: 4}) == 12.0
        assert sess.partial_run(h, r1) == 3.0
        assert sess._c.num_partial_runs == 0


def test_missing_placeholder_feed_fails_and_frees_handle():
    x = array_ops.placeholder(dtypes.float32, shape=())
    fetches = [x * 2, x * 3]
    with tf.Session() as sess:
        handle = sess.partial_run_setup(fetches=fetches, feeds=[])
        with pytest.raises(tf.errors.InvalidArgumentError, match="You must feed a value for placeholder"):
            sess.partial_run(handle, fetches[0])
        assert sess._c.num_partial_runs == 0
        with pytest.raises(tf.errors.InvalidArgumentError, match="Must run 'setup'"):
            sess.partial_run(handle, fetches[1])


def test_kernel_error_ends_the_partial_run():
    a = array_ops.placeholder(dtypes.float32, shape=None)
    b = array_ops.placeholder(dtypes.float32, shape=None)
    s = a + b
    with tf.Session() as sess:
        h = sess.partial_run_setup([s], [a, b])
        sess.partial_run(h, [], feed_dict={a: np.ones(3, np.float32)})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes") as e:
            sess.partial_run(h, s, feed_dict={b: np.ones(4, np.float32)})
        assert e.value.op is s.op
        assert sess._c.num_partial_runs == 0


def test_invalid_setup_and_closed_session():
    x = array_ops.placeholder(dtypes.float32, shape=[])
    y = x + 1.0
    sess = tf.Session()
    with pytest.raises(tf.errors.InvalidArgumentError, match="specify at least one target to fetch or execute."):
        sess.partial_run_setup(fetches=[], feeds=[x])
    with pytest.raises(TypeError, match="Cannot interpret feed_list key as Tensor"):
        sess.partial_run_setup([y], [3])
    h = sess.partial_run_setup([y], [x])
    assert sess._c.num_partial_runs == 1
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.partial_run(h, y, feed_dict={x: 1.0})
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.partial_run_setup([y], [x])


def test_close_frees_live_handles():
    a, b, c, r1, r2 = _abc()
    sess = tf.Session()
    handles = [sess.partial_run_setup([r1, r2], [a, b, c]) for _ in range(5)]
    sess.partial_run(handles[0], r1, feed_dict={a: 1, b: 2})
    assert sess._c.num_partial_runs == 5
    sess.close()  # drops every partial run
    assert sess._c.num_partial_runs == 0


def test_empty_fetches_and_no_feeds():
    a = array_ops.placeholder(dtypes.float32)
    b = a * 2.0
    with tf.Session() as sess:
        h = sess.partial_run_setup(fetches=[b], feeds=[a])
        assert sess.partial_run(h, [], {a: 3.0}) == []
        assert sess.partial_run(h, [b], {}) == [6.0]
        r1 = tf.constant([6.0])
        h = sess.partial_run_setup([r1])
        np.testing.assert_array_equal(sess.partial_run(h, r1), [6.0])


def test_interleaved_handles():
    a, b, c, r1, r2 = _abc()
    with tf.Session() as sess:
        h1 = sess.partial_run_setup([r1], [a, b, c])
        h2 = sess.partial_run_setup([r1, r2], [a, b, c])
        assert h1 != h2
        res = sess.partial_run(h1, r1, feed_dict={a: 1, b: 2})
        assert res == 3
        res = sess.partial_run(h2, r1, feed_dict={a: res * 19, b: 9})
        assert res == 66
        assert sess.partial_run(h2, r2, feed_dict={c: 7}) == 462
        # h1 still waits for c (declared, never fed); h2 is complete.
        assert sess._c.num_partial_runs == 1
        sess.partial_run(h1, [], feed_dict={c: 0})
        assert sess._c.num_partial_runs == 0


def test_many_partial_run_steps():
    steps = 200
    inputs, outputs = [], []
    a = tf.constant(2.0, dtypes.float32)
    for i in range(steps):
        inputs.append(array_ops.placeholder(dtypes.float32, shape=[]))
        a = math_ops.multiply(a, inputs[i])
        outputs.append(a)
    with tf.Session() as sess:
        h = sess.partial_run_setup(outputs, inputs)
        res = None
        for i in range(steps):
            res = sess.partial_run(h, outputs[i], feed_dict={inputs[i]: 1.0 + (i == 7)})
        assert res == 4.0
        res = sess.run(outputs, {t: 1.0 for t in inputs})
        assert len(res) == steps and res[-1] == 2.0


def test_run_and_partial_run_agree_and_structures():
    a = tf.constant(2.0, dtypes.float32)
    b = a * 2
    c = b * 3
    x = array_ops.placeholder(dtypes.int64, shape=[None])
    d = tf.reduce_sum(x)
    with tf.Session() as sess:
        r1 = sess.run([b, c])
        h = sess.partial_run_setup({"b": b, "c": c, "d": d}, [x])
        assert sess.partial_run(h, [b, c]) == r1
        out = sess.partial_run(h, {"d": d}, feed_dict={x: [1, 2, 3]})
        assert out == {"d": 6} and out["d"].dtype == np.int64


def test_targets_run_and_partial_run_rejects_operations():
    v = tf.Variable(0.0, name="v")
    x = array_ops.placeholder(dtypes.float32, shape=[])
    upd = tf.assign_add(v, x) if hasattr(tf, "assign_add") else v.assign_add(x)
    y = x * 10.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        h = sess.partial_run_setup([y, upd.op], [x])
        with pytest.raises(RuntimeError, match=r"partial_run\(\) requires empty target_list."):
            sess.partial_run(h, upd.op, feed_dict={x: 5.0})
        assert sess.partial_run(h, y, feed_dict={x: 5.0}) == 50.0
        assert sess.run(v) == 5.0  # the target ran as part of the partial run
        assert sess.partial_run(None, y, feed_dict={x: 1.0}) == 10.0  # handle None: a plain run


def test_fed_array_is_copied_between_calls():
    a = array_ops.placeholder(dtypes.float32, shape=[3])
    b = array_ops.placeholder(dtypes.float32, shape=[3])
    s = a + b
    arr = np.array([1.0, 2.0, 3.0], np.float32)
    with tf.Session() as sess:
        h = sess.partial_run_setup([s], [a, b])
        sess.partial_run(h, [], feed_dict={a: arr})
        arr[:] = 100.0  # the partial run keeps what was fed, not the caller's buffer
        np.testing.assert_array_equal(sess.partial_run(h, s, feed_dict={b: np.ones(3, np.float32)}), [2, 3, 4])


def test_parallel_branches_on_the_pool():
    # Several expensive nodes become ready at once when the feed arrives: some run on pool threads.
    x = array_ops.placeholder(dtypes.float32, shape=[64, 64])
    w = array_ops.placeholder(dtypes.float32, shape=[64, 64])
    branches = [tf.matmul(x, x * float(i + 1)) for i in range(6)]
    total = tf.add_n(branches)
    out = tf.matmul(total, w)
    xv = np.random.RandomState(0).rand(64, 64).astype(np.float32)
    wv = np.random.RandomState(1).rand(64, 64).astype(np.float32)
    config = tf.ConfigProto(inter_op_parallelism_threads=4)
    with tf.Session(config=config) as sess:
        for _ in range(5):
            h = sess.partial_run_setup([total, out], [x, w])
            t = sess.partial_run(h, total, feed_dict={x: xv})
            np.testing.assert_allclose(t, 21.0 * xv @ xv, rtol=1e-4)
            np.testing.assert_allclose(sess.partial_run(h, out, feed_dict={w: wv}), t @ wv, rtol=1e-4)
        assert sess._c.num_partial_runs == 0


def test_partial_runs_from_many_threads():
    a, b, c, r1, r2 = _abc()
    errors = []
    with tf.Session() as sess:
        def worker(k):
            try:
                for i in range(100):
                    h = sess.partial_run_setup([r1, r2], [a, b, c])
                    s = sess.partial_run(h, r1, feed_dict={a: k, b: i})
                    p = sess.partial_run(h, r2, feed_dict={c: 2.0})
                    assert s == k + i and p == 2.0 * (k + i)
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert sess._c.num_partial_runs == 0


def test_close_cancels_an_in_flight_partial_run():
    import time
    x = array_ops.placeholder(dtypes.int32, shape=[])
    forever = tf.while_loop(lambda i: i >= 0, lambda i: i + 1, [x])
    sess = tf.Session()
    h = sess.partial_run_setup([forever], [x])
    caught = []
    started = threading.Event()

    def worker():
        started.set()
        try:
            sess.partial_run(h, forever, feed_dict={x: 0})
        except Exception as e:  # noqa: BLE001
            caught.append(e)

    t = threading.Thread(target=worker, daemon=True)
    t.start()
    # The partial run must be inside the session before close: one that starts after it raises
    # RuntimeError("Attempted to use a closed Session.") instead of being cancelled. The sleep lets
    # it get from the event into the step.
    assert started.wait(10), "worker thread did not start"
    time.sleep(0.3)
    assert t.is_alive()
    t0 = time.perf_counter()
    sess.close()
    t.join(10)
    assert not t.is_alive()
    assert time.perf_counter() - t0 < 10.0  # close cancels the step: a hang check, not a timing one
    assert len(caught) == 1 and isinstance(caught[0], tf.errors.CancelledError), caught
    assert sess._c.num_partial_runs == 0
