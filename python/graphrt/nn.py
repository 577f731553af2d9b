"""``tf.nn``."""
from graphrt.ops.nn_ops import *  # noqa: F401,F403
