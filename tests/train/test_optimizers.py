"""Optimizers: each update over several steps against a numpy version of TF's formula (dense and sparse,
float32/float64), slots, global_step, hyperparameters as tensors/callables, errors, and the raw
ResourceApply*/ResourceSparseApply* kernels (half, empty, large/parallel, duplicate rows, bad input)."""
import threading

import numpy as np
import pytest

import graphrt as tf
from graphrt.train import training_ops

F32 = lambda x: float(np.float32(x))  # noqa: E731 - hyperparameters travel as float32 tensors


# ---- numpy references (TF's update formulas) ------------------------------------------------------

class Ref:
    """State and update of one optimizer in numpy, in dtype `dt`."""

    def __init__(self, kind, w, dt, **hp):
        self.kind, self.dt = kind, dt
        self.hp = {k: dt(F32(v)) if not isinstance(v, bool) else v for k, v in hp.items()}
        self.w = w.astype(dt).copy()
        z = np.zeros_like(self.w)
        self.s = {"a": z.copy(), "m": z.copy(), "v": z.copy(), "ms": np.ones_like(self.w) if kind.startswith("rms")
                  else z.copy(), "mg": z.copy(), "mom": z.copy(), "au": z.copy()}
        if kind == "adagrad":
            self.s["a"] = np.full_like(self.w, dt(hp.get("init", 0.1)))  # a constant of the var's dtype
        self.b1p = np.float32(F32(hp.get("beta1", 0.9)))
        self.b2p = np.float32(F32(hp.get("beta2", 0.999)))

    def rows_update(self, g, rows):
        """Applies the update to rows `rows` (None: all) with gradient g (shaped like those rows)."""
        dt, hp, s, k = self.dt, self.hp, self.s, self.kind
        sl = slice(None) if rows is None else rows
        w = self.w[sl]
        one = dt(1)
        if k == "sgd":
            w = w - hp["lr"] * g
        elif k == "momentum":
            a = s["a"][sl] * hp["momentum"] + g
            s["a"][sl] = a
            w = w - (g * hp["lr"] + a * hp["momentum"] * hp["lr"] if hp.get("nesterov") else a * hp["lr"])
        elif k == "adagrad":
            a = s["a"][sl] + g * g
            s["a"][sl] = a
            w = w - g * hp["lr"] / np.sqrt(a)
        elif k in ("rmsprop", "rms_centered"):
            ms = s["ms"][sl] + (g * g - s["ms"][sl]) * (one - hp["decay"])
            s["ms"][sl] = ms
            denom = ms + hp["epsilon"]
            if k == "rms_centered":
                mg = s["mg"][sl] + (g - s["mg"][sl]) * (one - hp["decay"])
                s["mg"][sl] = mg
                denom = (ms - mg * mg) + hp["epsilon"]
            mom = s["mom"][sl] * hp["momentum"] + g * hp["lr"] / np.sqrt(denom)
            s["mom"][sl] = mom
            w = w - mom
        elif k == "adadelta":
            a = s["a"][sl] * hp["rho"] + g * g * (one - hp["rho"])
            s["a"][sl] = a
            upd = np.sqrt(s["au"][sl] + hp["epsilon"]) / np.sqrt(a + hp["epsilon"]) * g
            s["au"][sl] = s["au"][sl] * hp["rho"] + upd * upd * (one - hp["rho"])
            w = w - upd * hp["lr"]
        else:
            raise AssertionError(k)
        self.w[sl] = w

    def adam_step(self, g, rows=None):
        dt, hp, s = self.dt, self.hp, self.s
        one = dt(1)
        b1p, b2p = dt(self.b1p), dt(self.b2p)
        lr_t = hp["lr"] * np.sqrt(one - b2p) / (one - b1p)
        if rows is None:
            s["m"] += (g - s["m"]) * (one - hp["beta1"])
            s["v"] += (g * g - s["v"]) * (one - hp["beta2"])
        else:  # TF's sparse Adam: decay everywhere, add the rows' gradient terms, update all of var
            s["m"] = s["m"] * hp["beta1"]
            s["m"][rows] += g * (one - hp["beta1"])
            s["v"] = s["v"] * hp["beta2"]
            s["v"][rows] += (g * g) * (one - hp["beta2"])
        self.w = self.w - s["m"] * lr_t / (np.sqrt(s["v"]) + hp["epsilon"])
        self.b1p = np.float32(self.b1p * np.float32(F32(hp["beta1"])))
        self.b2p = np.float32(self.b2p * np.float32(F32(hp["beta2"])))

    def step(self, g, indices=None):
        if indices is None:
            if self.kind == "adam":
                self.adam_step(g)
            else:
                self.rows_update(g, None)
            return
        if self.kind == "sgd":  # scatter_add: duplicates add up
            np.add.at(self.w, indices, -self.hp["lr"] * g)
            return
        uniq, pos = np.unique(indices, return_inverse=True)
        summed = np.zeros((len(uniq),) + g.shape[1:], g.dtype)
        np.add.at(summed, pos, g)
        if self.kind == "adam":
            self.adam_step(summed, uniq)
        else:
            self.rows_update(summed, uniq)


