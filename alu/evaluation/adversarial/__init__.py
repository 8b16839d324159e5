"""The adversarial suite: names hidden in an answer, and how many the deterministic layer blocks.

Why it exists: the promise is that a direct or obfuscated mention of a flagged target
never leaves the graph, whatever the models say. This suite makes the promise
measurable. Each *case* is an answer text that hides one target's name one way
(look-alike letters, leetspeak, spaced or spelled letter by letter, written backwards,
invisible characters, full-width or mathematical letters, a longer first name, the name
in another script ...), wrapped in a sentence that also carries a prompt injection aimed
at the auditor and critic. *Controls* are answers that must not be blocked.

The suite is committed (``suites/adversarial.json``); :func:`generate` rebuilds it from
RWKU and TOFU names in ``../shared/data`` with a fixed seed. :func:`measure` reports, per
obfuscation:

- ``registry``: the auditor's deterministic stage over the whole suite registry flags the
  target outright (a direct match: no model asked);
- ``registry_or_judge``: flagged outright or shortlisted as a candidate for the judge;
- ``strict``: the checks that run after the agents (critic cap, composer's final check,
  :func:`alu.detection.strict_mentions`) block it;
- ``graph``: the compiled graph, driven by a *compromised* model (every agent does the
  worst: the draft carries the hidden name, the judge sees nothing, every rewrite keeps
  the name, the critic rates 5), answers with the refusal.

Run it with ``alu bench adversarial``. The generator (:mod:`.suite`) and the measurement
(:mod:`.measure`) are apart: the suite knows nothing of the detector it tests.

May import: :mod:`alu.text` (the generator), the detection, registry and graph layers
(the measurement), :mod:`alu.evaluation.rwku`.
"""

from alu.evaluation.adversarial.measure import _compromised_model, format_report, measure
from alu.evaluation.adversarial.suite import CONTROLS, FRAMES, SUITE_PATH, TRANSFORMS, generate, load_suite

__all__ = [
    "CONTROLS",
    "FRAMES",
    "SUITE_PATH",
    "TRANSFORMS",
    "_compromised_model",
    "format_report",
    "generate",
    "load_suite",
    "measure",
]
