"""``graphrt.compat.v1`` is the graphrt namespace itself (the TF1 API)."""
import sys as _sys

import graphrt as v1

_sys.modules[__name__ + ".v1"] = v1