def make_optimizer(kind, hp):
    if kind == "sgd":
        return tf.train.GradientDescentOptimizer(hp["lr"])
    if kind == "momentum":
        return tf.train.MomentumOptimizer(hp["lr"], hp["momentum"], use_nesterov=hp.get("nesterov", False))
    if kind == "adam":
        return tf.train.AdamOptimizer(hp["lr"], hp["beta1"], hp["beta2"], hp["epsilon"])
    if kind == "adagrad":
        return tf.train.AdagradOptimizer(hp["lr"], initial_accumulator_value=hp["init"])
    if kind in ("rmsprop", "rms_centered"):
        return tf.train.RMSPropOptimizer(hp["lr"], decay=hp["decay"], momentum=hp["momentum"],
                                         epsilon=hp["epsilon"], centered=kind == "rms_centered")
    if kind == "adadelta":
        return tf.train.AdadeltaOptimizer(hp["lr"], rho=hp["rho"], epsilon=hp["epsilon"])
    raise AssertionError(kind)


CASES = {
    "sgd": dict(lr=0.1),
    "momentum": dict(lr=0.1, momentum=0.9),
    "nesterov": dict(lr=0.1, momentum=0.9, nesterov=True),
    "adam": dict(lr=0.1, beta1=0.9, beta2=0.999, epsilon=1e-8),
    "adagrad": dict(lr=0.1, init=0.1),
    "rmsprop": dict(lr=0.01, decay=0.9, momentum=0.5, epsilon=1e-10),
    "rms_centered": dict(lr=0.01, decay=0.9, momentum=0.5, epsilon=1e-3),
    "adadelta": dict(lr=1.0, rho=0.95, epsilon=1e-6),
}


def _kind(case):
    return "momentum" if case == "nesterov" else case


