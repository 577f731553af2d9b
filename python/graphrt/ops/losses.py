"""``tf.losses``: weighted losses with TF1's reductions, the LOSSES / REGULARIZATION_LOSSES collections,
and the l1/l2 regularizers (``tf.contrib.layers.l2_regularizer``)."""
from __future__ import annotations

import numbers
from typing import Any, Callable, List, Optional, Tuple

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops

__all__ = [
    "Reduction",
    "absolute_difference",
    "add_loss",
    "compute_weighted_loss",
    "cosine_distance",
    "get_losses",
    "get_regularization_loss",
    "get_regularization_losses",
    "get_total_loss",
    "hinge_loss",
    "huber_loss",
    "log_loss",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
]  # the tf.losses names this module provides

_LOSSES = _ops.GraphKeys.LOSSES


class Reduction:
    """Types of loss reduction."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> Tuple[str, ...]:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key: str) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


# ---- collections ----------------------------------------------------------------------------------

def add_loss(loss: Any, loss_collection: Optional[str] = _LOSSES) -> None:
    """Adds ``loss`` to ``loss_collection`` (no-op when it is None)."""
    if loss_collection:
        _ops.add_to_collection(loss_collection, loss)


def get_losses(scope: Optional[str] = None, loss_collection: str = _LOSSES) -> list:
    """The losses in ``loss_collection`` (filtered by name ``scope``)."""
    return _ops.get_collection(loss_collection, scope)


def get_regularization_losses(scope: Optional[str] = None) -> list:
    """The regularization losses (REGULARIZATION_LOSSES collection, filtered by ``scope``)."""
    return _ops.get_collection(_ops.GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope: Optional[str] = None, name: str = "total_regularization_loss") -> _ops.Tensor:
    """The sum of the regularization losses (a 0.0 constant when there are none)."""
    from graphrt.framework.constant_op import constant
    from graphrt.ops import math_ops
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    return constant(0.0)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss",
                   scope: Optional[str] = None) -> _ops.Tensor:
    """The sum of the losses (plus the regularization losses); ValueError when there are none."""
    from graphrt.ops import math_ops
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("No losses found: add losses with tf.losses.* or tf.losses.add_loss first")
    return math_ops.add_n(losses, name=name)


# ---- weighting ------------------------------------------------------------------------------------

def _assert_broadcastable(weights: _ops.Tensor, values: _ops.Tensor) -> None:
    """TF's static check: weights are a scalar or have the rank of values with each dim 1 or equal."""
    ws, vs = weights.shape, values.shape
    if ws.rank is None or vs.rank is None or ws.rank == 0:
        return
    msg = "weights can not be broadcast to values."
    if ws.rank != vs.rank:
        raise ValueError(f"{msg} values.rank={vs.rank}. weights.rank={ws.rank}. values.shape={vs}. "
                         f"weights.shape={ws}.")
    for i, (w, v) in enumerate(zip(ws.as_list(), vs.as_list())):
        if w is not None and v is not None and w != 1 and w != v:
            raise ValueError(f"{msg} Mismatch at dim {i}. values.shape={vs} weights.shape={ws}.")


def _safe_mean(total: _ops.Tensor, num_present: _ops.Tensor) -> _ops.Tensor:
    from graphrt.ops import math_ops
    return math_ops.div_no_nan(math_ops.reduce_sum(total), num_present, name="value")


def _num_elements(losses: _ops.Tensor) -> _ops.Tensor:
    from graphrt.ops import array_ops, math_ops
    g = losses.graph
    with g.name_scope("num_elements") as scope:
        return math_ops.cast(array_ops.size(losses, name=scope), dtype=losses.dtype)


