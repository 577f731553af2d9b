"""Learning-rate schedules of ``tf.train`` (TF1 ``learning_rate_decay``), built as graph ops on the
global step so that each ``sess.run`` sees the rate of the current step."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops

__all__ = [
    "exponential_decay",
    "piecewise_constant",
    "polynomial_decay",
    "natural_exp_decay",
    "inverse_time_decay",
    "cosine_decay",
]


def _check_step(global_step: Any, fn: str) -> None:
    if global_step is None:
        raise ValueError(f"global_step is required for {fn}.")


def _as(x: Any, dtype: _dtypes.DType) -> _ops.Tensor:
    """``x`` as a ``dtype`` tensor: Python numbers convert directly (no float32 rounding on the way to
    float64), tensors are cast."""
    from graphrt.ops import math_ops
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return _ops.convert_to_tensor(float(x), dtype=dtype)
    return math_ops.cast(x, dtype)


def _prepare(learning_rate: Any, global_step: Any) -> tuple:
    from graphrt.ops import math_ops
    lr = _ops.convert_to_tensor(learning_rate, name="learning_rate")
    if not lr.dtype.is_floating:
        lr = math_ops.cast(lr, _dtypes.float32)
    dtype = lr.dtype
    step = math_ops.cast(global_step, dtype)
    return lr, dtype, step


def exponential_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: Optional[str] = None) -> _ops.Tensor:
    """``learning_rate * decay_rate ^ (global_step / decay_steps)`` (integer division if staircase)."""
    from graphrt.ops import math_ops
    _check_step(global_step, "exponential_decay")
    with _ops.name_scope(name, "ExponentialDecay") as scope:
        lr, dtype, step = _prepare(learning_rate, global_step)
        decay_steps = _as(decay_steps, dtype)
        decay_rate = _as(decay_rate, dtype)
        p = math_ops.truediv(step, decay_steps)
        if staircase:
            p = math_ops.floor(p)
        return math_ops.multiply(lr, math_ops.pow(decay_rate, p), name=scope or name)


def piecewise_constant(x: Any, boundaries: Sequence[Any], values: Sequence[Any],
                       name: Optional[str] = None) -> _ops.Tensor:
    """``values[0]`` for ``x <= boundaries[0]``, ``values[i]`` for ``boundaries[i-1] < x <= boundaries[i]``,
    ``values[-1]`` past the last boundary."""
    from graphrt.ops import array_ops, math_ops
    boundaries = list(boundaries)
    values = list(values)
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with _ops.name_scope(name, "PiecewiseConstant") as scope:
        x = _ops.convert_to_tensor(x)
        bs = _ops.convert_n_to_tensor(boundaries)
        for i, b in enumerate(bs):
            if b.dtype.base_dtype != x.dtype.base_dtype:
                # int32 boundaries (Python ints) promote to an int64 step without loss.
                if b.dtype.base_dtype == _dtypes.int32 and x.dtype.base_dtype == _dtypes.int64:
                    bs[i] = math_ops.cast(b, _dtypes.int64)
                else:
                    raise ValueError(f"Boundaries ({b.dtype.base_dtype}) must have the same dtype as x "
                                     f"({x.dtype.base_dtype}).")
        vs = _ops.convert_n_to_tensor(values)
        for v in vs[1:]:
            if v.dtype.base_dtype != vs[0].dtype.base_dtype:
                raise ValueError(f"Values must have elements all with the same dtype ({vs[0].dtype.base_dtype} "
                                 f"vs {v.dtype.base_dtype}).")
        result = vs[-1]
        for i in range(len(bs) - 1, -1, -1):
            result = math_ops.where_v2(math_ops.less_equal(x, bs[i]), vs[i], result)
        return array_ops.identity(result, name=scope or name)


def polynomial_decay(learning_rate: Any, global_step: Any, decay_steps: Any, end_learning_rate: Any = 0.0001,
                     power: Any = 1.0, cycle: bool = False, name: Optional[str] = None) -> _ops.Tensor:
    """``(lr - end_lr) * (1 - step / decay_steps) ^ power + end_lr``, the step clipped to decay_steps
    (or, with ``cycle``, decay_steps multiplied by ``ceil(step / decay_steps)``)."""
    from graphrt.ops import math_ops
    _check_step(global_step, "polynomial_decay")
    with _ops.name_scope(name, "PolynomialDecay") as scope:
        lr, dtype, step = _prepare(learning_rate, global_step)
        end_lr = _as(end_learning_rate, dtype)
        power = _as(power, dtype)
        decay_steps = _as(decay_steps, dtype)
        if cycle:
            one = _ops.convert_to_tensor(1.0, dtype=dtype)
            multiplier = math_ops.where_v2(math_ops.equal(step, 0), one,
                                           math_ops.ceil(math_ops.truediv(step, decay_steps)))
            decay_steps = math_ops.multiply(decay_steps, multiplier)
        else:
            step = math_ops.minimum(step, decay_steps)
        p = math_ops.truediv(step, decay_steps)
        return math_ops.add(math_ops.multiply(lr - end_lr, math_ops.pow(1 - p, power)), end_lr,
                            name=scope or name)


def natural_exp_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: Optional[str] = None) -> _ops.Tensor:
    """``learning_rate * exp(-decay_rate * global_step / decay_steps)`` (floored ratio if staircase)."""
    from graphrt.ops import math_ops
    _check_step(global_step, "natural_exp_decay")
    with _ops.name_scope(name, "NaturalExpDecay") as scope:
        lr, dtype, step = _prepare(learning_rate, global_step)
        decay_steps = _as(decay_steps, dtype)
        decay_rate = _as(decay_rate, dtype)
        p = math_ops.truediv(step, decay_steps)
        if staircase:
            p = math_ops.floor(p)
        exponent = math_ops.exp(math_ops.multiply(math_ops.negative(decay_rate), p))
        return math_ops.multiply(lr, exponent, name=scope or name)


def inverse_time_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                       staircase: bool = False, name: Optional[str] = None) -> _ops.Tensor:
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)`` (floored ratio if staircase)."""
    from graphrt.ops import math_ops
    _check_step(global_step, "inverse_time_decay")
    with _ops.name_scope(name, "InverseTimeDecay") as scope:
        lr, dtype, step = _prepare(learning_rate, global_step)
        decay_steps = _as(decay_steps, dtype)
        decay_rate = _as(decay_rate, dtype)
        p = math_ops.truediv(step, decay_steps)
        if staircase:
            p = math_ops.floor(p)
        denom = math_ops.add(_ops.convert_to_tensor(1.0, dtype=dtype), math_ops.multiply(decay_rate, p))
        return math_ops.truediv(lr, denom, name=scope or name)


def cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any, alpha: Any = 0.0,
                 name: Optional[str] = None) -> _ops.Tensor:
    """``lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)``."""
    from graphrt.ops import math_ops
    _check_step(global_step, "cosine_decay")
    with _ops.name_scope(name, "CosineDecay") as scope:
        lr, dtype, step = _prepare(learning_rate, global_step)
        decay_steps = _as(decay_steps, dtype)
        alpha = _as(alpha, dtype)
        step = math_ops.minimum(step, decay_steps)
        fraction = math_ops.truediv(step, decay_steps)
        cosine = 0.5 * (1.0 + math_ops.cos(math.pi * fraction))
        decayed = (1 - alpha) * cosine + alpha
        return math_ops.multiply(lr, decayed, name=scope or name)
