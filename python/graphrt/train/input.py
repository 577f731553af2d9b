"""Input pipelines (TF1 ``tf.train.*``): input producers feeding filename/slice queues, epoch limits,
and batching through queues filled by QueueRunner threads."""
from __future__ import annotations

from typing import Any, List, Optional, Sequence

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util
from graphrt.ops import data_flow_ops
from graphrt.train import queue_runner

__all__ = ["limit_epochs", "input_producer", "string_input_producer", "range_input_producer", "maybe_batch",
           "slice_input_producer", "batch", "shuffle_batch", "batch_join", "shuffle_batch_join"]


def _count_up_to(var: Any, limit: int, name: Optional[str] = None) -> _ops.Tensor:
    """``var.count_up_to(limit)`` for a resource variable: its value before incrementing; OutOfRangeError
    once the value reached ``limit``."""
    return var.handle.graph.create_op("ResourceCountUpTo", [var.handle], name=name or "ResourceCountUpTo",
                                      attrs={"limit": int(limit), "T": var.dtype}).outputs[0]


op_registry.register("ResourceCountUpTo", op_registry.attr_type("T"), op_registry.scalar_shape)


def limit_epochs(tensor: Any, num_epochs: Optional[int] = None, name: Optional[str] = None) -> _ops.Tensor:
    """Returns ``tensor`` ``num_epochs`` times, then raises OutOfRangeError (a local-variable counter:
    run ``tf.local_variables_initializer()`` first)."""
    from graphrt.ops import array_ops
    from graphrt.ops.variables import Variable
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    with _ops.name_scope(name, "limit_epochs", [tensor]) as scope:
        zero64 = _ops.convert_to_tensor(0, dtype=_dtypes.int64)
        epochs = Variable(zero64, name="epochs", trainable=False, collections=[_ops.GraphKeys.LOCAL_VARIABLES])
        counter = _count_up_to(epochs, num_epochs)
        with _ops.control_dependencies([counter]):
            return array_ops.identity(tensor, name=scope)


def input_producer(input_tensor: Any, element_shape: Any = None, num_epochs: Optional[int] = None,
                   shuffle: bool = True, seed: Optional[int] = None, capacity: int = 32,
                   shared_name: Optional[str] = None, summary_name: Optional[str] = None, name: Optional[str] = None,
                   cancel_op: Any = None) -> data_flow_ops.FIFOQueue:
    """A FIFOQueue filled with the rows of ``input_tensor`` (shuffled per epoch) by a QueueRunner."""
    from graphrt.ops import random_ops
    del summary_name  # summaries are not part of graphrt
    with _ops.name_scope(name, "input_producer", [input_tensor]):
        input_tensor = _ops.convert_to_tensor(input_tensor, name="input_tensor")
        rows = input_tensor.shape
        row_shape = _ts.unknown_shape() if rows.rank is None else _ts.TensorShape(rows.as_list()[1:])
        element_shape = row_shape.merge_with(_ts.as_shape(element_shape)) if element_shape is not None else row_shape
        if not element_shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or `element_shape` must be specified")
        if shuffle:
            input_tensor = random_ops.random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        q = data_flow_ops.FIFOQueue(capacity=capacity, dtypes=[input_tensor.dtype], shapes=[element_shape],
                                    shared_name=shared_name, name=name)
        enq = q.enqueue_many([input_tensor])
        queue_runner.add_queue_runner(queue_runner.QueueRunner(q, [enq], cancel_op=cancel_op))
        return q


def string_input_producer(string_tensor: Any, num_epochs: Optional[int] = None, shuffle: bool = True,
                          seed: Optional[int] = None, capacity: int = 32, shared_name: Optional[str] = None,
                          name: Optional[str] = None, cancel_op: Any = None) -> data_flow_ops.FIFOQueue:
    """A queue of the strings (filenames) in ``string_tensor``, for a reader; see input_producer."""
    from graphrt.ops import array_ops, debug_ops, math_ops
    not_null_err = "string_input_producer requires a non-null input tensor"
    if not isinstance(string_tensor, _ops.Tensor) and not len(string_tensor):
        raise ValueError(not_null_err)
    with _ops.name_scope(name, "input_producer", [string_tensor]) as scope:
        string_tensor = _ops.convert_to_tensor(string_tensor, dtype=_dtypes.string)
        with _ops.control_dependencies([debug_ops.Assert(math_ops.greater(array_ops.size(string_tensor), 0),
                                                         [not_null_err])]):
            string_tensor = array_ops.identity(string_tensor)
        return input_producer(input_tensor=string_tensor, element_shape=[], num_epochs=num_epochs, shuffle=shuffle,
                              seed=seed, capacity=capacity, shared_name=shared_name, name=scope, cancel_op=cancel_op)


