"""Readers (TF1 ``tf.TextLineReader``, ``tf.FixedLengthRecordReader``, ``tf.WholeFileReader``).

A reader is a session resource that takes filenames (work units) from a string queue and produces
(key, value) records read from the files on disk.
"""
from __future__ import annotations

import collections
from typing import Any, List, Optional

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts

__all__ = ["ReaderBase", "TextLineReader", "FixedLengthRecordReader", "WholeFileReader"]

ReaderReadV2 = collections.namedtuple("ReaderReadV2", ["key", "value"])
ReaderReadUpToV2 = collections.namedtuple("ReaderReadUpToV2", ["keys", "values"])


def _queue_ref(queue: Any) -> _ops.Tensor:
    if isinstance(queue, _ops.Tensor):
        return queue
    return queue.queue_ref


class ReaderBase:
    """Base class for readers: ``read``/``read_up_to`` records from files named by a string queue."""

    def __init__(self, reader_ref: _ops.Tensor, supports_serialize: bool = False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self) -> _ops.Tensor:
        """Op that implements the reader."""
        return self._reader_ref

    @property
    def supports_serialize(self) -> bool:
        """Whether the Reader implementation can serialize its state."""
        return self._supports_serialize

    def read(self, queue: Any, name: Optional[str] = None) -> ReaderReadV2:
        """The next (key, value) record; dequeues a new filename from ``queue`` when a file is done."""
        op = self._reader_ref.graph.create_op("ReaderReadV2", [self._reader_ref, _queue_ref(queue)],
                                              name=name or "ReaderReadV2")
        return ReaderReadV2(*op.outputs)

    def read_up_to(self, queue: Any, num_records: Any, name: Optional[str] = None) -> ReaderReadUpToV2:
        """Up to ``num_records`` (keys, values); may return fewer at the end of a file."""
        n = _ops.convert_to_tensor(num_records, dtype=_dtypes.int64, name="num_records")
        op = self._reader_ref.graph.create_op("ReaderReadUpToV2", [self._reader_ref, _queue_ref(queue), n],
                                              name=name or "ReaderReadUpToV2")
        return ReaderReadUpToV2(*op.outputs)

    def num_records_produced(self, name: Optional[str] = None) -> _ops.Tensor:
        """The number of records this reader has produced (an int64 scalar)."""
        return self._reader_ref.graph.create_op("ReaderNumRecordsProducedV2", [self._reader_ref],
                                                name=name or "ReaderNumRecordsProducedV2").outputs[0]

    def num_work_units_completed(self, name: Optional[str] = None) -> _ops.Tensor:
        """The number of work units (files) this reader has finished (an int64 scalar)."""
        return self._reader_ref.graph.create_op("ReaderNumWorkUnitsCompletedV2", [self._reader_ref],
                                                name=name or "ReaderNumWorkUnitsCompletedV2").outputs[0]

    def reset(self, name: Optional[str] = None) -> _ops.Operation:
        """Restores the reader to its initial clean state."""
        return self._reader_ref.graph.create_op("ReaderResetV2", [self._reader_ref], name=name or "ReaderResetV2")


def _reader_op(op_type: str, name: Optional[str], attrs: dict) -> _ops.Tensor:
    attrs = dict(attrs, container="", shared_name="")
    return _ops.get_default_graph().create_op(op_type, [], name=name or op_type, attrs=attrs).outputs[0]


class TextLineReader(ReaderBase):
    """A reader that outputs the lines of a file delimited by newlines (key: ``filename:line_number``)."""

    def __init__(self, skip_header_lines: Optional[int] = None, name: Optional[str] = None):
        skip = 0 if skip_header_lines is None else int(skip_header_lines)
        super().__init__(_reader_op("TextLineReaderV2", name, {"skip_header_lines": skip}))


class FixedLengthRecordReader(ReaderBase):
    """A reader that outputs fixed-length records from a file (key: ``filename:record_index``)."""

    def __init__(self, record_bytes: int, header_bytes: Optional[int] = None, footer_bytes: Optional[int] = None,
                 hop_bytes: Optional[int] = None, name: Optional[str] = None, encoding: Optional[str] = None):
        attrs = {"record_bytes": int(record_bytes), "header_bytes": int(header_bytes or 0),
                 "footer_bytes": int(footer_bytes or 0), "hop_bytes": int(hop_bytes or 0),
                 "encoding": encoding or ""}
        super().__init__(_reader_op("FixedLengthRecordReaderV2", name, attrs))


class WholeFileReader(ReaderBase):
    """A reader that outputs the entire contents of a file as a value (key: the filename)."""

    def __init__(self, name: Optional[str] = None):
        super().__init__(_reader_op("WholeFileReaderV2", name, {}), supports_serialize=True)


def _rank0_inputs(op: Any) -> None:
    for i, t in enumerate(op.inputs[:2]):
        if t.shape.rank is not None and t.shape.rank != 0:
            raise ValueError(f"Shape must be rank 0 but is rank {t.shape.rank} for '{op.name}' (op: '{op.type}')")


def _read_shapes(op: Any) -> List[_ts.TensorShape]:
    _rank0_inputs(op)
    return [_ts.scalar(), _ts.scalar()]


def _read_up_to_shapes(op: Any) -> List[_ts.TensorShape]:
    _rank0_inputs(op)
    return [_ts.TensorShape([None]), _ts.TensorShape([None])]


for _op in ("TextLineReaderV2", "FixedLengthRecordReaderV2", "WholeFileReaderV2"):
    op_registry.register(_op, op_registry.fixed_type(_dtypes.resource), op_registry.scalar_shape)
op_registry.register("ReaderReadV2", lambda nd, inputs: [_dtypes.string, _dtypes.string], _read_shapes)
op_registry.register("ReaderReadUpToV2", lambda nd, inputs: [_dtypes.string, _dtypes.string], _read_up_to_shapes)
for _op in ("ReaderNumRecordsProducedV2", "ReaderNumWorkUnitsCompletedV2"):
    op_registry.register(_op, op_registry.fixed_type(_dtypes.int64), op_registry.scalar_shape)
op_registry.register("ReaderResetV2", op_registry.no_outputs, lambda op: [])
