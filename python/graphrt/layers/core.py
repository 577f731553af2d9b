"""The functional ``tf.layers`` of TF1: dense, conv2d, pooling, dropout, batch_normalization, flatten.

Each call opens a variable scope named after the layer (``dense``, ``dense_1``, ... or ``name``), creates
its variables there with ``get_variable`` (so ``reuse`` and enclosing scopes work as in TF1) and builds
its ops under the scope's name scope.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_util as _tu
from graphrt.ops import init_ops
from graphrt.ops import variable_scope as _vs

__all__ = [
    "dense",
    "conv2d",
    "max_pooling2d",
    "average_pooling2d",
    "dropout",
    "batch_normalization",
    "flatten",
]  # the tf.layers names this module provides


# ---- helpers ------------------------------------------------------------------------------------

@contextlib.contextmanager
def _layer_scope(name: Optional[str], default_name: str, reuse: Any, inputs: _ops.Tensor) -> Iterator[Any]:
    """The variable scope (and name scope) of one layer call, as TF1's tf.layers.Layer sets it up."""
    g = inputs.graph
    with g.as_default():
        if reuse:
            cm = _vs.variable_scope(name if name is not None else default_name, reuse=reuse)
        else:
            cm = _vs.variable_scope(name, default_name=default_name)
        with cm as scope:
            yield scope


def _add_weight(name: str, shape: Sequence[int], dtype: _dtypes.DType, initializer: Any,
                regularizer: Optional[Callable], trainable: bool, constraint: Optional[Callable] = None,
                collections: Any = None) -> Any:
    """get_variable(name) in the current scope; the layer's regularizer runs only for a new variable,
    under ``<layer>/<name>/Regularizer`` (the scope's own regularizer applies through get_variable)."""
    store = _vs._get_default_variable_store()
    scope_name = _vs.get_variable_scope().name
    full_name = scope_name + "/" + name if scope_name else name
    existed = full_name in store.vars
    v = _vs.get_variable(name, shape=list(shape), dtype=dtype, initializer=initializer, trainable=trainable,
                         constraint=constraint, collections=collections)
    if regularizer is not None and not existed:
        with _ops.name_scope(name + "/Regularizer"):
            loss = regularizer(v)
        if loss is not None:
            _ops.add_to_collection(_ops.GraphKeys.REGULARIZATION_LOSSES, loss)
    return v


def _activity_regularization(outputs: _ops.Tensor, regularizer: Optional[Callable]) -> None:
    if regularizer is None:
        return
    from graphrt.ops import array_ops, math_ops
    with _ops.name_scope("ActivityRegularizer"):
        loss = regularizer(outputs)
        if loss is None:
            return
        batch_size = math_ops.cast(array_ops.shape(outputs)[0], loss.dtype)
        _ops.add_to_collection(_ops.GraphKeys.REGULARIZATION_LOSSES, loss / batch_size)


