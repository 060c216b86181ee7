"""Real financial datasets, offline, each checked before it is used.

Every loader returns a tidy :class:`pandas.DataFrame` with documented columns,
dtypes and units. Two kinds of source:

* files committed under ``data/`` (German credit, Lending Club, credit_data,
  the Treasury yield curve, ISLR's Smarket for reference), each listed in
  ``data/manifest.csv`` with its SHA-256, shape, source, licence and citation;
* data shipped inside the installed ``arch`` package (S&P 500, NASDAQ, VIX,
  WTI, Moody's bond yields, Fama-French factors), whose licences do not allow
  us to redistribute them; the manifest records the checksum of arch's file.

Before returning anything a loader verifies the file: a missing file, a wrong
checksum or a wrong schema raises :class:`DataError` naming the file, what was
expected, what was found and how to restore it. Nothing is repaired silently,
and no loader touches the network.

Example
-------
>>> from finbook import data
>>> credit = data.german_credit()
>>> credit.shape
(1000, 21)
>>> credit["class"].value_counts().to_dict()
{'good': 700, 'bad': 300}
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from finbook.paths import data_dir

__all__ = [
    "DataError",
    "GERMAN_CREDIT_CODE_TABLE",
    "GERMAN_CREDIT_COSTS",
    "GERMAN_CREDIT_POPULATION_BAD_RATE",
    "GERMAN_CREDIT_UCI_LABELS",
    "MATURITY_YEARS",
    "NBER_RECESSIONS",
    "bond_yields",
    "credit_data",
    "fama_french",
    "german_credit",
    "islr_smarket",
    "lending_club",
    "list_datasets",
    "load",
    "nasdaq",
    "smarket",
    "sp500",
    "treasury_curve",
    "verify",
    "verify_all",
    "vix",
    "wti",
]

MANIFEST = "manifest.csv"

#: Misclassification costs of the Statlog German credit data (Hofmann 1994):
#: accepting an applicant who turns out bad costs 5, rejecting a good one costs 1.
#: Rows are the truth, columns the decision.
GERMAN_CREDIT_COSTS = pd.DataFrame(
    [[0, 1], [5, 0]],
    index=pd.Index(["good", "bad"], name="actual"),
    columns=pd.Index(["accept", "reject"], name="decision"),
)

#: Share of bad credits in the bank's portfolio behind the German credit data:
#: "around 5%" according to the original sources (Häußler 1979, 1981; Fahrmeir
#: and Hamerle 1981, 1984) as summarised by Grömping (2019) and on UCI's South
#: German Credit page. The 1,000 credits are a stratified sample with 300 bad,
#: so 30% is a design choice, not a default rate. Approximate: the sources give
#: no more precise figure.
GERMAN_CREDIT_POPULATION_BAD_RATE = 0.05

#: US business-cycle reference dates of the NBER's Business Cycle Dating Committee
#: ("US Business Cycle Expansions and Contractions"), as (peak month, trough month),
#: from 1918 on. A recession runs from the month after the peak to the trough month.
NBER_RECESSIONS: tuple[tuple[str, str], ...] = (
    ("1918-08", "1919-03"), ("1920-01", "1921-07"), ("1923-05", "1924-07"),
    ("1926-10", "1927-11"), ("1929-08", "1933-03"), ("1937-05", "1938-06"),
    ("1945-02", "1945-10"), ("1948-11", "1949-10"), ("1953-07", "1954-05"),
    ("1957-08", "1958-04"), ("1960-04", "1961-02"), ("1969-12", "1970-11"),
    ("1973-11", "1975-03"), ("1980-01", "1980-07"), ("1981-07", "1982-11"),
    ("1990-07", "1991-03"), ("2001-03", "2001-11"), ("2007-12", "2009-06"),
    ("2020-02", "2020-04"),
)

#: Maturity of each Treasury curve column, in years.
MATURITY_YEARS = {
    "1m": 1 / 12, "3m": 0.25, "6m": 0.5, "1y": 1.0, "2y": 2.0, "3y": 3.0,
    "5y": 5.0, "7y": 7.0, "10y": 10.0, "20y": 20.0, "30y": 30.0,
}


class DataError(RuntimeError):
    """A dataset is missing, corrupted or not in the expected shape."""


# --------------------------------------------------------------------------- manifest
@dataclass(frozen=True)
class _Entry:
    name: str
    file: str
    sha256: str
    rows: int
    columns: int
    period: str
    description: str
    source: str
    licence: str
    citation: str

    @property
    def from_arch(self) -> bool:
        return self.file.startswith("arch:")


def _manifest() -> dict[str, _Entry]:
    path = data_dir() / MANIFEST
    if not path.exists():
        raise DataError(
            f"the data manifest {path.name} is missing from the data folder; restore it with "
            f"`git checkout -- data/{MANIFEST}` (or unset FINBOOK_DATA if you pointed it elsewhere)"
        )
    required = ["name", "file", "sha256", "rows", "columns", "period", "description", "source",
                "licence", "citation"]
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"data/{MANIFEST} cannot be parsed ({exc}); restore it with "
                        f"`git checkout -- data/{MANIFEST}`") from exc
    if list(table.columns) != required:
        raise DataError(f"data/{MANIFEST}: expected columns {required}, found "
                        f"{list(table.columns)}; restore it with `git checkout -- data/{MANIFEST}`")
    entries = {}
    for row in table.to_dict("records"):
        entries[row["name"]] = _Entry(
            name=row["name"], file=row["file"], sha256=row["sha256"], rows=int(row["rows"]),
            columns=int(row["columns"]), period=row["period"], description=row["description"],
            source=row["source"], licence=row["licence"], citation=row["citation"],
        )
    return entries


def _entry(name: str) -> _Entry:
    entries = _manifest()
    if name not in entries:
        raise DataError(f"unknown dataset {name!r}; known datasets: {', '.join(entries)}")
    return entries[name]


def _arch_file(relative: str) -> Path:
    spec = importlib.util.find_spec("arch")
    if spec is None or spec.origin is None:
        raise DataError(
            "the `arch` package is not installed, and it ships the market data this book uses; "
            "install the book's pinned requirements: `pip install -r requirements.txt`"
        )
    return Path(spec.origin).parent / "data" / relative


def _path_of(entry: _Entry) -> Path:
    if entry.from_arch:
        return _arch_file(entry.file.removeprefix("arch:"))
    return data_dir() / entry.file


def _restore_hint(entry: _Entry) -> str:
    if entry.from_arch:
        return ("reinstall the pinned version of arch (`pip install --force-reinstall -r "
                "requirements.txt`); finbook's manifest was written for that version")
    return (f"restore it with `git checkout -- data/{entry.file}`, or rebuild it from its source "
            f"with the steps in data/README.md ({entry.name})")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_file(entry: _Entry) -> Path:
    path = _path_of(entry)
    if not path.exists():
        raise DataError(f"{entry.file}: file not found (looked in {path.parent.name}/); "
                        f"{_restore_hint(entry)}")
    found = _sha256(path)
    if found != entry.sha256:
        raise DataError(
            f"{entry.file}: checksum mismatch, the file is corrupted or was changed: expected "
            f"SHA-256 {entry.sha256}, found {found}; {_restore_hint(entry)}"
        )
    return path


def _check_schema(entry: _Entry, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    found = list(frame.columns)
    if found != columns:
        missing = [c for c in columns if c not in found]
        extra = [c for c in found if c not in columns]
        raise DataError(
            f"{entry.file}: wrong schema: expected columns {columns}, found {found} "
            f"(missing {missing}, unexpected {extra}); {_restore_hint(entry)}"
        )
    if frame.shape != (entry.rows, entry.columns):
        raise DataError(
            f"{entry.file}: wrong shape: expected {entry.rows} rows x {entry.columns} columns, "
            f"found {frame.shape[0]} x {frame.shape[1]}; {_restore_hint(entry)}"
        )
    return frame


def _read_csv(name: str, columns: list[str], **kwargs) -> pd.DataFrame:
    entry = _entry(name)
    path = _check_file(entry)
    try:
        frame = pd.read_csv(path, **kwargs)
    except Exception as exc:  # a file with the right checksum always parses; belt and braces
        raise DataError(f"{entry.file}: could not be parsed as CSV ({exc}); "
                        f"{_restore_hint(entry)}") from exc
    return _check_schema(entry, frame, columns)


def _categorical(frame: pd.DataFrame, column: str, categories: list[str],
                 ordered: bool = False, name: str = "") -> pd.Series:
    unknown = sorted(set(frame[column].dropna()) - set(categories))
    if unknown:
        raise DataError(f"{name}: column {column!r} has unexpected values {unknown}; "
                        f"expected one of {categories}")
    return pd.Categorical(frame[column], categories=categories, ordered=ordered)


# --------------------------------------------------------------------------- credit
_GERMAN_COLUMNS = [
    "checking_status", "duration_months", "credit_history", "purpose", "credit_amount",
    "savings", "employment_since", "installment_rate", "personal_status_sex", "other_debtors",
    "residence_since", "property", "age", "other_installment_plans", "housing",
    "existing_credits", "job", "dependents", "telephone", "foreign_worker", "class",
]

#: The corrected code table of the German credit data (Grömping 2019, the code
#: table of UCI's "South German Credit"), keyed by the codes of the UCI file
#: ``german.data`` that ``data/german_credit.csv`` stores. One dict per coded
#: attribute, {code: label}, in the order of the codes. Grömping numbers the
#: levels 0/1-4 where ``german.data`` writes A30 ... or A11 ...; the match is
#: code for code, except ``dependents`` and ``foreign_worker``, whose two levels
#: are the other way round in ``german.data`` (her report says so; the level
#: counts below confirm it). The four integer attributes are ordinal scores,
#: not counts or percentages: ``german_credit()`` keeps them as the integers
#: 1-4 (1-2) and this table says what each integer means.
GERMAN_CREDIT_CODE_TABLE: dict[str, dict[str | int, str]] = {
    "checking_status": {"A11": "no checking account", "A12": "< 0 DM",
                        "A13": "0 to < 200 DM", "A14": ">= 200 DM or salary account"},
    "credit_history": {"A30": "delay in paying off in the past",
                       "A31": "critical account or other credits elsewhere",
                       "A32": "no credits taken or all paid back duly",
                       "A33": "existing credits paid back duly till now",
                       "A34": "all credits at this bank paid back duly"},
    "purpose": {"A40": "others", "A41": "car (new)", "A42": "car (used)",
                "A43": "furniture/equipment", "A44": "radio/television",
                "A45": "domestic appliances", "A46": "repairs", "A47": "education",
                "A48": "vacation", "A49": "retraining", "A410": "business"},
    "savings": {"A61": "unknown or no savings account", "A62": "< 100 DM",
                "A63": "100 to < 500 DM", "A64": "500 to < 1000 DM", "A65": ">= 1000 DM"},
    "employment_since": {"A71": "unemployed", "A72": "< 1 year", "A73": "1 to < 4 years",
                         "A74": "4 to < 7 years", "A75": ">= 7 years"},
    "installment_rate": {1: ">= 35% of disposable income", 2: "25 to < 35%",
                         3: "20 to < 25%", 4: "< 20%"},
    "personal_status_sex": {"A91": "male: divorced/separated",
                            "A92": "female: non-single, or male: single",
                            "A93": "male: married/widowed", "A94": "female: single"},
    "other_debtors": {"A101": "none", "A102": "co-applicant", "A103": "guarantor"},
    "residence_since": {1: "< 1 year", 2: "1 to < 4 years", 3: "4 to < 7 years",
                        4: ">= 7 years"},
    "property": {"A121": "unknown or no property", "A122": "car or other",
                 "A123": "building society savings or life insurance",
                 "A124": "real estate"},
    "other_installment_plans": {"A141": "bank", "A142": "stores", "A143": "none"},
    "housing": {"A151": "for free", "A152": "rent", "A153": "own"},
    "existing_credits": {1: "1", 2: "2 or 3", 3: "4 or 5", 4: ">= 6"},
    "job": {"A171": "unemployed or unskilled non-resident", "A172": "unskilled resident",
            "A173": "skilled employee or official",
            "A174": "management, self-employed or highly qualified"},
    "dependents": {1: "0 to 2", 2: "3 or more"},
    "telephone": {"A191": "none", "A192": "yes, registered"},
    "foreign_worker": {"A201": "no", "A202": "yes"},
    "class": {1: "good", 2: "bad"},
}

#: The labels of the UCI documentation of ``german.data`` (``german.doc``),
#: which the book used until 2026 and most published work still uses. Wrong
#: for checking_status, credit_history, purpose, savings, personal_status_sex,
#: property, housing and foreign_worker (see data/README.md); kept so that a
#: reader can compare with older work: ``german_credit(labels="uci")``.
#: The integer attributes had no labels there (they were read as numbers).
GERMAN_CREDIT_UCI_LABELS: dict[str, dict[str | int, str]] = {
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
    "class": {1: "good", 2: "bad"},
}

# Attributes whose corrected levels form a scale (in code order).
_GERMAN_ORDERED = {"employment_since"}
_GERMAN_UCI_ORDERED = {"checking_status", "savings", "employment_since"}
_GERMAN_INTEGER_CODES = ["installment_rate", "residence_since", "existing_credits", "dependents"]
_GERMAN_LABELS = ("corrected", "uci", "codes")


def _decode_german(frame: pd.DataFrame, labels: str) -> pd.DataFrame:
    """Check every code against the corrected table, then label it (or keep it)."""
    name = "german_credit.csv"
    for col, table in GERMAN_CREDIT_CODE_TABLE.items():
        values = frame[col]
        unknown = sorted(set(values.dropna()) - set(table), key=str)
        if values.isna().any():
            unknown = ["<empty>", *unknown]
        if unknown:
            raise DataError(
                f"{name}: attribute {col!r} has code(s) {unknown} that are not in its code table "
                f"(known codes: {list(table)}); the file is damaged: restore it with "
                f"`git checkout -- data/{name}` or rebuild it from german.data with "
                f"data/scripts/make_german_credit.py"
            )
    out = frame.copy()
    out["class"] = pd.Categorical(frame["class"].map(GERMAN_CREDIT_CODE_TABLE["class"]),
                                  categories=["good", "bad"])
    tables = {"corrected": GERMAN_CREDIT_CODE_TABLE, "uci": GERMAN_CREDIT_UCI_LABELS}
    ordered = _GERMAN_UCI_ORDERED if labels == "uci" else _GERMAN_ORDERED
    for col, codes in GERMAN_CREDIT_CODE_TABLE.items():
        if col == "class" or col in _GERMAN_INTEGER_CODES:
            continue
        present = [code for code in codes if code in set(frame[col])]  # purpose A47 never occurs
        if labels == "codes":
            out[col] = pd.Categorical(frame[col], categories=present)
            continue
        table = tables[labels][col]
        out[col] = pd.Categorical(frame[col].map(table), categories=[table[c] for c in present],
                                  ordered=col in ordered)
    return out


def german_credit(labels: str = "corrected") -> pd.DataFrame:
    """German credit data: 1,000 consumer loans of a southern German bank, 20 attributes.

    One row is one credit (1973-1975). The target is ``class``: ``good`` (700)
    or ``bad`` (300), a categorical with categories ``['good', 'bad']``. The
    sample is stratified and bad credits are heavily over-represented: the
    sources put the bank's share of bad credits near 5%, not 30%, so a
    probability fitted here needs a prior correction before it is used as a
    default probability (see ``data/README.md``).

    The file stores the codes of the UCI file ``german.data`` (A11, A12, ...).
    By default they are decoded attribute by attribute with the corrected code
    table of Grömping (2019), :data:`GERMAN_CREDIT_CODE_TABLE`, not with the
    UCI documentation, whose table is wrong for eight attributes (for example
    A11 is *no checking account*, not *< 0 DM*). Each decoded attribute is a
    categorical whose categories are the levels that occur, in code order
    (purpose code A47, *education*, never occurs); ``employment_since`` is
    ordered.

    Numeric columns: ``duration_months`` (months), ``credit_amount`` (Deutsche
    Mark), ``age`` (years), and four ordinal scores kept as integer codes
    whose meaning is in :data:`GERMAN_CREDIT_CODE_TABLE`:
    ``installment_rate`` (instalment as a share of disposable income, 1 = 35%
    or more ... 4 = under 20%), ``residence_since`` (1 = under 1 year ... 4 =
    7 years or more), ``existing_credits`` (credits at this bank, 1 = one,
    2 = two or three, 3 = four or five, 4 = six or more) and ``dependents``
    (1 = up to two people, 2 = three or more).

    ``labels="uci"`` decodes with the old UCI labels
    (:data:`GERMAN_CREDIT_UCI_LABELS`), to compare with older work;
    ``labels="codes"`` keeps the codes. An unknown code raises
    :class:`DataError` naming the attribute and the code. Use
    :data:`GERMAN_CREDIT_COSTS` to score decisions.

    Source: Hofmann (1994), UCI Machine Learning Repository, CC BY 4.0; code
    table: Grömping (2019) and UCI's South German Credit (2019/2020).

    Example
    -------
    >>> german_credit()["class"].cat.categories.tolist()
    ['good', 'bad']
    >>> german_credit()["checking_status"].value_counts(sort=False).tolist()
    [274, 269, 63, 394]
    """
    if labels not in _GERMAN_LABELS:
        raise ValueError(f"labels must be one of {list(_GERMAN_LABELS)}, got {labels!r}: "
                         f"'corrected' (Grömping 2019, the default), 'uci' (the old UCI "
                         f"documentation) or 'codes' (A11, A12, ... as in german.data)")
    frame = _read_csv("german_credit", _GERMAN_COLUMNS)
    return _decode_german(frame, labels)


_LC_COLUMNS = [
    "funded_amnt", "term", "int_rate", "sub_grade", "addr_state", "verification_status",
    "annual_inc", "emp_length", "delinq_2yrs", "inq_last_6mths", "revol_util", "acc_now_delinq",
    "open_il_6m", "open_il_12m", "open_il_24m", "total_bal_il", "all_util", "inq_fi",
    "inq_last_12m", "delinq_amnt", "num_il_tl", "total_il_high_credit_limit", "Class",
]
SUB_GRADES = [f"{g}{n}" for g in "ABCDEFG" for n in range(1, 6)]
_EMP_LENGTH = ["emp_lt_1", *[f"emp_{i}" for i in range(1, 10)], "emp_ge_10", "emp_unk"]


def lending_club() -> pd.DataFrame:
    """Lending Club personal loans issued in 2016Q1: 9,857 loans, 22 predictors.

    One row is one funded loan. The target is ``Class``: ``good`` or ``bad``
    (about 5% bad; in modeldata's construction "bad" means the loan was charged
    off, in default or late when the data were collected), categories
    ``['good', 'bad']``. Units: ``funded_amnt``, ``annual_inc``,
    ``total_bal_il``, ``total_il_high_credit_limit``, ``delinq_amnt`` in US
    dollars; ``int_rate``, ``revol_util``, ``all_util`` in percent. ``sub_grade``
    is Lending Club's own risk grade, an ordered categorical A1 (best) to G5.
    ``term`` is ``term_36`` or ``term_60`` (months); ``emp_length`` is the
    employment length bucket (``emp_unk`` = not reported).

    Source: R package modeldata (MIT), from Lending Club's public loan data.

    Example
    -------
    >>> round(float((lending_club()["Class"] == "bad").mean()), 4)
    0.0525
    """
    frame = _read_csv("lending_club", _LC_COLUMNS)
    name = "lending_club.csv"
    frame["term"] = _categorical(frame, "term", ["term_36", "term_60"], name=name)
    frame["sub_grade"] = _categorical(frame, "sub_grade", SUB_GRADES, ordered=True, name=name)
    frame["addr_state"] = frame["addr_state"].astype("category")
    frame["verification_status"] = _categorical(
        frame, "verification_status", ["Not_Verified", "Source_Verified", "Verified"], name=name)
    frame["emp_length"] = _categorical(frame, "emp_length", _EMP_LENGTH, name=name)
    frame["Class"] = _categorical(frame, "Class", ["good", "bad"], name=name)
    return frame


_CD_COLUMNS = ["Status", "Seniority", "Home", "Time", "Age", "Marital", "Records", "Job",
               "Expenses", "Income", "Assets", "Debt", "Amount", "Price"]


def credit_data() -> pd.DataFrame:
    """A second credit-scoring sample: 4,454 applicants, 13 predictors (modeldata).

    One row is one applicant; the target ``Status`` is ``good`` or ``bad``
    (28% bad). ``Seniority`` (years in job), ``Time`` (loan term, months),
    ``Age`` (years), ``Expenses``, ``Income``, ``Assets``, ``Debt``,
    ``Amount`` (requested), ``Price`` (of the good financed), the money columns
    in the original (unstated) currency units. Missing values are kept as NaN
    (``Income`` has 381): handle them in the model, not here.

    Source: R package modeldata (MIT); originally from the website of
    Scott (2013), *Credit Scoring*.
    """
    frame = _read_csv("credit_data", _CD_COLUMNS)
    name = "credit_data.csv"
    frame["Status"] = _categorical(frame, "Status", ["good", "bad"], name=name)
    for col in ["Home", "Marital", "Records", "Job"]:
        frame[col] = frame[col].astype("category")
    return frame


# --------------------------------------------------------------------------- rates
_CURVE_COLUMNS = ["date", *MATURITY_YEARS]


def treasury_curve() -> pd.DataFrame:
    """US Treasury par yield curve, daily, 1990-01-02 to 2017-03-29, in percent.

    One row is one business day (DatetimeIndex ``date``); one column per
    maturity, ``1m`` to ``30y`` (:data:`MATURITY_YEARS` gives them in years).
    Yields are in percent (the committed file stores decimal fractions, as its
    source does). Gaps are NaN, never filled: the 1-month bill starts on
    2001-07-31, the 20-year bond on 1993-10-01, and the 30-year bond was not
    issued from 2002-02-19 to 2006-02-08; ``.dropna()`` leaves the days on
    which all eleven maturities are quoted.

    Source: US Department of the Treasury (public domain).
    """
    frame = _read_csv("treasury_curve", _CURVE_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    out = (frame.set_index("date") * 100.0).round(4)  # exact: the source has 4 decimals
    out.columns.name = "maturity"
    return out


def _load_arch(name: str, columns: list[str]) -> pd.DataFrame:
    """Read one of arch's compressed CSV files after checking it against the manifest.

    FRED marks days without a quote (market holidays) with ``.``: they become NaN.
    """
    entry = _entry(name)
    path = _check_file(entry)
    frame = pd.read_csv(path, compression="gzip", na_values=["."])
    return _check_schema(entry, frame, columns)


def _ohlcv(name: str) -> pd.DataFrame:
    raw = _load_arch(name, ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"])
    raw["Date"] = pd.to_datetime(raw["Date"])
    out = raw.set_index("Date").rename(columns=lambda c: c.lower().replace(" ", "_"))
    out.index.name = "date"
    return out


def sp500() -> pd.DataFrame:
    """S&P 500 index, daily, 1999-01-04 to 2018-12-31 (5,031 days), from ``arch``.

    Columns ``open``, ``high``, ``low``, ``close``, ``adj_close`` (index points)
    and ``volume`` (shares traded). DatetimeIndex ``date``.

    Example
    -------
    >>> bool(sp500().loc["2008-10-13", "close"] > sp500().loc["2008-10-10", "close"])
    True
    """
    return _ohlcv("sp500")


def nasdaq() -> pd.DataFrame:
    """NASDAQ Composite index, daily, 1999-01-04 to 2018-12-31, from ``arch``.

    Same columns and units as :func:`sp500`.
    """
    return _ohlcv("nasdaq")


def vix() -> pd.DataFrame:
    """CBOE VIX index (points), daily, 2014-01-03 to 2019-01-03, from ``arch``.

    One column, ``vix``; US market holidays, which FRED lists without a value, are NaN.
    """
    raw = _load_arch("vix", ["Date", "vix"])
    raw["Date"] = pd.to_datetime(raw["Date"])
    return raw.set_index("Date").rename_axis("date")


def wti() -> pd.DataFrame:
    """WTI crude oil spot price (US dollars per barrel), daily, 1986-2019, from ``arch``.

    One column, ``wti`` (FRED series DCOILWTICO); holidays without a quote are NaN.
    """
    raw = _load_arch("wti", ["Date", "DCOILWTICO"])
    raw["Date"] = pd.to_datetime(raw["Date"], format="%m/%d/%Y")
    return raw.set_index("Date").rename_axis("date").rename(columns={"DCOILWTICO": "wti"})


def bond_yields() -> pd.DataFrame:
    """Moody's seasoned AAA and BAA corporate bond yields (percent), monthly, 1919-2018.

    Columns ``AAA``, ``BAA`` and ``spread`` (BAA minus AAA, percentage points),
    DatetimeIndex ``date`` on the first day of each month. From ``arch``
    (originally FRED series AAA and BAA).
    """
    raw = _load_arch("bond_yields", ["Date", "AAA", "BAA"])
    raw["Date"] = pd.to_datetime(raw["Date"], format="%m/%d/%Y")
    out = raw.set_index("Date").rename_axis("date")
    out["spread"] = (out["BAA"] - out["AAA"]).round(2)  # both quoted to 2 decimals
    return out


def fama_french() -> pd.DataFrame:
    """Fama-French three factors and the risk-free rate, monthly, 1926-07 to 2018-11, percent.

    Columns ``Mkt-RF`` (market excess return), ``SMB``, ``HML``, ``RF`` (one-month
    T-bill), all in percent per month. DatetimeIndex ``date`` on the last day of
    each month. ``arch.data.frenchdata.load()`` returns every date as
    1970-01-01 (it reads the YYYYMM code as nanoseconds); this loader parses the
    code as a month instead.
    """
    raw = _load_arch("fama_french",
                     ["Date", "Mkt-RF", "SMB", "HML", "RF"])
    months = pd.to_datetime(raw.pop("Date").astype(str), format="%Y%m")
    raw.index = pd.DatetimeIndex(months + pd.offsets.MonthEnd(0), name="date")
    return raw


# --------------------------------------------------------------------------- Smarket
_SMARKET_COLUMNS = ["Year", "Lag1", "Lag2", "Lag3", "Lag4", "Lag5", "Volume", "Today",
                    "Direction"]


def islr_smarket() -> pd.DataFrame:
    """ISLR's ``Smarket`` table exactly as the R package ISLR publishes it (reference copy).

    Used to check :func:`smarket`, never to train. Columns as in :func:`smarket`.
    """
    frame = _read_csv("islr_smarket", _SMARKET_COLUMNS)
    frame["Direction"] = _categorical(frame, "Direction", ["Down", "Up"], name="islr_smarket.csv")
    return frame


def smarket(prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rebuild ISLR's ``Smarket`` table from S&P 500 prices.

    *An Introduction to Statistical Learning* (James et al.) uses ``Smarket``:
    1,250 trading days of 2001-2005 with the day's percentage return
    (``Today``), the five previous days' returns (``Lag1`` ... ``Lag5``), the
    previous day's volume (``Volume``, billions of shares) and ``Direction``
    (``Up`` when ``Today >= 0``, else ``Down``). The exact construction, found
    by matching every cell of the published table:

    1. take the adjusted close from 2001-01-02 to 2005-12-30 and round it to
       cents (the source quoted two decimals);
    2. ``Today`` = 100 x (close / previous close - 1), rounded to 3 decimals;
       the lags are the same series shifted by 1 to 5 days;
    3. ``Volume`` = the previous day's volume / 1e9, unrounded;
    4. drop the first days of the window, which lack five lags, leaving
       2001-01-10 to 2005-12-30;
    5. ``Year`` = the calendar year of ``Today``.

    The result equals the published table in every row and column (a test
    checks it against :func:`islr_smarket`). The index is the trading date,
    which the published table does not include.

    Parameters
    ----------
    prices : DataFrame, optional
        Daily prices with ``adj_close`` and ``volume`` columns and a
        DatetimeIndex; defaults to :func:`sp500`.
    """
    prices = sp500() if prices is None else prices
    missing = {"adj_close", "volume"} - set(prices.columns)
    if missing:
        raise DataError(f"smarket needs columns adj_close and volume; missing {sorted(missing)}")
    if not isinstance(prices.index, pd.DatetimeIndex):
        raise DataError("smarket needs prices indexed by date (a DatetimeIndex)")
    window = prices.loc["2001-01-02":"2005-12-30"]
    if window.empty:
        raise DataError("smarket needs prices covering 2001-01-02 to 2005-12-30")
    close = window["adj_close"].round(2)
    today = (100.0 * (close / close.shift(1) - 1.0)).round(3)
    out = pd.DataFrame(index=window.index)
    out["Year"] = window.index.year.astype(np.int64)
    for k in range(1, 6):
        out[f"Lag{k}"] = today.shift(k)
    out["Volume"] = window["volume"].shift(1) / 1e9
    out["Today"] = today
    out = out.dropna()
    out["Direction"] = pd.Categorical(np.where(out["Today"] >= 0, "Up", "Down"),
                                      categories=["Down", "Up"])
    return out


