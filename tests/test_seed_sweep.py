"""The committed seed sweep (chapters/sweeps/): consistent with its command, and reproducible.

``chapters/sweeps/seed_sweep.csv`` is the table ``python -m finbook sweep`` wrote;
``seed_sweep.json`` records the command that made it, the machine it ran on, the verdict
key of each chapter, and the two cells CI re-runs. Because every run is deterministic,
re-executing a sampled cell must give back its row: exactly on a machine with the same
fingerprint, and on another CPU the numbers within the stated tolerance and the same
verdict words.
"""

from __future__ import annotations

import json
import math
import shlex

import pandas as pd
import pytest

from finbook import paths
from finbook.book import headline, machine, pipeline, sweep

SWEEPS = paths.ROOT / "chapters" / "sweeps"
TABLE = SWEEPS / "seed_sweep.csv"
META = SWEEPS / "seed_sweep.json"


@pytest.fixture(scope="module")
def meta() -> dict:
    return json.loads(META.read_text())


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(TABLE)


def _command_args(command: str) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """Chapters, swept parameters and collected keys of one recorded sweep command."""
    argv = shlex.split(command)
    assert argv[:4] == ["python", "-m", "finbook", "sweep"], command
    chapters, params, collect, i = [], {}, [], 4
    while i < len(argv):
        if argv[i] in ("-p", "--param"):
            params[argv[i + 1]] = sweep.expand_values(argv[i + 2])
            i += 3
        elif argv[i] == "--collect":
            collect.append(argv[i + 1])
            i += 2
        elif argv[i] in ("--workers", "--output", "--table", "--scheduler"):
            i += 2
        elif argv[i].startswith("-"):
            i += 1
        else:
            chapters.append(argv[i])
            i += 1
    return chapters, params, collect


def test_table_holds_every_run_of_its_commands(meta, table):
    stems, collect = [], []
    for command in meta["commands"]:
        chapters, params, keys = _command_args(command)
        assert list(params) == ["SEED"]
        seeds = sorted(int(s) for s in params["SEED"])
        assert seeds == list(range(20)), command
        stems += [pipeline.find_chapter(c).stem for c in chapters]
        collect += keys
    assert len(stems) == len(set(stems)), "a chapter is swept by two commands"
    stems = sorted(stems)
    assert sorted(table["chapter"].unique()) == stems
    failed = {(f["chapter"], int(f["SEED"])) for f in meta.get("failed_runs", [])}
    for f in meta.get("failed_runs", []):
        assert f["why"], f"failed run {f} must say why it failed (its 'why', which chapter 22 shows)"
    for stem in stems:
        done = sorted(table.loc[table["chapter"] == stem, "SEED"].astype(int))
        stopped = sorted(s for c, s in failed if c == stem)
        assert sorted(done + stopped) == seeds, f"{stem}: rows {done} and failed runs {stopped}"
        assert not set(done) & set(stopped), stem
    for f in meta.get("rerun_after_fix", []):
        assert f["why"] and f["fix"], f"re-run {f} must say why it stopped and what fixed the chapter"
        assert (f["chapter"], int(f["SEED"])) not in failed, f
        rows = table[(table["chapter"] == f["chapter"]) & (table["SEED"].astype(int) == int(f["SEED"]))]
        assert len(rows) == 1, f"re-run {f} has {len(rows)} rows in the table"
    for chapter, key in meta["verdict_keys"].items():
        assert key in collect, f"{chapter}'s verdict key {key} is not collected by the command"
        rows = table.loc[table["chapter"] == chapter, key]
        assert rows.notna().all(), f"{chapter}: some runs glued no {key}"


def test_committed_chapters_glue_the_keys_the_table_reads(meta):
    for chapter, key in meta["verdict_keys"].items():
        values = headline.glued_values(pipeline.find_chapter(chapter))
        assert key in values, f"{chapter} no longer glues {key}: re-run the sweep"


@pytest.mark.parametrize("cell", range(2))
def test_a_sampled_cell_reproduces_its_row(meta, table, cell, tmp_path):
    """CI's spot check: re-execute one (chapter, seed) of the sweep and compare with its row."""
    chapter, seed = meta["spot_checks"][cell]
    row = table[(table["chapter"] == chapter) & (table["SEED"] == seed)]
    assert len(row) == 1, f"no row for {chapter} SEED={seed} in {TABLE.name}"
    row = row.iloc[0]
    out = tmp_path / f"{chapter}_SEED={seed}.ipynb"
    pipeline.execute_notebook(pipeline.find_chapter(chapter), output=out, parameters={"SEED": seed},
                              progress=False)
    values = headline.glued_values(out)
    same_machine = machine.fingerprint(machine.machine_record()) == machine.fingerprint(meta["machine"])
    rtol = 0.0 if same_machine else meta["tolerance"]["rtol"]
    for key in ("headline_deep_score", "headline_baseline_score"):
        assert math.isclose(float(values[key]), float(row[key]), rel_tol=rtol, abs_tol=0.0), (
            f"{chapter} SEED={seed}: {key} is {values[key]}, the sweep table says {row[key]} "
            f"({'exact, same machine' if same_machine else f'rtol {rtol}, another CPU'})")
    key = meta["verdict_keys"][chapter]
    assert values[key] == row[key], f"{chapter} SEED={seed}: verdict {values[key]!r} != table {row[key]!r}"


