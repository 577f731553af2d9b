"""TF1 initializers (``tf.zeros_initializer`` ... ``tf.orthogonal_initializer``).

Each initializer is a class called as ``init(shape, dtype=None, partition_info=None)`` that builds the ops
producing an initial value; random ones pass their ``seed`` to the random ops, which derive the op seeds
by TF1's rules (``tf.set_random_seed`` + op seed).
"""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts

__all__ = [
    "zeros_initializer",
    "ones_initializer",
    "constant_initializer",
    "random_normal_initializer",
    "random_uniform_initializer",
    "truncated_normal_initializer",
    "glorot_uniform_initializer",
    "glorot_normal_initializer",
    "variance_scaling_initializer",
    "orthogonal_initializer",
    "uniform_unit_scaling_initializer",
]  # the tf.* names this module provides


def _assert_float_dtype(dtype: _dtypes.DType) -> _dtypes.DType:
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype}.")
    return dtype


def _shape_list(shape: Any) -> List[int]:
    s = _ts.as_shape(shape)
    if not s.is_fully_defined():
        raise ValueError(f"An initializer needs a fully defined shape, got {s}")
    return [int(d) for d in s.as_list()]


class Initializer:
    """Base class of the TF1 initializers: ``init(shape, dtype=None, partition_info=None)``."""

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        raise NotImplementedError

    def get_config(self) -> Dict[str, Any]:
        """The constructor arguments (to rebuild it with ``from_config``)."""
        return {}

    @classmethod
    def from_config(cls, config: Dict[str, Any]) -> "Initializer":
        """An initializer built from a ``get_config`` dictionary."""
        config = dict(config)
        config.pop("partition_info", None)
        return cls(**config)


class Zeros(Initializer):
    """Initial values of 0."""

    def __init__(self, dtype: Any = _dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        from graphrt.ops import array_ops
        dtype = self.dtype if dtype is None else _dtypes.as_dtype(dtype)
        return array_ops.zeros(shape, dtype)

    def get_config(self) -> Dict[str, Any]:
        return {"dtype": self.dtype.name}


class Ones(Initializer):
    """Initial values of 1."""

    def __init__(self, dtype: Any = _dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        from graphrt.ops import array_ops
        dtype = self.dtype if dtype is None else _dtypes.as_dtype(dtype)
        return array_ops.ones(shape, dtype)

    def get_config(self) -> Dict[str, Any]:
        return {"dtype": self.dtype.name}


class Constant(Initializer):
    """Initial values from ``value``: a scalar fills the shape; a list is reshaped (TF1 pads a short list
    with its last element unless ``verify_shape``)."""

    def __init__(self, value: Any = 0, dtype: Any = _dtypes.float32, verify_shape: bool = False):
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError(f"Invalid type for initial value: {type(value).__name__} (expected Python scalar, list "
                            f"or tuple of values, or numpy.ndarray).")
        self.value = value
        self.dtype = _dtypes.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None,
                 verify_shape: Optional[bool] = None) -> _ops.Tensor:
        from graphrt.framework.constant_op import constant
        dtype = self.dtype if dtype is None else _dtypes.as_dtype(dtype)
        if verify_shape is None:
            verify_shape = self._verify_shape
        return constant(self.value, dtype=dtype, shape=shape, verify_shape=verify_shape)

    def get_config(self) -> Dict[str, Any]:
        return {"value": self.value, "dtype": self.dtype.name}


class RandomUniform(Initializer):
    """Values uniform in [minval, maxval) (maxval defaults to 1 for floats)."""

    def __init__(self, minval: Any = 0, maxval: Any = None, seed: Optional[int] = None,
                 dtype: Any = _dtypes.float32):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        from graphrt.ops import random_ops
        dtype = self.dtype if dtype is None else _dtypes.as_dtype(dtype)
        return random_ops.random_uniform(shape, self.minval, self.maxval, dtype, seed=self.seed)

    def get_config(self) -> Dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed, "dtype": self.dtype.name}


class RandomNormal(Initializer):
    """Values from a normal distribution."""

    def __init__(self, mean: float = 0.0, stddev: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = _dtypes.float32):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _assert_float_dtype(_dtypes.as_dtype(dtype))

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        from graphrt.ops import random_ops
        dtype = self.dtype if dtype is None else _assert_float_dtype(_dtypes.as_dtype(dtype))
        return random_ops.random_normal(shape, self.mean, self.stddev, dtype, seed=self.seed)

    def get_config(self) -> Dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed, "dtype": self.dtype.name}


