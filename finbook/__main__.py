"""``python -m finbook``: see :mod:`finbook.book.cli`."""

from finbook.book.cli import main

raise SystemExit(main())
