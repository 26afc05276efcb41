"""Feedback that teaches: feedback.html beside feedback.md (escaped, scores, no hidden source), and Chinese."""
import json
import re
import subprocess
import sys
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser

from autograder.course import SAMPLES, tool_env
from autograder.feedback_html import feedback_html
from autograder.assignments import hidden_test_file
from autograder.messages import MESSAGES, parse_langs
from autograder.publish import write_reports
from autograder.report import RESULT_FILE, feedback_markdown
from autograder.results import CellError, Lateness, QuestionResult, SubmissionResult, load_result
from kitcheck.assignments import ASSIGNMENTS
from autograder.catalog import mistakes_for

TENSORS = ASSIGNMENTS["tensors"]
VAR_MEAN = "mistake-var_mean-biased-variance"
BIASED = next(m.misconception for m in mistakes_for("var_mean") if m.slug == "biased-variance")
LAYOUT_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table", "thead", "tbody", "tr",
               "th", "td", "span", "a", "code", "section", "pre", "strong", "footer"}


def _saved(batch) -> dict[str, SubmissionResult]:
    """The batch's results, read from its saved grading.json files as the grader reads them."""
    return {sid: load_result(batch.out / sid / RESULT_FILE) for sid in sorted(batch.results)}


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, and the text inside <pre>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.pre: list[str] = []
        self._in_pre = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_pre = tag == "pre"

    def handle_endtag(self, tag):
        self._in_pre = self._in_pre and tag != "pre"

    def handle_data(self, data):
        if self._in_pre:
            self.pre.append(data)


def test_feedback_html_shows_each_questions_score_and_what_failed(graded_samples):
    batch = graded_samples("tensors")
    for sid, result in _saved(batch).items():
        page = (batch.out / sid / "feedback.html").read_text(encoding="utf-8")
        assert f"{result.score} / {TENSORS.total_points}" in page
        for row in result.questions:
            q = TENSORS.question(row.name)
            assert f"{row.score} / {q.points}" in page and f"({row.score}/{q.points})" in page, (sid, q.name)
    page = (batch.out / VAR_MEAN / "feedback.html").read_text(encoding="utf-8")
    section = page.split('id="q-var_mean"')[1].split("</section>")[0]
    assert "✗" in section and "(0/3)" in section
    pre = unescape(section.split("<pre>")[1].split("</pre>")[0])
    for part in ("input:", "expected:", "got:", "(torch.float"):  # the dtype is shown
        assert part in pre, part
    assert "likely cause" not in pre  # shown once, as its own line below
    assert "Likely cause:" in section and BIASED in unescape(section)
    solution = (batch.out / "solution" / "feedback.html").read_text(encoding="utf-8")
    assert "✗" not in solution and "<pre>" not in solution and solution.count("Passed every check.") == 7


def test_feedback_html_escapes_what_a_student_controls():
    evil = '<script>alert("pwned")</script>'
    result = SubmissionResult(
        "tensors", "tensors.ipynb", id='<img src=x onerror="alert(1)">', score=3, status="graded",
        error=f"the notebook said {evil}",
        notebook_errors=[CellError(4, f"ValueError: </pre>{evil}"), CellError(None, evil)],
        questions=[QuestionResult(q.name, q.points, q.points if i else 0, bool(i),
                                  message="" if i else f"{q.name}: your function raised ValueError: {evil}\n"
                                                       f"  likely cause: uses `<b>` {evil}",
                                  # a cause is a catalog reference; one the catalog lacks shows nothing
                                  hint="" if i else f"{q.name}:{evil}")
                   for i, q in enumerate(TENSORS.questions)])
    page = feedback_html(TENSORS, result, "en")
    parsed = Tags(page)
    assert {tag for tag, _ in parsed.tags} <= LAYOUT_TAGS  # no script, no img: nothing the student wrote
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    assert "<script" not in page.lower() and "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert any(f"your function raised ValueError: {evil}" in text for text in parsed.pre)  # shown, as text
    assert "script-src" not in page and "default-src 'none'" in page  # and the browser would refuse scripts


def test_feedback_pages_hold_no_hidden_test_source(graded_samples, tmp_path):
    batch = graded_samples("tensors")
    write_reports(TENSORS, list(_saved(batch).values()), tmp_path, ["en", "zh"])
    source = hidden_test_file("tensors").read_text()
    lines = {ln.strip() for ln in source.splitlines() if len(ln.strip()) >= 20}
    names = set(re.findall(r"def (test_\w+)", source))
    pages = list(tmp_path.glob("*/feedback*.html")) + list(tmp_path.glob("*/feedback*.md"))
    assert len(pages) == 4 * len(batch.results)
    for path in pages:
        text = unescape(path.read_text(encoding="utf-8"))
        leaked = [ln for ln in lines if ln in text] + [n for n in names if n in text]
        assert not leaked, (path, leaked[:3])


