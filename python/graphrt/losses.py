"""``tf.losses``."""
from graphrt.ops.losses import *  # noqa: F401,F403
from graphrt.ops.losses import __all__  # noqa: F401
