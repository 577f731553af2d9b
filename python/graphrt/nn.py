"""``tf.nn``."""
from graphrt.ops.nn_ops import relu, sigmoid, tanh  # noqa: F401
