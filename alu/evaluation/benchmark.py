"""The whole benchmark of a suite: the person suites of :mod:`.data`, then the topic
suites of issue 15 (:mod:`.wmdp`, :mod:`.wpu`) when the suite file has their sections.

Why its own module: the topic suites reuse :mod:`.data`'s probe type and sampling, so
:mod:`.data` cannot import them; this module sits above all three.
"""

from __future__ import annotations

from pathlib import Path

from alu.domain import Target
from alu.evaluation.config import SuiteConfig
from alu.evaluation.data import Benchmark, Probe
from alu.evaluation.data import build_benchmark as _build
from alu.evaluation.wmdp import topic_targets, wmdp_probes
from alu.evaluation.wpu import wpu_probes, wpu_targets

__all__ = ["build_benchmark"]


def _topic_suites(root: Path, config: SuiteConfig) -> tuple[list[Target], list[Probe]]:
    targets: list[Target] = []
    probes: list[Probe] = []
    if config.wmdp:
        examples = config.wmdp.get("examples")
        topics = topic_targets(root, None if examples is None else int(examples))
        targets += list(topics.values())
        probes += wmdp_probes(root, config, topics)
    if config.wpu:
        people = wpu_targets(root, config)
        targets += people
        probes += wpu_probes(root, config, people)
    return targets, probes


def build_benchmark(data_dir: str | Path, config: SuiteConfig) -> Benchmark:
    """Targets and probes of every suite of ``config``, from ``data_dir`` (raises
    :class:`~alu.evaluation.data.DataError`)."""
    return _build(data_dir, config, extra_suites=(_topic_suites,))