class TruncatedNormal(Initializer):
    """Normal values redrawn when more than two standard deviations from the mean."""

    def __init__(self, mean: float = 0.0, stddev: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = _dtypes.float32):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _assert_float_dtype(_dtypes.as_dtype(dtype))

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        from graphrt.ops import random_ops
        dtype = self.dtype if dtype is None else _assert_float_dtype(_dtypes.as_dtype(dtype))
        return random_ops.truncated_normal(shape, self.mean, self.stddev, dtype, seed=self.seed)

    def get_config(self) -> Dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed, "dtype": self.dtype.name}


class UniformUnitScaling(Initializer):
    """Deprecated TF1 initializer: uniform in ±sqrt(3 / fan_in) * factor."""

    def __init__(self, factor: float = 1.0, seed: Optional[int] = None, dtype: Any = _dtypes.float32):
        self.factor = factor
        self.seed = seed
        self.dtype = _assert_float_dtype(_dtypes.as_dtype(dtype))

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        from graphrt.ops import random_ops
        dtype = self.dtype if dtype is None else _assert_float_dtype(_dtypes.as_dtype(dtype))
        scale_shape = shape if partition_info is None else partition_info.full_shape
        input_size = 1.0
        for dim in list(scale_shape)[:-1]:
            input_size *= float(dim)
        input_size = max(input_size, 1.0)
        max_val = math.sqrt(3 / input_size) * self.factor
        return random_ops.random_uniform(shape, -max_val, max_val, dtype, seed=self.seed)

    def get_config(self) -> Dict[str, Any]:
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


def _compute_fans(shape: Sequence[int]) -> Tuple[float, float]:
    """(fan_in, fan_out) of a weight shape, as TF computes them."""
    shape = list(shape)
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape[0], shape[1]
    else:
        receptive_field_size = 1
        for dim in shape[:-2]:
            receptive_field_size *= dim
        fan_in = shape[-2] * receptive_field_size
        fan_out = shape[-1] * receptive_field_size
    return float(fan_in), float(fan_out)


# stddev of a standard normal truncated to (-2, 2): TF divides by it so the truncated draw has the
# requested variance.
_TRUNCATED_STDDEV = 0.87962566103423978


