"""``tf.debugging``."""
from graphrt.ops.debug_ops import Assert, check_numerics  # noqa: F401
