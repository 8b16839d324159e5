"""Package discovery: every package under alu/, plus the three top-level folders installed
under ``alu`` (``graph/`` -> ``alu.graph``, ``nodes/`` -> ``alu.nodes``, ``prompts/`` ->
``alu.prompts``) and their subpackages. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

MAPPED = {"alu.graph": "graph", "alu.nodes": "nodes", "alu.prompts": "prompts"}

packages = find_packages(include=["alu", "alu.*"])
for name, folder in MAPPED.items():
    packages += [name, *(f"{name}.{sub}" for sub in find_packages(where=folder))]

setup(packages=packages, package_dir={"alu": "alu", **MAPPED})
