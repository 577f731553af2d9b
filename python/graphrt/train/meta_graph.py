"""MetaGraphDef: a graph plus its Saver and collections, with TensorFlow's meta_graph.proto field
numbers (meta_info_def=1, graph_def=2, saver_def=3, collection_def=4), so that
``tf.train.import_meta_graph`` can rebuild a trainable, restorable graph in a fresh Graph.

Variable collections hold serialized VariableDef protos (variable.proto field numbers); collections of
Tensors/Operations hold node names; int/float/str collections hold values. The SaverDef carries
TF's fields plus one graphrt extension (field 1001, ``graphrt_entries``: per checkpoint key the
tensor the Saver reads and the placeholder its restore op is fed from); see docs/checkpoint_format.md.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Sequence

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework.graph_def import GraphDef
from graphrt.framework.protobuf import DecodeError, Field, Message

__all__ = ["export_meta_graph", "import_meta_graph"]


# ---- messages ------------------------------------------------------------------------------------

class MetaInfoDef(Message):
    FIELDS = (Field("meta_graph_version", 1, "string"), Field("tags", 4, "string", repeated=True),
              Field("tensorflow_version", 5, "string"), Field("tensorflow_git_version", 6, "string"),
              Field("stripped_default_attrs", 7, "bool"))


class SaverEntry(Message):
    """graphrt extension: one saved tensor (checkpoint key, read tensor, restore placeholder)."""
    FIELDS = (Field("key", 1, "string"), Field("read_tensor_name", 2, "string"),
              Field("feed_tensor_name", 3, "string"))


class SaverDef(Message):
    LEGACY, V1, V2 = 0, 1, 2
    FIELDS = (Field("filename_tensor_name", 1, "string"), Field("save_tensor_name", 2, "string"),
              Field("restore_op_name", 3, "string"), Field("max_to_keep", 4, "int32"),
              Field("sharded", 5, "bool"), Field("keep_checkpoint_every_n_hours", 6, "float"),
              Field("version", 7, "enum"),
              Field("graphrt_entries", 1001, "message", repeated=True, message_type=SaverEntry))


class CollectionDef(Message):
    class NodeList(Message):
        FIELDS = (Field("value", 1, "string", repeated=True),)

    class BytesList(Message):
        FIELDS = (Field("value", 1, "bytes", repeated=True),)

    class Int64List(Message):
        FIELDS = (Field("value", 1, "int64", repeated=True),)

    class FloatList(Message):
        FIELDS = (Field("value", 1, "float", repeated=True),)

    FIELDS = (Field("node_list", 1, "message", message_type=NodeList, oneof="kind"),
              Field("bytes_list", 2, "message", message_type=BytesList, oneof="kind"),
              Field("int64_list", 3, "message", message_type=Int64List, oneof="kind"),
              Field("float_list", 4, "message", message_type=FloatList, oneof="kind"))


class VariableDef(Message):
    FIELDS = (Field("variable_name", 1, "string"), Field("initializer_name", 2, "string"),
              Field("snapshot_name", 3, "string"), Field("is_resource", 5, "bool"),
              Field("initial_value_name", 6, "string"), Field("trainable", 7, "bool"))


class MetaGraphDef(Message):
    FIELDS = (Field("meta_info_def", 1, "message", message_type=MetaInfoDef),
              Field("graph_def", 2, "message", message_type=GraphDef),
              Field("saver_def", 3, "message", message_type=SaverDef),
              Field("collection_def", 4, "map", message_type=CollectionDef))


# Collections whose values are Variables stored as VariableDef (as TF registers them).
VARIABLE_COLLECTIONS = (
    _ops.GraphKeys.GLOBAL_VARIABLES, _ops.GraphKeys.TRAINABLE_VARIABLES, _ops.GraphKeys.LOCAL_VARIABLES,
    _ops.GraphKeys.MODEL_VARIABLES, _ops.GraphKeys.MOVING_AVERAGE_VARIABLES, _ops.GraphKeys.GLOBAL_STEP,
    "metric_variables",
)


# ---- names under an import/export scope ---------------------------------------------------------

def _prepend(name: str, scope: Optional[str]) -> str:
    if not scope or not name:
        return name
    if name.startswith("^"):
        return "^" + scope + "/" + name[1:]
    return scope + "/" + name


def _strip(name: str, scope: Optional[str]) -> str:
    if not scope:
        return name
    caret = name.startswith("^")
    core = name[1:] if caret else name
    if core.startswith(scope + "/"):
        core = core[len(scope) + 1:]
    return ("^" if caret else "") + core


# ---- Variables <-> VariableDef ------------------------------------------------------------------

def variable_to_def(v: Any, export_scope: Optional[str] = None) -> VariableDef:
    """The VariableDef of a resource Variable (names relative to ``export_scope``)."""
    d = VariableDef()
    d.variable_name = _strip(v.handle.name, export_scope)
    d.initializer_name = _strip(v.initializer.name, export_scope)
    d.snapshot_name = _strip(v.value().name, export_scope)
    d.initial_value_name = _strip(v.initial_value.name, export_scope)
    d.is_resource = True
    d.trainable = bool(v.trainable)
    return d


def variable_from_def(graph: _ops.Graph, vdef: VariableDef, import_scope: Optional[str] = None,
                      trainable: Optional[bool] = None) -> Any:
    """Rebuilds a ``Variable`` over existing graph ops (VarHandleOp, its Assign initializer and Read
    snapshot) without adding ops, except a VarIsInitializedOp when the graph has none for it.

    Sets the private fields of graphrt.ops.variables.Variable: _graph, _trainable, _constraint,
    _initial_value, _dtype, _shape, _handle, _is_initialized_op, _initializer_op, _graph_element."""
    from graphrt.ops import resource_variable_ops as _rv
    from graphrt.ops.variables import Variable
    handle = graph.as_graph_element(_prepend(vdef.variable_name, import_scope), allow_tensor=True,
                                    allow_operation=False)
    if handle.op.type != "VarHandleOp":
        raise ValueError(f"VariableDef names {handle.name}, which is not a VarHandleOp output")
    initializer = graph.as_graph_element(_prepend(vdef.initializer_name, import_scope), allow_tensor=False,
                                         allow_operation=True)
    snapshot = graph.as_graph_element(_prepend(vdef.snapshot_name, import_scope), allow_tensor=True,
                                      allow_operation=False)
    if vdef.initial_value_name:
        initial_value = graph.as_graph_element(_prepend(vdef.initial_value_name, import_scope),
                                               allow_tensor=True, allow_operation=False)
    else:
        initial_value = initializer.inputs[1]
    dtype = _dtypes.as_dtype(handle.op.get_attr("dtype"))
    shape = _ops._shape_from_proto(handle.op.get_attr("shape"))
    is_init = None
    for op in handle.consumers():
        if op.type == "VarIsInitializedOp":
            is_init = op.outputs[0]
            break
    if is_init is None:
        with graph.as_default(), graph.name_scope(handle.op.name + "/IsInitialized/"), \
                graph.control_dependencies(None):
            is_init = _rv.var_is_initialized_op(handle)
    v = Variable.__new__(Variable)
    v._graph = graph
    v._trainable = bool(vdef.trainable) if trainable is None else trainable
    v._constraint = None
    v._initial_value = initial_value
    v._dtype = dtype
    v._shape = shape
    v._handle = handle
    v._is_initialized_op = is_init
    v._initializer_op = initializer
    v._graph_element = snapshot
    return v


# ---- export ---------------------------------------------------------------------------------------

def _is_variable(x: Any) -> bool:
    from graphrt.ops.variables import Variable
    return isinstance(x, Variable)


def _collection_def(key: str, values: List[Any], export_scope: Optional[str]) -> Optional[CollectionDef]:
    if not values:
        return None
    c = CollectionDef()
    if all(_is_variable(v) for v in values):
        if export_scope and not all(v.handle.name.startswith(export_scope + "/") for v in values):
            values = [v for v in values if v.handle.name.startswith(export_scope + "/")]
            if not values:
                return None
        if key in VARIABLE_COLLECTIONS:
            for v in values:
                c.bytes_list.value.append(variable_to_def(v, export_scope).SerializeToString())
        else:
            for v in values:
                c.node_list.value.append(_strip(v.handle.name, export_scope))
        c._mark(CollectionDef._BY_NAME["bytes_list" if key in VARIABLE_COLLECTIONS else "node_list"])
        return c
    if all(isinstance(v, (_ops.Tensor, _ops.Operation)) for v in values):
        for v in values:
            c.node_list.value.append(_strip(v.name, export_scope))
        c._mark(CollectionDef._BY_NAME["node_list"])
        return c
    if all(isinstance(v, (bytes, str)) for v in values):
        for v in values:
            c.bytes_list.value.append(v.encode("utf-8") if isinstance(v, str) else v)
        c._mark(CollectionDef._BY_NAME["bytes_list"])
        return c
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        c.int64_list.value.extend(values)
        c._mark(CollectionDef._BY_NAME["int64_list"])
        return c
    if all(isinstance(v, float) for v in values):
        c.float_list.value.extend(values)
        c._mark(CollectionDef._BY_NAME["float_list"])
        return c
    return None  # TF logs a warning and skips collections it cannot serialize


def _scoped_graph_def(graph_def: GraphDef, export_scope: Optional[str]) -> GraphDef:
    if not export_scope:
        return graph_def
    out = GraphDef()
    prefix = export_scope + "/"
    for n in graph_def.node:
        if not n.name.startswith(prefix):
            continue
        nd = out.node.add()
        nd.CopyFrom(n)
        nd.name = n.name[len(prefix):]
        del nd.input[:]
        for i in n.input:
            nd.input.append(_strip(i, export_scope))
    for f in graph_def.library.function:
        out.library.function.append(f)
    if len(graph_def.library.function):
        out._mark(GraphDef._BY_NAME["library"])
    out.versions.CopyFrom(graph_def.versions)
    return out


def export_meta_graph(filename: Optional[str] = None, meta_info_def: Any = None, graph_def: Any = None,
                      saver_def: Any = None, collection_list: Optional[Sequence[str]] = None,
                      as_text: bool = False, graph: Optional[_ops.Graph] = None,
                      export_scope: Optional[str] = None, clear_devices: bool = False,
                      clear_extraneous_savers: bool = False, strip_default_attrs: bool = False,
                      save_debug_info: bool = False, **kwargs: Any) -> MetaGraphDef:
    """``tf.train.export_meta_graph``: the graph, saver and collections as a MetaGraphDef, also written
    to ``filename`` (atomically) when given."""
    graph = graph or _ops.get_default_graph()
    m = MetaGraphDef()
    if meta_info_def is not None:
        m.meta_info_def.CopyFrom(meta_info_def)
    else:
        m.meta_info_def.meta_graph_version = "graphrt"
    m.meta_info_def.stripped_default_attrs = bool(strip_default_attrs)
    m._mark(MetaGraphDef._BY_NAME["meta_info_def"])
    gd = graph_def if graph_def is not None else graph.as_graph_def(add_shapes=True)
    if isinstance(gd, (bytes, bytearray)):
        gd = GraphDef.FromString(bytes(gd))
    gd = _scoped_graph_def(gd, export_scope)
    if clear_devices:
        gd = GraphDef.FromString(gd.SerializeToString())
        for n in gd.node:
            n.device = ""
    m.graph_def.CopyFrom(gd)
    m._mark(MetaGraphDef._BY_NAME["graph_def"])
    if saver_def is not None:
        sd = SaverDef.FromString(saver_def.SerializeToString())
        if export_scope:
            sd.filename_tensor_name = _strip(sd.filename_tensor_name, export_scope)
            sd.save_tensor_name = _strip(sd.save_tensor_name, export_scope)
            sd.restore_op_name = _strip(sd.restore_op_name, export_scope)
            for e in sd.graphrt_entries:
                e.read_tensor_name = _strip(e.read_tensor_name, export_scope)
                e.feed_tensor_name = _strip(e.feed_tensor_name, export_scope)
        m.saver_def.CopyFrom(sd)
        m._mark(MetaGraphDef._BY_NAME["saver_def"])
    keys = list(collection_list) if collection_list is not None else graph.get_all_collection_keys()
    for key in sorted(keys):
        c = _collection_def(key, graph.get_collection(key), export_scope)
        if c is not None:
            m.collection_def[key].CopyFrom(c)
    if filename:
        from graphrt.train import checkpoint_format
        if as_text:
            data = repr(m).encode("utf-8")
        else:
            data = m.SerializeToString()
        checkpoint_format.atomic_write(filename, [data])
    return m


# ---- import ---------------------------------------------------------------------------------------

def read_meta_graph_file(filename: str) -> MetaGraphDef:
    """Reads a binary MetaGraphDef file; IOError if it is missing or cannot be parsed."""
    if not os.path.exists(filename):
        raise IOError(f"File {filename} does not exist.")
    with open(filename, "rb") as f:
        data = f.read()
    try:
        return MetaGraphDef.FromString(data)
    except (DecodeError, ValueError, UnicodeDecodeError) as e:
        raise IOError(f"Cannot parse file {filename}: {e}.") from None


def import_meta_graph(meta_graph_or_file: Any, clear_devices: bool = False,
                      import_scope: Optional[str] = None, **kwargs: Any) -> Any:
    """``tf.train.import_meta_graph``: imports the graph and collections into the default graph
    (rebuilding Variable objects) and returns a Saver for it (None if there is nothing to restore)."""
    from graphrt.framework.importer import import_graph_def
    from graphrt.train.saver import Saver
    if isinstance(meta_graph_or_file, MetaGraphDef):
        m = meta_graph_or_file
    elif isinstance(meta_graph_or_file, (bytes, bytearray)):
        m = MetaGraphDef.FromString(bytes(meta_graph_or_file))
    else:
        m = read_meta_graph_file(os.fspath(meta_graph_or_file))
    graph = _ops.get_default_graph()
    gd = m.graph_def
    if clear_devices:
        gd = GraphDef.FromString(gd.SerializeToString())
        for n in gd.node:
            n.device = ""
    input_map = kwargs.get("input_map")
    scope = import_scope or ""
    import_graph_def(gd, input_map=input_map, name=scope)

    # Rebuild Variables once per handle, then fill the collections.
    variables: Dict[str, Any] = {}
    trainable_names = set()
    tcoll = m.collection_def.get(_ops.GraphKeys.TRAINABLE_VARIABLES)
    if tcoll is not None and tcoll.WhichOneof("kind") == "bytes_list":
        for raw in tcoll.bytes_list.value:
            trainable_names.add(VariableDef.FromString(raw).variable_name)
    for key in sorted(m.collection_def):
        c = m.collection_def[key]
        kind = c.WhichOneof("kind")
        if kind == "bytes_list" and key in VARIABLE_COLLECTIONS:
            for raw in c.bytes_list.value:
                vdef = VariableDef.FromString(raw)
                v = variables.get(vdef.variable_name)
                if v is None:
                    trainable = bool(vdef.trainable) or vdef.variable_name in trainable_names
                    v = variable_from_def(graph, vdef, scope, trainable=trainable)
                    variables[vdef.variable_name] = v
                graph.add_to_collection(key, v)
        elif kind == "node_list":
            for name in c.node_list.value:
                if name in variables:
                    graph.add_to_collection(key, variables[name])
                else:
                    graph.add_to_collection(key, graph.as_graph_element(_prepend(name, scope)))
        elif kind == "bytes_list":
            for b in c.bytes_list.value:
                graph.add_to_collection(key, b)
        elif kind == "int64_list":
            for i in c.int64_list.value:
                graph.add_to_collection(key, i)
        elif kind == "float_list":
            for x in c.float_list.value:
                graph.add_to_collection(key, x)

    if m.HasField("saver_def") and m.saver_def.graphrt_entries:
        sd = SaverDef.FromString(m.saver_def.SerializeToString())
        sd.filename_tensor_name = _prepend(sd.filename_tensor_name, scope)
        sd.save_tensor_name = _prepend(sd.save_tensor_name, scope)
        sd.restore_op_name = _prepend(sd.restore_op_name, scope)
        for e in sd.graphrt_entries:
            e.read_tensor_name = _prepend(e.read_tensor_name, scope)
            e.feed_tensor_name = _prepend(e.feed_tensor_name, scope)
        return Saver(saver_def=sd)
    if variables:
        return Saver(var_list=list(variables.values()))
    return None
