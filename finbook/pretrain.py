"""Shared plumbing for pretraining small models (chapter 23): patches, per-window scaling, task priors.

The models themselves (a patch Transformer for time series, a prior-fitted
network for tables) are written in the chapter; this module holds the pieces
that are not the lesson and that the tests check against hand-computed values.

Time series
    :func:`variance_panel_windows` turns one daily series (a variance proxy and
    its returns) into forecasting windows: the past ``lookback`` days of log
    variance and return, and the log of the mean variance of the next
    ``horizon`` days. :func:`scale_windows` normalises each window by its own
    level and spread (instance normalisation, as in PatchTST and RevIN), so one
    model can read series of any scale; :func:`unscale` maps a forecast back.
    :func:`patches` cuts windows into non-overlapping patches (the tokens).
Tables
    :func:`sample_classification_tasks` draws a batch of synthetic binary
    classification tasks from a prior of random logistic, tree and
    one-hidden-layer network tasks, with label noise and random class balance,
    the training data of a prior-fitted network (Mueller et al. 2022).
    :func:`context_chunks` splits a large training set into contexts no larger
    than the model was trained for.

Pretrained weights
    Pretraining longer than a chapter's budget runs once, by
    ``python -m finbook pretrain NAME`` (:func:`run_pretraining`), which executes
    the chapter's cells tagged ``pretrain`` (the models and their training loops,
    written in the chapter) and writes ``weights/NAME_seedS.npz``, the training log
    ``weights/NAME_log.csv`` and a line per file in ``weights/manifest.csv`` with
    its SHA-256. :func:`load_weights` verifies the checksum and the shapes before
    putting the weights into a freshly built model.

Every function raises ``ValueError`` naming what is wrong (``WeightsError`` for
a missing or corrupted weights file).
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from finbook import paths

__all__ = [
    "PRETRAINED",
    "SEEDLESS",
    "TASK_KINDS",
    "WeightsError",
    "check_context",
    "chapter_namespace",
    "load_weights",
    "run_pretraining",
    "save_weights",
    "weights_path",
    "ScaledWindows",
    "context_chunks",
    "patches",
    "reset_optimizer",
    "sample_classification_tasks",
    "scale_windows",
    "unscale",
    "variance_panel_windows",
]

#: The task families of :func:`sample_classification_tasks`.
TASK_KINDS = ("logistic", "tree", "mlp")


def _int(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


# --------------------------------------------------------------------------- time series
def variance_panel_windows(
    variance: pd.Series,
    returns: pd.Series,
    *,
    lookback: int,
    horizon: int,
) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    """Forecasting windows of one daily series: inputs (log variance, return), target log mean variance.

    Sample *t* holds days t-lookback+1 ... t of ``log(variance)`` and ``returns``
    (shape ``(lookback, 2)``) and the target ``log(mean(variance[t+1 ... t+horizon]))``.
    Windows or targets with a missing value are dropped. Returns ``(x, y, dates)``,
    ``x`` float32 of shape (samples, lookback, 2), ``y`` float32, ``dates`` the origins t.

    >>> idx = pd.date_range("2000-01-03", periods=6, freq="B")
    >>> v = pd.Series([1.0, 2.0, 4.0, 1.0, 1.0, 2.0], idx)
    >>> x, y, d = variance_panel_windows(v, v * 0, lookback=2, horizon=2)
    >>> x.shape, [round(float(t), 4) for t in np.exp(y)], str(d[0].date())
    ((3, 2, 2), [2.5, 1.0, 1.5], '2000-01-04')
    """
    lookback = _int(lookback, "lookback")
    horizon = _int(horizon, "horizon")
    if not isinstance(variance, pd.Series) or not isinstance(returns, pd.Series):
        raise ValueError("variance and returns must be pandas Series with a DatetimeIndex")
    if not variance.index.equals(returns.index):
        raise ValueError("variance and returns must share one index (the same days)")
    if (variance.dropna() <= 0).any():
        raise ValueError(f"variance must be positive to take logs; found {int((variance <= 0).sum())} "
                         "value(s) <= 0 (floor a squared-return proxy first)")
    if len(variance) < lookback + horizon:
        raise ValueError(f"a series of {len(variance)} days is too short for one window of "
                         f"lookback={lookback} days and a target of horizon={horizon} days")
    v = variance.to_numpy(dtype=float)
    target = pd.Series(v).iloc[::-1].rolling(horizon).mean().iloc[::-1].shift(-1).to_numpy()
    feats = np.column_stack([np.log(v), returns.to_numpy(dtype=float)])
    view = np.lib.stride_tricks.sliding_window_view(feats, lookback, axis=0)  # (n-lb+1, 2, lb)
    x = np.transpose(view, (0, 2, 1))
    rows = np.arange(lookback - 1, len(v))
    y = np.log(target[rows])
    ok = ~np.isnan(x).any(axis=(1, 2)) & ~np.isnan(y)
    return (np.ascontiguousarray(x[ok], dtype="float32"), y[ok].astype("float32"),
            pd.DatetimeIndex(variance.index[rows[ok]]))


@dataclass(frozen=True)
class ScaledWindows:
    """Result of :func:`scale_windows`: the scaled inputs and the per-window level and spread."""

    x: np.ndarray
    loc: np.ndarray
    scale: np.ndarray

    def target(self, y: object) -> np.ndarray:
        """A log-variance target on each window's own scale: (y - loc) / scale."""
        y = np.asarray(y, dtype="float32")
        if y.shape != self.loc.shape:
            raise ValueError(f"y has shape {y.shape}, expected {self.loc.shape} (one target per window)")
        return (y - self.loc) / self.scale


