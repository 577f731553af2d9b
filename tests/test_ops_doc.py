"""docs/ops.md is generated from the registries and must be current."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_ops_doc_is_current():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_ops_doc.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_every_kernel_op_has_a_python_shape_function():
    from graphrt import _core
    from graphrt.framework import op_registry
    import graphrt  # noqa: F401 - registers every op module's shape functions
    missing = sorted(set(_core.registered_ops()) - set(op_registry.registered_ops()))
    assert not missing, f"ops without a Python shape function: {missing}"
