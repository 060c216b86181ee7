"""A small Sphinx extension for building the book (enabled in _config.yml).

It fixes two JavaScript console errors that the browser test
(tests/test_browser.py) would otherwise report on every page:

* duplicated inline ``<script>`` blocks: with Sphinx 7.4, sphinx-thebe's inline
  configuration script (``const THEBE_JS_URL = ...``) is emitted twice per
  page, and declaring a ``const`` twice is an error. Scripts loaded from files
  are already de-duplicated by Sphinx;
* the colour mode: the pydata theme's template starts a first-time visitor in
  mode ``""`` when sphinx-book-theme leaves ``default_mode`` unset, which its
  script reports as "Got invalid theme mode". We set it to ``"auto"`` (follow
  the system setting), which is what the theme then falls back to anyway.
"""

from __future__ import annotations

from typing import Any

__all__ = ["dedupe_scripts", "setup"]


def dedupe_scripts(scripts: list[Any]) -> list[Any]:
    """Drop repeated inline scripts (same body and attributes), keeping the first."""
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    out = []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        name = getattr(script, "filename", script) or ""  # inline scripts: None or ""
        key = (str(name), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        out.append(script)
    return out


def _on_page_context(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if "script_files" in context:
        context["script_files"] = dedupe_scripts(list(context["script_files"]))
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _on_page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
