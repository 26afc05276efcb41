"""Building what students get from what the instructor wrote.

``source/<a>/<a>.ipynb`` (solutions between ``### BEGIN/END SOLUTION``, hidden tests between
``### BEGIN/END HIDDEN TESTS``) becomes:

- ``kitcheck/data/<a>.pt``: the stored probes and fingerprints (``probe_data``), answers as data;
- ``release/<a>/``: the student notebook, made by real ``nbgrader generate_assignment`` after this module
  stamps nbgrader's metadata (grade ids, points from the assignment's spec, locked cells), plus the
  student package (``release.write_student_package``: an allow-list, that assignment only);
- ``solutions/<a>/``: the instructor notebook with hidden tests removed, executed, outputs and figures kept,
  with the same student package;
- ``samples/<a>/``: sample submissions (see ``samples.py``);
- ``autograder/assignments/<a>/examples.pt``: the hidden tests' hypothesis examples, drawn once from the solution
  sample (``stored_examples``), so that no grading worker draws them again.
"""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat

from kitcheck.assignments import ASSIGNMENTS
from kitcheck.spec import Assignment

from .course import (KITCHECK, NBGRADER_CONFIG, REPO, SOURCE, course_languages, edition_dir, environment, tool_env,
                     use_tool_env)
from . import probe_data, stored_examples
from .notebook import cell_source
from .samples import generate_samples
from .source import (HIDDEN_REGION, POINTS_HEADING, SOLUTION_MARKER, BuildError, cell_language, edition,  # noqa: F401
                     find_cells, solution_code, source_notebook)
from .canary import canary_path, make_canary, write_canary
from .release import write_student_package

NBGRADER_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # as nbgrader_config.py sets it


def stamp_nbgrader_metadata(assignment: Assignment, nb):
    """A copy of ``nb`` with nbgrader's cell metadata derived from the spec: the only place it is made."""
    nb = copy.deepcopy(nb)
    roles = {}
    for q in assignment.questions:
        s, t = find_cells(assignment, nb)[q.name]
        roles[s] = {"solution": True, "grade": False, "locked": False, "grade_id": q.solution_id}
        roles[t] = {"solution": False, "grade": True, "locked": True, "grade_id": q.test_id, "points": q.points}
    for i, cell in enumerate(nb.cells):
        meta = roles.get(i, {"solution": False, "grade": False, "locked": True, "grade_id": f"cell-{i:02d}"})
        cell.metadata["nbgrader"] = {**meta, "schema_version": 3, "task": False}
        cell.metadata.pop("deletable", None)
        cell.metadata.pop("editable", None)
    return nb


def stamp_source(assignment: Assignment, source_root: Path = SOURCE) -> bool:
    """Keep the source notebook's nbgrader metadata equal to the spec's, so the repository is itself a
    working nbgrader course directory. Returns whether the file changed."""
    path = source_notebook(assignment, source_root)
    nb = nbformat.read(path, as_version=4)
    stamped = stamp_nbgrader_metadata(assignment, nb)
    if stamped == nb:
        return False
    nbformat.write(stamped, path)
    return True


