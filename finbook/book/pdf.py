"""The book as one PDF, built offline: Sphinx ``singlehtml`` printed by headless Chromium.

One command::

    python -m finbook build --edition pdf            # -> _build/pdf/finbook.pdf
    python -m finbook build --edition student-pdf    # same, without the solutions

How: ``jupyter-book build --builder singlehtml`` renders every page of the table of
contents into one HTML page from the committed notebooks (nothing is re-executed);
Chromium (Debian's, the one the browser test drives through Playwright) opens that page
from a server on 127.0.0.1 with every other request blocked, waits until the bundled
MathJax has typeset every equation and every font and image has loaded, opens the
collapsed solutions, and prints the page to A4 with page numbers. Figures stay the
notebooks' PNGs, equations are MathJax's HTML output with its own web fonts, and the
Chinese terms are drawn with the CJK font installed beside Chromium
(``fonts-wqy-zenhei``). Why not LaTeX: the machine has no TeX Live, and the HTML route
reuses the renderer that the browser test already checks.

:func:`inspect_pdf` reads the result back without any PDF package: page count, image
objects, and the text through each font's ``ToUnicode`` map, enough to check that every
chapter title, the bibliography and the Chinese glossary terms are in it as text and
that no glyph fell back to a missing-glyph box.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterator
from pathlib import Path

import yaml

from finbook.paths import ROOT

__all__ = ["PdfReport", "build_pdf", "inspect_pdf", "output_path", "print_html"]

#: Chromium's switches, as in the browser test: no network services, no GPU, no sandbox (root in CI).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

#: Print styles: only the article, solutions open, code wrapped, one chapter per new page.
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 16mm 14mm; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .header-article,
.prev-next-area, .bd-footer, .bd-footer-article, .bd-footer-content, footer, .toggle-button,
.headerlink, .copybtn, .skip-link, #pst-back-to-top, .search-button-field, .dropdown-toggle,
.bd-search, .tocsection, #jb-print-docs-body { display: none !important; }
html, body { font-size: 10.5pt !important; background: white !important; }
.bd-container, .bd-container__inner, .bd-page-width, .bd-main, .bd-content, .bd-article-container,
.bd-article { max-width: 100% !important; width: 100% !important; padding: 0 !important;
              margin: 0 !important; overflow: visible !important; display: block !important; }
pre, .highlight pre { white-space: pre-wrap !important; word-break: break-word; font-size: 8pt !important;
                      overflow: visible !important; }
.cell_output pre { max-height: none !important; }
table { font-size: 8.5pt !important; }
.table-wrapper, .output_area, .cell_output, .output { overflow: visible !important; }
img { max-width: 100% !important; break-inside: avoid; }
figure, .cell_output img { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
.finbook-chapter-start { break-before: page; }
.toggle-hidden > :not(.admonition-title) { display: block !important; }
details > *:not(summary) { display: block !important; }
mjx-container[display="true"] { overflow: visible !important; }
"""

#: Runs in the page before printing: open every solution, start each document on a new page.
PREPARE_JS = """
() => {
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('details').forEach(d => d.open = true);
  document.querySelectorAll('span[id^="document-"]').forEach((s, i) => {
    const next = s.nextElementSibling;
    if (i > 0 && next) next.classList.add('finbook-chapter-start');
  });
  return document.querySelectorAll('span[id^="document-"]').length;
}
"""

#: Resolves when MathJax has typeset the page (it is bundled in _static: no network needed).
MATHJAX_READY_JS = """
async () => {
  for (let i = 0; i < 600 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise(r => setTimeout(r, 100));
  if (!(window.MathJax && MathJax.startup)) return -1;
  await MathJax.startup.promise;
  await document.fonts.ready;
  return document.querySelectorAll('mjx-container').length;
}
"""

FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555">'
          '<span class="title"></span> · <span class="pageNumber"></span> / '
          '<span class="totalPages"></span></div>')


