"""``tf.train.Saver`` and the checkpoint-state helpers (``latest_checkpoint``, ``get_checkpoint_state``,
``checkpoint_exists``, ...).

A Saver builds its graph ops once, at construction: one ReadVariableOp per saved variable (a save is
one ``sess.run`` fetching them all) and one AssignVariableOp per variable fed from a placeholder,
grouped into ``restore_all`` (a restore is one ``sess.run`` of it). Saves and restores never add graph
nodes. The checkpoint file format and its atomic writer live in ``checkpoint_format``.
"""
from __future__ import annotations

import os
import re
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import errors
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework.protobuf import Field, Message
from graphrt.train import checkpoint_format as _fmt
from graphrt.train import meta_graph as _mg

__all__ = [
    "Saver",
    "CheckpointState",
    "latest_checkpoint",
    "get_checkpoint_state",
    "update_checkpoint_state",
    "checkpoint_exists",
    "get_checkpoint_mtimes",
    "remove_checkpoint",
    "NewCheckpointReader",
    "load_checkpoint",
    "load_variable",
    "list_variables",
]


# ---- the `checkpoint` state file ----------------------------------------------------------------

class CheckpointState(Message):
    """The content of the ``checkpoint`` state file (checkpoint_state.proto field numbers)."""
    FIELDS = (Field("model_checkpoint_path", 1, "string"),
              Field("all_model_checkpoint_paths", 2, "string", repeated=True),
              Field("all_model_checkpoint_timestamps", 3, "double", repeated=True),
              Field("last_preserved_timestamp", 4, "double"))


def _escape(s: str) -> str:
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)


_SIMPLE_ESCAPES = {"n": 10, "r": 13, "t": 9, "\\": 92, '"': 34, "'": 39, "a": 7, "b": 8, "f": 12, "v": 11}


def _unescape(body: str) -> str:
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(body):
            raise ValueError("dangling backslash")
        n = body[i + 1]
        if n in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[n])
            i += 2
        elif n in "01234567":
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(int(body[i + 1:j], 8) & 0xFF)
            i = j
        elif n == "x":
            j = i + 2
            while j < len(body) and j < i + 4 and body[j] in "0123456789abcdefABCDEF":
                j += 1
            if j == i + 2:
                raise ValueError("bad \\x escape")
            out.append(int(body[i + 2:j], 16))
            i = j
        else:
            raise ValueError(f"bad escape \\{n}")
    return out.decode("utf-8")


_LINE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([-+0-9.eEinfINFa-z]+))\s*$')


def _parse_state(text: str) -> CheckpointState:
    ckpt = CheckpointState()
    for line in text.splitlines():
        if not line.strip() or line.strip().startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError(f"cannot parse line {line!r}")
        key, sval, nval = m.group(1), m.group(2), m.group(3)
        if key == "model_checkpoint_path" and sval is not None:
            ckpt.model_checkpoint_path = _unescape(sval)
        elif key == "all_model_checkpoint_paths" and sval is not None:
            ckpt.all_model_checkpoint_paths.append(_unescape(sval))
        elif key == "all_model_checkpoint_timestamps" and nval is not None:
            ckpt.all_model_checkpoint_timestamps.append(float(nval))
        elif key == "last_preserved_timestamp" and nval is not None:
            ckpt.last_preserved_timestamp = float(nval)
        else:
            raise ValueError(f"unknown field in line {line!r}")
    return ckpt


def _format_state(ckpt: CheckpointState) -> str:
    lines = [f'model_checkpoint_path: "{_escape(ckpt.model_checkpoint_path)}"']
    lines += [f'all_model_checkpoint_paths: "{_escape(p)}"' for p in ckpt.all_model_checkpoint_paths]
    lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in ckpt.all_model_checkpoint_timestamps]
    if ckpt.HasField("last_preserved_timestamp"):
        lines.append(f"last_preserved_timestamp: {ckpt.last_preserved_timestamp!r}")
    return "\n".join(lines) + "\n"


