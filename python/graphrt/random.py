"""``tf.random``."""
from graphrt.ops.random_ops import (categorical, get_seed, multinomial, random_normal, random_shuffle,  # noqa: F401
                                    random_uniform, set_random_seed, truncated_normal)

uniform = random_uniform
normal = random_normal
shuffle = random_shuffle
