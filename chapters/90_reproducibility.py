# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# (reproducibility)=
# # Reproducibility
#
# Every number in this book comes from code that ran, and every page can be run again
# to the last digit. This appendix shows what that takes: a pinned environment, seeded
# random number generators, deterministic TensorFlow kernels, and a test suite that
# re-executes every chapter and compares its outputs with the committed ones.

# %% tags=["parameters"]
SEED = 2024  # seed for the "seeded" training runs below
EPOCHS = 5  # epochs of the small demonstration network

# %%
# Setup: in Google Colab only, fetch the book's code and data and install its pinned
# requirements (a few minutes, once per session). Elsewhere this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(["git", "clone", "--depth", "1",
                    "https://github.com/finbook-authors/finbook", "/content/finbook"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", "requirements.txt"],
                   cwd="/content/finbook", check=True)
    sys.path.insert(0, "/content/finbook")

# %%
import pandas as pd
from myst_nb import glue

from finbook import paths, repro

# %% [markdown]
# ## The environment
#
# The book pins the exact version of every package it needs in `requirements.txt`; a
# fresh `pip install -r requirements.txt` reproduces the environment below. The table
# describes the machine that last executed this page.

# %% tags=["nbval-ignore-output"]
# nbval-ignore-output: this table describes whichever machine runs the notebook
# (CPU model, memory, kernel release), so it legitimately differs between machines.
repro.environment_report()

# %% [markdown]
# ## Seeds make training repeatable
#
# A neural network starts from random weights and sees the training data in a random
# order, so two training runs differ unless every random number generator involved is
# seeded. `finbook.repro.set_seed` seeds Python, NumPy and Keras and switches on
# TensorFlow's *op determinism*, which makes the few kernels that would otherwise
# add numbers in a varying order (and so round differently) deterministic.
#
# To show that it works, we train the same small network (32-16-1 units, on the one-hot
# encoded German credit data) four times,
# each time in a **fresh Python process**, exactly as a reader re-running the notebook
# would: twice after `set_seed`, twice without. We compare the SHA-256 digests of the
# trained weights: equal digests mean bit-identical weights.

# %%
seeded = repro.training_digests_in_new_processes(SEED, 2, epochs=EPOCHS)  # two processes side by side
pd.DataFrame({"run": ["first process", "second process"], "weights digest": seeded})

# %% tags=["nbval-ignore-output"]
# nbval-ignore-output: unseeded training is *meant* to give different weights on every
# run, so these digests change each time the notebook executes.
unseeded = repro.training_digests_in_new_processes(None, 2, epochs=EPOCHS)
pd.DataFrame({"run": ["first process", "second process"], "weights digest": unseeded})

# %%
glue("repro_seeded_identical", "identical" if seeded[0] == seeded[1] else "different",
     display=False)
glue("repro_unseeded_identical", "identical" if unseeded[0] == unseeded[1] else "different",
     display=False)
glue("repro_seed", SEED, display=False)

# %% [markdown]
# With seed {glue:text}`repro_seed` the two processes trained {glue:text}`repro_seeded_identical`
# weights; without seeds the weights were {glue:text}`repro_unseeded_identical`.
#
# Determinism holds on one machine and one software stack. A different CPU instruction
# set or a different TensorFlow build may sum floating-point numbers in another order
# and change the last digits; that is why the book pins its packages and why its
# displayed results are rounded to the precision that matters.

# %% [markdown]
# ## How the book checks itself
#
# `pytest` (the command `.ci/run` calls on every change) does four things:
#
# 1. runs the unit tests of the `finbook` package;
# 2. re-executes **every chapter** with [nbval](https://github.com/computationalmodelling/nbval)
#    and compares each cell's output with the committed one: a changed number anywhere
#    fails the build. The few outputs that are volatile by nature (timings, the machine
#    description above) are tagged `nbval-ignore-output`, each with a comment saying why;
# 3. checks that every notebook is executed top to bottom, free of errors and machine
#    paths, and in sync with its `.py` twin;
# 4. builds the book with warnings as errors, and opens every page in a headless browser.
#
# Numbers quoted in the prose are *glued* from the code with `myst_nb.glue`, as in the
# sentence above: the text cannot disagree with the computation.