def _num_present(losses: _ops.Tensor, weights: Any) -> _ops.Tensor:
    """The number of elements of ``losses`` whose (broadcast) weight is not 0."""
    from graphrt.ops import array_ops, math_ops
    if isinstance(weights, float) and weights != 0.0:
        return _num_elements(losses)
    g = losses.graph
    with g.name_scope("num_present") as scope:
        weights = math_ops.cast(weights, dtype=_dtypes.float32)
        present = math_ops.cast(math_ops.not_equal(weights, 0.0), _dtypes.float32)
        present = math_ops.multiply(present, array_ops.ones_like(losses))  # broadcast_weights
        return math_ops.reduce_sum(present, name=scope)


def compute_weighted_loss(losses: Any, weights: Any = 1.0, scope: Optional[str] = None,
                          loss_collection: Optional[str] = _LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> _ops.Tensor:
    """``losses * weights`` reduced by ``reduction`` (computed in float32, returned in the losses' dtype),
    added to ``loss_collection``."""
    from graphrt.ops import array_ops, math_ops
    Reduction.validate(reduction)
    g = _ops.op_scope_graph([v for v in (losses, weights) if isinstance(v, (_ops.Tensor, _ops.Operation))])
    with g.as_default(), _ops.name_scope(scope, "weighted_loss", [losses, weights]):
        losses = _ops.convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = math_ops.cast(losses, dtype=_dtypes.float32)
        weights_t = math_ops.cast(weights, dtype=_dtypes.float32)
        _assert_broadcastable(weights_t, losses)
        weighted_losses = math_ops.multiply(losses, weights_t)
        if reduction == Reduction.NONE:
            loss = weighted_losses
        else:
            loss = math_ops.reduce_sum(weighted_losses)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, math_ops.reduce_sum(array_ops.ones_like(losses) * weights_t))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(losses, weights if isinstance(weights, float) else weights_t))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(losses))
        loss = math_ops.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


# ---- losses ---------------------------------------------------------------------------------------

def _check_args(labels: Any, predictions: Any, what: str = "predictions") -> None:
    if labels is None:
        raise ValueError("labels must not be None.")
    if predictions is None:
        raise ValueError(f"{what} must not be None.")


def _graph(*values: Any) -> _ops.Graph:
    return _ops.op_scope_graph([v for v in values if isinstance(v, (_ops.Tensor, _ops.Operation))])