def _state_filename(checkpoint_dir: str, latest_filename: Optional[str]) -> str:
    return os.path.join(checkpoint_dir, latest_filename or "checkpoint")


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths: Optional[Sequence[str]] = None,
                            latest_filename: Optional[str] = None,
                            all_model_checkpoint_timestamps: Optional[Sequence[float]] = None,
                            last_preserved_timestamp: Optional[float] = None,
                            save_relative_paths: bool = False) -> None:
    """``tf.train.update_checkpoint_state``: (atomically) rewrites the ``checkpoint`` state file of
    ``save_dir``. Paths are written absolute, or relative to ``save_dir`` with save_relative_paths."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)

    def fix(p: str) -> str:
        if save_relative_paths:
            return os.path.relpath(os.path.abspath(p), os.path.abspath(save_dir or "."))
        return os.path.abspath(p)

    state_file = _state_filename(save_dir, latest_filename)
    if os.path.normpath(os.path.abspath(state_file)) == os.path.normpath(os.path.abspath(model_checkpoint_path)):
        raise RuntimeError(f"Save path '{model_checkpoint_path}' conflicts with path used for checkpoint "
                           f"state.  Please use a different save path.")
    ckpt = CheckpointState(model_checkpoint_path=fix(model_checkpoint_path),
                           all_model_checkpoint_paths=[fix(p) for p in paths])
    if all_model_checkpoint_timestamps is not None:
        ckpt.all_model_checkpoint_timestamps.extend(float(t) for t in all_model_checkpoint_timestamps)
    if last_preserved_timestamp is not None:
        ckpt.last_preserved_timestamp = float(last_preserved_timestamp)
    _fmt.atomic_write(state_file, [_format_state(ckpt).encode("utf-8")])


def get_checkpoint_state(checkpoint_dir: str, latest_filename: Optional[str] = None) -> Optional[CheckpointState]:
    """``tf.train.get_checkpoint_state``: the parsed ``checkpoint`` file of ``checkpoint_dir`` (paths made
    absolute against the directory), or None when there is none or it cannot be parsed."""
    checkpoint_dir = os.fspath(checkpoint_dir)
    filename = _state_filename(checkpoint_dir, latest_filename)
    try:
        with open(filename, "rb") as f:
            text = f.read().decode("utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except UnicodeDecodeError:
        return None
    try:
        ckpt = _parse_state(text)
    except ValueError:
        return None  # TF logs the parse error and ignores the file
    if not ckpt.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from " + checkpoint_dir)
    if not os.path.isabs(ckpt.model_checkpoint_path):
        ckpt.model_checkpoint_path = os.path.join(checkpoint_dir, ckpt.model_checkpoint_path)
    fixed = [p if os.path.isabs(p) else os.path.join(checkpoint_dir, p) for p in ckpt.all_model_checkpoint_paths]
    del ckpt.all_model_checkpoint_paths[:]
    ckpt.all_model_checkpoint_paths.extend(fixed)
    return ckpt


def checkpoint_exists(checkpoint_prefix: str) -> bool:
    """``tf.train.checkpoint_exists``: whether a checkpoint with this prefix exists."""
    return os.path.isfile(_fmt.data_path(os.fspath(checkpoint_prefix)))


def latest_checkpoint(checkpoint_dir: str, latest_filename: Optional[str] = None) -> Optional[str]:
    """``tf.train.latest_checkpoint``: the prefix of the newest checkpoint recorded in ``checkpoint_dir``
    (to pass to ``Saver.restore``), or None."""
    ckpt = get_checkpoint_state(checkpoint_dir, latest_filename)
    if ckpt and ckpt.model_checkpoint_path and checkpoint_exists(ckpt.model_checkpoint_path):
        return ckpt.model_checkpoint_path
    return None


def get_checkpoint_mtimes(checkpoint_prefixes: Sequence[str]) -> List[float]:
    """``tf.train.get_checkpoint_mtimes``: modification times of the existing checkpoints."""
    out = []
    for p in checkpoint_prefixes:
        try:
            out.append(os.path.getmtime(_fmt.data_path(p)))
        except OSError:
            pass
    return out


def remove_checkpoint(checkpoint_prefix: str, checkpoint_format_version: int = 2,
                      meta_graph_suffix: str = "meta") -> None:
    """``tf.train.remove_checkpoint``: deletes a checkpoint's data and meta-graph files."""
    for path in (_fmt.data_path(checkpoint_prefix), f"{checkpoint_prefix}.{meta_graph_suffix}"):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


# ---- reading checkpoints without a graph ----------------------------------------------------------

class CheckpointReader:
    """``tf.train.NewCheckpointReader(prefix)``: reads the tensors of one checkpoint."""

    def __init__(self, prefix: str):
        self._prefix = os.fspath(prefix)
        self._tensors = _fmt.read_checkpoint(_fmt.data_path(self._prefix))

    def has_tensor(self, name: str) -> bool:
        return name in self._tensors

    def get_tensor(self, name: str) -> np.ndarray:
        if name not in self._tensors:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return self._tensors[name].copy()

    def get_variable_to_shape_map(self) -> Dict[str, List[int]]:
        return {k: list(v.shape) for k, v in self._tensors.items()}

    def get_variable_to_dtype_map(self) -> Dict[str, _dtypes.DType]:
        return {k: _fmt.dtype_of(v) for k, v in self._tensors.items()}

    def debug_string(self) -> bytes:
        return "".join(f"{k} ({_fmt.dtype_of(v).name}) {list(v.shape)}\n"
                       for k, v in sorted(self._tensors.items())).encode()


