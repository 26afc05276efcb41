"""The instructor's view of a graded batch: ``report.html`` with ``report-scores.png`` and ``report-totals.png``.

At a glance, what to re-teach: how many students got each question, which catalogued misconceptions
were behind the failures (the "likely cause" the hints found), and which submissions could not be graded
or had cells that raised. Written by every ``grade`` run; it reads only the results in memory (cheap).
"""
from __future__ import annotations

import base64
import io
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from kitcheck.spec import Assignment

from .feedback_html import STYLE, page
from .files import write_text_atomic
from .late import late_text, number
from .messages import t
from .report import feedback_name, in_language, not_attempted, notebook_errors_text, split_hint
from .results import SubmissionResult

SCORES_PNG = "report-scores.png"
TOTALS_PNG = "report-totals.png"
STYLE_EXTRA = """
body { max-width: 72rem; }
img { max-width: 100%; border: 1px solid #d0d7de; border-radius: 6px; }
.bar { display: inline-block; height: .8rem; background: #cf222e; vertical-align: middle; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ids { color: #57606a; font-size: .9rem; }
"""


@dataclass
class QuestionStats:
    name: str
    points: int
    passed: int = 0
    failed: int = 0  # 0 points: wrong, or not attempted
    unexplained: list[str] = field(default_factory=list)  # wrong, no catalogued cause matched
    not_attempted: list[str] = field(default_factory=list)  # the release's stub left as it was

    @property
    def rate(self) -> float:
        n = self.passed + self.failed
        return self.passed / n if n else 0.0

    @property
    def wrong(self) -> int:
        return self.failed - len(self.not_attempted)


@dataclass
class Misconception:
    question: str
    slug: str  # the catalog entry's slug ("" when the sentence is not in the catalog any more)
    sentence: str
    students: list[str] = field(default_factory=list)


@dataclass
class ClassSummary:
    """What report.html shows, computed from a batch's results (no I/O)."""

    graded: list[SubmissionResult]
    errored: list[SubmissionResult]  # could not be graded at all (status "error")
    cell_errors: list[SubmissionResult]  # graded, but some notebook cells raised or the notebook died
    questions: list[QuestionStats]
    misconceptions: list[Misconception]  # most common first
    totals: Counter


def summarize(assignment: Assignment, results: Sequence[SubmissionResult], lang: str = "en") -> ClassSummary:
    """Per-question pass counts, the misconceptions behind failures (most common first), errored submissions.

    Statistics are over the graded submissions; those that errored are listed apart (a crash is not a
    misconception to re-teach)."""
    graded = [r for r in results if r.graded]
    stats = {q.name: QuestionStats(q.name, q.points) for q in assignment.questions}
    found: dict[tuple[str, str], Misconception] = {}
    for r in graded:
        for row in r.questions:
            s = stats.get(row.name)
            if s is None:
                continue
            if row.passed:
                s.passed += 1
                continue
            s.failed += 1
            if not_attempted(row):
                s.not_attempted.append(r.id)
                continue
            _, cause = split_hint(row, lang)
            if not cause:
                s.unexplained.append(r.id)
                continue
            key = (row.name, cause)
            if key not in found:
                found[key] = Misconception(row.name, row.hint.partition(":")[2], cause)
            found[key].students.append(r.id)
    order = {q.name: i for i, q in enumerate(assignment.questions)}
    ranked = sorted(found.values(), key=lambda m: (-len(m.students), order.get(m.question, 0), m.slug))
    return ClassSummary(graded=graded, errored=[r for r in results if not r.graded],
                        cell_errors=[r for r in graded if r.notebook_errors],
                        questions=list(stats.values()), misconceptions=ranked,
                        totals=Counter(r.score for r in graded))


def _png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # Agg, without pyplot: no global backend state in the grader
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return buf.getvalue()


def scores_figure(summary: ClassSummary) -> bytes:
    """Per question, how many graded submissions scored full marks, were wrong, or were not attempted (a PNG;
    whole submissions on the axis)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    names = [s.name for s in summary.questions][::-1]  # first question at the top
    passed = [s.passed for s in summary.questions][::-1]
    wrong = [s.wrong for s in summary.questions][::-1]
    untouched = [len(s.not_attempted) for s in summary.questions][::-1]
    fig = Figure(figsize=(7.5, 0.45 * len(names) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(names, passed, color="#2da44e", label="full marks")
    ax.barh(names, wrong, left=passed, color="#cf222e", label="wrong")
    ax.barh(names, untouched, left=[p + w for p, w in zip(passed, wrong)], color="#afb8c1", label="not attempted")
    for y, (p, w, u) in enumerate(zip(passed, wrong, untouched)):
        if p + w + u:
            ax.text(p + w + u, y, f" {100 * p / (p + w + u):.0f}%", va="center", fontsize=9)
    ax.set_xlabel(f"submissions (of {len(summary.graded)} graded)")
    ax.set_title("Score per question", pad=22)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=8, frameon=False)
    ax.set_xlim(0, max(1, len(summary.graded)) * 1.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(fig)


def totals_figure(summary: ClassSummary, total_points: int) -> bytes:
    """A histogram of total scores over the graded submissions (a PNG)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7.5, 3.2), layout="constrained")
    ax = fig.add_subplot()
    xs = sorted(summary.totals)
    ax.bar(xs, [summary.totals[x] for x in xs], width=0.8, color="#0969da")
    ax.set_xlim(-0.5, total_points + 0.5)
    ax.set_xlabel(f"total score (of {total_points})")
    ax.set_ylabel("submissions")
    ax.set_title("Distribution of total scores")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(fig)


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _ids(rows: list[str], limit: int = 30) -> str:
    shown = ", ".join(escape(i) for i in rows[:limit])
    return shown + (f", … (+{len(rows) - limit})" if len(rows) > limit else "")


