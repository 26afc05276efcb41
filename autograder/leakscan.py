"""The leak scan: can anything a student receives score a point without the student's own work?

For an assignment, every function and class defined anywhere in ``release/<a>/`` (the student package's
modules and the notebook's code cells) and in ``solutions/<a>/`` minus the solution notebook (so: its
student package) is tried as the answer to every graded question whose signature it fits (and under its
own name when the name is a question's), and graded with the hidden tests in this process. None may
score. The scan also checks what the folder holds: exactly the allow-listed files, no catalog data
(``MISTAKES``/``VARIANTS``), no ``*_reference`` definitions, nothing of another assignment.

Run it with ``python -m autograder.leakscan [ASSIGNMENT ...]`` (exit code 1 on any leak); ``./kit build
--check`` and the test suite run it too.
"""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import io
import json
import re
import signal
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kitcheck.assignments import ASSIGNMENTS
from kitcheck.spec import Assignment
from kitcheck.transport import StudentError, local_transport

from .course import RELEASE, SOLUTIONS
from .release import student_files

CALL_SECONDS = 5.0  # a candidate that runs longer is stopped: our own code, but not written to be an answer
FORBIDDEN_TEXT = (re.compile(r"\bMISTAKES\b"), re.compile(r"\bVARIANTS\b"), re.compile(r"^\s*def \w*_reference\b", re.M),
                  re.compile(r"\bautograder\b"))


@dataclass(frozen=True)
class Candidate:
    """A function or class found in a folder students receive."""

    name: str
    obj: Any
    origin: str  # "kitcheck/compare.py" or "tensors.ipynb"


@dataclass
class Leak:
    question: str
    points: int
    candidate: str
    origin: str


@dataclass
class ScanReport:
    """What one folder gives away (nothing, when ``clean``)."""

    assignment: str
    folder: str
    files: int
    lines: int
    candidates: int
    tried: int
    seconds: float
    leaks: list[Leak] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.leaks and not self.problems

    @property
    def points(self) -> int:
        """Points obtainable from the folder alone (each question counted once)."""
        return sum({leak.question: leak.points for leak in self.leaks}.values())

    def summary(self) -> str:
        head = (f"{self.folder}: {self.files} files, {self.lines} lines; {self.candidates} functions and classes, "
                f"{self.tried} tried as answers in {self.seconds:.1f} s: {self.points} points obtainable")
        lines = [head]
        lines += [f"  LEAK {leak.question} ({leak.points} points) <- {leak.candidate} from {leak.origin}"
                  for leak in self.leaks]
        lines += [f"  PROBLEM {p}" for p in self.problems]
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------- what is there
def _package_candidates(folder: Path, alias: str) -> list[Candidate]:
    """Import ``folder/kitcheck`` under the package name ``alias`` and list what its modules define."""
    root = folder / "kitcheck"
    if not (root / "__init__.py").exists():
        return []
    found = []
    spec = importlib.util.spec_from_file_location(alias, root / "__init__.py", submodule_search_locations=[str(root)])
    assert spec is not None and spec.loader is not None  # a .py file's location always gives both
    package = importlib.util.module_from_spec(spec)
    sys.modules[alias] = package
    spec.loader.exec_module(package)
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        name = ".".join([alias, *parts])
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that cannot import offers nothing to alias
            continue
        for attr, obj in vars(module).items():
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", None) == name:
                found.append(Candidate(attr, obj, f"kitcheck/{path.relative_to(root)}"))
        found += _code_in_strings(path, f"kitcheck/{path.relative_to(root)}")
    return found


def _code_in_strings(path: Path, origin: str) -> list[Candidate]:
    """Functions and classes written as code inside string literals (a catalog of variants, say): a student
    can ``exec`` them, so they count as defined."""
    import math

    import torch

    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return []
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and re.search(r"^\s*(def|class) \w+", node.value, re.M)):
            continue
        namespace: dict = {"torch": torch, "F": torch.nn.functional, "math": math, "__name__": "leakscan_string"}
        try:
            body = ast.parse(node.value).body
            with _quiet():
                exec(compile(node.value, f"<string in {origin}>", "exec"), namespace)
        except Exception:  # noqa: BLE001 - prose, or code that does not run, offers nothing
            continue
        for item in body:
            if isinstance(item, (ast.FunctionDef, ast.ClassDef)) and item.name in namespace:
                found.append(Candidate(item.name, namespace[item.name], f"{origin} (code in a string)"))
    return found


