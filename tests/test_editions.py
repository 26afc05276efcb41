"""The course in two languages from one source: editions share every code cell, grade id and point, and a
submission of either edition gets the same score."""
import copy
import re
import shutil

import nbformat
import pytest

from autograder.build import BuildError, edition, find_cells, generate_release
from autograder.course import SOURCE, course_languages, edition_dir
from autograder.samples import generate_samples
from kitcheck.assignments import ASSIGNMENTS

from conftest import grade

TENSORS = ASSIGNMENTS["tensors"]


def _md(text, lang=None):
    cell = nbformat.v4.new_markdown_cell(text)
    if lang:
        cell.metadata["kit"] = {"lang": lang}
    return cell


def test_an_edition_keeps_its_language_and_what_is_not_translated_yet():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_md("# Tensors", "en"), _md("# 张量", "zh"), nbformat.v4.new_code_cell("x = 1"),
                _md("Only in English so far", "en"), _md("shared: $a + b$")]
    en, zh = edition(nb, "en"), edition(nb, "zh")
    assert [c.source for c in en.cells] == ["# Tensors", "x = 1", "Only in English so far", "shared: $a + b$"]
    assert [c.source for c in zh.cells] == ["# 张量", "x = 1", "Only in English so far", "shared: $a + b$"]
    assert zh.metadata["kit"]["lang"] == "zh" and nb.cells[0].source == "# Tensors"  # the source is untouched


