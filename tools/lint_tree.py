"""Lint alu as it is installed: ``python tools/lint_tree.py imports`` (import-linter,
the contracts in pyproject.toml) or ``python tools/lint_tree.py types`` (mypy).

Both tools read a package from its folder, but three of alu's packages live outside
alu/ (``graph/`` -> ``alu.graph``, ``nodes/`` -> ``alu.nodes``, ``prompts/`` ->
``alu.prompts``, see setup.py). So this copies the installed layout into a temporary
folder and runs the tool from inside it (the editable install's finder hidden).
Exit status: the tool's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {"graph": "graph", "nodes": "nodes", "prompts": "prompts"}  # as in setup.py
CONFIG = str(ROOT / "pyproject.toml")


def _copy_tree(tmp: str) -> None:
    tree = Path(tmp) / "alu"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "alu", tree, ignore=skip)
    for sub, folder in MAPPED.items():
        shutil.copytree(ROOT / folder, tree / sub, ignore=skip)


def _imports(tmp: str) -> int:
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
    sys.path.insert(0, tmp)
    os.chdir(tmp)  # import-linter puts the working folder first on sys.path
    from importlinter.cli import lint_imports

    return lint_imports(config_filename=CONFIG, no_cache=True, no_logo=True)


def _types(tmp: str) -> int:
    # Paths in mypy's output point back at the repository's files.
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", CONFIG, "--cache-dir", str(ROOT / ".mypy_cache")],
        cwd=tmp,
        env={**os.environ, "MYPYPATH": tmp},
        capture_output=True,
        text=True,
    )
    out = done.stdout
    for sub, folder in MAPPED.items():
        out = out.replace(f"alu/{sub}/", f"{folder}/")
    sys.stdout.write(out)
    sys.stderr.write(done.stderr)
    return done.returncode


def main(argv: list[str]) -> int:
    if argv not in (["imports"], ["types"]):
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="alu-lint-") as tmp:
        _copy_tree(tmp)
        return _imports(tmp) if argv == ["imports"] else _types(tmp)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
