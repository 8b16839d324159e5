"""The SQLite target store under concurrent writers, failing imports and killed
processes: no update is lost, a failed import changes nothing, the store survives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from alu.cli import open_store
from alu.targets import TargetRegistry

pytestmark = pytest.mark.slow

WRITER = textwrap.dedent(
    """
    import sys
    from alu.cli import open_store
    from alu.targets import TargetRegistry

    path, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open_store(path) as store:
        registry = TargetRegistry(store)
        for i in range(count):
            registry.add(f"Writer{worker} Person{i}", aliases=[f"W{worker}P{i}"])
            if i % 3 == 2:
                registry.remove(f"Writer{worker} Person{i - 1}")
    """
)


def names(path: Path) -> set[str]:
    with open_store(path) as store:
        return {t.name for t in TargetRegistry(store).list()}


def test_concurrent_writers_lose_no_update(tmp_path):
    path = tmp_path / "targets.sqlite"
    with open_store(path) as store:  # create the schema once, as a first CLI call would
        TargetRegistry(store).add("Seed Person")
    workers, count = 6, 30
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(w), str(count)], stderr=subprocess.PIPE, text=True
        )
        for w in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    expected = {"Seed Person"}
    for w in range(workers):
        kept = {f"Writer{w} Person{i}" for i in range(count)}
        kept -= {f"Writer{w} Person{i - 1}" for i in range(count) if i % 3 == 2}
        expected |= kept
    assert names(path) == expected


def test_import_that_fails_half_way_changes_nothing(tmp_path):
    path = tmp_path / "targets.sqlite"
    with open_store(path) as store:
        TargetRegistry(store).add("Mark Twain")
    entries = [{"name": f"Person {i}"} for i in range(500)] + [{"name": "Bad", "kind": "spaceship"}]
    bad = tmp_path / "half.json"
    bad.write_text(json.dumps(entries))
    alu = str(Path(sys.executable).parent / "alu")
    done = subprocess.run([alu, "targets", "import", str(bad), "--store", str(path)], capture_output=True, text=True)
    assert done.returncode == 2 and "entry 501" in done.stderr, done.stderr
    assert names(path) == {"Mark Twain"}


def test_store_survives_a_process_killed_mid_import(tmp_path):
    path = tmp_path / "targets.sqlite"
    with open_store(path) as store:
        TargetRegistry(store).add("Mark Twain")
    big = tmp_path / "big.txt"
    big.write_text("\n".join(f"Imported Person{i}" for i in range(20000)))
    alu = str(Path(sys.executable).parent / "alu")
    proc = subprocess.Popen([alu, "targets", "import", str(big), "--store", str(path)], stderr=subprocess.PIPE)
    time.sleep(1.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    after = names(path)
    assert "Mark Twain" in after
    imported = after - {"Mark Twain"}
    assert len(imported) in (0, 20000), f"a killed import left {len(imported)} of 20000 targets"
    # and the store is still writable
    with open_store(path) as store:
        TargetRegistry(store).add("Leo Tolstoy")
    assert "Leo Tolstoy" in names(path)