def output_path(edition: str = "pdf") -> Path:
    """Where ``build_pdf`` writes the PDF of an edition (``pdf`` or ``student-pdf``)."""
    return ROOT / "_build" / edition / ("finbook.pdf" if edition == "pdf" else "finbook-student.pdf")


def _singlehtml(edition: str, *, strict: bool = True) -> tuple[subprocess.CompletedProcess, Path]:
    from finbook.book import build  # noqa: PLC0415

    out = ROOT / "_build" / edition
    shutil.rmtree(out / "_build" / "singlehtml", ignore_errors=True)
    exe = shutil.which("jupyter-book") or "jupyter-book"
    flags = ["-W", "-n", "--keep-going"] if strict else []
    with tempfile.TemporaryDirectory(prefix="finbook-pdf-") as tmp:
        config = build.edition_config("student" if edition == "student-pdf" else "full")
        config.setdefault("sphinx", {}).setdefault("config", {})["html_copy_source"] = False
        cfg = Path(tmp) / "_config.yml"
        cfg.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
        result = subprocess.run(
            [exe, "build", str(ROOT), "--builder", "singlehtml", "--config", str(cfg),
             "--path-output", str(out), *flags],
            capture_output=True, text=True, cwd=ROOT, timeout=1800, check=False)
    html_dir = out / "_build" / "singlehtml"
    return result, html_dir


def _book_page(html_dir: Path) -> Path:
    """The single page, moved to the folder its relative links are written for.

    Jupyter Book writes it as ``chapters/preface.html`` (the root document) but with links
    relative to the output folder; a copy at the top makes every image and script resolve.
    """
    page = html_dir / "chapters" / "preface.html"
    text = page.read_text(encoding="utf-8")
    text = text.replace('href="chapters/preface.html#', 'href="#')
    target = html_dir / "book.html"
    target.write_text(text, encoding="utf-8")
    return target


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclasses.dataclass
class PrintResult:
    documents: int  # pages of the book after the root page, each started on a new PDF page
    equations: int
    blocked: list[str]
    errors: list[str]
    seconds: float


