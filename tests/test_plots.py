"""finbook.plots and the book's Sphinx extension."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from finbook import plots  # noqa: E402
from finbook.book import sphinxext  # noqa: E402


def test_book_style_sets_the_palette_and_grid():
    plots.use_book_style()
    assert matplotlib.rcParams["axes.grid"] is True
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == plots.PALETTE[0]


def test_plot_history_draws_train_and_validation_in_one_colour():
    ax = plots.plot_history({"net": {"loss": [3.0, 2.0, 1.0], "val_loss": [3.5, 2.5, 2.0]},
                             "other": {"loss": [1.0, 0.5]}})
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["net (train)", "net (validation)", "other (train)"]
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    assert lines[1].get_linestyle() == "--"
    assert list(lines[0].get_xdata()) == [1, 2, 3]
    plt.close(ax.figure)


def test_plot_history_names_the_missing_metric():
    with pytest.raises(KeyError, match="has no 'auc'"):
        plots.plot_history({"net": {"loss": [1.0]}}, metric="auc")


class _Script(str):
    def __new__(cls, filename, body=None):
        obj = super().__new__(cls, filename or "")
        obj.filename = filename
        obj.attributes = {"body": body} if body else {}
        return obj


def test_dedupe_scripts_drops_repeated_inline_scripts_only():
    a = _Script(None, "const X = 1")
    b = _Script("", "const X = 1")  # the same inline script, filename '' instead of None
    c = _Script("_static/x.js")
    d = _Script(None, "const Y = 2")
    assert sphinxext.dedupe_scripts([a, c, b, d]) == [a, c, d]
