"""Grading on a Dask cluster gives what grading on one machine gives.

The test starts its own cluster on localhost (2 worker processes, 1 thread each) and grades three tensors
samples and a broken notebook with the CLI (``grade --cluster tcp://...``); the local results are the
session's ``graded_samples``, graded by ``grade_batch``."""
import csv
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from autograder.course import SAMPLES, tool_env
from kitcheck.assignments import ASSIGNMENTS

# one pytest-xdist worker runs this module, so its module-scoped batch is graded once
pytestmark = pytest.mark.xdist_group("cluster")

TENSORS = ASSIGNMENTS["tensors"]
IDS = ["solution", "untouched", "mistake-var_mean-biased-variance"]
TIMING = {"seconds", "test_seconds", "sandbox_seconds"}  # the only fields that may differ between two gradings


def _rows(path):
    with open(path, newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def cluster_batch(tmp_path_factory):
    """Grade on a LocalCluster started here; then grade again on it (everything is reused)."""
    from dask.distributed import Client, LocalCluster

    from autograder.distributed import grade_on_cluster
    from autograder.grade import discover

    root = tmp_path_factory.mktemp("cluster")
    (root / "subs").mkdir()
    (root / "subs" / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")  # invalid JSON
    paths = [SAMPLES / "tensors" / f"{sid}.ipynb" for sid in IDS] + [root / "subs" / "broken.ipynb"]
    out = root / "out"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster, Client(cluster) as client:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "tensors", *map(str, paths),
                               "--out", str(out), "--cluster", cluster.scheduler_address, "--quiet"],
                              env=tool_env(), capture_output=True, text=True, timeout=600)
        seconds = time.perf_counter() - start
        saved = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/grading.json")}
        again = grade_on_cluster(TENSORS, discover(TENSORS, paths), out, client, progress=False)
    print(f"\ngraded {len(paths)} notebooks on the local cluster in {seconds:.1f} s")
    return proc, out, saved, {r.id: r.to_dict() for r in again}


@pytest.mark.slow
def test_the_cluster_grades_like_one_machine(cluster_batch, graded_samples):
    proc, out, results, _ = cluster_batch
    assert proc.returncode == 0, proc.stdout + proc.stderr
    local = graded_samples("tensors")
    local_rows, rows = _rows(local.out / "grades.csv"), _rows(out / "grades.csv")
    for sid in IDS:
        mine, theirs = results[sid], local.results[sid]
        assert {q["name"]: q["score"] for q in mine["questions"]} == local.scores(sid)
        assert mine["status"] == theirs["status"] == "graded"
        # The whole record (ids, paths, messages, every test's outcome) but timings; the same reports.
        assert {k: v for k, v in mine.items() if k not in TIMING} == \
               {k: v for k, v in theirs.items() if k not in TIMING}
        for name in ("results.json", "feedback.md"):
            assert (out / sid / name).read_bytes() == (local.out / sid / name).read_bytes(), (sid, name)
        assert rows[sid] == local_rows[sid]
    assert results["solution"]["score"] == TENSORS.total_points and results["untouched"]["score"] == 0


@pytest.mark.slow
def test_a_broken_notebook_gets_an_error_row_and_the_batch_goes_on(cluster_batch):
    proc, out, results, _ = cluster_batch
    broken = results["broken"]
    assert broken["status"] == "error" and "broken.ipynb is not valid notebook JSON" in broken["error"]
    assert broken["notebook"].endswith("subs/broken.ipynb")  # the client's path, not the worker's copy
    assert set(_rows(out / "grades.csv")) == {*IDS, "broken"}
    assert all(results[sid]["status"] == "graded" for sid in IDS)


@pytest.mark.slow
def test_student_code_is_isolated_on_the_cluster_too(cluster_batch, graded_samples):
    _, _, results, _ = cluster_batch
    isolation = results["solution"]["isolation"]
    assert isolation == graded_samples("tensors").results["solution"]["isolation"]
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        assert isolation.startswith("namespaces: its own user") and "/tmp" in isolation


@pytest.mark.slow
def test_grading_again_on_the_cluster_reuses_saved_results(cluster_batch):
    _, _, results, again = cluster_batch
    assert again == results  # timings included: nothing was graded twice


def test_an_unreachable_scheduler_is_one_sentence_and_exit_2(tmp_path, monkeypatch, capsys):
    from autograder import cli, distributed

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 2.0)
    monkeypatch.setenv("PATH", os.environ["PATH"])  # cli.main changes both: have them restored
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    code = cli.main(["grade", "tensors", str(SAMPLES / "tensors" / "solution.ipynb"), "--out", str(tmp_path / "out"),
                     "--cluster", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[-1].startswith(f"error: could not reach the Dask scheduler at tcp://127.0.0.1:{port} "
                                           "within 2 s")
    assert not (tmp_path / "out" / "solution").exists()


@pytest.mark.parametrize("level", ["namespaces", "user", "limits"])
@pytest.mark.parametrize("filtered", [True, False])
def test_a_cluster_whose_sandboxes_share_the_network_is_graded_with_a_warning(tmp_path, monkeypatch, capsys, level,
                                                                             filtered):
    # Without a network namespace (namespaces level) or the seccomp filter, a sandbox shares the machine's network:
    # a Dask scheduler it reaches would run its code as the grader. The instructor is told before anything is graded.
    from autograder import cli, distributed, isolation

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.setattr(isolation, "best_level", lambda: (level, "as the test says"))
    monkeypatch.setattr(isolation, "syscall_filter_supported", lambda: filtered)
    monkeypatch.setenv("PATH", os.environ["PATH"])
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    code = cli.main(["grade", "tensors", str(SAMPLES / "tensors" / "solution.ipynb"), "--out", str(tmp_path / "out"),
                     "--cluster", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 2
    warned = f"warning: student code runs at the {level} isolation level" in err
    assert warned == (level != "namespaces" and not filtered), err
    if warned:
        assert "Dask scheduler or worker" in err


def test_a_scheduler_without_workers_is_refused():
    from dask.distributed import LocalCluster

    from autograder.distributed import ClusterError, connect

    with LocalCluster(n_workers=0, dashboard_address=None, host="127.0.0.1") as cluster:
        with pytest.raises(ClusterError, match="has no workers"):
            with connect(cluster.scheduler_address, timeout=1.0):
                pass


def test_cluster_addresses():
    from autograder.distributed import ClusterError, parse_local

    assert parse_local("local") is None and parse_local("local:3") == 3
    with pytest.raises(ValueError):
        parse_local("tcp://10.0.0.1:8786")
    with pytest.raises(ClusterError):
        parse_local("local:zero")
