"""Small Keras models, built and trained the same way in every chapter.

Builders return an uncompiled-to-compiled :class:`keras.Model` whose name says
what it is; :func:`fit` trains quietly (no progress bars, whose timings would
change every run) and returns the model with its history as a plain dict.

Example
-------
>>> from finbook import models, repro
>>> repro.set_seed(0)
>>> net = models.mlp(n_inputs=4, hidden=(8,), output="sigmoid")
>>> net.count_params()
49
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from finbook.repro import import_tensorflow

__all__ = ["fit", "mlp"]

_OUTPUTS = {
    "sigmoid": ("binary_crossentropy", 1),
    "linear": ("mean_squared_error", 1),
}


def mlp(
    n_inputs: int,
    hidden: Sequence[int] = (32, 16),
    *,
    output: str = "sigmoid",
    dropout: float = 0.0,
    l2: float = 0.0,
    learning_rate: float = 1e-3,
    optimizer: str = "adam",
    metrics: Sequence[Any] = (),
    name: str | None = None,
) -> Any:
    """A fully connected network: ``n_inputs`` -> ReLU layers ``hidden`` -> one output.

    ``output="sigmoid"`` gives a probability trained with binary cross-entropy
    (for default / no default); ``output="linear"`` a real number trained with
    mean squared error. The model is compiled with ``optimizer`` (``"adam"`` or
    ``"sgd"``) at ``learning_rate``.
    """
    if n_inputs < 1:
        raise ValueError(f"n_inputs must be a positive integer, got {n_inputs}")
    if output not in _OUTPUTS:
        raise ValueError(f"output must be one of {sorted(_OUTPUTS)}, got {output!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if optimizer not in {"adam", "sgd"}:
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    import_tensorflow()
    import keras  # noqa: PLC0415

    reg = keras.regularizers.L2(l2) if l2 > 0 else None
    inputs = keras.Input(shape=(n_inputs,), name="features")
    x = inputs
    for i, units in enumerate(hidden, 1):
        x = keras.layers.Dense(units, activation="relu", kernel_regularizer=reg, name=f"hidden{i}")(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = keras.layers.Dense(1, activation=output, name="output")(x)
    label = name or f"mlp_{'_'.join(map(str, hidden)) or 'linear'}_{output}"
    model = keras.Model(inputs, outputs, name=label)
    loss, _ = _OUTPUTS[output]
    opt = (keras.optimizers.Adam(learning_rate) if optimizer == "adam"
           else keras.optimizers.SGD(learning_rate))
    model.compile(optimizer=opt, loss=loss, metrics=list(metrics))
    return model


def fit(
    model: Any,
    x: np.ndarray | list[np.ndarray],
    y: np.ndarray,
    *,
    epochs: int = 100,
    batch_size: int = 32,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    validation_split: float = 0.0,
    patience: int | None = None,
    class_weight: dict[int, float] | None = None,
    shuffle: bool = True,
) -> tuple[Any, dict[str, list[float]]]:
    """Train ``model`` silently; return ``(model, history)``.

    ``x`` is one array, or a list of arrays for a model with several inputs.

    With ``patience`` set, training stops when the validation loss has not
    improved for that many epochs and the best weights are restored (early
    stopping needs ``validation_data`` or ``validation_split``).
    """
    import keras  # noqa: PLC0415

    if isinstance(x, list | tuple):  # a model with several inputs
        x = [np.asarray(part, dtype="float32") for part in x]
        lengths = {len(part) for part in x}
        if len(lengths) != 1:
            raise ValueError(f"all inputs must have the same number of rows, got {sorted(lengths)}")
        n = lengths.pop()
    else:
        x = np.asarray(x, dtype="float32")
        n = len(x)
    y = np.asarray(y, dtype="float32")
    if n != len(y):
        raise ValueError(f"x and y must have the same length, got {n} and {len(y)}")
    callbacks = []
    if patience is not None:
        if validation_data is None and validation_split == 0.0:
            raise ValueError("early stopping (patience) needs validation_data or validation_split")
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, restore_best_weights=True))
    hist = model.fit(
        x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data,
        validation_split=validation_split, callbacks=callbacks, class_weight=class_weight,
        shuffle=shuffle, verbose=0,
    )
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    return model, history
