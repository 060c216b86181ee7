"""The book's one training loop: every network in every chapter is trained by :func:`fit`.

A chapter writes what it teaches — the network, its loss and, where the lesson
is the update itself (chapter 15's pricing step, chapter 21's DP-SGD step), its
training step — and hands them to :func:`fit`, which does the plumbing the
same way everywhere:

* **mini-batches** drawn from ``numpy.random.default_rng(seed)``: a fresh
  permutation of the rows each epoch (``batches="shuffle"``, the last short
  batch kept) or Poisson sampling, each row joining each batch with
  probability ``batch_size / n`` (``batches="poisson"``, as DP-SGD's privacy
  accounting assumes);
* **one traced step** per mini-batch (``tf.function``), so the small tabular
  networks of the book do not pay Keras ``Model.fit``'s per-epoch overhead;
* **validation** after every epoch (or every ``eval_every`` steps), **early
  stopping** after ``patience`` evaluations without improvement, and the
  **best weights restored** at the end;
* a **history** as plain lists: ``loss`` (mean training loss of the epoch's
  batches), ``val_loss``, ``best_epoch`` (1-based) and ``epochs`` run.

The network's initial weights come from the seed set *before* it is built
(:func:`finbook.repro.set_seed`); ``seed`` here fixes the order of the
mini-batches. Dropout draws from TensorFlow's global generator, which
``set_seed`` also fixes.

Example
-------
>>> from finbook import models, repro, training
>>> import numpy as np
>>> repro.set_seed(0)
>>> net = models.mlp(n_inputs=2, hidden=(4,), output="linear")
>>> x = np.random.default_rng(0).normal(size=(64, 2)); y = x.sum(axis=1)
>>> net, history = training.fit(net, x, y, epochs=3, batch_size=16)
>>> len(history["loss"]), history["epochs"]
(3, 3)
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from finbook.repro import import_tensorflow

__all__ = ["fit", "fit_many", "minibatch_order"]

_BATCHES = ("shuffle", "poisson")


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _as_inputs(x: object, name: str) -> tuple[list[np.ndarray], int, bool]:
    """``x`` as float32 arrays (one per model input), their row count, and whether it was a list."""
    several = isinstance(x, (list, tuple))
    parts = [np.asarray(p, dtype="float32") for p in (x if several else [x])]
    if not parts:
        raise ValueError(f"{name} is an empty list; expected one array per model input")
    lengths = {len(p) for p in parts}
    if len(lengths) != 1:
        raise ValueError(f"all arrays of {name} must have the same number of rows, got {sorted(lengths)}")
    for p in parts:
        if not np.isfinite(p).all():
            raise ValueError(f"{name} contains NaN or infinite values; clean or impute them before training")
    return parts, lengths.pop(), several


def _as_targets(y: object, n: int, name: str) -> np.ndarray:
    yy = np.asarray(y, dtype="float32")
    if yy.ndim == 1:
        yy = yy[:, None]
    if len(yy) != n:
        raise ValueError(f"{name} has {len(yy)} rows but the inputs have {n}; give one target per row")
    if not np.isfinite(yy).all():
        raise ValueError(f"{name} contains NaN or infinite values; drop those rows before training")
    return yy


def minibatch_order(n: int, batch_size: int, *, rng: np.random.Generator,
                    batches: str = "shuffle") -> list[np.ndarray]:
    """The row indices of one epoch's mini-batches.

    ``"shuffle"``: a permutation of ``range(n)`` cut into batches of
    ``batch_size`` (the last may be shorter). ``"poisson"``: ``round(n /
    batch_size)`` batches, each row in each batch independently with
    probability ``batch_size / n`` (sizes vary; a batch may be empty).
    """
    n, batch_size = _positive_int(n, "n"), _positive_int(batch_size, "batch_size")
    if batches == "shuffle":
        order = rng.permutation(n)
        return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    if batches == "poisson":
        q = min(1.0, batch_size / n)
        return [np.flatnonzero(rng.random(n) < q) for _ in range(max(1, round(n / batch_size)))]
    raise ValueError(f"batches must be one of {_BATCHES}, got {batches!r}")


def _loss_function(model: Any, loss: Callable | str | None) -> Callable:
    import keras  # noqa: PLC0415

    if loss is None:
        loss = getattr(model, "loss", None)
        if loss is None:
            raise ValueError("the model has no compiled loss; pass loss=... (a function of y_true, y_pred) "
                             "or compile the model")
    fn = keras.losses.get(loss) if isinstance(loss, str) else loss

    def mean_loss(y_true, y_pred):
        return keras.ops.mean(fn(y_true, y_pred))

    return mean_loss


def _get_weights(model: Any) -> list[np.ndarray]:
    if hasattr(model, "get_weights"):
        return model.get_weights()
    return [v.numpy() for v in model.variables]


def _set_weights(model: Any, weights: list[np.ndarray]) -> None:
    if hasattr(model, "set_weights"):
        model.set_weights(weights)
    else:
        for v, w in zip(model.variables, weights, strict=True):
            v.assign(w)


# One traced training chunk and one traced validation loss per (model, step, loss, val_loss,
# number of inputs), reused across calls: cross-validation refits the same network many
# times, and tracing costs about half a second a time. The cache holds the functions it
# was given, so their ids cannot be reused by other objects while the entry lives.
_TRACED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _step_or_default(model: Any, step: Callable | None, mean_loss: Callable | None) -> Callable:
    """``step``, or the default one: the gradient of ``mean_loss`` (plus the layers' L2 terms) applied by
    the model's optimizer."""
    if step is not None:
        return step
    tf = import_tensorflow()
    if getattr(model, "optimizer", None) is None:
        raise ValueError("the model has no optimizer; compile it or pass step=...")
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)

    def default_step(net, xb, yb):
        weights = net.trainable_variables
        with tf.GradientTape() as tape:
            value = mean_loss(yb, net(xb, training=True))
            penalty = tf.add_n(net.losses) if net.losses else 0.0  # L2 terms of the layers
            total = value + penalty
        net.optimizer.apply_gradients(zip(tape.gradient(total, weights), weights, strict=True))
        return value

    return default_step


