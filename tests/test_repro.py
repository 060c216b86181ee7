"""finbook.repro: seeding, the quiet TensorFlow import, digests, the environment report."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest

from finbook import models, repro, training
from finbook.book import demo


def test_set_seed_makes_python_and_numpy_repeatable():
    repro.set_seed(11, keras=False)
    first = (random.random(), np.random.rand(3).tolist())
    repro.set_seed(11, keras=False)
    assert (random.random(), np.random.rand(3).tolist()) == first
    repro.set_seed(12, keras=False)
    assert random.random() != first[0]


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "7", True])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises((TypeError, ValueError), match="seed must be"):
        repro.set_seed(bad, keras=False)


def _train_once(seed: int) -> str:
    repro.set_seed(seed)
    x = np.random.default_rng(0).normal(size=(256, 5)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    net = models.mlp(5, hidden=(8,))
    net, _ = training.fit(net, x, y, epochs=3, batch_size=32)
    return repro.weights_digest(net)


def test_seeded_keras_training_is_bit_identical_and_seed_dependent():
    assert _train_once(3) == _train_once(3)
    assert _train_once(3) != _train_once(4)


def test_weights_digest_sees_the_smallest_change():
    repro.set_seed(0)
    net = models.mlp(3, hidden=(4,))
    before = repro.weights_digest(net)
    weights = net.get_weights()
    weights[0] = weights[0].copy()
    weights[0][0, 0] = np.nextafter(weights[0][0, 0], np.float32(np.inf))
    net.set_weights(weights)
    assert repro.weights_digest(net) != before


def test_weights_digest_rejects_non_models():
    with pytest.raises(TypeError, match="Keras model"):
        repro.weights_digest(object())


def test_silenced_stderr_swallows_writes_to_file_descriptor_2(capfd):
    with repro.silenced_stderr():
        os.write(2, b"oneDNN custom operations are on\n")
    os.write(2, b"visible\n")
    captured = capfd.readouterr()
    assert "oneDNN" not in captured.err
    assert "visible" in captured.err


def test_tensorflow_import_prints_nothing_to_stderr():
    """A fresh interpreter importing TensorFlow through finbook writes nothing to fd 2."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    res = subprocess.run(
        [sys.executable, "-c", "from finbook.repro import import_tensorflow; "
         "tf = import_tensorflow(); print(tf.constant(2.0).numpy())"],
        capture_output=True, text=True, env=env, check=True,
    )
    assert res.stdout.strip() == "2.0"
    assert res.stderr == ""


def test_environment_report_lists_versions_and_no_paths():
    report = repro.environment_report()
    items = dict(zip(report["item"], report["value"], strict=True))
    assert items["numpy"] == np.__version__
    assert items["Python"].count(".") == 2
    assert "finbook" in items
    text = report.to_string()
    for fragment in ("/usr", "/home", "/root", "/tmp", "site-packages"):
        assert fragment not in text


def test_fresh_processes_trained_side_by_side_agree_when_seeded():
    digests = demo.training_digests_in_new_processes(3, 2, epochs=1)
    assert len(digests) == 2 and digests[0] == digests[1]
    assert len(digests[0]) == 16 and int(digests[0], 16) >= 0  # a shortened SHA-256 hex digest
    assert demo.training_digest_in_new_process(3, epochs=1) == digests[0]


def test_a_failing_child_process_raises_with_its_error():
    with pytest.raises(RuntimeError, match="training in a new process failed"):
        demo.training_digests_in_new_processes("not a seed", 1, epochs=1)


@pytest.mark.parametrize("count", [0, -1, 1.5, True])
def test_training_digests_reject_a_bad_count(count):
    with pytest.raises(ValueError, match="count must be a positive integer"):
        demo.training_digests_in_new_processes(0, count)


def test_other_kernels_move_the_weights_but_hardly_the_loss():
    """What the reproducibility page promises across CPUs, on one machine: oneDNN forced to SSE4.1."""
    run = demo.training_runs_in_new_processes
    ((_, loss_avx2),) = run(3, 1, epochs=1, env={"ONEDNN_MAX_CPU_ISA": "AVX2"})
    ((_, loss_sse),) = run(3, 1, epochs=1, env={"ONEDNN_MAX_CPU_ISA": "SSE41"})
    assert 0 < loss_avx2 < 1
    assert abs(loss_avx2 - loss_sse) / loss_avx2 < 1e-6


def test_tensorflow_is_capped_at_avx2_unless_told_otherwise():
    import os
    import subprocess
    import sys

    code = "import os, finbook.repro as r; r.import_tensorflow(); print(os.environ['ONEDNN_MAX_CPU_ISA'])"
    env = {k: v for k, v in os.environ.items() if k != "ONEDNN_MAX_CPU_ISA"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == repro.ONEDNN_ISA == "AVX2"
    env["ONEDNN_MAX_CPU_ISA"] = "SSE41"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "SSE41"


def test_tensorflow_runs_one_thread_per_pool_unless_told_otherwise():
    import subprocess
    import sys

    code = ("import os, finbook.repro as r; r.import_tensorflow(); "
            "print(os.environ['TF_NUM_INTRAOP_THREADS'], os.environ['TF_NUM_INTEROP_THREADS'])")
    pools = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
    env = {k: v for k, v in os.environ.items() if k not in pools}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == [str(repro.TF_THREADS), str(repro.TF_INTEROP_THREADS)] == ["1", "1"]
    env.update(TF_NUM_INTRAOP_THREADS="2", TF_NUM_INTEROP_THREADS="3")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["2", "3"]


def test_thread_counts_do_not_move_the_weights():
    """One thread per pool (the book's default) trains the same weights as two."""
    run = demo.training_runs_in_new_processes
    ((one, _),) = run(3, 1, epochs=1, env={"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"})
    ((two, _),) = run(3, 1, epochs=1, env={"TF_NUM_INTRAOP_THREADS": "2", "TF_NUM_INTEROP_THREADS": "2"})
    assert one == two


def test_a_chapter_can_ask_for_inter_op_threads_before_tensorflow_loads():
    import subprocess
    import sys

    code = ("import finbook.repro as r; r.tensorflow_threads(2); tf = r.import_tensorflow(); "
            "import os; print(os.environ['TF_NUM_INTEROP_THREADS'], r.tensorflow_threads(2)); "
            "r.tensorflow_threads(1)")
    env = {k: v for k, v in os.environ.items() if k != "TF_NUM_INTEROP_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["2", "2"]
    assert out.returncode != 0 and "already loaded with 2 inter-op thread(s)" in out.stderr
    assert "restart the kernel and call tensorflow_threads(1) first" in out.stderr
    with pytest.raises(ValueError, match="positive integer"):
        repro.tensorflow_threads(0)