def _feedback_link(sid: str) -> str:
    """A link to a student's feedback page, relative to report.html (ids are folder names)."""
    return f'<a href="{escape(quote(sid))}/feedback.html">{escape(sid)}</a>'


def _late_cell(r: SubmissionResult, lang: str = "en") -> str:
    late = r.late
    if late is None:
        return ""
    if not late.submitted:
        return f'<span class="ids">{escape(t(lang, "r_no_time"))}</span>' if late.due else ""
    if not late.due:
        return f'<span class="ids">{escape(t(lang, "r_submitted", time=late.submitted))}</span>'
    if not late.seconds_late:
        ext = f' <span class="ids">{escape(t(lang, "r_extension"))}</span>' if late.extension else ""
        return escape(t(lang, "r_on_time")) + ext
    ext = f' <span class="ids">{escape(t(lang, "r_after_extension"))}</span>' if late.extension else ""
    return escape(t(lang, "r_late_by", late=late_text(late))) + ext


def _head(lang: str, *keys: str) -> str:
    return "<table><thead><tr>" + "".join(f"<th>{escape(t(lang, k))}</th>" for k in keys) + "</tr></thead><tbody>"


def students_table(assignment: Assignment, results: list[SubmissionResult], lang: str = "en") -> str:
    """One row per submission: total, lateness and penalty, final score, the questions failed (wrong, and
    not attempted), and a link to the student's feedback."""
    order = [q.name for q in assignment.questions]
    out = [_head(lang, "r_id", "r_total", "r_late_col", "r_penalty", "r_final", "r_wrong", "r_not_attempted")]
    for r in sorted(results, key=lambda r: r.id):
        if not r.graded:
            error = in_language(r.error, lang)[:120]
            wrong, untouched = f'<span class="bad">{escape(t(lang, "r_not_graded", error=error))}</span>', ""
        else:
            rows = {row.name: row for row in r.questions}
            wrong = ", ".join(f"<code>{escape(n)}</code>" for n in order
                              if n in rows and not rows[n].passed and not not_attempted(rows[n]))
            untouched = ", ".join(f"<code>{escape(n)}</code>" for n in order if n in rows and not_attempted(rows[n]))
        penalty = (r.late.penalty if r.late else 0) or 0
        out.append(f'<tr><td>{_feedback_link(r.id)}</td><td class="num">{r.score}</td>'
                   f'<td>{_late_cell(r, lang)}</td><td class="num">{"−" + number(penalty) if penalty else ""}</td>'
                   f'<td class="num">{number(r.final_score)} / {assignment.total_points}</td>'
                   f'<td>{wrong}</td><td>{untouched}</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def report_html(assignment: Assignment, summary: ClassSummary, scores_png: bytes, totals_png: bytes,
                earlier: int = 0, policy: str = "", lang: str = "en") -> str:
    """The instructor's report page (self-contained: figures are embedded; every student text is escaped).

    ``earlier``: how many rows come from earlier runs into the same folder; ``policy``: the late policy."""
    n = len(summary.graded)
    mean = sum(r.score for r in summary.graded) / n if n else 0.0
    title = t(lang, "r_title", title=assignment.title_in(lang))
    out = [f"<h1>{escape(title)}</h1>",
           f"<p>{escape(t(lang, 'r_counts', n=n, errored=len(summary.errored), mean=f'{mean:.1f}', total=assignment.total_points))}</p>"]
    everyone = summary.graded + summary.errored
    late = [r for r in everyone if r.late and r.late.seconds_late]
    if any(r.late and r.late.due for r in everyone):
        penalized = [r for r in late if r.late and r.late.penalty]
        mean_final = sum(r.final_score for r in summary.graded) / n if n else 0.0
        line = t(lang, "r_late", late=len(late), penalized=len(penalized), mean=f"{mean_final:.1f}",
                 total=assignment.total_points) + (t(lang, "r_policy", policy=policy) if policy else "")
        out.append(f"<p>{escape(line)}</p>")
    if earlier:
        out.append(f'<p class="ids">{escape(t(lang, "r_earlier", earlier=earlier))}</p>')
    levels = sorted({r.isolation for r in summary.graded + summary.errored if r.isolation})
    if levels:  # the isolation that actually applied, and a warning when student code was barely fenced
        out.append(f"<p>{escape(t(lang, 'r_isolation', levels='; '.join(levels)))}</p>")
    if any(x.startswith("limits") for x in levels):
        out.append(f'<p class="warn"><strong>{escape(t(lang, "r_limits_only"))}</strong></p>')

    out.append(f"<h2>{escape(t(lang, 'r_reteach'))}</h2>")
    if summary.misconceptions:
        out.append(_head(lang, "r_students", "r_question", "r_cause"))
        for m in summary.misconceptions:
            share = len(m.students) / n if n else 0
            slug = f' <span class="ids">({escape(m.slug)})</span>' if m.slug else ""
            out.append(f'<tr><td class="num">{len(m.students)} ({share:.0%}) <span class="bar" '
                       f'style="width:{share * 6:.2f}rem"></span></td><td><code>{escape(m.question)}</code></td>'
                       f'<td>{escape(m.sentence)}{slug}'
                       f'<br><span class="ids">{_ids(m.students)}</span></td></tr>')
        out.append("</tbody></table>")
    else:
        out.append(f"<p>{escape(t(lang, 'r_no_cause'))}</p>")

    out.append(f"<h2>{escape(t(lang, 'r_per_question'))}</h2>")
    out.append(_img(scores_png, t(lang, "r_scores_alt")))
    out.append(_head(lang, "r_question", "r_points", "r_full", "r_wrong", "r_unexplained", "r_not_attempted"))
    for s in summary.questions:
        out.append(f'<tr><td><code>{escape(s.name)}</code></td><td class="num">{s.points}</td>'
                   f'<td class="num">{s.passed} ({100 * s.rate:.0f}%)</td><td class="num">{s.wrong}</td>'
                   f'<td>{len(s.unexplained)} <span class="ids">{_ids(s.unexplained)}</span></td>'
                   f'<td>{len(s.not_attempted)} <span class="ids">{_ids(s.not_attempted)}</span></td></tr>')
    out.append("</tbody></table>")
    out.append(_img(totals_png, t(lang, "r_totals_alt")))
    none = f"<p>{escape(t(lang, 'r_none'))}</p>"

    out.append(f"<h2>{escape(t(lang, 'r_per_student'))}</h2>")
    out.append(students_table(assignment, everyone, lang) if everyone else none)

    out.append(f"<h2>{escape(t(lang, 'r_errored'))}</h2>")
    if summary.errored:
        out.append(_head(lang, "r_id", "r_error"))
        out += [f"<tr><td>{escape(r.id)}</td><td><pre>{escape(in_language(r.error, lang))}</pre></td></tr>"
                for r in summary.errored]
        out.append("</tbody></table>")
    else:
        out.append(none)
    out.append(f"<h2>{escape(t(lang, 'r_cell_errors'))}</h2>")
    if summary.cell_errors:
        out.append(_head(lang, "r_id", "r_score", "r_cells"))
        for r in summary.cell_errors:
            cells = notebook_errors_text(r, lang).split("\n", 1)[-1]
            out.append(f"<tr><td>{escape(r.id)}</td><td class=\"num\">{r.score}</td>"
                       f"<td><pre>{escape(cells)}</pre></td></tr>")
        out.append("</tbody></table>")
    else:
        out.append(none)
    return page(title, "\n".join(out), lang, STYLE + STYLE_EXTRA)


