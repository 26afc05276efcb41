"""The README's instructor walkthrough, run literally (its commands, in its order) in a fresh copy of the
repository with a real nbgrader gradebook, without the venv on PATH: the kit reaches nbgrader itself.

Checked along the way: ``./kit build`` registers the assignment and all its cells as nbgrader's
generate_assignment does; after ``./kit grade --gradebook`` formgrader lists every submission as graded and
serves its page; nbgrader's export shows the kit's scores with the course's late policy and a gradebook
extension; ``nbgrader generate_feedback`` works on the kit's grading; ``nbgrader autograde`` still works on
the same submissions and agrees question by question; nothing deletes ``release/``.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder.course import REPO, SAMPLES
from kitcheck.assignments import ASSIGNMENTS

TENSORS = ASSIGNMENTS["tensors"]
VAR_MEAN = "mistake-var_mean-biased-variance"
# student: (sample, submitted at); due 2025-03-01 23:59 UTC (the README's). erin has a 2-day extension.
CLASS = {"alice": ("solution", "2025-03-01 12:00:00.000000 UTC"),
         "bob": (VAR_MEAN, "2025-03-02 08:00:00.000000 UTC"),         # 8 h late: 10% of 17
         "carol": ("untouched", "2025-03-01 13:00:00.000000 UTC"),
         "erin": ("solution", "2025-03-02 20:00:00.000000 UTC")}      # late, but within her extension
PENALTY = {"alice": 0.0, "bob": 1.7, "carol": 0.0, "erin": 0.0}
SUBMIT_MARK = "students submit"


def walkthrough_commands() -> list[str]:
    """The README's walkthrough block, line by line (comment lines kept: one marks when students submit)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Instructor walkthrough", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


def _copy_repository(dest: Path) -> None:
    """A fresh checkout of this working tree (tracked and new files, nothing ignored), sharing its .venv."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    (dest / ".venv").symlink_to(REPO / ".venv")


def _env() -> dict[str, str]:
    venv_bin = str(REPO / ".venv" / "bin")
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p).resolve() != Path(venv_bin).resolve()
            and Path(p).resolve() != Path(sys.executable).parent.resolve()]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(path or ["/usr/bin", "/bin"])
    # The copy shares this checkout's venv, whose editable install points back here; the namespaces level
    # would hide this checkout from the sandbox. A fresh clone with its own venv needs no such setting.
    env["KIT_ISOLATION"] = "user"
    return env


def _submit(course: Path) -> None:
    """What `nbgrader collect` leaves: submitted/<student>/tensors/{tensors.ipynb,timestamp.txt}."""
    for student, (sample, stamp) in CLASS.items():
        folder = course / "submitted" / student / "tensors"
        folder.mkdir(parents=True)
        shutil.copy(SAMPLES / "tensors" / f"{sample}.ipynb", folder / "tensors.ipynb")
        (folder / "timestamp.txt").write_text(stamp + "\n")


def _gradebook(course: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="pytorch-course-kit")


def _kit_scores(course: Path) -> dict[str, dict[str, float]]:
    with open(course / "grades" / "tensors" / "grades.csv", newline="") as f:
        return {r["id"]: {q.name: float(r[q.name]) for q in TENSORS.questions} for r in csv.DictReader(f)}


def _gradebook_scores(course: Path) -> dict[str, dict[str, float]]:
    with _gradebook(course) as gb:
        return {s: {g.name.removeprefix("test_"): g.auto_score
                    for g in gb.find_submission_notebook("tensors", "tensors", s).grades} for s in CLASS}


def _formgrader_pages(course: Path, env: dict) -> dict[str, tuple[int, str]]:
    """Start formgrader (`./kit jupyter server`) and fetch each submission's page as a TA would."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(course / "kit"), "jupyter", "server", "--no-browser", f"--port={port}",
                               "--ServerApp.token=walkthrough", "--allow-root", "--ServerApp.ip=127.0.0.1"],
                              cwd=course, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pages = {}
    try:
        with _gradebook(course) as gb:
            ids = {s: gb.find_submission_notebook("tensors", "tensors", s).id for s in CLASS}
        deadline = time.monotonic() + 120
        for student, sid in ids.items():
            while True:
                try:
                    url = f"http://127.0.0.1:{port}/formgrader/submissions/{sid}/?token=walkthrough"
                    with urllib.request.urlopen(url, timeout=30) as r:
                        pages[student] = (r.status, r.read().decode())
                    break
                except urllib.error.HTTPError as exc:
                    pages[student] = (exc.code, "")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return pages


