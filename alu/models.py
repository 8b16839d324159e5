"""Moved to :mod:`alu.graph.models` (the graph layer); this name is kept for callers of 0.1.0."""

import sys

from alu.graph import models as _moved

sys.modules[__name__] = _moved
