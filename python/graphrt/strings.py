"""``tf.strings``."""
from graphrt.ops.string_ops import format, join  # noqa: F401,A004
