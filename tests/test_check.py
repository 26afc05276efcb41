"""Instant feedback: check() in the notebook and `python -m autograder check` in a terminal."""
import shutil
import subprocess
import sys
import textwrap

import torch

from autograder.build import solution_code
from autograder.course import RELEASE, SAMPLES, tool_env
from kitcheck import check
from kitcheck.assignments import ASSIGNMENTS

TENSORS = ASSIGNMENTS["tensors"]


def _namespace(**overrides) -> dict:
    ns = {"torch": torch}
    for code in {**solution_code(TENSORS), **overrides}.values():
        exec(code, ns)
    return ns


def test_check_passes_the_reference_solution(capsys):
    ns = _namespace()
    for q in TENSORS.questions:
        check(q.name, ns)
        out = capsys.readouterr().out
        assert out.startswith(f"✓ {q.name}"), out


def test_check_names_the_function_and_shows_expected_vs_got(capsys):
    ns = _namespace(var_mean=textwrap.dedent('''
        def var_mean(x, dim, unbiased=True):
            return x.var(dim, correction=0), x.mean(dim)
    '''))
    check("var_mean", ns)
    out = capsys.readouterr().out
    assert out.startswith("✗ var_mean: `var` has wrong values")
    assert "input:" in out and "expected:" in out and "got:" in out and "worst element" in out


def test_check_explains_an_exception_and_a_missing_function(capsys):
    ns = _namespace(chunk_sizes="def chunk_sizes(n, chunks):\n    return [n / chunks] * chunks\n")
    check("chunk_sizes", ns)
    # 1 / 1 is 1.0: the right value in the wrong type, said as such
    assert "chunk_sizes: the result has the right values but the wrong type: expected int, got float" in \
        capsys.readouterr().out
    del ns["one_hot"]
    check("one_hot", ns)
    assert "does not define `one_hot`" in capsys.readouterr().out
    check("no_such_exercise", ns)
    assert "there is no exercise called 'no_such_exercise'" in capsys.readouterr().out


def test_check_cli_reports_every_exercise_of_a_notebook():
    proc = subprocess.run([sys.executable, "-m", "autograder", "check",
                           str(SAMPLES / "tensors" / "mistake-var_mean-biased-variance.ipynb"), "--assignment", "tensors"],
                          env=tool_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    verdicts, table = proc.stdout.split("(public checks)")
    assert "✗ var_mean" in verdicts and verdicts.count("✓") == len(TENSORS.questions) - 1
    # then check_all's table: every question with its points, and where the notebook stands
    assert table.count("✓") == len(TENSORS.questions) - 1 and "  4  var_mean               3  ✗" in table
    assert "6 of 7 exercises pass their public checks: 17 of 20 points" in table


def test_release_folder_alone_runs_the_public_checks(tmp_path):
    """A student with only release/tensors/ and the pinned packages can check their work."""
    folder = tmp_path / "tensors"
    shutil.copytree(RELEASE / "tensors", folder)
    (folder / "answers.py").write_text("import torch\n" + "\n".join(solution_code(TENSORS).values()))
    script = textwrap.dedent(f'''
        import sys
        import kitcheck, answers
        assert kitcheck.__file__.startswith({str(folder)!r}), kitcheck.__file__
        for q in {[q.name for q in TENSORS.questions]!r}:
            kitcheck.check(q, vars(answers))
        assert not any(m.startswith("autograder") for m in sys.modules), "kitcheck needs the grader"
    ''')
    proc = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=300,
                          env={k: v for k, v in tool_env().items() if k != "PYTHONPATH"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("✓") == len(TENSORS.questions), proc.stdout


def test_check_does_not_guess_when_no_mistake_matches(capsys):
    check("chunk_sizes", _namespace(chunk_sizes="def chunk_sizes(n, chunks):\n    return [7]\n"))
    out = capsys.readouterr().out
    assert out.startswith("✗ chunk_sizes: the result is wrong") and "likely cause" not in out


def test_hints_compare_reports_returned_as_dicts_value_by_value():
    # Drivers report a module's state as {name: tensor}; a catalogued mistake matches only when every value does.
    from kitcheck.hints import same_outcome

    state = {"weight": torch.ones(2, 3), "bias": torch.zeros(2)}
    assert same_outcome(("returned", state), ("returned", {k: v.clone() for k, v in state.items()}))
    assert not same_outcome(("returned", state), ("returned", {**state, "bias": torch.ones(2)}))
    assert not same_outcome(("returned", state), ("returned", {"weight": state["weight"]}))
    assert not same_outcome(("returned", state), ("raised", "ValueError"))


def test_torchs_first_meta_device_operation_is_paid_before_the_timed_calls():
    """The first meta-device operation of a fresh process imports torch's compiler stack (seconds): check()
    pays it before it starts timing the student's calls, so a correct function is never stopped for it."""
    import subprocess
    import sys

    code = ("import time, torch\n"
            "from kitcheck.checking import warm_meta_device\n"
            "warm_meta_device()\n"
            "t = time.perf_counter()\n"
            "torch.diag(torch.empty(3, device='meta')); torch.eye(3, device='meta')[torch.tensor([0, 2])]\n"
            "print(time.perf_counter() - t)\n")
    took = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert took < 0.5, took


def test_a_wrong_shape_shows_the_expected_value_in_the_dtype_the_exercise_asks_for(capsys):
    # References are computed in float64; a float32 exercise whose result has the wrong shape must not show an
    # expected value "(torch.float64, cpu)", which reads as if the answer should be float64.
    check("pairwise_dist", _namespace(pairwise_dist="def pairwise_dist(x, y, p=2):\n"
                                                    "    return (x[:, None] - y[None]).abs().pow(p).sum(-1).pow(1 / p).T\n"))
    out = capsys.readouterr().out
    expected = next(line for line in out.splitlines() if line.strip().startswith("expected:"))
    got = next(line for line in out.splitlines() if line.strip().startswith("got:"))
    assert "shape" in out.splitlines()[0], out
    assert "(torch.float32, cpu)" in expected and "(torch.float32, cpu)" in got, out
