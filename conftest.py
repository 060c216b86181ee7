"""Root pytest configuration, loaded for every test, including the notebook checks.

Registers the notebook check (finbook.book.nbcheck: ``pytest --nbcheck``). The
kernels it starts inherit this process's environment, so the variables
that make notebook outputs reproducible are set here, before any kernel starts,
with the same values ``python -m finbook execute`` uses.
"""

import os

from finbook.book.pipeline import kernel_environment

os.environ.update(kernel_environment())

pytest_plugins = ["finbook.book.nbcheck"]

# The built book holds copies of the notebooks; never collect them.
collect_ignore_glob = ["_build/*"]
