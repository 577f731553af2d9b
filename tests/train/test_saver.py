"""tf.train.Saver, checkpoint state files, the checkpoint format and MetaGraphDef import/export."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrt as tf
from graphrt.train import checkpoint_format

# The directory graphrt was imported from (the source tree in development, site-packages in CI).
GRAPHRT_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(tf.__file__)))


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


VALUES = {
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
    "f64": np.float64(np.pi),
    "f16": np.array([0.5, -1.25, 1e-3], np.float16),
    "i32_empty": np.zeros((0, 4), np.int32),
    "i64": np.array([[2 ** 40, -3]], np.int64),
    "u8": np.arange(5, dtype=np.uint8),
    "i8": np.array([-128, 127], np.int8),
    "b": np.array([True, False, True]),
    "s": np.array([b"hello", b"", "\u00e9t\u00e9".encode()], dtype=object),
}


def _make_vars():
    return {k: tf.Variable(v, name=k) for k, v in VALUES.items()}


def _check_values(got):
    for k, want in VALUES.items():
        assert np.asarray(got[k]).dtype == np.asarray(want).dtype or k == "s", k
        np.testing.assert_array_equal(got[k], want, err_msg=k)


def test_roundtrip_all_dtypes_new_session(tmp_path):
    vs = _make_vars()
    saver = tf.train.Saver()
    prefix = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert saver.save(sess, prefix) == prefix
    assert tf.train.checkpoint_exists(prefix)
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix
    with tf.Session() as sess:  # a new session: variables start uninitialized
        saver.restore(sess, prefix)
        _check_values(sess.run({k: v.value() for k, v in vs.items()}))
    reader = tf.train.NewCheckpointReader(prefix)
    assert sorted(reader.get_variable_to_shape_map()) == sorted(VALUES)
    assert reader.get_variable_to_dtype_map()["f16"] == tf.float16
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "i64:0"), VALUES["i64"])
    assert ("i32_empty", [0, 4]) in tf.train.list_variables(prefix)


def test_restore_overwrites_and_updates_after_restore(tmp_path):
    v = tf.Variable([1.0, 2.0], name="v")
    inc = v.assign_add([1.0, 1.0])
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "m"), global_step=7)
        assert path == str(tmp_path / "m-7")
        sess.run(inc)
        before = sess.run(v)
        saver.restore(sess, path)
        np.testing.assert_array_equal(before, [2.0, 3.0])  # a fetched array never changes
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(inc), [2.0, 3.0])  # restored value is writable state


def test_var_list_dict_renamed_keys(tmp_path):
    a = tf.Variable([1, 2, 3], name="a")
    b = tf.Variable(5.0, name="b")
    saver = tf.train.Saver({"layer/kernel": a, "other": b})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "d"), write_meta_graph=False)
    assert sorted(tf.train.NewCheckpointReader(path).get_variable_to_shape_map()) == ["layer/kernel", "other"]
    assert not os.path.exists(path + ".meta")
    tf.reset_default_graph()
    x = tf.Variable([0, 0, 0], name="x")
    y = tf.Variable(0.0, name="y")
    restorer = tf.train.Saver({"layer/kernel": x, "other": y})
    with tf.Session() as sess:
        restorer.restore(sess, path)
        assert sess.run(x).tolist() == [1, 2, 3] and sess.run(y) == 5.0
    # A list saves under the variables' op names.
    with pytest.raises(tf.errors.NotFoundError, match="Key x not found in checkpoint"):
        with tf.Session() as sess:
            tf.train.Saver([x, y]).restore(sess, path)


def test_var_list_validation():
    a = tf.Variable(1.0, name="a")
    with pytest.raises(TypeError):
        tf.train.Saver([a, tf.constant(1.0)])
    with pytest.raises(TypeError):
        tf.train.Saver(a)
    with pytest.raises(ValueError, match="two names"):
        tf.train.Saver({"x": a, "y": a})
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver([])
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    empty = tf.train.Saver(allow_empty=True)
    with tf.Session() as sess:
        assert empty.save(sess, "/nonexistent/dir/x") is None


def test_max_to_keep_prunes_and_state_file(tmp_path):
    v = tf.Variable(0, name="v")
    gs = tf.train.get_or_create_global_step()
    saver = tf.train.Saver(max_to_keep=2)
    base = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, 5):
            sess.run(v.assign(step * 10))
            gs.load(step, sess)
            path = saver.save(sess, base, global_step=gs)
            assert path == f"{base}-{step}"
    assert saver.last_checkpoints == [f"{base}-3", f"{base}-4"]
    files = sorted(os.listdir(tmp_path))
    assert files == ["checkpoint", "model-3.index", "model-3.meta", "model-4.index", "model-4.meta"]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == f"{base}-4"
    assert list(state.all_model_checkpoint_paths) == [f"{base}-3", f"{base}-4"]
    text = (tmp_path / "checkpoint").read_text()
    assert f'model_checkpoint_path: "{base}-4"' in text
    assert f'all_model_checkpoint_paths: "{base}-3"' in text
    assert tf.train.latest_checkpoint(str(tmp_path)) == f"{base}-4"
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        assert sess.run(v) == 40 and tf.train.global_step(sess, gs) == 4
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            saver.restore(sess, f"{base}-1")


def test_max_to_keep_none_keeps_all_and_relative_paths(tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver(max_to_keep=None, save_relative_paths=True, pad_step_number=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            saver.save(sess, str(tmp_path / "m"), global_step=step)
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".index")]) == 3
    assert 'model_checkpoint_path: "m-00000002"' in (tmp_path / "checkpoint").read_text()
    assert tf.train.latest_checkpoint(str(tmp_path)) == os.path.join(str(tmp_path), "m-00000002")


def test_state_helpers(tmp_path):
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone-1"\nall_model_checkpoint_paths: "gone-1"\n')
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == os.path.join(str(tmp_path), "gone-1")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None  # the files are missing
    (tmp_path / "checkpoint").write_text("garbage without quotes\n")
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    weird = 'dir with "quote"\\and\nnewline'
    tf.train.update_checkpoint_state(str(tmp_path), os.path.join(str(tmp_path), weird))
    assert tf.train.get_checkpoint_state(str(tmp_path)).model_checkpoint_path == os.path.join(str(tmp_path), weird)


def test_errors_not_found_shape_dtype(tmp_path):
    w = tf.Variable(np.ones(3, np.float32), name="w")
    saver = tf.train.Saver([w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "w"))
    tf.reset_default_graph()
    w4 = tf.Variable(np.ones(4, np.float32), name="w")
    u = tf.Variable(1.0, name="u")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match="Key u not found in checkpoint"):
            tf.train.Saver([w4, u]).restore(sess, path)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[4\].*\[3\]"):
            tf.train.Saver([w4]).restore(sess, path)
        with pytest.raises(ValueError, match="None"):
            tf.train.Saver([w4]).restore(sess, None)
    tf.reset_default_graph()
    wd = tf.Variable(np.ones(3, np.float64), name="w")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="dtype"):
            tf.train.Saver([wd]).restore(sess, path)
    tf.reset_default_graph()
    w23 = tf.Variable(np.zeros((3, 1), np.float32), name="w")
    with tf.Session() as sess:
        tf.train.Saver([w23], reshape=True).restore(sess, path)
        np.testing.assert_array_equal(sess.run(w23), np.ones((3, 1)))


def test_save_uninitialized_and_bad_dirs(tmp_path):
    tf.Variable(1.0, name="never_initialized")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError):
            saver.save(sess, str(tmp_path / "x"))
        with pytest.raises(ValueError, match="Parent directory"):
            saver.save(sess, str(tmp_path / "missing" / "x"))
        with pytest.raises(ValueError, match="path components"):
            saver.save(sess, str(tmp_path / "x"), latest_filename="a/b")
        with pytest.raises(TypeError):
            saver.save(object(), str(tmp_path / "x"))
    assert not os.listdir(tmp_path)


def _saved(tmp_path):
    v = tf.Variable(np.arange(100, dtype=np.float32), name="v")
    saver = tf.train.Saver()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    path = saver.save(sess, str(tmp_path / "c"))
    return v, saver, sess, path


def test_truncated_and_corrupted_files_raise_data_loss(tmp_path):
    v, saver, sess, path = _saved(tmp_path)
    data_file = checkpoint_format.data_path(path)
    good = open(data_file, "rb").read()
    cuts = [0, 1, 7, 8, 23, 24, len(good) // 2, len(good) - 5, len(good) - 4, len(good) - 1]
    for n in cuts:
        with open(data_file, "wb") as f:
            f.write(good[:n])
        with pytest.raises(tf.errors.DataLossError):
            saver.restore(sess, path)
    rng = np.random.default_rng(0)
    for pos in list(range(0, 40)) + list(rng.integers(0, len(good), 30)) + [len(good) - 1]:
        bad = bytearray(good)
        bad[pos] ^= 0x5A
        with open(data_file, "wb") as f:
            f.write(bytes(bad))
        with pytest.raises(tf.errors.DataLossError):
            saver.restore(sess, path)
    with open(data_file, "wb") as f:
        f.write(good + b"\0")
    with pytest.raises(tf.errors.DataLossError):
        saver.restore(sess, path)
    with open(data_file, "wb") as f:
        f.write(good)
    saver.restore(sess, path)
    np.testing.assert_array_equal(sess.run(v), np.arange(100))
    sess.close()


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200))
def test_parse_random_bytes_never_crashes(data):
    for blob in (data, checkpoint_format.MAGIC + data):
        try:
            checkpoint_format.parse_checkpoint(blob)
        except tf.errors.DataLossError:
            pass


def test_parse_rejects_consistent_but_invalid_entries():
    import struct
    import zlib

    def file_with(entry: bytes, count: int = 1) -> bytes:
        body = struct.pack("<8sIIQ", checkpoint_format.MAGIC, 1, 0, count) + entry
        return body + struct.pack("<I", zlib.crc32(body))

    def entry(name=b"x", dtype=1, dims=(2,), payload=b"\0" * 8):
        out = struct.pack("<I", len(name)) + name + struct.pack("<II", dtype, len(dims))
        out += b"".join(struct.pack("<q", d) for d in dims)
        return out + struct.pack("<Q", len(payload)) + payload

    assert checkpoint_format.parse_checkpoint(file_with(entry()))["x"].shape == (2,)
    bad = [file_with(entry(payload=b"\0" * 7)), file_with(entry(dims=(-1,))), file_with(entry(dtype=99)),
           file_with(entry() + entry()), file_with(entry(), count=2), file_with(entry(), count=10 ** 12),
           file_with(entry(dims=(2 ** 62, 2 ** 62))), file_with(entry(dtype=7, dims=(3,), payload=b"\0" * 8)),
           file_with(entry(name=b"\xff"))]
    for blob in bad:
        with pytest.raises(tf.errors.DataLossError):
            checkpoint_format.parse_checkpoint(blob)


def test_crash_mid_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    v, saver, sess, path = _saved(tmp_path)
    before = sorted(os.listdir(tmp_path))
    sess.run(v.assign(v * 0 - 1))
    calls = {"n": 0}
    real = checkpoint_format._write_all

    def flaky(f, chunk):
        calls["n"] += 1
        if calls["n"] == 2:
            real(f, bytes(chunk)[:10])  # partial output, then the "crash"
            raise OSError("disk on fire")
        real(f, chunk)

    monkeypatch.setattr(checkpoint_format, "_write_all", flaky)
    with pytest.raises(OSError, match="disk on fire"):
        saver.save(sess, path)  # same prefix: would overwrite the previous checkpoint
    monkeypatch.setattr(checkpoint_format, "_write_all", real)
    assert sorted(os.listdir(tmp_path)) == before  # no temp file left, nothing replaced
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    saver.restore(sess, path)
    np.testing.assert_array_equal(sess.run(v), np.arange(100))
    sess.close()


def test_killed_child_mid_save_keeps_previous_checkpoint(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time, numpy as np
        import graphrt as tf
        from graphrt.train import checkpoint_format
        v = tf.Variable(np.arange(200000, dtype=np.float32), name="v")
        saver = tf.train.Saver()
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        saver.save(sess, {str(tmp_path / 'model')!r}, global_step=1)
        sess.run(v.assign(v * 0 + 5))
        real = checkpoint_format._write_all
        def slow(f, chunk):
            data = bytes(chunk)
            if len(data) > 1000:
                real(f, data[:len(data) // 2])
                f.flush()
                print("MIDWRITE", flush=True)
                time.sleep(60)
            real(f, data)
        checkpoint_format._write_all = slow
        saver.save(sess, {str(tmp_path / 'model')!r}, global_step=1)  # overwrite step 1 ...
    """)
    env = dict(os.environ, PYTHONPATH=GRAPHRT_PARENT)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
    try:
        line = proc.stdout.readline()
        assert line.strip() == b"MIDWRITE", line
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    latest = tf.train.latest_checkpoint(str(tmp_path))
    assert latest == str(tmp_path / "model-1")
    v = tf.Variable(np.zeros(200000, np.float32), name="v")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, latest)
        np.testing.assert_array_equal(sess.run(v), np.arange(200000, dtype=np.float32))