def range_input_producer(limit: Any, num_epochs: Optional[int] = None, shuffle: bool = True,
                         seed: Optional[int] = None, capacity: int = 32, shared_name: Optional[str] = None,
                         name: Optional[str] = None) -> data_flow_ops.FIFOQueue:
    """A queue of the integers 0 .. limit-1 (int32); see input_producer."""
    from graphrt.ops import array_ops
    with _ops.name_scope(name, "input_producer", [limit]) as scope:
        range_tensor = array_ops.range(limit)
        return input_producer(range_tensor, [], num_epochs, shuffle, seed, capacity, shared_name, name=scope)


def slice_input_producer(tensor_list: Sequence[Any], num_epochs: Optional[int] = None, shuffle: bool = True,
                         seed: Optional[int] = None, capacity: int = 32, shared_name: Optional[str] = None,
                         name: Optional[str] = None) -> List[_ops.Tensor]:
    """One row of every tensor in ``tensor_list`` at a time (the same row index for all)."""
    from graphrt.ops import array_ops, indexing_ops
    with _ops.name_scope(name, "input_producer", list(tensor_list)):
        tensor_list = [_ops.convert_to_tensor(t) for t in tensor_list]
        if not tensor_list:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        range_size = array_ops.shape(tensor_list[0])[0]
        queue = range_input_producer(range_size, num_epochs=num_epochs, shuffle=shuffle, seed=seed,
                                     capacity=capacity, shared_name=shared_name)
        index = queue.dequeue()
        return [indexing_ops.gather(t, index) for t in tensor_list]


# ---- batching ----------------------------------------------------------------------------------

def _as_tensor_list(tensors: Any) -> List[Any]:
    if isinstance(tensors, dict):
        return [tensors[k] for k in sorted(tensors, key=str)]
    if isinstance(tensors, (list, tuple)):
        return list(tensors)
    return [tensors]


def _as_original_type(original: Any, dequeued: Any) -> Any:
    if isinstance(original, dict):
        if len(original) == 1:
            dequeued = [dequeued]  # a one-component queue dequeues a single tensor
        return {k: dequeued[i] for i, k in enumerate(sorted(original, key=str))}
    return dequeued


def _validate(tensor_list: Sequence[Any], what: str = "batch()") -> List[_ops.Tensor]:
    tensor_list = [_ops.convert_to_tensor(t) for t in tensor_list]
    if not tensor_list:
        raise ValueError(f"Expected at least one tensor in {what}.")
    return tensor_list


def _validate_join(tensor_list_list: Sequence[Any]) -> List[List[_ops.Tensor]]:
    tll = [[_ops.convert_to_tensor(t) for t in tl] for tl in tensor_list_list]
    if not tll:
        raise ValueError("Expected at least one input in batch_join().")
    return tll


def _dtypes_of(tensor_list_list: Sequence[Sequence[_ops.Tensor]]) -> List[_dtypes.DType]:
    types = [t.dtype for t in tensor_list_list[0]]
    for other in tensor_list_list[1:]:
        if len(other) != len(types):
            raise ValueError("Expected every tensor list to have the same length: %d vs %d" % (len(types), len(other)))
        if [t.dtype for t in other] != types:
            raise TypeError("Expected types to be consistent: %s vs. %s." % (
                ", ".join(x.name for x in types), ", ".join(t.dtype.name for t in other)))
    return types


def _shapes(tensor_list_list: Sequence[Sequence[_ops.Tensor]], shapes: Any, enqueue_many: bool) -> List[Any]:
    if shapes is not None:
        return shapes
    n = len(tensor_list_list[0])
    for tl in tensor_list_list:
        for i in range(n):
            if tl[i].shape.rank is None:
                raise ValueError(f"Cannot infer Tensor's rank: {tl[i]}")
    out = []
    for i in range(n):
        merged = None
        for tl in tensor_list_list:
            s = tl[i].shape
            if enqueue_many:
                if s.rank < 1:
                    raise ValueError(f"Shape must be at least rank 1 with enqueue_many=True: {tl[i]}")
                s = _ts.TensorShape(s.as_list()[1:])
            merged = s if merged is None else merged.merge_with(s)
        out.append(merged)
    return out


