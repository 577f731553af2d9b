"""Finite-difference checks of MatMul / BatchMatMul gradients (float64)."""
import pytest

import graphrt as tf
from gradient_checker import check_gradients, rand


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_matmul(ta, tb):
    a = rand(*((3, 2) if ta else (2, 3)), seed=1)
    b = rand(*((4, 3) if tb else (3, 4)), seed=2)
    check_gradients(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), [a, b])


def test_matmul_unknown_batch():
    check_gradients(lambda x, y: tf.matmul(x, y), [rand(2, 3), rand(3, 2, seed=1)], static_shapes=False)


@pytest.mark.parametrize("adj_x", [False, True])
@pytest.mark.parametrize("adj_y", [False, True])
def test_batch_matmul_v2_broadcast(adj_x, adj_y):
    x = rand(*((2, 1, 3, 2) if adj_x else (2, 1, 2, 3)), seed=3)
    y = rand(*((3, 4, 3) if adj_y else (3, 3, 4)), seed=4)
    check_gradients(lambda a, b: tf.linalg.matmul(a, b, adjoint_a=adj_x, adjoint_b=adj_y), [x, y])


def test_batch_matmul_v2_unknown_shapes():
    check_gradients(lambda a, b: tf.matmul(a, b), [rand(2, 2, 3), rand(3, 2, seed=1)], static_shapes=False)


def test_batch_matmul_v1():
    from graphrt.ops import linalg_ops
    check_gradients(lambda a, b: linalg_ops.batch_matmul(a, b, adj_y=True), [rand(2, 2, 3), rand(2, 4, 3, seed=1)])


def test_tensordot_and_einsum_composites():
    check_gradients(lambda a, b: tf.tensordot(a, b, 1), [rand(2, 3), rand(3, 2, seed=1)])
    if hasattr(tf, "einsum"):
        check_gradients(lambda a, b: tf.einsum("ij,jk->ik", a, b), [rand(2, 3), rand(3, 2, seed=1)])
