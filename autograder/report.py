"""What grading writes: ``grades.csv``, and per submission Gradescope's ``results.json``, ``feedback.md`` and
``feedback.html`` (in one or more languages, see ``messages.py``).

Feedback holds only the checks' own messages (input, expected, got): never hidden test source.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from kitcheck.spec import Assignment

from .files import write_json_atomic, write_text_atomic
from .messages import LANGS, t

HINT_SEPARATOR = "\n  likely cause: "  # how kitcheck.hints.with_hint appends the misconception


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


def gradescope_results(assignment: Assignment, result: dict, lang: str = "en",
                       visibility: str = "visible") -> dict:
    """Gradescope's autograder results format: score, and one test per question with its output.

    ``visibility`` is each question's (Gradescope's ``visible``, ``hidden``, ``after_due_date`` or
    ``after_published``)."""
    tests = []
    for row in result["questions"]:
        q = assignment.question(row["name"])
        tests.append({"name": f"{q.name}: {q.summary}", "score": row["score"], "max_score": q.points,
                      "status": "passed" if row["passed"] else "failed",
                      "output": t(lang, "passed") if row["passed"] else row["message"], "visibility": visibility})
    output = result["error"] or notebook_errors_text(result, lang)
    return {"score": result["score"], "output": output, "tests": tests}


def notebook_errors_text(result: dict, lang: str = "en") -> str:
    """The cells of the notebook that raised, one line each (empty when none did)."""
    lines = [t(lang, "cell", cell=e["cell"], error=e["error"]) if e.get("cell") is not None else e["error"]
             for e in result.get("notebook_errors", [])]
    return (t(lang, "cell_errors") + "\n" + "\n".join(lines)) if lines else ""


def split_hint(message: str) -> tuple[str, str]:
    """A failure message without its "likely cause" line, and that cause ("" when none was found)."""
    message, _, cause = message.partition(HINT_SEPARATOR)
    return message, cause.strip()


def feedback_markdown(assignment: Assignment, result: dict, lang: str = "en") -> str:
    """A feedback page a student can read: per question, passed or what failed and on which input."""
    lines = [f"# {t(lang, 'feedback_title', title=assignment.title, sid=result['id'])}", "",
             f"**{t(lang, 'score', score=result['score'], total=assignment.total_points)}**", ""]
    if t(lang, "english_only"):
        lines += [t(lang, "english_only"), ""]
    if result["error"]:
        lines += [f"> {t(lang, 'not_graded', error=result['error'])}", ""]
    errors = notebook_errors_text(result, lang)
    if errors:
        lines += ["> " + errors.replace("\n", "\n> "), ""]
    for row in result["questions"]:
        q = assignment.question(row["name"])
        mark = "✓" if row["passed"] else "✗"
        lines += [f"## {mark} `{q.name}` ({row['score']}/{q.points})", ""]
        if row["passed"]:
            lines += [t(lang, "passed_all"), ""]
            continue
        message, cause = split_hint(row["message"])
        lines += [t(lang, "what_failed"), "", "```text", message, "```", ""]
        if cause:
            lines += [f"**{t(lang, 'likely_cause')}** {cause}", ""]
    lines += ["---", t(lang, "check_tip")]
    return "\n".join(lines) + "\n"


def feedback_name(lang: str, langs: list[str], suffix: str) -> str:
    """``feedback.md`` for the first language, ``feedback.<lang>.md`` for the others."""
    return f"feedback{suffix}" if lang == langs[0] else f"feedback.{lang}{suffix}"


def write_reports(assignment: Assignment, results: list[dict], out_dir: Path, langs: list[str] = ("en",)) -> None:
    """Write every submission's results.json, feedback.md and feedback.html (and, for each language after
    the first, feedback.<lang>.md and .html), then grades.csv and the instructor's report.html."""
    from .class_report import write_class_report
    from .feedback_html import feedback_html

    langs = list(langs)
    for r in results:
        folder = out_dir / r["id"]
        write_json_atomic(folder / "results.json", gradescope_results(assignment, r, langs[0]))
        for lang in langs:
            write_text_atomic(folder / feedback_name(lang, langs, ".md"), feedback_markdown(assignment, r, lang))
            write_text_atomic(folder / feedback_name(lang, langs, ".html"), feedback_html(assignment, r, lang))
        for lang in set(LANGS) - set(langs[1:]):  # no stale second-language feedback from an earlier run
            for suffix in (".md", ".html"):
                (folder / f"feedback.{lang}{suffix}").unlink(missing_ok=True)
    write_text_atomic(out_dir / "grades.csv", grades_csv(assignment, results))
    write_class_report(assignment, results, out_dir)
