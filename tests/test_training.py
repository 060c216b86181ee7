"""The book's one training loop, finbook.training.fit."""

from __future__ import annotations

import numpy as np
import pytest

from finbook import models, repro, training

tf = repro.import_tensorflow()


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.3
    return x, y


def _linear(seed=0, lr=0.05):
    repro.set_seed(seed)
    return models.mlp(3, hidden=(), output="linear", learning_rate=lr)


def test_learns_least_squares():
    x, y = _data()
    net, history = training.fit(_linear(), x, y, epochs=60, batch_size=32)
    w, b = net.get_weights()
    assert np.allclose(w.ravel(), [1.0, -2.0, 0.5], atol=0.02)
    assert abs(float(b[0]) - 0.3) < 0.02
    assert history["loss"][-1] < 1e-3 < history["loss"][0]
    assert history["epochs"] == 60 and len(history["loss"]) == 60


def test_same_seed_same_weights_other_seed_other_weights():
    x, y = _data()
    runs = [training.fit(_linear(), x, y, epochs=3, batch_size=16, seed=s)[0].get_weights()[0]
            for s in (0, 0, 1)]
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_history_loss_is_the_mean_over_the_epoch_batches():
    """With a zero learning rate the weights stay put, so the epoch's loss is the full-data loss."""
    x, y = _data(n=100)
    net = _linear(lr=0.0)
    full = float(np.mean((net.predict(x, verbose=0).ravel() - y) ** 2))
    _, history = training.fit(net, x, y, epochs=2, batch_size=30)  # batches of 30, 30, 30, 10
    assert history["loss"] == pytest.approx([full, full], rel=1e-5)


def test_early_stopping_restores_the_best_weights():
    x, y = _data()
    xv, yv = x[:64], -y[:64]  # a validation target the training pushes away from
    net, history = training.fit(_linear(), x, y, epochs=50, batch_size=32,
                                validation_data=(xv, yv), patience=3)
    assert history["epochs"] < 50
    assert history["epochs"] == history["best_epoch"] + 3
    restored = float(np.mean((net.predict(xv, verbose=0).ravel() - yv) ** 2))
    assert restored == pytest.approx(min(history["val_loss"]), rel=1e-5)


def test_steps_mode_counts_steps_and_evaluates_every_chunk():
    x, y = _data(n=50)
    counter = tf.Variable(0)
    net = _linear()

    def step(model, xb, yb):
        counter.assign_add(1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(xb, training=True)[:, 0] - yb[:, 0]))
        grads = tape.gradient(loss, model.trainable_variables)
        model.optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    _, history = training.fit(net, x, y, steps=25, batch_size=16, step=step, eval_every=10,
                              validation_data=(x, y))
    assert int(counter.numpy()) == 25
    assert history["step"] == [10, 20, 25]
    assert len(history["val_loss"]) == 3


def test_poisson_batches_have_the_expected_size():
    rng = np.random.default_rng(0)
    sizes = [len(b) for _ in range(200)
             for b in training.minibatch_order(1000, 50, rng=rng, batches="poisson")]
    assert len(sizes) == 200 * 20
    assert np.mean(sizes) == pytest.approx(50, rel=0.02)
    assert np.std(sizes) == pytest.approx(np.sqrt(1000 * 0.05 * 0.95), rel=0.1)


def test_shuffle_batches_cover_every_row_once():
    batches = training.minibatch_order(103, 25, rng=np.random.default_rng(1))
    assert [len(b) for b in batches] == [25, 25, 25, 25, 3]
    assert sorted(np.concatenate(batches).tolist()) == list(range(103))


def test_several_inputs():
    import keras

    repro.set_seed(0)
    a, b = keras.Input((2,)), keras.Input((1,))
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([a, b]))
    net = keras.Model([a, b], out)
    net.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    x, y = _data()
    net, history = training.fit(net, [x[:, :2], x[:, 2:]], y, epochs=40, batch_size=32,
                                validation_data=([x[:, :2], x[:, 2:]], y))
    assert history["val_loss"][-1] < 1e-2


def test_a_model_that_is_not_keras_with_its_own_step():
    """Chapter 21's networks are plain variables; the step does the update."""
    class Line:
        def __init__(self):
            self.w = tf.Variable(tf.zeros((3, 1)))
            self.variables = [self.w]

    line, x, y = Line(), *_data()

    def step(model, xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(xb @ model.w - yb))
        model.w.assign_sub(0.1 * tape.gradient(loss, model.w))
        return loss

    def val_loss(model, xx, yy):
        return tf.reduce_mean(tf.square(xx @ model.w - yy))

    _, history = training.fit(line, x, y - 0.3, epochs=30, batch_size=32, step=step,
                              validation_data=(x, y - 0.3), val_loss=val_loss, batches="poisson")
    assert np.allclose(line.w.numpy().ravel(), [1.0, -2.0, 0.5], atol=0.02)
    assert history["val_loss"][-1] < 1e-3


