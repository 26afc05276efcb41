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
from urllib.parse import quote

from kitcheck.spec import Assignment

from .feedback_html import STYLE, page
from .files import write_text_atomic
from .late import late_text, number
from .report import final_score, not_attempted, split_hint

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
            if not_attempted(row):
                s.not_attempted.append(r["id"])
                continue
            _, cause = split_hint(row)
            if not cause:
                s.unexplained.append(r["id"])
                continue
            key = (row["name"], cause)
            if key not in found:
                found[key] = Misconception(row["name"], row["hint"].partition(":")[2], cause)
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


def _late_cell(r: dict) -> str:
    late = r.get("late") or {}
    if not late.get("submitted"):
        return '<span class="ids">no submission time</span>' if late.get("due") else ""
    if not late.get("due"):
        return f'<span class="ids">submitted {escape(late["submitted"])}</span>'
    if not late.get("seconds_late"):
        return "on time" + (' <span class="ids">(extension)</span>' if late.get("extension") else "")
    ext = ' <span class="ids">(after an extension)</span>' if late.get("extension") else ""
    return f"{escape(late_text(late))} late{ext}"


def students_table(assignment: Assignment, results: list[dict]) -> str:
    """One row per submission: total, lateness and penalty, final score, the questions failed (wrong, and
    not attempted), and a link to the student's feedback."""
    order = [q.name for q in assignment.questions]
    out = ['<table><thead><tr><th>id</th><th>total</th><th>late</th><th>penalty</th><th>final</th>'
           '<th>wrong</th><th>not attempted</th></tr></thead><tbody>']
    for r in sorted(results, key=lambda r: r["id"]):
        late = r.get("late") or {}
        if r["status"] != "graded":
            wrong, untouched = f'<span class="bad">not graded: {escape(r["error"][:120])}</span>', ""
        else:
            rows = {row["name"]: row for row in r["questions"]}
            wrong = ", ".join(f"<code>{escape(n)}</code>" for n in order
                              if n in rows and not rows[n]["passed"] and not not_attempted(rows[n]))
            untouched = ", ".join(f"<code>{escape(n)}</code>" for n in order if n in rows and not_attempted(rows[n]))
        penalty = late.get("penalty") or 0
        out.append(f'<tr><td>{_feedback_link(r["id"])}</td><td class="num">{r["score"]}</td>'
                   f'<td>{_late_cell(r)}</td><td class="num">{"−" + number(penalty) if penalty else ""}</td>'
                   f'<td class="num">{number(final_score(r))} / {assignment.total_points}</td>'
                   f'<td>{wrong}</td><td>{untouched}</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def report_html(assignment: Assignment, summary: ClassSummary, scores_png: bytes, totals_png: bytes,
                earlier: int = 0, policy: str = "") -> str:
    """The instructor's report page (self-contained: figures are embedded; every student text is escaped).

    ``earlier``: how many rows come from earlier runs into the same folder; ``policy``: the late policy."""
    n = len(summary.graded)
    mean = sum(r["score"] for r in summary.graded) / n if n else 0.0
    out = [f"<h1>{escape(assignment.title)}: class report</h1>",
           f"<p>{n} submission(s) graded, {len(summary.errored)} could not be graded. "
           f"Mean total {mean:.1f} / {assignment.total_points}.</p>"]
    everyone = summary.graded + summary.errored
    late = [r for r in everyone if (r.get("late") or {}).get("seconds_late")]
    if any((r.get("late") or {}).get("due") for r in everyone):
        penalized = [r for r in late if (r.get("late") or {}).get("penalty")]
        mean_final = sum(final_score(r) for r in summary.graded) / n if n else 0.0
        out.append(f"<p>{len(late)} submission(s) late, {len(penalized)} with a penalty; mean final score "
                   f"{mean_final:.1f} / {assignment.total_points}."
                   + (f" Late policy: {escape(policy)}." if policy else "") + "</p>")
    if earlier:
        out.append(f'<p class="ids">{earlier} of these submissions were graded by earlier runs into this folder '
                   "(grading a few students again keeps the others).</p>")
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
    out.append('<table><thead><tr><th>question</th><th>points</th><th>full marks</th><th>wrong</th>'
               '<th>wrong, no catalogued cause</th><th>not attempted</th></tr></thead><tbody>')
    for s in summary.questions:
        out.append(f'<tr><td><code>{escape(s.name)}</code></td><td class="num">{s.points}</td>'
                   f'<td class="num">{s.passed} ({100 * s.rate:.0f}%)</td><td class="num">{s.wrong}</td>'
                   f'<td>{len(s.unexplained)} <span class="ids">{_ids(s.unexplained)}</span></td>'
                   f'<td>{len(s.not_attempted)} <span class="ids">{_ids(s.not_attempted)}</span></td></tr>')
    out.append("</tbody></table>")
    out.append(_img(totals_png, "distribution of total scores"))

    out.append("<h2>Per student</h2>")
    out.append(students_table(assignment, everyone) if everyone else "<p>None.</p>")

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


def write_class_report(assignment: Assignment, results: list[dict], out_dir: Path, earlier: int = 0) -> Path:
    """Write ``report.html``, ``report-scores.png`` and ``report-totals.png`` into ``out_dir``; returns the page.

    ``earlier``: how many of ``results`` were graded by earlier runs into ``out_dir``."""
    summary = summarize(assignment, results)
    scores_png, totals_png = scores_figure(summary), totals_figure(summary, assignment.total_points)
    for name, data in ((SCORES_PNG, scores_png), (TOTALS_PNG, totals_png)):
        (out_dir / name).write_bytes(data)
    path = out_dir / "report.html"
    policy = next((r["late"].get("policy", "") for r in results if (r.get("late") or {}).get("policy")), "")
    write_text_atomic(path, report_html(assignment, summary, scores_png, totals_png, earlier, policy))
    return path