def _notebook_candidates(path: Path) -> list[Candidate]:
    """Functions and classes the notebook's code cells define (imports and definitions only are run)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except Exception:  # noqa: BLE001
        return []
    namespace: dict = {"__name__": f"leakscan_{path.stem}"}
    defined = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if not isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                    (a.name.split(".")[0] == "kitcheck") for a in node.names) or getattr(node, "module", "") == "kitcheck":
                continue  # the package is scanned on its own
            try:
                with _quiet():
                    exec(compile(ast.Module([node], []), str(path), "exec"), namespace)
            except Exception:  # noqa: BLE001
                continue
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.append(node.name)
    return [Candidate(n, namespace[n], path.name) for n in dict.fromkeys(defined) if n in namespace]


# ------------------------------------------------------------------------------------------- who fits where
def _solution_signature(assignment: Assignment) -> dict[str, tuple[bool, int, int]]:
    """Per question: (is a class, required positional parameters, all positional parameters)."""
    from .build import solution_code

    shapes = {}
    for name, code in solution_code(assignment).items():
        for node in ast.parse(code).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
                if isinstance(node, ast.ClassDef):
                    shapes[name] = (True, 0, 0)
                else:
                    args = node.args.posonlyargs + node.args.args
                    shapes[name] = (False, len(args) - len(node.args.defaults), len(args))
    return shapes


def _fits(candidate: Candidate, question: str, shape: tuple[bool, int, int]) -> bool:
    is_class, required, total = shape
    if candidate.name == question:
        return True
    if is_class:
        return inspect.isclass(candidate.obj)
    if inspect.isclass(candidate.obj):
        return False
    try:
        signature = inspect.signature(candidate.obj)
    except (TypeError, ValueError):
        return False
    for n in range(required, total + 1):
        try:
            signature.bind(*range(n))
            return True
        except TypeError:
            continue
    return False


@contextlib.contextmanager
def _quiet():
    sink = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield


def _timed(transport: Callable) -> Callable:
    """Each call stopped after CALL_SECONDS (SIGALRM: the scan runs in the main thread)."""

    def call(name, args, kwargs, driver=None):
        def stop(signum, frame):
            raise TimeoutError(f"no answer in {CALL_SECONDS} s")

        old = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
        try:
            return transport(name, args, kwargs, driver)
        except TimeoutError as exc:
            raise StudentError("TimeoutError", str(exc)) from None
        except KeyboardInterrupt:  # a candidate that arms an interrupt of its own (the check's time limit)
            raise StudentError("KeyboardInterrupt", "interrupted") from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)

    return call


def _scored(assignment: Assignment, namespace: dict) -> set[str]:
    """The questions in ``namespace`` that score under the hidden tests."""
    from .hidden_tests import run_hidden_tests
    from .worker import score

    with _quiet():
        outcomes = run_hidden_tests(assignment.name, _timed(local_transport(namespace)), questions=set(namespace))
    return {row.name for row in score(assignment, outcomes) if row.passed and row.name in namespace}


# ------------------------------------------------------------------------------------------- the scan
def _static_problems(assignment: Assignment, folder: Path, notebooks: list[str]) -> list[str]:
    problems = []
    allowed = {f"kitcheck/{rel}" for rel in student_files(assignment)} | set(notebooks)
    present = {str(p.relative_to(folder)) for p in folder.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}
    problems += [f"{rel}: not on the student package's allow-list" for rel in sorted(present - allowed)]
    others = [a for a in ASSIGNMENTS if a != assignment.name]
    for rel in sorted(present):
        path = folder / rel
        if path.suffix == ".py":
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += [f"{rel}: contains {pattern.pattern!r}" for pattern in FORBIDDEN_TEXT if pattern.search(text)]
        if any(re.search(rf"\b{o}\.(py|pt)$", rel) for o in others):
            problems.append(f"{rel}: belongs to another assignment")
    return problems


def scan(assignment: Assignment, folder: Path, *, skip_notebooks: tuple[str, ...] = (),
         try_answers: bool = True) -> ScanReport:
    """Try everything ``folder`` defines as the answer to every question of ``assignment`` (with
    ``try_answers=False``, only list it and check what the folder holds)."""
    start = time.perf_counter()
    notebooks = sorted(p.name for p in folder.glob("*.ipynb"))
    alias = f"_leakscan_{assignment.name}_{folder.parent.name}"
    with _quiet():
        candidates = _package_candidates(folder, alias)
        for nb in notebooks:
            if nb not in skip_notebooks:
                candidates += _notebook_candidates(folder / nb)
    shapes = _solution_signature(assignment)
    queues = {q.name: [c for c in candidates if q.name in shapes and _fits(c, q.name, shapes[q.name])]
              for q in assignment.questions}
    leaks, tried = [], 0
    rounds = max((len(v) for v in queues.values()), default=0) if try_answers else 0
    # A candidate may arm an interrupt of its own (the notebook's time limit interrupts the main thread):
    # with SIGINT ignored, Python's simulated interrupts do nothing while the scan runs.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for round_ in range(rounds):
            chosen = {q: cands[round_] for q, cands in queues.items() if round_ < len(cands)}
            tried += len(chosen)
            for q in sorted(_scored(assignment, {q: c.obj for q, c in chosen.items()})):
                c = chosen[q]
                leaks.append(Leak(q, assignment.question(q).points, f"{c.name}", c.origin))
    finally:
        signal.signal(signal.SIGINT, previous)
    for name in [n for n in list(sys.modules) if n == alias or n.startswith(alias + ".")]:
        del sys.modules[name]
    files = [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    lines = sum(len(p.read_bytes().splitlines()) for p in files if p.suffix == ".py")
    return ScanReport(assignment.name, str(folder), len(files), lines, len(candidates), tried,
                      time.perf_counter() - start, leaks, _static_problems(assignment, folder, notebooks))


def scan_assignment(name: str, release_root: Path = RELEASE, solutions_root: Path = SOLUTIONS) -> list[ScanReport]:
    """The release folder and the solutions folder (without its solution notebook) of one assignment."""
    assignment = ASSIGNMENTS[name]
    reports = [scan(assignment, release_root / name)]
    solutions = solutions_root / name
    if solutions.exists():
        if _same_files(release_root / name / "kitcheck", solutions / "kitcheck"):
            # The same student package was just scanned; without the solution notebook nothing else is there.
            report = scan(assignment, solutions, skip_notebooks=(assignment.notebook,), try_answers=False)
            report.problems += [f"{p.name}: not part of the solutions folder" for p in solutions.iterdir()
                                if p.name not in ("kitcheck", assignment.notebook)]
            reports.append(report)
        else:
            reports.append(scan(assignment, solutions, skip_notebooks=(assignment.notebook,)))
    return reports


def _same_files(a: Path, b: Path) -> bool:
    files = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*")  # noqa: E731
                          if p.is_file() and "__pycache__" not in p.parts}
    return a.exists() and b.exists() and files(a) == files(b)


def scan_in_child(name: str, timeout: float = 900) -> list[ScanReport]:
    """``scan_assignment(name)`` in a fresh Python process: trying every function of a folder as an answer
    calls code never meant to be called that way (time limits, signals, threads); none of that may reach
    the caller. A scan that cannot finish is a report with a problem, never a pass."""
    import subprocess
    from dataclasses import asdict  # noqa: F401 - documents the JSON shape

    from .course import REPO, tool_env

    proc = subprocess.run([sys.executable, "-P", "-m", "autograder.leakscan", "--json", name], cwd=REPO,
                          env=tool_env(), capture_output=True, text=True, timeout=timeout)
    try:
        rows = json.loads(proc.stdout.strip().splitlines()[-1])
        return [ScanReport(**{**r, "leaks": [Leak(**x) for x in r["leaks"]]}) for r in rows]
    except (IndexError, ValueError, TypeError, KeyError):
        return [ScanReport(name, "(scan)", 0, 0, 0, 0, 0.0,
                           problems=[f"the scan did not finish (exit {proc.returncode}): {proc.stderr[-1500:]}"])]


def main(argv: list[str] | None = None) -> int:
    from dataclasses import asdict

    args = list(argv if argv is not None else sys.argv[1:])
    as_json = "--json" in args
    names = [a for a in args if a != "--json"] or list(ASSIGNMENTS)
    clean, rows = True, []
    for name in names:
        for report in scan_assignment(name):
            if as_json:
                rows.append(asdict(report))
            else:
                print(report.summary(), flush=True)
            clean &= report.clean
    if as_json:
        print(json.dumps(rows))
    else:
        print("no leaks" if clean else "LEAKS FOUND: the folders above give points away")
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
