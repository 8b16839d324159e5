"""The wheel as users get it: built, installed into a clean venv, every module imported,
and ``langgraph dev`` served from that install (packages found by discovery, none left
out; the prompts and suites shipped as package data)."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest
from dev_server import REPO, start_dev_server

pytestmark = pytest.mark.slow

# Every module of the source tree, by the name it is installed under.
MAPPED = {
    "alu": REPO / "alu",
    "alu.graph": REPO / "graph",
    "alu.nodes": REPO / "nodes",
    "alu.prompts": REPO / "prompts",
}


def _source_modules() -> set[str]:
    names = set()
    for package, folder in MAPPED.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            if package == "alu" and parts[0] in ("graph", "nodes", "prompts"):
                continue
            names.add(".".join((package, *(p for p in parts if p not in ("__init__", "__main__")))))
    return names


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory) -> Path:
    """A venv without this one's packages, holding only the wheel; its dependencies come
    from this venv's site-packages, read as a plain folder (its .pth files, the editable
    install's among them, are not run there)."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(root)],
        check=True,
        capture_output=True,
    )
    (wheel,) = root.glob("langgraph_alu-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True, capture_output=True
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "outer-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_every_module_is_installed_and_imports(clean_python):
    script = """
import json, pkgutil, importlib, alu
names = {"alu"} | {m.name for m in pkgutil.walk_packages(alu.__path__, "alu.") if not m.name.endswith("__main__")}
for name in sorted(names):
    importlib.import_module(name)
print(json.dumps({"file": alu.__file__, "modules": sorted(names)}))
"""
    done = subprocess.run([str(clean_python), "-c", script], capture_output=True, text=True, cwd=clean_python.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)
    assert found["file"].startswith(str(clean_python.parents[1])), found["file"]  # the wheel, not the repository
    assert set(found["modules"]) == _source_modules()
    data = subprocess.run(
        [
            str(clean_python),
            "-c",
            "from alu.prompts import load; from alu.evaluation.prompts import load as e;"
            " from alu.evaluation.adversarial import load_suite; import alu, pathlib;"
            " load('auditor_system'); e('linear_forget_system'); load_suite();"
            " assert (pathlib.Path(alu.__file__).parent / 'py.typed').is_file()",
        ],
        capture_output=True,
        text=True,
        cwd=clean_python.parent,
    )
    assert data.returncode == 0, data.stderr[-3000:]


def test_langgraph_dev_serves_the_installed_graph(clean_python, tmp_path):
    with start_dev_server({"OPENAI_API_KEY": "unused"}, tmp_path, python=clean_python) as server:
        response = httpx.post(f"{server.url}/assistants/search", json={"graph_id": "alu"}, timeout=10)
        assert response.status_code == 200, server.log_tail()
        assert [a["graph_id"] for a in response.json()] == ["alu"], server.log_tail()
        assert str(REPO) not in server.log.read_text(errors="replace")
