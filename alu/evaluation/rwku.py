"""RWKU's targets read from the shared data folder (``<data>/rwku/<n>_<Name>/``): used by
``alu bench recall`` and by the adversarial suite's generator."""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["RWKU_FORGET_LEVELS", "RWKU_NEIGHBOR_LEVELS", "DataMissing", "load_rwku"]

RWKU_FORGET_LEVELS = (1, 2, 3)
RWKU_NEIGHBOR_LEVELS = (1, 2)


class DataMissing(FileNotFoundError):
    """The benchmark data is not where it was looked for."""


def load_rwku(data_dir: str | Path) -> list[dict]:
    """RWKU's targets: name, description (the intro without "Please forget X."), forget
    probes by level, neighbour probes by level, and ``forget_words`` (None if absent)."""
    root = Path(data_dir) / "rwku"
    if not root.is_dir():
        raise DataMissing(f"no RWKU data at {root} (expected <n>_<Name>/intro.json, forget_level1.json, ...)")

    def read(path: Path) -> list:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        return data if isinstance(data, list) else []

    def order(path: Path) -> tuple[int, str]:
        head = path.name.split("_", 1)[0]
        return (int(head) if head.isdigit() else 10**9, path.name)

    out = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=order):
        intro = read(folder / "intro.json")
        if not intro or not isinstance(intro[0], dict) or not intro[0].get("target"):
            continue
        name = intro[0]["target"]
        description = re.sub(r"^\s*Please forget [^.]*\.\s*", "", intro[0].get("intro", ""))
        words_path = folder / "forget_words.json"
        out.append(
            {
                "folder": folder.name,
                "name": name,
                "description": description,
                "forget": {lvl: read(folder / f"forget_level{lvl}.json") for lvl in RWKU_FORGET_LEVELS},
                "neighbor": {lvl: read(folder / f"neighbor_level{lvl}.json") for lvl in RWKU_NEIGHBOR_LEVELS},
                "forget_words": [w for w in read(words_path) if isinstance(w, str)] if words_path.exists() else None,
            }
        )
    if not out:
        raise DataMissing(f"no RWKU target folders with intro.json under {root}")
    return out