def _traced(model: Any, step: Callable | None, loss: Callable | str | None,
            val_loss: Callable | None, several: bool) -> tuple[Callable, Callable]:
    tf = import_tensorflow()
    given = (step, loss, val_loss)
    key = (*(id(g) for g in given), several)
    try:
        entries = _TRACED.setdefault(model, {})
    except TypeError:  # an object that cannot be weakly referenced: no cache
        entries = {}
    if key in entries:
        return entries[key][0], entries[key][1]

    def model_input(parts):
        return list(parts) if several else parts[0]

    mean_loss = _loss_function(model, loss) if step is None or val_loss is None else None
    step = _step_or_default(model, step, mean_loss)

    if val_loss is None:
        def val_loss(net, xx, yy):
            return mean_loss(yy, net(xx, training=False))

    def train_one(k, total, flat, bounds, xt, yt):
        idx = flat[bounds[k]:bounds[k + 1]]
        value = step(model, model_input([tf.gather(p, idx) for p in xt]), tf.gather(yt, idx))
        weight = tf.cast(bounds[k + 1] - bounds[k], tf.float64)
        return k + 1, total + tf.cast(value, tf.float64) * weight

    # One graph call trains a whole chunk of batches (an epoch, or eval_every steps): an explicit
    # while loop over the batches' boundaries in a flat index array, no Python between steps.
    @tf.function(autograph=False, reduce_retracing=True)
    def train_chunk(flat, bounds, xt, yt):
        n_batches = tf.shape(bounds)[0] - 1
        _, total = tf.while_loop(lambda k, total: k < n_batches,
                                 lambda k, total: train_one(k, total, flat, bounds, xt, yt),
                                 (tf.constant(0), tf.constant(0.0, tf.float64)))
        return total

    @tf.function(autograph=False, reduce_retracing=True)
    def val_fn(xv, yv):
        return val_loss(model, model_input(xv), yv)

    entries[key] = (train_chunk, val_fn, given)
    return train_chunk, val_fn


