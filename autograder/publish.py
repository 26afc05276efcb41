"""Publishing a graded batch: every student's feedback files and the class's files, in one place.

``report`` writes one student's feedback (Markdown, Gradescope JSON) and the CSV; ``feedback_html`` and
``class_report`` the HTML pages. This module calls them all for a batch, so none of them imports another's
caller (no import cycle).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from kitcheck.spec import Assignment

from .class_report import write_class_report
from .feedback_html import feedback_html
from .files import write_json_atomic, write_text_atomic
from .messages import LANGS
from .report import RESULT_FILE, feedback_markdown, feedback_name, gradescope_results, grades_csv
from .results import SubmissionResult, load_result


def earlier_results(assignment: Assignment, results: Sequence[SubmissionResult], out_dir: Path) -> list[SubmissionResult]:
    """The saved results in ``out_dir`` of this assignment's submissions that are not in ``results``: those
    graded into the same folder by earlier runs (a class graded, then one student graded again)."""
    ids = {r.id for r in results}
    found = []
    for path in sorted(out_dir.glob(f"*/{RESULT_FILE}")):
        if path.parent.name in ids:
            continue
        try:
            saved = load_result(path)
        except (OSError, ValueError):
            continue  # damaged, or not a result this grader can read: grading that submission again rewrites it
        if saved.assignment == assignment.name and saved.id == path.parent.name:
            found.append(saved)
    return found


def write_reports(assignment: Assignment, results: Sequence[SubmissionResult], out_dir: Path,
                  langs: Sequence[str] = ("en",), merge: bool = True) -> list[SubmissionResult]:
    """Write every submission's results.json, feedback.md and feedback.html (and, for each language after
    the first, feedback.<lang>.md and .html), then grades.csv and the instructor's report.html (and
    report.<lang>.html).

    With ``merge`` (the default) the class files also hold the rows of submissions graded into ``out_dir``
    by earlier runs, so grading a few students again never drops the others. Returns the class's rows."""
    langs = list(langs)
    graded = list(results)
    for r in graded:
        folder = out_dir / r.id
        write_json_atomic(folder / "results.json", gradescope_results(assignment, r, langs[0]))
        for lang in langs:
            write_text_atomic(folder / feedback_name(lang, langs, ".md"), feedback_markdown(assignment, r, lang))
            write_text_atomic(folder / feedback_name(lang, langs, ".html"), feedback_html(assignment, r, lang))
        for lang in set(LANGS) - set(langs[1:]):  # no stale second-language feedback from an earlier run
            for suffix in (".md", ".html"):
                (folder / f"feedback.{lang}{suffix}").unlink(missing_ok=True)
    everyone = sorted([*graded, *(earlier_results(assignment, graded, out_dir) if merge else [])],
                      key=lambda r: r.id)
    write_text_atomic(out_dir / "grades.csv", grades_csv(assignment, everyone, langs[0]))
    write_class_report(assignment, everyone, out_dir, earlier=len(everyone) - len(graded), langs=langs)
    return everyone
