"""The book's one builder of fully connected networks.

:func:`mlp` returns a compiled :class:`keras.Model` whose name says what it is;
:func:`finbook.training.fit` trains it (and every other network of the book).

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

from finbook.repro import import_tensorflow

__all__ = ["mlp"]

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
