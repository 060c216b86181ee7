"""Compare a re-executed notebook's outputs with the committed ones, numbers with a tolerance.

Text, the structure of tables, shapes, counts, dates and words must agree exactly.
Numbers written with a decimal point or an exponent (``0.2063``, ``1.2e-16``,
``94.83``) may differ by the tolerance that the cell states in a comment, where the
number is made::

    # tolerance: rtol=0.02, atol=0.001, counts=2; spread of the LSTM's QLIKE over seeds

``rtol`` is relative to the committed value, ``atol`` absolute, ``counts`` the
absolute difference allowed for whole numbers (integers are exact otherwise). A
cell without the comment has no tolerance beyond display rounding. On top of the
stated tolerance, a number may always differ by one unit in the last digit the
committed number shows:
a value that sits on a rounding boundary flips that digit for an arbitrarily small
change, so the last digit carries no more information than that.

The functions here are pure: :mod:`finbook.book.nbcheck` runs the notebook and
reports the differences :func:`compare_cell` finds.

Example
-------
>>> tol = parse_tolerance("x = fit()\\n# tolerance: rtol=0.05; seed spread\\nprint(x)")
>>> tol
Tolerance(rtol=0.05, atol=0.0, counts=0)
>>> compare_text("QLIKE 0.2073 (HAR 0.2021)", "QLIKE 0.2063 (HAR 0.2021)", tol)
[]
>>> compare_text("QLIKE 0.2073 (HAR 0.2021)", "QLIKE 0.2063 (HAR 0.2021)", Tolerance())[0].reason
'number outside tolerance'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "COMPARED_MIMES",
    "Difference",
    "Tolerance",
    "ToleranceError",
    "compare_cell",
    "compare_outputs",
    "compare_text",
    "normalise_outputs",
    "parse_tolerance",
    "tokenize",
]

# --------------------------------------------------------------------------- tolerance
_DIRECTIVE = re.compile(r"^\s*#\s*tolerance\s*:(?P<body>.*)$", re.MULTILINE)
_KEYS = {"rtol": float, "atol": float, "counts": int}


class ToleranceError(ValueError):
    """A ``# tolerance:`` comment that cannot be read."""


@dataclass(frozen=True)
class Tolerance:
    """How far a re-executed cell's numbers may move from the committed ones."""

    rtol: float = 0.0
    atol: float = 0.0
    counts: int = 0

    def __post_init__(self) -> None:
        for name in ("rtol", "atol", "counts"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ToleranceError(f"{name} must be a finite number >= 0, got {value!r}")

    def describe(self) -> str:
        parts = [f"{k}={getattr(self, k):g}" for k in ("rtol", "atol", "counts") if getattr(self, k)]
        return ", ".join(parts) if parts else "exact (display rounding only)"


def parse_tolerance(source: str) -> Tolerance:
    """Read the ``# tolerance: key=value, ...; reason`` comment of a cell's source.

    Returns :class:`Tolerance` () -- no tolerance beyond display rounding -- when the
    cell has none. Raises :class:`ToleranceError` for a second comment, an unknown
    key, a repeated key or a value that is not a non-negative number, naming the
    offending text and the valid keys.
    """
    found = list(_DIRECTIVE.finditer(source))
    if not found:
        return Tolerance()
    if len(found) > 1:
        raise ToleranceError("a cell may state one '# tolerance:' comment; found "
                             f"{len(found)}: {[m.group(0).strip() for m in found]}")
    body = found[0].group("body").split(";", 1)[0]
    values: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in re.split(r"[,\s]+", body))):
        key, sep, raw = item.partition("=")
        if not sep or key not in _KEYS:
            raise ToleranceError(
                f"cannot read {item!r} in {found[0].group(0).strip()!r}: write "
                "'# tolerance: rtol=0.02, atol=0.001, counts=1; why' with keys "
                f"{', '.join(_KEYS)} (a reason may follow the semicolon)")
        if key in values:
            raise ToleranceError(f"{key} is given twice in {found[0].group(0).strip()!r}")
        try:
            values[key] = _KEYS[key](raw)
        except ValueError:
            raise ToleranceError(f"{key} must be a {_KEYS[key].__name__}, got {raw!r} in "
                                 f"{found[0].group(0).strip()!r}") from None
    if not values:
        raise ToleranceError(f"{found[0].group(0).strip()!r} states no tolerance; give rtol, atol "
                             "or counts")
    return Tolerance(**values)


# --------------------------------------------------------------------------- tokens
# A number: optional sign, digits with optional thousands separators, optional
# fraction, optional exponent; not glued to a word on either side (so "x32",
# "AVX2", "3f1c0a" and "h5" are words), nor preceded by a dot.
_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])"
)


@dataclass(frozen=True)
class Number:
    """A number as printed: its text, value, and whether it is a whole number."""

    text: str
    value: float
    integer: bool

    @property
    def unit(self) -> float:
        """One unit in the last printed digit (``0.0001`` for ``0.2063``)."""
        mantissa, _, exponent = self.text.lower().replace(",", "").lstrip("+-").partition("e")
        decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
        return 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def tokenize(text: str) -> list[str | Number]:
    """Split text into words (runs of whitespace collapsed to one space) and numbers."""
    tokens: list[str | Number] = []
    pos = 0
    for match in _NUMBER.finditer(text):
        tokens.append(text[pos:match.start()])
        raw = match.group(0)
        plain = raw.replace(",", "")
        integer = not any(c in plain for c in ".eE")
        tokens.append(Number(raw, float(plain), integer))
        pos = match.end()
    tokens.append(text[pos:])
    out: list[str | Number] = []
    for tok in tokens:
        if isinstance(tok, str):
            tok = re.sub(r"\s+", " ", tok)
        out.append(tok)
    return out


