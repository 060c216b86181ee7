"""Definitions taught in the chapters, exported for reuse by later chapters.

GENERATED FROM THE CHAPTERS by ``python -m finbook export``; do not edit: change the
chapter's cell marked ``# @save`` and export again (a test fails when this file and
the chapters disagree). Each block names the chapter and cell it comes from; each
definition's docstring names the chapter that teaches it.
"""

# ruff: noqa: E402, F811, I001

# ----------------------------------------------------------------------
# chapters/04_cnn.py, code cell 8
from finbook.repro import import_tensorflow
from finbook.sequence import positive_int


def compile_forecaster(model, learning_rate=1e-2):
    """Prepare a forecaster for training (chapter 4): Adam on the mean squared error of its output.

    The rate 1e-2 suits the small networks of Part II, trained with batch size 256 and
    early stopping; lower it for larger models. Returns ``model``.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    import_tensorflow()  # quietly, with the book's settings, before Keras
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mean_squared_error")
    return model


def conv1d_forecaster(lookback, n_features, *, filters=8, kernel_size=5, pool_size=2,
                      dense_units=16, learning_rate=1e-2):
    """A small 1-D CNN (chapter 4): Conv1D (ReLU) -> average pooling -> flatten -> Dense (ReLU) -> 1.

    Reads windows of ``lookback`` days (oldest first) of ``n_features`` inputs and returns a
    model compiled by :func:`compile_forecaster`. E.g. ``conv1d_forecaster(22, 2)`` has
    8*(5*2+1) + (9*8*16+16) + (16+1) = 1273 parameters.
    """
    lookback, n_features = positive_int(lookback, "lookback"), positive_int(n_features, "n_features")
    filters, kernel_size = positive_int(filters, "filters"), positive_int(kernel_size, "kernel_size")
    pool_size, dense_units = positive_int(pool_size, "pool_size"), positive_int(dense_units, "dense_units")
    if kernel_size > lookback:
        raise ValueError(f"kernel_size must be at most lookback={lookback}, got {kernel_size}")
    import_tensorflow()  # quietly, with the book's settings, before Keras
    import keras

    inputs = keras.Input(shape=(lookback, n_features), name="window")  # 1. the input window
    x = keras.layers.Conv1D(filters, kernel_size, activation="relu", name="conv")(inputs)  # 2. eq. conv1d
    x = keras.layers.AveragePooling1D(pool_size, name="pool")(x)  # 3. pooling halves the time axis
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, activation="relu", name="dense")(x)  # 4. fully connected
    outputs = keras.layers.Dense(1, name="forecast")(x)  # next week's log variance (standardised)
    return compile_forecaster(keras.Model(inputs, outputs, name="conv1d_forecaster"), learning_rate)

# ----------------------------------------------------------------------
# chapters/05_rnn.py, code cell 4
import numpy as np  # noqa: F811  (imported again: this cell is exported on its own)


def rnn_jacobian_norms(inputs, recurrent_kernel, input_kernel, bias=None, h0=None):
    """Spectral norms of dh_T/dh_t, t = 0 ... T, of the RNN h_t = tanh(W h_{t-1} + U x_t + b) (chapter 5).

    ``inputs`` is (T, n_inputs); W = ``recurrent_kernel`` is (units, units) and U =
    ``input_kernel`` (units, n_inputs), acting on column vectors; h_0 = ``h0`` (default 0).
    Entry t is the norm of D_T W D_{T-1} W ... D_{t+1} W, D_k = diag(1 - h_k^2); entry T is 1.
    """
    x, w, u = (np.asarray(a, dtype=float) for a in (inputs, recurrent_kernel, input_kernel))
    if x.ndim != 2:
        raise ValueError(f"inputs must be 2-D (time steps, n_inputs), got shape {x.shape}")
    units = w.shape[0]
    if w.shape != (units, units):
        raise ValueError(f"recurrent_kernel must be square (units, units), got shape {w.shape}")
    if u.shape != (units, x.shape[1]):
        raise ValueError(f"input_kernel must have shape (units, n_inputs) = {(units, x.shape[1])}, "
                         f"got {u.shape}")
    b = np.zeros(units) if bias is None else np.asarray(bias, dtype=float).reshape(units)
    h = np.zeros(units) if h0 is None else np.asarray(h0, dtype=float).reshape(units)
    states = []
    for x_t in x:  # forward: h_1, ..., h_T
        h = np.tanh(w @ h + u @ x_t + b)
        states.append(h)
    jac, norms = np.eye(units), [1.0]
    for h_k in reversed(states):  # backward: k = T, ..., 1, multiplying D_k W on the right
        jac = jac @ (np.diag(1.0 - h_k**2) @ w)
        norms.append(float(np.linalg.norm(jac, 2)))
    return np.array(norms[::-1])

# ----------------------------------------------------------------------
# chapters/05_rnn.py, code cell 8
from finbook.lessons import compile_forecaster
from finbook.repro import import_tensorflow
from finbook.sequence import positive_int


def recurrent_forecaster(kind, lookback, n_features, *, units=16, learning_rate=1e-2):
    """One recurrent layer reads the window; its last state h_T feeds one linear unit (chapter 5).

    ``kind`` is "simple_rnn" (the tanh recurrence), "lstm" or "gru"; the output is
    v'h_T + c. Compiled by chapter 4's compile_forecaster (Adam, mean squared error).
    """
    lookback, n_features = positive_int(lookback, "lookback"), positive_int(n_features, "n_features")
    units = positive_int(units, "units")
    import_tensorflow()  # quietly, with the book's settings, before Keras
    import keras

    layers = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    if kind not in layers:
        raise ValueError(f"kind must be one of {list(layers)}, got {kind!r}")
    inputs = keras.Input(shape=(lookback, n_features), name="window")  # x_1, ..., x_T
    h_last = layers[kind](units, name=kind)(inputs)  # runs the recurrence, returns h_T
    outputs = keras.layers.Dense(1, name="forecast")(h_last)  # v'h_T + c
    return compile_forecaster(keras.Model(inputs, outputs, name=f"{kind}_forecaster"), learning_rate)


def simple_rnn_forecaster(lookback, n_features, *, units=16, learning_rate=1e-2):
    """A plain tanh (Elman) RNN and a linear output (chapter 5): u(n_features + u + 1) + u + 1 parameters."""
    return recurrent_forecaster("simple_rnn", lookback, n_features, units=units, learning_rate=learning_rate)


def lstm_forecaster(lookback, n_features, *, units=16, learning_rate=1e-2):
    """An LSTM and a linear output (chapter 5): 4u(n_features + u + 1) + u + 1 parameters (u = units)."""
    return recurrent_forecaster("lstm", lookback, n_features, units=units, learning_rate=learning_rate)


def gru_forecaster(lookback, n_features, *, units=16, learning_rate=1e-2):
    """A GRU and a linear output (chapter 5): 3u(n_features + u + 2) + u + 1 parameters (u = units).

    Keras' GRU has separate input and recurrent biases (``reset_after=True``), hence the 2.
    """
    return recurrent_forecaster("gru", lookback, n_features, units=units, learning_rate=learning_rate)

# ----------------------------------------------------------------------
# chapters/07_attention.py, code cell 4
import numpy as np  # noqa: F811  (imported again: this cell is exported on its own)


def scaled_dot_product_attention(query, key, value, mask=None):
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V in NumPy (chapter 7); returns (output, weights).

    Shapes: ``query`` (..., n_q, d_k), ``key`` (..., n_k, d_k), ``value`` (..., n_k, d_v), leading
    batch dimensions alike. ``mask``, broadcast to (..., n_q, n_k), is True where a query may attend
    to a key (the Keras convention). Each row of the weights (..., n_q, n_k) sums to 1.
    """
    q, k, v = (np.asarray(a, dtype=float) for a in (query, key, value))
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"query, key and value must be at least 2-D (positions, features), got "
                         f"shapes {q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"query and key must have the same last dimension d_k, got {q.shape[-1]} "
                         f"and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"key and value must have the same number of positions, got {k.shape[-2]} "
                         f"and {v.shape[-2]}")
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])  # Q K^T / sqrt(d_k)
    if mask is not None:
        m = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
        if not m.any(axis=-1).all():
            raise ValueError("mask leaves a query with no key to attend to; every row needs a True")
        scores = np.where(m, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))  # softmax over the keys (shifted: no overflow)
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ v, weights