def NewCheckpointReader(filepattern: str) -> CheckpointReader:  # noqa: N802 - TF's name
    """``tf.train.NewCheckpointReader``: a reader for the checkpoint ``filepattern`` (a prefix)."""
    return CheckpointReader(filepattern)


def _checkpoint_filename(ckpt_dir_or_file: str) -> str:
    ckpt_dir_or_file = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(ckpt_dir_or_file):
        latest = latest_checkpoint(ckpt_dir_or_file)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {ckpt_dir_or_file}")
        return latest
    return ckpt_dir_or_file


def load_checkpoint(ckpt_dir_or_file: str) -> CheckpointReader:
    """``tf.train.load_checkpoint``: a reader for a checkpoint prefix or the latest one of a directory."""
    return CheckpointReader(_checkpoint_filename(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file: str, name: str) -> np.ndarray:
    """``tf.train.load_variable``: one tensor of a checkpoint."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file: str) -> List[Tuple[str, List[int]]]:
    """``tf.train.list_variables``: sorted (name, shape) pairs of a checkpoint."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(k, shapes[k]) for k in sorted(shapes)]


# ---- Saver ----------------------------------------------------------------------------------------

def _var_list_to_dict(var_list: Any) -> Dict[str, Any]:
    from graphrt.ops.variables import Variable
    if isinstance(var_list, dict):
        items = list(var_list.items())
        seen = set()
        out: Dict[str, Any] = {}
        for key, var in items:
            if not isinstance(key, str):
                raise TypeError(f"Checkpoint keys must be strings, got {key!r}")
            if not isinstance(var, Variable):
                raise TypeError(f"Variable to save is not a Variable: {var}")
            if id(var) in seen:
                raise ValueError(f"The same saveable will be restored with two names: {var}")
            seen.add(id(var))
            out[key] = var
        return out
    if not isinstance(var_list, (list, tuple, set)):
        raise TypeError(f"Variables to save should be passed in a dict or a list: {var_list}")
    out = {}
    for var in var_list:
        if not isinstance(var, Variable):
            raise TypeError(f"Variable to save is not a Variable: {var}")
        key = var.op.name
        if key in out:
            if out[key] is var:
                continue
            raise ValueError(f"At least two variables have the same name: {key}")
        out[key] = var
    return out


class _Entry:
    __slots__ = ("key", "read", "feed", "dtype", "shape")

    def __init__(self, key: str, read: _ops.Tensor, feed: _ops.Tensor, dtype: _dtypes.DType,
                 shape: _ts.TensorShape):
        self.key, self.read, self.feed, self.dtype, self.shape = key, read, feed, dtype, shape


class Saver:
    """``tf.train.Saver``: saves and restores variables to and from checkpoints."""

    def __init__(self, var_list: Any = None, reshape: bool = False, sharded: bool = False, max_to_keep: int = 5,
                 keep_checkpoint_every_n_hours: float = 10000.0, name: Optional[str] = None,
                 restore_sequentially: bool = False, saver_def: Any = None, builder: Any = None,
                 defer_build: bool = False, allow_empty: bool = False, write_version: int = 2,
                 pad_step_number: bool = False, save_relative_paths: bool = False, filename: Optional[str] = None):
        if defer_build and var_list:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either set defer_build=False "
                             "or var_list=None.")
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._saver_def = saver_def
        self._allow_empty = allow_empty
        self._write_version = write_version
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._filename = filename
        self._is_built = False
        self._is_empty = False
        self._entries: List[_Entry] = []
        self._restore_op: Optional[_ops.Operation] = None
        self._graph: Optional[_ops.Graph] = None
        self._last_checkpoints: List[Tuple[str, float]] = []
        self._checkpoints_to_be_deleted: List[Tuple[str, float]] = []
        self._next_checkpoint_time = time.time() + keep_checkpoint_every_n_hours * 3600
        if saver_def is not None:
            self._build_from_saver_def(saver_def)
        elif not defer_build:
            self.build()

    # -- building --
    def build(self) -> None:
        """Builds the save/restore ops (once)."""
        if self._is_built:
            return
        from graphrt.ops import array_ops, control_flow_ops
        from graphrt.ops import resource_variable_ops as _rv
        var_list = self._var_list
        if var_list is None:
            g = _ops.get_default_graph()
            from graphrt.ops.variables import Variable
            var_list = list(g.get_collection(_ops.GraphKeys.GLOBAL_VARIABLES))
            var_list += [v for v in g.get_collection(_ops.GraphKeys.SAVEABLE_OBJECTS)
                         if isinstance(v, Variable) and v not in var_list]
        named = _var_list_to_dict(var_list)
        if not named:
            if self._allow_empty:
                self._is_empty = True
                self._is_built = True
                return
            raise ValueError("No variables to save")
        graphs = {v.graph for v in named.values()}
        if len(graphs) != 1:
            raise ValueError("All variables of a Saver must be in the same graph")
        graph = graphs.pop()
        sd = _mg.SaverDef()
        with graph.as_default(), graph.name_scope(self._name or "save"), graph.control_dependencies(None):
            assigns = []
            for key in sorted(named):
                v = named[key]
                read = _rv.read_variable_op(v.handle, v.dtype, name="read")
                read.set_shape(v.shape)
                feed = array_ops.placeholder(v.dtype, shape=v.shape, name="restore_value")
                assigns.append(_rv.assign_variable_op(v.handle, feed, name="restore_assign"))
                self._entries.append(_Entry(key, read, feed, v.dtype, _ts.as_shape(v.shape)))
                sd.graphrt_entries.add(key=key, read_tensor_name=read.name, feed_tensor_name=feed.name)
            self._restore_op = control_flow_ops.group(*assigns, name="restore_all")
        self._graph = graph
        sd.restore_op_name = self._restore_op.name
        sd.max_to_keep = int(self._max_to_keep or 0)
        sd.sharded = bool(self._sharded)
        sd.keep_checkpoint_every_n_hours = float(self._keep_checkpoint_every_n_hours)
        sd.version = _mg.SaverDef.V2
        self._saver_def = sd
        self._is_built = True

    def _build_from_saver_def(self, saver_def: Any) -> None:
        graph = _ops.get_default_graph()
        entries = list(saver_def.graphrt_entries)
        if not entries:
            raise ValueError("This SaverDef has no graphrt save entries (not written by a graphrt Saver)")
        for e in entries:
            read = graph.as_graph_element(e.read_tensor_name, allow_tensor=True, allow_operation=False)
            feed = graph.as_graph_element(e.feed_tensor_name, allow_tensor=True, allow_operation=False)
            self._entries.append(_Entry(e.key, read, feed, feed.dtype, feed.shape))
        self._restore_op = graph.as_graph_element(saver_def.restore_op_name, allow_tensor=False,
                                                  allow_operation=True)
        self._graph = graph
        if saver_def.max_to_keep or not self._max_to_keep:
            self._max_to_keep = saver_def.max_to_keep
        if saver_def.HasField("keep_checkpoint_every_n_hours"):
            self._keep_checkpoint_every_n_hours = saver_def.keep_checkpoint_every_n_hours
            self._next_checkpoint_time = time.time() + self._keep_checkpoint_every_n_hours * 3600
        self._is_built = True

    # -- properties --
    @property
    def saver_def(self) -> Any:
        return self._saver_def

    def as_saver_def(self) -> Any:
        """The SaverDef describing this Saver's ops."""
        return self._saver_def

    def to_proto(self, export_scope: Optional[str] = None) -> Any:
        return self._saver_def

    @staticmethod
    def from_proto(saver_def: Any, import_scope: Optional[str] = None) -> "Saver":
        return Saver(saver_def=saver_def, name=import_scope)

    @property
    def last_checkpoints(self) -> List[str]:
        """The prefixes of the checkpoints kept, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints: Sequence[str]) -> None:
        if not isinstance(last_checkpoints, (list, tuple)):
            raise TypeError("last_checkpoints must be a list or tuple")
        self._last_checkpoints = [(p, 0.0) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time: Sequence[Tuple[str, float]]) -> None:
        self._last_checkpoints = [(p, float(t)) for p, t in last_checkpoints_with_time]

    def recover_last_checkpoints(self, checkpoint_paths: Sequence[str]) -> None:
        """Takes over existing checkpoints (e.g. from ``get_checkpoint_state``) for max_to_keep pruning."""
        paths = [p for p in checkpoint_paths if checkpoint_exists(p)]
        self.set_last_checkpoints_with_time(list(zip(paths, get_checkpoint_mtimes(paths))))

    # -- saving --
    def _record_last_checkpoint(self, path: str) -> None:
        if not self._max_to_keep:
            return
        self._last_checkpoints = [p for p in self._last_checkpoints if p[0] != path]
        self._last_checkpoints.append((path, time.time()))
        while len(self._last_checkpoints) > self._max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix: str) -> None:
        while self._checkpoints_to_be_deleted:
            path, t = self._checkpoints_to_be_deleted.pop(0)
            if t > self._next_checkpoint_time:
                self._next_checkpoint_time += self._keep_checkpoint_every_n_hours * 3600
                continue
            remove_checkpoint(path, meta_graph_suffix=meta_graph_suffix)

    def save(self, sess: Any, save_path: str, global_step: Any = None, latest_filename: Optional[str] = None,
             meta_graph_suffix: str = "meta", write_meta_graph: bool = True, write_state: bool = True,
             strip_default_attrs: bool = False, save_debug_info: bool = False) -> Optional[str]:
        """Saves the variables to ``save_path[-global_step]``; returns that checkpoint prefix."""
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                from graphrt.train.training_util import global_step as _read_step
                global_step = _read_step(sess, global_step)
            fmt = "%s-%08d" if self._pad_step_number else "%s-%d"
            checkpoint_file = fmt % (save_path, int(global_step))
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(f"'latest_filename' collides with 'save_path': '{latest_filename}' and "
                                 f"'{save_path}'")
        if not hasattr(sess, "run"):
            raise TypeError(f"'sess' must be a Session; {sess}")
        if self._is_empty:
            return None
        save_dir = os.path.dirname(save_path)
        if save_dir and not os.path.isdir(save_dir):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
        values = sess.run([e.read for e in self._entries])
        _fmt.write_checkpoint(_fmt.data_path(checkpoint_file),
                              {e.key: (e.dtype, val) for e, val in zip(self._entries, values)})
        if write_meta_graph:
            self.export_meta_graph(f"{checkpoint_file}.{meta_graph_suffix}", strip_default_attrs=strip_default_attrs)
        if write_state:
            self._record_last_checkpoint(checkpoint_file)
            update_checkpoint_state(save_dir, checkpoint_file, self.last_checkpoints, latest_filename,
                                    all_model_checkpoint_timestamps=[t for _, t in self._last_checkpoints] or None,
                                    save_relative_paths=self._save_relative_paths)
            self._maybe_delete_old_checkpoints(meta_graph_suffix)
        return checkpoint_file

    def export_meta_graph(self, filename: Optional[str] = None, collection_list: Optional[Sequence[str]] = None,
                          as_text: bool = False, export_scope: Optional[str] = None, clear_devices: bool = False,
                          clear_extraneous_savers: bool = False, strip_default_attrs: bool = False,
                          save_debug_info: bool = False) -> Any:
        """Writes a MetaGraphDef of this Saver's graph including its SaverDef."""
        return _mg.export_meta_graph(filename=filename, saver_def=self._saver_def, collection_list=collection_list,
                                     as_text=as_text, graph=self._graph or _ops.get_default_graph(),
                                     export_scope=export_scope, clear_devices=clear_devices,
                                     strip_default_attrs=strip_default_attrs)

    # -- restoring --
    def restore(self, sess: Any, save_path: str) -> None:
        """Restores the variables from the checkpoint prefix ``save_path`` in one ``sess.run``."""
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = os.fspath(save_path)
        if not checkpoint_exists(save_path):
            raise ValueError("The passed save_path is not a valid checkpoint: " + save_path)
        tensors = _fmt.read_checkpoint(_fmt.data_path(save_path))
        feeds = {}
        for e in self._entries:
            arr = tensors.get(e.key)
            if arr is None:
                raise errors.NotFoundError(
                    None, None,
                    "Restoring from checkpoint failed. This is most likely due to a Variable name or other graph "
                    "key that is missing from the checkpoint. Please ensure that you have not altered the graph "
                    "expected based on the checkpoint. Original error:\n\n"
                    f"Key {e.key} not found in checkpoint")
            stored = _fmt.dtype_of(arr)
            if stored != e.dtype:
                raise errors.InvalidArgumentError(
                    None, None, f"tensor_name = {e.key}; expected dtype {e.dtype.name} does not equal original "
                                f"dtype {stored.name}")
            want = e.shape
            if want.ndims is not None and not want.is_compatible_with(_ts.as_shape(arr.shape)):
                if self._reshape and want.is_fully_defined() and want.num_elements() == arr.size:
                    arr = arr.reshape(want.as_list())
                else:
                    raise errors.InvalidArgumentError(
                        None, None, f"tensor_name = {e.key}; shape in shape_and_slice spec {want.as_list()} does "
                                    f"not match the shape stored in checkpoint: {list(arr.shape)}")
            feeds[e.feed] = arr
        sess.run(self._restore_op, feed_dict=feeds)

