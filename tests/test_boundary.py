"""The student/grader boundary: a release holds the notebook and a small student package, and nothing in it
(or in the solutions handed out after the deadline) scores a point without the student's own work."""
import json
import math
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from autograder.catalog import catalog, variants
from autograder.course import KITCHECK, RELEASE, SOLUTIONS, tool_env
from autograder.leakscan import scan, scan_in_child
from autograder.release import student_files
from kitcheck import check, probes
from kitcheck.assignments import ASSIGNMENTS

ALL = sorted(ASSIGNMENTS)


def _code_lines(text: str) -> int:
    import io
    import tokenize

    found = set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in (tokenize.NAME, tokenize.NUMBER) or (tok.type == tokenize.OP and tok.string not in "()[]{},"):
            found.add(tok.start[0])
    return len(found)


@pytest.mark.parametrize("name", ALL)
def test_release_holds_the_notebook_and_an_allow_listed_package_only(name):
    assignment = ASSIGNMENTS[name]
    for root in (RELEASE, SOLUTIONS):
        folder = root / name
        have = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts)
        assert have == sorted([assignment.notebook] + [f"kitcheck/{f}" for f in student_files(assignment)])
        # Code only: the lines with a name, a number or an operator; sentences (in two languages), comments and
        # blank lines cannot answer anything
        lines = sum(_code_lines(p.read_text(encoding="utf-8")) for p in folder.rglob("*.py"))
        assert lines < 2200, lines  # before the redesign: 8,088 lines of every assignment's answers
        text = "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.py"))
        for other in ASSIGNMENTS:
            if other != name:
                assert not (folder / "kitcheck" / "assignments" / f"{other}.py").exists()
        for secret in ("MISTAKES", "VARIANTS", "_reference(", "autograder"):
            assert secret not in text, (name, secret)


@pytest.mark.parametrize("name", ALL)
def test_nothing_students_receive_scores_a_point(name):
    reports = scan_in_child(name)
    assert len(reports) == 2  # the release, and the solutions without their notebook
    for report in reports:
        assert report.clean, report.summary()
        assert report.points == 0
    assert reports[0].tried > 0  # the scan did try the release's functions as answers


def _planted(tmp_path: Path) -> Path:
    folder = tmp_path / "release" / "tensors"
    shutil.copytree(RELEASE / "tensors", folder)
    return folder


def test_leak_scan_finds_a_helper_that_answers_a_question(tmp_path):
    folder = _planted(tmp_path)
    with open(folder / "kitcheck" / "compare.py", "a", encoding="utf-8") as f:
        f.write(textwrap.dedent('''

            def _shape_of_both(a, b):
                try:
                    return tuple(torch.broadcast_shapes(a, b))
                except RuntimeError as exc:
                    raise ValueError(str(exc)) from None
        '''))
    report = scan(ASSIGNMENTS["tensors"], folder)
    assert [(leak.question, leak.candidate) for leak in report.leaks] == [("broadcast_shape", "_shape_of_both")]
    assert report.points == 3 and not report.clean


def test_leak_scan_finds_answers_written_as_code_in_strings_and_files_off_the_list(tmp_path):
    folder = _planted(tmp_path)
    variant = next(v for v in variants("tensors") if v.question == "one_hot")
    (folder / "kitcheck" / "catalog.py").write_text(f"EXAMPLES = [{variant.code!r}]\n", encoding="utf-8")
    report = scan(ASSIGNMENTS["tensors"], folder)
    assert ("one_hot", "one_hot") in [(leak.question, leak.candidate) for leak in report.leaks]
    assert any("catalog.py: not on the student package's allow-list" in p for p in report.problems)