def test_saver_adds_no_graph_nodes(tmp_path):
    v = tf.Variable(np.ones((2, 2), np.float32), name="v")
    gs = tf.train.get_or_create_global_step()
    saver = tf.train.Saver(max_to_keep=3)
    g = tf.get_default_graph()
    init = tf.global_variables_initializer()
    n = len(g.get_operations())
    with tf.Session() as sess:
        sess.run(init)
        for step in range(5):
            gs.load(step, sess)
            p = saver.save(sess, str(tmp_path / "m"), global_step=gs)
            saver.restore(sess, p)
        saver.export_meta_graph(str(tmp_path / "x.meta"))
        assert len(g.get_operations()) == n
        g.finalize()  # a finalized graph still saves and restores
        p = saver.save(sess, str(tmp_path / "m"), global_step=99)
        saver.restore(sess, p)
    np.testing.assert_array_equal(tf.train.load_variable(p, "v"), np.ones((2, 2)))


def test_import_meta_graph_restores_and_trains(tmp_path):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[1.0], [2.0]], name="w")
    b = tf.Variable(0.5, name="b")
    counter = tf.Variable(0, name="counter", trainable=False)
    gs = tf.train.get_or_create_global_step()
    y = tf.add(tf.matmul(x, w), b, name="y")
    tf.add_to_collection("outputs", y)
    tf.add_to_collection("lrs", 0.25)
    tf.add_to_collection("ids", 7)
    tf.add_to_collection("tags", "hello")
    train = w.assign_add(tf.ones_like(w), read_value=False)
    tf.add_to_collection(tf.GraphKeys.TRAIN_OP, train)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        sess.run(counter.assign(3))
        gs.load(11, sess)
        path = saver.save(sess, str(tmp_path / "model"), global_step=gs)
    assert path.endswith("model-11") and os.path.exists(path + ".meta")

    tf.reset_default_graph()
    restorer = tf.train.import_meta_graph(path + ".meta")
    assert isinstance(restorer, tf.train.Saver)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["w", "b", "counter", "global_step"]
    assert [v.op.name for v in tf.trainable_variables()] == ["w", "b"]
    assert all(isinstance(v, tf.Variable) for v in tf.global_variables())
    gs2 = tf.train.get_global_step()
    assert gs2 is tf.global_variables()[3] and not gs2.trainable
    w2 = tf.global_variables()[0]
    assert w2.shape.as_list() == [2, 1] and w2.dtype == tf.float32
    assert tf.get_collection("lrs") == [0.25] and tf.get_collection("ids") == [7]
    assert tf.get_collection("tags") == [b"hello"]
    y2 = tf.get_collection("outputs")[0]
    train2 = tf.get_collection(tf.GraphKeys.TRAIN_OP)[0]
    g = tf.get_default_graph()
    n = len(g.get_operations())
    with tf.Session() as sess:
        restorer.restore(sess, path)
        np.testing.assert_array_equal(sess.run(w2), [[2.0], [3.0]])
        assert tf.train.global_step(sess, gs2) == 11
        out = sess.run(y2, {"x:0": [[1.0, 1.0]]})
        np.testing.assert_allclose(out, [[5.5]])
        sess.run(train2)
        np.testing.assert_array_equal(sess.run(w2.value()), [[3.0], [4.0]])
        np.testing.assert_array_equal(sess.run(w2 * 2), [[6.0], [8.0]])
        w2.load([[0.0], [0.0]], sess)
        np.testing.assert_array_equal(sess.run(w2), [[0.0], [0.0]])
        # the imported Saver keeps saving without new nodes
        n = len(g.get_operations())
        p2 = restorer.save(sess, str(tmp_path / "again"))
        assert len(g.get_operations()) == n
        assert tf.train.load_variable(p2, "counter") == 3
    # initializer of the rebuilt variables works in a fresh session
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(w2), [[1.0], [2.0]])
        assert sess.run(tf.report_uninitialized_variables()).size == 0


