"""``tf.train``."""
from graphrt.framework.graph_io import write_graph  # noqa: F401
