"""``tf.contrib.layers``: regularizers and the xavier/variance-scaling initializers."""
from __future__ import annotations

from typing import Any, Optional

from graphrt.framework import dtypes as _dtypes
from graphrt.ops import init_ops as _init_ops
from graphrt.ops.losses import (apply_regularization, l1_l2_regularizer, l1_regularizer,  # noqa: F401
                                l2_regularizer, sum_regularizer)

__all__ = ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer", "apply_regularization",
           "xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer"]


def xavier_initializer(uniform: bool = True, seed: Optional[int] = None, dtype: Any = _dtypes.float32) -> Any:
    """Glorot initializer: uniform, or truncated normal when ``uniform`` is False."""
    return _init_ops.VarianceScaling(scale=1.0, mode="fan_avg",
                                     distribution="uniform" if uniform else "truncated_normal", seed=seed,
                                     dtype=dtype)


xavier_initializer_conv2d = xavier_initializer


def variance_scaling_initializer(factor: float = 2.0, mode: str = "FAN_IN", uniform: bool = False,
                                 seed: Optional[int] = None, dtype: Any = _dtypes.float32) -> Any:
    """contrib's variance scaling (``factor``, mode FAN_IN/FAN_OUT/FAN_AVG, ``uniform``)."""
    if not _dtypes.as_dtype(dtype).is_floating:
        raise TypeError("Cannot create initializer for non-floating point type.")
    if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
        raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")
    # contrib draws truncated normal with stddev sqrt(1.3 * factor / n): that is VarianceScaling's
    # truncated-normal correction (1 / 0.8796^2 = 1.2924...) up to contrib's rounding to 1.3.
    scale = factor * (1.3 * 0.87962566103423978 ** 2 if not uniform else 1.0)
    return _init_ops.VarianceScaling(scale=scale, mode=mode.lower(),
                                     distribution="uniform" if uniform else "truncated_normal", seed=seed,
                                     dtype=dtype)