# ----------------------------------------------------------------------
# chapters/07_attention.py, code cell 6
import numpy as np


def multi_head_attention(query, value, weights, key=None):
    """Multi-head attention in NumPy with the weights of a keras.layers.MultiHeadAttention (chapter 7).

    ``weights`` is ``layer.get_weights()``: query, key and value kernels (d_model, heads, key_dim)
    with biases (heads, key_dim), then the output kernel (heads, key_dim, d_out) and bias (d_out,).
    ``query`` is (batch, n_q, d_model), ``value`` (and ``key``, default ``value``) (batch, n_k,
    d_model). Returns the output (batch, n_q, d_out) and the weights (batch, heads, n_q, n_k).
    """
    if len(weights) != 8:
        raise ValueError(f"expected the 8 weight arrays of a MultiHeadAttention layer with biases "
                         f"(Wq, bq, Wk, bk, Wv, bv, Wo, bo), got {len(weights)}")
    wq, bq, wk, bk, wv, bv, wo, bo = (np.asarray(w, dtype=float) for w in weights)
    key = value if key is None else key
    q_in, k_in, v_in = (np.asarray(a, dtype=float) for a in (query, key, value))
    for name, arr in {"query": q_in, "key": k_in, "value": v_in}.items():
        if arr.ndim != 3 or arr.shape[-1] != wq.shape[0]:
            raise ValueError(f"{name} must have shape (batch, positions, {wq.shape[0]}), got {arr.shape}")
    q = np.einsum("bnd,dhk->bhnk", q_in, wq) + bq[None, :, None, :]  # X W_Q^h, all heads h at once
    k = np.einsum("bnd,dhk->bhnk", k_in, wk) + bk[None, :, None, :]
    v = np.einsum("bnd,dhk->bhnk", v_in, wv) + bv[None, :, None, :]
    heads, att = scaled_dot_product_attention(q, k, v)  # head_h, (batch, heads, n_q, key_dim)
    out = np.einsum("bhnk,hko->bno", heads, wo) + bo  # [head_1, ..., head_H] W_O
    return out, att

