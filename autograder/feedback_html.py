"""``feedback.html``: the same feedback as ``feedback.md``, as one self-contained page for a browser.

Everything that comes from a submission (its id, error messages, the values its functions returned) is
HTML-escaped, and the page forbids scripts outright (a Content-Security-Policy meta tag), so text a
student's code prints can never run as code in a TA's or a student's browser. Like the markdown, the page
holds only the checks' own messages: never hidden test source.
"""
from __future__ import annotations

from html import escape

from kitcheck.spec import Assignment

from .messages import t
from .report import in_language, lateness_lines, notebook_errors_text, split_hint
from .results import SubmissionResult

STYLE = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
  "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "Droid Sans Fallback", sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
.score { font-size: 2rem; font-weight: 700; margin: .5rem 0 1rem; }
.note { color: #57606a; }
table { border-collapse: collapse; margin: 1rem 0 2rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: .35rem .9rem; text-align: left; }
td.pts { text-align: right; font-variant-numeric: tabular-nums; }
section { border: 1px solid #d0d7de; border-left: 6px solid #d0d7de; border-radius: 6px; padding: .25rem 1rem;
          margin: 1rem 0; }
section.pass { border-left-color: #1a7f37; }
section.fail { border-left-color: #cf222e; }
h2 { font-size: 1.15rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
pre { background: #f6f8fa; padding: .75rem; border-radius: 6px; overflow-x: auto; white-space: pre; }
.cause { background: #fff8c5; border-radius: 6px; padding: .5rem .75rem; }
.warn { background: #ffebe9; border-radius: 6px; padding: .5rem .75rem; white-space: pre-wrap; }
.ok { color: #1a7f37; } .bad { color: #cf222e; }
footer { margin-top: 2rem; color: #57606a; font-size: .9rem; }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def page(title: str, body: str, lang: str = "en", style: str = STYLE) -> str:
    """A complete HTML page with inline CSS and no scripts allowed. ``title`` is escaped; ``body`` is HTML."""
    return (f'<!DOCTYPE html>\n<html lang="{t(lang, "html_lang")}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _code_spans(text: str) -> str:
    """Escape ``text`` and show its `backticked` parts in monospace (as the markdown does)."""
    parts = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def feedback_html(assignment: Assignment, result: SubmissionResult, lang: str = "en") -> str:
    """The student's feedback page: score, a table of questions, and per failed question what failed
    (input, expected, got, in monospace) and the likely misconception."""
    title = t(lang, "feedback_title", title=assignment.title_in(lang), sid=result.id)
    out = [f"<h1>{escape(title)}</h1>",
           f'<p class="score">{escape(t(lang, "score", score=result.score, total=assignment.total_points))}</p>']
    late = lateness_lines(assignment, result, lang)
    if late:
        penalized = bool(result.late and result.late.penalty)
        out.append(f'<p class="{"warn" if penalized else "note"}">' + "<br>".join(map(escape, late)) + "</p>")
    if result.error:
        out.append(f'<p class="warn">{escape(t(lang, "not_graded", error=in_language(result.error, lang)))}</p>')
    errors = notebook_errors_text(result, lang)
    if errors:
        out.append(f'<p class="warn">{escape(errors)}</p>')
    rows = []
    for row in result.questions:
        q = assignment.question(row.name)
        mark = '<span class="ok">✓</span>' if row.passed else '<span class="bad">✗</span>'
        rows.append(f'<tr><td>{mark} <a href="#q-{escape(q.name)}"><code>{escape(q.name)}</code></a></td>'
                    f'<td>{escape(q.summary_in(lang))}</td><td class="pts">{row.score} / {q.points}</td></tr>')
    out.append(f'<table><thead><tr><th>{escape(t(lang, "question_col"))}</th><th></th>'
               f'<th>{escape(t(lang, "points_col"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    for row in result.questions:
        q = assignment.question(row.name)
        status, mark = ("pass", "✓") if row.passed else ("fail", "✗")
        out.append(f'<section class="{status}" id="q-{escape(q.name)}">')
        out.append(f"<h2>{mark} <code>{escape(q.name)}</code> ({row.score}/{q.points})</h2>")
        if row.passed:
            out.append(f"<p>{escape(t(lang, 'passed_all'))}</p>")
        else:
            message, cause = split_hint(row, lang)
            out.append(f"<p>{escape(t(lang, 'what_failed'))}</p><pre>{escape(message)}</pre>")
            if cause:
                out.append(f'<p class="cause"><strong>{escape(t(lang, "likely_cause"))}</strong> '
                           f"{_code_spans(cause)}</p>")
        out.append("</section>")
    out.append(f"<footer>{_code_spans(t(lang, 'check_tip'))}</footer>")
    return page(title, "\n".join(out), lang)
