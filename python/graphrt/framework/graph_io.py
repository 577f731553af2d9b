"""tf.train.write_graph."""
from __future__ import annotations

import os
from typing import Any

from graphrt.framework import ops as _ops
from graphrt.framework.graph_def import GraphDef
from graphrt.framework.protobuf import text_format


def write_graph(graph_or_graph_def: Any, logdir: str, name: str, as_text: bool = True) -> str:
    """Writes a GraphDef (or a Graph's) to ``logdir/name``, text or binary; returns the path.
    The file is written to a temporary name and renamed, so readers never see half a file."""
    g = graph_or_graph_def.as_graph_def() if isinstance(graph_or_graph_def, _ops.Graph) else graph_or_graph_def
    if not isinstance(g, GraphDef):
        raise TypeError(f"write_graph expects a Graph or GraphDef, got {type(graph_or_graph_def).__name__}")
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    data = text_format(g).encode("utf-8") if as_text else g.SerializeToString()
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path
