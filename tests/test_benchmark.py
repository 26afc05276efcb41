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