def _sweep_table(tmp_path, verdicts, chapter="99_toy", column="toy_verdict"):
    path = tmp_path / "sweep.csv"
    table = pd.DataFrame({"chapter": chapter, "SEED": range(len(verdicts)), column: verdicts})
    table.to_csv(path, index=False)
    return path


def test_sweep_agreement_counts_and_reads_the_exception(tmp_path):
    worse, same = "significantly worse than (p = 0.01)", "indistinguishable from (p = 0.4)"
    path = _sweep_table(tmp_path, [worse] * 3 + [same] * 2)
    got = headline.sweep_agreement("99_toy", "toy_verdict", same, subject="the net", against="HAR",
                                   table=path)
    assert (got.n, got.same, got.book_kind) == (5, 2, "indistinguishable")
    assert got.common == "significantly worse in 3"
    assert got.reading.endswith("most draws find the net significantly worse than HAR")
    assert got.table("kind").to_dict() == {"seeds (of 5)": {"significantly worse": 3, "indistinguishable": 2}}
    agree = headline.sweep_agreement("99_toy", "toy_verdict", worse, subject="the net", against="HAR",
                                     table=path)
    assert agree.same == 3 and agree.reading == "the verdict at this seed is also the most common one"


def test_sweep_agreement_glues_its_four_values(tmp_path, monkeypatch):
    import myst_nb  # noqa: PLC0415

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda key, value, display=True: glued.setdefault(key, value))
    path = _sweep_table(tmp_path, ["indistinguishable from (p = 0.4)"] * 2)
    got = headline.sweep_agreement("99_toy", "toy_verdict", "indistinguishable", subject="the net",
                                   against="HAR", table=path)
    got.glue("toy_sweep")
    assert glued == {"toy_sweep_n": 2, "toy_sweep_same": 2, "toy_sweep_common": "indistinguishable in 2",
                     "toy_sweep_reading": "the verdict at this seed is also the most common one"}


def test_sweep_agreement_says_when_the_most_common_verdict_is_tied(tmp_path):
    better, same = "significantly better than (p = 0.01)", "indistinguishable from (p = 0.4)"
    path = _sweep_table(tmp_path, [better, same])
    got = headline.sweep_agreement("99_toy", "toy_verdict", same, subject="the net", against="HAR",
                                   table=path)
    assert got.common == "significantly better and indistinguishable in 1 each"
    assert "tied for the most common" in got.reading
    worse = headline.sweep_agreement("99_toy", "toy_verdict", "significantly worse than (p = 0.02)",
                                     subject="the net", against="HAR", table=path)
    assert worse.same == 0
    assert worse.reading.endswith("significantly better than or indistinguishable from HAR")


def test_sweep_agreement_rejects_missing_chapters_columns_and_verdicts(tmp_path):
    path = _sweep_table(tmp_path, ["indistinguishable from (p = 0.4)", "no verdict here"])
    kwargs = {"subject": "the net", "against": "HAR", "table": path}
    with pytest.raises(ValueError, match="no 'toy_verdict' for chapter '98_other'"):
        headline.sweep_agreement("98_other", "toy_verdict", "indistinguishable", **kwargs)
    with pytest.raises(ValueError, match="--collect other_verdict"):
        headline.sweep_agreement("99_toy", "other_verdict", "indistinguishable", **kwargs)
    with pytest.raises(ValueError, match="no verdict in 'no verdict here'"):
        headline.sweep_agreement("99_toy", "toy_verdict", "indistinguishable", **kwargs)
    with pytest.raises(ValueError, match="no seed-sweep table"):
        headline.sweep_agreement("99_toy", "toy_verdict", "indistinguishable", subject="a",
                                 against="b", table=tmp_path / "missing.csv")


def test_the_committed_sweep_reads_for_every_swept_chapter():
    sweeps = paths.CHAPTERS_DIR / "sweeps"
    meta = json.loads((sweeps / "seed_sweep.json").read_text())
    for chapter, key in meta["verdict_keys"].items():
        got = headline.sweep_agreement(chapter, key, meta["book_verdicts"][chapter], subject="the network",
                                       against="the baseline", table=sweeps / "seed_sweep.csv")
        assert got.n == 20 and sum(got.counts) == got.n, chapter


def test_every_chapter_with_a_headline_is_swept(meta):
    headlines = set(headline.headline_table()["chapter"])
    swept = set(meta["verdict_keys"])
    assert headlines - swept == set(), f"chapters with a headline not in the seed sweep: {headlines - swept}"
    assert swept - headlines == set(), f"swept chapters without a glued headline: {swept - headlines}"