@pytest.mark.parametrize("kwargs, message", [
    (dict(), "exactly one of epochs= or steps="),
    (dict(epochs=2, steps=2), "exactly one of epochs= or steps="),
    (dict(epochs=0), "epochs must be a positive integer"),
    (dict(epochs=2, batch_size=2.5), "batch_size must be a positive integer"),
    (dict(epochs=2, patience=0), "patience must be a positive integer"),
    (dict(epochs=2, eval_every=3), "eval_every applies only with steps="),
    (dict(epochs=2, batches="random"), "batches must be one of"),
    (dict(epochs=2, monitor="val_loss"), "needs validation_data"),
    (dict(epochs=2, min_delta=-1.0), "min_delta must be >= 0"),
])
def test_bad_settings_are_named(kwargs, message):
    x, y = _data(n=20)
    with pytest.raises(ValueError, match=message):
        training.fit(_linear(), x, y, **kwargs)


def test_bad_data_is_named():
    x, y = _data(n=20)
    with pytest.raises(ValueError, match="y has 19 rows but the inputs have 20"):
        training.fit(_linear(), x, y[:19], epochs=1)
    bad = x.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="x contains NaN"):
        training.fit(_linear(), bad, y, epochs=1)
    with pytest.raises(ValueError, match="same number of rows"):
        training.fit(_linear(), [x, x[:5]], y, epochs=1)
    with pytest.raises(ValueError, match="same structure"):
        training.fit(_linear(), x, y, epochs=1, validation_data=([x, x], y))


def test_divergence_is_reported():
    x, y = _data()
    repro.set_seed(0)
    net = models.mlp(3, hidden=(), output="linear", optimizer="sgd", learning_rate=10.0)
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        training.fit(net, x * 100, y, epochs=20, batch_size=32)


def test_stack_histories_pads_early_stops():
    out = training.stack_histories([{"val_loss": [3, 2, 1]}, {"val_loss": [5]}])
    assert out.shape == (2, 3) and np.isnan(out[1, 1:]).all() and out[1, 0] == 5
    with pytest.raises(ValueError, match="histories is empty"):
        training.stack_histories([])


# --------------------------------------------------------------------------- several models side by side
def _mlp(seed):
    repro.set_seed(seed)
    return models.mlp(3, hidden=(8, 8), output="linear", learning_rate=0.01)


@pytest.mark.parametrize("with_validation", [True, False])
def test_fit_many_is_fit_model_by_model(with_validation):
    """Bit-identical weights and histories, each model with its own seed's mini-batches."""
    x, y = _data(n=300)  # batches of 64, 64, 64, 64, 44
    validation = dict(validation_data=(x[:50], y[:50] + 0.1)) if with_validation else {}
    seeds = [3, 1, 2]
    alone = [training.fit(_mlp(s), x, y, epochs=4, batch_size=64, seed=s, **validation) for s in seeds]
    together = training.fit_many([_mlp(s) for s in seeds], x, y, seeds=seeds, epochs=4, batch_size=64,
                                 **validation)
    for (net_a, hist_a), (net_b, hist_b) in zip(alone, together, strict=True):
        assert hist_a == hist_b
        for wa, wb in zip(net_a.get_weights(), net_b.get_weights(), strict=True):
            np.testing.assert_array_equal(wa, wb)
    assert together[0][1]["loss"] != together[1][1]["loss"]  # the seeds differ


def test_fit_many_with_the_chapters_own_step():
    from finbook.lessons import pricing_loss, train_step  # chapter 15's own step and loss

    x, y = _data(n=200)
    kwargs = dict(epochs=3, batch_size=32, step=train_step, validation_data=(x, y), val_loss=pricing_loss)
    alone = training.fit(_mlp(7), x, y, seed=7, **kwargs)
    together = training.fit_many([_mlp(5), _mlp(7)], x, y, seeds=[5, 7], **kwargs)
    assert together[1][1] == alone[1]


def test_fit_many_names_bad_input():
    x, y = _data(n=20)
    with pytest.raises(ValueError, match="one seed per model: 2 models but 1 seeds"):
        training.fit_many([_mlp(0), _mlp(1)], x, y, seeds=[0], epochs=1)
    with pytest.raises(ValueError, match="models is empty"):
        training.fit_many([], x, y, seeds=[], epochs=1)
    net = _mlp(0)
    with pytest.raises(ValueError, match="appears twice"):
        training.fit_many([net, net], x, y, seeds=[0, 1], epochs=1)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        training.fit_many([net], x, y, seeds=[0], epochs=0)
    with pytest.raises(ValueError, match="y has 19 rows"):
        training.fit_many([net], x, y[:19], seeds=[0], epochs=1)
