"""``python -m alu.evaluation.adversarial DATA_DIR``: regenerate the committed suite."""

from alu.evaluation.adversarial.suite import _main

_main()
