"""Session handles: keep a tensor in the session across runs (``tf.get_session_handle``), read it
back by handle (``tf.get_session_tensor``) and delete it (``tf.delete_session_tensor``).

Fetching the output of ``get_session_handle`` gives a ``TensorHandle``; its tensor stays in the C++
session (its ResourceMgr) until deleted or until the session closes.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import op_registry as _reg
from graphrt.framework import tensor_shape as _ts

__all__ = ["get_session_handle", "get_session_tensor", "delete_session_tensor"]

HANDLE_OPS = frozenset(("GetSessionHandle", "GetSessionHandleV2"))


class TensorHandle:
    """A handle to a tensor kept in a session: ``handle`` is the string to feed to the placeholder
    of ``get_session_tensor``; ``eval()`` reads the tensor, ``delete()`` frees it."""

    def __init__(self, handle: Any, dtype: Any, session: Any):
        if isinstance(handle, bytes):
            handle = handle.decode("utf-8", "surrogateescape")
        # A GetSessionHandleV2 (resource) handle reads "container\0handle".
        self._handle = str(handle).rpartition("\0")[2]
        self._dtype = _dtypes.as_dtype(dtype)
        self._session = session
        self._auto_gc_enabled = True

    def __del__(self) -> None:
        if getattr(self, "_auto_gc_enabled", False):
            self._auto_gc_enabled = False
            try:
                self._session._delete_session_tensor(self._handle)
            except Exception:  # noqa: BLE001 - already deleted, session closed, interpreter shutdown
                pass

    def __str__(self) -> str:
        return self._handle

    def __repr__(self) -> str:
        return f"TensorHandle({self._handle!r}, dtype={self._dtype.name})"

    @property
    def handle(self) -> str:
        """The handle string (feed it to the placeholder returned by ``get_session_tensor``)."""
        return self._handle

    @property
    def dtype(self) -> _dtypes.DType:
        return self._dtype

    def to_numpy_array(self) -> str:
        """The value fed for this handle: the handle string."""
        return self._handle

    def get_raw_handle(self) -> str:
        return self._handle

    def eval(self) -> Any:
        """The value of the tensor this handle refers to."""
        if not self._auto_gc_enabled:
            raise TypeError(f"Persistent tensor {self._handle} may have already been deleted.")
        return self._session._session_tensor_value(self._handle)

    def delete(self) -> None:
        """Deletes the tensor from the session now."""
        if not self._auto_gc_enabled:
            raise TypeError(f"Persistent tensor {self._handle} may have already been deleted.")
        self._auto_gc_enabled = False
        self._session._delete_session_tensor(self._handle)

    @staticmethod
    def _get_device_name(handle: Any) -> str:
        handle_str = handle.decode() if isinstance(handle, bytes) else str(handle)
        return handle_str.split(";")[-1]


def _handle_device(handle: Any) -> Optional[str]:
    """The device named at the end of a handle string, or None when it names none."""
    if handle is None or isinstance(handle, (_ops.Tensor, _ops.Operation)):
        return None
    dev = TensorHandle._get_device_name(handle)
    return dev if dev.startswith("/") else None


def get_session_handle(data: Any, name: Optional[str] = None) -> _ops.Tensor:
    """A string tensor: the handle of ``data``'s value, kept in the session when this is run."""
    if not isinstance(data, _ops.Tensor):
        raise TypeError("`data` must be of type Tensor.")
    g = data.graph
    with g.as_default(), g.colocate_with(data.op):
        return g.create_op("GetSessionHandle", [data], name=name or "GetSessionHandle",
                           attrs={"T": data.dtype}).outputs[0]


def get_session_tensor(handle: Any, dtype: Any, name: Optional[str] = None) -> Tuple[_ops.Tensor, _ops.Tensor]:
    """``(placeholder, tensor)``: feed a handle string to the placeholder and ``tensor`` is the stored
    value of ``dtype``."""
    from graphrt.ops import array_ops
    dtype = _dtypes.as_dtype(dtype)
    g = _ops.get_default_graph()
    dev = _handle_device(handle)
    with g.device(dev) if dev else _null():
        holder = array_ops.placeholder(_dtypes.string)
        tensor = g.create_op("GetSessionTensor", [holder], name=name or "GetSessionTensor",
                             attrs={"dtype": dtype}).outputs[0]
    return holder, tensor


def delete_session_tensor(handle: Any, name: Optional[str] = None) -> Tuple[_ops.Tensor, _ops.Operation]:
    """``(placeholder, op)``: running ``op`` with a handle string fed deletes that session tensor."""
    from graphrt.ops import array_ops
    g = _ops.get_default_graph()
    dev = _handle_device(handle)
    with g.device(dev) if dev else _null():
        holder = array_ops.placeholder(_dtypes.string)
        deleter = g.create_op("DeleteSessionTensor", [holder], name=name or "DeleteSessionTensor", attrs={})
    return holder, deleter


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def is_handle_feeder(t: Any) -> bool:
    """Whether ``t`` feeds handle strings to GetSessionTensor / DeleteSessionTensor."""
    return any(op.type in ("GetSessionTensor", "DeleteSessionTensor") for op in t.consumers())


_reg.register("GetSessionHandle", _reg.fixed_type(_dtypes.string), _reg.scalar_shape)
_reg.register("GetSessionHandleV2", _reg.fixed_type(_dtypes.resource), _reg.scalar_shape)
_reg.register("GetSessionTensor", _reg.attr_type("dtype"), lambda op: [_ts.unknown_shape()])
_reg.register("DeleteSessionTensor", _reg.no_outputs, lambda op: [])