# --------------------------------------------------------------------------- differences
@dataclass(frozen=True)
class Difference:
    """One disagreement between a committed output and its re-execution."""

    where: str
    reason: str
    got: str
    expected: str
    allowed: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.reason}: got {self.got!r}, committed {self.expected!r}"
        return f"{text} ({self.allowed})" if self.allowed else text


def _context(tokens: Sequence[str | Number], i: int) -> str:
    lo, hi = max(0, i - 3), min(len(tokens), i + 4)
    return "".join(t.text if isinstance(t, Number) else t for t in tokens[lo:hi]).strip()[:120]


def compare_text(got: str, expected: str, tol: Tolerance, where: str = "output") -> list[Difference]:
    """Compare two texts: words exactly, numbers within ``tol`` plus one last-digit unit."""
    a, b = tokenize(got), tokenize(expected)
    kinds_a = [isinstance(t, Number) for t in a]
    kinds_b = [isinstance(t, Number) for t in b]
    if kinds_a != kinds_b:
        return [Difference(where, "text differs", _shorten(got, expected)[0], _shorten(got, expected)[1])]
    diffs: list[Difference] = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if isinstance(x, str):
            if x != y:
                return [Difference(where, "text differs", _context(a, i), _context(b, i))]
            continue
        assert isinstance(y, Number)
        if x.integer and y.integer:
            if abs(x.value - y.value) > tol.counts:
                diffs.append(Difference(where, "whole number differs", _context(a, i), _context(b, i),
                                        f"{x.text} vs {y.text}; counts may differ by {tol.counts}"))
            continue
        allowed = tol.atol + tol.rtol * abs(y.value) + y.unit
        if not abs(x.value - y.value) <= allowed * (1 + 1e-9):
            diffs.append(Difference(
                where, "number outside tolerance", _context(a, i), _context(b, i),
                f"{x.text} vs committed {y.text}: |difference| {abs(x.value - y.value):.3g} > allowed "
                f"{allowed:.3g} = {tol.describe()} + one last-digit unit {y.unit:g}"))
    return diffs


def _shorten(a: str, b: str) -> tuple[str, str]:
    """The two texts from their first difference, trimmed for a message."""
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(0, i - 40)
    return a[start:start + 120], b[start:start + 120]


# --------------------------------------------------------------------------- outputs
#: The representations compared, in order of preference; images, HTML and
#: JavaScript are not (the text/plain beside them carries the same numbers).
COMPARED_MIMES = ("application/papermill.record/text/plain", "text/plain")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,16}")


@dataclass
class Output:
    kind: str
    text: str
    glue: str | None = None
    mimes: tuple[str, ...] = field(default_factory=tuple)


def normalise_outputs(outputs: Iterable[dict[str, Any]]) -> list[Output]:
    """Reduce a cell's outputs to what is compared.

    Consecutive stream outputs of the same name are joined (a kernel may split a
    print across messages); memory addresses (``0x7f3a...``) are replaced, since
    they change every run; a display's compared text is its papermill record (a
    glued value) or its ``text/plain``.
    """
    result: list[Output] = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = _join(out.get("text", ""))
            name = f"stream:{out.get('name', 'stdout')}"
            if result and result[-1].kind == name:
                result[-1].text += text
            else:
                result.append(Output(name, text))
        elif kind in {"execute_result", "display_data"}:
            data = out.get("data", {})
            text = next((_join(data[m]) for m in COMPARED_MIMES if m in data), "")
            glue = out.get("metadata", {}).get("scrapbook", {}).get("name")
            result.append(Output("display", text, glue, tuple(sorted(data))))
        elif kind == "error":
            result.append(Output("error", f"{out.get('ename')}: {out.get('evalue')}"))
        else:
            result.append(Output(str(kind), ""))
    for o in result:
        o.text = _ADDRESS.sub("0xADDRESS", o.text)
    return result


def _join(text: str | list[str]) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def compare_outputs(got: Iterable[dict[str, Any]], expected: Iterable[dict[str, Any]], tol: Tolerance,
                    where: str = "cell") -> list[Difference]:
    """Compare a cell's re-executed outputs with the committed ones."""
    a, b = normalise_outputs(got), normalise_outputs(expected)
    errors = [o for o in a if o.kind == "error"]
    if errors and not any(o.kind == "error" for o in b):
        return [Difference(where, "the cell raised an error", errors[0].text, "(no error)")]
    if [o.kind for o in a] != [o.kind for o in b]:
        return [Difference(where, "different outputs", ", ".join(o.kind for o in a) or "(none)",
                           ", ".join(o.kind for o in b) or "(none)")]
    diffs: list[Difference] = []
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        at = f"{where}, output {k + 1}"
        if x.glue != y.glue:
            diffs.append(Difference(at, "glue name differs", str(x.glue), str(y.glue)))
            continue
        if x.kind == "display" and _shape(x.mimes) != _shape(y.mimes):
            diffs.append(Difference(at, "different representations", ", ".join(x.mimes),
                                    ", ".join(y.mimes)))
            continue
        label = f"{at} (glue {x.glue!r})" if x.glue else at
        diffs += compare_text(x.text, y.text, tol, label)
    return diffs


def _shape(mimes: Sequence[str]) -> tuple[str, ...]:
    """Mime types that must be present on both sides (images yes; their bytes not compared)."""
    return tuple(m for m in mimes if m != "text/html")


def compare_cell(got: dict[str, Any], expected: dict[str, Any], where: str = "cell") -> list[Difference]:
    """Compare one code cell, reading its tolerance from the committed cell's source."""
    source = _join(expected.get("source", ""))
    return compare_outputs(got.get("outputs", []), expected.get("outputs", []), parse_tolerance(source),
                           where)
