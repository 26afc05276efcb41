"""Gradescope: the autograder zip (``python -m autograder gradescope ASSIGNMENT``) and what runs inside it.

The zip follows Gradescope's autograder specification: at its root ``setup.sh`` (run once to build the
image: installs Python and the pinned ``requirements.txt``) and ``run_autograder`` (run per submission),
with the grading code beside them (``autograder/`` with its hidden tests, ``kitcheck/``, and the assignment's
release notebooks in ``release*/``: which cells are demos, what the notebook imports). Gradescope
unpacks it into ``/autograder/source``, puts the student's files in ``/autograder/submission`` and reads
``/autograder/results/results.json``. ``run_autograder`` calls ``python -m autograder.gradescope run``,
which grades the submission exactly as ``grade`` does (sandbox, hidden tests, same scores) and writes:

- one test per question (``max_score`` its points) with the hidden tests' verdict and the failure
  message (input, expected, got, likely cause), visible ``after_published`` by default, so students see
  their score and feedback when the instructor publishes grades, not while they can still resubmit
  against the hidden tests;
- one ``visible`` test, "Public checks", worth 0 points: whether each question passes the public checks
  (which students can run in their notebook anyway), so an upload gets useful feedback right away.

Environment: ``KIT_GRADESCOPE_ROOT`` replaces ``/autograder`` (to try the zip anywhere), and
``KIT_GRADESCOPE_PYTHON`` the interpreter ``run_autograder`` uses (default: the venv ``setup.sh`` made).
"""
from __future__ import annotations

import argparse
import re
import sys
import time
import traceback
import zipfile
from pathlib import Path
from typing import Callable

from kitcheck.assignments import ASSIGNMENTS
from kitcheck.spec import Assignment

from .config import environment
from .course import KITCHECK, REPO, course_languages, edition_dir
from .files import write_json_atomic
from .messages import t
from .results import SubmissionResult

