"""Queues (TF1 ``tf.FIFOQueue``, ``tf.RandomShuffleQueue``, ``tf.PaddingFIFOQueue``, ``tf.PriorityQueue``).

Each queue is a resource in the session, made by its handle op (``FIFOQueueV2`` & co, TF's op and
attr names) and used by ``QueueEnqueueV2``, ``QueueDequeueManyV2``, ... Blocking ops wake up when the
queue is closed, the session closes or the step times out (RunOptions.timeout_in_ms).
"""
from __future__ import annotations

import collections.abc
import hashlib
from typing import Any, Dict, List, Optional, Sequence

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util

__all__ = ["QueueBase", "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue", "PriorityQueue"]

_QUEUE_OPS = ("FIFOQueueV2", "RandomShuffleQueueV2", "PaddingFIFOQueueV2", "PriorityQueueV2")


def _as_type_list(dtypes: Any) -> List[_dtypes.DType]:
    if dtypes is None:
        raise ValueError("dtypes must be specified")
    if not isinstance(dtypes, (list, tuple)):
        dtypes = [dtypes]
    return [_dtypes.as_dtype(d) for d in dtypes]


def _as_shape_list(shapes: Any, dtypes: Sequence[Any], unknown_dim_allowed: bool = False,
                   unknown_rank_allowed: bool = False) -> Optional[List[_ts.TensorShape]]:
    del dtypes
    if unknown_dim_allowed:
        if (not isinstance(shapes, collections.abc.Sequence) or not shapes
                or any(shape is None or isinstance(shape, int) for shape in shapes)):
            raise ValueError("When providing partial shapes, a list of shapes must be provided.")
    if shapes is None:
        return None
    if isinstance(shapes, _ts.TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, (tuple, list)):
        raise TypeError(f"Shapes must be a TensorShape or a list or tuple of TensorShapes, got {type(shapes)} instead.")
    if all(shape is None or isinstance(shape, int) for shape in shapes):
        shapes = [shapes]  # a single shape
    shapes = [_ts.as_shape(shape) for shape in shapes]
    if not unknown_dim_allowed and any(not shape.is_fully_defined() for shape in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes}")
    if not unknown_rank_allowed and any(shape.rank is None for shape in shapes):
        raise ValueError(f"All shapes must have a defined rank: {shapes}")
    return shapes


def _as_name_list(names: Any, dtypes: Sequence[Any]) -> Optional[List[str]]:
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != len(dtypes):
        raise ValueError("List of names must have the same length as the list of dtypes")
    return list(names)


def _queue_op(op_type: str, name: str, attrs: Dict[str, Any]) -> _ops.Tensor:
    attrs = dict(attrs)
    attrs.setdefault("container", "")
    attrs["shared_name"] = attrs.get("shared_name") or ""
    return _ops.get_default_graph().create_op(op_type, [], name=name, attrs=attrs).outputs[0]