# --------------------------------------------------------------------------- catalogue
_LOADERS: dict[str, Callable[[], pd.DataFrame]] = {
    "german_credit": german_credit,
    "lending_club": lending_club,
    "credit_data": credit_data,
    "treasury_curve": treasury_curve,
    "islr_smarket": islr_smarket,
    "sp500": sp500,
    "nasdaq": nasdaq,
    "vix": vix,
    "wti": wti,
    "bond_yields": bond_yields,
    "fama_french": fama_french,
}


def load(name: str) -> pd.DataFrame:
    """Load a dataset by its catalogue name (see :func:`list_datasets`)."""
    if name not in _LOADERS:
        raise DataError(f"unknown dataset {name!r}; known datasets: {', '.join(_LOADERS)}")
    return _LOADERS[name]()


def list_datasets() -> pd.DataFrame:
    """The catalogue: one row per dataset with its file, shape, period, source and licence.

    Example
    -------
    >>> "german_credit" in list_datasets()["name"].tolist()
    True
    """
    rows = [
        {"name": e.name, "description": e.description, "rows": e.rows, "columns": e.columns,
         "period": e.period, "file": e.file, "licence": e.licence, "source": e.source}
        for e in _manifest().values()
    ]
    return pd.DataFrame(rows)


def verify(name: str) -> str:
    """Check one dataset's file (checksum) and schema; return a one-line report.

    Raises :class:`DataError` on the first problem found.
    """
    entry = _entry(name)
    load(name)
    return f"ok  {entry.name:15s} {entry.file:32s} sha256 {entry.sha256[:12]}  {entry.rows} x {entry.columns}"


def verify_all() -> list[str]:
    """Verify every dataset in the manifest; return one line per dataset.

    A dataset that fails is reported with its error and the others are still
    checked; :class:`DataError` is raised at the end if any failed.
    """
    lines, failed = [], []
    for name in _manifest():
        try:
            lines.append(verify(name))
        except DataError as exc:
            lines.append(f"FAIL {name}: {exc}")
            failed.append(name)
    if failed:
        raise DataError("\n".join(lines) + f"\n{len(failed)} dataset(s) failed: {', '.join(failed)}")
    lines.append(f"all {len(lines)} datasets verified")
    return lines