def _enqueue_ops(queue: Any, tensor_list: List[_ops.Tensor], enqueue_many: bool, keep_input: Any) -> Any:
    from graphrt.ops import array_ops, indexing_ops, math_ops
    if isinstance(keep_input, bool) and keep_input:
        keep = True
    else:
        keep_t = _ops.convert_to_tensor(keep_input, dtype=_dtypes.bool, name="keep_input")
        v = tensor_util.constant_value(keep_t)
        keep = bool(v) if v is not None and v.ndim == 0 and bool(v) else keep_t
    if keep is True:
        return queue.enqueue_many(tensor_list) if enqueue_many else queue.enqueue(tensor_list)
    if enqueue_many:
        raise NotImplementedError("keep_input that is not constant True is supported only with enqueue_many=False")
    if keep.shape.rank is not None and keep.shape.rank != 0:
        raise ValueError(f"keep_input must be a scalar when enqueue_many=False, got shape {keep.shape}")
    # A batch of one (kept) or zero (dropped) elements.
    indices = array_ops.range(math_ops.cast(keep, _dtypes.int32))
    return queue.enqueue_many([indexing_ops.gather(array_ops.expand_dims(t, 0), indices) for t in tensor_list])


def _batch_impl(tensor_list_list: List[List[_ops.Tensor]], original: Any, batch_size: Any, queue: Any,
                enqueue_many: bool, keep_input: Any, threads_per_list: int, allow_smaller_final_batch: bool,
                name: str) -> Any:
    enqueue_ops = []
    for tl in tensor_list_list:
        op = _enqueue_ops(queue, tl, enqueue_many, keep_input)
        enqueue_ops.extend([op] * threads_per_list)
    queue_runner.add_queue_runner(queue_runner.QueueRunner(queue, enqueue_ops))
    if allow_smaller_final_batch:
        dequeued = queue.dequeue_up_to(batch_size, name=name)
    else:
        dequeued = queue.dequeue_many(batch_size, name=name)
    return _as_original_type(original, dequeued)


def batch(tensors: Any, batch_size: Any, num_threads: int = 1, capacity: int = 32, enqueue_many: bool = False,
          shapes: Any = None, dynamic_pad: bool = False, allow_smaller_final_batch: bool = False,
          shared_name: Optional[str] = None, name: Optional[str] = None) -> Any:
    """Batches ``tensors`` through a FIFOQueue (PaddingFIFOQueue with dynamic_pad) filled by
    ``num_threads`` QueueRunner threads."""
    return _batch(tensors, batch_size, True, num_threads, capacity, enqueue_many, shapes, dynamic_pad,
                  allow_smaller_final_batch, shared_name, name)


def maybe_batch(tensors: Any, keep_input: Any, batch_size: Any, num_threads: int = 1, capacity: int = 32,
                enqueue_many: bool = False, shapes: Any = None, dynamic_pad: bool = False,
                allow_smaller_final_batch: bool = False, shared_name: Optional[str] = None,
                name: Optional[str] = None) -> Any:
    """Like batch, enqueuing only when ``keep_input`` is true."""
    return _batch(tensors, batch_size, keep_input, num_threads, capacity, enqueue_many, shapes, dynamic_pad,
                  allow_smaller_final_batch, shared_name, name)


def _batch(tensors: Any, batch_size: Any, keep_input: Any, num_threads: int, capacity: int, enqueue_many: bool,
           shapes: Any, dynamic_pad: bool, allow_smaller_final_batch: bool, shared_name: Optional[str],
           name: Optional[str]) -> Any:
    tensor_list = _as_tensor_list(tensors)
    with _ops.name_scope(name, "batch", [t for t in tensor_list if isinstance(t, _ops.Tensor)]) as scope:
        tensor_list = _validate(tensor_list)
        types = _dtypes_of([tensor_list])
        shapes = _shapes([tensor_list], shapes, enqueue_many)
        if dynamic_pad:
            queue = data_flow_ops.PaddingFIFOQueue(capacity=capacity, dtypes=types, shapes=shapes,
                                                   shared_name=shared_name)
        else:
            queue = data_flow_ops.FIFOQueue(capacity=capacity, dtypes=types, shapes=shapes, shared_name=shared_name)
        return _batch_impl([tensor_list], tensors, batch_size, queue, enqueue_many, keep_input, num_threads,
                           allow_smaller_final_batch, scope)


