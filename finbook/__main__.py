"""``python -m finbook``: see :mod:`finbook.cli`."""

from finbook.cli import main

raise SystemExit(main())
