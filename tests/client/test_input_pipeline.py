"""Input pipelines: readers (TextLine, FixedLengthRecord, WholeFile), decode_csv/decode_raw,
input producers with num_epochs, batch/shuffle_batch, QueueRunner and Coordinator (TF1 semantics).
Every test is bounded: threads are joined with timeouts and sessions closed at the end."""
import os
import threading
import time

import numpy as np
import pytest

import graphrt as tf


def write(path, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)
    return str(path)


# ---- Coordinator ------------------------------------------------------------------------------

def test_coordinator_stop_and_join():
    coord = tf.train.Coordinator()
    assert not coord.should_stop()
    hits = []

    def worker():
        while not coord.should_stop():
            time.sleep(0.005)
        hits.append(1)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    coord.request_stop()
    assert coord.should_stop() and coord.wait_for_stop(0.01)
    coord.join(threads, stop_grace_period_secs=5)
    assert hits == [1, 1, 1] and coord.joined


def test_coordinator_reraises_first_exception():
    coord = tf.train.Coordinator()

    def bad():
        with coord.stop_on_exception():
            raise ValueError("boom")

    def second():
        coord.wait_for_stop(5)
        try:
            raise RuntimeError("second")
        except RuntimeError as e:
            coord.request_stop(e)

    threads = [threading.Thread(target=second), threading.Thread(target=bad)]
    for t in threads:
        t.start()
    with pytest.raises(ValueError, match="boom"):
        coord.join(threads, stop_grace_period_secs=5)
    with pytest.raises(ValueError, match="boom"):
        coord.raise_requested_exception()
    coord.clear_stop()
    assert not coord.should_stop()
    coord.raise_requested_exception()  # nothing recorded any more


def test_coordinator_clean_stop_exceptions_and_stragglers():
    coord = tf.train.Coordinator()
    coord.request_stop(tf.errors.OutOfRangeError(None, None, "done"))
    assert coord.should_stop()
    coord.join([], stop_grace_period_secs=1)  # OutOfRange is a clean stop: nothing raised

    coord = tf.train.Coordinator()
    release = threading.Event()
    t = threading.Thread(target=lambda: release.wait(5), name="straggler")
    t.start()
    coord.register_thread(t)
    coord.request_stop()
    with pytest.raises(RuntimeError, match="straggler"):
        coord.join(stop_grace_period_secs=0.05)
    release.set()
    t.join(5)
    # After join, request_stop with an exception raises it directly.
    with pytest.raises(KeyError):
        coord.request_stop(KeyError("late"))


def test_looper_thread():
    coord = tf.train.Coordinator()
    calls = []
    looper = coord.loop(0.01, calls.append, args=(1,))
    time.sleep(0.1)
    coord.request_stop()
    coord.join([looper], stop_grace_period_secs=5)
    assert len(calls) >= 2


# ---- QueueRunner ------------------------------------------------------------------------------

def test_queue_runner_fills_queue_and_closes_on_out_of_range():
    counter = tf.Variable(0, dtype=tf.int64, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    q = tf.FIFOQueue(4, tf.int64, shapes=[[]])
    # Each run enqueues the counter's next value; it stops after 10 (OutOfRange from the epoch limit).
    from graphrt.train.input import _count_up_to
    enq = q.enqueue(_count_up_to(counter, 10))
    qr = tf.train.QueueRunner(q, [enq, enq])
    tf.train.add_queue_runner(qr)
    assert tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS) == [qr]
    deq = q.dequeue()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert len(threads) == 3  # two enqueue threads + the close-on-stop thread
        assert qr.create_threads(sess) == []  # already running for this session
        got = []
        with pytest.raises(tf.errors.OutOfRangeError):
            for _ in range(20):
                got.append(int(sess.run(deq)))
        assert sorted(got) == list(range(10))
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
        assert qr.exceptions_raised == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_queue_runner_reports_errors_to_coordinator():
    x = tf.placeholder(tf.float32, [])  # never fed: the enqueue op fails
    q = tf.FIFOQueue(4, tf.float32, shapes=[[]])
    qr = tf.train.QueueRunner(q, [q.enqueue(x)])
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = qr.create_threads(sess, coord=coord, start=True)
        with pytest.raises(tf.errors.InvalidArgumentError):
            coord.join(threads, stop_grace_period_secs=5)
        # Without a coordinator the error is recorded.
        threads = qr.create_threads(sess, start=True)
        for t in threads:
            t.join(5)
        assert len(qr.exceptions_raised) == 1
        assert isinstance(qr.exceptions_raised[0], tf.errors.InvalidArgumentError)


