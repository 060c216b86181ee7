"""Verdict words in prose must be computed (issue 17, item 3).

A sentence of a chapter that states a finding of this book's experiments with a
typed verdict word ("the LSTM beats HAR", "deep learning helped", "every attack
fails", "the families separate cleanly") is a claim no test backs: the numbers
around it are glued, the word is not, and a re-run with another seed or a
better test can turn it false without anyone noticing. The rule: verdict words
in prose come from ``finbook.inference.verdict`` through a glue role
(``{glue:text}`key```), or the sentence is reworded to a neutral statement.

What is scanned: the markdown of every chapter, i.e. the ``# %% [markdown]``
cells of ``chapters/*.py`` (their ``# ``-prefixed lines) and the pages
``chapters/*.md``. Code cells are skipped entirely (their ``#`` comments are not
prose), and so are fenced code blocks (```` ```python ````, ```` ``` ````, ...),
inline code, math, directive options (``:label: x``), comments
(``<!-- -->``, ``%``) and the text inside glue roles, which is computed. Prose
directives (exercise, solution, admonition, note, warning, ...) are scanned.

:data:`ALLOWED` is a short list of phrases in context that use a verdict word
without stating a result of this book, each with the reason. :data:`PENDING`
is debt: offenders found when this test was written, listed so the test passes
while the chapters' owners fix them (the suggested fixes were handed to them
as a report, one line per sentence). A second test fails when a PENDING entry
no longer occurs, and a third when an ALLOWED entry matches nothing, so both
lists can only shrink. Do not add to PENDING: fix the sentence.

Run: ``python -m pytest tests/test_verdict_words.py -q -p no:cacheprovider``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest

from finbook.paths import ROOT

# --------------------------------------------------------------------------- the words
# Inflections are listed explicitly, so "everything", "everyone", "helpful",
# "lossy", "lostness", "winsorised", "tiedown" and "betterment" are not verdict
# words, while "bettered", "outperforming" and "underperforms" are.
VERDICT_WORDS = (
    "beat", "beats", "beaten", "beating",
    "outperform", "outperforms", "outperformed", "outperforming",
    "underperform", "underperforms", "underperformed", "underperforming",
    "win", "wins", "won", "winner", "winners",
    "lose", "loses", "lost", "loser", "losers",
    "tie", "ties", "tied",
    "helped", "helps", "hurt", "hurts",
    "significant", "significantly", "insignificant", "insignificantly",
    "every", "always", "never", "cleanly",
    "better", "bettered", "betters", "worse", "superior", "inferior",
    "dominate", "dominates", "dominated", "dominating",
    "fail", "fails", "failed",
)
WORD_RE = re.compile(r"(?<![\w-])(" + "|".join(sorted(VERDICT_WORDS, key=len, reverse=True))
                     + r")(?![\w-])", re.IGNORECASE)
# "(?<![\w-])": "tie-break" and "well-tied" are one word; "win-rate" is not "win".

FIX_HELP = """\
Verdict words in prose must be computed, not typed. For each sentence above, either
  1. glue the word: compute it with finbook.inference.verdict(test_result, better=...)
     in a code cell, glue("key", words, display=False), and write {glue:text}`key`;
  2. reword the sentence to a neutral statement (report the numbers and the test,
     let the reader compare: "QLIKE {glue:text}`a` against {glue:text}`b`, DM p = ..."); or
  3. if the word is not a verdict on a result of this book (a definition, a question,
     a statement about the book or the data, a quotation the chapter refutes), add the
     phrase to ALLOWED in tests/test_verdict_words.py with a one-line comment saying why.
