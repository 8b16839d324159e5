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

- ``checker``: the independent leak checker (:mod:`.checker`: plain normalisation and its
  own decoders from the suite's family definitions, apart from the matcher) sees the
  name in the case, and still sees it in the graph's answer.

Run it with ``alu bench adversarial``. The generator (:mod:`.suite`), its family
definitions (:mod:`.families`) and the leak checker (:mod:`.checker`) are apart from the
detector: an import-linter contract keeps :mod:`alu.text`, :mod:`alu.detection`, the
registry and the graph out of them, so the suite can test more than the detector's own
tables know. The measurement (:mod:`.measure`) drives the detector.

May import: :mod:`alu.evaluation.rwku` (the generator); the detection, registry and
graph layers (the measurement only).
"""

from alu.evaluation.adversarial.checker import leak_evidence, leaks_name
from alu.evaluation.adversarial.families import FAMILIES, FAMILY_GROUPS
from alu.evaluation.adversarial.measure import _compromised_model, format_report, measure
from alu.evaluation.adversarial.suite import CONTROLS, FRAMES, SUITE_PATH, TRANSFORMS, generate, load_suite

__all__ = [
    "CONTROLS",
    "FAMILIES",
    "FAMILY_GROUPS",
    "FRAMES",
    "SUITE_PATH",
    "TRANSFORMS",
    "_compromised_model",
    "format_report",
    "generate",
    "leak_evidence",
    "leaks_name",
    "load_suite",
    "measure",
]