def scale_windows(x: object, *, min_scale: float = 0.25) -> ScaledWindows:
    """Normalise each window by its own statistics (instance normalisation).

    ``x`` has shape (samples, lookback, 2): log variance and return. Channel 0
    becomes (log variance - loc) / scale with loc and scale the window's mean and
    standard deviation of log variance (scale floored at ``min_scale``, so a
    flat window is not blown up); channel 1 becomes return / sqrt(mean of the
    window's variance), a return in units of the window's own volatility. Only
    the window itself is used, so the scaling leaks nothing from the future and
    puts every series, whatever its units, on one scale.

    >>> w = np.array([[[0.0, 1.0], [2.0, -1.0]]])
    >>> s = scale_windows(w)
    >>> s.x[0, :, 0].tolist(), float(s.loc[0]), float(s.scale[0])
    ([-1.0, 1.0], 1.0, 1.0)
    """
    x = np.asarray(x, dtype="float32")
    if x.ndim != 3 or x.shape[2] != 2:
        raise ValueError(f"x must have shape (samples, lookback, 2) = (log variance, return); got {x.shape}")
    if x.shape[1] < 2:
        raise ValueError(f"a window needs at least 2 days to have a spread, got lookback {x.shape[1]}")
    if not np.isfinite(x).all():
        raise ValueError("x holds NaN or infinite values")
    if not min_scale > 0:
        raise ValueError(f"min_scale must be positive, got {min_scale}")
    logv = x[:, :, 0]
    loc = logv.mean(axis=1)
    scale = np.maximum(logv.std(axis=1), np.float32(min_scale)).astype("float32")
    vol = np.sqrt(np.exp(logv).mean(axis=1))
    out = np.stack([(logv - loc[:, None]) / scale[:, None], x[:, :, 1] / vol[:, None]], axis=2)
    return ScaledWindows(out.astype("float32"), loc.astype("float32"), scale)


def unscale(prediction: object, scaled: ScaledWindows) -> np.ndarray:
    """A forecast on the windows' own scale back to log variance: loc + scale * prediction."""
    p = np.asarray(prediction, dtype="float32").reshape(-1)
    if p.shape != scaled.loc.shape:
        raise ValueError(f"{p.size} predictions for {scaled.loc.size} windows")
    return scaled.loc + scaled.scale * p


