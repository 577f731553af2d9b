"""Random ops (stateful): uniform, normal, truncated normal, shuffle, multinomial, and TF1's seeds."""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry as _reg
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util as _tu

__all__ = [
    "set_random_seed",
    "get_seed",
    "random_uniform",
    "random_normal",
    "truncated_normal",
    "random_shuffle",
    "multinomial",
]  # the tf.* names this module provides

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1


# ---- seeds ---------------------------------------------------------------------------------------

def _truncate_seed(seed: int) -> int:
    return int(seed) % _MAXINT32  # Python's % keeps it non-negative, as in TF


def set_random_seed(seed: Optional[int]) -> None:
    """Sets the graph-level random seed of the default graph."""
    _ops.get_default_graph().seed = seed


def get_seed(op_seed: Optional[int]) -> Tuple[Optional[int], Optional[int]]:
    """TF1's (graph seed, op seed) for a random op: derived from the graph seed and ``op_seed``."""
    g = _ops.get_default_graph()
    global_seed = g.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = len(g._ops)  # TF: the graph's last op id
        seeds: Tuple[Optional[int], Optional[int]] = (_truncate_seed(global_seed), _truncate_seed(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, _truncate_seed(op_seed))
    else:
        seeds = (None, None)
    # (0, 0) means "nondeterministic" to the kernels; Python's way of saying that is (None, None).
    if seeds == (0, 0):
        return (0, _MAXINT32)
    return seeds


def _seed_attrs(op_seed: Optional[int]) -> dict:
    s1, s2 = get_seed(op_seed)
    return {"seed": s1 or 0, "seed2": s2 or 0}


# ---- static shape functions ----------------------------------------------------------------------

def _shape_from_input(op: Any) -> List[_ts.TensorShape]:
    s = op.inputs[0].shape
    if s.rank is not None and s.rank != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {s.rank} for '{op.name}' (op: '{op.type}')")
    shape = _tu.constant_value_as_shape(op.inputs[0])
    if shape.rank is not None and any(d is not None and d < 0 for d in shape.as_list()):
        raise ValueError(f"Dimensions must be non-negative for '{op.name}' (op: '{op.type}'), got {shape}")
    return [shape]


def _uniform_int_shape(op: Any) -> List[_ts.TensorShape]:
    for t, what in ((op.inputs[1], "minval"), (op.inputs[2], "maxval")):
        if t.shape.rank is not None and t.shape.rank != 0:
            raise ValueError(f"Shape must be rank 0 but is rank {t.shape.rank} for '{op.name}' (op: '{op.type}') "
                             f"({what})")
    return _shape_from_input(op)


def _multinomial_shape(op: Any) -> List[_ts.TensorShape]:
    logits, n = op.inputs[0].shape, op.inputs[1]
    if logits.rank is not None and logits.rank != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {logits.rank} for '{op.name}' (op: '{op.type}')")
    if n.shape.rank is not None and n.shape.rank != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {n.shape.rank} for '{op.name}' (op: '{op.type}')")
    v = _tu.constant_value(n)
    samples = None if v is None else int(v)
    if samples is not None and samples < 0:
        raise ValueError(f"num_samples should be nonnegative, got {samples} for '{op.name}' (op: '{op.type}')")
    batch = logits[0] if logits.rank is not None else None
    return [_ts.TensorShape([batch, samples])]


for _name in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal"):
    _reg.register(_name, _reg.attr_type("dtype"), _shape_from_input)
_reg.register("RandomUniformInt", _reg.attr_type("Tout"), _uniform_int_shape)
_reg.register("RandomShuffle", _reg.input_type(0), _reg.unchanged_shape)
_reg.register("Multinomial", _reg.attr_type("output_dtype"), _multinomial_shape)


# ---- public API ----------------------------------------------------------------------------------

_FLOAT_TYPES = (_dtypes.float16, _dtypes.float32, _dtypes.float64)


def _shape_tensor(shape: Any, g: _ops.Graph) -> _ops.Tensor:
    from graphrt.ops.array_ops import _shape_tensor as shape_tensor
    return shape_tensor(shape, g)


def _graph_for(*values: Any) -> _ops.Graph:
    return _ops.op_scope_graph([v for v in values if isinstance(v, (_ops.Tensor, _ops.Operation))])


def _random_float(op_type: str, shape: Any, dtype: Any, seed: Optional[int], g: _ops.Graph,
                  name: Optional[str] = None) -> _ops.Tensor:
    dtype = _dtypes.as_dtype(dtype)
    if dtype not in _FLOAT_TYPES:
        raise ValueError(f"Invalid dtype {dtype!r} for {op_type}")
    s = _shape_tensor(shape, g)
    attrs = {"dtype": dtype, "T": s.dtype}
    attrs.update(_seed_attrs(seed))
    return g.create_op(op_type, [s], name=name or op_type, attrs=attrs).outputs[0]


def random_uniform(shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = _dtypes.float32,
                   seed: Optional[int] = None, name: Optional[str] = None) -> _ops.Tensor:
    """Values uniform in [minval, maxval) (maxval defaults to 1 for floats; required for ints)."""
    from graphrt.ops import math_ops
    dtype = _dtypes.as_dtype(dtype)
    if dtype not in _FLOAT_TYPES + (_dtypes.int32, _dtypes.int64):
        raise ValueError(f"Invalid dtype {dtype!r}")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    g = _graph_for(shape, minval, maxval)
    with g.as_default(), g.name_scope(name or "random_uniform") as scope:
        s = _shape_tensor(shape, g)
        lo = _ops.convert_to_tensor(minval, dtype=dtype, name="min")
        hi = _ops.convert_to_tensor(maxval, dtype=dtype, name="max")
        if dtype.is_integer:
            attrs = {"Tout": dtype, "T": s.dtype}
            attrs.update(_seed_attrs(seed))
            return g.create_op("RandomUniformInt", [s, lo, hi], name=scope, attrs=attrs).outputs[0]
        rnd = _random_float("RandomUniform", s, dtype, seed, g)
        return math_ops.add(rnd * (hi - lo), lo, name=scope)


def random_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = _dtypes.float32,
                  seed: Optional[int] = None, name: Optional[str] = None) -> _ops.Tensor:
    """Values from a normal distribution with the given mean and standard deviation."""
    return _normal("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed, name)


def truncated_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = _dtypes.float32,
                     seed: Optional[int] = None, name: Optional[str] = None) -> _ops.Tensor:
    """Normal values resampled until within two standard deviations of the mean."""
    return _normal("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name)


def _normal(op_type: str, default_name: str, shape: Any, mean: Any, stddev: Any, dtype: Any,
            seed: Optional[int], name: Optional[str]) -> _ops.Tensor:
    from graphrt.ops import math_ops
    dtype = _dtypes.as_dtype(dtype)
    if dtype not in _FLOAT_TYPES:
        raise ValueError(f"Invalid dtype {dtype!r} for {default_name}")
    g = _graph_for(shape, mean, stddev)
    with g.as_default(), g.name_scope(name or default_name) as scope:
        s = _shape_tensor(shape, g)
        mean_t = _ops.convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev_t = _ops.convert_to_tensor(stddev, dtype=dtype, name="stddev")
        rnd = _random_float(op_type, s, dtype, seed, g)
        return math_ops.add(math_ops.multiply(rnd, stddev_t, name="mul"), mean_t, name=scope)


def random_shuffle(value: Any, seed: Optional[int] = None, name: Optional[str] = None) -> _ops.Tensor:
    """Randomly permutes ``value`` along its first dimension."""
    x = _ops.convert_to_tensor(value)
    g = x.graph
    with g.as_default():
        attrs = {"T": x.dtype}
        attrs.update(_seed_attrs(seed))
        return g.create_op("RandomShuffle", [x], name=name or "RandomShuffle", attrs=attrs).outputs[0]


def _multinomial(logits: Any, num_samples: Any, output_dtype: Any, seed: Optional[int], scope: str,
                 g: _ops.Graph) -> _ops.Tensor:
    output_dtype = _dtypes.as_dtype(output_dtype) if output_dtype is not None else _dtypes.int64
    if output_dtype not in (_dtypes.int32, _dtypes.int64):
        raise ValueError(f"output_dtype must be int32 or int64, got {output_dtype!r}")
    x = _ops.convert_to_tensor(logits, name="logits")
    if x.dtype not in _FLOAT_TYPES:
        raise TypeError(f"logits must be a floating point tensor, got {x.dtype.name}")
    n = _ops.convert_to_tensor(num_samples, dtype=_dtypes.int32, name="num_samples")
    if n.dtype != _dtypes.int32:
        raise TypeError(f"num_samples must be int32, got {n.dtype.name}")
    attrs = {"T": x.dtype, "output_dtype": output_dtype}
    attrs.update(_seed_attrs(seed))
    return g.create_op("Multinomial", [x, n], name=scope, attrs=attrs).outputs[0]


def multinomial(logits: Any, num_samples: Any, seed: Optional[int] = None, name: Optional[str] = None,
                output_dtype: Any = None) -> _ops.Tensor:
    """``num_samples`` class indices per row of ``logits`` [batch, classes], drawn from softmax(logits)."""
    g = _graph_for(logits, num_samples)
    with g.as_default(), g.name_scope(name or "multinomial") as scope:
        return _multinomial(logits, num_samples, output_dtype, seed, scope, g)


def categorical(logits: Any, num_samples: Any, dtype: Any = None, seed: Optional[int] = None,
                name: Optional[str] = None) -> _ops.Tensor:
    """``tf.random.categorical``: like ``multinomial`` (``dtype`` is the output dtype)."""
    g = _graph_for(logits, num_samples)
    with g.as_default(), g.name_scope(name or "categorical") as scope:
        return _multinomial(logits, num_samples, dtype, seed, scope, g)
