"""FuncGraph: the graph a cond branch or while_loop body is traced into, and its FunctionDef.

While a FuncGraph is the default graph, ops created over tensors of an enclosing graph land in the
FuncGraph, each outer tensor captured once as a Placeholder (an extra function input).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework.graph_def import FunctionDef, NameAttrList


class FuncGraph(_ops.Graph):
    """A graph traced for one function body, nested in ``outer_graph``."""

    def __init__(self, name: str, outer_graph: _ops.Graph):
        super().__init__()
        self.name = name
        self.outer_graph = outer_graph
        self._building_function = True
        # id(outer tensor) -> (outer tensor, placeholder in this graph), in capture order.
        self.captures: Dict[int, Tuple[_ops.Tensor, _ops.Tensor]] = {}
        self.inputs: List[_ops.Tensor] = []

    @property
    def seed(self) -> Optional[int]:
        return self.outer_graph.seed

    @seed.setter
    def seed(self, value: Optional[int]) -> None:
        self.outer_graph.seed = value

    def _root_graph(self) -> _ops.Graph:
        return self.outer_graph._root_graph()

    def _has_ancestor(self, graph: _ops.Graph) -> bool:
        g = self.outer_graph
        while True:
            if g is graph:
                return True
            if not isinstance(g, FuncGraph):
                return False
            g = g.outer_graph

    def add_input(self, dtype: Any, shape: Any, name: str) -> _ops.Tensor:
        """A new argument placeholder (loop variables come first, before captures)."""
        with self.as_default():
            p = self.create_op("Placeholder", [], name=name,
                               attrs={"dtype": _dtypes.as_dtype(dtype), "shape": _ts.as_shape(shape)}).outputs[0]
        self.inputs.append(p)
        return p

    def capture(self, tensor: _ops.Tensor) -> _ops.Tensor:
        """The placeholder standing for an enclosing graph's ``tensor`` (created on first use)."""
        if tensor.graph is self:
            return tensor
        entry = self.captures.get(id(tensor))
        if entry is not None:
            return entry[1]
        if not self._has_ancestor(tensor.graph):
            raise ValueError(f"Tensor {tensor.name} must be from the same graph as the function being built "
                             f"or an enclosing one.")
        # In a nested body the op using this capture is created in the enclosing body, which captures
        # the tensor in turn.
        with self.as_default(), self.control_dependencies(None):
            p = self.create_op("Placeholder", [], name="capture",
                               attrs={"dtype": tensor.dtype, "shape": tensor.shape}).outputs[0]
        self.captures[id(tensor)] = (tensor, p)
        self.inputs.append(p)
        return p

    def _capture_inputs(self, inputs: List[Any]) -> List[Any]:
        return [self.capture(t) if isinstance(t, _ops.Tensor) and t.graph is not self else t for t in inputs]

    def to_function_def(self, outputs: Sequence[_ops.Tensor]) -> FunctionDef:
        """This body as a FunctionDef named ``self.name``: inputs in ``self.inputs`` order."""
        fdef = FunctionDef()
        fdef.signature.name = self.name
        arg_ops = {t.op for t in self.inputs}
        for t in self.inputs:
            fdef.signature.input_arg.add(name=t.op.name, type=t.dtype.as_datatype_enum)
        for op in self._ops:
            if op not in arg_ops:
                fdef.node_def.append(op._node_def)
        for i, t in enumerate(outputs):
            arg = f"output_{i}"
            fdef.signature.output_arg.add(name=arg, type=t.dtype.as_datatype_enum)
            fdef.ret[arg] = t.name
        return fdef


def func_attr(name: str) -> NameAttrList:
    return NameAttrList(name=name)


def outer_tensors(graph: FuncGraph, keys: Sequence[int]) -> List[_ops.Tensor]:
    return [graph.captures[k][0] for k in keys]