def _tol(dt):
    return dict(rtol=1e-6, atol=1e-7) if dt == np.float32 else dict(rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("case", sorted(CASES))
def test_updates_match_numpy(case, sparse, dt):
    hp = CASES[case]
    rng = np.random.RandomState(sorted(CASES).index(case) * 2 + int(sparse))
    w0 = rng.uniform(-1, 1, (5, 3)).astype(dt)
    ref = Ref(_kind(case), w0, dt, **hp)
    w = tf.Variable(w0, name="w")
    opt = make_optimizer(_kind(case), hp)
    tfdt = tf.as_dtype(dt)
    if sparse:
        indices = np.array([3, 0, 3, 1], np.int32)  # a duplicate row: summed first
        vals = tf.placeholder(tfdt, [4, 3])
        grad = tf.IndexedSlices(vals, tf.constant(indices), tf.constant([5, 3]))
        feed_t = vals
    else:
        indices = None
        grad = feed_t = tf.placeholder(tfdt, [5, 3])
    train = opt.apply_gradients([(grad, w)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            g = rng.uniform(-1, 1, feed_t.shape.as_list()).astype(dt)
            sess.run(train, {feed_t: g})
            ref.step(g, indices)
            np.testing.assert_allclose(sess.run(w), ref.w, **_tol(dt))


@pytest.mark.parametrize("case", sorted(CASES))
def test_minimize_matches_numpy_on_quadratic(case):
    # loss = sum((w - target)**2) / 2: grad = w - target; several steps through tf.gradients.
    hp = CASES[case]
    w0 = np.array([1.0, -2.0, 0.5], np.float32)
    target = np.array([0.3, 0.1, -0.4], np.float32)
    w = tf.Variable(w0, name="w")
    loss = 0.5 * tf.reduce_sum(tf.square(w - target))
    train = make_optimizer(_kind(case), hp).minimize(loss)
    ref = Ref(_kind(case), w0, np.float32, **hp)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(4):
            ref.step((ref.w - target).astype(np.float32))
            sess.run(train)
            np.testing.assert_allclose(sess.run(w), ref.w, rtol=1e-5, atol=1e-6)


def test_sparse_gradients_from_gather_use_sparse_kernels():
    emb0 = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    emb = tf.Variable(emb0, name="emb")
    ids = tf.placeholder(tf.int32, [None])
    loss = tf.reduce_sum(tf.gather(emb, ids))
    opt = tf.train.AdagradOptimizer(0.5)
    (g, v), = opt.compute_gradients(loss)
    assert isinstance(g, tf.IndexedSlices) and v is emb
    train = opt.apply_gradients([(g, v)])
    assert any(op.type == "ResourceSparseApplyAdagrad" for op in tf.get_default_graph().get_operations())
    ref = Ref("adagrad", emb0, np.float32, lr=0.5, init=0.1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for feed in ([0, 2, 2], [3], [1, 1, 1, 0]):
            sess.run(train, {ids: feed})
            ref.step(np.ones((len(feed), 3), np.float32), np.array(feed))
            np.testing.assert_allclose(sess.run(emb), ref.w, rtol=1e-6)
        sess.run(train, {ids: []})  # no rows: no change
        np.testing.assert_allclose(sess.run(emb), ref.w, rtol=1e-6)


# ---- slots, names, global_step ----------------------------------------------------------------

@pytest.mark.parametrize("opt_fn, slots", [
    (lambda: tf.train.GradientDescentOptimizer(0.1), {}),
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9), {"momentum": ("w/Momentum", 0.0)}),
    (lambda: tf.train.AdamOptimizer(), {"m": ("w/Adam", 0.0), "v": ("w/Adam_1", 0.0)}),
    (lambda: tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.25), {"accumulator": ("w/Adagrad", 0.25)}),
    (lambda: tf.train.RMSPropOptimizer(0.1), {"rms": ("w/RMSProp", 1.0), "momentum": ("w/RMSProp_1", 0.0)}),
    (lambda: tf.train.RMSPropOptimizer(0.1, centered=True),
     {"rms": ("w/RMSProp", 1.0), "mg": ("w/RMSProp_1", 0.0), "momentum": ("w/RMSProp_2", 0.0)}),
    (lambda: tf.train.AdadeltaOptimizer(), {"accum": ("w/Adadelta", 0.0), "accum_update": ("w/Adadelta_1", 0.0)}),
])
def test_slot_variables(opt_fn, slots):
    w = tf.Variable(tf.ones([2, 3]), name="w")
    b = tf.Variable(0.0, name="b")  # unused: gets no gradient and no slots
    opt = opt_fn()
    with tf.name_scope("outer"):
        train = opt.minimize(tf.reduce_sum(w * w), var_list=[w, b])
    assert train.name == "outer/" + opt.get_name()
    assert opt.get_slot_names() == sorted(slots)
    assert tf.trainable_variables() == [w, b]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for slot_name, (var_name, init) in slots.items():
            s = opt.get_slot(w, slot_name)
            assert s.op.name == var_name and not s.trainable and s in tf.global_variables()
            assert s.shape.as_list() == [2, 3] and s.dtype == tf.float32
            np.testing.assert_array_equal(sess.run(s), np.full([2, 3], init, np.float32))
            assert opt.get_slot(b, slot_name) is None
    assert opt.get_slot(w, "nope") is None
    names = sorted(v.op.name for v in opt.variables())
    expect = sorted(n for n, _ in slots.values())
    if isinstance(opt, tf.train.AdamOptimizer):
        expect = sorted(expect + ["outer/beta1_power", "outer/beta2_power"])  # non-slot: in the name scope
    assert names == expect


def test_adam_beta_powers_and_slot_reuse():
    w = tf.Variable([1.0, 2.0], name="w")
    opt = tf.train.AdamOptimizer(0.1, beta1=0.8, beta2=0.9)
    t1 = opt.minimize(tf.reduce_sum(w * w))
    t2 = opt.minimize(tf.reduce_sum(w))  # second train op shares the slots and powers
    assert len(opt.variables()) == 4
    b1, b2 = opt._get_beta_accumulators()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert np.isclose(sess.run(b1), 0.8) and np.isclose(sess.run(b2), 0.9)
        sess.run(t1)
        sess.run(t2)
        np.testing.assert_allclose(sess.run([b1, b2]), [0.8 ** 3, 0.9 ** 3], rtol=1e-6)


@pytest.mark.parametrize("gs_dtype", [tf.int64, tf.int32])
def test_global_step_increments_after_updates(gs_dtype):
    w = tf.Variable(5.0, name="w")
    gs = tf.Variable(0, dtype=gs_dtype, trainable=False, name="step")
    train = tf.train.MomentumOptimizer(0.1, 0.5).minimize(tf.square(w), global_step=gs, name="train")
    assert train.name == "train"
    assert train in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(1, 4):
            sess.run(train)
            assert sess.run(gs) == i
        assert sess.run(w) < 5.0


def test_get_or_create_global_step():
    w = tf.Variable(1.0)
    gs = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.5).minimize(w * w, global_step=gs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        sess.run(train)
        assert sess.run(gs) == 2
        assert np.isclose(sess.run(w), 0.0)  # 1 - 0.5*2*1 = 0, stays 0


def test_learning_rate_tensor_and_callable():
    w = tf.Variable([1.0, 1.0])
    lr = tf.placeholder(tf.float32, [])
    train = tf.train.GradientDescentOptimizer(lr).minimize(tf.reduce_sum(w * 2.0))
    w2 = tf.Variable([1.0])
    scale = tf.Variable(0.25, trainable=False)
    train2 = tf.train.MomentumOptimizer(lambda: scale * 2.0, lambda: 0.0).minimize(tf.reduce_sum(w2), var_list=[w2])
    w3 = tf.Variable([1.0], dtype=tf.float64)
    train3 = tf.train.AdamOptimizer(tf.constant(0.5)).minimize(tf.reduce_sum(w3))  # float32 lr, float64 var
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {lr: 0.1})
        sess.run(train, {lr: 0.2})
        np.testing.assert_allclose(sess.run(w), [1 - 0.6, 1 - 0.6], rtol=1e-6)
        sess.run(train2)
        np.testing.assert_allclose(sess.run(w2), [0.5])
        sess.run(train3)
        np.testing.assert_allclose(sess.run(w3), [1 - 0.5], rtol=1e-6)  # Adam's first step is lr * sign(g)