def _static_bool(value: Any) -> Optional[bool]:
    """The Python value of a bool flag (Python bool or constant tensor), or None when it is dynamic."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, int):
        return bool(value)
    if isinstance(value, _ops.Tensor):
        v = _tu.constant_value(value)
        return None if v is None else bool(v)
    from graphrt.ops.variables import Variable
    if isinstance(value, Variable):
        return None
    return bool(value)


def _smart_cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any], name: Optional[str] = None) -> Any:
    static = _static_bool(pred)
    if static is True:
        return true_fn()
    if static is False:
        return false_fn()
    from graphrt.ops import control_flow_ops
    return control_flow_ops.cond(pred, true_fn, false_fn, name=name)


def _tuple(value: Any, n: int, what: str) -> Tuple[int, ...]:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    try:
        t = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError(f"The `{what}` argument must be a tuple of {n} integers. Received: {value}") from None
    if len(t) != n:
        raise ValueError(f"The `{what}` argument must be a tuple of {n} integers. Received: {value}")
    return t


def _padding(padding: str) -> str:
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. Received: {padding}")
    return p.upper()


def _data_format(data_format: Optional[str]) -> str:
    df = "channels_last" if data_format is None else str(data_format).lower()
    if df not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', 'channels_last'. "
                         f"Received: {data_format}")
    return "NHWC" if df == "channels_last" else "NCHW"


def _as_input(inputs: Any) -> _ops.Tensor:
    return _ops.convert_to_tensor(inputs)


def _check_ndim(x: _ops.Tensor, layer: str, ndim: Optional[int] = None, min_ndim: Optional[int] = None) -> None:
    r = x.shape.rank
    if r is None:
        return
    if ndim is not None and r != ndim:
        raise ValueError(f"Input 0 of layer {layer} is incompatible with the layer: expected ndim={ndim}, found "
                         f"ndim={r}. Full shape received: {x.shape.as_list()}")
    if min_ndim is not None and r < min_ndim:
        raise ValueError(f"Input 0 of layer {layer} is incompatible with the layer: expected min_ndim={min_ndim}, "
                         f"found ndim={r}. Full shape received: {x.shape.as_list()}")


def _float_dtype(x: _ops.Tensor, layer: str) -> _dtypes.DType:
    if not x.dtype.is_floating:
        raise ValueError(f"A {layer} layer needs floating point inputs, got {x.dtype.name}")
    return x.dtype


# ---- dense --------------------------------------------------------------------------------------

def dense(inputs: Any, units: int, activation: Optional[Callable] = None, use_bias: bool = True,
          kernel_initializer: Any = None, bias_initializer: Any = init_ops.zeros_initializer(),
          kernel_regularizer: Optional[Callable] = None, bias_regularizer: Optional[Callable] = None,
          activity_regularizer: Optional[Callable] = None, kernel_constraint: Optional[Callable] = None,
          bias_constraint: Optional[Callable] = None, trainable: bool = True, name: Optional[str] = None,
          reuse: Any = None) -> _ops.Tensor:
    """``activation(inputs @ kernel + bias)`` over the last axis (variables ``<scope>/kernel``, ``/bias``)."""
    from graphrt.ops import linalg_ops, math_ops
    x = _as_input(inputs)
    units = int(units)
    if units <= 0:
        raise ValueError(f"Received an invalid value for `units`, expected a positive integer, got {units}.")
    _check_ndim(x, "dense", min_ndim=2)
    if x.shape.rank is None or x.shape.as_list()[-1] is None:
        raise ValueError("The last dimension of the inputs to `Dense` should be defined. Found `None`.")
    dtype = _float_dtype(x, "dense")
    rank = x.shape.rank
    in_dim = x.shape.as_list()[-1]
    with _layer_scope(name, "dense", reuse, x):
        kernel = _add_weight("kernel", [in_dim, units], dtype, kernel_initializer, kernel_regularizer, trainable,
                             kernel_constraint)
        bias = _add_weight("bias", [units], dtype, bias_initializer, bias_regularizer, trainable,
                           bias_constraint) if use_bias else None
        if rank > 2:
            outputs = linalg_ops.tensordot(x, kernel, [[rank - 1], [0]])
            outputs.set_shape(x.shape.as_list()[:-1] + [units])
        else:
            outputs = math_ops.matmul(x, kernel)
        if bias is not None:
            outputs = math_ops.bias_add(outputs, bias)
        if activation is not None:
            outputs = activation(outputs)
        _activity_regularization(outputs, activity_regularizer)
        return outputs


# ---- convolution and pooling --------------------------------------------------------------------

def conv2d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
           data_format: str = "channels_last", dilation_rate: Any = (1, 1), activation: Optional[Callable] = None,
           use_bias: bool = True, kernel_initializer: Any = None,
           bias_initializer: Any = init_ops.zeros_initializer(), kernel_regularizer: Optional[Callable] = None,
           bias_regularizer: Optional[Callable] = None, activity_regularizer: Optional[Callable] = None,
           kernel_constraint: Optional[Callable] = None, bias_constraint: Optional[Callable] = None,
           trainable: bool = True, name: Optional[str] = None, reuse: Any = None) -> _ops.Tensor:
    """2-D convolution layer (kernel ``[kh, kw, in, filters]``, bias ``[filters]``)."""
    from graphrt.ops import math_ops, nn_ops
    x = _as_input(inputs)
    filters = int(filters)
    if filters <= 0:
        raise ValueError(f"Received an invalid value for `filters`, expected a positive integer, got {filters}.")
    kernel_size = _tuple(kernel_size, 2, "kernel_size")
    strides = _tuple(strides, 2, "strides")
    dilation_rate = _tuple(dilation_rate, 2, "dilation_rate")
    pad = _padding(padding)
    fmt = _data_format(data_format)
    _check_ndim(x, "conv2d", ndim=4)
    channel_axis = 1 if fmt == "NCHW" else 3
    in_ch = x.shape.as_list()[channel_axis] if x.shape.rank is not None else None
    if in_ch is None:
        raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
    dtype = _float_dtype(x, "conv2d")
    with _layer_scope(name, "conv2d", reuse, x):
        kernel = _add_weight("kernel", list(kernel_size) + [in_ch, filters], dtype, kernel_initializer,
                             kernel_regularizer, trainable, kernel_constraint)
        bias = _add_weight("bias", [filters], dtype, bias_initializer, bias_regularizer, trainable,
                           bias_constraint) if use_bias else None
        full = (lambda a, b: [1, 1, a, b]) if fmt == "NCHW" else (lambda a, b: [1, a, b, 1])
        outputs = nn_ops.conv2d(x, kernel, strides=full(*strides), padding=pad, data_format=fmt,
                                dilations=full(*dilation_rate))
        if bias is not None:
            outputs = math_ops.bias_add(outputs, bias, data_format=fmt)
        if activation is not None:
            outputs = activation(outputs)
        _activity_regularization(outputs, activity_regularizer)
        return outputs


def _pooling2d(kind: str, inputs: Any, pool_size: Any, strides: Any, padding: str, data_format: str,
               name: Optional[str]) -> _ops.Tensor:
    from graphrt.ops import nn_ops
    x = _as_input(inputs)
    pool_size = _tuple(pool_size, 2, "pool_size")
    strides = _tuple(strides, 2, "strides")
    pad = _padding(padding)
    fmt = _data_format(data_format)
    layer = "max_pooling2d" if kind == "max" else "average_pooling2d"
    _check_ndim(x, layer, ndim=4)
    full = (lambda a, b: [1, 1, a, b]) if fmt == "NCHW" else (lambda a, b: [1, a, b, 1])
    pool = nn_ops.max_pool if kind == "max" else nn_ops.avg_pool
    with _layer_scope(name, layer, None, x):
        return pool(x, ksize=full(*pool_size), strides=full(*strides), padding=pad, data_format=fmt)


def max_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None) -> _ops.Tensor:
    """2-D max pooling layer."""
    return _pooling2d("max", inputs, pool_size, strides, padding, data_format, name)


def average_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None) -> _ops.Tensor:
    """2-D average pooling layer."""
    return _pooling2d("avg", inputs, pool_size, strides, padding, data_format, name)


# ---- dropout and flatten ------------------------------------------------------------------------

def dropout(inputs: Any, rate: float = 0.5, noise_shape: Any = None, seed: Optional[int] = None,
            training: Any = False, name: Optional[str] = None) -> _ops.Tensor:
    """Dropout with ``rate`` when ``training`` (a bool or bool tensor), identity otherwise."""
    from graphrt.ops import array_ops, nn_ops
    x = _as_input(inputs)
    with _layer_scope(name, "dropout", None, x):
        def dropped() -> _ops.Tensor:
            return nn_ops.dropout(x, noise_shape=noise_shape, seed=seed, rate=rate)

        def kept() -> _ops.Tensor:
            return array_ops.identity(x)
        return _smart_cond(training, dropped, kept)


def flatten(inputs: Any, name: Optional[str] = None, data_format: str = "channels_last") -> _ops.Tensor:
    """Flattens all dimensions but the first (channels moved last first for channels_first)."""
    from graphrt.framework.constant_op import constant
    from graphrt.ops import array_ops, linalg_ops
    x = _as_input(inputs)
    fmt = _data_format(data_format)
    with _layer_scope(name, "flatten", None, x):
        rank = x.shape.rank
        if fmt == "NCHW" and rank is not None and rank > 1:
            x = linalg_ops.transpose(x, perm=[0] + list(range(2, rank)) + [1])
        if rank is not None and rank <= 1:
            return array_ops.reshape(x, [-1, 1])
        dims = x.shape.as_list() if rank is not None else None
        if dims is not None and all(d is not None for d in dims[1:]):
            flat = int(np.prod(dims[1:], dtype=np.int64))
            out = array_ops.reshape(x, constant([-1, flat], dtype=_dtypes.int64 if flat > 2**31 - 1 else _dtypes.int32))
            out.set_shape([dims[0], flat])
            return out
        batch = dims[0] if dims is not None else None
        if batch is not None:
            return array_ops.reshape(x, [batch, -1])
        return array_ops.reshape(x, array_ops.stack([array_ops.shape(x)[0], -1]))


# ---- batch normalization ------------------------------------------------------------------------

def _assign_moving_average(variable: Any, value: _ops.Tensor, momentum: Any) -> Any:
    """variable -= (variable - value) * (1 - momentum), as an AssignSubVariableOp named AssignMovingAvg."""
    from graphrt.ops import math_ops
    with _ops.name_scope(None, "AssignMovingAvg", [value]) as scope:
        decay = _ops.convert_to_tensor(1.0 - momentum, name="decay") if not isinstance(momentum, _ops.Tensor) \
            else math_ops.subtract(1.0, momentum, name="decay")
        if decay.dtype != variable.dtype:
            decay = math_ops.cast(decay, variable.dtype)
        update_delta = (variable.value() - math_ops.cast(value, variable.dtype)) * decay
        return variable.assign_sub(update_delta, name=scope, read_value=False)


def batch_normalization(inputs: Any, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                        center: bool = True, scale: bool = True,
                        beta_initializer: Any = init_ops.zeros_initializer(),
                        gamma_initializer: Any = init_ops.ones_initializer(),
                        moving_mean_initializer: Any = init_ops.zeros_initializer(),
                        moving_variance_initializer: Any = init_ops.ones_initializer(),
                        beta_regularizer: Optional[Callable] = None, gamma_regularizer: Optional[Callable] = None,
                        beta_constraint: Optional[Callable] = None, gamma_constraint: Optional[Callable] = None,
                        training: Any = False, trainable: bool = True, name: Optional[str] = None,
                        reuse: Any = None, renorm: bool = False, renorm_clipping: Any = None,
                        renorm_momentum: float = 0.99, fused: Optional[bool] = None,
                        virtual_batch_size: Optional[int] = None, adjustment: Any = None) -> _ops.Tensor:
    """Batch normalization over all axes but ``axis``. In training mode it normalizes with the batch
    statistics and adds the moving mean/variance updates to ``tf.GraphKeys.UPDATE_OPS``; otherwise it uses
    the moving statistics. 4-D inputs with channel axis 1 or 3 use FusedBatchNormV3 (``fused`` unless
    False); the fused path updates the moving variance with the unbiased batch variance, as TF's does."""
    from graphrt.framework.constant_op import constant
    from graphrt.ops import array_ops, math_ops, nn_ops
    if renorm or virtual_batch_size is not None or adjustment is not None:
        raise NotImplementedError("batch_normalization: renorm, virtual_batch_size and adjustment are not "
                                  "supported by graphrt")
    x = _as_input(inputs)
    dtype = _float_dtype(x, "batch_normalization")
    ndims = x.shape.rank
    if ndims is None:
        raise ValueError(f"Input has undefined rank: {x.shape}")
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise NotImplementedError("batch_normalization over several axes is not supported by graphrt")
        axis = axis[0]
    axis = int(axis)
    if axis < 0:
        axis += ndims
    if not 0 <= axis < ndims:
        raise ValueError(f"Invalid axis: {axis}")
    channels = x.shape.as_list()[axis]
    if channels is None:
        raise ValueError(f"Input has undefined `axis` dimension. Input shape: {x.shape}")
    can_fuse = ndims == 4 and axis in (1, 3)
    if fused is None:
        fused = can_fuse
    elif fused and not can_fuse:
        raise ValueError("Batch normalization layers with fused=True only support 4D input tensors with axis 1 "
                         "or 3.")
    param_dtype = _dtypes.float32 if dtype == _dtypes.float16 else dtype
    static_training = _static_bool(training)
    with _layer_scope(name, "batch_normalization", reuse, x):
        gamma = _add_weight("gamma", [channels], param_dtype, gamma_initializer, gamma_regularizer, trainable,
                            gamma_constraint) if scale else None
        beta = _add_weight("beta", [channels], param_dtype, beta_initializer, beta_regularizer, trainable,
                           beta_constraint) if center else None
        moving_mean = _add_weight("moving_mean", [channels], param_dtype, moving_mean_initializer, None, False)
        moving_variance = _add_weight("moving_variance", [channels], param_dtype, moving_variance_initializer,
                                      None, False)
        updates: List[Any] = []
        if fused:
            fmt = "NCHW" if axis == 1 else "NHWC"
            g_t = gamma if gamma is not None else constant(np.ones([channels]), dtype=param_dtype)
            b_t = beta if beta is not None else constant(np.zeros([channels]), dtype=param_dtype)

            def fused_training() -> Tuple[_ops.Tensor, _ops.Tensor, _ops.Tensor]:
                return nn_ops.fused_batch_norm(x, g_t, b_t, epsilon=epsilon, data_format=fmt)

            def fused_inference() -> Tuple[_ops.Tensor, _ops.Tensor, _ops.Tensor]:
                return nn_ops.fused_batch_norm(x, g_t, b_t, mean=moving_mean, variance=moving_variance,
                                               epsilon=epsilon, is_training=False, data_format=fmt)
            output, mean, variance = _smart_cond(training, fused_training, fused_inference)
            if static_training is not False:
                if static_training is None:
                    mom = _smart_cond(training, lambda: constant(momentum, dtype=param_dtype),
                                      lambda: constant(1.0, dtype=param_dtype))
                else:
                    mom = momentum
                updates = [_assign_moving_average(moving_mean, mean, mom),
                           _assign_moving_average(moving_variance, variance, mom)]
        else:
            reduction_axes = [i for i in range(ndims) if i != axis]
            bshape = [1] * ndims
            bshape[axis] = channels

            def bcast(t: Any) -> Any:
                return t if t is None or ndims == 1 or axis == ndims - 1 else array_ops.reshape(t, bshape)
            if static_training is False:
                mean, variance = moving_mean.value(), moving_variance.value()
            else:
                xm = math_ops.cast(x, param_dtype) if param_dtype != dtype else x
                batch_mean, batch_var = nn_ops.moments(xm, reduction_axes)
                mean = _smart_cond(training, lambda: batch_mean, lambda: moving_mean.value())
                variance = _smart_cond(training, lambda: batch_var, lambda: moving_variance.value())
                # Outside training the "new" statistics are the moving ones: the update changes nothing.
                updates = [_assign_moving_average(moving_mean, mean, momentum),
                           _assign_moving_average(moving_variance, variance, momentum)]
            with _ops.name_scope("batchnorm"):
                inv = math_ops.rsqrt(variance + epsilon)
                if gamma is not None:
                    inv = inv * gamma.value()
                shift = (beta.value() - mean * inv) if beta is not None else -mean * inv
                inv_b, shift_b = bcast(math_ops.cast(inv, dtype)), bcast(math_ops.cast(shift, dtype))
                output = x * inv_b + shift_b
        for u in updates:
            _ops.add_to_collection(_ops.GraphKeys.UPDATE_OPS, u)
        return output
