"""What grading writes: ``grades.csv``, and per submission Gradescope's ``results.json``, ``feedback.md`` and
``feedback.html`` (in one or more languages, see ``messages.py``).

Feedback holds only the checks' own messages (input, expected, got): never hidden test source.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Sequence

from kitcheck.i18n import MESSAGES as CHECK_MESSAGES, in_language
from kitcheck.spec import Assignment

from .late import late_text, number, show_time
from .messages import t
from .results import Lateness, QuestionResult, SubmissionResult

RESULT_FILE = "grading.json"
# What a grading output folder holds for the whole class. A submission's folder never takes one of these
# names (see grade.safe_id): every class file has one of CLASS_SUFFIXES, and no id ends with one.
CLASS_FILES = ("grades.csv", "report.html", "report-scores.png", "report-totals.png", "gradebook-before.db")
CLASS_SUFFIXES = (".csv", ".html", ".png", ".db", ".json", ".md", ".txt", ".zip")
def not_attempted(row: QuestionResult) -> bool:
    """Whether a question failed because it was never written (the release's ``raise NotImplementedError()``
    stub is still there), as opposed to written and wrong: the hidden test that met the stub says so."""
    return not row.passed and row.not_written


def final_score(result: SubmissionResult) -> float:
    """The score after any late penalty."""
    return result.final_score


def csv_row(assignment: Assignment, result: SubmissionResult, lang: str = "en") -> list[str | int | float]:
    """A submission's row of ``grades.csv`` (see ``grades_csv``)."""
    scores = {row.name: row.score for row in result.questions}
    late = result.late or Lateness()
    hours = late.seconds_late / 3600
    return [result.id, *[scores.get(q.name, 0) for q in assignment.questions], result.score, assignment.total_points,
            late.submitted, late.due, f"{hours:.2f}" if hours else "0", number(late.penalty),
            number(result.final_score), result.status, in_language(result.error, lang)]


def grades_csv(assignment: Assignment, results: Sequence[SubmissionResult], lang: str = "en") -> str:
    """One row per submission: id, one column per question, total, max, the lateness (submitted, due,
    hours late, penalty), the final score, status, error."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["id", *[q.name for q in assignment.questions], "total", "max", "submitted", "due",
                     "hours_late", "penalty", "final", "status", "error"])
    for r in results:
        writer.writerow(csv_row(assignment, r, lang))
    return buf.getvalue()


def lateness_lines(assignment: Assignment, result: SubmissionResult, lang: str = "en") -> list[str]:
    """What the student reads about lateness: when it was submitted and due, and the penalty ([] when no due
    date or no submitted time is known)."""
    late = result.late
    if late is None or not late.due or not late.submitted:
        return []
    submitted, due = show_time(late.submitted), show_time(late.due)
    ext = t(lang, "late_extension") if late.extension else ""
    if not late.seconds_late:
        return [t(lang, "late_on_time", submitted=submitted, due=due, extension=ext)]
    lines = [t(lang, "late_late", submitted=submitted, due=due, late=late_text(late), extension=ext)]
    if late.penalty:
        lines.append(t(lang, "late_penalty", penalty=number(late.penalty), final=number(result.final_score),
                       total=assignment.total_points))
    else:
        lines.append(t(lang, "late_no_penalty"))
    return lines


def gradescope_results(assignment: Assignment, result: SubmissionResult, lang: str = "en",
                       visibility: str = "visible") -> dict:
    """Gradescope's autograder results format: score, and one test per question with its output.

    ``visibility`` is each question's (Gradescope's ``visible``, ``hidden``, ``after_due_date`` or
    ``after_published``)."""
    tests = []
    for row in result.questions:
        q = assignment.question(row.name)
        tests.append({"name": f"{q.name}: {q.summary_in(lang)}", "score": row.score, "max_score": q.points,
                      "status": "passed" if row.passed else "failed",
                      "output": t(lang, "passed") if row.passed else full_message(row, lang),
                      "visibility": visibility})
    output = in_language(result.error, lang) or notebook_errors_text(result, lang)
    late = " ".join(lateness_lines(assignment, result, lang))
    output = f"{output}\n\n{late}".strip() if late else output
    return {"score": result.score, "output": output, "tests": tests}


def notebook_errors_text(result: SubmissionResult, lang: str = "en") -> str:
    """The cells of the notebook that raised, one line each (empty when none did)."""
    lines = []
    for e in result.notebook_errors:
        error = in_language(e.error, lang) + (t(lang, "cell_input") if e.kind == "input" else "")
        lines.append(t(lang, "cell", cell=e.cell, error=error) if e.cell is not None else error)
    return (t(lang, "cell_errors") + "\n" + "\n".join(lines)) if lines else ""


def split_hint(row: QuestionResult, lang: str = "en") -> tuple[str, str]:
    """A question's failure message and its likely cause in ``lang`` ("" when none was found). The grader
    records the cause as a reference to a catalog entry (``row.hint``); it is put in words here."""
    from .catalog import find_mistake

    mistake = find_mistake(row.hint) if row.hint else None
    return in_language(row.message, lang), mistake.sentence(lang) if mistake else ""


def full_message(row: QuestionResult, lang: str = "en") -> str:
    """The failure message with its likely cause on a last line, as one text (Gradescope, nbgrader)."""
    message, cause = split_hint(row, lang)
    label = CHECK_MESSAGES["likely_cause"].get(lang, CHECK_MESSAGES["likely_cause"]["en"])  # as check() writes it
    return message + (f"\n  {label} {cause}" if cause else "")


def feedback_markdown(assignment: Assignment, result: SubmissionResult, lang: str = "en") -> str:
    """A feedback page a student can read: per question, passed or what failed and on which input."""
    lines = [f"# {t(lang, 'feedback_title', title=assignment.title_in(lang), sid=result.id)}", "",
             f"**{t(lang, 'score', score=result.score, total=assignment.total_points)}**", ""]
    late = lateness_lines(assignment, result, lang)
    if late:
        lines += ["  \n".join(late), ""]
    if result.error:
        lines += [f"> {t(lang, 'not_graded', error=in_language(result.error, lang))}", ""]
    errors = notebook_errors_text(result, lang)
    if errors:
        lines += ["> " + errors.replace("\n", "\n> "), ""]
    for row in result.questions:
        q = assignment.question(row.name)
        mark = "✓" if row.passed else "✗"
        lines += [f"## {mark} `{q.name}` ({row.score}/{q.points})", ""]
        if row.passed:
            lines += [t(lang, "passed_all"), ""]
            continue
        message, cause = split_hint(row, lang)
        # A fence longer than any run of backticks in the student's text: their message cannot close it and
        # write headings ("## ✓ ... (3/3)") or notes of its own into the page.
        fence = "`" * max(3, 1 + max(map(len, re.findall("`+", message)), default=0))
        lines += [t(lang, "what_failed"), "", f"{fence}text", message, fence, ""]
        if cause:
            lines += [f"**{t(lang, 'likely_cause')}** {cause}", ""]
    lines += ["---", t(lang, "check_tip")]
    return "\n".join(lines) + "\n"


def feedback_name(lang: str, langs: list[str], suffix: str) -> str:
    """``feedback.md`` for the first language, ``feedback.<lang>.md`` for the others."""
    return f"feedback{suffix}" if lang == langs[0] else f"feedback.{lang}{suffix}"
