"""The package version, ``alu.__version__`` and CHANGELOG.md say the same thing."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import alu

REPO = Path(__file__).resolve().parents[2]


def test_package_version_is_the_changelogs():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert alu.__version__ == declared
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](.*)$", changelog, flags=re.M)
    releases = [name for name, _ in headings if name != "Unreleased"]
    assert releases == sorted(releases, key=lambda v: tuple(int(p) for p in v.split(".")), reverse=True)
    assert releases[-1] == "0.1.0" and all(re.fullmatch(r"\d+\.\d+\.\d+", r) for r in releases)
    if headings[0][0] == "Unreleased":  # the next version, as a development release
        upcoming = re.search(r"to be (\d+\.\d+\.\d+)", headings[0][1])
        assert upcoming and declared == f"{upcoming.group(1)}.dev0", (declared, headings[0])
        assert tuple(map(int, upcoming.group(1).split("."))) > tuple(map(int, releases[0].split(".")))
    else:
        assert declared == releases[0]
