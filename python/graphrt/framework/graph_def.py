"""GraphDef, NodeDef, AttrValue, TensorProto and TensorShapeProto with TensorFlow's field numbers
(graph.proto, node_def.proto, attr_value.proto, tensor.proto, tensor_shape.proto, versions.proto)."""
from __future__ import annotations

from graphrt.framework.protobuf import DecodeError, Field, Message  # noqa: F401 - DecodeError re-exported


class TensorShapeProto(Message):
    class Dim(Message):
        FIELDS = (Field("size", 1, "int64"), Field("name", 2, "string"))

    FIELDS = (Field("dim", 2, "message", repeated=True, message_type=Dim),
              Field("unknown_rank", 3, "bool"))


class TensorProto(Message):
    FIELDS = (
        Field("dtype", 1, "enum"),
        Field("tensor_shape", 2, "message", message_type=TensorShapeProto),
        Field("version_number", 3, "int32"),
        Field("tensor_content", 4, "bytes"),
        Field("float_val", 5, "float", repeated=True),
        Field("double_val", 6, "double", repeated=True),
        Field("int_val", 7, "int32", repeated=True),
        Field("string_val", 8, "bytes", repeated=True),
        Field("int64_val", 10, "int64", repeated=True),
        Field("bool_val", 11, "bool", repeated=True),
        Field("half_val", 13, "int32", repeated=True),
    )


class NameAttrList(Message):
    FIELDS = ()  # filled below: attr refers to AttrValue


class AttrValue(Message):
    class ListValue(Message):
        FIELDS = (
            Field("s", 2, "bytes", repeated=True),
            Field("i", 3, "int64", repeated=True),
            Field("f", 4, "float", repeated=True),
            Field("b", 5, "bool", repeated=True),
            Field("type", 6, "enum", repeated=True),
            Field("shape", 7, "message", repeated=True, message_type=TensorShapeProto),
            Field("tensor", 8, "message", repeated=True, message_type=TensorProto),
            Field("func", 9, "message", repeated=True, message_type=NameAttrList),
        )

    FIELDS = (
        Field("list", 1, "message", message_type=ListValue, oneof="value"),
        Field("s", 2, "bytes", oneof="value"),
        Field("i", 3, "int64", oneof="value"),
        Field("f", 4, "float", oneof="value"),
        Field("b", 5, "bool", oneof="value"),
        Field("type", 6, "enum", oneof="value"),
        Field("shape", 7, "message", message_type=TensorShapeProto, oneof="value"),
        Field("tensor", 8, "message", message_type=TensorProto, oneof="value"),
        Field("placeholder", 9, "string", oneof="value"),
        Field("func", 10, "message", message_type=NameAttrList, oneof="value"),
    )


NameAttrList.FIELDS = (Field("name", 1, "string"), Field("attr", 2, "map", message_type=AttrValue))
NameAttrList._finalize()


class NodeDef(Message):
    FIELDS = (
        Field("name", 1, "string"),
        Field("op", 2, "string"),
        Field("input", 3, "string", repeated=True),
        Field("device", 4, "string"),
        Field("attr", 5, "map", message_type=AttrValue),
    )


class VersionDef(Message):
    FIELDS = (Field("producer", 1, "int32"), Field("min_consumer", 2, "int32"),
              Field("bad_consumers", 3, "int32", repeated=True))


class OpDef(Message):
    """The signature part of a FunctionDef (op_def.proto): name and typed input/output args."""

    class ArgDef(Message):
        FIELDS = (Field("name", 1, "string"), Field("description", 2, "string"), Field("type", 3, "enum"),
                  Field("type_attr", 4, "string"), Field("number_attr", 5, "string"))

    FIELDS = (Field("name", 1, "string"), Field("input_arg", 2, "message", repeated=True, message_type=ArgDef),
              Field("output_arg", 3, "message", repeated=True, message_type=ArgDef))


class FunctionDef(Message):
    """A function body (function.proto): nodes whose inputs name input args or "node:k" tensors, and
    ``ret`` mapping each output arg to a tensor of the body."""

    FIELDS = (Field("signature", 1, "message", message_type=OpDef),
              Field("node_def", 3, "message", repeated=True, message_type=NodeDef),
              Field("ret", 4, "smap"))


class FunctionDefLibrary(Message):
    FIELDS = (Field("function", 1, "message", repeated=True, message_type=FunctionDef),)


class GraphDef(Message):
    FIELDS = (
        Field("node", 1, "message", repeated=True, message_type=NodeDef),
        Field("library", 2, "message", message_type=FunctionDefLibrary),
        Field("version", 3, "int32"),
        Field("versions", 4, "message", message_type=VersionDef),
    )


# The GraphDef producer version graphrt writes (TF's graph-def version of the ops we emit).
GRAPH_DEF_VERSION = 1286
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