def test_compute_gradients_and_var_list():
    a = tf.Variable(2.0, name="a")
    b = tf.Variable(3.0, name="b")
    c = tf.Variable(4.0, name="c", trainable=False)
    loss = a * a + c
    opt = tf.train.GradientDescentOptimizer(0.1)
    gv = opt.compute_gradients(loss)
    assert [v for _, v in gv] == [a, b] and gv[1][0] is None
    gv_c = opt.compute_gradients(loss, var_list=[c])
    assert gv_c[0][1] is c
    for gate in (tf.train.Optimizer.GATE_NONE, tf.train.Optimizer.GATE_GRAPH):
        assert opt.compute_gradients(loss, gate_gradients=gate)[0][0] is not None
    with pytest.raises(ValueError, match="gate_gradients"):
        opt.compute_gradients(loss, gate_gradients=7)
    train = opt.apply_gradients(gv)  # the None gradient is skipped
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert np.isclose(sess.run(a), 2.0 - 0.1 * 4.0) and sess.run(b) == 3.0


def test_constraint_applied_after_update():
    w = tf.Variable([0.0, 0.0], constraint=lambda x: tf.clip_by_value(x, -0.5, 0.5))
    train = tf.train.GradientDescentOptimizer(1.0).minimize(tf.reduce_sum(w * tf.constant([1.0, -3.0])))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [-0.5, 0.5])


# ---- errors --------------------------------------------------------------------------------------