def write_class_report(assignment: Assignment, results: Sequence[SubmissionResult], out_dir: Path,
                       earlier: int = 0, langs: Sequence[str] = ("en",)) -> Path:
    """Write ``report.html`` (and ``report.<lang>.html`` for each language after the first of ``langs``),
    ``report-scores.png`` and ``report-totals.png`` into ``out_dir``; returns the first page.

    ``earlier``: how many of ``results`` were graded by earlier runs into ``out_dir``."""
    summary = summarize(assignment, results, langs[0])
    scores_png, totals_png = scores_figure(summary), totals_figure(summary, assignment.total_points)  # counts only
    for png, data in ((SCORES_PNG, scores_png), (TOTALS_PNG, totals_png)):
        (out_dir / png).write_bytes(data)
    policy = next((r.late.policy for r in results if r.late and r.late.policy), "")
    for lang in langs:  # report.html in the first language, report.<lang>.html in the others
        if lang != langs[0]:
            summary = summarize(assignment, results, lang)  # the misconceptions' sentences, in ``lang``
        html = report_html(assignment, summary, scores_png, totals_png, earlier, policy, lang)
        write_text_atomic(out_dir / feedback_name(lang, list(langs), ".html").replace("feedback", "report"), html)
    return out_dir / "report.html"
