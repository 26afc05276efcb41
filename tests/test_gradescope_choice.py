"""Which notebook of a Gradescope upload is graded: the assignment's, by name; never a guess among several."""
from pathlib import Path

from autograder.gradescope import choose_notebook, find_notebook
from autograder.messages import t
from kitcheck.assignments import ASSIGNMENTS

TENSORS = ASSIGNMENTS["tensors"]


def _upload(root: Path, *names: str) -> Path:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("{}")
    return root


def test_the_assignments_notebook_is_chosen_by_name_beside_strays(tmp_path):
    root = _upload(tmp_path, "scratch.ipynb", "homework/tensors.ipynb", "a_first.ipynb",
                   "homework/.ipynb_checkpoints/tensors-checkpoint.ipynb", "__MACOSX/homework/tensors.ipynb")
    assert choose_notebook(TENSORS, root) == (root / "homework" / "tensors.ipynb", "")
    assert find_notebook(TENSORS, root) == root / "homework" / "tensors.ipynb"


def test_a_single_renamed_notebook_is_graded(tmp_path):
    root = _upload(tmp_path, "homework1 (1).ipynb")
    assert choose_notebook(TENSORS, root) == (root / "homework1 (1).ipynb", "")


def test_several_candidates_or_none_give_a_message_and_no_guess(tmp_path):
    several = _upload(tmp_path / "several", "scratch.ipynb", "my_homework.ipynb")
    path, why = choose_notebook(TENSORS, several)
    assert path is None and find_notebook(TENSORS, several) is None
    assert "2 notebooks (my_homework.ipynb, scratch.ipynb)" in why and "none is named tensors.ipynb" in why
    twice = _upload(tmp_path / "twice", "a/tensors.ipynb", "b/tensors.ipynb")
    path, why = choose_notebook(TENSORS, twice)
    assert path is None and "2 notebooks named tensors.ipynb (a/tensors.ipynb, b/tensors.ipynb)" in why
    empty = _upload(tmp_path / "empty", "notes.txt")
    path, why = choose_notebook(TENSORS, empty)
    assert path is None and "No notebook (.ipynb)" in why and "tensors.ipynb" in why
    # run() shows that reason in English; in Chinese it shows the general message, which says what to upload
    assert "original name" in t("en", "no_notebook") and "原来的文件名" in t("zh", "no_notebook")
