"""Reproducibility: seeds, a quiet TensorFlow import and a report of the environment.

Every chapter calls :func:`set_seed` once, in its parameters cell's neighbour, so
that re-executing a notebook gives the same numbers to the last digit.

Example
-------
>>> from finbook import repro
>>> repro.set_seed(42, keras=False)
>>> import numpy as np
>>> float(np.random.default_rng(42).random()) == float(np.random.default_rng(42).random())
True
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.metadata
import os
import platform
import random
import sys
from collections.abc import Iterator
from types import ModuleType

import numpy as np
import pandas as pd

__all__ = [
    "KEY_PACKAGES",
    "ONEDNN_ISA",
    "environment_report",
    "import_tensorflow",
    "set_seed",
    "silenced_stderr",
    "weights_digest",
]

#: The highest instruction set TensorFlow's oneDNN kernels may use, unless the
#: environment variable ``ONEDNN_MAX_CPU_ISA`` says otherwise. oneDNN picks its
#: kernels by CPU: measured on one machine, a small Keras network trained to three
#: different sets of weights with the default (AVX-512), AVX2 and SSE4.1 kernels.
#: Capping at AVX2 makes laptops with and without AVX-512 run the same kernels.
ONEDNN_ISA = "AVX2"

#: TensorFlow's thread pools (intra-op and inter-op). The book's networks are small: on
#: a mini-batch of 128 rows a 3x64 network's matrix products take microseconds, and
#: handing them between threads costs more than it saves. Measured on 2 cores, chapter
#: 15 ran in 87 s with one thread per pool and 126 s with TensorFlow's default (one per
#: core), with bit-identical outputs. Not every kernel is indifferent: chapter 4's 1-D
#: convolution rounds differently with one thread (a QLIKE moved in the fourth significant
#: digit), so the notebooks are executed with this setting. Set ``TF_NUM_INTRAOP_THREADS`` and
#: ``TF_NUM_INTEROP_THREADS`` before the first import to choose otherwise.
TF_THREADS = 1

#: TensorFlow's inter-op pool: the threads that run *independent* operations side by side.
#: One network's step is a chain of dependent operations, and for it a second thread only
#: costs (chapter 5 ran about 4% slower with two, measured twice). :func:`finbook.training.fit_many`
#: puts several networks' steps in one graph; with two inter-op threads it trains two of them
#: at once on two cores (five 3x64 networks: 0.225 s against 0.44 s per epoch of 40,000 rows),
#: with bit-identical results, since each operation still runs on one intra-op thread. A
#: chapter that uses it asks for them with :func:`tensorflow_threads` before TensorFlow loads.
TF_INTEROP_THREADS = 1


def tensorflow_threads(inter_op: int) -> int:
    """Ask for ``inter_op`` inter-op threads in TensorFlow; call it before anything imports TensorFlow.

    Returns the number in effect. Once TensorFlow is loaded its pools are fixed: asking for a different
    number then raises, naming the fix (restart the kernel and call this first), instead of being
    silently ignored.

    Example
    -------
    >>> tensorflow_threads(1) if "tensorflow" not in sys.modules else 1
    1
    """
    if isinstance(inter_op, bool) or not isinstance(inter_op, int) or inter_op < 1:
        raise ValueError(f"inter_op must be a positive integer, got {inter_op!r}")
    if "tensorflow" in sys.modules:
        current = int(os.environ.get("TF_NUM_INTEROP_THREADS", TF_INTEROP_THREADS))
        if current != inter_op:
            raise RuntimeError(f"TensorFlow is already loaded with {current} inter-op thread(s), and "
                               "its pools cannot change; restart the kernel and call "
                               f"tensorflow_threads({inter_op}) first")
        return current
    os.environ["TF_NUM_INTEROP_THREADS"] = str(inter_op)
    return inter_op

#: Packages whose versions the reproducibility appendix reports.
KEY_PACKAGES: tuple[str, ...] = (
    "finbook",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "tensorflow-cpu",
    "keras",
    "arch",
    "statsmodels",
    "QuantLib",
    "optbinning",
    "matplotlib",
    "jupyter-book",
    "myst-nb",
    "papermill",
    "jupytext",
    "nbclient",
)


@contextlib.contextmanager
def silenced_stderr() -> Iterator[None]:
    """Point file descriptor 2 at ``/dev/null`` for the duration of the block.

    TensorFlow's C++ runtime writes its oneDNN banner and log lines straight to
    file descriptor 2, bypassing ``sys.stderr``; only redirecting the descriptor
    itself keeps them out of notebook outputs. Python-level writes to
    ``sys.stderr`` inside the block are silenced too.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        with contextlib.redirect_stderr(open(os.devnull, "w")):  # noqa: SIM115
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow() -> ModuleType:
    """Import TensorFlow without its start-up banner and return the module.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (errors only) and, unless already set,
    ``ONEDNN_MAX_CPU_ISA`` to :data:`ONEDNN_ISA` and TensorFlow's thread pools to
    :data:`TF_THREADS` (intra-op) and :data:`TF_INTEROP_THREADS` (inter-op) threads
    before the first import, and
    silences file descriptor 2 while the C++ runtime loads. Later calls return
    the already-imported module.

    Example
    -------
    >>> tf = import_tensorflow()  # doctest: +SKIP
    >>> tf.constant(1.0).numpy()  # doctest: +SKIP
    1.0
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("ONEDNN_MAX_CPU_ISA", ONEDNN_ISA)
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(TF_THREADS))
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", str(TF_INTEROP_THREADS))
    with silenced_stderr():
        tf = importlib.import_module("tensorflow")
        importlib.import_module("keras")
        tf.get_logger().setLevel("ERROR")
        try:
            import absl.logging  # noqa: PLC0415

            absl.logging.set_verbosity(absl.logging.ERROR)
        except ImportError:  # pragma: no cover - absl ships with tensorflow
            pass
    return tf


def set_seed(seed: int, *, keras: bool = True) -> None:
    """Seed every random number generator a chapter uses.

    Seeds Python's :mod:`random`, NumPy's legacy global generator and, when
    ``keras`` is true, Keras and TensorFlow (``keras.utils.set_random_seed``),
    and switches on TensorFlow op determinism so that training is bit-identical
    across runs and processes on the same machine.

    Parameters
    ----------
    seed : int
        A non-negative integer below 2**32.
    keras : bool
        Also import (quietly) and seed TensorFlow/Keras. Chapters that never
        train a network pass ``False`` and skip the 3-second import.

    Example
    -------
    >>> set_seed(0, keras=False)
    >>> a = np.random.rand()
    >>> set_seed(0, keras=False)
    >>> a == np.random.rand()
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r} of type {type(seed).__name__}")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    if keras:
        tf = import_tensorflow()
        import keras as _keras  # noqa: PLC0415

        _keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()