def bilingual(nb):
    """A copy of a source notebook with a Chinese twin after every markdown cell (exercise headings in the
    Chinese form, with the same points)."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        cell.metadata["kit"] = {"lang": "en"}
        text = cell.source.replace("### Exercise", "### 练习").replace(" points): ", " 分）：").replace(
            " point): ", " 分）：").replace("(3 分", "（3 分").replace("(2 分", "（2 分").replace("(4 分", "（4 分")
        twin = _md("（中文）" + text, "zh")
        cells += [cell, twin]
    out.cells = cells
    return out


def test_chinese_exercise_headings_are_checked_against_the_spec(tmp_path):
    nb = bilingual(nbformat.read(SOURCE / "tensors" / "tensors.ipynb", as_version=4))
    find_cells(TENSORS, nb)  # the Chinese headings carry the spec's points
    for cell in nb.cells:
        if "练习" in cell.source and "`broadcast_shape`" in cell.source:
            cell.source = cell.source.replace("（3 分）", "（5 分）")
    with pytest.raises(BuildError, match="worth 5 points"):
        find_cells(TENSORS, nb)


def test_the_configured_languages_place_the_editions():
    langs = course_languages()
    assert langs[0] in ("en", "zh") and set(langs) <= {"en", "zh"}
    assert edition_dir("release", langs[0]).name == "release"
    for lang in langs[1:]:
        assert edition_dir("release", lang).name == f"release-{lang}"


@pytest.mark.slow
def test_both_editions_grade_the_same(tmp_path):
    """The real Chinese and English editions of an assignment, built from its one source: their solutions,
    untouched notebooks and mistakes get identical scores, and each release says its language to check()."""
    scores = {}
    for lang in ("en", "zh"):
        release = tmp_path / f"release-{lang}"
        generate_release(TENSORS, release, source_root=SOURCE, lang=lang)
        student = nbformat.read(release / "tensors" / "tensors.ipynb", as_version=4)
        text = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
        assert ("### 练习" in text) == (lang == "zh") and ("### Exercise" in text) == (lang == "en")
        assert (release / "tensors" / "kitcheck" / "data" / "language.txt").read_text() == lang
        samples = tmp_path / f"samples-{lang}"
        generate_samples(TENSORS, release, samples)
        keep = sorted(samples.glob("tensors/*.ipynb"))[:2] + [samples / "tensors" / "solution.ipynb",
                                                               samples / "tensors" / "untouched.ipynb"]
        chosen = tmp_path / f"chosen-{lang}"
        chosen.mkdir()
        for path in keep:
            shutil.copy(path, chosen / path.name)
        batch = grade([chosen], tmp_path / f"out-{lang}")
        assert batch.returncode == 0, batch.stdout[-2000:]
        scores[lang] = {sid: batch.scores(sid) for sid in batch.results}
    assert scores["en"] == scores["zh"]
    assert sum(scores["en"]["solution"].values()) == TENSORS.total_points
    assert sum(scores["en"]["untouched"].values()) == 0
    assert any(0 < sum(s.values()) < TENSORS.total_points for s in scores["en"].values())


def test_the_check_runtime_speaks_the_editions_language(tmp_path, monkeypatch):
    from kitcheck import i18n

    monkeypatch.delenv("KIT_LANG", raising=False)
    monkeypatch.setattr(i18n, "_FILE", tmp_path / "language.txt")
    assert i18n.language() == "en"  # no edition file: English
    (tmp_path / "language.txt").write_text("zh")
    assert i18n.language() == "zh" and i18n.say("not_written") == "尚未完成"
    monkeypatch.setenv("KIT_LANG", "en")
    assert i18n.language() == "en"


def test_every_check_message_has_both_languages_with_the_same_fields():
    import string

    from kitcheck.i18n import MESSAGES

    for key, table in MESSAGES.items():
        assert set(table) == {"en", "zh"}, key
        fields = [{f[1] for f in string.Formatter().parse(text) if f[1]} for text in table.values()]
        assert fields[0] == fields[1], key
        assert table["zh"] != table["en"] or not any(c.isalpha() for c in table["en"]), key


def test_feedback_pages_name_a_chinese_font_on_every_system():
    from autograder.feedback_html import STYLE

    stack = STYLE.split("font:", 1)[1].split(";", 1)[0]
    for font in ("Noto Sans CJK SC", "WenQuanYi Micro Hei",  # Linux
                 "PingFang SC",                              # macOS
                 "Microsoft YaHei"):                         # Windows
        assert f'"{font}"' in stack
    assert stack.strip().endswith("sans-serif")


def test_figures_stay_language_neutral_so_no_glyph_is_ever_missing(recwarn):
    """Code cells (and so every figure's text) are shared by both editions and hold no Chinese: a figure
    renders the same on a machine without a CJK font. Rendering one with the course's kind of labels warns
    about no missing glyph."""
    import re

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    for name, a in ASSIGNMENTS.items():
        nb = nbformat.read(SOURCE / name / a.notebook, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                code = "\n".join(line.split("#", 1)[0] for line in cell.source.splitlines())
                assert not cjk.search(code), f"{name} cell {i}: Chinese text in code would need a CJK font"
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0], label="train loss")
    ax.set(title="SSE(a, b) = (3 - a - b)² + (6 - 2a - b)²", xlabel="epoch", ylabel="loss  σ(x)  ∇w  μ ± 2σ")
    ax.legend()
    fig.canvas.draw()
    plt.close(fig)
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def _untranslated(path):
    """Student-facing sentences written as plain strings in a module: the problem and detail of every
    CheckFailure, and the what= labels, that do not come from say() or tr() (a string with words anywhere in
    the expression: an f-string, a concatenation, a conditional; a call's own arguments are its business)."""
    import ast

    def words(node):
        if isinstance(node, ast.Call):
            return False  # tr(...), say(...), show(x): what they return is theirs to translate
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
        return any(words(child) for child in ast.iter_child_nodes(node)
                   if not isinstance(child, ast.FormattedValue) or words(child.value))

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        texts = [kw.value for kw in node.keywords if kw.arg in ("detail", "what", "problem")]
        if name == "CheckFailure":
            texts += list(node.args[1:2]) + list(node.args[5:6])  # problem, and detail when positional
        elif name not in ("expect_tensor", "expect_tensors", "expect_equal") and not texts:
            continue
        if any(words(value) for value in texts):  # a name in backticks alone is not a sentence
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_every_shared_check_sentence_has_both_languages():
    from pathlib import Path

    import kitcheck

    for path in sorted(Path(kitcheck.__file__).parent.glob("*.py")):
        assert not _untranslated(path), _untranslated(path)


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_an_assignment_with_a_chinese_edition_translates_every_sentence(name):
    """Every assignment has its Chinese edition (Chinese cells in its notebook), and every sentence its checks
    and hidden tests say, every misconception of its catalog, its title and its summaries have both languages."""
    from pathlib import Path

    import kitcheck.assignments
    from autograder.build import cell_language
    from autograder.catalog import catalog

    nb = nbformat.read(SOURCE / name / ASSIGNMENTS[name].notebook, as_version=4)
    assert any(cell_language(c) == "zh" for c in nb.cells), f"{name} has no Chinese edition"
    package = Path(kitcheck.assignments.__file__).parent.parent
    for module in [package / "assignments" / f"{name}.py", *(package / rel for rel in ASSIGNMENTS[name].runtime)]:
        assert not _untranslated(module), _untranslated(module)
    from autograder.assignments import folder

    hidden = folder(name) / "test_hidden.py"  # what the hidden tests say reaches the student's feedback too
    assert not _untranslated(hidden), _untranslated(hidden)
    assert all(m.misconception_zh for m in catalog(name)), [m.key for m in catalog(name) if not m.misconception_zh]
    assert ASSIGNMENTS[name].title_zh
    assert all(q.summary_zh for q in ASSIGNMENTS[name].questions), [q.name for q in ASSIGNMENTS[name].questions
                                                                  if not q.summary_zh]
    en = [c for c in nb.cells if cell_language(c) == "en"]
    zh = [c for c in nb.cells if cell_language(c) == "zh"]
    assert len(en) == len(zh) and not [c for c in nb.cells if c.cell_type == "markdown" and not cell_language(c)]


def test_one_grading_run_writes_a_message_in_every_language(monkeypatch):
    """``KIT_LANG=en,zh``: a failure message built from shared sentences, a check's own ``tr`` and plain values
    reads whole in each language; a student's text cannot forge a sentence of either."""
    from kitcheck.i18n import in_language, per_language, say, tr

    monkeypatch.setenv("KIT_LANG", "en,zh")
    what = tr("the loss", "损失")
    text = f"fit: {say('wrong_shape', what=what, expected=(2,), got=(3,))}\n  {say('got')} 1.5"
    assert per_language(text) == {"en": "fit: the loss has the wrong shape: expected (2,), got (3,)\n  got:      1.5",
                                  "zh": "fit: 损失的形状不对：期望 (2,)，实际是 (3,)\n  实际值： 1.5"}
    # markers inside a student's own exception text change at most how that text reads, in that student's own
    # message: the sentence around it stays whole and no marker reaches a page
    forged = say("raised", what="ValueError: \ue000bad\ue001坏\ue002 \ue001x")
    assert in_language(forged, "en").startswith("your function raised ValueError: ")
    assert in_language(forged, "zh").startswith("你的函数抛出了异常 ValueError: ")
    assert not re.search("[\ue000-\ue002]", in_language(forged, "en") + in_language(forged, "zh"))
    monkeypatch.setenv("KIT_LANG", "zh")
    assert say("got") == "实际值：" and in_language("plain", "en") == "plain"


# Chinese characters of the original course's explanation of each assignment's topics (its notebooks'
# markdown, counted with the same rule; the parts on other assignments' topics left out). cnn: LeNet-5 and
# ResNet of chapter 5's second notebook; its first notebook (image processing) is missing from the mirror.
ORIGINAL_CHARACTERS = {"basics": 424, "tensors": 963, "linalg": 1069, "autograd": 1600, "networks": 7759,
                       "training": 13816, "initialization": 9363, "batchnorm": 12797, "cnn": 4180,
                       "architectures": 12952}


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_the_chinese_text_is_at_least_as_deep_as_the_originals(name):
    from autograder.build import cell_language

    nb = nbformat.read(SOURCE / name / ASSIGNMENTS[name].notebook, as_version=4)
    chars = sum(len(re.findall(r"[\u4e00-\u9fff]", c.source)) for c in nb.cells if cell_language(c) == "zh")
    assert chars >= ORIGINAL_CHARACTERS[name], (name, chars)


def test_each_solutions_edition_shows_what_the_checks_printed_in_its_language(monkeypatch):
    """The solutions run once with ``KIT_LANG=en,zh``; each edition reads the outputs in its own language."""
    from autograder.build import outputs_in
    from kitcheck.i18n import say

    monkeypatch.setenv("KIT_LANG", "en,zh")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("check('f')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=say("passed", name="f") + "\n"),
                    nbformat.v4.new_output("display_data", data={"text/plain": say("table_footer")})]
    nb.cells = [cell]
    zh, en = outputs_in(copy.deepcopy(nb), "zh"), outputs_in(copy.deepcopy(nb), "en")
    assert zh.cells[0].outputs[0]["text"].startswith("✓ f：公开检查全部通过")
    assert en.cells[0].outputs[0]["text"].startswith("✓ f: the public checks pass")
    assert zh.cells[0].outputs[1]["data"]["text/plain"].startswith("想了解")