def fit(
    model: Any,
    x: object,
    y: object,
    *,
    epochs: int | None = None,
    steps: int | None = None,
    batch_size: int = 256,
    loss: Callable | str | None = None,
    step: Callable | None = None,
    validation_data: tuple[object, object] | None = None,
    val_loss: Callable | None = None,
    patience: int | None = None,
    min_delta: float = 0.0,
    restore_best: bool = True,
    seed: int = 0,
    batches: str = "shuffle",
    eval_every: int | None = None,
    monitor: str | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Train ``model`` on ``(x, y)`` with mini-batches; return ``(model, history)``.

    Parameters
    ----------
    model
        A Keras model compiled with an optimizer (and, unless ``loss`` or
        ``step`` is given, a loss), or any object with ``variables`` when
        ``step`` does the update itself.
    x, y
        Inputs (one array, or a list of arrays for a model with several
        inputs) and targets, one row per example.
    epochs, steps
        How long to train: ``epochs`` passes over the data, or exactly
        ``steps`` mini-batches (crossing epoch boundaries; validation every
        ``eval_every`` steps). Give one of them.
    loss
        ``loss(y_true, y_pred)``, averaged over the batch; default the model's
        compiled loss.
    step
        ``step(model, x_batch, y_batch) -> loss`` does one update itself (the
        chapter's own training step); default: the gradient of ``loss``
        applied by the model's optimizer.
    validation_data, val_loss
        Data to evaluate after each epoch, and ``val_loss(model, x, y)``
        (default: ``loss`` of ``model(x, training=False)``).
    patience, min_delta
        Stop after ``patience`` evaluations in which the monitored loss did
        not fall by more than ``min_delta``; ``None`` runs every epoch.
    restore_best
        Put back the weights of the evaluation with the lowest monitored loss.
    monitor
        ``"val_loss"`` (the default with validation data) or ``"loss"`` (the
        training loss, the default without).
    """
    tf = import_tensorflow()
    if (epochs is None) == (steps is None):
        raise ValueError("give exactly one of epochs= or steps=")
    if epochs is not None:
        epochs = _positive_int(epochs, "epochs")
    if steps is not None:
        steps = _positive_int(steps, "steps")
        eval_every = _positive_int(eval_every if eval_every is not None else 64, "eval_every")
    elif eval_every is not None:
        raise ValueError("eval_every applies only with steps=; with epochs= the model is "
                         "evaluated every epoch")
    batch_size = _positive_int(batch_size, "batch_size")
    if patience is not None:
        patience = _positive_int(patience, "patience")
    if not min_delta >= 0:
        raise ValueError(f"min_delta must be >= 0, got {min_delta!r}")
    if batches not in _BATCHES:
        raise ValueError(f"batches must be one of {_BATCHES}, got {batches!r}")
    monitor = monitor or ("val_loss" if validation_data is not None else "loss")
    if monitor not in ("loss", "val_loss"):
        raise ValueError(f"monitor must be 'loss' or 'val_loss', got {monitor!r}")
    if monitor == "val_loss" and validation_data is None:
        raise ValueError("monitor='val_loss' (and early stopping on it) needs validation_data=(x_val, y_val)")

    xs, n, several = _as_inputs(x, "x")
    yy = _as_targets(y, n, "y")
    batch_size = min(batch_size, n)
    xt = tuple(tf.constant(p) for p in xs)
    yt = tf.constant(yy)
    train_chunk, val_fn = _traced(model, step, loss, val_loss, several)

    evaluate = None
    if validation_data is not None:
        xv, nv, several_v = _as_inputs(validation_data[0], "validation x")
        if several_v != several or len(xv) != len(xs):
            raise ValueError("validation x must have the same structure (number of input arrays) as x")
        yv = _as_targets(validation_data[1], nv, "validation y")
        xvt, yvt = tuple(tf.constant(p) for p in xv), tf.constant(yv)

        def evaluate():
            return val_fn(xvt, yvt)

    rng = np.random.default_rng(seed)
    history: dict[str, Any] = {"loss": []}
    if evaluate is not None:
        history["val_loss"] = []
    if steps is not None:
        history["step"] = []
    best, best_weights, waited = np.inf, None, 0

    def chunks():
        """Yield lists of batches: one epoch each, or ``eval_every`` steps each."""
        if steps is None:
            for _ in range(epochs):
                yield minibatch_order(n, batch_size, rng=rng, batches=batches)
            return
        pending: list[np.ndarray] = []
        done = 0
        while done < steps:
            while len(pending) < min(eval_every, steps - done):
                pending.extend(minibatch_order(n, batch_size, rng=rng, batches=batches))
            take = min(eval_every, steps - done)
            yield pending[:take]
            pending, done = pending[take:], done + take

    done_steps = 0
    for chunk in chunks():
        n_in_chunk = len(chunk)
        chunk = [idx for idx in chunk if len(idx)]  # Poisson sampling may draw an empty batch: no step
        bounds = np.cumsum([0] + [len(idx) for idx in chunk]).astype("int32")
        flat = np.concatenate(chunk).astype("int32") if chunk else np.zeros(0, "int32")
        total = float(train_chunk(tf.constant(flat), tf.constant(bounds), xt, yt)) if chunk else 0.0
        weight = int(bounds[-1])
        done_steps += n_in_chunk
        history["loss"].append(total / max(weight, 1))
        if steps is not None:
            history["step"].append(done_steps)
        if evaluate is not None:
            history["val_loss"].append(float(evaluate()))
        current = history[monitor][-1]
        if not math.isfinite(current):
            raise FloatingPointError(f"the {monitor} became {current} after {len(history['loss'])} "
                                     f"evaluations; lower the learning rate or check the inputs' scale")
        if current < best - min_delta:
            best, waited = current, 0
            best_weights = _get_weights(model) if restore_best else None
        else:
            waited += 1
            if patience is not None and waited >= patience:
                break
    if restore_best and best_weights is not None:
        _set_weights(model, best_weights)
    history["best_epoch"] = int(np.argmin(history[monitor])) + 1
    history["epochs"] = len(history["loss"])
    return model, history


def fit_many(
    models: Sequence[Any],
    x: object,
    y: object,
    *,
    seeds: Sequence[int],
    epochs: int,
    batch_size: int = 256,
    loss: Callable | str | None = None,
    step: Callable | None = None,
    validation_data: tuple[object, object] | None = None,
    val_loss: Callable | None = None,
    restore_best: bool = True,
) -> list[tuple[Any, dict[str, Any]]]:
    """Train several independent models on the same data side by side: the result of :func:`fit` on each.

    Model ``i`` draws its mini-batches from ``default_rng(seeds[i])`` and takes exactly the steps that
    ``fit(models[i], x, y, seed=seeds[i], ...)`` takes, so the returned ``[(model, history), ...]`` are
    bit-identical to one :func:`fit` per model (a test checks it). What changes is speed: one traced loop
    holds every model's step on a mini-batch, so the small operations of several networks run side by
    side on TensorFlow's inter-op threads instead of one network after another on one core: ask for two
    with :func:`finbook.repro.tensorflow_threads` before TensorFlow loads (with one, the result is the
    same and the time about that of one fit per model). A seed study of five small networks is the use.
    Epochs only, a fresh permutation of the rows each epoch, the weights with the lowest validation loss
    (or training loss, without validation data) restored; no early stopping.

    Example
    -------
    >>> from finbook import models, repro, training
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(64, 2)); y = x.sum(axis=1)
    >>> def net(seed):
    ...     repro.set_seed(seed)
    ...     return models.mlp(n_inputs=2, hidden=(4,), output="linear")
    >>> together = training.fit_many([net(1), net(2)], x, y, seeds=[1, 2], epochs=3, batch_size=16)
    >>> alone = training.fit(net(2), x, y, seed=2, epochs=3, batch_size=16)
    >>> together[1][1]["loss"] == alone[1]["loss"]
    True
    """
    tf = import_tensorflow()
    models, seeds = list(models), list(seeds)
    if not models:
        raise ValueError("models is empty; give at least one model")
    if len(seeds) != len(models):
        raise ValueError(f"give one seed per model: {len(models)} models but {len(seeds)} seeds")
    if len({id(m) for m in models}) != len(models):
        raise ValueError("the same model object appears twice in models; build one object per seed")
    epochs, batch_size = _positive_int(epochs, "epochs"), _positive_int(batch_size, "batch_size")
    xs, n, several = _as_inputs(x, "x")
    yy = _as_targets(y, n, "y")
    batch_size = min(batch_size, n)
    xt, yt = tuple(tf.constant(p) for p in xs), tf.constant(yy)
    mean_losses = [_loss_function(m, loss) if step is None or val_loss is None else None for m in models]
    steps = [_step_or_default(m, step, ml) for m, ml in zip(models, mean_losses, strict=True)]
    val_fns = [_traced(m, step, loss, val_loss, several)[1] for m in models]  # each model's own, as in fit

    def model_input(parts):
        return list(parts) if several else parts[0]

    def train_all(k, totals, flats, bounds):
        out = []
        for i, model in enumerate(models):  # one step of every model on its own k-th mini-batch
            idx = flats[i][bounds[k]:bounds[k + 1]]
            value = steps[i](model, model_input([tf.gather(p, idx) for p in xt]), tf.gather(yt, idx))
            weight = tf.cast(bounds[k + 1] - bounds[k], tf.float64)
            out.append(totals[i] + tf.cast(value, tf.float64) * weight)
        return k + 1, tuple(out)

    @tf.function(autograph=False, reduce_retracing=True)
    def train_epoch(flats, bounds):
        start = (tf.constant(0), tuple(tf.constant(0.0, tf.float64) for _ in models))
        return tf.while_loop(lambda k, totals: k < tf.shape(bounds)[0] - 1,
                             lambda k, totals: train_all(k, totals, flats, bounds), start)[1]

    if validation_data is not None:
        xv, nv, several_v = _as_inputs(validation_data[0], "validation x")
        if several_v != several or len(xv) != len(xs):
            raise ValueError("validation x must have the same structure (number of input arrays) as x")
        yvt = tf.constant(_as_targets(validation_data[1], nv, "validation y"))
        xvt = tuple(tf.constant(p) for p in xv)
    monitor = "val_loss" if validation_data is not None else "loss"
    rngs = [np.random.default_rng(s) for s in seeds]
    histories: list[dict[str, Any]] = [
        {"loss": [], **({"val_loss": []} if validation_data is not None else {})} for _ in models]
    best, best_weights = [np.inf] * len(models), [None] * len(models)
    for _ in range(epochs):
        orders = [minibatch_order(n, batch_size, rng=r) for r in rngs]
        bounds = np.cumsum([0] + [len(idx) for idx in orders[0]]).astype("int32")
        flats = tuple(tf.constant(np.concatenate(o).astype("int32")) for o in orders)
        totals = train_epoch(flats, tf.constant(bounds))
        for i, model in enumerate(models):
            histories[i]["loss"].append(float(totals[i]) / max(int(bounds[-1]), 1))
            if validation_data is not None:
                histories[i]["val_loss"].append(float(val_fns[i](xvt, yvt)))
            current = histories[i][monitor][-1]
            if not math.isfinite(current):
                raise FloatingPointError(f"model {i} (seed {seeds[i]}): the {monitor} became {current} "
                                         f"after {len(histories[i]['loss'])} epochs; lower the learning rate "
                                         "or check the inputs' scale")
            if current < best[i]:
                best[i] = current
                best_weights[i] = _get_weights(model) if restore_best else None
    for i, model in enumerate(models):
        if restore_best and best_weights[i] is not None:
            _set_weights(model, best_weights[i])
        histories[i]["best_epoch"] = int(np.argmin(histories[i][monitor])) + 1
        histories[i]["epochs"] = len(histories[i]["loss"])
    return list(zip(models, histories, strict=True))


def stack_histories(histories: Sequence[dict[str, Any]], key: str = "val_loss") -> np.ndarray:
    """Curves of several runs as one array (runs x evaluations), padded with NaN after early stops."""
    curves = [np.asarray(h[key], dtype=float) for h in histories]
    if not curves:
        raise ValueError("histories is empty; expected at least one history from fit")
    out = np.full((len(curves), max(len(c) for c in curves)), np.nan)
    for i, c in enumerate(curves):
        out[i, :len(c)] = c
    return out
