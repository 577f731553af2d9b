"""Assert, Print, tf.print, check_numerics, string ops."""
import sys

import numpy as np
import pytest

import graphrt as tf


def test_assert_passes_and_fails_with_data():
    x = tf.placeholder(tf.int32, [None])
    check = tf.Assert(tf.less(tf.constant(0), tf.constant(1)), ["never shown"])
    bad = tf.Assert(tf.greater(tf.constant(0), tf.constant(1)), ["x is", x, tf.constant(2.5)], name="my_assert")
    with tf.control_dependencies([check]):
        y = tf.identity(x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1, 2]}), [1, 2])
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(bad, {x: [1, 2, 3]})
    msg = str(info.value)
    assert "assertion failed: [x is] [1 2 3] [2.5]" in msg
    assert info.value.op.name == "my_assert"


def test_assert_summarize_limits_entries():
    data = tf.constant(np.arange(10))
    a = tf.Assert(tf.constant(False), [data], summarize=2)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0 1\.\.\.\]"):
        sess.run(a)


def test_assert_condition_must_be_bool_scalar():
    with pytest.raises(TypeError):
        tf.Assert(tf.constant(1), ["x"])


def test_print_is_identity_and_writes_stderr(capfd):
    x = tf.placeholder(tf.float32, [2])
    y = tf.Print(x, [x, tf.constant("tag")], message="values: ", first_n=1)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.5]}), [1.0, 2.5])
        sess.run(y, {x: [3.0, 4.0]})  # first_n=1: printed once
    err = capfd.readouterr().err
    assert "values: [1 2.5][tag]" in err
    assert "3 4" not in err


def test_tf_print_formats_values(capfd):
    x = tf.constant([[1, 2], [3, 4]])
    op = tf.print("x =", x, "done", output_stream=sys.stdout)
    with tf.Session() as sess:
        assert sess.run(op) is None
    assert capfd.readouterr().out == "x = [[1 2]\n [3 4]] done\n"
    op2 = tf.print(tf.constant(np.arange(10)), summarize=2, output_stream=sys.stdout, end="!\n")
    with tf.Session() as sess:
        sess.run(op2)
    assert "[0 1 ... 8 9]!" in capfd.readouterr().out


def test_strings_format():
    s = tf.strings.format("a={} b={}", [tf.constant(1), tf.constant([1.5, 2.0])])
    with tf.Session() as sess:
        assert sess.run(s) == b"a=1 b=[1.5 2]"
    with pytest.raises(ValueError):
        tf.strings.format("{}", [tf.constant(1), tf.constant(2)])


def test_check_numerics():
    x = tf.placeholder(tf.float32, [None])
    y = tf.check_numerics(x, "checked x")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [1.0, 2.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="checked x : Tensor had NaN values"):
            sess.run(y, {x: [1.0, np.nan]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Inf values"):
            sess.run(y, {x: [np.inf]})


def test_string_join_and_equal():
    a = tf.constant([b"a", b"b"])
    j = tf.string_join([a, tf.constant("x"), a], separator="-")
    j2 = tf.strings.join([tf.constant("p"), tf.constant("q")])
    eq = tf.equal(a, tf.constant([b"a", b"c"]))
    ne = tf.not_equal(a, tf.constant(b"b"))
    assert j.shape.as_list() == [2]
    with tf.Session() as sess:
        rj, rj2, req, rne = sess.run([j, j2, eq, ne])
    assert list(rj) == [b"a-x-a", b"b-x-b"]
    assert rj2 == b"pq"
    np.testing.assert_array_equal(req, [True, False])
    np.testing.assert_array_equal(rne, [True, False])
    p = tf.placeholder(tf.string, [None])
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="shapes do not match"):
        sess.run(tf.string_join([p, a]), {p: ["a", "b", "c"]})


def test_debugging_asserts_at_run_time():
    x = tf.placeholder(tf.int32, [None])
    checks = {
        "eq": tf.debugging.assert_equal(x, 1),
        "lt": tf.assert_less(x, 5),
        "ge": tf.debugging.assert_greater_equal(x, 1),
        "pos": tf.debugging.assert_positive(x),
        "nn": tf.debugging.assert_non_negative(x - 1),
    }
    with tf.Session() as sess:
        for op in checks.values():
            sess.run(op, {x: [1, 1]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y did not hold"):
            sess.run(checks["eq"], {x: [1, 2]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="x < y"):
            sess.run(checks["lt"], {x: [1, 7]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(checks["pos"], {x: [0]})


def test_debugging_asserts_static_failures_and_rank_type():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
    tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 2]))  # statically true: fine
    with pytest.raises(ValueError, match="rank 2"):
        tf.debugging.assert_rank(tf.constant([1, 2]), 2)
    with pytest.raises(TypeError):
        tf.debugging.assert_type(tf.constant([1, 2]), tf.float32)
    p = tf.placeholder(tf.float32)
    check = tf.debugging.assert_rank(p, 1)
    with tf.Session() as sess:
        sess.run(check, {p: [1.0]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(check, {p: [[1.0]]})
