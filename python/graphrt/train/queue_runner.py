"""``tf.train.QueueRunner``, ``add_queue_runner``, ``start_queue_runners`` (TF1 semantics)."""
from __future__ import annotations

import logging
import threading
import weakref
from typing import Any, List, Optional, Sequence

from graphrt.framework import errors
from graphrt.framework import ops as _ops

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]

_log = logging.getLogger("graphrt")


class QueueRunner:
    """Holds a list of enqueue ops for a queue, each to be run in its own thread.

    When an enqueue op raises one of ``queue_closed_exception_types`` (OutOfRangeError: its input
    ran out), its thread ends; the last thread to end closes the queue. Other errors are reported to
    the coordinator (or recorded in ``exceptions_raised`` without one)."""

    def __init__(self, queue: Any = None, enqueue_ops: Optional[Sequence[Any]] = None, close_op: Any = None,
                 cancel_op: Any = None, queue_closed_exception_types: Optional[Sequence[type]] = None,
                 queue_runner_def: Any = None, import_scope: Optional[str] = None):
        if queue_runner_def is not None:
            raise NotImplementedError("QueueRunner from a QueueRunnerDef is not supported")
        if not queue or not enqueue_ops:
            raise ValueError("Must provide queue and enqueue_ops.")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op
        self._cancel_op = cancel_op
        if queue_closed_exception_types is not None:
            if not isinstance(queue_closed_exception_types, tuple) or not queue_closed_exception_types or not all(
                    issubclass(t, errors.OpError) for t in queue_closed_exception_types):
                raise TypeError(f"queue_closed_exception_types, when provided, must be a tuple of tf.error types, but "
                                f"saw: {queue_closed_exception_types}")
        self._queue_closed_exception_types = tuple(queue_closed_exception_types or (errors.OutOfRangeError,))
        if self._close_op is None:
            self._close_op = self._queue.close()
        if self._cancel_op is None:
            self._cancel_op = self._queue.close(cancel_pending_enqueues=True)
        self._lock = threading.Lock()
        self._runs_per_session: "weakref.WeakKeyDictionary[Any, int]" = weakref.WeakKeyDictionary()
        self._exceptions_raised: List[BaseException] = []

    @property
    def queue(self) -> Any:
        return self._queue

    @property
    def enqueue_ops(self) -> List[Any]:
        return self._enqueue_ops

    @property
    def close_op(self) -> Any:
        return self._close_op

    @property
    def cancel_op(self) -> Any:
        return self._cancel_op

    @property
    def queue_closed_exception_types(self) -> tuple:
        return self._queue_closed_exception_types

    @property
    def exceptions_raised(self) -> List[BaseException]:
        """Exceptions raised but not handled by the QueueRunner threads (when run without a coordinator)."""
        return self._exceptions_raised

    @property
    def name(self) -> str:
        """The string name of the underlying Queue."""
        return self._queue.name

    def _run(self, sess: Any, enqueue_op: Any, coord: Any = None) -> None:
        decremented = False
        try:
            enqueue_callable = sess.make_callable(enqueue_op)
            while True:
                if coord and coord.should_stop():
                    break
                try:
                    enqueue_callable()
                except self._queue_closed_exception_types:
                    # The input ran out: the last thread closes the queue.
                    with self._lock:
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        if self._runs_per_session[sess] == 0:
                            try:
                                sess.run(self._close_op)
                            except Exception as e:  # noqa: BLE001 - TF ignores errors closing the queue
                                _log.debug("Ignored exception: %s", e)
                        return
        except Exception as e:  # noqa: BLE001
            if coord:
                coord.request_stop(e)
            else:
                _log.error("Exception in QueueRunner: %s", e)
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def _close_on_stop(self, sess: Any, cancel_op: Any, coord: Any) -> None:
        coord.wait_for_stop()
        try:
            sess.run(cancel_op)
        except Exception as e:  # noqa: BLE001
            _log.debug("Ignored exception: %s", e)

    def create_threads(self, sess: Any, coord: Any = None, daemon: bool = False,
                       start: bool = False) -> List[threading.Thread]:
        """Threads running the enqueue ops (plus one closing the queue when ``coord`` stops); none
        if threads of this runner are already running for ``sess``."""
        with self._lock:
            try:
                if self._runs_per_session[sess] > 0:
                    return []
            except KeyError:
                pass
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        ret_threads = []
        for op in self._enqueue_ops:
            name = f"QueueRunnerThread-{self.name}-{op.name}"
            ret_threads.append(threading.Thread(target=self._run, args=(sess, op, coord), name=name))
        if coord:
            name = f"QueueRunnerThread-{self.name}-close_on_stop"
            ret_threads.append(threading.Thread(target=self._close_on_stop, args=(sess, self._cancel_op, coord),
                                                name=name))
        for t in ret_threads:
            if coord:
                coord.register_thread(t)
            if daemon:
                t.daemon = True
            if start:
                t.start()
        return ret_threads


def add_queue_runner(qr: QueueRunner, collection: str = _ops.GraphKeys.QUEUE_RUNNERS) -> None:
    """Adds a QueueRunner to a collection in the graph (QUEUE_RUNNERS by default)."""
    _ops.add_to_collection(collection, qr)


def start_queue_runners(sess: Any = None, coord: Any = None, daemon: bool = True, start: bool = True,
                        collection: str = _ops.GraphKeys.QUEUE_RUNNERS) -> List[threading.Thread]:
    """Starts all queue runners collected in the graph; returns their threads."""
    from graphrt.client import session as _session
    if sess is None:
        sess = _session.get_default_session()
        if not sess:
            raise ValueError("Cannot start queue runners: No default session is registered. Use `with "
                             "sess.as_default()` or pass an explicit session to tf.start_queue_runners(sess=sess)")
    if not isinstance(sess, _session.BaseSession):
        if sess.__class__.__name__ in ("MonitoredSession", "SingularMonitoredSession"):
            return []
        raise TypeError(f"sess must be a `tf.Session` object. Given class: {sess.__class__}")
    queue_runners = sess.graph.get_collection(collection)
    if not queue_runners:
        _log.warning("`tf.train.start_queue_runners()` was called when no queue runners were defined. You can "
                     "safely remove the call to this deprecated function.")
    threads: List[threading.Thread] = []
    with sess.graph.as_default():
        for qr in queue_runners:
            threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
