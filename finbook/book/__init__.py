"""The book's machinery, apart from the finance: how notebooks are checked and where they ran.

* :mod:`finbook.book.compare` -- compare re-executed outputs with committed ones,
  numbers within the tolerance each cell states (``# tolerance: rtol=...``);
* :mod:`finbook.book.nbcheck` -- the pytest plugin that re-executes every chapter
  and applies that comparison (``pytest --nbcheck``);
* :mod:`finbook.book.machine` -- the CPU, kernels, threads and package versions a
  notebook was executed with, stored in its metadata.
"""