def absolute_difference(labels: Any, predictions: Any, weights: Any = 1.0, scope: Optional[str] = None,
                        loss_collection: Optional[str] = _LOSSES,
                        reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> _ops.Tensor:
    """Weighted |predictions - labels|."""
    from graphrt.ops import math_ops
    _check_args(labels, predictions)
    g = _graph(predictions, labels, weights)
    with g.as_default(), _ops.name_scope(scope, "absolute_difference", [predictions, labels, weights]) as scope:
        predictions = math_ops.cast(predictions, dtype=_dtypes.float32)
        labels = math_ops.cast(labels, dtype=_dtypes.float32)
        predictions.shape.assert_is_compatible_with(labels.shape)
        losses = math_ops.abs(math_ops.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def mean_squared_error(labels: Any, predictions: Any, weights: Any = 1.0, scope: Optional[str] = None,
                       loss_collection: Optional[str] = _LOSSES,
                       reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> _ops.Tensor:
    """Weighted (predictions - labels)**2."""
    from graphrt.ops import math_ops
    _check_args(labels, predictions)
    g = _graph(predictions, labels, weights)
    with g.as_default(), _ops.name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as scope:
        predictions = math_ops.cast(predictions, dtype=_dtypes.float32)
        labels = math_ops.cast(labels, dtype=_dtypes.float32)
        predictions.shape.assert_is_compatible_with(labels.shape)
        losses = math_ops.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def hinge_loss(labels: Any, logits: Any, weights: Any = 1.0, scope: Optional[str] = None,
               loss_collection: Optional[str] = _LOSSES,
               reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> _ops.Tensor:
    """Weighted max(0, 1 - (2 * labels - 1) * logits) for labels in {0, 1}."""
    from graphrt.ops import array_ops, math_ops
    _check_args(labels, logits, "logits")
    g = _graph(logits, labels, weights)
    with g.as_default(), _ops.name_scope(scope, "hinge_loss", [logits, labels, weights]) as scope:
        logits = math_ops.cast(logits, dtype=_dtypes.float32)
        labels = math_ops.cast(labels, dtype=_dtypes.float32)
        logits.shape.assert_is_compatible_with(labels.shape)
        all_ones = array_ops.ones_like(labels)
        labels = math_ops.subtract(2 * labels, all_ones)
        losses = math_ops.relu(math_ops.subtract(all_ones, math_ops.multiply(labels, logits)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def huber_loss(labels: Any, predictions: Any, weights: Any = 1.0, delta: float = 1.0, scope: Optional[str] = None,
               loss_collection: Optional[str] = _LOSSES,
               reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> _ops.Tensor:
    """Weighted Huber loss: 0.5 x**2 for |x| <= delta, else delta * (|x| - 0.5 delta)."""
    from graphrt.ops import math_ops
    _check_args(labels, predictions)
    g = _graph(predictions, labels, weights)
    with g.as_default(), _ops.name_scope(scope, "huber_loss", [predictions, labels, weights]) as scope:
        predictions = math_ops.cast(predictions, dtype=_dtypes.float32)
        labels = math_ops.cast(labels, dtype=_dtypes.float32)
        predictions.shape.assert_is_compatible_with(labels.shape)
        error = math_ops.subtract(predictions, labels)
        abs_error = math_ops.abs(error)
        quadratic = math_ops.minimum(abs_error, delta)
        linear = math_ops.subtract(abs_error, quadratic)
        half = _ops.convert_to_tensor(0.5, dtype=quadratic.dtype)
        losses = math_ops.add(math_ops.multiply(half, math_ops.multiply(quadratic, quadratic)),
                              math_ops.multiply(delta, linear))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def log_loss(labels: Any, predictions: Any, weights: Any = 1.0, epsilon: float = 1e-7,
             scope: Optional[str] = None, loss_collection: Optional[str] = _LOSSES,
             reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> _ops.Tensor:
    """Weighted -labels * log(p + eps) - (1 - labels) * log(1 - p + eps)."""
    from graphrt.ops import math_ops
    _check_args(labels, predictions)
    g = _graph(predictions, labels, weights)
    with g.as_default(), _ops.name_scope(scope, "log_loss", [predictions, labels, weights]) as scope:
        predictions = math_ops.cast(predictions, dtype=_dtypes.float32)
        labels = math_ops.cast(labels, dtype=_dtypes.float32)
        predictions.shape.assert_is_compatible_with(labels.shape)
        losses = (-math_ops.multiply(labels, math_ops.log(predictions + epsilon))
                  - math_ops.multiply((1 - labels), math_ops.log(1 - predictions + epsilon)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def cosine_distance(labels: Any, predictions: Any, axis: Optional[int] = None, weights: Any = 1.0,
                    scope: Optional[str] = None, loss_collection: Optional[str] = _LOSSES,
                    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS, dim: Optional[int] = None) -> _ops.Tensor:
    """Weighted 1 - sum(labels * predictions, axis) for unit-normalized inputs."""
    from graphrt.ops import math_ops
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    _check_args(labels, predictions)
    g = _graph(predictions, labels, weights)
    with g.as_default(), _ops.name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as scope:
        predictions = math_ops.cast(predictions, dtype=_dtypes.float32)
        labels = math_ops.cast(labels, dtype=_dtypes.float32)
        predictions.shape.assert_is_compatible_with(labels.shape)
        radial_diffs = math_ops.multiply(predictions, labels)
        losses = 1 - math_ops.reduce_sum(radial_diffs, axis=[axis], keepdims=True)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def sigmoid_cross_entropy(multi_class_labels: Any, logits: Any, weights: Any = 1.0, label_smoothing: float = 0,
                          scope: Optional[str] = None, loss_collection: Optional[str] = _LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> _ops.Tensor:
    """Weighted sigmoid cross entropy; labels smoothed towards 1/2 by ``label_smoothing``."""
    from graphrt.ops import math_ops, nn_ops
    if multi_class_labels is None:
        raise ValueError("multi_class_labels must not be None.")
    if logits is None:
        raise ValueError("logits must not be None.")
    g = _graph(logits, multi_class_labels, weights)
    with g.as_default(), _ops.name_scope(scope, "sigmoid_loss", [logits, multi_class_labels, weights]) as scope:
        logits = _ops.convert_to_tensor(logits)
        multi_class_labels = math_ops.cast(multi_class_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(multi_class_labels.shape)
        if label_smoothing > 0:
            multi_class_labels = multi_class_labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=multi_class_labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def softmax_cross_entropy(onehot_labels: Any, logits: Any, weights: Any = 1.0, label_smoothing: float = 0,
                          scope: Optional[str] = None, loss_collection: Optional[str] = _LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> _ops.Tensor:
    """Weighted softmax cross entropy over the last axis; ``label_smoothing`` mixes in 1/num_classes."""
    from graphrt.ops import array_ops, math_ops, nn_ops
    if onehot_labels is None:
        raise ValueError("onehot_labels must not be None.")
    if logits is None:
        raise ValueError("logits must not be None.")
    g = _graph(logits, onehot_labels, weights)
    with g.as_default(), _ops.name_scope(scope, "softmax_cross_entropy_loss",
                                         [logits, onehot_labels, weights]) as scope:
        logits = _ops.convert_to_tensor(logits)
        onehot_labels = math_ops.cast(onehot_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(onehot_labels.shape)
        if label_smoothing > 0:
            num_classes = math_ops.cast(array_ops.shape(onehot_labels)[-1], logits.dtype)
            smooth_positives = 1.0 - label_smoothing
            smooth_negatives = label_smoothing / num_classes
            onehot_labels = onehot_labels * smooth_positives + smooth_negatives
        onehot_labels = array_ops.stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = nn_ops.softmax_cross_entropy_with_logits_v2(labels=onehot_labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def _remove_squeezable_dimensions(labels: _ops.Tensor, predictions: _ops.Tensor, weights: Any,
                                  expected_rank_diff: int) -> Tuple[_ops.Tensor, _ops.Tensor, Any]:
    """Squeezes a trailing size-1 dim of labels/predictions (and weights) when the static ranks say so."""
    from graphrt.ops import array_ops
    pr, lr = predictions.shape.rank, labels.shape.rank
    if pr is not None and lr is not None:
        diff = pr - lr
        if diff == expected_rank_diff + 1 and predictions.shape.as_list()[-1] in (None, 1):
            predictions = array_ops.squeeze(predictions, [-1])
        elif diff == expected_rank_diff - 1 and lr > 0 and labels.shape.as_list()[-1] in (None, 1):
            labels = array_ops.squeeze(labels, [-1])
    if weights is not None and not isinstance(weights, (int, float)):
        weights = _ops.convert_to_tensor(weights)
        lr, wr = labels.shape.rank, weights.shape.rank
        if lr is not None and wr is not None and wr - lr == 1:
            weights = array_ops.squeeze(weights, [-1])
    return labels, predictions, weights


def sparse_softmax_cross_entropy(labels: Any, logits: Any, weights: Any = 1.0, scope: Optional[str] = None,
                                 loss_collection: Optional[str] = _LOSSES,
                                 reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> _ops.Tensor:
    """Weighted softmax cross entropy with integer class ``labels`` (rank of logits minus one)."""
    from graphrt.ops import nn_ops
    _check_args(labels, logits, "logits")
    g = _graph(logits, labels, weights)
    with g.as_default(), _ops.name_scope(scope, "sparse_softmax_cross_entropy_loss",
                                         [logits, labels, weights]) as scope:
        labels = _ops.convert_to_tensor(labels)
        logits = _ops.convert_to_tensor(logits)
        labels, logits, weights = _remove_squeezable_dimensions(labels, logits, weights, expected_rank_diff=1)
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


# ---- regularizers (tf.contrib.layers.*_regularizer) -----------------------------------------------

def _check_scale(scale: Any) -> bool:
    """Validates a regularizer scale; False when it is 0 (the regularizer is disabled)."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}")
        if scale == 0.:
            return False
    return True


def l2_regularizer(scale: float, scope: Optional[str] = None) -> Callable[[Any], Any]:
    """A regularizer ``w -> scale * sum(w**2) / 2`` (returns None-producing fn when scale is 0)."""
    if not _check_scale(scale):
        return lambda _: None

    def l2(weights: Any) -> _ops.Tensor:
        from graphrt.ops import math_ops, nn_ops
        with _ops.name_scope(scope, "l2_regularizer", [weights]) as name:
            w = _ops.convert_to_tensor(weights)
            my_scale = _ops.convert_to_tensor(scale, dtype=w.dtype, name="scale")
            return math_ops.multiply(my_scale, nn_ops.l2_loss(w), name=name)
    return l2


def l1_regularizer(scale: float, scope: Optional[str] = None) -> Callable[[Any], Any]:
    """A regularizer ``w -> scale * sum(|w|)``."""
    if not _check_scale(scale):
        return lambda _: None

    def l1(weights: Any) -> _ops.Tensor:
        from graphrt.ops import math_ops
        with _ops.name_scope(scope, "l1_regularizer", [weights]) as name:
            w = _ops.convert_to_tensor(weights)
            my_scale = _ops.convert_to_tensor(scale, dtype=w.dtype, name="scale")
            return math_ops.multiply(my_scale, math_ops.reduce_sum(math_ops.abs(w)), name=name)
    return l1


def sum_regularizer(regularizer_list: List[Callable], scope: Optional[str] = None) -> Callable[[Any], Any]:
    """A regularizer summing the (non-None) results of ``regularizer_list``."""
    regularizer_list = [r for r in regularizer_list if r]
    if not regularizer_list:
        return lambda _: None

    def sum_reg(weights: Any) -> Any:
        from graphrt.ops import math_ops
        with _ops.name_scope(scope, "sum_regularizer", [weights]) as name:
            penalties = [p for p in (r(weights) for r in regularizer_list) if p is not None]
            return math_ops.add_n(penalties, name=name) if penalties else None
    return sum_reg


def l1_l2_regularizer(scale_l1: float = 1.0, scale_l2: float = 1.0,
                      scope: Optional[str] = None) -> Callable[[Any], Any]:
    """A regularizer ``l1(scale_l1) + l2(scale_l2)``."""
    if isinstance(scale_l1, numbers.Real) and isinstance(scale_l2, numbers.Real) and scale_l1 == 0. \
            and scale_l2 == 0.:
        return lambda _: None
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer: Callable, weights_list: Optional[List[Any]] = None) -> _ops.Tensor:
    """Sums ``regularizer(w)`` over ``weights_list`` (default: the WEIGHTS collection) and adds the sum to
    REGULARIZATION_LOSSES."""
    from graphrt.ops import math_ops
    if not weights_list:
        weights_list = _ops.get_collection(_ops.GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with _ops.name_scope("get_regularization_penalty", None, weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p for p in penalties if p is not None]
        if not penalties:
            from graphrt.framework.constant_op import constant
            return constant(0.0)
        summed = math_ops.add_n(penalties, name=scope)
        _ops.add_to_collection(_ops.GraphKeys.REGULARIZATION_LOSSES, summed)
        return summed
