"""Definitions taught in the chapters, exported for reuse by later chapters.

GENERATED FROM THE CHAPTERS by ``python -m finbook export``; do not edit: change the
chapter's cell marked ``# @save`` and export again (a test fails when this file and
the chapters disagree). Each block names the chapter and cell it comes from; each
definition's docstring names the chapter that teaches it.
"""

# ruff: noqa: E402, F811, I001