class QueueBase:
    """Base class for queue implementations: enqueue/dequeue tuples of tensors."""

    def __init__(self, dtypes: List[_dtypes.DType], shapes: Optional[List[Any]], names: Optional[List[str]],
                 queue_ref: _ops.Tensor):
        self._dtypes = list(dtypes)
        if shapes is not None:
            if len(shapes) != len(dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes")
            self._shapes = [_ts.as_shape(s) for s in shapes]
        else:
            self._shapes = [_ts.unknown_shape() for _ in self._dtypes]
        if names is not None:
            if len(names) != len(dtypes):
                raise ValueError("Queue names must have the same length as dtypes")
            self._names: Optional[List[str]] = list(names)
        else:
            self._names = None
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    @property
    def queue_ref(self) -> _ops.Tensor:
        """The underlying queue reference (a DT_RESOURCE handle)."""
        return self._queue_ref

    @property
    def name(self) -> str:
        """The name of the underlying queue."""
        return self._queue_ref.op.name

    @property
    def dtypes(self) -> List[_dtypes.DType]:
        """The list of dtypes for each component of a queue element."""
        return self._dtypes

    @property
    def shapes(self) -> List[_ts.TensorShape]:
        """The list of shapes for each component of a queue element."""
        return self._shapes

    @property
    def names(self) -> Optional[List[str]]:
        """The list of names for each component of a queue element."""
        return self._names

    def _check_enqueue_dtypes(self, vals: Any) -> List[_ops.Tensor]:
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals.keys(), key=str):
                raise ValueError(f"Keys in dictionary to enqueue do not match names of Queue.  Dictionary: "
                                 f"({sorted(vals.keys())}), Queue: ({sorted(self._names)})")
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Expected {len(self._dtypes)} components to enqueue in queue {self._name}, "
                             f"got {len(vals)}")
        return [_ops.convert_to_tensor(v, dtype=d, name=f"component_{i}")
                for i, (v, d) in enumerate(zip(vals, self._dtypes))]

    @staticmethod
    def _scope_vals(vals: Any) -> List[Any]:
        if isinstance(vals, (list, tuple)):
            return list(vals)
        if isinstance(vals, dict):
            return list(vals.values())
        return [vals]

    def enqueue(self, vals: Any, name: Optional[str] = None) -> _ops.Operation:
        """Enqueues one element (a tensor, tuple, or dict when the queue has names)."""
        with _ops.name_scope(name, f"{self._name}_enqueue", self._scope_vals(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            for val, shape in zip(vals, self._shapes):
                val.shape.assert_is_compatible_with(shape)
            return self._queue_ref.graph.create_op(
                "QueueEnqueueV2", [self._queue_ref] + vals, name=scope,
                attrs={"Tcomponents": [v.dtype for v in vals], "timeout_ms": -1})

    def enqueue_many(self, vals: Any, name: Optional[str] = None) -> _ops.Operation:
        """Enqueues zero or more elements, sliced from dimension 0 of each component."""
        with _ops.name_scope(name, f"{self._name}_EnqueueMany", self._scope_vals(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            batch_dim = _ts.Dimension(None)
            for val, shape in zip(vals, self._shapes):
                s = val.shape
                if s.rank is not None and s.rank < 1:
                    raise ValueError(f"Shape must be at least rank 1 but is rank 0 for component of "
                                     f"'{self._name}_EnqueueMany' (a batch of elements)")
                if s.rank is not None:
                    batch_dim = batch_dim.merge_with(s[0])
                    _ts.TensorShape(s.as_list()[1:]).assert_is_compatible_with(shape)
            return self._queue_ref.graph.create_op(
                "QueueEnqueueManyV2", [self._queue_ref] + vals, name=scope,
                attrs={"Tcomponents": [v.dtype for v in vals], "timeout_ms": -1})

    def _dequeue_return_value(self, tensors: List[_ops.Tensor]) -> Any:
        if self._names:
            return {n: tensors[i] for i, n in enumerate(self._names)}
        if len(tensors) == 1:
            return tensors[0]
        return tensors

    def dequeue(self, name: Optional[str] = None) -> Any:
        """Dequeues one element; blocks while the queue is empty (OutOfRangeError once closed)."""
        if name is None:
            name = f"{self._name}_Dequeue"
        op = self._queue_ref.graph.create_op("QueueDequeueV2", [self._queue_ref], name=name,
                                             attrs={"component_types": self._dtypes, "timeout_ms": -1})
        for output, shape in zip(op.outputs, self._shapes):
            output.set_shape(shape)
        return self._dequeue_return_value(list(op.outputs))

    def _dequeue_n(self, op_type: str, n: Any, name: str, static_batch: bool) -> Any:
        n_t = _ops.convert_to_tensor(n, dtype=_dtypes.int32, name="n")
        op = self._queue_ref.graph.create_op(op_type, [self._queue_ref, n_t], name=name,
                                             attrs={"component_types": self._dtypes, "timeout_ms": -1})
        batch = None
        if static_batch:
            v = tensor_util.constant_value(n_t)
            batch = int(v) if v is not None and int(v) >= 0 else None
        for output, shape in zip(op.outputs, self._shapes):
            output.set_shape(_ts.TensorShape([batch]).concatenate(shape))
        return self._dequeue_return_value(list(op.outputs))

    def dequeue_many(self, n: Any, name: Optional[str] = None) -> Any:
        """Dequeues and concatenates ``n`` elements (OutOfRangeError when closed with fewer left)."""
        return self._dequeue_n("QueueDequeueManyV2", n, name or f"{self._name}_DequeueMany", True)

    def dequeue_up_to(self, n: Any, name: Optional[str] = None) -> Any:
        """Like dequeue_many, but a closed queue gives its remaining (< n, > 0) elements."""
        return self._dequeue_n("QueueDequeueUpToV2", n, name or f"{self._name}_DequeueUpTo", False)

    def close(self, cancel_pending_enqueues: bool = False, name: Optional[str] = None) -> _ops.Operation:
        """Closes the queue: later enqueues fail; dequeues drain what is left."""
        if name is None:
            name = f"{self._name}_Close"
        return self._queue_ref.graph.create_op("QueueCloseV2", [self._queue_ref], name=name,
                                               attrs={"cancel_pending_enqueues": bool(cancel_pending_enqueues)})

    def is_closed(self, name: Optional[str] = None) -> _ops.Tensor:
        """A bool scalar: whether the queue is closed."""
        if name is None:
            name = f"{self._name}_Is_Closed"
        return self._queue_ref.graph.create_op("QueueIsClosedV2", [self._queue_ref], name=name).outputs[0]

    def size(self, name: Optional[str] = None) -> _ops.Tensor:
        """An int32 scalar: the number of elements in the queue."""
        if name is None:
            name = f"{self._name}_Size"
        return self._queue_ref.graph.create_op("QueueSizeV2", [self._queue_ref], name=name).outputs[0]


class FIFOQueue(QueueBase):
    """A queue that dequeues elements in first-in first-out order."""

    def __init__(self, capacity: int, dtypes: Any, shapes: Any = None, names: Any = None,
                 shared_name: Optional[str] = None, name: str = "fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes)
        names = _as_name_list(names, dtypes)
        ref = _queue_op("FIFOQueueV2", name, {"component_types": dtypes, "shapes": shapes or [],
                                              "capacity": int(capacity), "shared_name": shared_name})
        super().__init__(dtypes, shapes, names, ref)


class PaddingFIFOQueue(QueueBase):
    """A FIFOQueue whose dequeue_many pads variable-size components to the batch's largest shape."""

    def __init__(self, capacity: int, dtypes: Any, shapes: Any, names: Any = None,
                 shared_name: Optional[str] = None, name: str = "padding_fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes, unknown_dim_allowed=True)
        names = _as_name_list(names, dtypes)
        if len(dtypes) != len(shapes):
            raise ValueError(f"Shapes must be provided for all components, but received {len(dtypes)} dtypes and "
                             f"{len(shapes)} shapes.")
        ref = _queue_op("PaddingFIFOQueueV2", name, {"component_types": dtypes, "shapes": shapes,
                                                     "capacity": int(capacity), "shared_name": shared_name})
        super().__init__(dtypes, shapes, names, ref)


class RandomShuffleQueue(QueueBase):
    """A queue that dequeues elements in random order, keeping at least ``min_after_dequeue`` until closed."""

    def __init__(self, capacity: int, min_after_dequeue: int, dtypes: Any, shapes: Any = None, names: Any = None,
                 seed: Optional[int] = None, shared_name: Optional[str] = None, name: str = "random_shuffle_queue"):
        from graphrt.ops import random_ops
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes)
        names = _as_name_list(names, dtypes)
        seed1, seed2 = random_ops.get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        elif seed is None and shared_name is not None:
            # A graph seed but no op seed: seed2 depends only on the graph seed and shared_name.
            seed2 = int(hashlib.md5((str(seed1) + shared_name).encode("utf-8")).hexdigest()[:8], 16) & 0x7FFFFFFF
        ref = _queue_op("RandomShuffleQueueV2", name, {
            "component_types": dtypes, "shapes": shapes or [], "capacity": int(capacity),
            "min_after_dequeue": int(min_after_dequeue), "seed": int(seed1), "seed2": int(seed2),
            "shared_name": shared_name})
        super().__init__(dtypes, shapes, names, ref)


class PriorityQueue(QueueBase):
    """A queue whose elements carry an int64 priority (component 0); the lowest priority dequeues first."""

    def __init__(self, capacity: int, types: Any, shapes: Any = None, names: Any = None,
                 shared_name: Optional[str] = None, name: str = "priority_queue"):
        types = _as_type_list(types)
        shapes = _as_shape_list(shapes, types)
        if shapes is None:
            if types:
                raise ValueError("PriorityQueue requires shapes for its components")
            shapes = []
        ref = _queue_op("PriorityQueueV2", name, {"component_types": types, "shapes": shapes,
                                                  "capacity": int(capacity), "shared_name": shared_name})
        priority_dtypes = [_dtypes.int64] + types
        priority_shapes = [_ts.scalar()] + list(shapes)
        super().__init__(priority_dtypes, priority_shapes, names, ref)


# ---- static shapes and dtypes ------------------------------------------------------------------

def _list_types(attr: str):
    def types(nd: Any, inputs: Sequence[Any]) -> List[_dtypes.DType]:
        return [_dtypes.as_dtype(t) for t in nd.attr[attr].list.type]
    return types


def _queue_element_shapes(handle: _ops.Tensor, n: int) -> List[_ts.TensorShape]:
    """Element shapes declared on the queue op behind `handle` (unknown when not visible)."""
    from graphrt.framework.ops import _shape_from_proto
    op = handle.op
    if op.type in _QUEUE_OPS and "shapes" in op._node_def.attr:
        shapes = [_shape_from_proto(s) for s in op._node_def.attr["shapes"].list.shape]
        if op.type == "PriorityQueueV2":
            shapes = [_ts.scalar()] + shapes
        if len(shapes) == n:
            return shapes
    return [_ts.unknown_shape() for _ in range(n)]


def _dequeue_shapes(op: Any) -> List[_ts.TensorShape]:
    return _queue_element_shapes(op.inputs[0], len(op.outputs))


def _dequeue_many_shapes(static_batch: bool):
    def shapes(op: Any) -> List[_ts.TensorShape]:
        batch = None
        if static_batch:
            v = tensor_util.constant_value(op.inputs[1])
            batch = int(v) if v is not None and int(v) >= 0 else None
        return [_ts.TensorShape([batch]).concatenate(s) for s in _queue_element_shapes(op.inputs[0], len(op.outputs))]
    return shapes


def _scalar_handle_input(op: Any) -> None:
    s = op.inputs[0].shape
    if s.rank is not None and s.rank != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {s.rank} for '{op.name}' (op: '{op.type}')")


def _no_output_shapes(op: Any) -> List[_ts.TensorShape]:
    _scalar_handle_input(op)
    return []


for _op in _QUEUE_OPS:
    op_registry.register(_op, op_registry.fixed_type(_dtypes.resource), op_registry.scalar_shape)
for _op in ("QueueEnqueueV2", "QueueEnqueueManyV2", "QueueCloseV2"):
    op_registry.register(_op, op_registry.no_outputs, _no_output_shapes)
op_registry.register("QueueDequeueV2", _list_types("component_types"), _dequeue_shapes)
op_registry.register("QueueDequeueManyV2", _list_types("component_types"), _dequeue_many_shapes(True))
op_registry.register("QueueDequeueUpToV2", _list_types("component_types"), _dequeue_many_shapes(False))
op_registry.register("QueueSizeV2", op_registry.fixed_type(_dtypes.int32), op_registry.scalar_shape)
op_registry.register("QueueIsClosedV2", op_registry.fixed_type(_dtypes.bool), op_registry.scalar_shape)