def print_html(html_dir: Path, page: str, pdf: Path, *, title: str) -> PrintResult:
    """Print ``html_dir/page`` to ``pdf`` with headless Chromium, offline."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        raise RuntimeError("the PDF is printed by Debian's Chromium: `apt-get install chromium "
                           "fonts-wqy-zenhei` (.ci/run installs both)")
    start = time.perf_counter()
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    blocked: list[str] = []
    errors: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1100, "height": 1400})

            def route(r):  # nothing leaves this machine
                url = r.request.url
                if url.startswith(base + "/") or url.startswith("data:"):
                    r.continue_()
                else:
                    blocked.append(url)
                    r.abort()

            context.route("**/*", route)
            p = context.new_page()
            p.on("pageerror", lambda e: errors.append(str(e)))
            p.goto(f"{base}/{page}", wait_until="load", timeout=300_000)
            equations = p.evaluate(MATHJAX_READY_JS)
            if equations < 0:
                raise RuntimeError("MathJax did not load: the equations would print as TeX source")
            documents = p.evaluate(PREPARE_JS)
            p.add_style_tag(content=PRINT_CSS)
            p.emulate_media(media="print")
            p.evaluate("async () => { await document.fonts.ready; "
                       "await Promise.all([...document.images].map(i => i.decode().catch(() => 0))); }")
            p.evaluate(f"() => {{ document.title = {title!r}; }}")
            pdf.parent.mkdir(parents=True, exist_ok=True)
            p.pdf(path=str(pdf), format="A4", print_background=True, display_header_footer=True,
                  header_template="<div></div>", footer_template=FOOTER, outline=True, tagged=True,
                  margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
            browser.close()
    finally:
        httpd.shutdown()
    return PrintResult(documents, equations, blocked, errors, time.perf_counter() - start)


@dataclasses.dataclass
class BuildResult:
    pdf: Path
    sphinx: subprocess.CompletedProcess
    printed: PrintResult | None
    html_seconds: float

    @property
    def ok(self) -> bool:
        return self.sphinx.returncode == 0 and self.printed is not None and self.pdf.exists()


def build_pdf(edition: str = "pdf", *, strict: bool = True) -> BuildResult:
    """Build the single-page HTML of an edition and print it to :func:`output_path`."""
    if edition not in ("pdf", "student-pdf"):
        raise ValueError(f"unknown PDF edition {edition!r}; choose pdf or student-pdf")
    start = time.perf_counter()
    result, html_dir = _singlehtml(edition, strict=strict)
    html_seconds = time.perf_counter() - start
    pdf = output_path(edition)
    pdf.unlink(missing_ok=True)
    if result.returncode != 0:
        return BuildResult(pdf, result, None, html_seconds)
    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    if edition == "student-pdf":
        title += " (student edition)"
    printed = print_html(html_dir, _book_page(html_dir).name, pdf, title=title)
    return BuildResult(pdf, result, printed, html_seconds)


# --- reading the PDF back (no PDF package needed) ---------------------------------------

_OBJ = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)
_REF = rb"(\d+)\s+0\s+R"


@dataclasses.dataclass
class PdfReport:
    pages: int
    images: int
    text: str
    notdef: int  # glyphs drawn with glyph id 0 (.notdef: a missing-glyph box)
    unmapped: int  # glyphs whose font has no Unicode for them

    def compact(self) -> str:
        """The text as NFKC (ligatures as letters), straight quotes, no whitespace.

        Chromium splits and spaces text runs arbitrarily, so whitespace is no evidence.
        """
        return normalise(self.text)


def normalise(text: str) -> str:
    """What :meth:`PdfReport.compact` does to a PDF's text, for a string to look up in it."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
    return re.sub(r"\s+", "", text)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for m in _OBJ.finditer(data):
        body = m.group(2)
        stream = None
        s = re.search(rb"stream\r?\n", body)
        if s and b"endstream" in body:
            head, raw = body[:s.start()], body[s.end():body.rindex(b"endstream")]
            if b"/FlateDecode" in head:
                try:
                    stream = zlib.decompress(raw)
                except zlib.error:
                    stream = zlib.decompressobj().decompress(raw)
            else:
                stream = raw
            body = head
        objects[int(m.group(1))] = (body, stream)
    return objects


def _cmap(stream: bytes) -> dict[int, str]:
    table: dict[int, str] = {}

    def uni(h: bytes) -> str:
        raw = bytes.fromhex(h.decode())
        return raw.decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            table[int(src, 16)] = uni(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for lo, hi, rest in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)",
                                       block):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if rest.startswith(b"["):
                for k, dst in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", rest)):
                    table[lo_i + k] = uni(dst)
            else:
                first = bytes.fromhex(rest[1:-1].decode())
                for k in range(hi_i - lo_i + 1):
                    code = int.from_bytes(first, "big") + k
                    table[lo_i + k] = code.to_bytes(len(first), "big").decode("utf-16-be", errors="replace")
    return table


def _dict_entry(body: bytes, key: bytes) -> bytes | None:
    """The value of ``/key`` in a dictionary: a reference, an array, or a nested dictionary."""
    m = re.search(rb"/" + key + rb"(?![A-Za-z0-9])\s*", body)
    if not m:
        return None
    rest = body[m.end():]
    ref = re.match(_REF, rest)
    if ref:
        return ref.group(0)
    if rest.startswith(b"<<"):
        depth, i = 0, 0
        while i < len(rest) - 1:
            pair = rest[i:i + 2]
            if pair == b"<<":
                depth, i = depth + 1, i + 2
                continue
            if pair == b">>":
                depth, i = depth - 1, i + 2
                if depth == 0:
                    return rest[:i]
                continue
            i += 1
        return rest
    if rest.startswith(b"["):
        return rest[:rest.index(b"]") + 1]
    return None


