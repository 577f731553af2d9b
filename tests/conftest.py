import pytest

import graphrt as tf


@pytest.fixture(autouse=True)
def _fresh_default_graph():
    """Each test starts with an empty default graph."""
    tf.reset_default_graph()
    yield