class VarianceScaling(Initializer):
    """Random values with variance ``scale / n`` (n: fan_in, fan_out or their mean, by ``mode``)."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: Optional[int] = None, dtype: Any = _dtypes.float32):
        if scale <= 0.:
            raise ValueError("`scale` must be positive float.")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError(f"Invalid `mode` argument: {mode}")
        distribution = distribution.lower()
        if distribution not in {"normal", "uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.dtype = _assert_float_dtype(_dtypes.as_dtype(dtype))

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        from graphrt.ops import random_ops
        dtype = self.dtype if dtype is None else _assert_float_dtype(_dtypes.as_dtype(dtype))
        shape = _shape_list(shape)
        scale = self.scale
        scale_shape = shape if partition_info is None else list(partition_info.full_shape)
        fan_in, fan_out = _compute_fans(scale_shape)
        if self.mode == "fan_in":
            scale /= max(1., fan_in)
        elif self.mode == "fan_out":
            scale /= max(1., fan_out)
        else:
            scale /= max(1., (fan_in + fan_out) / 2.)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV
            return random_ops.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self) -> Dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed,
                "dtype": self.dtype.name}


class GlorotUniform(VarianceScaling):
    """Glorot/Xavier uniform: uniform in ±sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, seed: Optional[int] = None, dtype: Any = _dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed, dtype=dtype)

    def get_config(self) -> Dict[str, Any]:
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotNormal(VarianceScaling):
    """Glorot/Xavier normal: truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    def __init__(self, seed: Optional[int] = None, dtype: Any = _dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed, dtype=dtype)

    def get_config(self) -> Dict[str, Any]:
        return {"seed": self.seed, "dtype": self.dtype.name}


class Orthogonal(Initializer):
    """A random orthogonal matrix (rows or columns orthonormal) times ``gain``, reshaped to ``shape``.

    TF takes the Q of the QR decomposition of a normal random matrix, sign-corrected so R has a positive
    diagonal. graphrt has no Qr op; the same Q is computed in the graph by Gram-Schmidt with
    re-orthogonalization (which yields exactly that positive-diagonal QR), as a while_loop over columns.
    """

    def __init__(self, gain: float = 1.0, seed: Optional[int] = None, dtype: Any = _dtypes.float32):
        self.gain = gain
        self.seed = seed
        self.dtype = _assert_float_dtype(_dtypes.as_dtype(dtype))

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        from graphrt.ops import array_ops, random_ops
        dtype = self.dtype if dtype is None else _assert_float_dtype(_dtypes.as_dtype(dtype))
        shape = _shape_list(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        num_rows = 1
        for dim in shape[:-1]:
            num_rows *= dim
        num_cols = shape[-1]
        flat_shape = (num_cols, num_rows) if num_rows < num_cols else (num_rows, num_cols)
        a = random_ops.random_normal(flat_shape, dtype=dtype, seed=self.seed)
        q = _gram_schmidt_q(a, flat_shape)
        if num_rows < num_cols:
            from graphrt.ops import linalg_ops
            q = linalg_ops.transpose(q)
        return self.gain * array_ops.reshape(q, shape)

    def get_config(self) -> Dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


def _gram_schmidt_q(a: _ops.Tensor, flat_shape: Tuple[int, int]) -> _ops.Tensor:
    """The Q (m x n, m >= n, orthonormal columns) of the thin QR of ``a`` with R's diagonal positive.

    Classical Gram-Schmidt, applied twice per column ("CGS2") for orthogonality to working precision.
    Q starts as zeros; column j is projected against all of Q (the not yet computed columns are zero, so
    they contribute nothing), normalized, and written in place with a one-hot outer product."""
    from graphrt.framework.constant_op import constant
    from graphrt.ops import array_ops, control_flow_ops, indexing_ops, math_ops
    m, n = flat_shape
    if n == 0 or m == 0:
        return array_ops.zeros([m, n], dtype=a.dtype)
    g = a.graph
    with g.name_scope("orthogonal"):
        eye = constant(np.eye(n), dtype=a.dtype, name="eye")
        q0 = array_ops.zeros([m, n], dtype=a.dtype)

        def body(j: _ops.Tensor, q: _ops.Tensor) -> List[_ops.Tensor]:
            e = array_ops.reshape(indexing_ops.gather(eye, j), [n, 1])  # one-hot column selector
            v = math_ops.matmul(a, e)                                           # a[:, j]
            for _ in range(2):
                v = v - math_ops.matmul(q, math_ops.matmul(q, v, transpose_a=True))
            v = v * math_ops.rsqrt(math_ops.reduce_sum(v * v))
            return [j + 1, q + math_ops.matmul(v, e, transpose_b=True)]

        _, q = control_flow_ops.while_loop(lambda j, q: j < n, body, [constant(0, name="j"), q0])
        q.set_shape([m, n])
        return q


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain: float = 1.0, dtype: Any = _dtypes.float32):
        self.gain = gain
        self.dtype = _assert_float_dtype(_dtypes.as_dtype(dtype))

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> _ops.Tensor:
        from graphrt.framework.constant_op import constant
        dtype = self.dtype if dtype is None else _assert_float_dtype(_dtypes.as_dtype(dtype))
        full_shape = _shape_list(shape if partition_info is None else partition_info.full_shape)
        if len(full_shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        value = self.gain * np.eye(*full_shape)
        return constant(value.astype(dtype.as_numpy_dtype), dtype=dtype, shape=shape)

    def get_config(self) -> Dict[str, Any]:
        return {"gain": self.gain, "dtype": self.dtype.name}


def lecun_normal(seed: Optional[int] = None) -> VarianceScaling:
    """LeCun normal: truncated normal, variance 1 / fan_in."""
    return VarianceScaling(scale=1., mode="fan_in", distribution="truncated_normal", seed=seed)


def lecun_uniform(seed: Optional[int] = None) -> VarianceScaling:
    """LeCun uniform: uniform, variance 1 / fan_in."""
    return VarianceScaling(scale=1., mode="fan_in", distribution="uniform", seed=seed)


def he_normal(seed: Optional[int] = None) -> VarianceScaling:
    """He normal: truncated normal, variance 2 / fan_in."""
    return VarianceScaling(scale=2., mode="fan_in", distribution="truncated_normal", seed=seed)


def he_uniform(seed: Optional[int] = None) -> VarianceScaling:
    """He uniform: uniform, variance 2 / fan_in."""
    return VarianceScaling(scale=2., mode="fan_in", distribution="uniform", seed=seed)


# TF1's lower-case names are the classes themselves.
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
uniform_unit_scaling_initializer = UniformUnitScaling
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
orthogonal_initializer = Orthogonal
identity_initializer = Identity
