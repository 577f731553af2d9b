"""Queues: FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue, PriorityQueue (TF1 semantics and errors).

Every blocking call in these tests is bounded: it runs in a thread joined with a timeout, and the
session is closed at the end (which cancels whatever is still blocked)."""
import threading
import time

import numpy as np
import pytest

import graphrt as tf


def run_in_thread(fn):
    """Starts fn in a daemon thread; returns (thread, result dict with 'value' or 'error').

    The thread's `started` event is set just before fn is called: a test that needs fn to be blocked
    waits for it (see wait_started) rather than guessing how long the thread takes to get going."""
    result = {}

    def body():
        t.started.set()
        try:
            result["value"] = fn()
        except BaseException as e:  # noqa: BLE001
            result["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.started = threading.Event()
    t.start()
    return t, result


def wait_started(*threads, timeout=10.0):
    """Waits until each run_in_thread thread is about to call its fn (a hang check, not a timing one)."""
    for t in threads:
        assert t.started.wait(timeout), "worker thread did not start"


@pytest.mark.parametrize("dtype,values", [
    (tf.float32, [1.5, -2.0, 3.25]),
    (tf.float64, [1e-300, 2.0, -3.0]),
    (tf.int32, [1, -2, 2**31 - 1]),
    (tf.int64, [2**40, -5, 0]),
    (tf.bool, [True, False, True]),
    (tf.string, [b"a", b"", b"hello world"]),
    (tf.float16, [0.5, 1.0, -2.0]),
    (tf.uint8, [0, 255, 7]),
])
def test_fifo_order_and_dtypes(dtype, values):
    q = tf.FIFOQueue(10, dtype, shapes=[[]])
    x = tf.placeholder(dtype, [])
    enq = q.enqueue(x)
    deq = q.dequeue()
    assert deq.dtype == dtype and deq.shape.as_list() == []
    with tf.Session() as sess:
        for v in values:
            sess.run(enq, {x: v})
        assert sess.run(q.size()) == len(values)
        got = [sess.run(deq) for _ in values]
    if dtype == tf.string:
        assert got == values
    else:
        np.testing.assert_array_equal(np.array(got), np.array(values, dtype=dtype.as_numpy_dtype))


def test_fifo_tuples_enqueue_many_dequeue_many_shapes():
    q = tf.FIFOQueue(10, [tf.float32, tf.int64], shapes=[[2], []])
    assert q.dtypes == [tf.float32, tf.int64]
    assert [s.as_list() for s in q.shapes] == [[2], []]
    a = np.arange(10, dtype=np.float32).reshape(5, 2)
    b = np.arange(5, dtype=np.int64) * 10
    enq = q.enqueue_many((a, b))
    dm = q.dequeue_many(3)
    assert dm[0].shape.as_list() == [3, 2] and dm[1].shape.as_list() == [3]
    up = q.dequeue_up_to(4)
    assert up[0].shape.as_list() == [None, 2]
    with tf.Session() as sess:
        sess.run(enq)
        x, y = sess.run(dm)
        np.testing.assert_array_equal(x, a[:3])
        np.testing.assert_array_equal(y, b[:3])
        sess.run(q.close())
        assert sess.run(q.is_closed())
        x, y = sess.run(up)  # closed: the remaining 2 of the 4 asked for
        np.testing.assert_array_equal(x, a[3:])
        np.testing.assert_array_equal(y, b[3:])
        with pytest.raises(tf.errors.OutOfRangeError, match="is closed and has insufficient elements"):
            sess.run(up)


def test_dequeue_many_insufficient_restores_elements():
    q = tf.FIFOQueue(10, tf.int32, shapes=[[]])
    with tf.Session() as sess:
        sess.run(q.enqueue_many([[1, 2, 3]]))
        sess.run(q.close())
        with pytest.raises(tf.errors.OutOfRangeError, match=r"requested 5, current size 3"):
            sess.run(q.dequeue_many(5))
        assert sess.run(q.size()) == 3
        np.testing.assert_array_equal(sess.run(q.dequeue_many(2)), [1, 2])
        assert sess.run(q.dequeue()) == 3
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(q.dequeue())


def test_dequeue_many_zero_and_negative():
    q = tf.FIFOQueue(10, [tf.float32, tf.string], shapes=[[3], []])
    n = tf.placeholder(tf.int32, [])
    dm = q.dequeue_many(n)
    with tf.Session() as sess:
        x, s = sess.run(dm, {n: 0})
        assert x.shape == (0, 3) and x.dtype == np.float32 and s.shape == (0,)
        with pytest.raises(tf.errors.InvalidArgumentError, match="< 0 elements"):
            sess.run(dm, {n: -1})


def test_dequeue_many_more_than_capacity():
    q = tf.FIFOQueue(2, tf.int32, shapes=[[]])
    x = tf.placeholder(tf.int32, [])
    enq = q.enqueue(x)
    dm = q.dequeue_many(5)
    with tf.Session() as sess:
        t, res = run_in_thread(lambda: sess.run(dm))
        for i in range(5):
            sess.run(enq, {x: i})
        t.join(5)
        assert not t.is_alive()
        np.testing.assert_array_equal(res["value"], np.arange(5))


def test_names_and_dict_enqueue():
    q = tf.FIFOQueue(5, [tf.int32, tf.float32], shapes=[[], [2]], names=["i", "f"])
    assert q.names == ["i", "f"]
    enq = q.enqueue({"f": [1.0, 2.0], "i": 7})
    out = q.dequeue()
    assert set(out) == {"i", "f"}
    with pytest.raises(ValueError, match="must enqueue a dictionary"):
        q.enqueue((1, [1.0, 2.0]))
    with pytest.raises(ValueError, match="do not match names"):
        q.enqueue({"i": 1, "g": [1.0, 2.0]})
    with tf.Session() as sess:
        sess.run(enq)
        got = sess.run(out)
    assert got["i"] == 7
    np.testing.assert_array_equal(got["f"], [1.0, 2.0])


def test_static_shape_errors():
    q = tf.FIFOQueue(5, tf.float32, shapes=[[2]])
    with pytest.raises(ValueError):
        q.enqueue([1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        q.enqueue_many([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="fully defined"):
        tf.FIFOQueue(5, tf.float32, shapes=[[None]])
    with pytest.raises(ValueError):
        tf.FIFOQueue(5, [tf.float32, tf.int32], shapes=[[1]])
    with pytest.raises(ValueError, match="partial shapes"):
        tf.PaddingFIFOQueue(5, tf.float32, shapes=None)


def test_runtime_shape_and_type_errors():
    q = tf.FIFOQueue(5, tf.float32, shapes=[[2]])
    x = tf.placeholder(tf.float32, None)
    enq = q.enqueue(x)
    enq_many = q.enqueue_many(x)
    unshaped = tf.FIFOQueue(5, tf.float32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Shape mismatch in tuple component 0"):
            sess.run(enq, {x: [1.0, 2.0, 3.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Shape mismatch"):
            sess.run(enq_many, {x: [[1.0, 2.0, 3.0]]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(enq_many, {x: 1.0})
        sess.run(unshaped.enqueue(([1.0, 2.0],)))
        with pytest.raises(tf.errors.InvalidArgumentError, match="require the components to have specified shapes"):
            sess.run(unshaped.dequeue_many(1))
        np.testing.assert_array_equal(sess.run(unshaped.dequeue()), [1.0, 2.0])


def test_fed_array_is_copied_into_queue():
    q = tf.FIFOQueue(5, tf.float32, shapes=[[3]])
    x = tf.placeholder(tf.float32, [3])
    enq = q.enqueue(x)
    with tf.Session() as sess:
        arr = np.array([1.0, 2.0, 3.0], dtype=np.float32)
        sess.run(enq, {x: arr})
        arr[:] = -1
        np.testing.assert_array_equal(sess.run(q.dequeue()), [1.0, 2.0, 3.0])


def test_shared_name_shares_the_queue():
    q1 = tf.FIFOQueue(5, tf.int32, shapes=[[]], shared_name="shared_q")
    q2 = tf.FIFOQueue(5, tf.int32, shapes=[[]], shared_name="shared_q")
    q3 = tf.FIFOQueue(7, tf.int32, shapes=[[]], shared_name="shared_q")
    with tf.Session() as sess:
        sess.run(q1.enqueue(41))
        assert sess.run(q2.dequeue()) == 41
        with pytest.raises(tf.errors.InvalidArgumentError, match="capacity"):
            sess.run(q3.size())


def test_close_semantics():
    q = tf.FIFOQueue(5, tf.int32, shapes=[[]])
    enq = q.enqueue(1)
    close = q.close()
    with tf.Session() as sess:
        sess.run(enq)
        assert not sess.run(q.is_closed())
        sess.run(close)
        with pytest.raises(tf.errors.CancelledError, match="is closed"):
            sess.run(enq)
        with pytest.raises(tf.errors.CancelledError, match="already closed"):
            sess.run(close)
        sess.run(q.close(cancel_pending_enqueues=True))  # no error
        assert sess.run(q.dequeue()) == 1  # still drains


def test_blocking_dequeue_woken_by_producer_thread():
    q = tf.FIFOQueue(3, tf.int32, shapes=[[]])
    x = tf.placeholder(tf.int32, [])
    enq = q.enqueue(x)
    deq = q.dequeue()
    n = 200
    with tf.Session() as sess:
        def produce():
            for i in range(n):
                sess.run(enq, {x: i})
            sess.run(q.close())
        t, res = run_in_thread(produce)
        got = []
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                got.append(int(sess.run(deq)))
            except tf.errors.OutOfRangeError:
                break
        t.join(5)
        assert "error" not in res
    assert got == list(range(n))


def test_blocked_dequeue_released_by_close():
    q = tf.FIFOQueue(3, tf.int32, shapes=[[]])
    with tf.Session() as sess:
        t, res = run_in_thread(lambda: sess.run(q.dequeue()))
        time.sleep(0.1)
        assert t.is_alive()
        sess.run(q.close())
        t.join(2)
        assert not t.is_alive()
        assert isinstance(res["error"], tf.errors.OutOfRangeError)


def test_blocking_enqueue_before_close():
    # TF: close() waits behind a pending enqueue; a dequeue unblocks both.
    q = tf.FIFOQueue(4, tf.float32, shapes=[[]])
    enqueue_op = q.enqueue_many(([10.0, 20.0, 30.0, 40.0],))
    blocking_enqueue_op = q.enqueue((50.0,))
    close_op = q.close()
    dequeued_t = q.dequeue()
    with tf.Session() as sess:
        sess.run(enqueue_op)
        t1, r1 = run_in_thread(lambda: sess.run(blocking_enqueue_op))
        # The enqueue must be blocked on the full queue before the close is issued: were the close
        # first, the enqueue would fail on a closed queue. The sleeps after the events let each run
        # get from its thread's start into the blocking call.
        wait_started(t1)
        time.sleep(0.2)
        assert t1.is_alive()
        t2, r2 = run_in_thread(lambda: sess.run(close_op))
        wait_started(t2)
        time.sleep(0.2)
        assert t1.is_alive() and t2.is_alive()
        assert sess.run(dequeued_t) == 10.0
        t1.join(10)
        t2.join(10)
        assert not t1.is_alive() and not t2.is_alive()
        assert "error" not in r1 and "error" not in r2
        assert [sess.run(dequeued_t) for _ in range(4)] == [20.0, 30.0, 40.0, 50.0]
        assert sess.run(q.size()) == 0
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(dequeued_t)


def test_cancel_pending_enqueues():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    enq = q.enqueue(5)
    with tf.Session() as sess:
        sess.run(enq)
        t, res = run_in_thread(lambda: sess.run(enq))
        time.sleep(0.1)
        assert t.is_alive()
        sess.run(q.close(cancel_pending_enqueues=True))
        t.join(2)
        assert not t.is_alive()
        assert isinstance(res["error"], tf.errors.CancelledError)
        assert sess.run(q.dequeue()) == 5


def test_session_close_cancels_blocked_runs():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    deq = q.dequeue()
    full = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    enq = full.enqueue(1)
    sess = tf.Session()
    sess.run(enq)
    threads = [run_in_thread(lambda: sess.run(deq)) for _ in range(3)] + [run_in_thread(lambda: sess.run(enq))]
    # Each run must be inside the session (blocked) before close: a run that starts after it raises
    # RuntimeError("Attempted to use a closed Session.") instead of being cancelled.
    wait_started(*(t for t, _ in threads))
    time.sleep(0.2)
    assert all(t.is_alive() for t, _ in threads)
    start = time.monotonic()
    sess.close()
    for t, _ in threads:
        t.join(10)
    assert time.monotonic() - start < 10.0  # close releases the blocked runs: a hang check
    for t, res in threads:
        assert not t.is_alive()
        assert isinstance(res.get("error"), tf.errors.CancelledError), res


def test_run_timeout_on_blocked_dequeue():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    deq = q.dequeue()
    with tf.Session() as sess:
        sess.run(q.size())  # creates the queue
        start = time.monotonic()
        t, res = run_in_thread(lambda: sess.run(deq, options=tf.RunOptions(timeout_in_ms=200)))
        t.join(10)
        elapsed = time.monotonic() - start
        assert not t.is_alive()
        assert isinstance(res.get("error"), tf.errors.DeadlineExceededError), res
        # The 200 ms timeout was honoured (not cut short), and the blocked dequeue was woken for it
        # rather than waiting forever; the upper bound is a hang check, not a latency one.
        assert 0.2 <= elapsed < 5.0
        # The queue still works afterwards.
        sess.run(q.enqueue(3))
        assert sess.run(deq) == 3


def test_random_shuffle_queue_is_a_permutation_and_seeded():
    def run_once():
        tf.reset_default_graph()
        q = tf.RandomShuffleQueue(100, 0, tf.int32, shapes=[[]], seed=42)
        with tf.Session() as sess:
            sess.run(q.enqueue_many([np.arange(50, dtype=np.int32)]))
            return sess.run(q.dequeue_many(50))
    a, b = run_once(), run_once()
    np.testing.assert_array_equal(np.sort(a), np.arange(50))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, np.arange(50))


def test_random_shuffle_min_after_dequeue():
    q = tf.RandomShuffleQueue(10, 3, tf.int32, shapes=[[]], seed=1)
    with tf.Session() as sess:
        sess.run(q.enqueue_many([[1, 2, 3, 4, 5]]))
        got = [int(sess.run(q.dequeue())) for _ in range(2)]  # 5 > 3, then 4 > 3
        t, res = run_in_thread(lambda: sess.run(q.dequeue()))  # 3 left: blocks until closed
        time.sleep(0.15)
        assert t.is_alive()
        sess.run(q.close())
        t.join(2)
        got.append(int(res["value"]))
        rest = sess.run(q.dequeue_up_to(10))
        got.extend(int(v) for v in rest)
        assert sorted(got) == [1, 2, 3, 4, 5]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(q.dequeue())


def test_padding_fifo_queue_pads_batches():
    q = tf.PaddingFIFOQueue(10, [tf.int32, tf.string, tf.float32], shapes=[[None], [None, 2], []])
    a = tf.placeholder(tf.int32, [None])
    s = tf.placeholder(tf.string, [None, 2])
    f = tf.placeholder(tf.float32, [])
    enq = q.enqueue((a, s, f))
    dm = q.dequeue_many(3)
    assert dm[0].shape.as_list() == [3, None]
    one = q.dequeue()
    with tf.Session() as sess:
        sess.run(enq, {a: [1, 2], s: [[b"x", b"y"]], f: 1.0})
        sess.run(enq, {a: [3], s: np.zeros((0, 2), dtype=object), f: 2.0})
        sess.run(enq, {a: [4, 5, 6], s: [[b"p", b"q"], [b"r", b"s"]], f: 3.0})
        sess.run(enq, {a: [7], s: [[b"z", b"w"]], f: 4.0})
        x, y, z = sess.run(dm)
        np.testing.assert_array_equal(x, [[1, 2, 0], [3, 0, 0], [4, 5, 6]])
        assert y.shape == (3, 2, 2)
        assert y[0].tolist() == [[b"x", b"y"], [b"", b""]]
        assert y[1].tolist() == [[b"", b""], [b"", b""]]
        assert y[2].tolist() == [[b"p", b"q"], [b"r", b"s"]]
        np.testing.assert_array_equal(z, [1.0, 2.0, 3.0])
        x, y, z = sess.run(one)  # a single dequeue is not padded
        np.testing.assert_array_equal(x, [7])
        assert y.tolist() == [[b"z", b"w"]]


def test_padding_queue_rejects_wrong_rank():
    q = tf.PaddingFIFOQueue(10, tf.int32, shapes=[[None]])
    x = tf.placeholder(tf.int32, None)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Shape mismatch"):
            sess.run(q.enqueue(x), {x: [[1]]})


def test_priority_queue_orders_by_priority():
    q = tf.PriorityQueue(20, [tf.string, tf.float32], shapes=[[], [2]])
    assert q.dtypes == [tf.int64, tf.string, tf.float32]
    rng = np.random.RandomState(0)
    prios = rng.permutation(12).astype(np.int64) - 3
    values = np.array([str(p).encode() for p in prios], dtype=object)
    vecs = np.stack([prios, prios * 2], axis=1).astype(np.float32)
    enq = q.enqueue_many((prios, values, vecs))
    dm = q.dequeue_many(12)
    with tf.Session() as sess:
        sess.run(enq)
        p, v, w = sess.run(dm)
    np.testing.assert_array_equal(p, np.sort(prios))
    assert list(v) == [str(x).encode() for x in np.sort(prios)]
    np.testing.assert_array_equal(w[:, 1], 2 * np.sort(prios))


def test_priority_queue_single_and_ties():
    q = tf.PriorityQueue(10, [tf.int32], shapes=[[]])
    p = tf.placeholder(tf.int64, [])
    v = tf.placeholder(tf.int32, [])
    enq = q.enqueue((p, v))
    deq = q.dequeue()
    with tf.Session() as sess:
        for pr, val in [(5, 0), (1, 1), (5, 2), (1, 3), (0, 4)]:
            sess.run(enq, {p: pr, v: val})
        got = [tuple(int(x) for x in sess.run(deq)) for _ in range(5)]
    assert [g[0] for g in got] == [0, 1, 1, 5, 5]
    assert {g[1] for g in got} == {0, 1, 2, 3, 4}


def test_queue_handles_are_resources_and_graphdef_names():
    q = tf.RandomShuffleQueue(8, 2, [tf.float32], shapes=[[]], seed=3, name="rsq")
    assert q.queue_ref.dtype == tf.dtypes.resource
    q.enqueue(1.0)
    q.dequeue_many(2)
    nodes = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    assert nodes["rsq"].op == "RandomShuffleQueueV2"
    attrs = nodes["rsq"].attr
    assert attrs["capacity"].i == 8 and attrs["min_after_dequeue"].i == 2
    assert list(attrs["component_types"].list.type) == [tf.float32.as_datatype_enum]
    assert nodes["rsq_enqueue"].op == "QueueEnqueueV2"
    assert nodes["rsq_DequeueMany"].op == "QueueDequeueManyV2"
    assert "timeout_ms" in nodes["rsq_DequeueMany"].attr


def test_concurrent_producers_and_consumers_exact():
    q = tf.FIFOQueue(8, tf.int64, shapes=[[]])
    x = tf.placeholder(tf.int64, [])
    enq = q.enqueue(x)
    deq = q.dequeue_many(5)
    producers, per = 4, 50
    with tf.Session() as sess:
        def produce(k):
            for i in range(per):
                sess.run(enq, {x: k * 1000 + i})
        pts = [run_in_thread(lambda k=k: produce(k)) for k in range(producers)]
        got = []
        lock = threading.Lock()

        def consume():
            for _ in range(producers * per // 5 // 2):
                v = sess.run(deq)
                with lock:
                    got.extend(v.tolist())
        cts = [run_in_thread(consume) for _ in range(2)]
        for t, r in pts + cts:
            t.join(10)
            assert not t.is_alive() and "error" not in r, r
    assert sorted(got) == sorted(k * 1000 + i for k in range(producers) for i in range(per))