def test_no_gradients_errors():
    w = tf.Variable(1.0, name="w")
    x = tf.Variable(2.0, name="x")
    opt = tf.train.AdamOptimizer()
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.minimize(x * 2.0, var_list=[w])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, w), (None, x)])
    with pytest.raises(ValueError, match="No variables provided"):
        opt.apply_gradients([])
    with pytest.raises(ValueError, match="Invalid type"):
        opt.compute_gradients(tf.constant(1), var_list=[w])
    with pytest.raises(ValueError, match="No variables to optimize"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(tf.constant(1.0), var_list=[])
    with pytest.raises(NotImplementedError):
        opt.apply_gradients([(tf.constant(1.0), tf.constant(1.0))])
    with pytest.raises(ValueError, match="initial_accumulator_value"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)


@pytest.mark.parametrize("opt_fn", [lambda: tf.train.GradientDescentOptimizer(0.1),
                                    lambda: tf.train.MomentumOptimizer(0.1, 0.9),
                                    lambda: tf.train.AdamOptimizer(),
                                    lambda: tf.train.AdagradOptimizer(0.1),
                                    lambda: tf.train.RMSPropOptimizer(0.1, centered=True),
                                    lambda: tf.train.AdadeltaOptimizer()])
def test_shape_mismatch_at_run_time_and_build_time(opt_fn):
    w = tf.Variable(tf.zeros([2, 3]), name="w")
    g = tf.placeholder(tf.float32)
    opt = opt_fn()
    train = opt.apply_gradients([(g, w)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="do not have the same shape"):
            sess.run(train, {g: np.ones([3, 2], np.float32)})
        np.testing.assert_array_equal(sess.run(w), np.zeros([2, 3]))  # nothing applied
        sess.run(train, {g: np.ones([2, 3], np.float32)})
    with pytest.raises(ValueError):
        opt_fn().apply_gradients([(tf.ones([3, 2]), w)])


def test_sparse_out_of_range_indices_is_invalid_argument():
    w = tf.Variable(tf.zeros([4, 2]), name="w")
    idx = tf.placeholder(tf.int32, [None])
    vals = tf.placeholder(tf.float32, [None, 2])
    for opt in (tf.train.MomentumOptimizer(0.1, 0.9), tf.train.AdagradOptimizer(0.1),
                tf.train.RMSPropOptimizer(0.1), tf.train.AdadeltaOptimizer()):
        train = opt.apply_gradients([(tf.IndexedSlices(vals, idx, tf.constant([4, 2])), w)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
                sess.run(train, {idx: [1, 4], vals: np.ones([2, 2], np.float32)})
            with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
                sess.run(train, {idx: [-1], vals: np.ones([1, 2], np.float32)})
            np.testing.assert_array_equal(sess.run(w), np.zeros([4, 2]))


def test_uninitialized_slot_is_failed_precondition():
    w = tf.Variable([1.0], name="w")
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_sum(w))
    with tf.Session() as sess:
        sess.run(w.initializer)
        with pytest.raises(tf.errors.FailedPreconditionError, match="w/Momentum"):
            sess.run(train)


# ---- raw kernels ---------------------------------------------------------------------------------

def _run_raw(build, init_values, feeds=None, steps=1):
    vars_ = [tf.Variable(v) for v in init_values]
    op = build(*[v.handle for v in vars_])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(op, feeds)
        return sess.run([v.value() for v in vars_])


def test_raw_half_is_computed_in_float():
    w0 = np.array([1.0, -2.0, 0.5], np.float16)
    g = np.array([0.5, 0.25, -1.0], np.float16)
    out, acc = _run_raw(lambda v, a: training_ops.resource_apply_momentum(
        v, a, tf.constant(0.5, tf.float16), tf.constant(g), tf.constant(0.9, tf.float16)),
        [w0, np.zeros(3, np.float16)], steps=2)
    assert out.dtype == np.float16
    a1 = g.astype(np.float32)
    a2 = (a1 * np.float32(np.float16(0.9)) + g).astype(np.float16).astype(np.float32)
    w = ((w0.astype(np.float32) - 0.5 * a1).astype(np.float16).astype(np.float32) - 0.5 * a2).astype(np.float16)
    np.testing.assert_array_equal(out, w)
    np.testing.assert_array_equal(acc, a2.astype(np.float16))
    out, = _run_raw(lambda v: training_ops.resource_apply_gradient_descent(
        v, tf.constant(0.5, tf.float16), tf.constant(g)), [w0])
    np.testing.assert_array_equal(out, (w0.astype(np.float32) - 0.5 * g.astype(np.float32)).astype(np.float16))


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_raw_scalar_and_empty_variables(dt):
    out, m, v = _run_raw(lambda var, m, v: training_ops.resource_apply_adam(
        var, m, v, tf.constant(0.9, dt), tf.constant(0.999, dt), tf.constant(0.1, dt), tf.constant(0.9, dt),
        tf.constant(0.999, dt), tf.constant(1e-8, dt), tf.constant(2.0, dt)), [dt(1.0), dt(0.0), dt(0.0)])
    np.testing.assert_allclose(out, 1.0 - 0.1, rtol=1e-6)
    np.testing.assert_allclose([m, v], [0.2, 4 * (1 - dt(0.999))], rtol=1e-6)
    out, = _run_raw(lambda var: training_ops.resource_apply_gradient_descent(
        var, tf.constant(0.1, dt), tf.zeros([0, 3], dt)), [np.zeros([0, 3], dt)])
    assert out.shape == (0, 3)
    out, acc = _run_raw(lambda var, a: training_ops.resource_sparse_apply_adagrad(
        var, a, tf.constant(0.1, dt), tf.zeros([0, 2], dt), tf.zeros([0], tf.int64)),
        [np.ones([3, 2], dt), np.ones([3, 2], dt)])
    np.testing.assert_array_equal(out, np.ones([3, 2]))


def test_raw_sparse_duplicate_rows_apply_in_order():
    # Fed straight to the kernel (no Python dedup), a repeated row is updated twice, as TF does.
    w0 = np.array([[1.0, 2.0], [3.0, 4.0]], np.float64)
    g = np.array([[1.0, 1.0], [0.5, -1.0], [2.0, 2.0]])
    idx = np.array([1, 1, 0])
    out, acc = _run_raw(lambda v, a: training_ops.resource_sparse_apply_adagrad(
        v, a, tf.constant(0.1, tf.float64), tf.constant(g), tf.constant(idx)), [w0, np.full([2, 2], 0.1)])
    w, a = w0.copy(), np.full([2, 2], 0.1)
    for k, r in enumerate(idx):
        a[r] += g[k] ** 2
        w[r] -= 0.1 * g[k] / np.sqrt(a[r])
    np.testing.assert_allclose(out, w, rtol=1e-14)
    np.testing.assert_allclose(acc, a, rtol=1e-14)


def test_raw_large_variables_use_parallel_loops():
    rng = np.random.RandomState(0)
    n = 300_000
    w0 = rng.randn(n).astype(np.float32)
    g = rng.randn(n).astype(np.float32)
    out, m, v = _run_raw(lambda var, m, v: training_ops.resource_apply_adam(
        var, m, v, 0.9, 0.999, 0.01, 0.9, 0.999, 1e-8, tf.constant(g)),
        [w0, np.zeros(n, np.float32), np.zeros(n, np.float32)])
    ref = Ref("adam", w0, np.float32, lr=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8)
    ref.step(g)
    np.testing.assert_allclose(out, ref.w, rtol=1e-6, atol=1e-7)
    rows, inner = 4000, 64
    w0 = rng.randn(rows, inner).astype(np.float32)
    idx = rng.permutation(rows)[:3000]
    gs = rng.randn(3000, inner).astype(np.float32)
    out, ms, mom = _run_raw(lambda var, ms, mom: training_ops.resource_sparse_apply_rms_prop(
        var, ms, mom, 0.01, 0.9, 0.5, 1e-10, tf.constant(gs), tf.constant(idx)),
        [w0, np.ones_like(w0), np.zeros_like(w0)])
    ref = Ref("rmsprop", w0, np.float32, lr=0.01, decay=0.9, momentum=0.5, epsilon=1e-10)
    ref.step(gs, idx)
    np.testing.assert_allclose(out, ref.w, rtol=1e-6, atol=1e-7)


def test_raw_run_time_errors():
    h = tf.placeholder(tf.float32)
    idx = tf.placeholder(tf.int32)
    vals = tf.placeholder(tf.float32)
    w = tf.Variable(tf.zeros([3, 2]))
    acc = tf.Variable(tf.zeros([3, 2]))
    acc_bad = tf.Variable(tf.zeros([2, 3]), validate_shape=False)  # shape known only at run time
    lr_op = training_ops.resource_apply_adagrad(w.handle, acc.handle, h, tf.ones([3, 2]))
    shape_op = training_ops.resource_apply_momentum(w.handle, acc_bad.handle, 0.1, tf.ones([3, 2]), 0.9)
    sparse_op = training_ops.resource_sparse_apply_adagrad(w.handle, acc.handle, 0.1, vals, idx)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="lr is not a scalar"):
            sess.run(lr_op, {h: [0.1]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="var and accum do not have the same shape"):
            sess.run(shape_op)
        with pytest.raises(tf.errors.InvalidArgumentError, match="indices must be one-dimensional"):
            sess.run(sparse_op, {idx: [[0]], vals: np.ones([1, 2])})
        with pytest.raises(tf.errors.InvalidArgumentError, match="same size as indices"):
            sess.run(sparse_op, {idx: [0, 1], vals: np.ones([1, 2])})
        with pytest.raises(tf.errors.InvalidArgumentError, match="match in dimension 1"):
            sess.run(sparse_op, {idx: [0], vals: np.ones([1, 3])})
        with pytest.raises(tf.errors.InvalidArgumentError, match="same rank"):
            sess.run(sparse_op, {idx: [0], vals: np.ones([2])})
        sess.run(sparse_op, {idx: [2, 0], vals: np.ones([2, 2])})
        assert (sess.run(w)[1] == 0).all() and (sess.run(w)[0] < 0).all()


def test_raw_build_time_errors():
    w = tf.Variable(tf.zeros([3, 2]))
    acc = tf.Variable(tf.zeros([3, 2]))
    with pytest.raises(ValueError, match="rank 0"):
        training_ops.resource_apply_adagrad(w.handle, acc.handle, [0.1, 0.2], tf.ones([3, 2]))
    with pytest.raises(ValueError):
        training_ops.resource_apply_adagrad(w.handle, acc.handle, 0.1, tf.ones([2, 2]))
    with pytest.raises(ValueError, match="one-dimensional"):
        training_ops.resource_sparse_apply_adagrad(w.handle, acc.handle, 0.1, tf.ones([1, 2]), [[0]])
    with pytest.raises(ValueError):
        training_ops.resource_sparse_apply_adagrad(w.handle, acc.handle, 0.1, tf.ones([2, 2]), [0])
    with pytest.raises(ValueError):
        training_ops.resource_sparse_apply_adagrad(w.handle, acc.handle, 0.1, tf.ones([1, 3]), [0])
    with pytest.raises(TypeError):
        training_ops.resource_apply_adagrad(w.handle, acc.handle, 0.1, tf.ones([3, 2], tf.float64))
    with pytest.raises(TypeError):
        training_ops.resource_sparse_apply_adagrad(w.handle, acc.handle, 0.1, tf.ones([1, 2]), [0.5])


# ---- snapshots and concurrency -------------------------------------------------------------------

def test_fetched_values_and_slots_are_snapshots():
    w = tf.Variable([1.0, 2.0], name="w")
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    train = opt.minimize(tf.reduce_sum(w * w))
    mom = opt.get_slot(w, "momentum")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before, mom_before = sess.run([w, mom])
        saved = before.copy()
        sess.run(train)
        after, mom_after = sess.run([w, mom])
        for _ in range(3):
            sess.run(train)
        np.testing.assert_array_equal(before, saved)
        np.testing.assert_array_equal(mom_before, [0.0, 0.0])
        np.testing.assert_allclose(after, saved - 0.1 * 2 * saved, rtol=1e-6)
        np.testing.assert_allclose(mom_after, 2 * saved, rtol=1e-6)
        assert not np.allclose(sess.run(w), after)


def test_concurrent_train_ops_sharing_variables_do_not_deadlock():
    w = tf.Variable(tf.zeros([64]), name="w")
    x = tf.Variable(tf.zeros([64]), name="x")
    opt = tf.train.MomentumOptimizer(0.01, 0.0)
    t1 = opt.apply_gradients([(tf.ones([64]), w), (tf.ones([64]), x)])
    t2 = opt.apply_gradients([(tf.ones([64]), x), (tf.ones([64]), w)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())

        def work(op):
            for _ in range(100):
                sess.run(op)
        threads = [threading.Thread(target=work, args=(op,)) for op in (t1, t2, t1, t2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        np.testing.assert_allclose(sess.run([w, x]), np.full([2, 64], -4.0), rtol=1e-5)
