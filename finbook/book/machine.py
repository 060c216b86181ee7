"""Where a notebook was executed: CPU, instruction sets in use, threads and package versions.

``python -m finbook execute`` stores :func:`machine_record` in each notebook's
metadata (``metadata.finbook.executed_on``), not in its outputs, so that a
difference can be traced to the machine that made it. The notebook check
(:mod:`finbook.book.nbcheck`) compares outputs exactly when the current machine's
:func:`fingerprint` equals the committed one, and within each cell's stated
tolerance otherwise.

Example
-------
>>> record = machine_record(probe_onednn=False)
>>> sorted(fingerprint(record))[:3]
['cpu', 'cpu_flags_sha256', 'cpu_id']
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
from typing import Any

__all__ = [
    "ENVIRONMENT_VARIABLES",
    "FINGERPRINT_PACKAGES",
    "fingerprint",
    "machine_record",
    "onednn_isa",
]

#: Packages whose versions can change a printed number; a change in any of them
#: makes the notebook check compare within tolerance instead of exactly.
FINGERPRINT_PACKAGES: tuple[str, ...] = (
    "numpy", "scipy", "pandas", "scikit-learn", "statsmodels", "arch", "tensorflow-cpu",
    "tensorflow", "keras", "QuantLib", "optbinning", "matplotlib", "dp-accounting",
)
#: Environment variables that choose kernels or thread counts.
ENVIRONMENT_VARIABLES: tuple[str, ...] = (
    "ONEDNN_MAX_CPU_ISA", "TF_ENABLE_ONEDNN_OPTS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS", "PYTHONHASHSEED",
)
_SIMD = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile")


def _cpuinfo() -> dict[str, str]:
    info: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    break  # the first processor is enough
                key, _, value = line.partition(":")
                info[key.strip()] = value.strip()
    except OSError:
        pass
    return info


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _blas() -> dict[str, str]:
    """OpenBLAS kernel family in use for each library that loads one (e.g. Haswell, SkylakeX)."""
    try:
        import numpy  # noqa: F401, PLC0415 - load the BLAS libraries first
        import scipy.linalg  # noqa: F401, PLC0415
        from threadpoolctl import threadpool_info  # noqa: PLC0415
    except ImportError:  # pragma: no cover - both ship with the book's requirements
        return {}
    found = {}
    for lib in threadpool_info():
        if lib.get("user_api") != "blas":
            continue
        owner = "scipy" if "scipy.libs" in lib.get("filepath", "") else "numpy"
        found[owner] = f"{lib.get('internal_api')} {lib.get('version')} {lib.get('architecture')}"
    return dict(sorted(found.items()))


def _threads() -> dict[str, int | None]:
    out: dict[str, int | None] = {"cpu_count": os.cpu_count()}
    try:
        from threadpoolctl import threadpool_info  # noqa: PLC0415

        for lib in threadpool_info():
            out[f"{lib.get('user_api')}:{lib.get('internal_api')}"] = lib.get("num_threads")
    except ImportError:  # pragma: no cover
        pass
    return out


def onednn_isa(timeout: float = 120.0) -> str:
    """The instruction set oneDNN dispatches to for TensorFlow, as oneDNN reports it.

    Trains a tiny Keras model in a fresh process with ``ONEDNN_VERBOSE=1`` (the
    current environment, so ``ONEDNN_MAX_CPU_ISA`` is honoured) and reads the
    ``isa:`` line; about five seconds. Returns ``"unknown"`` if TensorFlow is
    missing or oneDNN prints nothing.
    """
    code = ("import finbook.repro as r; tf = r.import_tensorflow(); import keras; "
            "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]); m.compile('sgd', 'mse'); "
            "m.fit(tf.ones((8, 4)), tf.ones((8, 2)), verbose=0)")
    env = {**os.environ, "ONEDNN_VERBOSE": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    match = re.search(r"onednn_verbose,[^\n]*,isa:([^\n]+)", res.stdout + res.stderr)
    return match.group(1).strip() if match else "unknown"


def machine_record(*, probe_onednn: bool = True) -> dict[str, Any]:
    """Describe this machine and software as a JSON-ready dict (no file-system paths)."""
    info = _cpuinfo()
    flags = info.get("flags", "").split()
    cpu_id = " ".join(f"{k} {info[k]}" for k in ("vendor_id", "cpu family", "model", "stepping")
                      if k in info)
    return {
        "cpu": info.get("model name") or platform.processor() or "unknown",
        "cpu_id": cpu_id or platform.machine(),
        "cpu_flags_sha256": hashlib.sha256(" ".join(sorted(flags)).encode()).hexdigest()[:16],
        "simd": [f for f in _SIMD if f in flags],
        "openblas": _blas(),
        "onednn_isa": onednn_isa() if probe_onednn else "not probed",
        "threads": _threads(),
        "environment": {k: os.environ[k] for k in ENVIRONMENT_VARIABLES if k in os.environ},
        "python": platform.python_version(),
        "packages": {p: v for p in FINGERPRINT_PACKAGES if (v := _version(p)) is not None},
    }


def fingerprint(record: dict[str, Any]) -> dict[str, Any]:
    """The part of a machine record that decides whether outputs can be bit-identical.

    CPU model and features, the BLAS and oneDNN kernels in use, Python and the
    numerical packages. Thread counts are left out: changing them between 2 and 8
    was measured to change no printed number (TensorFlow, OpenMP and OpenBLAS); the
    book runs TensorFlow with one intra-op thread (:data:`finbook.repro.TF_THREADS`),
    which does move chapter 4's convolution in its last digits, and one inter-op thread
    (two in chapter 15, :func:`finbook.repro.tensorflow_threads`), which only schedules
    independent operations.
    """
    keys = ("cpu", "cpu_id", "cpu_flags_sha256", "openblas", "onednn_isa", "python", "packages")
    return {k: record.get(k) for k in keys}