def batch_join(tensors_list: Sequence[Any], batch_size: Any, capacity: int = 32, enqueue_many: bool = False,
               shapes: Any = None, dynamic_pad: bool = False, allow_smaller_final_batch: bool = False,
               shared_name: Optional[str] = None, name: Optional[str] = None) -> Any:
    """Batches from several tensor lists (one enqueueing thread each) into one FIFOQueue."""
    tensor_list_list = [_as_tensor_list(t) for t in tensors_list]
    with _ops.name_scope(name, "batch_join", [t for tl in tensor_list_list for t in tl
                                              if isinstance(t, _ops.Tensor)]) as scope:
        tensor_list_list = _validate_join(tensor_list_list)
        types = _dtypes_of(tensor_list_list)
        shapes = _shapes(tensor_list_list, shapes, enqueue_many)
        if dynamic_pad:
            queue = data_flow_ops.PaddingFIFOQueue(capacity=capacity, dtypes=types, shapes=shapes,
                                                   shared_name=shared_name)
        else:
            queue = data_flow_ops.FIFOQueue(capacity=capacity, dtypes=types, shapes=shapes, shared_name=shared_name)
        return _batch_impl(tensor_list_list, tensors_list[0], batch_size, queue, enqueue_many, True, 1,
                           allow_smaller_final_batch, scope)


def shuffle_batch(tensors: Any, batch_size: Any, capacity: int, min_after_dequeue: int, num_threads: int = 1,
                  seed: Optional[int] = None, enqueue_many: bool = False, shapes: Any = None,
                  allow_smaller_final_batch: bool = False, shared_name: Optional[str] = None,
                  name: Optional[str] = None) -> Any:
    """Batches ``tensors`` in random order through a RandomShuffleQueue filled by QueueRunner threads."""
    tensor_list = _as_tensor_list(tensors)
    with _ops.name_scope(name, "shuffle_batch", [t for t in tensor_list if isinstance(t, _ops.Tensor)]) as scope:
        if capacity <= min_after_dequeue:
            raise ValueError(f"capacity {capacity} must be bigger than min_after_dequeue {min_after_dequeue}.")
        tensor_list = _validate(tensor_list, "shuffle_batch()")
        types = _dtypes_of([tensor_list])
        shapes = _shapes([tensor_list], shapes, enqueue_many)
        queue = data_flow_ops.RandomShuffleQueue(capacity=capacity, min_after_dequeue=min_after_dequeue, seed=seed,
                                                 dtypes=types, shapes=shapes, shared_name=shared_name)
        return _batch_impl([tensor_list], tensors, batch_size, queue, enqueue_many, True, num_threads,
                           allow_smaller_final_batch, scope)


def shuffle_batch_join(tensors_list: Sequence[Any], batch_size: Any, capacity: int, min_after_dequeue: int,
                       seed: Optional[int] = None, enqueue_many: bool = False, shapes: Any = None,
                       allow_smaller_final_batch: bool = False, shared_name: Optional[str] = None,
                       name: Optional[str] = None) -> Any:
    """Shuffled batches from several tensor lists (one enqueueing thread each)."""
    tensor_list_list = [_as_tensor_list(t) for t in tensors_list]
    with _ops.name_scope(name, "shuffle_batch_join", [t for tl in tensor_list_list for t in tl
                                                      if isinstance(t, _ops.Tensor)]) as scope:
        if capacity <= min_after_dequeue:
            raise ValueError(f"capacity {capacity} must be bigger than min_after_dequeue {min_after_dequeue}.")
        tensor_list_list = _validate_join(tensor_list_list)
        types = _dtypes_of(tensor_list_list)
        shapes = _shapes(tensor_list_list, shapes, enqueue_many)
        queue = data_flow_ops.RandomShuffleQueue(capacity=capacity, min_after_dequeue=min_after_dequeue, seed=seed,
                                                 dtypes=types, shapes=shapes, shared_name=shared_name)
        return _batch_impl(tensor_list_list, tensors_list[0], batch_size, queue, enqueue_many, True, 1,
                           allow_smaller_final_batch, scope)
