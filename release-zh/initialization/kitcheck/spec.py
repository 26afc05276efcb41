"""What an assignment is: its questions, their points and public checks, declared once.

Everything else derives from this: nbgrader's metadata (grade ids, points), the feedback's headings,
the Gradescope tests, and which hidden tests belong to which question.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Question:
    """One graded function. ``name`` is the function the student writes and the question's id."""

    name: str
    points: int
    summary: str
    public_check: Callable[[Callable], None]  # raises CheckFailure; gets the student's function
    # Arguments the exercise changes in place on purpose (positions, or keyword names), e.g. ``(0,)`` for
    # ``xavier_uniform_(tensor)``. Every other tensor argument must be left as it was: the transport checks it
    # after every direct call (``kitcheck.transport.changed_input``).
    mutates: tuple[int | str, ...] = ()
    summary_zh: str = ""  # the summary in the Chinese edition (``summary`` when empty)
    # What the exercise asks the student not to call (``kitcheck.forbidden``: dotted names, ``Tensor.<method>``,
    # ``module.*``, or another function of the notebook): using one fails the question, whatever the values.
    forbidden: tuple[str, ...] = ()

    def summary_in(self, lang: str) -> str:
        """The summary in ``lang`` ("en" or "zh")."""
        return self.summary_zh if lang == "zh" and self.summary_zh else self.summary

    @property
    def solution_id(self) -> str:
        return f"{self.name}_solution"

    @property
    def test_id(self) -> str:
        return f"test_{self.name}"


@dataclass(frozen=True)
class Assignment:
    """An assignment: ``name`` is its folder under source/ and its notebook's stem."""

    name: str
    title: str
    questions: tuple[Question, ...]
    number: int = 0  # its place in the course (assignment 1, 2, ...)
    title_zh: str = ""  # the title in the Chinese edition (``title`` when empty)
    # The kitcheck files its module imports besides the runtime every assignment gets (paths relative to
    # ``kitcheck/``): ``"modules.py"``, or its own role modules such as ``"assignments/cnn_inputs.py"``.
    # They ship with this assignment's release only.
    runtime: tuple[str, ...] = ()

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` ("en" or "zh")."""
        return self.title_zh if lang == "zh" and self.title_zh else self.title

    @property
    def notebook(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def total_points(self) -> int:
        return sum(q.points for q in self.questions)

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(f"assignment {self.name!r} has no question {name!r}")
