"""What a query costs besides time: prompt tokens (the auditor's judge prompt against
the paper's linear prompt) and the process's memory."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable

from alu.domain import Target
from alu.local_model import bundled_model_path
from alu.nodes.auditor import judge_prompts
from alu.prompts import render

__all__ = ["judge_messages", "linear_messages", "rss_mb", "token_counter"]


def token_counter() -> tuple[str, Callable[[str], int]]:
    """The best offline token counter: ``tiktoken``'s cl100k_base when its file is already
    cached (it is never downloaded here), else the bundled local model's tokenizer
    (SmolLM2's BPE, read from the GGUF with ``llama-cpp-python``), else an estimate of one
    token per 4 characters."""
    try:
        import tiktoken
        import tiktoken.load as tiktoken_load

        def no_download(*_args, **_kwargs):
            raise OSError("not cached, and this benchmark does not download")

        original = tiktoken_load.read_file
        tiktoken_load.read_file = no_download
        try:
            encoding = tiktoken.get_encoding("cl100k_base")
        finally:
            tiktoken_load.read_file = original
        return "tiktoken cl100k_base", lambda text: len(encoding.encode(text, disallowed_special=()))
    except Exception:  # not installed, or the encoding file is not cached
        pass
    try:
        import llama_cpp

        with _quiet_stderr():
            vocab = llama_cpp.Llama(model_path=str(bundled_model_path()), vocab_only=True, verbose=False)
        return "SmolLM2 BPE (bundled model)", lambda text: len(
            vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        )
    except Exception:  # the local extra is not installed
        pass
    return "estimate (characters / 4)", lambda text: max(1, round(len(text) / 4))


class _quiet_stderr:
    """Silence C-level stderr (llama.cpp prints load notes) for a ``with`` block."""

    def __enter__(self):
        sys.stderr.flush()
        self._saved = os.dup(2)
        self._null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(self._null, 2)
        return self

    def __exit__(self, *exc):
        os.dup2(self._saved, 2)
        os.close(self._saved)
        os.close(self._null)
        return False


def judge_messages(question: str, draft: str, candidates: list[Target]) -> list[str]:
    """The judge's system and user prompts, from the auditor's own builder."""
    return list(judge_prompts(question, draft, candidates))


def linear_messages(question: str, draft: str, targets: Iterable[Target | dict]) -> list[str]:
    """The paper's approach: the same judge prompt with every target's name listed."""
    listing = "\n".join(f"- {t['name'] if isinstance(t, dict) else t.name}" for t in targets)
    return [
        render("auditor_system"),
        render("auditor_user", candidates=listing, window="", question=question, draft=draft),
    ]


def rss_mb() -> float:
    """This process's resident memory now, in MB (psutil, else /proc, else peak RSS)."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        pass
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource  # Unix only

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10
