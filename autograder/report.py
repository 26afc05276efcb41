"""What grading writes: ``grades.csv``, and per submission Gradescope's ``results.json`` and ``feedback.md``.

Feedback holds only the checks' own messages (input, expected, got): never hidden test source.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from kitcheck.spec import Assignment



def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def grades_csv(assignment: Assignment, results: list[dict]) -> str:
    """One row per submission: id, one column per question, total, max, status, error."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["id", *[q.name for q in assignment.questions], "total", "max", "status", "error"])
    for r in results:
        scores = {row["name"]: row["score"] for row in r["questions"]}
        writer.writerow([r["id"], *[scores.get(q.name, 0) for q in assignment.questions], r["score"],
                         assignment.total_points, r["status"], r["error"]])
    return buf.getvalue()


def gradescope_results(assignment: Assignment, result: dict) -> dict:
    """Gradescope's autograder results format: score, and one test per question with its output."""
    tests = []
    for row in result["questions"]:
        q = assignment.question(row["name"])
        tests.append({"name": f"{q.name}: {q.summary}", "score": row["score"], "max_score": q.points,
                      "output": "Passed." if row["passed"] else row["message"], "visibility": "visible"})
    output = result["error"] or _notebook_errors_text(result)
    return {"score": result["score"], "output": output, "tests": tests}


def _notebook_errors_text(result: dict) -> str:
    lines = [f"cell {e['cell']}: {e['error']}" if e.get("cell") is not None else e["error"]
             for e in result.get("notebook_errors", [])]
    return ("Some cells of your notebook raised errors while it ran:\n" + "\n".join(lines)) if lines else ""


def feedback_markdown(assignment: Assignment, result: dict) -> str:
    """A feedback page a student can read: per question, passed or what failed and on which input."""
    lines = [f"# {assignment.title}: feedback for {result['id']}", "",
             f"**Score: {result['score']} / {assignment.total_points}**", ""]
    if result["error"]:
        lines += [f"> Your notebook could not be graded normally: {result['error']}", ""]
    errors = _notebook_errors_text(result)
    if errors:
        lines += ["> " + errors.replace("\n", "\n> "), ""]
    for row in result["questions"]:
        q = assignment.question(row["name"])
        mark = "✓" if row["passed"] else "✗"
        lines += [f"## {mark} `{q.name}` ({row['score']}/{q.points})", ""]
        if row["passed"]:
            lines += ["Passed every check.", ""]
            continue
        message, _, cause = row["message"].partition("\n  likely cause: ")
        lines += ["What failed (the smallest input that shows it):", "", "```text", message, "```", ""]
        if cause:
            lines += [f"**Likely cause:** {cause}", ""]
    lines += ["---", "Run `check(\"name\")` in your notebook after each change to see this feedback right away."]
    return "\n".join(lines) + "\n"


def write_reports(assignment: Assignment, results: list[dict], out_dir: Path) -> None:
    """Write every submission's results.json and feedback.md, then grades.csv (each file atomically)."""
    for r in results:
        _write_atomic(out_dir / r["id"] / "results.json", json.dumps(gradescope_results(assignment, r), indent=2,
                                                                    ensure_ascii=False))
        _write_atomic(out_dir / r["id"] / "feedback.md", feedback_markdown(assignment, r))
    _write_atomic(out_dir / "grades.csv", grades_csv(assignment, results))
