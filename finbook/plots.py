"""One figure style for the whole book, and the small plotting helpers chapters share.

Call :func:`use_book_style` once per notebook (the chapter template does);
every figure after that has the same size, fonts, grid and colours.

Example
-------
>>> from finbook import plots
>>> plots.use_book_style()
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> plt.close(fig)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt

__all__ = ["PALETTE", "plot_history", "use_book_style"]

#: Colour-blind-safe palette (Okabe & Ito 2008), in the order series are drawn.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
)


def use_book_style() -> None:
    """Apply the book's matplotlib style (size, fonts, grid, colour cycle)."""
    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 3.8),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "figure.autolayout": True,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
            "svg.hashsalt": "finbook",
        }
    )


def plot_history(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    metric: str = "loss",
    *,
    ax: plt.Axes | None = None,
    ylabel: str | None = None,
) -> plt.Axes:
    """Plot training and validation curves of one or more Keras histories.

    ``histories`` maps a label to ``History.history`` (a dict of per-epoch
    lists). The training curve is solid, the validation curve (``val_<metric>``,
    when present) dashed, in the same colour.
    """
    if ax is None:
        _, ax = plt.subplots()
    for i, (label, hist) in enumerate(histories.items()):
        if metric not in hist:
            raise KeyError(f"history {label!r} has no {metric!r}; it has {sorted(hist)}")
        colour = PALETTE[i % len(PALETTE)]
        epochs = range(1, len(hist[metric]) + 1)
        ax.plot(epochs, hist[metric], color=colour, label=f"{label} (train)")
        if f"val_{metric}" in hist:
            ax.plot(epochs, hist[f"val_{metric}"], color=colour, linestyle="--",
                    label=f"{label} (validation)")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel or metric)
    ax.legend()
    return ax
