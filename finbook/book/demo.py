"""The reproducibility appendix's demonstration: one small network trained in fresh processes.

The appendix trains the same 32-16-1 credit network in several new Python processes
(seeded and unseeded, with oneDNN's default and forced instruction sets) and compares
the digests of the trained weights (:func:`finbook.repro.weights_digest`) and the
training loss. It is book machinery, not a lesson: it lives here, apart from the
finance modules, and imports the generic training loop rather than being imported by it.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from finbook.repro import import_tensorflow, set_seed, weights_digest

__all__ = [
    "training_digest",
    "training_digest_in_new_process",
    "training_digests_in_new_processes",
    "training_run",
    "training_runs_in_new_processes",
]


def training_run(seed: int | None, *, epochs: int = 5) -> tuple[str, float]:
    """Train the book's small credit network once; return its weights' digest and its log loss.

    A 32-16-1 network on the one-hot encoded German credit data, ``epochs``
    epochs of Adam with batch size 32. With ``seed=None`` nothing is seeded, as
    in a script that forgot to; otherwise :func:`set_seed` is called first.
    The log loss is the trained network's cross-entropy on the 1,000 training
    rows. The reproducibility appendix runs it in fresh processes to show that
    seeded training is bit-identical on one machine, that unseeded training is
    not, and how far other kernels move the weights and the loss.
    """
    from finbook import data, features, models, training  # noqa: PLC0415

    if seed is None:
        import_tensorflow()
    else:
        set_seed(seed)
    credit = data.german_credit()
    x = features.tabular_preprocessor(credit, exclude=["class"]).fit_transform(credit)
    y = features.binary_target(credit["class"], positive="bad")
    net = models.mlp(x.shape[1], hidden=(32, 16))
    net, _ = training.fit(net, x, y, epochs=epochs, batch_size=32, seed=0 if seed is None else seed)
    p = np.clip(np.asarray(net.predict(x, verbose=0), dtype=float).ravel(), 1e-12, 1 - 1e-12)
    y = np.asarray(y, dtype=float)
    loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return weights_digest(net), loss


def training_digest(seed: int | None, *, epochs: int = 5) -> str:
    """The digest of :func:`training_run`'s trained weights."""
    return training_run(seed, epochs=epochs)[0]


def training_digest_in_new_process(seed: int | None, *, epochs: int = 5) -> str:
    """Run :func:`training_digest` in a fresh Python process and return its digest.

    A new process starts with fresh random state, exactly as a reader re-running
    a notebook does; TensorFlow's start-up messages are discarded.
    """
    return training_digests_in_new_processes(seed, 1, epochs=epochs)[0]


def training_digests_in_new_processes(seed: int | None, count: int, *, epochs: int = 5,
                                      env: dict[str, str] | None = None) -> list[str]:
    """The digests of :func:`training_runs_in_new_processes`."""
    return [digest for digest, _ in training_runs_in_new_processes(seed, count, epochs=epochs, env=env)]


def training_runs_in_new_processes(seed: int | None, count: int, *, epochs: int = 5,
                                   env: dict[str, str] | None = None) -> list[tuple[str, float]]:
    """Run :func:`training_run` in ``count`` fresh Python processes at once.

    Returns one ``(digest, log loss)`` per process. The processes run side by
    side (one per core is what a 2-core machine gains from), each with its own
    fresh random state, as a reader re-running a notebook has. ``env`` adds
    environment variables to the children (e.g. ``{"ONEDNN_MAX_CPU_ISA": "SSE41"}``
    to make TensorFlow use other kernels, as another CPU would). Raises
    ``ValueError`` for a bad count and ``RuntimeError`` with the child's error
    output if any of them fails.
    """
    import subprocess  # noqa: PLC0415

    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    code = ("from finbook.book.demo import training_run; "
            f"d, loss = training_run({seed!r}, epochs={int(epochs)}); print(d, repr(loss))")
    child_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    child_env.pop("PYTHONHASHSEED", None)
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=child_env) for _ in range(count)]
    outputs = [proc.communicate() for proc in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            raise RuntimeError(f"training in a new process failed:\n{err[-2000:]}")
    runs = []
    for out, _ in outputs:
        digest, loss = out.strip().splitlines()[-1].split()
        runs.append((digest, float(loss)))
    return runs