# ----------------------------------------------------------------------
# chapters/07_attention.py, code cell 8
import numpy as np

from finbook.sequence import positive_int


def positional_encoding(length, d_model):
    """Sinusoidal positions of Vaswani et al. (2017), shape (length, d_model) (chapter 7).

    PE[p, 2i] = sin(p / 10000^(2i/d_model)) and PE[p, 2i+1] = cos(p / 10000^(2i/d_model)).
    """
    length = positive_int(length, "length")
    d_model = positive_int(d_model, "d_model", minimum=2)
    if d_model % 2:
        raise ValueError(f"d_model must be even (sine and cosine pairs), got {d_model}")
    pos = np.arange(length)[:, None]
    rate = 1.0 / 10000 ** (np.arange(0, d_model, 2) / d_model)
    pe = np.zeros((length, d_model))
    pe[:, 0::2] = np.sin(pos * rate)
    pe[:, 1::2] = np.cos(pos * rate)
    return pe

# ----------------------------------------------------------------------
# chapters/07_attention.py, code cell 10
from finbook.lessons import compile_forecaster
from finbook.repro import import_tensorflow
from finbook.sequence import positive_int  # noqa: F811


def encoder_block(x, b, *, num_heads, ff_units):
    """One post-norm Transformer encoder block on the days of x, its layers numbered b (chapter 7).

    X' = LayerNorm(X + MultiHead(X)), X'' = LayerNorm(X' + max(0, X' W_1 + b_1) W_2 + b_2).
    """
    import keras  # loaded, with the book's settings, by transformer_forecaster

    d_model = x.shape[-1]
    att = keras.layers.MultiHeadAttention(num_heads, d_model // num_heads, name=f"attention{b}")(x, x)
    x = keras.layers.LayerNormalization(name=f"norm{b}a")(x + att)  # X'
    ff = keras.layers.Dense(ff_units, activation="relu", name=f"ff{b}a")(x)  # max(0, X' W_1 + b_1)
    ff = keras.layers.Dense(d_model, name=f"ff{b}b")(ff)  # ... W_2 + b_2
    return keras.layers.LayerNormalization(name=f"norm{b}b")(x + ff)  # X''


def transformer_forecaster(lookback, n_features, *, d_model=16, num_heads=2, ff_units=32,
                           num_blocks=1, positional=True, learning_rate=1e-2):
    """A small Transformer encoder (Vaswani et al. 2017) with a linear output (chapter 7).

    Each day's inputs are projected to ``d_model`` numbers, plus the positional_encoding
    if ``positional``; ``num_blocks`` encoder blocks follow, and the last day's row feeds one
    linear unit. Compiled by chapter 4's compile_forecaster (Adam, mean squared error).
    """
    lookback, n_features = positive_int(lookback, "lookback"), positive_int(n_features, "n_features")
    d_model, num_heads = positive_int(d_model, "d_model"), positive_int(num_heads, "num_heads")
    if d_model % num_heads:
        raise ValueError(f"d_model must be a multiple of num_heads={num_heads}, got {d_model}")
    num_blocks, ff_units = positive_int(num_blocks, "num_blocks"), positive_int(ff_units, "ff_units")
    import_tensorflow()  # quietly, with the book's settings, before Keras
    import keras

    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = keras.layers.Dense(d_model, name="embed")(inputs)  # X: one row of d_model numbers per day
    if positional:
        x = x + positional_encoding(lookback, d_model).astype("float32")
    for b in range(1, num_blocks + 1):
        x = encoder_block(x, b, num_heads=num_heads, ff_units=ff_units)
    outputs = keras.layers.Dense(1, name="forecast")(x[:, -1, :])  # the last day's row of X''
    return compile_forecaster(keras.Model(inputs, outputs, name="transformer_forecaster"), learning_rate)
