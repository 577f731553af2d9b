"""Graph passes (constant folding, CSE, arithmetic simplification, elementwise fusion, MatMul/Conv2D +
BiasAdd (+ Relu) fusion, memory planning): each gives identical results with the pass on and off,
and each is shown to fire through the plan's stats."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import graphrt as tf
from graphrt import _core
from graphrt.client.config import RewriterConfig

ALL_OFF = tf.ConfigProto(graph_options=tf.GraphOptions(
    optimizer_options=tf.OptimizerOptions(opt_level=tf.OptimizerOptions.L0),
    rewrite_options=RewriterConfig(disable_meta_optimizer=True)))
_REWRITE_FIELD = {"constant_folding": "constant_folding", "common_subexpression_elimination": "common_subgraph_elimination",
                  "arithmetic_optimization": "arithmetic_optimization", "fusion": "remapping",
                  "dependency_optimization": "dependency_optimization"}


def only_off(switch):
    """A config with one pass switched off (the classic OptimizerOptions too, for folding and CSE)."""
    rw = RewriterConfig(**{_REWRITE_FIELD[switch]: RewriterConfig.OFF})
    return tf.ConfigProto(graph_options=tf.GraphOptions(
        optimizer_options=tf.OptimizerOptions(opt_level=tf.OptimizerOptions.L0), rewrite_options=rw))


def run_both(fetches, feed_dict=None, off=ALL_OFF, graph=None):
    """(results with passes on, results with `off`, the passes-on plan)."""
    graph = graph or tf.get_default_graph()
    feed_dict = feed_dict or {}
    with tf.Session(graph=graph) as on_sess, tf.Session(graph=graph, config=off) as off_sess:
        on = on_sess.run(fetches, feed_dict)
        ref = off_sess.run(fetches, feed_dict)
        plan = plan_of(on_sess, fetches, feed_dict)
        off_plan = plan_of(off_sess, fetches, feed_dict)
    return on, ref, plan, off_plan


def plan_of(sess, fetches, feed_dict=None):
    fetches = fetches if isinstance(fetches, (list, tuple)) else [fetches]
    feeds = [t.name for t in (feed_dict or {})]
    tensors = [f.name for f in fetches if isinstance(f, tf.Tensor)]
    targets = [f.name for f in fetches if isinstance(f, tf.Operation)]
    return sess._c.make_plan(feeds, tensors, targets)


def assert_identical(a, b):
    """Bit-identical values (NaNs equal), same dtypes and shapes."""
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_identical(x, y)
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    if a.dtype.kind == "f":
        a, b = a.reshape(-1).view(np.uint8), b.reshape(-1).view(np.uint8)
    np.testing.assert_array_equal(a, b)


# ---- switches ------------------------------------------------------------------------------------


def test_switches_reach_the_runtime_and_all_off_runs_nothing():
    x = tf.placeholder(tf.float32, [None])
    y = tf.nn.relu(x * (tf.constant(2.0) * tf.constant(3.0)) + 1.0) * 1.0
    v = np.linspace(-2, 2, 9, dtype=np.float32)
    on, ref, plan, off_plan = run_both(y, {x: v})
    assert_identical(on, ref)
    s = plan.stats
    assert s["constants_folded"] == 1 and s["arithmetic_simplified"] >= 1 and s["elementwise_groups"] == 1
    assert plan.num_nodes < s["pruned_nodes"]
    assert off_plan.num_nodes == off_plan.stats["pruned_nodes"]
    assert all(v == 0 for k, v in off_plan.stats.items() if k not in ("pruned_nodes", "inplace_candidates"))
    with tf.Session(config=ALL_OFF) as sess:
        sw = sess._c.optimizer_switches
    assert not sw["constant_folding"] and not sw["fusion"] and not sw["arithmetic_optimization"]


@pytest.mark.parametrize("switch,stat", [("constant_folding", "constants_folded"),
                                         ("common_subexpression_elimination", "cse_merged"),
                                         ("arithmetic_optimization", "arithmetic_simplified"),
                                         ("fusion", "elementwise_groups")])
def test_each_switch_turns_its_pass_off(switch, stat):
    x = tf.placeholder(tf.float32, [None])
    c = tf.constant(2.0) + tf.constant(1.0)
    a = tf.exp(x * c)
    b = tf.exp(x * c)
    y = tf.identity(a + b) * 1.0
    v = np.array([0.5, -1.0, 2.0], np.float32)
    on, ref, plan, off_plan = run_both(y, {x: v}, off=only_off(switch))
    assert_identical(on, ref)
    assert plan.stats[stat] > 0
    assert off_plan.stats[stat] == 0


# ---- dependency optimization ---------------------------------------------------------------------


def test_unread_control_only_ops_are_dropped():
    x = tf.placeholder(tf.float32, [])
    group = tf.group(*[x + float(i) for i in range(50)])
    on, ref, plan, off_plan = run_both(group, {x: 1.0}, off=only_off("dependency_optimization"))
    assert on is None and ref is None
    assert plan.stats["dependencies_removed"] == 100  # 50 additions and their 50 constants
    assert plan.node_types == ["NoOp"]
    assert off_plan.stats["dependencies_removed"] == 0 and off_plan.node_types.count("Add") == 50


def test_dropped_ops_keep_the_ordering_they_carried():
    v = tf.Variable(0.0)
    x = tf.placeholder(tf.float32, [])
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        t = x * 2.0  # stateless, read by nobody: dropped, but the group must still wait for `inc`
    group = tf.group(t)
    with tf.Session() as sess:
        sess.run(v.initializer)
        for _ in range(3):
            sess.run(group, {x: 1.0})
        assert sess.run(v) == 3.0
        assert plan_of(sess, group, {x: 1.0}).stats["dependencies_removed"] >= 1
        # Fetched, the same op is computed.
        assert sess.run([group, t], {x: 4.0})[1] == 8.0
        assert sess.run(v) == 4.0


def test_check_and_stateful_ops_are_never_dropped():
    x = tf.placeholder(tf.float32, [None])
    checked = tf.debugging.check_numerics(x, "x has a NaN")
    noise = tf.random.uniform([2])
    group = tf.group(checked, noise)
    with tf.Session() as sess:
        sess.run(group, {x: np.ones(2, np.float32)})
        with pytest.raises(tf.errors.InvalidArgumentError, match="x has a NaN"):
            sess.run(group, {x: np.array([1.0, np.nan], np.float32)})
        types = plan_of(sess, group, {x: np.ones(2, np.float32)}).node_types
    assert "CheckNumerics" in types and "RandomUniform" in types


# ---- constant folding ----------------------------------------------------------------------------


def test_constant_folding_evaluates_const_subgraphs_once():
    x = tf.placeholder(tf.float64, [None, 3])
    w = tf.reshape(tf.range(6.0, dtype=tf.float64), [2, 3]) * 0.5
    w = tf.transpose(tf.concat([w, w + 1.0], axis=0))  # 3x4, all from constants
    y = tf.matmul(x, w) + tf.reduce_sum(w)
    xv = np.arange(6.0).reshape(2, 3)
    on, ref, plan, _ = run_both(y, {x: xv})
    assert_identical(on, ref)
    assert plan.stats["constants_folded"] >= 5
    assert "Range" not in plan.node_types and "ConcatV2" not in plan.node_types
    assert any(name.startswith("ConstantFolding/") for name in plan.node_names)


def test_folded_reductions_sum_exactly_as_a_step_does():
    # A large full reduction sums in chunks when it has a thread pool: plan-time evaluation must too.
    big = np.random.default_rng(5).standard_normal(300_000)
    x = tf.placeholder(tf.float64, [])
    y = tf.reduce_sum(tf.constant(big) * 3.0) + x
    on, ref, plan, _ = run_both(y, {x: 0.5}, off=only_off("constant_folding"))
    assert_identical(on, ref)
    assert plan.stats["constants_folded"] == 2


def test_constant_folding_a_fetched_constant_value_is_a_fresh_array():
    c = tf.constant([1.0, 2.0]) * 3.0
    with tf.Session() as sess:
        a = sess.run(c)
        a[0] = 100.0
        b = sess.run(c)
        assert plan_of(sess, c).stats["constants_folded"] == 1
    np.testing.assert_array_equal(b, [3.0, 6.0])


def test_constant_folding_is_size_capped():
    x = tf.placeholder(tf.float32, [])
    big = tf.fill([3, 1024, 1024], 1.0)  # 12 MiB: over the 10 MiB cap
    small = tf.fill([4, 4], 2.0)
    y = tf.reduce_sum(big) + tf.reduce_sum(small) + x
    on, ref, plan, _ = run_both(y, {x: 1.0})
    assert_identical(on, ref)
    assert on == 3 * 1024 * 1024 + 32 + 1
    assert "Fill" in plan.node_types  # the big one stays
    assert plan.node_types.count("Fill") == 1


def test_constant_folding_never_folds_stateful_ops():
    r = tf.random_uniform([8]) * 2.0
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    y = v.read_value() * 2.0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert not np.array_equal(sess.run(r), sess.run(r))
        assert sess.run(y) == 2.0
        sess.run(inc)
        assert sess.run(y) == 4.0
        assert plan_of(sess, r).stats["constants_folded"] == 0


def test_constant_folding_leaves_failing_nodes_to_report_at_run_time():
    bad = tf.gather(tf.constant([1.0, 2.0, 3.0]), tf.constant(7), name="bad_gather")
    for cfg in (None, ALL_OFF):
        with tf.Session(config=cfg) as sess:
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(bad)
            assert info.value.op.name == "bad_gather"


# ---- CSE -------------------------------------------------------------------------------------------


def test_cse_merges_identical_subexpressions_and_keeps_fetches_apart():
    x = tf.placeholder(tf.float32, [None])
    y = tf.placeholder(tf.float32, [None])
    a = tf.sqrt(x * y + 1.0)
    b = tf.sqrt(y * x + 1.0)  # commutative Mul: same value
    total = a - b
    xv, yv = np.float32([1, 2, 3]), np.float32([4, 5, 6])
    on, ref, plan, _ = run_both([a, b, total], {x: xv, y: yv}, off=only_off("common_subexpression_elimination"))
    assert_identical(on, ref)
    assert plan.stats["cse_merged"] >= 3  # the Mul, the Const 1.0, the Add, the Sqrt
    np.testing.assert_array_equal(on[2], 0)
    on[0][0] = -1.0  # two fetches of one value are still two arrays
    assert on[1][0] != -1.0


def test_cse_never_merges_stateful_ops():
    r1 = tf.random_uniform([4], seed=1)
    r2 = tf.random_uniform([4], seed=1)
    v = tf.Variable([1.0, 2.0])
    reads = [v.read_value(), v.read_value()]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([r1, r2] + reads)
        types = plan_of(sess, [r1, r2] + reads).node_types
    assert types.count("RandomUniform") == 2 and types.count("ReadVariableOp") == 2


# ---- arithmetic simplification -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64, tf.int32, tf.int64])
def test_arithmetic_identities_are_bypassed(dtype):
    x = tf.placeholder(dtype, [None, 2])
    one, zero = tf.constant(1, dtype), tf.constant(0, dtype)
    exprs = [x * one, one * x, x + zero, zero + x, x - zero, tf.identity(tf.identity(x))]
    if dtype in (tf.float32, tf.float64):
        exprs.append(x / one)
    xv = np.arange(6).reshape(3, 2).astype(dtype.as_numpy_dtype)
    on, ref, plan, _ = run_both(exprs, {x: xv}, off=only_off("arithmetic_optimization"))
    assert_identical(on, ref)
    for value in on:
        np.testing.assert_array_equal(value, xv)
    assert plan.stats["arithmetic_simplified"] >= len(exprs)
    assert plan.num_nodes == 0  # every fetch reads the fed tensor
    on[0][0, 0] = 99  # a bypassed op's value is not the caller's fed array
    assert xv[0, 0] == 0


def test_arithmetic_keeps_broadcasting_ops():
    x = tf.placeholder(tf.float32, [None, 1])
    y = x + tf.zeros([3])  # not a no-op: [2,1] + [3] -> [2,3]
    z = x * tf.ones([1, 1])
    on, ref, plan, _ = run_both([y, z], {x: np.float32([[1], [2]])})
    assert_identical(on, ref)
    assert on[0].shape == (2, 3) and on[1].shape == (2, 1)
    assert plan.stats["arithmetic_simplified"] == 0


def test_double_transpose_and_reshape_chains():
    x = tf.placeholder(tf.float32, [2, 3, 4])
    t = tf.transpose(tf.transpose(x, [1, 2, 0]), [2, 0, 1])  # inverse perms: x itself
    not_inverse = tf.transpose(tf.transpose(x, [1, 0, 2]), [0, 2, 1])
    r = tf.reshape(tf.reshape(tf.reshape(x, [6, 4]), [4, 6]), [24])
    xv = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    on, ref, plan, _ = run_both([t, not_inverse, r], {x: xv}, off=only_off("arithmetic_optimization"))
    assert_identical(on, ref)
    np.testing.assert_array_equal(on[0], xv)
    np.testing.assert_array_equal(on[1], xv.transpose(1, 0, 2).transpose(0, 2, 1))
    assert plan.stats["arithmetic_simplified"] == 3  # the inverse pair, two inner Reshapes bypassed
    assert plan.node_types.count("Transpose") == 2 and plan.node_types.count("Reshape") == 1


def test_control_dependencies_keep_their_ordering():
    v = tf.Variable(0.0)
    x = tf.placeholder(tf.float32, [])
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        y = tf.identity(x * 1.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(3):
            assert sess.run(y, {x: 5.0}) == 5.0
        assert sess.run(v) == 3.0


# ---- elementwise fusion --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 1000)])
def test_elementwise_chain_fuses_and_is_bit_identical(dtype, shape):
    x = tf.placeholder(dtype, shape)
    y = tf.placeholder(dtype, shape)
    z = tf.nn.sigmoid(tf.square(x - y) * 0.5) + tf.exp(-tf.abs(x)) / (tf.sqrt(tf.abs(y)) + 1.0)
    z = tf.maximum(tf.tanh(z), tf.nn.relu6(y)) - tf.log1p(tf.nn.softplus(x))
    rng = np.random.default_rng(0)
    xv = rng.standard_normal(shape).astype(dtype)
    yv = rng.standard_normal(shape).astype(dtype)
    on, ref, plan, _ = run_both(z, {x: xv, y: yv}, off=only_off("fusion"))
    assert_identical(on, ref)
    assert plan.stats["elementwise_groups"] == 1 and plan.stats["elementwise_ops_fused"] >= 14
    assert plan.node_types.count("_FusedElementwise") == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multiply_add_pairs_round_twice_like_the_unfused_ops(dtype):
    # x*s+t, t+x*s and x*s-t with rank-0 s and t run as one loop; an FMA would round once and differ
    # from the two ops in the last bit for many of these values.
    x = tf.placeholder(dtype, [None])
    s = tf.placeholder(dtype, [])
    y = tf.maximum(x * s + 0.3, 0.1) * 3.7 - 1.9
    z = 0.7 + s * (x * 1.3 - s)
    # ... and a clamp after the pair, with the rank-0 operand first or second (order decides -0 vs +0
    # and which NaN wins), Minimum too.
    c = tf.placeholder(dtype, [])
    clamps = [tf.maximum(c, 2.0 * x + 1.0), tf.minimum(2.0 * x + 1.0, c), tf.minimum(c, x * s - 0.5),
              tf.maximum(x * 2.0 - 1.0, c)]
    v = np.random.default_rng(3).standard_normal(5000).astype(dtype)
    v[:4] = [np.nan, -0.5, -0.5, 1.0]  # 2*(-0.5)+1 is +0: against c = -0 the operand order shows
    neg_nan = -np.abs(np.array(np.nan, dtype))  # a NaN other than x's: which NaN wins shows too
    for cv in (0.0, -0.0, neg_nan, 0.25):
        feed = {x: v, s: dtype(1.0 / 3.0), c: dtype(cv)}
        for fetch in [[y, z]] + clamps:
            on, ref, plan, _ = run_both(fetch, feed, off=only_off("fusion"))
            assert_identical(on, ref)
            assert plan.stats["elementwise_groups"] >= 1
    # A vector where the pair wants a rank-0 value: the ops run one by one, same values.
    w = tf.placeholder(dtype, [None])
    u = x * w + 0.5
    on, ref, _, _ = run_both(u, {x: v, w: v[::-1].copy()}, off=only_off("fusion"))
    assert_identical(on, ref)
    want = (v.astype(np.float64) * v[::-1] + 0.5).astype(dtype) if dtype == np.float64 else None
    if want is not None:
        np.testing.assert_array_equal(on, want)


def test_fused_intermediates_that_are_fetched_are_still_produced():
    x = tf.placeholder(tf.float32, [None])
    a = x * 2.0 + 1.0
    b = tf.nn.relu(a - 3.0)
    c = tf.exp(-b) * a
    xv = np.linspace(-3, 3, 101, dtype=np.float32)
    on, ref, plan, _ = run_both([a, b, c], {x: xv}, off=only_off("fusion"))
    assert_identical(on, ref)
    assert plan.node_types.count("_FusedElementwise") == 1  # one node, three outputs


def test_fetched_intermediate_waiting_on_another_feed_is_not_fused_in():
    # partial_run fetches r1 before c is fed: r1 must not depend on c through a fused node.
    a, b, c = (tf.placeholder(tf.float32, []) for _ in range(3))
    r1 = tf.add(a, b)
    r2 = tf.multiply(r1, c)
    with tf.Session() as sess:
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        res = sess.partial_run(h, r1, feed_dict={a: 1.0, b: 2.0})
        assert sess.partial_run(h, r2, feed_dict={c: res}) == 9.0


def test_fused_kernel_falls_back_for_broadcasting_and_reports_errors_by_node():
    x = tf.placeholder(tf.float32, None)
    y = tf.placeholder(tf.float32, None)
    s = tf.add(x, y, name="the_add")
    z = tf.exp(s * 2.0, name="the_exp") - 1.0
    with tf.Session() as sess:
        assert_identical(sess.run(z, {x: np.ones((3, 1), np.float32), y: np.ones((1, 4), np.float32)}),
                         np.full((3, 4), np.exp(np.float32(4.0)) - 1, np.float32))
        assert plan_of(sess, z, {x: 0, y: 0}).stats["elementwise_groups"] == 1
        with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes") as info:
            sess.run(z, {x: np.ones(3, np.float32), y: np.ones(4, np.float32)})
        assert info.value.op.name == "the_add"


def test_integer_and_half_chains_are_not_fused():
    for dtype in (tf.int32, tf.float16):
        x = tf.placeholder(dtype, [None])
        y = (x + tf.constant(2, dtype)) * tf.constant(3, dtype) - x
        xv = np.arange(5).astype(dtype.as_numpy_dtype)
        on, ref, plan, _ = run_both(y, {x: xv})
        assert_identical(on, ref)
        assert plan.stats["elementwise_groups"] == 0


def test_fusion_inside_while_loop_bodies():
    x = tf.placeholder(tf.float64, [4])
    _, out = tf.while_loop(lambda i, v: i < 5, lambda i, v: (i + 1, tf.tanh(v * 1.5 + 0.25) - 0.1),
                           [tf.constant(0), x])
    xv = np.array([-1.0, 0.0, 0.5, 2.0])
    on, ref, _, _ = run_both(out, {x: xv})
    assert_identical(on, ref)
    expect = xv
    for _ in range(5):
        expect = np.tanh(expect * 1.5 + 0.25) - 0.1
    np.testing.assert_allclose(on, expect, rtol=1e-12)


# The rounding and discontinuous unary ops the fused kernel runs (Round is run as Rint: both round half
# to even, like np.round / np.rint).
_ROUNDING = {"Floor": (tf.floor, np.floor), "Ceil": (tf.ceil, np.ceil), "Round": (tf.round, np.round),
             "Rint": (tf.rint, np.rint), "Sign": (tf.sign, np.sign)}


def _rounding_inputs(dtype):
    """x, y: multiples of 1/8 well inside the mantissa, so x * 3 + y is exact in float32 and float64."""
    inf, nan = np.inf, np.nan
    specials = [  # (x, y) -> x * 3 + y
        (0.5, 1.0), (-0.5, -1.0), (0.25, -0.25), (-0.25, 0.25), (0.5, 0.0), (-0.5, 0.0),  # +-2.5, +-0.5, +-1.5
        (0.5, 2.0), (-0.5, -2.0), (1.25, -0.25), (-1.25, 0.25),  # +-3.5, +-3.5
        (0.75, 0.25), (-0.75, -0.25), (0.25, 0.0), (-0.25, 0.0),  # +-2.5, +-0.75
        (1.0, -3.0), (2.0, 1.0), (-2.0, -1.0), (-3.0, 2.0), (1.0, 0.0), (-1.0, 0.0),  # exact integers, +0
        (-0.0, -0.0), (-0.0, 0.0), (0.0, -0.0), (0.0, 0.0),  # -0, +0, +0, +0
        (0.25, -0.5), (-0.25, 0.5), (0.25, -1.0), (-0.25, 1.0),  # +-0.25, -+0.25: round to a signed zero
        (0.125, -0.25), (-0.125, 0.25),  # +-0.125
        (1000.25, 0.5), (-1000.25, -0.5), (2.0 ** 21, 2.0 ** 22), (-(2.0 ** 21), -(2.0 ** 22)),  # big
        (nan, 1.0), (1.0, nan), (inf, 1.0), (-inf, 1.0), (1.0, inf), (1.0, -inf), (inf, -inf), (-inf, inf),
        (inf, inf), (-inf, -inf)]
    rng = np.random.default_rng(11)
    n = 1000 - len(specials)  # not a multiple of any vector width: the loops' tails run too
    x = np.concatenate([[s[0] for s in specials], rng.integers(-40, 41, n) / 4.0]).astype(dtype)
    y = np.concatenate([[s[1] for s in specials], rng.integers(-20, 21, n) / 4.0]).astype(dtype)
    with np.errstate(invalid="ignore"):
        t, t64 = x * dtype(3.0) + y, x.astype(np.float64) * 3.0 + y.astype(np.float64)
    np.testing.assert_array_equal(t.astype(np.float64), t64)  # the test's own premise: exact arithmetic
    halfway = np.isfinite(t) & (t != np.floor(t)) & (t * 2 == np.floor(t * 2))
    assert np.count_nonzero(halfway & (t > 0)) >= 5 and np.count_nonzero(halfway & (t < 0)) >= 5
    assert np.any(np.signbit(t) & (t == 0)) and np.any(np.isnan(t)) and np.any(np.isinf(t))
    return x, y


def _assert_same_values(got, want):
    """Equal values (NaNs equal) with the same sign on every zero; NaN payloads may differ."""
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    zeros = want == 0
    np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", sorted(_ROUNDING))
def test_fused_rounding_ops_match_unfused_and_numpy(op, dtype):
    fn, ref = _ROUNDING[op]
    xv, yv = _rounding_inputs(dtype)
    x = tf.placeholder(dtype, [None])
    y = tf.placeholder(dtype, [None])
    with np.errstate(invalid="ignore"):
        t = xv * dtype(3.0) + yv
        cases = [(fn(x * 3.0 + y) - 1.0, ref(t) - dtype(1.0)),  # the op in the middle of a chain
                 (fn(x * 3.0 + y) * 0.5, ref(t) * dtype(0.5)),  # ... where a signed zero it makes survives
                 (fn(x) * 3.0 + fn(y), ref(xv) * dtype(3.0) + ref(yv))]  # the op on the group's inputs
    for fetch, want in cases:  # one run each: every chain is one group of its 4 ops
        on, unfused, plan, off_plan = run_both(fetch, {x: xv, y: yv}, off=only_off("fusion"))
        assert_identical(on, unfused)
        assert plan.stats["elementwise_groups"] == 1 and plan.stats["elementwise_ops_fused"] == 4
        assert [k for k in plan.node_types if k != "Const"] == ["_FusedElementwise"]
        assert op in off_plan.node_types and off_plan.stats["elementwise_groups"] == 0
        _assert_same_values(on, want.astype(dtype))


# Only continuous ops: the expressions are also checked against numpy, whose libm can differ from
# graphrt's by an ulp (float32 tanh(9.5) is 1.0 in glibc, 0.99999994 in numpy), and a discontinuous
# op (floor, ceil, round, sign) turns that ulp into a difference of 1.
_UNARY = {"neg": (tf.negative, np.negative), "abs": (tf.abs, np.abs), "square": (tf.square, np.square),
          "tanh": (tf.tanh, np.tanh), "sigmoid": (tf.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
          "relu": (tf.nn.relu, lambda a: np.maximum(a, 0)), "exp": (lambda t: tf.exp(tf.tanh(t)), lambda a: np.exp(np.tanh(a))),
          "sin": (tf.sin, np.sin)}
_BINARY = {"add": (tf.add, np.add), "sub": (tf.subtract, np.subtract), "mul": (tf.multiply, np.multiply),
           "max": (tf.maximum, np.maximum), "min": (tf.minimum, np.minimum),
           "sqdiff": (tf.squared_difference, lambda a, b: (a - b) ** 2)}


def _expr_strategy():
    leaf = st.sampled_from(["x", "y", "s", "c"])
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(st.sampled_from(sorted(_UNARY)), inner),
        st.tuples(st.sampled_from(sorted(_BINARY)), inner, inner)), max_leaves=8)


def _build(expr, env, table_index):
    if isinstance(expr, str):
        return env[expr]
    if len(expr) == 2:
        return _UNARY[expr[0]][table_index](_build(expr[1], env, table_index))
    return _BINARY[expr[0]][table_index](_build(expr[1], env, table_index), _build(expr[2], env, table_index))


@settings(max_examples=40, deadline=None)
@given(expr=_expr_strategy(), dtype=st.sampled_from([np.float32, np.float64]), n=st.sampled_from([1, 5, 300]))
def test_fused_random_elementwise_expressions_match_unfused_and_numpy(expr, dtype, n):
    rng = np.random.default_rng(n)
    vals = {"x": rng.standard_normal(n).astype(dtype), "y": rng.standard_normal(n).astype(dtype),
            "s": dtype(0.75), "c": dtype(-1.25)}
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(dtype, [n])
        y = tf.placeholder(dtype, [n])
        s = tf.placeholder(dtype, [])
        out = _build(expr, {"x": x, "y": y, "s": s, "c": tf.constant(vals["c"])}, 0) + x  # at least one op
    feed = {x: vals["x"], y: vals["y"], s: vals["s"]}
    on, ref, plan, _ = run_both(out, feed, off=only_off("fusion"), graph=g)
    assert_identical(on, ref)
    # Whatever folding left of the expression is one node: fused, or a single op.
    assert len([t for t in plan.node_types if t != "Const"]) <= 1
    with np.errstate(all="ignore"):
        expect = _build(expr, vals, 1) + vals["x"]
    np.testing.assert_allclose(on, np.broadcast_to(expect, on.shape).astype(dtype),
                               rtol=1e-4 if dtype == np.float32 else 1e-9, atol=1e-4 if dtype == np.float32 else 1e-9)


# ---- MatMul / Conv2D + BiasAdd (+ Relu) ----------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_bias_relu_fusion(dtype, relu, transpose_b):
    rng = np.random.default_rng(3)
    x = tf.placeholder(dtype, [None, 20])
    w = tf.constant(rng.standard_normal((12, 20) if transpose_b else (20, 12)).astype(dtype))
    b = tf.Variable(rng.standard_normal(12).astype(dtype))
    y = tf.nn.bias_add(tf.matmul(x, w, transpose_b=transpose_b), b)
    if relu:
        y = tf.nn.relu(y)
    xv = rng.standard_normal((7, 20)).astype(dtype)
    g = tf.get_default_graph()
    with tf.Session() as on_sess, tf.Session(config=only_off("fusion")) as off_sess:
        for s in (on_sess, off_sess):
            s.run(b.initializer)
        on, ref = on_sess.run(y, {x: xv}), off_sess.run(y, {x: xv})
        plan = plan_of(on_sess, y, {x: xv})
    assert_identical(on, ref)
    assert plan.stats["matmul_fused"] == 1
    assert "_FusedMatMul" in plan.node_types and "BiasAdd" not in plan.node_types
    assert ("Relu" in plan.node_types) is False
    assert y.op.name in plan.node_names  # the fused node keeps the last node's name
    del g


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("shape", [(5, 300, 8), (33, 129, 40), (64, 784, 130)])
def test_matmul_bias_relu_in_the_gemm_store_is_bit_identical(relu, shape):
    # float32 products on graphrt's own gemm add the bias (and Relu) in the last k pass's store.
    m, k, n = shape
    rng = np.random.default_rng(m + n)
    x = tf.placeholder(tf.float32, [None, k])
    w = tf.constant(rng.standard_normal((k, n)).astype(np.float32))
    b = tf.placeholder(tf.float32, [n])
    y = tf.nn.bias_add(tf.matmul(x, w), b)
    w2 = tf.constant(rng.standard_normal((n, k)).astype(np.float32))
    z = tf.matmul(x, w2, transpose_b=True) + b * 2.0
    if relu:
        y, z = tf.nn.relu(y), tf.nn.relu(z)
    xv = rng.standard_normal((m, k)).astype(np.float32)
    xv[0, 3] = np.nan
    bv = rng.standard_normal(n).astype(np.float32)
    bv[1] = np.inf
    bv[2] = -0.0
    on, ref, plan, _ = run_both([y, z], {x: xv, b: bv}, off=only_off("fusion"))
    assert_identical(on, ref)
    assert plan.stats["matmul_fused"] == 2


def test_matmul_fusion_skips_fetched_intermediates_and_names_errors():
    x = tf.placeholder(tf.float32, [None, None])
    w = tf.placeholder(tf.float32, [3, 2])
    m = tf.matmul(x, w, name="mm")
    y = tf.nn.relu(tf.nn.bias_add(m, tf.constant([1.0, -1.0])))
    xv, wv = np.ones((2, 3), np.float32), np.ones((3, 2), np.float32)
    on, ref, plan, _ = run_both([m, y], {x: xv, w: wv})
    assert_identical(on, ref)
    assert plan.stats["matmul_fused"] == 0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Matrix size-incompatible") as info:
            sess.run(y, {x: np.ones((2, 4), np.float32), w: wv})
        assert info.value.op.name == "mm"
        assert plan_of(sess, y, {x: 0, w: 0}).stats["matmul_fused"] == 1


def test_matmul_plus_bias_vector_fuses_and_other_adds_fall_back():
    rng = np.random.default_rng(6)
    x = tf.placeholder(tf.float32, [None, 8])
    b = tf.placeholder(tf.float32, None)
    wv = rng.standard_normal((8, 5)).astype(np.float32)
    w = tf.constant(wv)
    y = tf.nn.relu(tf.add(tf.matmul(x, w), b, name="plus_b"))
    z = b + tf.matmul(x, w * 2.0)  # bias first
    xv = rng.standard_normal((4, 8)).astype(np.float32)
    for bv in (rng.standard_normal(5), rng.standard_normal((1, 5)), np.float32(0.5), rng.standard_normal((4, 1)),
               rng.standard_normal((3, 4, 5))):
        bv = np.asarray(bv, np.float32)
        on, ref, plan, _ = run_both([y, z], {x: xv, b: bv}, off=only_off("fusion"))
        assert_identical(on, ref)
        assert plan.stats["matmul_fused"] == 2
        np.testing.assert_allclose(on[0], np.maximum(xv @ wv + bv, 0), rtol=1e-5, atol=1e-5)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes") as info:
            sess.run(y, {x: xv, b: np.ones(3, np.float32)})
        assert info.value.op.name == "plus_b"


@pytest.mark.parametrize("relu", [False, True])
def test_conv2d_bias_relu_fusion(relu):
    rng = np.random.default_rng(4)
    x = tf.placeholder(tf.float32, [None, 9, 9, 3])
    w = tf.constant(rng.standard_normal((3, 3, 3, 5)).astype(np.float32))
    y = tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME"), tf.constant(rng.standard_normal(5).astype(np.float32)))
    if relu:
        y = tf.nn.relu(y)
    xv = rng.standard_normal((2, 9, 9, 3)).astype(np.float32)
    on, ref, plan, _ = run_both(y, {x: xv}, off=only_off("fusion"))
    assert_identical(on, ref)
    assert plan.stats["conv_fused"] == 1 and "_FusedConv2D" in plan.node_types


# ---- memory planning, placement ------------------------------------------------------------------


def _bytes_per_step(sess, fetch, feed):
    sess.run(fetch, feed)
    before = _core.allocator_stats()["total_bytes"]
    sess.run(fetch, feed)
    return _core.allocator_stats()["total_bytes"] - before


def test_fused_kernel_writes_in_place_into_a_dead_input():
    x = tf.placeholder(tf.float32, [None])
    t = tf.tile(x, [2])  # an owned buffer, read only by the fused chain
    y = tf.nn.relu(t * 2.0 + 1.0) - 0.5
    xv = np.ones(1 << 16, np.float32)
    nbytes = 2 * xv.nbytes
    no_mem = tf.ConfigProto(graph_options=tf.GraphOptions(
        rewrite_options=RewriterConfig(memory_optimization=RewriterConfig.NO_MEM_OPT)))
    with tf.Session() as on, tf.Session(config=no_mem) as off:
        assert _bytes_per_step(on, y, {x: xv}) == nbytes  # the Tile output only
        assert _bytes_per_step(off, y, {x: xv}) == 2 * nbytes
        assert_identical(on.run(y, {x: xv}), off.run(y, {x: xv}))
        stats = plan_of(on, y, {x: xv}).stats
        assert stats["elementwise_groups"] == 1 and stats["inplace_candidates"] >= 1


def test_placement_sees_the_real_nodes():
    x = tf.placeholder(tf.float32, [None], name="px")
    c = tf.multiply(tf.constant(2.0, name="two"), tf.constant(3.0, name="three"), name="six")
    y = tf.nn.relu(tf.add(x, c, name="a1"), name="r1")
    with tf.Session() as sess:
        sess.run(y, {x: [1.0]})
        placed = sess._c.placement()
    assert {"two", "three", "six", "a1", "r1"} <= set(placed)