Do not add to PENDING: it is debt being paid off, not an allow-list."""


# --------------------------------------------------------------------------- the allow-list
@dataclass(frozen=True)
class Allowed:
    """A verdict word is allowed where ``pattern`` (a case-insensitive regex) matches a
    span of the sentence that contains the word, in files matching ``files`` (a glob
    relative to the repository root)."""

    pattern: str
    files: str
    why: str

    def covers(self, path: str, sentence: str, start: int, end: int) -> bool:
        if not fnmatch(path, self.files):
            return False
        return any(m.start() <= start and end <= m.end()
                   for m in re.finditer(self.pattern, sentence, re.IGNORECASE))


ALLOWED: list[Allowed] = [
    # --- senses of the words that are not a verdict, in any file --------------------------
    Allowed(r"\*?\bevery\*? (other |single |trading |calendar |test |training |later |new |few |"
            r"third |next |linear |standardised )?"
            r"(day|week|month|quarter|year|january|epoch|step|refit|position|row|column|bin|"
            r"cell|page|number|input|output|option|price|maturity|loan|borrower|applicant|"
            r"member|category|variable|coefficient|predictor|point|pair|layer|channel|weight|"
            r"kink|record|yield|value|group|decision|rate|symmetry|trial parameter|assumption|"
            r"rule|application|attribute|bad (loan|applicant)|test (window|metric|run)|split|"
            r"explanation|out-of-sample explanation|single-variable method|method|"
            r"membership test|lender|forecaster|trading bank|reader's cpu|word|backtest|"
            r"random number generator|package|tolerance|change|entry|sample|evening|time|switch|"
            r"feature|trade|use|term|piece|loss)('?s)?\b|\bevery (other\b|\$)",
            "*", "a schedule, or a unit of the data, the method or the code: not a result"),
    Allowed(r"\bevery (\S+ ){0,5}(is|are|was|were|to be) (then )?(trained|fitted|evaluated|"
            r"refitted|rescaled|seeded|executed|reported|validated|a single training run|the same "
            r"kind)\b|\bevery (model|network|run) (gets|has two|had the same)\b|"
            r"\bevery model (here|built on|below|now scores the same)\b|\bhands every model\b",
            "*", "how the models are built, trained or evaluated: method, not result"),
    Allowed(r"\bevery (chapter|notebook|number|verdict|claim|work|page|dataset)\b", "*",
            "a statement about the book itself (its chapters, pages, numbers, citations)"),
    Allowed(r"\bevery(\s+\S+){0,2}\s+\{glue:text\}`\w*(every|years_per_refit)\w*`",
            "*", "a refit schedule whose length is glued"),
    Allowed(r"\bsignificant (digits|figures)\b", "*", "numerical precision, not a test"),
    Allowed(r"\bnever (seen|sees|saw|see|touch|touches|touched|downloads?|forms|record|"
            r"observed|later|on the future|as a predictor)\b|\b(should|can) never\b|"
            r"\bnever has to forecast\b|\bexpect essentially never\b|\b(would|will) never\b|"
            r"\bnever (reads|exceeds \{glue:text\})|\bbuilt never to\b|\bcannot fail\b", "*",
            "what data a model is shown, what the code does, a norm or a property: not a result"),
    Allowed(r"\b(tie|ties|tied)\s+(\S+\s+){1,4}?to\b", "*", "the verb 'tie X to Y', to link"),
    Allowed(r"\b(a |one )?lost good (one|applicant|loan|borrower)s?\b", "*",
            "the cost of rejecting a good applicant, a definition"),
    Allowed(r"\b(lose|loses|lost)\s+(about |roughly )?(much|only|half|a fraction|money|the "
            r"dividends|(\*\*)?\{glue:text\})|"
            r"\bexposure lost\b|\bcould a portfolio lose\b", "*",
            "money lost on a loan, a day or a portfolio: the business meaning of the word"),
    Allowed(r"\balways (says|predicts|repays?|up)\b", "*",
            "the name of a constant baseline ('always repay', 'always up')"),
    Allowed(r"\bgrade of [A-G] or worse\b|\b(better|worse)( and (better|worse))? (grades?|risks?)\b",
            "*", "the credit quality of borrowers or grades, not a model's score"),
    Allowed(r"\bsuperior predictive ability\b", "*", "the name of Hansen's SPA test"),
    Allowed(r"(\*?every\*? )?\b(tied (point|vote|votes|days)|breaks ties|explained tie in "
            r"k-nearest)\b", "*", "equal votes among k nearest neighbours, a property of kNN"),
    Allowed(r"\b(error|loss)( of [\w ]+?)?( is| is now)? dominated by (\*\*)?(the )?noise\b", "*",
            "which part of an error is largest (noise versus approximation), not a ranking"),
    Allowed(r"\bfails? (if|when)\b|\*fails\* the check|\bif either fails\b", "*",
            "what a test or an assertion does, not a model's result"),
    Allowed(r"\bcall (a|the) difference significant\b", "*",
            "the definition of the level a chapter tests at (the count, if any, is glued)"),
    Allowed(r"(^|[:;,] )expect\b[^.;]*", "*",
            "what an exercise asks the reader to expect and then check, not a result"),
    Allowed(r"\b(must|had to|has to|only if (it|they|the model))\s+(\w+ )?(beat|beats|do better|"
            r"proves? better)\b|\bthe ones? to beat\b(?=[^.]*\{cite)|\bthe model to beat\b", "*",
            "a bar a model has to clear (a definition of the benchmark), not whether it did"),
    Allowed(r"\b(to )?claim that (it|a model) is better\b|\bnegative means worse\b", "*",
            "what a claim of 'better' requires, or what a sign means: a definition"),
    # Questions (exercises, section titles, a chapter's question) state no result; a
    # question that presupposes the answer ("Why does X beat Y?") is not allowed.
    Allowed(r"(?<!why )(?<!how )\b(does|do|did|is|are|was|were)\b[^.!?;:]*\?|"
            r"\b(can|could|would|will|should|might|which|what if)\b[^.!?;:]*\?", "*",
            "a question, which states no result"),
    Allowed(r"\b(whether|see which)\b[^.;:!?\u2014]*", "*",
            "an indirect question ('asks whether X forecasts better'), which states no result"),
    Allowed(r"\"[^\"]{0,60}\"", "*",
            "a word in quotation marks is mentioned, named or quoted, not asserted"),
    Allowed(r"(^|(?<=- ))\{cite:t\}`[^`]*`[^.;]*|\{cite:t\}`[^`]*`,? (report|reports|reported|"
            r"show|shows|showed|find|finds|found)\b[^.;]*|\b(its|their) authors report\b[^.;]*|"
            r"\b(who|they) (found|find|report|reported|show|showed)\b[^.;]*|"
            r"[^.;:,(]*\{cite(:p)?\}`[^`]*`", "*",
            "a clause whose subject or closing reference is a cited paper: its finding, not ours"),
    Allowed(r"\bthe article never\b|\bpapers that were never written\b", "*",
            "about the article the book reviews, not a model's result"),
    # --- counts glued from the tests: the word names the category being counted -----------
    Allowed(r"\b(the deep model|the baseline)?( (was|had))? ?(the )?(significantly )?"
            r"(\*)?(better|worse)(\*)?( one| score)? in \{glue:text\}`[^`]+`|"
            r"\b(wins|loses) in \{glue:text\}`[^`]+`|\bbeats \{glue:text\}`[^`]+` of\b|"
            r"\{glue:text\}`[^`]+`( \w+)? (significantly )?(better|worse) than\b|"
            r"\{glue:text\}`[^`]+` of (them|those) significantly\b|"
            r"\bthe number of (\w+ ){0,3}significantly (\*)?(better|worse)(\*)?[^.;]*? is "
            r"\{glue:text\}", "*",
            "a count of comparisons by outcome, the count glued from the tests"),
    # --- per chapter -------------------------------------------------------------------------
    Allowed(r"covers almost every neural network ever fitted|careful comparisons find the older "
            r"tools hard to beat|they always show a logistic regression beside|a slightly better "
            r"model, measured much less precisely", "chapters/01_*.py",
            "the article's definition, the literature's finding (cited), the book's method, "
            "and a solution's reasoning about test size"),
    Allowed(r"the moving averages traders have always used|so a better one is worth money|"
            r"the week Lehman Brothers failed|every forecast lags the jump[^;]*as any forecast from past "
            r"prices must", "chapters/04_*.py",
            "history, motivation and a logical necessity, not a result"),
    Allowed(r"in exchange for never extrapolating", "chapters/05_*.py",
            "what the design of the inputs guarantees"),
    Allowed(r"even where it moves it may stop in a worse place|never rounds a probability",
            "chapters/03_*.py", "properties of a loss (theory, numerics), not a measured result"),
    Allowed(r"the only way an autoencoder can beat PCA|is not, by that fact, a better input|"
            r"do not always move together", "chapters/06_*.py",
            "what the architecture makes possible, a logical point, a description of the data"),
    Allowed(r"(networks that beat it|networks it beats)( at [^:]+)?: \{glue:text\}|"
            r"a comparison of every model|what it loses is the distinction", "chapters/07_*.py",
            "labels of lists glued from the tests; a roadmap; information a model discards"),
    Allowed(r"an accuracy many models struggle to beat|what decides the winner",
            "chapters/08_*.py", "what accuracy rewards in general; a hint in a solution"),
    Allowed(r"a network that beats GARCH could owe|expect the normal RiskMetrics model to fare "
            r"relatively better|which can never cross", "chapters/09_*.py",
            "a hypothetical, an exercise's expectation, a property of quantiles"),
    Allowed(r"the same held-out loans for every model", "chapters/10_*.py",
            "the evaluation design"),
    Allowed(r"cannot tell a slightly better model from luck|is not a better model; it answers",
            "chapters/12_*.py", "statistical power, and what the article's R² measures"),
    Allowed(r"a hit rate can beat a coin significantly and still not beat the drift|"
            r"every \"down\" call|\{glue:text\}`bt13_r2_negative` forecasts, that is, they do worse|"
            r"looks better than any one of them is|not a price one can always trade at|"
            r"it fails: perturbing prices", "chapters/13_*.py",
            "lessons on baselines and selection, what a negative R² means (count glued), "
            "market practice, a look-ahead test that fails by design"),
    Allowed(r"the features of every equity-index GARCH", "chapters/14_*.py",
            "a stylised fact of the literature"),
    Allowed(r"for options we can do better on every count|or better, that is, to rounding error|"
            r"expensive options that dominate a squared error", "chapters/15_*.py",
            "the setup against the article's, a tolerance, why a loss weights some options"),
    Allowed(r"would attract the better risks in each grade and lose the worse ones|has not "
            r"increased significantly since", "chapters/17_*.py",
            "a hypothetical about pricing, and the wording of IFRS 9"),
    Allowed(r"a larger network approximates it better", "chapters/18_*.py",
            "approximation theory, the explanation offered, not a measured ranking"),
    Allowed(r"at most 100% better on an error metric, but any amount worse|positive value means "
            r"the deep model did better|a win and a loss by the same factor|keeps wins and losses "
            r"on the same scale|tasks where the deep model's score was better|"
            r"\*(deep model|baseline)\s+significantly (better|worse)\*|\*no significant difference\*|"
            r"can be significant on a long "
            r"daily series[^.]*insignificant|every model here forecasts it",
            "chapters/19_*.py",
            "definitions of the log ratio and of the table's categories; a lesson on power"),
    Allowed(r"a reason is always a comparison|the points the applicant \*\*lost\*\*|the model "
            r"did slightly better with the variable scrambled|completeness holds for every baseline",
            "chapters/20_*.py", "definitions (reason codes, negative importance) and a theorem"),
    Allowed(r"the guarantee holds against \*every\*|it always reveals|is never free|"
            r"adding one borrower never moves", "chapters/21_*.py",
            "theorems of differential privacy, and what the unit tests check"),
    Allowed(r"a model that is not watched will fail unnoticed|the rule of thumb reads.*|a "
            r"challenger that wins significantly", "chapters/22_*.py",
            "why banks monitor models; the PSI rule of thumb and champion/challenger, definitions"),
    Allowed(r"can always be traced|the page stops if either fails", "chapters/90_*.py",
            "what the reproducibility tooling guarantees (both asserted in code)"),
    Allowed(r"predicting \"no event\" always has|which of many models beat a benchmark",
            "chapters/glossary.md", "definitions of terms (accuracy paradox, StepM)"),
    Allowed(r".+", "chapters/instructors.md",
            "the course page: objectives, rubric and rules for students' work; it reports no "
            "result of the book's experiments"),
    Allowed(r"beside every deep model, with the result stated even when the deep model loses|"
            r"where neural networks beat the industry's standard tools and where they do not",
            "chapters/preface.md", "the book's promise and audience, not a result"),
    Allowed(r"never accuracy on imbalanced data, never a random split", "chapters/summary.md",
            "a rule of practice the book teaches"),
]

# --------------------------------------------------------------------------- the debt
# Offenders present when this test was written (issue 17, item 3). Each entry is a
# phrase (exact, case-sensitive substring) of the offending sentence; the chapter's
# owner removes it when the sentence is fixed. test_pending_entries_still_occur fails
# on a stale entry, so this list cannot rot.
PENDING: dict[str, list[str]] = {
}


# --------------------------------------------------------------------------- the scanner
@dataclass(frozen=True)
class Hit:
    path: str
    line: int  # 1-based line of the word in the file
    word: str
    sentence: str  # as written, whitespace squeezed
    start: int = 0  # the word's span in ``sentence``
    end: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.word}] {self.sentence}"


# Fenced blocks whose body is prose; any other fence (```python, ```, {code-cell},
# {math}, {bibliography}, ...) is skipped.
PROSE_DIRECTIVES = {"exercise", "solution", "admonition", "note", "warning", "tip",
                    "important", "hint", "caution", "attention", "danger", "error",
                    "seealso", "dropdown", "margin", "sidebar", "topic", "epigraph",
                    "figure", "table", "card", "tab-item", "div"}
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\{([\w:-]+)\})?\s*(.*)$")
GLUE_ROLE_RE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`")
# Roles whose content is a target, not prose: {cite}`key`, {eq}`x`, {numref}`fig`, ...
# {ref} and {doc} keep their link text ("the previous chapter" of {ref}`the previous
# chapter <cnn>`).
ROLE_RE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
INLINE_CODE_RE = re.compile(r"(`+)(.+?)\1")
MATH_RE = re.compile(r"\$\$.+?\$\$|\$[^$\s][^$]*?\$")
LINK_RE = re.compile(r"\]\([^)]*\)")
COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)


def _blank(m: re.Match) -> str:
    """Replace a match by spaces of the same length (positions stay on their lines)."""
    return re.sub(r"[^\n]", " ", m.group(0))


def _role(m: re.Match) -> str:
    name, body = m.group(1), m.group(2)
    if name.startswith("glue"):
        return _blank(m)
    if name in ("ref", "doc", "term", "abbr") and body:
        text = re.sub(r"\s*<[^>]*>\s*$", "", body)
        return " " * (len(name) + 3) + text.ljust(len(body) + 1)
    return _blank(m)


def clean_line(text: str) -> str:
    """Blank what is not prose in markdown text, keeping every character's position."""
    text = GLUE_ROLE_RE.sub(_blank, text)
    text = ROLE_RE.sub(_role, text)
    text = INLINE_CODE_RE.sub(_blank, text)
    text = MATH_RE.sub(_blank, text)
    text = LINK_RE.sub(_blank, text)
    return text


