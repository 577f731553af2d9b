"""``tf.contrib``: only the few pieces TF1 training code commonly uses (``tf.contrib.layers`` regularizers
and initializers)."""
from graphrt.contrib import layers  # noqa: F401
