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

from autograder.catalog import mistakes_for
from kitcheck.spec import Assignment

from .feedback_html import STYLE, page
from .files import write_text_atomic
from .report import split_hint

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
    failed: int = 0
    unexplained: list[str] = field(default_factory=list)  # failed, no catalogued cause matched

    @property
    def rate(self) -> float:
        n = self.passed + self.failed
        return self.passed / n if n else 0.0


@dataclass
class Misconception:
    question: str
    slug: str  # the catalog entry's slug ("" when the sentence is not in the catalog any more)
    sentence: str
    students: list[str] = field(default_factory=list)


@dataclass
class ClassSummary:
    """What report.html shows, computed from a batch's results (no I/O)."""

    graded: list[dict]
    errored: list[dict]  # could not be graded at all (status "error")
    cell_errors: list[dict]  # graded, but some notebook cells raised or the notebook died
    questions: list[QuestionStats]
    misconceptions: list[Misconception]  # most common first
    totals: Counter


def summarize(assignment: Assignment, results: list[dict]) -> ClassSummary:
    """Per-question pass counts, the misconceptions behind failures (most common first), errored submissions.

    Statistics are over the graded submissions; those that errored are listed apart (a crash is not a
    misconception to re-teach)."""
    graded = [r for r in results if r["status"] == "graded"]
    stats = {q.name: QuestionStats(q.name, q.points) for q in assignment.questions}
    found: dict[tuple[str, str], Misconception] = {}
    for r in graded:
        for row in r["questions"]:
            s = stats.get(row["name"])
            if s is None:
                continue
            if row["passed"]:
                s.passed += 1
                continue
            s.failed += 1
            _, cause = split_hint(row["message"])
            if not cause:
                s.unexplained.append(r["id"])
                continue
            key = (row["name"], cause)
            if key not in found:
                slug = next((m.slug for m in mistakes_for(row["name"]) if m.misconception == cause), "")
                found[key] = Misconception(row["name"], slug, cause)
            found[key].students.append(r["id"])
    order = {q.name: i for i, q in enumerate(assignment.questions)}
    ranked = sorted(found.values(), key=lambda m: (-len(m.students), order.get(m.question, 0), m.slug))
    return ClassSummary(graded=graded, errored=[r for r in results if r["status"] != "graded"],
                        cell_errors=[r for r in graded if r.get("notebook_errors")],
                        questions=list(stats.values()), misconceptions=ranked,
                        totals=Counter(r["score"] for r in graded))


def _png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # Agg, without pyplot: no global backend state in the grader
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return buf.getvalue()


