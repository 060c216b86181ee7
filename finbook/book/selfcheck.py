"""Check a numerical answer to an exercise without seeing it.

A student who has computed an answer runs, in the notebook::

    from finbook.book import selfcheck
    selfcheck.check("market-ex-kupiec", lr=lr, pvalue=p, first_rejected=7)

and reads one line per number: ``✓`` when it is within the exercise's tolerance, ``✗``
when it is not. ``check`` returns ``True`` only when every number passed, so
``assert selfcheck.check(...)`` stops a notebook on a wrong answer.

How it avoids printing the answer: ``answers.json`` beside this module stores, for
each number, only its tolerance ``step`` and a slow salted hash (PBKDF2-SHA256,
:data:`ITERATIONS` rounds) of the *bin* ``floor(answer / step)``. A value passes when its
own bin or a neighbouring bin hashes to the stored digest: always when it is within one
``step`` of the answer, never when it is two or more away. Integers (``step: 1,
exact: true``) and words (``kind: text``) must match exactly. There is no plain answer
in the file, and the hash makes trying candidate values slow (a fraction of a second
each); it is a deterrent, not a secret: a student who tries every bin of a narrow range
will find it, and the full edition publishes the solutions anyway. The grade should rest
on the reasoning the exercise asks for, which no checker gives away.

Teachers add or replace an answer (e.g. for their own parameter variant) with::

    python -m finbook.book.selfcheck add LABEL NAME VALUE --step 0.01 [--file answers.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["ANSWERS", "ITERATIONS", "SelfCheckError", "check", "digest", "entry", "known"]

#: The stored answers (no plain values: tolerances and hashes).
ANSWERS = Path(__file__).with_name("answers.json")
#: PBKDF2 rounds per hash: about 0.1 s a number, to make guessing slow.
ITERATIONS = 200_000


class SelfCheckError(KeyError):
    """An exercise or a number that has no stored answer."""

    def __str__(self) -> str:
        return str(self.args[0])


def _bin(value: float | int | str, spec: dict) -> list[str]:
    """The bins to try for ``value``: its own (and its two neighbours for a tolerance band)."""
    if spec.get("kind") == "text":
        return [" ".join(str(value).lower().split())]
    value = float(value)
    if not math.isfinite(value):
        return []
    if spec.get("exact"):
        return [str(round(value / spec["step"]))]
    k = math.floor(value / spec["step"])
    return [str(k), str(k - 1), str(k + 1)]


def digest(label: str, name: str, bin_: str, *, iterations: int = ITERATIONS) -> str:
    """The stored hash of one bin of one number of one exercise."""
    salt = f"finbook-selfcheck|{label}|{name}".encode()
    return hashlib.pbkdf2_hmac("sha256", bin_.encode(), salt, iterations).hex()


def entry(label: str, name: str, value: float | int | str, *, step: float = 1.0, exact: bool = False,
          text: bool = False) -> dict:
    """The ``answers.json`` entry for an answer (a teacher's tool; the value is not stored)."""
    spec: dict = {"kind": "text"} if text else {"step": step, **({"exact": True} if exact else {})}
    if text:
        bin_ = _bin(value, spec)[0]
    elif exact:
        bin_ = str(round(float(value) / step))
    else:
        bin_ = str(math.floor(float(value) / step))
    return {**spec, "sha256": digest(label, name, bin_)}


def _load(path: Path | None = None) -> dict:
    return json.loads((path or ANSWERS).read_text(encoding="utf-8"))


def known(path: Path | None = None) -> dict[str, list[str]]:
    """Every exercise with stored answers, and the names of its numbers."""
    return {label: sorted(numbers) for label, numbers in _load(path)["exercises"].items()}


def _describe(spec: dict) -> str:
    if spec.get("kind") == "text":
        return "the exact word"
    if spec.get("exact"):
        return "the exact number" if spec["step"] == 1 else f"exactly, in steps of {spec['step']:g}"
    return f"within {spec['step']:g}"


def check(label: str, *, quiet: bool = False, answers: Path | None = None,
          **values: float | int | str) -> bool:
    """Compare each named value with the stored answer of exercise ``label``; print ✓ or ✗ per value.

    Returns True when every value passed. Unknown exercises or names raise
    :class:`SelfCheckError` listing what can be checked.
    """
    exercises = _load(answers)["exercises"]
    if label not in exercises:
        raise SelfCheckError(f"no stored answers for exercise {label!r}; exercises with a self-check: "
                             f"{', '.join(sorted(exercises))}")
    stored = exercises[label]
    if not values:
        raise SelfCheckError(f"name the numbers to check, e.g. check({label!r}, "
                             f"{', '.join(f'{n}=...' for n in sorted(stored))})")
    unknown = sorted(set(values) - set(stored))
    if unknown:
        raise SelfCheckError(f"exercise {label!r} has no stored answer named {', '.join(unknown)}; "
                             f"it checks: {', '.join(sorted(stored))}")
    ok = True
    for name, value in values.items():
        spec = stored[name]
        passed = any(digest(label, name, b) == spec["sha256"] for b in _bin(value, spec))
        ok &= passed
        if not quiet:
            verdict = "✓ correct" if passed else "✗ not it"
            print(f"{label} · {name} = {value!r}: {verdict} ({_describe(spec)})")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m finbook.book.selfcheck",
                                     description="Store or list the hashed answers of exercises.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("add", help="store (or replace) the hashed answer of one number")
    p.add_argument("label")
    p.add_argument("name")
    p.add_argument("value")
    p.add_argument("--step", type=float, default=1.0, help="tolerance (default 1)")
    p.add_argument("--exact", action="store_true", help="value must equal the answer, in units of --step")
    p.add_argument("--text", action="store_true", help="the answer is a word (compared case-insensitively)")
    p.add_argument("--file", type=Path, default=ANSWERS)
    sub.add_parser("list", help="list the exercises with a self-check").add_argument(
        "--file", type=Path, default=ANSWERS)
    args = parser.parse_args(argv)
    if args.command == "list":
        for label, names in known(args.file).items():
            print(f"{label}: {', '.join(names)}")
        return 0
    data = _load(args.file) if args.file.exists() else {"exercises": {}}
    value = args.value if args.text else float(args.value)
    data["exercises"].setdefault(args.label, {})[args.name] = entry(
        args.label, args.name, value, step=args.step, exact=args.exact, text=args.text)
    args.file.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"stored {args.label} · {args.name} in {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
