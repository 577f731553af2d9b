"""tf.import_graph_def: copies a GraphDef's nodes into the default graph under a name prefix."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from graphrt.framework import errors
from graphrt.framework import ops as _ops
from graphrt.framework import op_registry
from graphrt.framework.graph_def import GraphDef, NodeDef


def _canonical_input(name: str) -> str:
    if name.startswith("^"):
        return name
    return name if ":" in name else name + ":0"


def import_graph_def(graph_def: Any, input_map: Optional[Dict[str, Any]] = None,
                     return_elements: Optional[Sequence[str]] = None, name: Optional[str] = None,
                     op_dict: Any = None, producer_op_list: Any = None) -> Optional[List[Any]]:
    """Imports ``graph_def`` into the default graph, nodes renamed ``name/<node>`` (``name`` defaults to
    'import'; '' imports without a prefix). ``input_map`` replaces tensors ('x:0' or 'x') of the
    imported graph with existing tensors; ``return_elements`` names tensors/ops to return."""
    if isinstance(graph_def, (bytes, bytearray)):
        graph_def = GraphDef.FromString(bytes(graph_def))
    if not isinstance(graph_def, GraphDef):
        raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def).__name__}")
    input_map = dict(input_map or {})
    mapped: Dict[str, Any] = {}
    for k, v in input_map.items():
        if not isinstance(k, str):
            raise TypeError(f"input_map keys must be strings, got {k!r}")
        key = k if k.startswith("^") else _canonical_input(k)
        if key.startswith("^"):
            if not isinstance(v, _ops.Operation):
                raise TypeError(f"input_map value for control input {k!r} must be an Operation")
        elif not isinstance(v, _ops.Tensor):
            v = _ops.convert_to_tensor(v)
        mapped[key] = v

    graph = _ops.get_default_graph()
    nodes = list(graph_def.node)
    by_name: Dict[str, NodeDef] = {}
    for n in nodes:
        if not n.name:
            raise ValueError("graph_def contains a node without a name")
        if n.name in by_name:
            raise ValueError(f"Duplicate node name in graph_def: '{n.name}'")
        op_registry.lookup(n.op)  # NotFoundError for an unknown op, before anything is added
        by_name[n.name] = n

    # Topological order (inputs first); a cycle is an error.
    order: List[NodeDef] = []
    state: Dict[str, int] = {}
    for root in nodes:
        if root.name in state:
            continue
        stack = [(root, 0)]
        while stack:
            n, i = stack.pop()
            if i == 0:
                if state.get(n.name) == 2:
                    continue
                state[n.name] = 1
            inputs = list(n.input)
            if i < len(inputs):
                stack.append((n, i + 1))
                ref = inputs[i]
                src = ref[1:] if ref.startswith("^") else ref.rsplit(":", 1)[0] if ":" in ref else ref
                if _canonical_input(ref) in mapped:
                    continue
                if src not in by_name:
                    raise ValueError(f"Node '{n.name}': Unknown input node '{ref}'")
                s = state.get(src)
                if s == 1:
                    raise ValueError(f"graph_def contains a cycle through node '{src}'")
                if s is None:
                    stack.append((by_name[src], 0))
            else:
                state[n.name] = 2
                order.append(n)

    prefix = ""
    if name is None:
        name = "import"
    if name:
        with graph.name_scope(name) as scope:
            prefix = scope
    used: set = set()
    created: Dict[str, _ops.Operation] = {}
    # Function bodies (If/While) keep their names: the imported nodes refer to them by name.
    root = graph._root_graph()
    existing = {f.signature.name: f for f in root._functions}
    for fdef in graph_def.library.function:
        name_ = fdef.signature.name
        if name_ in existing:
            if existing[name_] != fdef:
                raise ValueError(f"Function {name_!r} in graph_def conflicts with an existing function of the same name")
            continue
        if name_ in root._function_names:
            raise ValueError(f"Function name {name_!r} in graph_def is already in use")
        graph._add_function(fdef)
    with graph._lock:
        for n in order:
            new_def = NodeDef.FromString(n.SerializeToString())
            new_def.name = prefix + n.name
            if new_def.name in graph._ops_by_name:
                raise ValueError(f"Duplicate node name in graph: '{new_def.name}'")
            del new_def.input[:]
            inputs: List[_ops.Tensor] = []
            control: List[_ops.Operation] = []
            for ref in n.input:
                key = _canonical_input(ref)
                if key in mapped:
                    used.add(key)
                    target = mapped[key]
                    if key.startswith("^"):
                        control.append(target)
                    else:
                        inputs.append(target)
                    continue
                if ref.startswith("^"):
                    control.append(created[ref[1:]])
                else:
                    src, _, idx = key.rpartition(":")
                    op = created[src]
                    try:
                        inputs.append(op.outputs[int(idx)])
                    except (IndexError, ValueError):
                        raise ValueError(f"Node '{n.name}': input '{ref}' names an output that '{src}' does not have") from None
            for t in inputs:
                new_def.input.append(t._as_node_def_input())
            for c in control:
                new_def.input.append("^" + c.name)
            try:
                created[n.name] = graph._add_imported_op(new_def, inputs, control)
            except (IndexError, KeyError) as e:
                raise ValueError(f"Node '{n.name}' ({n.op}) is malformed: missing input or attr ({e})") from None
    unused = sorted(set(mapped) - used)
    if unused:
        raise ValueError(f"Attempted to map inputs that were not found in graph_def: [{', '.join(unused)}]")
    if return_elements is None:
        return None
    results = []
    for el in return_elements:
        try:
            results.append(graph.as_graph_element(prefix + el))
        except (KeyError, ValueError):
            raise ValueError(f"Requested return_element {el!r} not found in graph_def.") from None
    return results