@pytest.mark.slow
def test_the_readme_walkthrough_works_literally_on_a_fresh_copy(tmp_path):
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    course = tmp_path / "course"
    _copy_repository(course)
    env = _env()
    commands = walkthrough_commands()
    assert any(SUBMIT_MARK in c for c in commands) and any(c.startswith("./kit grade") for c in commands)
    times: dict[str, float] = {}
    checked = set()
    for command in commands:
        if command.startswith("#"):
            if SUBMIT_MARK in command:
                _submit(course)
            continue
        if command.startswith("./kit jupyter"):
            continue  # an interactive server: formgrader is checked below through its pages
        start = time.perf_counter()
        proc = subprocess.run(["bash", "-c", command], cwd=course, env=env, capture_output=True, text=True,
                              timeout=900)
        times[command.split("#")[0].strip()] = time.perf_counter() - start
        assert proc.returncode == 0, (command, proc.stdout[-3000:], proc.stderr[-5000:])
        release = course / "release" / "tensors"  # nothing deletes release/
        assert (release / "tensors.ipynb").is_file() and (release / "kitcheck" / "__init__.py").is_file(), command

        if command.startswith("./kit build"):  # every cell, as nbgrader's generate_assignment registers them
            with _gradebook(course) as gb:
                nb = gb.find_notebook("tensors", "tensors")
                assert {c.name: c.max_score for c in nb.grade_cells} == {q.test_id: q.points for q in TENSORS.questions}
                assert {c.name for c in nb.solution_cells} == {q.solution_id for q in TENSORS.questions}
                sources = {c.name: c for c in nb.source_cells}
                assert all("grade_question(" in sources[q.test_id].source for q in TENSORS.questions)
                assert len(sources) > 2 * len(TENSORS.questions) and all(c.checksum for c in sources.values())
            checked.add("build")

        if command.startswith("./kit nbgrader db assignment add"):
            with _gradebook(course) as gb:  # a 2-day extension, as nbgrader keeps it
                gb.update_or_create_student("erin")
                gb.update_or_create_submission("tensors", "erin")  # nbgrader extends existing submissions only
                gb.grant_extension("tensors", "erin", days=2)
            checked.add("extension")

        if command.startswith("./kit grade"):
            out = course / "grades" / "tensors"
            assert "recorded 4 submission(s)" in proc.stdout and "wrote 4 autograded notebook(s)" in proc.stdout
            with open(out / "grades.csv", newline="") as f:
                rows = {r["id"]: r for r in csv.DictReader(f)}
            assert {s: float(r["penalty"]) for s, r in rows.items()} == PENALTY
            assert rows["bob"]["final"] == "15.3" and rows["bob"]["hours_late"] == "8.02"
            assert "Late penalty: 1.7 points, so your final score is 15.3 / 20." in (out / "bob" / "feedback.md").read_text()
            assert "迟交扣分" in (out / "bob" / "feedback.zh.md").read_text()
            assert "with your extension" in (out / "erin" / "feedback.md").read_text()
            # formgrader: every submission autograded (nbgrader's own API), none waiting for a TA
            config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
            api = NbGraderAPI(CourseDirectory(config=config, root=str(course)), config=config)
            listed = {s["student"]: s for s in api.get_submissions("tensors")}
            assert set(listed) == set(CLASS) and all(s["autograded"] for s in listed.values()), listed
            assert {s: listed[s]["score"] for s in CLASS} == {"alice": 20, "bob": 17, "carol": 0, "erin": 20}
            assert not any(s["needs_manual_grade"] for s in listed.values())
            assert len(api.get_notebook_submissions("tensors", "tensors")) == len(CLASS)  # "Manual Grading"
            pages = _formgrader_pages(course, env)
            assert {s: code for s, (code, _) in pages.items()} == {s: 200 for s in CLASS}
            assert "graded by the kit" in pages["bob"][1] and "var_mean" in pages["bob"][1]
            checked.add("grade")

        if command.startswith("./kit nbgrader export"):
            with open(course / "grades.csv", newline="") as f:
                export = {r["student_id"]: r for r in csv.DictReader(f)}
            assert {s: float(r["raw_score"]) for s, r in export.items()} == {"alice": 20, "bob": 17, "carol": 0,
                                                                             "erin": 20}
            assert {s: float(r["late_submission_penalty"]) for s, r in export.items()} == PENALTY
            checked.add("export")

        if command.startswith("./kit nbgrader generate_feedback"):
            page = (course / "feedback" / "bob" / "tensors" / "tensors.html").read_text(encoding="utf-8")
            assert "graded by the kit" in page and "grade_question" not in page  # hidden tests stay hidden
            checked.add("feedback")

        if command.startswith("./kit nbgrader autograde"):
            kit, nbgrader = _kit_scores(course), _gradebook_scores(course)
            agree = sum(kit[s][q] == nbgrader[s][q] for s in CLASS for q in kit[s])
            print(f"\nkit vs nbgrader autograde: {agree}/{len(CLASS) * len(TENSORS.questions)} questions agree")
            assert kit == nbgrader
            checked.add("autograde")
    assert checked == {"build", "extension", "grade", "export", "feedback", "autograde"}
    refused = subprocess.run([str(course / "kit"), "nbgrader", "generate_assignment", "tensors", "--force"],
                             cwd=course, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "./kit build tensors" in refused.stderr
    assert (course / "release" / "tensors" / "kitcheck").is_dir()
    print(json.dumps({c: round(t, 1) for c, t in times.items()}, indent=1))
