"""``tf.linalg``."""
from graphrt.ops.linalg_ops import einsum, matmul, matrix_transpose, tensordot  # noqa: F401

transpose = matrix_transpose  # tf.linalg.transpose swaps the last two dims
adjoint = matrix_transpose  # real dtypes only: the conjugate is the identity