def weights_digest(model: object, *, length: int = 16) -> str:
    """Return a short SHA-256 digest of a Keras model's weights.

    Two models with bit-identical weights have the same digest; any difference
    in any weight, however small, changes it.

    Example
    -------
    >>> weights_digest(model)  # doctest: +SKIP
    '3f1c0a9e2b7d4c11'
    """
    weights = getattr(model, "get_weights", None)
    if weights is None:
        raise TypeError(f"expected a Keras model with get_weights(), got {type(model).__name__}")
    h = hashlib.sha256()
    for w in weights():
        arr = np.ascontiguousarray(w)
        h.update(str(arr.dtype).encode())
        h.update(str(arr.shape).encode())
        h.update(arr.tobytes())
    return h.hexdigest()[:length]


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment_report(packages: tuple[str, ...] = KEY_PACKAGES) -> pd.DataFrame:
    """Describe the machine and the package versions a notebook ran with.

    Returns a two-column table (``item``, ``value``): Python version, operating
    system, CPU, core count, memory, then one row per package. No file-system
    paths are reported.

    Example
    -------
    >>> report = environment_report(("numpy",))
    >>> list(report.columns)
    ['item', 'value']
    """
    rows: list[tuple[str, str]] = [
        ("Python", platform.python_version()),
        ("Implementation", platform.python_implementation()),
        ("Operating system", f"{platform.system()} {platform.release()}"),
        ("Machine", platform.machine()),
        ("CPU", _cpu_name()),
        ("CPU cores (logical)", str(os.cpu_count())),
        ("Memory (GiB)", _memory_gib()),
    ]
    rows += [(name, _version(name)) for name in packages]
    return pd.DataFrame(rows, columns=["item", "value"])


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> str:
    try:
        import psutil  # noqa: PLC0415

        return f"{psutil.virtual_memory().total / 2**30:.1f}"
    except ImportError:  # pragma: no cover
        return "unknown"
