"""Targets read from a file: a JSON list, or one name per line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alu.domain.target import InvalidTargetError, Target

__all__ = ["read_target_file"]


def read_target_file(path: str | Path) -> list[Target]:
    """Targets from a file: a JSON list of names or of target objects, or a text file of
    one name per line (blank lines and ``#`` comments ignored). Every entry is validated;
    the error names the file and the entry."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidTargetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidTargetError(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    stripped = raw.lstrip()
    if path.suffix.lower() == ".json" or stripped.startswith(("[", "{")):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidTargetError(
                f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno});"
                " expected a list of names or of objects with at least 'name'"
            ) from None
        if not isinstance(data, list):
            raise InvalidTargetError(
                f"{path}: expected a JSON list of names or objects, got a JSON {type(data).__name__}"
            )
        entries: list[Any] = data
        where = [f"entry {i}" for i in range(1, len(data) + 1)]
    else:
        pairs = [
            (n, line.strip())
            for n, line in enumerate(raw.splitlines(), start=1)
            if line.strip() and not line.strip().startswith("#")
        ]
        entries = [text for _, text in pairs]
        where = [f"line {n}" for n, _ in pairs]
    targets = []
    for label, entry in zip(where, entries):
        try:
            targets.append(Target.parse(entry))
        except InvalidTargetError as exc:
            raise InvalidTargetError(f"{path}, {label}: {exc}") from None
    if not targets:
        raise InvalidTargetError(f"{path}: no targets in the file")
    return targets
