"""The entity-embedding network taught in chapter 10, imported from finbook.lessons."""

from __future__ import annotations

import numpy as np
import pytest

from finbook.lessons import embedding_dims, embedding_network


def test_embedding_dims_rule_and_errors():
    assert embedding_dims({"a": 1, "b": 4, "c": 5, "d": 1000}) == {"a": 1, "b": 2, "c": 3, "d": 10}
    with pytest.raises(ValueError, match="positive integer"):
        embedding_dims({"a": 0})


def test_embedding_network_shapes_and_learns_a_category_effect():
    from finbook import repro, training

    repro.set_seed(0)
    net = embedding_network({"grade": 3, "state": 4}, n_numeric=2, hidden=(8,), dropout=0.0)
    assert net.get_layer("embed_grade").input_dim == 4  # 3 categories + "unseen"
    assert net.get_layer("embed_state").output_dim == 2  # ceil(sqrt(4))
    assert net.output_shape == (None, 1)
    rng = np.random.default_rng(0)
    n = 3000
    grade = rng.integers(1, 4, n)
    x = np.column_stack([grade, rng.integers(1, 5, n), rng.normal(size=(n, 2))]).astype("float32")
    y = (rng.random(n) < np.array([0.0, 0.02, 0.1, 0.4])[grade]).astype(int)
    net, _ = training.fit(net, x, y, epochs=15, batch_size=128)
    p = net.predict(x, verbose=0).ravel()
    by_grade = [p[grade == g].mean() for g in (1, 2, 3)]
    assert by_grade[0] < by_grade[1] < by_grade[2]


def test_embedding_network_errors():
    with pytest.raises(ValueError, match="at least one categorical"):
        embedding_network({}, n_numeric=3)
    with pytest.raises(ValueError, match="dropout must be in"):
        embedding_network({"a": 3}, n_numeric=1, dropout=1.0)
    with pytest.raises(ValueError, match="mismatched"):
        embedding_network({"a": 3}, n_numeric=1, dims={"b": 2})