def _resolve(objects: dict, value: bytes | None) -> bytes:
    if value is None:
        return b""
    m = re.fullmatch(_REF, value.strip())
    return objects.get(int(m.group(1)), (b"", None))[0] if m else value


_TOKEN = re.compile(rb"<([0-9A-Fa-f\s]*)>|\((?:\\.|[^\\)])*\)|/([A-Za-z0-9_.+-]+)\s+[\d.]+\s+Tf"
                    rb"|(TJ|Tj|'|\")|(T\*|Td|TD|Tm|ET)")


def inspect_pdf(path: Path) -> PdfReport:
    """Pages, image objects and text of a PDF written by Chromium (Skia), read with the standard library."""
    data = Path(path).read_bytes()
    objects = _objects(data)
    pages = [n for n, (body, _) in objects.items() if re.search(rb"/Type\s*/Page\b(?!s)", body)]
    images = sum(1 for body, _ in objects.values() if re.search(rb"/Subtype\s*/Image\b", body))
    fonts: dict[int, tuple[dict[int, str], int]] = {}  # object -> (ToUnicode, bytes per code)
    for n, (body, _) in objects.items():
        if re.search(rb"/Type\s*/Font\b", body):
            ref = _dict_entry(body, b"ToUnicode")
            cmap: dict[int, str] = {}
            if ref:
                m = re.fullmatch(_REF, ref.strip())
                if m and objects.get(int(m.group(1)), (b"", None))[1]:
                    cmap = _cmap(objects[int(m.group(1))][1])
            fonts[n] = (cmap, 2 if b"/Type0" in body else 1)
    out: list[str] = []
    notdef = unmapped = 0
    for n in sorted(pages):
        body = objects[n][0]
        resources = _resolve(objects, _dict_entry(body, b"Resources"))
        font_dict = _resolve(objects, _dict_entry(resources, b"Font"))
        names = {name.decode(): int(ref)
                 for name, ref in re.findall(rb"/([A-Za-z0-9_.+-]+)\s+" + _REF, font_dict)}
        contents = _dict_entry(body, b"Contents") or b""
        streams = [objects.get(int(r), (b"", None))[1] or b"" for r in re.findall(_REF, contents)]
        current: tuple[dict[int, str], int] = ({}, 1)
        for stream in streams:
            for m in _TOKEN.finditer(stream):
                if m.group(2):
                    current = fonts.get(names.get(m.group(2).decode(), -1), ({}, 1))
                elif m.group(4):
                    out.append("\n" if m.group(4) == b"ET" else " ")
                elif m.group(3):
                    continue
                elif m.group(1) is not None:
                    raw = bytes.fromhex(re.sub(rb"\s", b"", m.group(1)).decode())
                    cmap, width = current
                    for i in range(0, len(raw) - width + 1, width):
                        code = int.from_bytes(raw[i:i + width], "big")
                        if width == 2 and code == 0:
                            notdef += 1
                        elif code in cmap:
                            out.append(cmap[code])
                        else:
                            unmapped += 1
                # literal strings: Skia writes glyphs as hex; a literal is an /ActualText
                # (the letters of a ligature already drawn as one glyph), so it is skipped
    return PdfReport(len(pages), images, "".join(out), notdef, unmapped)


def chapter_titles() -> Iterator[tuple[str, str]]:
    """(page, title) for every page of the table of contents: the first ``# `` heading of its source."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    for f in files:
        for suffix, prefix in ((".md", "# "), (".py", "# # ")):
            source = ROOT / (f + suffix)
            if source.exists():
                for line in source.read_text(encoding="utf-8").splitlines():
                    if line.startswith(prefix) and not line.startswith(prefix + "#"):
                        yield f, line[len(prefix):].strip()
                        break
                break