def test_start_queue_runners_needs_a_session():
    with pytest.raises(ValueError, match="No default session"):
        tf.train.start_queue_runners()
    with pytest.raises(TypeError):
        tf.train.start_queue_runners(sess=object())
    with pytest.raises(ValueError):
        tf.train.QueueRunner()


# ---- producers --------------------------------------------------------------------------------

def drain(sess, t, limit=1000):
    out = []
    for _ in range(limit):
        try:
            out.append(sess.run(t))
        except tf.errors.OutOfRangeError:
            return out
    raise AssertionError("did not end")


def test_string_input_producer_epochs():
    names = [b"a", b"b", b"c"]
    q = tf.train.string_input_producer(names, num_epochs=2, shuffle=False)
    assert q.name.startswith("input_producer")
    deq = q.dequeue()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        got = drain(sess, deq)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    assert got == names * 2


def test_string_input_producer_shuffles_and_validates():
    with pytest.raises(ValueError, match="non-null"):
        tf.train.string_input_producer([])
    with pytest.raises(ValueError, match="num_epochs must be > 0"):
        tf.train.string_input_producer(["a"], num_epochs=0)
    q = tf.train.string_input_producer([str(i) for i in range(20)], num_epochs=1, shuffle=True, seed=5)
    deq = q.dequeue()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        got = drain(sess, deq)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    assert sorted(got) == sorted(str(i).encode() for i in range(20))
    assert got != [str(i).encode() for i in range(20)]