def test_grade_lang_en_zh_writes_chinese_feedback_too(graded_samples, tmp_path):
    batch = graded_samples("tensors")
    out = tmp_path / "out"
    batch.seed(out, {VAR_MEAN: VAR_MEAN})  # graded already: grade reuses it, and writes the reports again
    notebook = SAMPLES / "tensors" / f"{VAR_MEAN}.ipynb"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "tensors", str(notebook), "--out", str(out),
                           "--quiet", "--lang", "en,zh"], env=tool_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    folder = out / VAR_MEAN
    en, zh = (folder / "feedback.md").read_text(), (folder / "feedback.zh.md").read_text()
    assert "**Score: 17 / 20**" in en and "得分" not in en
    assert "**得分：17 / 20**" in zh and "## ✗ `var_mean` (0/3)" in zh
    from autograder.catalog import find_mistake

    cause_zh = find_mistake("var_mean:biased-variance").misconception_zh  # the catalog's Chinese sentence
    assert cause_zh and "未通过的检查" in zh and f"**可能的原因：** {cause_zh}" in zh
    assert f"**Likely cause:** {BIASED}" in en
    # one grading run wrote the hidden tests' own messages in both languages: each page has its own
    assert "期望值：" in zh and "实际值：" in zh and "expected:" not in zh
    assert "expected:" in en and "got:" in en and "期望值" not in en
    assert not re.search("[\ue000-\ue002]", en + zh)
    assert "全班报告" in (out / "report.zh.html").read_text() and "class report" in (out / "report.html").read_text()
    page = (folder / "feedback.zh.html").read_text()
    assert '<html lang="zh-CN">' in page and "得分：17 / 20" in page and "可能的原因" in page
    assert '<html lang="en">' in (folder / "feedback.html").read_text()
    assert json.loads((folder / "results.json").read_text())["score"] == 17


def test_lang_zh_alone_makes_the_main_feedback_chinese_and_unknown_languages_are_refused(graded_samples, tmp_path):
    batch = graded_samples("tensors")
    write_reports(TENSORS, [_saved(batch)["solution"]], tmp_path, ["zh"])
    assert "通过了全部检查。" in (tmp_path / "solution" / "feedback.md").read_text()
    assert not list((tmp_path / "solution").glob("feedback.*.md"))
    assert "Passed." not in (tmp_path / "solution" / "results.json").read_text()
    assert parse_langs("zh, en,zh") == ["zh", "en"]
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "tensors", str(tmp_path), "--out",
                           str(tmp_path / "x"), "--lang", "fr"], env=tool_env(), capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown language 'fr'" in proc.stderr


def test_every_message_exists_in_both_languages():
    assert MESSAGES["en"].keys() == MESSAGES["zh"].keys()
    chinese = [k for k, v in MESSAGES["zh"].items() if re.search(r"[\u4e00-\u9fff]", v)]
    assert len(chinese) >= len(MESSAGES["zh"]) - 4  # all but a few format-only ones are really translated
    result = SubmissionResult("tensors", "tensors.ipynb", id="s", score=0, status="graded",
                              questions=[QuestionResult(q.name, q.points, 0, False, "m") for q in TENSORS.questions])
    assert "Score" in feedback_markdown(TENSORS, result, "en") and "得分" in feedback_markdown(TENSORS, result, "zh")


def _late(result: SubmissionResult, seconds: float, penalty: float, extension: str = "") -> SubmissionResult:
    submitted = "2025-03-02 08:00:00 UTC" if seconds else "2025-03-01 12:00:00 UTC"
    return replace(result, late=Lateness(submitted=submitted, due="2025-03-01 23:59:00 UTC", extension=extension,
                                         seconds_late=seconds, penalty=penalty, final=result.score - penalty,
                                         policy="10% per day"))


def test_feedback_says_when_it_was_submitted_and_due_and_the_late_penalty(graded_samples):
    base = _saved(graded_samples("tensors"))[VAR_MEAN]  # 17 / 20
    late = _late(base, 28860, 1.7)
    md, page = feedback_markdown(TENSORS, late, "en"), feedback_html(TENSORS, late, "en")
    for text in (md, unescape(page)):
        assert "Submitted 2025-03-02 08:00 UTC, 8 h 1 min after the due date (2025-03-01 23:59 UTC)." in text
        assert "Late penalty: 1.7 points, so your final score is 15.3 / 20." in text
    zh = feedback_markdown(TENSORS, late, "zh")
    assert "晚了 8 h 1 min" in zh and "迟交扣分：1.7 分，最终得分 15.3 / 20。" in zh
    from autograder.report import gradescope_results
    assert "Late penalty: 1.7 points" in gradescope_results(TENSORS, late)["output"]
    on_time = feedback_markdown(TENSORS, _late(base, 0, 0, extension="extensions.csv"), "en")
    assert "before the due date (2025-03-01 23:59 UTC, with your extension)" in on_time and "penalty" not in on_time
    graced = feedback_markdown(TENSORS, _late(base, 600, 0), "en")
    assert "10 min after the due date" in graced and "No late penalty applies." in graced
    assert "due date" not in feedback_markdown(TENSORS, base, "en")  # no due date known: nothing said
    assert "<br>" in page and 'class="warn"' in page.split("Submitted")[0].rsplit("<p", 1)[1]


def test_a_students_message_cannot_close_the_code_block_and_write_into_the_feedback_page():
    forged = "oops\n```\n\n## ✓ `one_hot` (3/3)\n\n**TA: score corrected to 20 / 20**\n\n````text"
    result = SubmissionResult("tensors", "tensors.ipynb", id="s", score=0, status="graded",
                              questions=[QuestionResult(q.name, q.points, 0, False, forged) for q in TENSORS.questions])
    md = feedback_markdown(TENSORS, result, "en")
    # the forged text sits whole inside a fence longer than any backtick run in it, once per question
    assert md.count("\n`````text\n" + forged + "\n`````\n") == len(TENSORS.questions)
