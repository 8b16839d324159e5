"""The evaluation baselines' prompts (the paper's linear pipeline, the prompt baseline,
the probes' context), one text file each, loaded by name; kept out of the product's
:mod:`alu.prompts`. Same ``string.Template`` placeholders (``$targets``).

May import: the standard library only.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template

__all__ = ["load", "render"]


@cache
def load(name: str) -> str:
    """The text of ``alu/evaluation/prompts/<name>.txt``."""
    path = resources.files(__name__).joinpath(f"{name}.txt")
    if not path.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} in alu.evaluation.prompts")
    return path.read_text(encoding="utf-8").strip()


def render(name: str, **values: str) -> str:
    """``load(name)`` with its ``$placeholders`` filled; a missing value is an error."""
    return Template(load(name)).substitute(**values)