def test_slice_input_producer():
    xs = np.arange(12, dtype=np.float32).reshape(6, 2)
    ys = np.arange(6, dtype=np.int64) * 10
    x, y = tf.train.slice_input_producer([xs, ys], num_epochs=2, shuffle=True, seed=3)
    assert x.shape.as_list() == [2]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        pairs = drain(sess, [x, y])
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    assert len(pairs) == 12
    for a, b in pairs:
        np.testing.assert_array_equal(a, xs[b // 10])
    assert sorted(int(b) for _, b in pairs) == sorted(list(ys) * 2)


def test_local_epoch_variable_must_be_initialized():
    q = tf.train.string_input_producer(["a"], num_epochs=1)
    enq = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)[0].enqueue_ops[0]
    assert any("epochs" in v.name for v in tf.local_variables())
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(enq)
        sess.run(tf.local_variables_initializer())
        sess.run(enq)
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 1"):
            sess.run(enq)
        assert sess.run(q.size()) == 1


# ---- readers ----------------------------------------------------------------------------------

def filename_queue(sess_files):
    q = tf.FIFOQueue(10, tf.string, shapes=[[]])
    return q, q.enqueue_many([sess_files])


def test_text_line_reader(tmp_path):
    f1 = write(tmp_path / "a.csv", "h1\nx1\r\nx2\n\nx4")
    f2 = write(tmp_path / "b.csv", "h2\ny1\n")
    q, enq = filename_queue([f1, f2])
    reader = tf.TextLineReader(skip_header_lines=1)
    key, value = reader.read(q)
    assert key.dtype == tf.string and key.shape.as_list() == []
    n = reader.num_records_produced()
    done = reader.num_work_units_completed()
    with tf.Session() as sess:
        sess.run(enq)
        sess.run(q.close())
        got = drain(sess, [key, value])
        assert sess.run(n) == 5 and sess.run(done) == 2
        sess.run(reader.reset())
        assert sess.run(n) == 0 and sess.run(done) == 0
    assert [v for _, v in got] == [b"x1", b"x2", b"", b"x4", b"y1"]
    assert [k for k, _ in got] == [f"{f1}:2".encode(), f"{f1}:3".encode(), f"{f1}:4".encode(), f"{f1}:5".encode(),
                                   f"{f2}:2".encode()]


def test_read_up_to_stops_at_file_end(tmp_path):
    f1 = write(tmp_path / "a.txt", "1\n2\n3\n")
    f2 = write(tmp_path / "b.txt", "4\n5\n")
    q, enq = filename_queue([f1, f2])
    reader = tf.TextLineReader()
    keys, values = reader.read_up_to(q, 2)
    assert values.shape.as_list() == [None]
    with tf.Session() as sess:
        sess.run(enq)
        sess.run(q.close())
        batches = [list(v) for _, v in drain(sess, [keys, values])]
    assert batches == [[b"1", b"2"], [b"3"], [b"4", b"5"]]


def test_fixed_length_record_reader_and_decode_raw(tmp_path):
    recs = np.arange(12, dtype=np.int32).reshape(4, 3)
    f = write(tmp_path / "data.bin", b"HEAD" + recs.tobytes() + b"FOOTER")
    q, enq = filename_queue([f])
    reader = tf.FixedLengthRecordReader(record_bytes=12, header_bytes=4, footer_bytes=6)
    key, value = reader.read(q)
    decoded = tf.decode_raw(value, tf.int32)
    assert decoded.shape.as_list() == [None]
    with tf.Session() as sess:
        sess.run(enq)
        sess.run(q.close())
        got = drain(sess, [key, decoded])
    assert [k for k, _ in got] == [f"{f}:{i}".encode() for i in range(4)]
    np.testing.assert_array_equal(np.stack([v for _, v in got]), recs)


def test_fixed_length_hop_bytes(tmp_path):
    f = write(tmp_path / "h.bin", bytes(range(10)))
    q, enq = filename_queue([f])
    reader = tf.FixedLengthRecordReader(record_bytes=4, hop_bytes=3)
    _, value = reader.read(q)
    with tf.Session() as sess:
        sess.run(enq)
        sess.run(q.close())
        got = drain(sess, value)
    assert got == [bytes([0, 1, 2, 3]), bytes([3, 4, 5, 6]), bytes([6, 7, 8, 9])]


def test_whole_file_reader(tmp_path):
    f1 = write(tmp_path / "one.bin", b"\x00\x01binary")
    f2 = write(tmp_path / "two.txt", "")
    q, enq = filename_queue([f1, f2])
    reader = tf.WholeFileReader()
    key, value = reader.read(q)
    with tf.Session() as sess:
        sess.run(enq)
        sess.run(q.close())
        got = drain(sess, [key, value])
    assert [tuple(g) for g in got] == [(f1.encode(), b"\x00\x01binary"), (f2.encode(), b"")]


def test_reader_errors(tmp_path):
    q, enq = filename_queue([str(tmp_path / "missing.txt")])
    reader = tf.TextLineReader()
    _, value = reader.read(q)
    bad = tf.FixedLengthRecordReader(record_bytes=0)
    with tf.Session() as sess:
        sess.run(enq)
        with pytest.raises(tf.errors.NotFoundError, match="missing.txt"):
            sess.run(value)
        with pytest.raises(tf.errors.InvalidArgumentError, match="record_bytes"):
            sess.run(bad.num_records_produced())
        with pytest.raises(tf.errors.InvalidArgumentError, match="num_records"):
            sess.run(reader.read_up_to(q, 0))


def test_reader_read_is_cancelled_by_session_close(tmp_path):
    q = tf.FIFOQueue(10, tf.string, shapes=[[]])
    _, value = tf.WholeFileReader().read(q)
    sess = tf.Session()
    sess.run(q.size())
    res = {}
    started = threading.Event()

    def body():
        started.set()
        try:
            sess.run(value)
        except BaseException as e:  # noqa: BLE001 - any error is checked below
            res["error"] = e
    t = threading.Thread(target=body, daemon=True)
    t.start()
    # The read must be blocked inside the session before close: a run that starts after it raises
    # RuntimeError("Attempted to use a closed Session.") instead of being cancelled. The sleep lets
    # the run get from the event into the blocking read.
    assert started.wait(10), "worker thread did not start"
    time.sleep(0.1)
    assert t.is_alive()
    sess.close()
    t.join(10)
    assert not t.is_alive()
    assert isinstance(res.get("error"), tf.errors.CancelledError), res


# ---- decode_csv / decode_raw ------------------------------------------------------------------

def test_decode_csv_types_defaults_and_quotes():
    records = tf.constant([['1,2.5,"a,b",7,x', ',,"say ""hi""",,'], ['3,-1e3,plain,-9,NA', '4,0.5,,1,y']])
    a, b, c, d, e = tf.decode_csv(records, [[0], [1.5], ["dflt"], tf.constant([5], tf.int64), [b"e"]], na_value="NA")
    assert [t.dtype for t in (a, b, c, d, e)] == [tf.int32, tf.float32, tf.string, tf.int64, tf.string]
    assert a.shape.as_list() == [2, 2]
    with tf.Session() as sess:
        a, b, c, d, e = sess.run([a, b, c, d, e])
    np.testing.assert_array_equal(a, [[1, 0], [3, 4]])
    np.testing.assert_allclose(b, [[2.5, 1.5], [-1000.0, 0.5]])
    assert c.tolist() == [[b"a,b", b'say "hi"'], [b"plain", b"dflt"]]
    np.testing.assert_array_equal(d, [[7, 5], [-9, 1]])
    assert e.tolist() == [[b"x", b"e"], [b"e", b"y"]]


def test_decode_csv_delim_select_cols_and_float64():
    rec = tf.placeholder(tf.string, [None])
    x, z = tf.decode_csv(rec, [[0.0], tf.constant([0.0], tf.float64)], field_delim="|", select_cols=[0, 2], use_quote_delim=False)
    assert z.dtype == tf.float64
    with tf.Session() as sess:
        xv, zv = sess.run([x, z], {rec: ["1.5|ignored|2.25", "3|q|4"]})
        np.testing.assert_allclose(xv, [1.5, 3.0])
        np.testing.assert_allclose(zv, [2.25, 4.0])
        empty = sess.run(x, {rec: np.zeros([0], dtype=object)})
        assert empty.shape == (0,)
    with pytest.raises(ValueError, match="strictly increasing"):
        tf.decode_csv(rec, [[0], [0]], select_cols=[1, 0])
    with pytest.raises(ValueError, match="do not match"):
        tf.decode_csv(rec, [[0], [0]], select_cols=[1])
    with pytest.raises(ValueError, match="length-0 or length-1"):
        tf.decode_csv(rec, [[0, 1]])


def test_decode_csv_errors():
    rec = tf.placeholder(tf.string, [None])
    a, b = tf.decode_csv(rec, [tf.constant([], tf.int32), [0.0]])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Expect 2 fields but have 3 in record 0"):
            sess.run(a, {rec: ["1,2,3"]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Field 0 is required but missing in record 1"):
            sess.run(a, {rec: ["1,2", ",2"]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a valid int32"):
            sess.run(a, {rec: ["x,2"]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a valid int32"):
            sess.run(a, {rec: ["99999999999,2"]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a valid float"):
            sess.run(b, {rec: ["1,abc"]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="quote"):
            sess.run(a, {rec: ['1,"2"x']})
        with pytest.raises(tf.errors.InvalidArgumentError, match="quote"):
            sess.run(a, {rec: ['1,"2']})


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.uint8, np.int16, np.uint16,
                                   np.int32, np.int64])
@pytest.mark.parametrize("little_endian", [True, False])
def test_decode_raw_dtypes(dtype, little_endian):
    rng = np.random.RandomState(0)
    data = (rng.randn(2, 3, 4) * 50).astype(dtype)
    order = "<" if little_endian else ">"
    raw = np.array([[row.astype(data.dtype.newbyteorder(order)).tobytes() for row in block] for block in data],
                   dtype=object)
    x = tf.placeholder(tf.string, [None, 3])
    out = tf.decode_raw(x, tf.as_dtype(dtype), little_endian=little_endian)
    assert out.shape.as_list() == [None, 3, None]
    with tf.Session() as sess:
        got = sess.run(out, {x: raw})
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, data)


def test_decode_raw_bool_scalar_empty_and_errors():
    x = tf.placeholder(tf.string, None)
    as_bool = tf.decode_raw(x, tf.bool)
    as_f32 = tf.decode_raw(input_bytes=x, out_type=tf.float32)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(as_bool, {x: b"\x00\x01\x05"}), [False, True, True])
        assert sess.run(as_f32, {x: np.zeros([2, 0], dtype=object)}).shape == (2, 0, 0)
        assert sess.run(as_f32, {x: [b"", b""]}).shape == (2, 0)
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a multiple of 4"):
            sess.run(as_f32, {x: [b"12345"]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="same size"):
            sess.run(as_f32, {x: [b"1234", b"12345678"]})
    with pytest.raises(TypeError):
        tf.decode_raw(x, tf.string)


# ---- batching -----------------------------------------------------------------------------------

def run_pipeline(fetch, limit=1000):
    """Runs queue runners under a coordinator and drains `fetch` until OutOfRange."""
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        out = []
        try:
            for _ in range(limit):
                if coord.should_stop():
                    break
                out.append(sess.run(fetch))
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    return out


def test_batch_single_tensor_dict_and_smaller_final_batch():
    x = tf.train.slice_input_producer([np.arange(7, dtype=np.int32)], num_epochs=1, shuffle=False)[0]
    b = tf.train.batch([x], batch_size=3, allow_smaller_final_batch=True)
    assert isinstance(b, tf.Tensor) and b.shape.as_list() == [None]
    batches = run_pipeline(b)
    assert [list(v) for v in batches] == [[0, 1, 2], [3, 4, 5], [6]]

    tf.reset_default_graph()
    x = tf.train.slice_input_producer([np.arange(7, dtype=np.int32)], num_epochs=1, shuffle=False)[0]
    d = tf.train.batch({"v": x, "sq": x * x}, batch_size=3)
    assert set(d) == {"v", "sq"} and d["v"].shape.as_list() == [3]
    batches = run_pipeline(d)
    assert len(batches) == 2  # the final 1 element is dropped without allow_smaller_final_batch
    for bt in batches:
        np.testing.assert_array_equal(bt["sq"], bt["v"] ** 2)


def test_batch_dynamic_pad_and_enqueue_many():
    lens = tf.train.slice_input_producer([np.array([1, 3, 2, 0], np.int32)], num_epochs=1, shuffle=False)[0]
    seq = tf.range(lens) + 1
    padded = tf.train.batch([seq, lens], batch_size=4, dynamic_pad=True)
    with pytest.raises(ValueError, match="fully defined"):
        tf.train.batch([seq], batch_size=2)
    out = run_pipeline(padded)
    np.testing.assert_array_equal(out[0][0], [[1, 0, 0], [1, 2, 3], [1, 2, 0], [0, 0, 0]])
    np.testing.assert_array_equal(out[0][1], [1, 3, 2, 0])

    tf.reset_default_graph()
    rows = tf.train.limit_epochs(tf.constant(np.arange(6, dtype=np.int64).reshape(3, 2)), num_epochs=2)
    b = tf.train.batch([rows], batch_size=4, enqueue_many=True, allow_smaller_final_batch=True)
    out = run_pipeline(b)
    assert sum(v.shape[0] for v in out) == 6
    np.testing.assert_array_equal(np.concatenate(out), np.tile(np.arange(6).reshape(3, 2), (2, 1)))


def test_maybe_batch_keep_input():
    x = tf.train.slice_input_producer([np.arange(10, dtype=np.int32)], num_epochs=1, shuffle=False)[0]
    b = tf.train.maybe_batch([x], keep_input=tf.equal(x % 2, 0), batch_size=10, allow_smaller_final_batch=True)
    out = run_pipeline(b)
    np.testing.assert_array_equal(np.concatenate(out), [0, 2, 4, 6, 8])


def test_shuffle_batch_and_join_validation():
    x = tf.constant(1.0)
    with pytest.raises(ValueError, match="must be bigger than min_after_dequeue"):
        tf.train.shuffle_batch([x], batch_size=2, capacity=10, min_after_dequeue=10)
    a = tf.train.slice_input_producer([np.arange(10, dtype=np.int32)], num_epochs=1, shuffle=False)[0]
    b = tf.train.slice_input_producer([np.arange(100, 110, dtype=np.int32)], num_epochs=1, shuffle=False)[0]
    joined = tf.train.shuffle_batch_join([[a], [b]], batch_size=5, capacity=20, min_after_dequeue=5, seed=1,
                                         allow_smaller_final_batch=True)
    out = run_pipeline(joined)
    assert sorted(np.concatenate(out).tolist()) == list(range(10)) + list(range(100, 110))


def test_classic_csv_pipeline_counts_every_record_num_epochs_times(tmp_path):
    # Three CSV files with a header line; every record has a unique id.
    files, expected = [], {}
    rid = 0
    for f in range(3):
        lines = ["id,x,label"]
        for _ in range(7 + f):
            lines.append(f"{rid},{rid * 0.5},{'pos' if rid % 2 else 'neg'}")
            expected[rid] = (rid * 0.5, b"pos" if rid % 2 else b"neg")
            rid += 1
        files.append(write(tmp_path / f"part-{f}.csv", "\n".join(lines) + "\n"))
    num_epochs = 2
    filename_queue = tf.train.string_input_producer(files, num_epochs=num_epochs, shuffle=True, seed=7)
    reader = tf.TextLineReader(skip_header_lines=1)
    _, line = reader.read(filename_queue)
    ids, xs, labels = tf.decode_csv(line, record_defaults=[[0], [0.0], [""]])
    batch = tf.train.shuffle_batch([ids, xs, labels], batch_size=4, capacity=20, min_after_dequeue=5,
                                   num_threads=2, seed=3, allow_smaller_final_batch=True)
    counts = {}
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        start = time.time()
        try:
            while not coord.should_stop() and time.time() - start < 10:
                i, x, lab = sess.run(batch)
                for a, b, c in zip(i, x, lab):
                    counts[int(a)] = counts.get(int(a), 0) + 1
                    assert (float(b), c) == expected[int(a)]
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    assert counts == {k: num_epochs for k in expected}


def test_binary_and_csv_files_train_a_model(tmp_path):
    # y = 3 x0 - 2 x1 + 0.5, features stored as float32 records in binary files, targets in CSV.
    rng = np.random.RandomState(0)
    feats = rng.randn(64, 2).astype(np.float32)
    ys = feats @ np.array([3.0, -2.0], np.float32) + 0.5
    bin_files, csv_files = [], []
    for k in range(2):
        part = slice(32 * k, 32 * (k + 1))
        bin_files.append(write(tmp_path / f"f{k}.bin", feats[part].tobytes()))
        csv_files.append(write(tmp_path / f"y{k}.csv", "\n".join(f"{v:.8f}" for v in ys[part]) + "\n"))
    fq = tf.train.string_input_producer(bin_files, num_epochs=40, shuffle=False)
    yq = tf.train.string_input_producer(csv_files, num_epochs=40, shuffle=False)
    _, raw = tf.FixedLengthRecordReader(record_bytes=8).read(fq)
    x = tf.reshape(tf.decode_raw(raw, tf.float32), [2])
    _, yline = tf.TextLineReader().read(yq)
    (y,) = tf.decode_csv(yline, [[0.0]])
    xb, yb = tf.train.batch([x, y], batch_size=16)
    w = tf.Variable(tf.zeros([2, 1]))
    b = tf.Variable(0.0)
    pred = tf.reshape(tf.matmul(xb, w), [-1]) + b
    loss = tf.reduce_mean(tf.square(pred - yb))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        steps = 0
        try:
            while not coord.should_stop() and steps < 150:
                sess.run(train)
                steps += 1
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
        final_w, final_b = sess.run([w, b])
    assert steps == 150
    np.testing.assert_allclose(final_w.ravel(), [3.0, -2.0], atol=0.05)
    assert abs(final_b - 0.5) < 0.05
