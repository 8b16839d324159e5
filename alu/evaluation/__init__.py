"""Evaluation harness: leak, utility and cost of ALU against baselines (issue 6).

    from alu.evaluation import run_evaluation

    summary = run_evaluation("../shared/data", "smoke", "results/eval-smoke")
    summary.metrics["alu"]["tofu"]["leak_rate"]

Systems (:mod:`.systems`): ``vanilla``, ``prompt``, ``filter``, ``alu-linear``, ``alu``.
Suites (:mod:`.data`): ``rwku``, ``tofu``, and the attacks ``masking``,
``crosslingual``, ``manyshot``, ``injection``; with a suite file's ``wmdp``/``wpu``
sections also ``wmdp`` (:mod:`.wmdp`: WMDP topics, MMLU benign sets, multiple-choice
accuracy) and ``wpu`` (:mod:`.wpu`: WPU's 100 people, asked without their full name). Metrics: :mod:`.metrics`. The command
line is ``alu eval`` (:mod:`.cli`).
"""

from alu.evaluation.benchmark import build_benchmark
from alu.evaluation.config import (
    SUITES,
    SYSTEMS,
    InvalidSuiteError,
    SuiteConfig,
    load_suite,
)
from alu.evaluation.data import Benchmark, DataError, Probe
from alu.evaluation.runner import Summary, run_evaluation

__all__ = [
    "SUITES",
    "SYSTEMS",
    "Benchmark",
    "DataError",
    "InvalidSuiteError",
    "Probe",
    "SuiteConfig",
    "Summary",
    "build_benchmark",
    "load_suite",
    "run_evaluation",
]