def generate_release(assignment: Assignment, out_dir: Path, source_root: Path = SOURCE,
                     data_dir: Path = KITCHECK / "data", lang: str | None = None) -> None:
    """Write ``out_dir/<a>/`` with real ``nbgrader generate_assignment``: the ``lang`` edition (default: the
    course's first language)."""
    lang = lang or course_languages()[0]
    nb = nbformat.read(source_notebook(assignment, source_root), as_version=4)
    stamped = edition(stamp_nbgrader_metadata(assignment, nb), lang)
    with tempfile.TemporaryDirectory(prefix="kit-build-") as tmp:
        course = Path(tmp)
        shutil.copy(NBGRADER_CONFIG, course / "nbgrader_config.py")
        src_dir = course / "source" / assignment.name
        src_dir.mkdir(parents=True)
        nbformat.write(stamped, src_dir / assignment.notebook)
        write_student_package(assignment, src_dir / "kitcheck", data_dir, lang)
        proc = subprocess.run(["nbgrader", "generate_assignment", assignment.name, "--force",
                               f"--CourseDirectory.root={course}", "--log-level=WARN"],
                              cwd=course, env=tool_env(), capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(f"nbgrader generate_assignment failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        target = out_dir / assignment.name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(course / "release" / assignment.name, target)


def solutions_notebook(assignment: Assignment, source_root: Path = SOURCE):
    """The instructor notebook as students may see it after the deadline: no hidden tests, no markers."""
    nb = nbformat.read(source_notebook(assignment, source_root), as_version=4)
    find_cells(assignment, nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = SOLUTION_MARKER.sub("", HIDDEN_REGION.sub("", cell_source(cell))).rstrip()
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("nbgrader", None)
    return nb


def generate_solutions(assignment: Assignment, out_dir: Path, source_root: Path = SOURCE, execute: bool = True,
                       data_dir: Path = KITCHECK / "data", editions: dict[str, Path] | None = None) -> None:
    """Write ``out_dir/<a>/``: the solutions notebook, executed so its outputs and figures show.

    ``editions``: ``{lang: folder}`` for every language (default: the course's first, into ``out_dir``). The
    bilingual notebook runs once, its checks writing in every language at once (``KIT_LANG``); each edition
    keeps its language's text, the shared code, and the outputs read in its language."""
    editions = editions or {course_languages()[0]: out_dir}
    nb = solutions_notebook(assignment, source_root)
    first = next(iter(editions.values())) / assignment.name
    if execute:
        use_tool_env()  # the kernel nbclient starts must be this interpreter
        if first.exists():
            shutil.rmtree(first)
        write_student_package(assignment, first / "kitcheck", data_dir, next(iter(editions)))
        with environment(KIT_LANG=",".join(editions)):  # the kernel inherits it
            _execute(nb, first)
    for lang, folder in editions.items():
        target = folder / assignment.name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        write_student_package(assignment, target / "kitcheck", data_dir, lang)
        nbformat.write(outputs_in(edition(nb, lang), lang), target / assignment.notebook)


def _execute(nb: nbformat.NotebookNode, cwd: Path) -> None:
    """Run ``nb`` in a fresh python3 kernel with ``cwd`` as its folder. The kernel listens on Unix sockets in a
    private folder, not on TCP ports: no other user of a shared server can reach it, and it does not warn
    about plain-text TCP on every build."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    # A Unix socket's path has at most 107 bytes ("-<port>" is appended): a long temporary folder gives way to
    # /tmp, and where that is long too, the kernel uses TCP on localhost as Jupyter does.
    base = tempfile.gettempdir()
    if len(base.encode()) > 60 and Path("/tmp").is_dir():
        base = "/tmp"
    with tempfile.TemporaryDirectory(prefix="kit-kernel-", dir=base) as sockets:
        ip = str(Path(sockets) / "kernel")
        km = KernelManager(kernel_name="python3", **({"transport": "ipc", "ip": ip} if len(ip.encode()) < 90 else {}))
        try:
            NotebookClient(nb, km=km, timeout=300, record_timing=False,
                         resources={"metadata": {"path": str(cwd)}}).execute()
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=True)


def outputs_in(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """``nb`` with every text output read in ``lang`` (what the checks printed in every language at once)."""
    from kitcheck.i18n import in_language

    def read(text: str | list[str]) -> str:  # nbformat allows a list of lines
        return in_language("".join(text) if isinstance(text, list) else text, lang)

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                out["text"] = read(out["text"])
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/"):
                    out["data"][mime] = read(value)
    return nb


def build(names: list[str] | None = None, root: Path = REPO, execute: bool = True) -> list[Path]:
    """Regenerate release/, solutions/ and samples/ under ``root`` for the given assignments (default: all)."""
    written = []
    data_dir = KITCHECK / "data" if root == REPO else root / "kitcheck" / "data"
    for name in names or sorted(ASSIGNMENTS):
        assignment = ASSIGNMENTS[name]
        if root == REPO:
            stamp_source(assignment)
        written.append(probe_data.write(assignment, data_dir))
        langs = course_languages()
        for lang in langs:  # release/ in the course's first language, release-<lang>/ for the others
            generate_release(assignment, edition_dir("release", lang, root), data_dir=data_dir, lang=lang)
        generate_solutions(assignment, root / "solutions", execute=execute, data_dir=data_dir,
                           editions={lang: edition_dir("solutions", lang, root) for lang in langs})
        generate_samples(assignment, root / "release", root / "samples")
        written += [root / d / name for d in ("release", "solutions", "samples")]
        written += [edition_dir(kind, lang, root) / name for lang in langs[1:] for kind in ("release", "solutions")]
        if root == REPO:  # the grader's own check before every batch (autograder.canary)
            written.append(write_canary(assignment, root / "release", solution_code(assignment)))
            written.append(stored_examples.write(name))  # last: drawn from the solution sample just built
    return written


# ---------------------------------------------------------------------------------- staleness
def _release_view(path: Path) -> list:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], cell_source(c), c.get("metadata", {}).get("nbgrader")) for c in nb["cells"]]


def _source_view(path: Path) -> list:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], cell_source(c)) for c in nb["cells"]]


def expected_release(assignment: Assignment, source_root: Path = SOURCE, lang: str | None = None):
    """The student notebook ``nbgrader generate_assignment`` makes, computed in this process with nbgrader's own
    preprocessors in its own order (without its database): what the staleness check compares with."""
    from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput,
                                        ClearSolutions, ComputeChecksums, LockCells)
    from traitlets.config import Config

    nb = stamp_nbgrader_metadata(assignment, nbformat.read(source_notebook(assignment, source_root), as_version=4))
    nb = edition(nb, lang or course_languages()[0])
    config = Config()
    config.ClearSolutions.code_stub = {"python": NBGRADER_STUB}
    resources: dict = {}
    for step in (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums, ClearHiddenTests,
                 ClearMarkScheme, ComputeChecksums, CheckCellMetadata):
        nb, resources = step(config=config).preprocess(nb, resources)
    return nb


def _view_of(nb, view) -> list:
    with tempfile.TemporaryDirectory(prefix="kit-view-") as tmp:
        path = Path(tmp) / "nb.ipynb"
        nbformat.write(nb, path)
        return view(path)


def _package_problems(assignment: Assignment, folder: Path, data: bytes, label: str, lang: str) -> list[str]:
    from .release import LANGUAGE_FILE, student_files

    want = set(student_files(assignment))
    have = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    problems = [f"{label}/kitcheck/{rel} is missing" for rel in sorted(want - have)]
    problems += [f"{label}/kitcheck/{rel} is not on the allow-list" for rel in sorted(have - want)]
    for rel in sorted(want & have):
        if rel == LANGUAGE_FILE:
            expected = lang.encode()
        else:
            expected = data if rel.startswith("data/") else (KITCHECK / rel).read_bytes()
        if (folder / rel).read_bytes() != expected:
            problems.append(f"{label}/kitcheck/{rel} differs from a fresh build")
    return problems


def stale(names: list[str] | None = None, root: Path = REPO) -> list[str]:
    """What in kitcheck/data/, release/, solutions/ and samples/ differs from a fresh build (empty when up to
    date). Seconds, not minutes: nbgrader's preprocessors run in this process, nothing is executed."""
    import io

    import torch

    problems = []
    for name in names or sorted(ASSIGNMENTS):
        assignment = ASSIGNMENTS[name]
        nb = nbformat.read(source_notebook(assignment), as_version=4)
        if stamp_nbgrader_metadata(assignment, nb) != nb:
            problems.append(f"source/{name}: its nbgrader metadata differs from the spec")
        stored = root / "kitcheck" / "data" / f"{name}.pt"
        data = stored.read_bytes() if stored.exists() else b""
        if not stored.exists() or not probe_data.same(torch.load(io.BytesIO(data), weights_only=True),
                                                      probe_data.compute(assignment)):
            problems.append(f"kitcheck/data/{name}.pt (the stored probes) differs from a fresh build")
        langs = course_languages()
        missing = False
        for lang in langs:
            rel_dir, sol_dir = edition_dir("release", lang, root) / name, edition_dir("solutions", lang, root) / name
            release_nb, solutions_nb = rel_dir / assignment.notebook, sol_dir / assignment.notebook
            for path in (release_nb, solutions_nb):
                if not path.exists():
                    problems.append(f"{path.relative_to(root)} is missing")
                    missing = True
            if not release_nb.exists() or not solutions_nb.exists():
                continue
            if _release_view(release_nb) != _view_of(expected_release(assignment, lang=lang), _release_view):
                problems.append(f"{release_nb.relative_to(root)} differs from a fresh build")
            if _source_view(solutions_nb) != _view_of(edition(solutions_notebook(assignment), lang), _source_view):
                problems.append(f"{solutions_nb.relative_to(root)} differs from a fresh build")
            for folder in (rel_dir, sol_dir):
                label = str(folder.relative_to(root))
                problems += _package_problems(assignment, folder / "kitcheck", data, label, lang)
            others = sorted(p.name for p in rel_dir.iterdir() if p.name not in ("kitcheck", assignment.notebook))
            problems += [f"{rel_dir.relative_to(root)}/{o} is not part of a release" for o in others]
            problems += [f"{sol_dir.relative_to(root)}: {p}" for p in unexecuted(sol_dir)]
        if missing:
            continue
        release_nb = root / "release" / name / assignment.notebook
        with tempfile.TemporaryDirectory(prefix="kit-samples-") as tmp:
            generate_samples(assignment, root / "release", Path(tmp))
            have, want = root / "samples" / name, Path(tmp) / name
            have_nbs = sorted(p.name for p in have.glob("*.ipynb")) if have.exists() else []
            want_nbs = sorted(p.name for p in want.glob("*.ipynb"))
            if have_nbs != want_nbs:
                problems.append(f"samples/{name} has notebooks {have_nbs}, a fresh build makes {want_nbs}")
            else:
                problems += [f"samples/{name}/{n} differs from a fresh build" for n in have_nbs
                             if _source_view(have / n) != _source_view(want / n)]
        if root == REPO and not stored_examples.current(name):
            problems.append(f"autograder/assignments/{name}/{stored_examples.FILE} (the hidden tests' examples) "
                            "was drawn for other grading code or packages: `python -m autograder.stored_examples` "
                            "draws it again")
        canary = canary_path(assignment)
        fresh_canary = make_canary(assignment, nbformat.read(release_nb, as_version=4), solution_code(assignment))
        if not canary.exists() or _source_view(canary) != _view_of(fresh_canary, _source_view):
            problems.append(f"{canary.relative_to(REPO)} (the canary) differs from a fresh build")
    return problems


def unexecuted(folder: Path) -> list[str]:
    """Code cells of the solutions that were not run or that raised."""
    problems = []
    for path in folder.glob("*.ipynb"):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] != "code":
                continue
            if cell.get("execution_count") is None:
                problems.append(f"{path.name} cell {i} was not executed")
            if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                problems.append(f"{path.name} cell {i} raised an error")
    return problems