def markdown_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, markdown text) of every line of the file's prose, code cells dropped.

    For a py:percent script, the lines of its ``# %% [markdown]`` cells without their
    ``# `` prefix; for a .md page, every line outside the YAML front matter."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".py":
        in_md = False
        for i, line in enumerate(lines, 1):
            if line.startswith("# %%"):
                in_md = bool(re.match(r"# %%.*\[(markdown|md)\]", line))
                continue
            if in_md:
                if line == "#":
                    yield i, ""
                elif line.startswith("# "):
                    yield i, line[2:]
                else:
                    yield i, ""  # a blank line or a stray line ends the paragraph
    else:
        start = 0
        if lines and lines[0].strip() == "---":
            end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), 0)
            start = end + 1
        for i, line in enumerate(lines[start:], start + 1):
            yield i, line


def prose_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str, str]]:
    """(line number, text, text with comments blanked) of the prose lines; fenced code,
    directive options, labels, comments and math blocks come out as empty lines."""
    stack: list[tuple[str, bool]] = []  # (fence, is prose)
    in_math = False
    in_comment = False
    for i, raw in lines:
        m = FENCE_RE.match(raw)
        if m:
            fence = m.group(1)
            if stack and raw.strip() == fence[0] * len(fence) and len(fence) >= len(stack[-1][0]) \
                    and fence[0] == stack[-1][0][0]:
                stack.pop()
                yield i, "", ""
                continue
            if not stack or stack[-1][1]:
                name = (m.group(3) or "").lower()
                stack.append((fence, name in PROSE_DIRECTIVES))
                # An admonition's title is prose: "```{admonition} Why every seed".
                title = " " * m.start(4) + m.group(4) if name in PROSE_DIRECTIVES else ""
                yield i, title, title
                continue
        if stack and not stack[-1][1]:
            continue  # inside code
        stripped = raw.strip()
        if in_comment:
            if "-->" in raw:
                in_comment = False
            yield i, "", ""
            continue
        if stripped.startswith("<!--") and "-->" not in stripped:
            in_comment = True
            yield i, "", ""
            continue
        if stripped.startswith("$$"):
            # "$$" opens a display; "$$" or "$$ (label)" closes it; "$$ x $$" is one line
            in_math = False if in_math else "$$" not in stripped[2:]
            yield i, "", ""
            continue
        if in_math or stripped.startswith("%") or re.match(r"^:[\w-]+:", stripped) \
                or stripped.startswith("(") and stripped.endswith(")=") \
                or stripped.startswith("<") and stripped.endswith(">"):
            yield i, "", ""
            continue
        yield i, raw, COMMENT_RE.sub(_blank, raw)


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the sentences of a paragraph (ends at . ! ? followed by a capital)."""
    start = 0
    for m in re.finditer(r"(?<=[.!?])[\"')\]*_]*\s+(?=[\"'(\[*_{]*[A-Z0-9a-z])|\s*\|\s*", text):
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def scan_text(path: str, lines: Iterable[tuple[int, str]],
              allowed: Iterable[Allowed] = ()) -> list[Hit]:
    """Verdict words in the prose lines of one file, minus those an allow-list entry covers.

    ``lines`` are (line number, markdown text) pairs, as :func:`markdown_lines` gives."""
    allowed = list(allowed)
    hits: list[Hit] = []
    para: list[tuple[int, str, str]] = []

    def flush() -> None:
        # raw and clean have the same length, so offsets agree. Cleaning the whole
        # paragraph handles inline code and roles that wrap across lines.
        raw = " ".join(r for _, r, _ in para)
        clean = clean_line(" ".join(c for _, _, c in para))
        starts, off = [], 0
        for n, r, _ in para:
            starts.append((off, n))
            off += len(r) + 1
        for s, e in _sentences(raw):
            shown = " ".join(raw[s:e].split())  # rules match the sentence as written
            for m in WORD_RE.finditer(clean, s, e):
                a, b = _squeezed(raw[s:e], m.start() - s, m.end() - s)
                if any(rule.covers(path, shown, a, b) for rule in allowed):
                    continue
                line = max(n for o, n in starts if o <= m.start())
                hits.append(Hit(path, line, m.group(0), shown, a, b))
        para.clear()

    for n, raw, clean in prose_lines(lines):
        heading = clean.lstrip().startswith(("#", "|"))  # a table row is its own paragraph
        if heading or re.match(r"\s*([-*+]|\d+\.)\s", clean):
            flush()  # a heading or a list item starts a new paragraph
        if clean.strip():
            para.append((n, raw, clean))
        if heading or not clean.strip():
            flush()
    flush()
    return hits


def _squeezed(sentence: str, a: int, b: int) -> tuple[int, int]:
    """Positions a, b of ``sentence`` once it is stripped and its whitespace runs are single."""
    pre = " ".join(sentence[:a].split())
    if pre and sentence[a - 1:a].isspace():
        pre += " "
    return len(pre), len(pre) + (b - a)


def chapter_files() -> list[Path]:
    return sorted(ROOT.glob("chapters/*.py")) + sorted(ROOT.glob("chapters/*.md"))


def scan_file(path: Path, allowed: Iterable[Allowed] = ALLOWED) -> list[Hit]:
    rel = path.relative_to(ROOT).as_posix()
    return scan_text(rel, markdown_lines(path), allowed)


def is_pending(hit: Hit, pending: dict[str, list[str]] = PENDING) -> bool:
    return any(phrase in hit.sentence for phrase in pending.get(hit.path, []))


def report(hits: list[Hit]) -> str:
    return "\n".join(str(h) for h in hits) + "\n\n" + FIX_HELP


# --------------------------------------------------------------------------- unit tests
def _scan(md: str, allowed: Iterable[Allowed] = ()) -> list[Hit]:
    """Scan a py:percent snippet given as its markdown text (cells separated by '# %%')."""
    return scan_text("chapters/99_test.py", enumerate(md.splitlines(), 1), allowed)


def _py(text: str) -> list[tuple[int, str]]:
    path = Path(__file__).parent / "_verdict_words_snippet.py"
    try:
        path.write_text(text, encoding="utf-8")
        return list(markdown_lines(path))
    finally:
        path.unlink()


def test_a_typed_verdict_is_found_with_its_line_and_sentence():
    hits = _scan("The data are daily.\nThe LSTM beats HAR on QLIKE. The table shows why.")
    assert [(h.line, h.word, h.sentence) for h in hits] == [(2, "beats", "The LSTM beats HAR on QLIKE.")]


def test_sentences_that_wrap_report_the_line_of_the_word():
    hits = _scan("The network is\nsignificantly\nbetter than\nthe scorecard.")
    assert [(h.line, h.word) for h in hits] == [(2, "significantly"), (3, "better")]
    assert hits[0].sentence == "The network is significantly better than the scorecard."


def test_every_listed_inflection_is_a_verdict_word():
    for word in ("beat", "beats", "outperform", "outperforms", "outperformed", "wins", "won",
                 "loses", "lost", "ties", "tied", "helped", "helps", "hurt", "hurts",
                 "significant", "significantly", "every", "cleanly", "always", "never",
                 "better", "worse", "superior", "dominates", "fails", "Beats", "EVERY"):
        assert [h.word for h in _scan(f"Here it {word} there.")] == [word], word


def test_word_boundaries():
    # longer words that merely start with a verdict word are other words
    text = ("Everything, everyone and everywhere; helpful, winsorised, lossy, tiedown, "
            "betterment, neverland, failsafe, beaten-up, tie-break, always-on.")
    assert _scan(text) == []
    # inflections of the verdict verbs are verdicts too ("betters" decided: yes, a verb)
    assert [h.word for h in _scan("It betters HAR, bettered GARCH and is beaten by none.")] == [
        "betters", "bettered", "beaten"]


def test_glue_roles_are_computed_and_allowed():
    assert _scan("The LSTM is {glue:text}`rnn_verdict` HAR ({glue}`better_p`).") == []
    assert _scan("It is {glue:text}`v_every:.3f` and {glue:md}`worse_key`.") == []
    # the word outside the role is still found
    assert [h.word for h in _scan("It is {glue:text}`v` and better.")] == ["better"]


def test_code_is_ignored():
    md = ("Prose without verdicts.\n"
          "```python\nmodel.beats(har)  # always better\n```\n"
          "Call `fit(better=True)` or ``every`` and $x_{better}$.\n"
          "A span of code can wrap: `inference.verdict(r,\n better=...)`.")
    assert _scan(md) == []


def test_code_cells_and_their_comments_are_skipped():
    text = ("# %% [markdown]\n# Prose: the data.\n#\n# More prose.\n\n"
            "# %%\n# the LSTM always beats HAR\nx = 1  # every seed wins\n\n"
            "# %% [markdown]\n# The CNN beats HAR.\n")
    lines = _py(text)
    assert [(n, t) for n, t in lines if t] == [(2, "Prose: the data."), (4, "More prose."),
                                               (11, "The CNN beats HAR.")]
    hits = scan_text("chapters/99_test.py", lines)
    assert [(h.line, h.word) for h in hits] == [(11, "beats")]


def test_math_blocks_are_skipped_and_prose_after_them_is_not():
    md = ("$$\nL = \\text{every better model}\n$$ (eq-label)\n\nThe LSTM beats HAR.\n"
          "$$ x_{always} $$\nIt wins.")
    assert [(h.line, h.word) for h in _scan(md)] == [(5, "beats"), (7, "wins")]


def test_prose_directives_are_scanned_and_their_options_are_not():
    md = ("````{solution} ex-1\n:class: dropdown\n:label: better-every\n"
          "The network wins on every split.\n```python\nbetter = 1\n```\n````")
    assert [h.word for h in _scan(md)] == ["wins", "every"]


def test_allow_list_covers_only_its_phrase_in_its_files():
    rule = Allowed(r"every chapter", "chapters/99_*.py", "a statement about the book")
    assert _scan("We run every chapter twice.", [rule]) == []
    # the same word elsewhere in the sentence is still found
    assert [h.word for h in _scan("Every seed wins, and we run every chapter.", [rule])] == [
        "Every", "wins"]
    # another file is not covered
    other = Allowed(r"every chapter", "chapters/01_*.py", "elsewhere")
    assert [h.word for h in _scan("We run every chapter twice.", [other])] == ["every"]


def test_the_book_allow_list_on_typical_sentences():
    ok = ["Does the LSTM beat HAR?",
          "The chapter asks whether a small network forecasts better than HAR.",
          "The test set is data the model never sees.",
          "A lost good applicant costs the margin.",
          "The data card matters for every model built on this file.",
          "We refit every {glue:text}`refit_every` trading days.",
          "Of the {glue:text}`n` comparisons the deep model was significantly better in "
          "{glue:text}`n_deep`.",
          "The article claims \"the LSTM beats HAR\", which the table refutes.",
          "Any model must beat the base rate."]
    for text in ok:
        assert _scan(text, ALLOWED) == [], text
    offenders = ["Why does the LSTM beat HAR?",
                 "The LSTM beats HAR.",
                 "DP-SGD brings every attack to chance.",
                 "The families separate cleanly.",
                 "Deep learning helped for volatility.",
                 "The CNN and the Transformer tied with HAR.",
                 "The LSTM is better; is that a surprise?"]
    for text in offenders:
        assert _scan(text, ALLOWED), text


def test_pending_marks_only_its_file_and_phrase():
    hit = Hit("chapters/05_rnn.py", 3, "beats", "The LSTM beats HAR.")
    assert is_pending(hit, {"chapters/05_rnn.py": ["LSTM beats"]})
    assert not is_pending(hit, {"chapters/05_rnn.py": ["GRU beats"]})
    assert not is_pending(hit, {"chapters/04_cnn.py": ["LSTM beats"]})


def test_the_message_lists_each_offender_and_says_how_to_fix_it():
    text = report([Hit("chapters/05_rnn.py", 12, "beats", "The LSTM beats HAR.")])
    assert "chapters/05_rnn.py:12: [beats] The LSTM beats HAR." in text
    assert "finbook.inference.verdict" in text and "neutral" in text and "ALLOWED" in text


# --------------------------------------------------------------------------- the book
@pytest.fixture(scope="module")
def book_hits() -> list[Hit]:
    return [h for path in chapter_files() for h in scan_file(path)]


def test_chapters_exist():
    files = [p.relative_to(ROOT).as_posix() for p in chapter_files()]
    assert "chapters/05_rnn.py" in files and "chapters/summary.md" in files


def test_no_verdict_words_outside_glue_roles(book_hits):
    offenders = [h for h in book_hits if not is_pending(h)]
    assert not offenders, (f"{len(offenders)} verdict word(s) typed in prose:\n"
                           + report(offenders))


def test_pending_entries_still_occur(book_hits):
    """PENDING is debt: when a sentence is fixed, its entry must go."""
    stale = [(path, phrase) for path, phrases in PENDING.items() for phrase in phrases
             if not any(h.path == path and phrase in h.sentence for h in book_hits)]
    assert not stale, ("these PENDING entries no longer match an offending sentence "
                       "(fixed, reworded or moved): delete them from PENDING in "
                       "tests/test_verdict_words.py\n"
                       + "\n".join(f"{path}: {phrase!r}" for path, phrase in stale))


def test_allow_list_entries_are_used():
    """An allow-list entry that no longer matches anything is removed, so the list stays short."""
    raw = [h for path in chapter_files() for h in scan_file(path, allowed=())]
    unused = [rule for rule in ALLOWED
              if not any(rule.covers(h.path, h.sentence, h.start, h.end) for h in raw)]
    assert not unused, ("these ALLOWED entries match no sentence of the book any more; "
                        "delete them:\n" + "\n".join(f"{r.pattern!r} ({r.files})" for r in unused))