# %% [markdown]
# ## How long each chapter takes
#
# `python -m finbook bench --save chapters/benchmark.csv` re-executes every chapter into a
# temporary folder, each in its own process, and records its wall time and the peak memory
# of that process and its kernel. The table below is the last such run, committed with the
# book; it is read from that file, not measured when this page runs (timings vary from run
# to run, and a page must re-execute to identical outputs).

# %%
bench = pd.read_csv(paths.CHAPTERS_DIR / "benchmark.csv")
machine = bench[["cpu", "cores", "python"]].drop_duplicates()
if len(machine) != 1:
    raise ValueError(f"benchmark.csv mixes runs from several machines: {machine.to_dict('records')}")
glue("bench_total_min", round(float(bench["seconds"].sum()) / 60, 1), display=False)
glue("bench_slowest", bench.loc[bench["seconds"].idxmax(), "chapter"], display=False)
glue("bench_slowest_s", round(float(bench["seconds"].max()), 1), display=False)
glue("bench_peak_mib", int(bench["peak_mib"].max()), display=False)
glue("bench_cpu", f"{machine['cores'].iloc[0]} cores of an {machine['cpu'].iloc[0]}", display=False)
bench[["chapter", "seconds", "peak_mib"]].rename(columns={"peak_mib": "peak memory (MiB)"})

# %% [markdown]
# On {glue:text}`bench_cpu` the whole book re-executed in
# {glue:text}`bench_total_min:.1f` minutes; the slowest chapter,
# {glue:text}`bench_slowest`, took {glue:text}`bench_slowest_s:.1f` s, and no chapter
# needed more than {glue:text}`bench_peak_mib` MiB of memory. The book's budgets are two
# minutes per chapter and ten minutes in all, on two CPU cores; `bench` flags any chapter
# or total over them.

# %% [markdown]
# ## Re-executing a chapter yourself
#
# From the repository root, after `pip install -r requirements.txt`:
#
# ```bash
# python -m finbook chapters                       # list chapters and their parameters
# python -m finbook execute 90_reproducibility     # re-execute one chapter in place
# python -m finbook execute                        # re-execute the whole book
# python -m finbook run 90_reproducibility -p SEED 7 --output runs/   # other parameters
# python -m finbook bench                          # time and memory of every chapter
# ```
#
# `execute` first brings each notebook and its `.py` twin into agreement, then runs the
# notebook top to bottom with papermill and replaces the committed copy only if every
# cell succeeded. `run` never touches the committed notebook: it writes an executed copy
# with your parameters into the folder you name, for experiments and assignments.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: repro-ex-seed
# Run this appendix with another seed (`python -m finbook run 90_reproducibility -p SEED 7
# --output runs/`). Are the two seeded digests still equal to each other? Are they equal
# to the digests printed above?
# ```
#
# ```{solution} repro-ex-seed
# :class: dropdown
# The two seeded runs agree with each other for any seed: both processes start from the
# same generator state. They differ from the digests above, which belong to seed 2024:
# a different seed gives different initial weights and a different shuffling order.
# ```
#
# ```{exercise}
# :label: repro-ex-determinism
# Comment out `tf.config.experimental.enable_op_determinism()` in `finbook.repro.set_seed`
# and re-run the seeded training twice. What do you expect, and why might a dense network
# on a CPU still come out identical?
# ```
#
# ```{solution} repro-ex-determinism
# :class: dropdown
# Seeding alone fixes the initial weights and the order of the mini-batches; op
# determinism additionally fixes the order of floating-point reductions inside kernels
# that may run in parallel. Small dense networks on a CPU often use kernels that are
# already deterministic, so the digests may still agree; convolutions, recurrent layers
# and GPU kernels are where non-determinism usually appears. The book turns it on
# everywhere because it costs little and removes the doubt.
# ```