def patches(x: object, patch_len: int) -> np.ndarray:
    """Cut windows (samples, lookback, channels) into non-overlapping patches (the model's tokens).

    Returns (samples, lookback // patch_len, patch_len * channels): patch *k*
    holds days k*patch_len ... (k+1)*patch_len - 1, all channels, day by day.

    >>> patches(np.arange(8.0).reshape(1, 4, 2), 2)[0].tolist()
    [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]
    """
    x = np.asarray(x, dtype="float32")
    patch_len = _int(patch_len, "patch_len")
    if x.ndim != 3:
        raise ValueError(f"x must have shape (samples, lookback, channels), got {x.shape}")
    n, lookback, channels = x.shape
    if lookback < patch_len:
        raise ValueError(f"a window of {lookback} days is too short for one patch of {patch_len} days")
    if lookback % patch_len:
        lower, upper = lookback - lookback % patch_len, lookback + patch_len - lookback % patch_len
        raise ValueError(f"lookback {lookback} is not a multiple of patch_len {patch_len}; "
                         f"use a lookback of {lower} or {upper}")
    return x.reshape(n, lookback // patch_len, patch_len * channels)


# --------------------------------------------------------------------------- tables
def _logistic_labels(rng: np.random.Generator, x: np.ndarray, d: int) -> np.ndarray:
    w = rng.normal(size=d) * (rng.random(d) < 0.7)  # some features are irrelevant
    if not w.any():
        w[rng.integers(d)] = 1.0
    return x[:, :d] @ w / np.sqrt(max((w != 0).sum(), 1))


def _tree_labels(rng: np.random.Generator, x: np.ndarray, d: int) -> np.ndarray:
    depth = int(rng.integers(1, 4))
    leaf = np.zeros(len(x), dtype=int)
    for _ in range(depth):  # an oblivious tree: one split per level, shared by every node
        j, cut = int(rng.integers(d)), rng.normal(scale=0.7)
        leaf = 2 * leaf + (x[:, j] > cut)
    return rng.normal(scale=1.5, size=2 ** depth)[leaf]


def _mlp_labels(rng: np.random.Generator, x: np.ndarray, d: int) -> np.ndarray:
    hidden = int(rng.integers(4, 17))
    w1 = rng.normal(size=(d, hidden)) / np.sqrt(d)
    b1 = rng.normal(scale=0.5, size=hidden)
    w2 = rng.normal(size=hidden) / np.sqrt(hidden)
    return np.tanh(x[:, :d] @ w1 + b1) @ w2 * 2.0


def sample_classification_tasks(
    rng: np.random.Generator,
    n_tasks: int,
    n_rows: int,
    max_features: int,
    *,
    kinds: tuple[str, ...] = TASK_KINDS,
    min_features: int = 2,
    max_flip: float = 0.25,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n_tasks`` synthetic binary classification tasks of ``n_rows`` rows each.

    For each task: a number of features d in [min_features, max_features];
    correlated Gaussian features (a random mixing matrix); a latent score from one
    family of ``kinds`` ("logistic": a sparse linear function; "tree": an
    oblivious tree of depth 1-3 with random leaf values; "mlp": a random
    one-hidden-layer tanh network); a signal strength; a class balance between 10%
    and 50% positives (a cut at a random quantile of the noisy score); and a share
    of labels flipped at random (up to ``max_flip``). Columns beyond d are zero.
    Features are standardised per task. Returns ``x`` float32 of shape
    (n_tasks, n_rows, max_features) and ``y`` float32 of shape (n_tasks, n_rows)
    in {0, 1}; every task has both classes.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator (np.random.default_rng(seed)), "
                         f"got {type(rng).__name__}")
    n_tasks = _int(n_tasks, "n_tasks")
    n_rows = _int(n_rows, "n_rows", 4)
    max_features = _int(max_features, "max_features")
    min_features = _int(min_features, "min_features")
    if min_features > max_features:
        raise ValueError(f"min_features ({min_features}) exceeds max_features ({max_features})")
    unknown = [k for k in kinds if k not in TASK_KINDS]
    if not kinds or unknown:
        raise ValueError(f"kinds must be a non-empty subset of {TASK_KINDS}, got {kinds!r}")
    if not 0 <= max_flip < 0.5:
        raise ValueError(f"max_flip must be in [0, 0.5), got {max_flip}")
    makers = {"logistic": _logistic_labels, "tree": _tree_labels, "mlp": _mlp_labels}
    xs = np.zeros((n_tasks, n_rows, max_features), dtype="float32")
    ys = np.zeros((n_tasks, n_rows), dtype="float32")
    for t in range(n_tasks):
        d = int(rng.integers(min_features, max_features + 1))
        mix = rng.normal(size=(d, d)) * 0.5 + np.eye(d)
        x = rng.normal(size=(n_rows, d)) @ mix
        x = (x - x.mean(axis=0)) / x.std(axis=0)
        kind = kinds[int(rng.integers(len(kinds)))]
        score = makers[kind](rng, x, d) * rng.uniform(0.5, 3.0)
        score = score + rng.logistic(size=n_rows)
        rate = rng.uniform(0.05, 0.5)
        y = (score > np.quantile(score, 1 - rate)).astype("float32")
        flip = rng.random(n_rows) < rng.uniform(0, max_flip)
        y[flip] = 1 - y[flip]
        if y.min() == y.max():  # make sure both classes appear
            y[: n_rows // 2] = 1 - y[0]
        xs[t, :, :d] = x
        ys[t] = y
    return xs, ys


def context_chunks(n_rows: int, max_context: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Split row indices 0..n_rows-1 at random into the fewest near-equal chunks of at most ``max_context``.

    A prior-fitted network is trained with contexts up to some size; a larger
    training set is read as several contexts whose predictions are averaged.

    >>> [len(c) for c in context_chunks(10, 4, np.random.default_rng(0))]
    [4, 3, 3]
    """
    n_rows = _int(n_rows, "n_rows")
    max_context = _int(max_context, "max_context")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator")
    k = -(-n_rows // max_context)
    return [np.sort(c) for c in np.array_split(rng.permutation(n_rows), k)]


def check_context(n_context: int, max_context: int) -> int:
    """``n_context`` if a prior-fitted network trained on contexts up to ``max_context`` rows may read it.

    >>> check_context(100, 192)
    100
    """
    n_context = _int(n_context, "the context size")
    max_context = _int(max_context, "max_context")
    if n_context > max_context:
        raise ValueError(f"a context of {n_context} rows is larger than the {max_context} rows the network "
                         "was pretrained on; split it with context_chunks(n, max_context, rng) and average")
    return n_context


# --------------------------------------------------------------------------- pretrained weights
#: The pretrained models: name -> the chapter that defines them and its function ``pretrain_NAME``.
PRETRAINED: dict[str, str] = {"patch": "23_pretraining", "pfn": "23_pretraining",
                              "scale_w4": "18_model_scale", "scale_w16": "18_model_scale",
                              "scale_w64": "18_model_scale", "scale_w256": "18_model_scale",
                              "option_plain": "15_option_pricing", "option_2d": "15_option_pricing",
                              "option_dml": "15_option_pricing", "option_poly4": "15_option_pricing"}
#: Models with no random seed (a least-squares fit): they are pretrained once, as seed 0.
SEEDLESS: frozenset[str] = frozenset({"option_poly4"})
WEIGHTS_DIR: Path = paths.ROOT / "weights"
_MANIFEST_FIELDS = ("file", "name", "seed", "sha256", "bytes", "parameters")


class WeightsError(RuntimeError):
    """A pretrained weights file is missing, corrupted, or does not fit the model."""


def _check_name(name: str) -> str:
    if name not in PRETRAINED:
        raise ValueError(f"unknown pretrained model {name!r}; known: {sorted(PRETRAINED)}")
    return name


def weights_path(name: str, seed: int, directory: Path | None = None) -> Path:
    """Where the weights of pretrained model ``name`` with ``seed`` live: ``weights/NAME_seedS.npz``."""
    _check_name(name)
    seed = _int(seed, "seed", 0)
    return (WEIGHTS_DIR if directory is None else Path(directory)) / f"{name}_seed{seed}.npz"


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _read_manifest(directory: Path) -> dict[str, dict[str, str]]:
    path = Path(directory) / "manifest.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def save_weights(model: object, name: str, seed: int, directory: Path | None = None) -> Path:
    """Write a Keras model's weights to ``weights/NAME_seedS.npz`` and record its SHA-256 in the manifest."""
    directory = WEIGHTS_DIR if directory is None else Path(directory)
    path = weights_path(name, seed, directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = model.get_weights()
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    path.write_bytes(buffer.getvalue())
    rows = _read_manifest(directory)
    rows[path.name] = {"file": path.name, "name": name, "seed": str(seed), "sha256": _sha256(path),
                       "bytes": str(path.stat().st_size), "parameters": str(sum(a.size for a in arrays))}
    with (directory / "manifest.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=_MANIFEST_FIELDS, lineterminator="\n")
        writer.writeheader()
        for key in sorted(rows):
            writer.writerow(rows[key])
    return path


def load_weights(model: object, name: str, seed: int, directory: Path | None = None) -> object:
    """Put the weights of ``name``/``seed`` into ``model`` after checking file, checksum and shapes.

    Raises :class:`WeightsError` when the file is missing, not in the manifest,
    its SHA-256 differs from the manifest's (a corrupted or hand-edited file), or
    its arrays do not match the model's; re-create the weights with
    ``python -m finbook pretrain NAME``.
    """
    directory = WEIGHTS_DIR if directory is None else Path(directory)
    path = weights_path(name, seed, directory)
    hint = f"re-create it with `python -m finbook pretrain {name}`"
    if not path.exists():
        raise WeightsError(f"no pretrained weights at {path}; {hint}")
    entry = _read_manifest(directory).get(path.name)
    if entry is None:
        raise WeightsError(f"{path.name} is not listed in {directory / 'manifest.csv'}; {hint}")
    digest = _sha256(path)
    if digest != entry["sha256"]:
        raise WeightsError(f"{path.name} is corrupted: its SHA-256 is {digest[:12]}..., the manifest says "
                           f"{entry['sha256'][:12]}...; {hint}")
    with np.load(path) as f:
        arrays = [f[f"arr_{i}"] for i in range(len(f.files))]
    expected = [tuple(w.shape) for w in model.get_weights()]
    got = [tuple(a.shape) for a in arrays]
    if expected != got:
        raise WeightsError(f"{path.name} holds {len(got)} arrays of shapes {got[:4]}..., but the model "
                           f"expects {len(expected)} of shapes {expected[:4]}...; was the model changed? "
                           f"{hint}")
    model.set_weights(arrays)
    return model


def chapter_namespace(chapter: str = "23_pretraining", tag: str = "pretrain") -> dict:
    """Execute the chapter's code cells tagged ``tag`` (its models and training loops) and return their names.

    The pretraining command and the tests run exactly the code the reader sees.
    """
    import jupytext  # noqa: PLC0415

    path = paths.CHAPTERS_DIR / f"{chapter}.py"
    if not path.exists():
        raise ValueError(f"no chapter {path}")
    notebook = jupytext.read(path)
    cells = [c.source for c in notebook.cells if c.cell_type == "code" and tag in c.metadata.get("tags", [])]
    if not cells:
        raise ValueError(f"{path.name} has no code cell tagged {tag!r}")
    namespace: dict = {"__name__": f"finbook_chapter_{chapter}"}
    for source in cells:
        exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - the book's own chapter
    return namespace


def run_pretraining(name: str, seeds: list[int], directory: Path | None = None,
                    **kwargs: object) -> pd.DataFrame:
    """Pretrain ``name`` once per seed with the chapter's ``pretrain_NAME(seed, **kwargs)``; save all.

    ``pretrain_NAME`` returns ``(model, log)`` with ``log`` a DataFrame, one row
    per evaluation. The logs are written to ``weights/NAME_log.csv`` with a
    ``seed`` column and returned. Re-running some seeds replaces their rows and
    keeps the committed rows of the other seeds (the command says which).
    """
    _check_name(name)
    if name in SEEDLESS and list(seeds) != [0]:
        raise ValueError(f"{name} has no random seed: it is fitted once, as seed 0 (use --seeds 0), "
                         f"not for {seeds}")
    directory = WEIGHTS_DIR if directory is None else Path(directory)
    namespace = chapter_namespace(PRETRAINED[name])
    fn = namespace.get(f"pretrain_{name}")
    if fn is None:
        raise ValueError(f"chapter {PRETRAINED[name]} defines no pretrain_{name}() in its 'pretrain' cells")
    logs = []
    for seed in seeds:
        start = time.perf_counter()
        model, log = fn(seed, **kwargs)
        seconds = time.perf_counter() - start
        save_weights(model, name, seed, directory)
        logs.append(log.assign(seed=seed))
        print(f"{name} seed {seed}: {len(log)} evaluations, {seconds:.1f} s, "
              f"last {dict(log.iloc[-1].round(4))}", flush=True)
    out = pd.concat(logs, ignore_index=True)
    log_path = directory / f"{name}_log.csv"
    if log_path.exists():  # keep the other seeds' committed rows: nothing is silently dropped
        kept = pd.read_csv(log_path)
        if "seed" not in kept.columns:
            raise ValueError(f"{log_path} has no 'seed' column, so its rows cannot be kept beside the new "
                             "ones; move it away and pretrain every seed")
        kept = kept[~kept["seed"].isin(seeds)]
        if len(kept):
            print(f"{log_path.name}: kept the rows of seeds {sorted(kept['seed'].unique().tolist())}, "
                  f"replaced those of {sorted(seeds)}", flush=True)
            out = pd.concat([kept, out], ignore_index=True)
            out = out.sort_values("seed", kind="stable", ignore_index=True)
    out.to_csv(log_path, index=False, float_format="%.8g")
    return out


def reset_optimizer(model: object) -> object:
    """Zero a compiled Keras model's optimizer state (step count, moments), keeping its learning rate.

    Refitting one network object many times (new weights each time) reuses the
    training step that :func:`finbook.training.fit` traced for it, instead of
    tracing a new one per fit; the optimizer must then start afresh.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("the model has no optimizer; compile it first")
    for v in optimizer.variables:
        if "learning_rate" not in v.path:
            v.assign(np.zeros(v.shape, dtype=v.dtype))
    return model