def scores_figure(summary: ClassSummary) -> bytes:
    """Per question, how many graded submissions scored full marks and how many scored 0 (a PNG)."""
    from matplotlib.figure import Figure

    names = [s.name for s in summary.questions][::-1]  # first question at the top
    passed = [s.passed for s in summary.questions][::-1]
    failed = [s.failed for s in summary.questions][::-1]
    fig = Figure(figsize=(7.5, 0.45 * len(names) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(names, passed, color="#2da44e", label="full marks")
    ax.barh(names, failed, left=passed, color="#cf222e", label="0 points")
    for y, (p, f) in enumerate(zip(passed, failed)):
        if p + f:
            ax.text(p + f, y, f" {100 * p / (p + f):.0f}%", va="center", fontsize=9)
    ax.set_xlabel(f"submissions (of {len(summary.graded)} graded)")
    ax.set_title("Score per question", pad=22)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=8, frameon=False)
    ax.set_xlim(0, max(1, len(summary.graded)) * 1.12)
    return _png(fig)


def totals_figure(summary: ClassSummary, total_points: int) -> bytes:
    """A histogram of total scores over the graded submissions (a PNG)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 3.2), layout="constrained")
    ax = fig.add_subplot()
    xs = sorted(summary.totals)
    ax.bar(xs, [summary.totals[x] for x in xs], width=0.8, color="#0969da")
    ax.set_xlim(-0.5, total_points + 0.5)
    ax.set_xlabel(f"total score (of {total_points})")
    ax.set_ylabel("submissions")
    ax.set_title("Distribution of total scores")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _ids(rows: list[str], limit: int = 30) -> str:
    shown = ", ".join(escape(i) for i in rows[:limit])
    return shown + (f", … (+{len(rows) - limit})" if len(rows) > limit else "")


def report_html(assignment: Assignment, summary: ClassSummary, scores_png: bytes, totals_png: bytes) -> str:
    """The instructor's report page (self-contained: figures are embedded; every student text is escaped)."""
    n = len(summary.graded)
    mean = sum(r["score"] for r in summary.graded) / n if n else 0.0
    out = [f"<h1>{escape(assignment.title)}: class report</h1>",
           f"<p>{n} submission(s) graded, {len(summary.errored)} could not be graded. "
           f"Mean total {mean:.1f} / {assignment.total_points}.</p>"]
    levels = sorted({r.get("isolation", "") for r in summary.graded + summary.errored if r.get("isolation")})
    if levels:  # the isolation that actually applied, and a warning when student code was barely fenced
        out.append("<p>Isolation of student code: " + "; ".join(escape(x) for x in levels) + ".</p>")
    if any(x.startswith("limits") for x in levels):
        out.append('<p class="warn"><strong>Warning:</strong> student code ran with resource limits only: it could '
                   "read whatever the grader's user can read, the hidden tests included. Grade untrusted code "
                   "as root (see the README's security model).</p>")

    out.append("<h2>What to re-teach: the most common misconceptions</h2>")
    if summary.misconceptions:
        out.append('<table><thead><tr><th>students</th><th>question</th><th>likely cause (from the catalog)</th>'
                   '</tr></thead><tbody>')
        for m in summary.misconceptions:
            share = len(m.students) / n if n else 0
            slug = f' <span class="ids">({escape(m.slug)})</span>' if m.slug else ""
            out.append(f'<tr><td class="num">{len(m.students)} ({share:.0%}) <span class="bar" '
                       f'style="width:{share * 6:.2f}rem"></span></td><td><code>{escape(m.question)}</code></td>'
                       f'<td>{escape(m.sentence)}{slug}'
                       f'<br><span class="ids">{_ids(m.students)}</span></td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>No failure matched a catalogued misconception.</p>")

    out.append("<h2>Per question</h2>")
    out.append(_img(scores_png, "score per question"))
    out.append('<table><thead><tr><th>question</th><th>points</th><th>full marks</th><th>0 points</th>'
               '<th>failed, no catalogued cause</th></tr></thead><tbody>')
    for s in summary.questions:
        out.append(f'<tr><td><code>{escape(s.name)}</code></td><td class="num">{s.points}</td>'
                   f'<td class="num">{s.passed} ({100 * s.rate:.0f}%)</td><td class="num">{s.failed}</td>'
                   f'<td>{len(s.unexplained)} <span class="ids">{_ids(s.unexplained)}</span></td></tr>')
    out.append("</tbody></table>")
    out.append(_img(totals_png, "distribution of total scores"))

    out.append("<h2>Submissions that could not be graded</h2>")
    if summary.errored:
        out.append("<table><thead><tr><th>id</th><th>error</th></tr></thead><tbody>")
        out += [f"<tr><td>{escape(r['id'])}</td><td><pre>{escape(r['error'])}</pre></td></tr>" for r in summary.errored]
        out.append("</tbody></table>")
    else:
        out.append("<p>None.</p>")
    out.append("<h2>Graded, but cells raised while the notebook ran</h2>")
    if summary.cell_errors:
        out.append("<table><thead><tr><th>id</th><th>score</th><th>cells</th></tr></thead><tbody>")
        for r in summary.cell_errors:
            cells = "\n".join(f"cell {e['cell']}: {e['error']}" if e.get("cell") is not None else e["error"]
                              for e in r["notebook_errors"])
            out.append(f"<tr><td>{escape(r['id'])}</td><td class=\"num\">{r['score']}</td>"
                       f"<td><pre>{escape(cells)}</pre></td></tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>None.</p>")
    return page(f"{assignment.title}: class report", "\n".join(out), "en", STYLE + STYLE_EXTRA)


def write_class_report(assignment: Assignment, results: list[dict], out_dir: Path) -> Path:
    """Write ``report.html``, ``report-scores.png`` and ``report-totals.png`` into ``out_dir``; returns the page."""
    summary = summarize(assignment, results)
    scores_png, totals_png = scores_figure(summary), totals_figure(summary, assignment.total_points)
    for name, data in ((SCORES_PNG, scores_png), (TOTALS_PNG, totals_png)):
        (out_dir / name).write_bytes(data)
    path = out_dir / "report.html"
    write_text_atomic(path, report_html(assignment, summary, scores_png, totals_png))
    return path
