"""The instructor report: grade writes report.html and its figures; what to re-teach is at the top."""
import copy
from dataclasses import replace
from html import unescape

from autograder.class_report import SCORES_PNG, TOTALS_PNG, summarize, write_class_report
from autograder.report import RESULT_FILE
from autograder.results import CellError, Lateness, SubmissionResult, load_result
from kitcheck.assignments import ASSIGNMENTS
from autograder.catalog import mistakes_for

TENSORS = ASSIGNMENTS["tensors"]
VAR_MEAN = "mistake-var_mean-biased-variance"
PNG = b"\x89PNG\r\n\x1a\n"


def _saved(batch) -> list[SubmissionResult]:
    """The batch's results, read from its saved grading.json files as the grader reads them (fresh copies:
    a test may change them)."""
    return [load_result(batch.out / sid / RESULT_FILE) for sid in sorted(batch.results)]


def _copy(result: SubmissionResult, **changes) -> SubmissionResult:
    """Another submission like ``result`` (nothing shared with it), with ``changes``."""
    return replace(copy.deepcopy(result), **changes)


def _mistake(sid: str):
    """The catalogued mistake a sample was made from (``mistake-<question>-<slug>``)."""
    question = next(q.name for q in TENSORS.questions if sid.startswith(f"mistake-{q.name}-"))
    slug = sid.removeprefix(f"mistake-{question}-")
    return next(m for m in mistakes_for(question) if m.slug == slug)


