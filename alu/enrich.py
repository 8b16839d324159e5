"""Moved to :mod:`alu.nodes.enrich` (the graph layer); this name is kept for callers of 0.1.0."""

import sys

from alu.nodes import enrich as _moved

sys.modules[__name__] = _moved