def test_leak_scan_finds_a_solution_left_in_the_notebook(tmp_path):
    folder = _planted(tmp_path)
    nb = json.loads((folder / "tensors.ipynb").read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": "def handy(n, chunks):\n    return [len(c) for c in torch.arange(n).chunk(chunks)]\n"})
    (folder / "tensors.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    report = scan(ASSIGNMENTS["tensors"], folder)
    assert [(leak.question, leak.candidate, leak.origin) for leak in report.leaks] == \
        [("chunk_sizes", "handy", "tensors.ipynb")]


def test_stored_probes_are_plain_data():
    for name in ALL:
        data = torch.load(KITCHECK / "data" / f"{name}.pt", weights_only=True)  # raises on anything but data
        assert data["assignment"] == name and data["format"] == probes.FORMAT
        assert set(data["fingerprints"]) <= {q.name for q in ASSIGNMENTS[name].questions}


def _catalog_namespace(code: str) -> dict:
    ns = {"torch": torch, "F": torch.nn.functional, "math": math}
    exec(code, ns)
    return ns


@pytest.mark.parametrize("name", ALL)
def test_check_names_a_mistakes_misconception_from_stored_outcomes_alone(name, capsys):
    """The notebook's hint comes from data: the student's outputs on the stored calls against each mistake's.
    It never names another mistake's misconception, and it names its own for most mistakes check catches."""
    caught = named = 0
    for mistake in catalog(name):
        check(mistake.question, _catalog_namespace(mistake.code))
        out = capsys.readouterr().out
        if out.startswith(f"✗ {mistake.question}"):
            caught += 1
            if "likely cause:" in out:
                assert f"likely cause: {mistake.misconception}" in out, (mistake.slug, out)
                named += 1
    assert caught and named >= 0.7 * caught, (caught, named)


def test_check_gives_no_hint_to_a_right_answer_and_passes_every_variant(capsys):
    for name in ALL:
        for variant in variants(name):
            check(variant.question, _catalog_namespace(variant.code))
            out = capsys.readouterr().out
            assert out.startswith(f"✓ {variant.question}"), (variant.slug, out)


def test_release_folder_alone_checks_and_hints_without_the_grader(tmp_path):
    """A student with only release/<a>/: the checks pass a right answer and name a mistake's misconception,
    and neither the grader nor another assignment is importable or imported."""
    for name in ("tensors", "cnn"):
        shutil.copytree(RELEASE / name, tmp_path / name)
    script = textwrap.dedent('''
        import math, sys, json, torch
        import kitcheck
        from kitcheck.assignments import ASSIGNMENTS
        cases = json.loads(sys.argv[1])
        assert list(ASSIGNMENTS) == [cases["assignment"]], list(ASSIGNMENTS)
        for question, code in cases["code"]:
            ns = {"torch": torch, "F": torch.nn.functional, "math": math}
            exec(code, ns)
            kitcheck.check(question, ns)
        assert not any(m.split(".")[0] == "autograder" for m in sys.modules), "kitcheck needs the grader"
    ''')
    env = {k: v for k, v in tool_env().items() if k != "PYTHONPATH"}
    for name in ("tensors", "cnn"):
        right = next(v for v in variants(name) if v.question == ASSIGNMENTS[name].questions[0].name)
        wrong = next(m for m in catalog(name) if m.question == right.question)
        cases = {"assignment": name, "code": [[right.question, right.code], [wrong.question, wrong.code]]}
        proc = subprocess.run([sys.executable, "-c", script, json.dumps(cases)], cwd=tmp_path / name, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"✓ {right.question}"), proc.stdout
        assert f"✗ {wrong.question}" in proc.stdout and f"likely cause: {wrong.misconception}" in proc.stdout, proc.stdout


def _kitcheck_imports(rel: str) -> set[str]:
    """The kitcheck files (relative to ``kitcheck/``) that ``kitcheck/<rel>`` imports, inside functions too,
    and what those import in turn."""
    import ast

    found: set[str] = set()
    todo = [rel]
    while todo:
        path = todo.pop()
        package = Path(path).parent.parts  # relative imports start from the file's own package
        for node in ast.walk(ast.parse((KITCHECK / path).read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = list(package[:len(package) - node.level + 1])
            elif (node.module or "").split(".")[0] == "kitcheck":
                base = []
            else:
                continue
            dotted = [*base, *((node.module or "").split(".")[1 if not node.level else 0:] if node.module else [])]
            for name in [None, *(a.name for a in node.names)]:
                parts = [*dotted, name] if name else dotted
                for candidate in ("/".join(parts) + ".py", "/".join([*parts, "__init__.py"])):
                    if (KITCHECK / candidate).is_file() and candidate not in found:
                        found.add(candidate)
                        todo.append(candidate)
    return found


@pytest.mark.parametrize("name", ALL)
def test_a_kitcheck_file_beyond_the_runtime_ships_only_with_the_assignments_that_import_it(name):
    """``Assignment.runtime`` lists exactly the kitcheck files an assignment's module imports besides the
    runtime every assignment gets: what it needs ships with it (its checks run from the release alone), and
    nothing more (``kitcheck/modules.py`` goes to cnn and architectures, not to the other assignments)."""
    from autograder.release import RUNTIME

    assignment = ASSIGNMENTS[name]
    own = f"assignments/{name}.py"
    common = {*RUNTIME, "assignments/__init__.py", own}
    needed = _kitcheck_imports(own) - common
    assert set(assignment.runtime) == needed
    assert set(student_files(assignment)) >= needed
    for root in (RELEASE, SOLUTIONS):
        shipped = (root / name / "kitcheck" / "modules.py").is_file()
        assert shipped == ("modules.py" in needed) == (name in ("cnn", "architectures")), (root.name, name)