def test_grade_writes_the_report_and_its_figures(graded_samples):
    batch = graded_samples("tensors")
    page = (batch.out / "report.html").read_text(encoding="utf-8")
    for name in (SCORES_PNG, TOTALS_PNG):
        data = (batch.out / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 5000, name
    assert page.count('src="data:image/png;base64,') == 2  # self-contained: figures embedded too
    text = unescape(page)
    assert "9 submission(s) graded, 0 could not be graded" in text
    mistakes = [sid for sid in batch.results if sid.startswith("mistake-")]
    assert len(mistakes) == 7
    table = text.split("What to re-teach")[1].split("Per question")[0]
    for sid in mistakes:  # every sample's misconception, with the student who has it
        m = _mistake(sid)
        row = table.split(m.misconception)[1].split("</tr>")[0]
        assert sid in row and f"({m.slug})" in row, sid
    per_question = text.split("Per question")[1].split("could not be graded")[0]
    for q in TENSORS.questions:  # 7 of 9 pass each question: the solution and the other 6 mistakes
        assert f"<code>{q.name}</code></td><td class=\"num\">{q.points}</td><td class=\"num\">7 (78%)" in per_question
    assert text.split("Submissions that could not be graded")[1].split("<h2>")[0].count("None.") == 1


def test_most_common_misconception_comes_first_and_errors_are_listed(graded_samples, tmp_path):
    results = _saved(graded_samples("tensors"))
    biased = next(r for r in results if r.id == "mistake-var_mean-biased-variance")
    for i in range(3):  # three more students with the biased variance
        results.append(_copy(biased, id=f"student{i}"))
    broken = _copy(results[0], id="<b>mallory</b>", status="error", score=0,
                   error="expected a notebook file but found a folder: <script>x</script>")
    crashed = _copy(next(r for r in results if r.id == "solution"), id="crashy",
                    notebook_errors=[CellError(7, "ZeroDivisionError: division by zero")])
    results += [broken, crashed]

    summary = summarize(TENSORS, results)
    top = summary.misconceptions[0]
    assert (top.question, top.slug, len(top.students)) == ("var_mean", "biased-variance", 4)
    assert all(len(m.students) == 1 for m in summary.misconceptions[1:])
    assert [r.id for r in summary.errored] == ["<b>mallory</b>"]  # not counted as a failed question
    assert sum(s.failed + s.passed for s in summary.questions) == len(TENSORS.questions) * (len(results) - 1)
    assert [r.id for r in summary.cell_errors] == ["crashy"]

    page = write_class_report(TENSORS, results, tmp_path).read_text(encoding="utf-8")
    first_row = unescape(page.split("<tbody>")[1].split("</tr>")[0])
    assert top.sentence in first_row and "student0" in first_row
    errored = page.split("Submissions that could not be graded")[1].split("<h2>")[0]
    assert "&lt;b&gt;mallory&lt;/b&gt;" in errored and "&lt;script&gt;" in errored and "<script" not in page
    assert "solution" not in errored
    assert "crashy" in page.split("cells raised")[1] and "ZeroDivisionError" in page


def test_a_class_that_passes_everything_has_nothing_to_reteach(graded_samples, tmp_path):
    solution = next(r for r in _saved(graded_samples("tensors")) if r.id == "solution")
    page = write_class_report(TENSORS, [_copy(solution, id=f"s{i}") for i in range(3)], tmp_path).read_text()
    assert "No failure matched a catalogued misconception." in page
    assert "3 (100%)" in page and (tmp_path / SCORES_PNG).exists()


def test_an_untouched_stub_is_not_attempted_not_wrong(graded_samples):
    summary = summarize(TENSORS, _saved(graded_samples("tensors")))
    for s in summary.questions:  # 9 samples: the solution, 7 mistakes (one per question), the untouched release
        assert s.not_attempted == ["untouched"], s.name
        assert (s.passed, s.wrong, s.failed) == (7, 1, 2), s.name
        assert "untouched" not in s.unexplained


def test_the_report_has_a_table_per_student_with_lateness_and_links_to_feedback(graded_samples, tmp_path):
    results = _saved(graded_samples("tensors"))
    late = next(r for r in results if r.id == "mistake-var_mean-biased-variance")
    late.late = Lateness(submitted="2025-03-02 08:00:00 UTC", due="2025-03-01 23:59:00 UTC", extension="",
                         seconds_late=28860.0, penalty=1.7, final=15.3, policy="10% of the score per day")
    for r in results:
        if r is not late:
            r.late = Lateness(submitted="2025-03-01 12:00:00 UTC", due="2025-03-01 23:59:00 UTC", extension="",
                              seconds_late=0, penalty=0, final=r.score, policy="")
    results.append(_copy(results[0], id="<b>mallory</b> & co", late=None))
    page = write_class_report(TENSORS, results, tmp_path).read_text(encoding="utf-8")
    table = page.split("<h2>Per student</h2>")[1].split("</table>")[0]
    rows = {unescape(r.split("</a>")[0].rsplit(">", 1)[1]): r for r in table.split("<tr>")[2:]}
    assert len(rows) == len(results)
    untouched, var_mean = rows["untouched"], rows["mistake-var_mean-biased-variance"]
    assert 'href="untouched/feedback.html"' in untouched
    assert "<td>on time</td>" in untouched and untouched.count("<code>") == len(TENSORS.questions)  # not attempted
    assert untouched.split("</td>")[-3] == "<td>"  # ... and none of them wrong
    assert "8 h 1 min late" in var_mean and "−1.7" in var_mean and "15.3 / 20" in var_mean
    assert "<code>var_mean</code>" in var_mean.split("</td>")[-3]  # wrong, not "not attempted"
    assert 'href="%3Cb%3Emallory%3C/b%3E%20%26%20co/feedback.html"' in page and "<b>mallory" not in page
    assert "1 submission(s) late, 1 with a penalty" in unescape(page) and "10% of the score per day" in page


def test_the_score_chart_counts_whole_submissions(graded_samples, tmp_path, monkeypatch):
    from autograder import class_report

    figures = []
    real = class_report._png
    monkeypatch.setattr(class_report, "_png", lambda fig: figures.append(fig) or real(fig))
    saved = {r.id: r for r in _saved(graded_samples("tensors"))}
    results = [saved[i] for i in ("solution", "untouched", VAR_MEAN)]  # 3: ticks of 0.5
    write_class_report(TENSORS, results, tmp_path)
    scores, totals = figures
    for fig, axis in ((scores, "x"), (totals, "x"), (totals, "y")):
        ax = fig.axes[0]
        ax.figure.canvas.draw()
        lo, hi = getattr(ax, f"get_{axis}lim")()
        ticks = [t for t in getattr(ax, f"get_{axis}ticks")() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks), (axis, ticks)
    assert [t.get_text() for t in scores.axes[0].get_legend().get_texts()] == ["full marks", "wrong", "not attempted"]
