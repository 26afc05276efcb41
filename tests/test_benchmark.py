"""The class benchmark (benchmarks/grade_class.py) keeps running: speed is measured with it, not by timed tests."""
import re
import subprocess
import sys

import pytest

from autograder.course import REPO, tool_env


@pytest.mark.slow
def test_the_class_benchmark_grades_a_small_class_and_reports_its_overhead():
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "grade_class.py"), "--n", "4", "--kit-only"],
                          env=tool_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = re.search(r"kit:\s+([\d.]+) s for 4 submissions .* overhead ([\d.-]+) s per submission .* of which "
                      r"([\d.]+) s starting the sandbox", proc.stdout)
    assert found, proc.stdout
    wall, overhead, sandbox = map(float, found.groups())
    assert wall > 0 and 0 < sandbox <= wall
    start = re.search(r"a worker starts in ([\d.]+) s \(once per job: ([\d.]+) s per submission here\); beyond "
                      r"that, ([\d.-]+) s", proc.stdout)
    assert start, proc.stdout
    seconds, shared, beyond = map(float, start.groups())
    assert seconds > 0 and shared * 4 >= seconds and abs(overhead - shared - beyond) < 0.015  # rounding


def test_median_run_is_the_middle_run_by_time_so_one_stall_does_not_decide_a_row():
    import importlib.util

    spec = importlib.util.spec_from_file_location("grade_class", REPO / "benchmarks" / "grade_class.py")
    grade_class = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(grade_class)
    assert grade_class.median_run([(28.0, "stall"), (14.7, "a"), (15.0, "b")]) == (15.0, "b")
    assert grade_class.median_run([(15.6, "a"), (14.9, "b")]) == (14.9, "b")  # even: the lower middle
    assert grade_class.median_run([(9.0, "only")]) == (9.0, "only")


@pytest.mark.slow
def test_the_every_table_grades_each_class_as_often_as_asked_and_shows_the_median_run():
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "grade_class.py"), "--every", "--sizes", "4",
                           "--only", "basics", "--kit-only", "--kit-runs", "3"],
                          env=tool_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = re.search(r"\| 0 basics \| 4 \| ([\d.]+) \|.*\| ([\d.]+), ([\d.]+), ([\d.]+) \|\n", proc.stdout)
    assert row, proc.stdout
    kit, *runs = map(float, row.groups())
    assert kit == sorted(runs)[1]