def test_import_meta_graph_scope_and_export_objects(tmp_path):
    tf.Variable([1.0, 2.0], name="v")
    meta_file = str(tmp_path / "g.meta")
    m = tf.train.export_meta_graph(meta_file)
    assert isinstance(m, tf.train.MetaGraphDef)
    assert "variables" in m.collection_def and not m.HasField("saver_def")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ckpt = tf.train.Saver().save(sess, str(tmp_path / "c"), write_meta_graph=False)

    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(meta_file, import_scope="imp", clear_devices=True)
    (v,) = tf.global_variables()
    assert v.op.name == "imp/v"
    assert isinstance(saver, tf.train.Saver)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match="Key imp/v not found"):
            saver.restore(sess, ckpt)
        tf.train.Saver({"v": v}).restore(sess, ckpt)
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])

    tf.reset_default_graph()
    assert tf.train.import_meta_graph(m.SerializeToString()) is not None
    tf.reset_default_graph()
    tf.constant(1.0)
    no_vars = tf.train.export_meta_graph()
    with tf.Graph().as_default():
        assert tf.train.import_meta_graph(no_vars) is None
        assert [op.type for op in tf.get_default_graph().get_operations()] == ["Const"]
    with pytest.raises(IOError):
        tf.train.import_meta_graph(str(tmp_path / "missing.meta"))
    (tmp_path / "junk.meta").write_bytes(b"\xff\xff\xff")
    with pytest.raises(IOError):
        tf.train.import_meta_graph(str(tmp_path / "junk.meta"))
