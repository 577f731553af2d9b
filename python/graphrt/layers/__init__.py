"""``tf.layers``: the functional TF1 layers."""
from graphrt.layers.core import *  # noqa: F401,F403
from graphrt.layers.core import __all__  # noqa: F401