ROOT_ENV, PYTHON_ENV = "KIT_GRADESCOPE_ROOT", "KIT_GRADESCOPE_PYTHON"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
CPU_ONLY = ("torch", "torchvision")  # from PyTorch's CPU index: Gradescope has no GPU, and it is 10x smaller
PUBLIC_TEST = re.compile(r"test_public_checks\[(\w+)\]")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (choose an Ubuntu 22.04 or
# newer base image). It installs Python 3.11+ and the kit's pinned requirements into {root}/venv.
set -euo pipefail
ROOT="${{KIT_GRADESCOPE_ROOT:-/autograder}}"
cd "$ROOT/source"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3.11 python3.11-venv \\
  || apt-get install -y --no-install-recommends python3 python3-venv
PY="$(command -v python3.11 || command -v python3)"
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "the kit needs Python 3.11 or newer"'
"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --upgrade pip
# The same pinned versions the course's graders use (a grader whose versions drift grades differently);
# torch and torchvision CPU builds: Gradescope runs no GPU.
"$ROOT/venv/bin/python" -m pip install --index-url https://download.pytorch.org/whl/cpu {cpu_pins}
"$ROOT/venv/bin/python" -m pip install -r requirements.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades {root}/submission/*.ipynb and writes
# {root}/results/results.json. KIT_GRADESCOPE_ROOT replaces {root}; KIT_GRADESCOPE_PYTHON the interpreter.
set -uo pipefail
ROOT="${{KIT_GRADESCOPE_ROOT:-/autograder}}"
PY="${{KIT_GRADESCOPE_PYTHON:-$ROOT/venv/bin/python}}"
cd "$ROOT/source"
export PYTHONPATH="$ROOT/source" KIT_GRADESCOPE_ROOT="$ROOT"
exec "$PY" -m autograder.gradescope run {assignment} --visibility {visibility} --lang {lang}
"""


DEV_TOOLS = ("ruff==", "mypy==")  # the fast tier's linter and type checker: grading never runs them


def _pins() -> tuple[list[str], list[str]]:
    """The kit's pinned requirements: (torch and torchvision, everything else)."""
    lines = [ln.strip() for ln in (REPO / "requirements.txt").read_text().splitlines()]
    pins = [ln for ln in lines if ln and not ln.startswith("#") and not ln.startswith(DEV_TOOLS)]
    cpu = [p for p in pins if re.split(r"[=<>!~ ]", p)[0].lower() in CPU_ONLY]
    return cpu, [p for p in pins if p not in cpu]


def _add_tree(zf: zipfile.ZipFile, folder: Path, arcroot: str, skip: Callable[[str], bool] = lambda rel: False) -> None:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc" and not skip(rel):
            zf.write(path, f"{arcroot}/{rel}")


def other_assignments(assignment: Assignment) -> Callable[[str], bool]:
    """Whether a path (relative to ``autograder/`` or ``kitcheck/``) belongs to another assignment: the zip
    carries one assignment's grader material only."""
    from kitcheck.assignments import ASSIGNMENTS

    others = [a for a in ASSIGNMENTS if a != assignment.name]
    prefixes = tuple(p for o in others for p in (f"assignments/{o}/", f"assignments/{o}.py", f"data/{o}.pt"))
    # kitcheck files that only other assignments declare (their role modules, cnn_inputs.py, ...)
    theirs = {rel for o in others for rel in ASSIGNMENTS[o].runtime} - set(assignment.runtime)
    return lambda rel: rel.startswith(prefixes) or rel in theirs


def _add_text(zf: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 if executable else 0o100644) << 16  # Gradescope runs the scripts as is
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


def build_zip(assignment: Assignment, out: Path, visibility: str = "after_published", lang: str = "en") -> Path:
    """Write Gradescope's autograder zip for ``assignment`` to ``out``; returns ``out``."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}")
    cpu, rest = _pins()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _add_text(zf, "setup.sh", SETUP_SH.format(root="/autograder", cpu_pins=" ".join(cpu)), executable=True)
        _add_text(zf, "run_autograder", RUN_AUTOGRADER.format(root="/autograder", assignment=assignment.name,
                                                              visibility=visibility, lang=lang), executable=True)
        _add_text(zf, "requirements.txt", "# The kit's pins (torch and torchvision: setup.sh, CPU builds)\n"
                  + "\n".join(rest) + "\n")
        skip = other_assignments(assignment)  # this assignment's grader material and checks only
        _add_tree(zf, Path(__file__).resolve().parent, "autograder", skip)
        _add_tree(zf, KITCHECK, "kitcheck", skip)
        # Our own release notebooks (no answers in them), where grading reads which cells are the instructor's
        # demos (left out of grading) and what the sandbox server should import once.
        for lang in course_languages():
            notebook = edition_dir("release", lang) / assignment.name / assignment.notebook
            if notebook.is_file():
                zf.write(notebook, notebook.relative_to(REPO).as_posix())
    return out


def choose_notebook(assignment: Assignment, submission: Path) -> tuple[Path | None, str]:
    """The notebook to grade in an upload, by the assignment's notebook name, and otherwise why none is:
    (path, "") or (None, a message for the student).

    ``<assignment>.ipynb`` when the upload has exactly one (in any folder); else the only notebook when there
    is just one (renamed); never a guess among several (a stray ``scratch.ipynb`` beside a renamed
    submission). Checkpoints and hidden or macOS metadata folders do not count."""
    found = sorted(p for p in submission.rglob("*.ipynb")
                   if not any(part.startswith(".") or part == "__MACOSX" for part in p.relative_to(submission).parts))
    named = [p for p in found if p.name == assignment.notebook]
    shown = ", ".join(str(p.relative_to(submission)) for p in found[:6]) + (", ..." if len(found) > 6 else "")
    if len(named) == 1:
        return named[0], ""
    if len(named) > 1:
        return None, (f"Your upload has {len(named)} notebooks named {assignment.notebook} ({shown}); upload only "
                      f"the one to grade.")
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, f"No notebook (.ipynb) was found in your upload; upload your {assignment.notebook}."
    return None, (f"Your upload has {len(found)} notebooks ({shown}) and none is named {assignment.notebook}; "
                  f"upload your {assignment.notebook} (rename it back if you renamed it), alone or beside the others.")


def find_notebook(assignment: Assignment, submission: Path) -> Path | None:
    """The submitted notebook (see ``choose_notebook``), or None when there is none or several to choose from."""
    return choose_notebook(assignment, submission)[0]


def public_summary(assignment: Assignment, result: SubmissionResult, lang: str) -> str:
    """One line per question: does it pass its public checks (the notebook's own ``check``)?"""
    verdicts = {}
    for row in result.questions:
        for test in row.tests:
            match = PUBLIC_TEST.search(test.nodeid)
            if match and test.outcome in ("passed", "failed"):
                verdicts[match.group(1)] = test.outcome == "passed"
    lines = [t(lang, "public_ok" if verdicts[q.name] else "public_bad", name=q.name)
             for q in assignment.questions if q.name in verdicts]
    return "\n".join(lines + ["", t(lang, "public_after")])


def results_for(assignment: Assignment, result: SubmissionResult, visibility: str, lang: str) -> dict:
    """Gradescope's results.json: per question (``visibility``) and the visible public-check summary."""
    from .report import gradescope_results

    data = gradescope_results(assignment, result, lang, visibility)
    data["tests"].insert(0, {"name": t(lang, "public_summary"), "score": 0, "max_score": 0,
                             "output": public_summary(assignment, result, lang), "visibility": "visible"})
    data["stdout_visibility"] = "hidden"  # the grader's log is for instructors
    return data


def _failed(assignment: Assignment, message: str, lang: str) -> dict:
    """results.json when there is nothing to grade: 0 points, a visible explanation."""
    return {"score": 0, "output": message, "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [{"name": f"{q.name}: {q.summary_in(lang)}", "score": 0, "max_score": q.points, "output": message,
                       "status": "failed", "visibility": "visible"} for q in assignment.questions]}


def run(assignment: Assignment, root: Path, visibility: str = "after_published", lang: str = "en") -> dict:
    """Grade ``root/submission`` and write ``root/results/results.json`` (also when grading fails)."""
    from .canary import CanaryFailed, check_canary
    from .isolation import become_subreaper
    from .worker import grade_notebook

    start = time.perf_counter()
    notebook, why_none = choose_notebook(assignment, root / "submission")
    hide = [root / "results", root / "submission"]
    wrong = None
    if notebook is not None:
        from .identify import wrong_assignment

        wrong = wrong_assignment(assignment, notebook)
    if notebook is None:
        data = _failed(assignment, why_none if why_none and lang == "en" else t(lang, "no_notebook"), lang)
    elif wrong:
        data = _failed(assignment, wrong, lang)
    else:
        print(f"grading {notebook} with {Path(__file__).resolve().parent}", flush=True)
        try:
            become_subreaper()  # a student's detached processes come back to us, to be killed
            report = check_canary(assignment, lambda nb, qs: grade_notebook(assignment, nb, questions=qs, hide=hide))
            print(f"canary: {report.score}/{report.points} on {report.question} in {report.seconds} s "
                  f"({report.isolation})", flush=True)
            result = grade_notebook(assignment, notebook, hide=hide)
            result.id = notebook.stem
            data = results_for(assignment, result, visibility, lang)
            if result.grader_error:
                data["grader_error"] = result.error
        except CanaryFailed as exc:  # the grader cannot work here: no student gets a score from it
            print(f"error: {exc}", flush=True)
            data = _failed(assignment, t(lang, "grader_failed"), lang)
            data["grader_error"] = str(exc)
        except Exception:  # never leave Gradescope without results; the traceback goes to the hidden log
            traceback.print_exc()
            data = _failed(assignment, t(lang, "grader_failed"), lang)
            data["grader_error"] = "the grader raised (see the log)"
    data["execution_time"] = round(time.perf_counter() - start, 1)
    grader_error = data.pop("grader_error", None)  # not a field of Gradescope's format
    out = root / "results" / "results.json"
    write_json_atomic(out, data)
    if grader_error:
        data["grader_error"] = grader_error
    print(f"score {data['score']}; wrote {out}", flush=True)
    return data


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.gradescope run ASSIGNMENT``: what ``run_autograder`` calls."""
    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("assignment", choices=sorted(ASSIGNMENTS))
    parser.add_argument("--visibility", choices=VISIBILITIES, default="after_published")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args(argv)
    data = run(ASSIGNMENTS[args.assignment], environment().gradescope_root, args.visibility,
               args.lang)
    return 1 if data.get("grader_error") else 0  # Gradescope then shows the run as failed, not as a zero


if __name__ == "__main__":
    sys.exit(main())
