"""The agents' prompts, one text file each, loaded by name.

Files use ``string.Template`` placeholders (``$question``) so that braces in prompt text
need no escaping. Keeping prompts out of Python lets them be reviewed and tuned alone.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template

__all__ = ["load", "render"]


@cache
def load(name: str) -> str:
    """The text of ``prompts/<name>.txt`` (a clear error when there is no such prompt)."""
    path = resources.files(__name__).joinpath(f"{name}.txt")
    if not path.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} in alu.prompts")
    return path.read_text(encoding="utf-8").strip()


def render(name: str, **values: str) -> str:
    """``load(name)`` with its ``$placeholders`` filled; a missing value is an error."""
    return Template(load(name)).substitute(**values)
