"""finbook: the helper package of the executable book *Deep Learning and AI Models in Finance*.

The chapters import it the way Dive into Deep Learning imports ``d2l``: each
notebook shows what is done, and finbook holds how.

Modules
-------
data        real datasets, offline, verified against data/manifest.csv
repro       seeds, a quiet TensorFlow import, the environment report
notebooks   the chapter pipeline (sync, execute, run, bench)
cli         ``python -m finbook ...``

Importing finbook is cheap: TensorFlow is imported only by the functions that need it.
"""

__version__ = "0.1.0"
