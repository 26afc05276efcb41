"""What the hidden-test cells call under ``nbgrader autograde``: the kit's hidden tests, in the kernel.

nbgrader gives a test cell its points when the cell raises nothing, so this raises AssertionError with
the same student-facing message the kit's own grader writes. Student code runs in the same kernel here
(that is how nbgrader works); the kit's own ``grade`` keeps it in a separate process.
"""
from __future__ import annotations

from typing import Any

from kitcheck.assignments import find_question
from kitcheck.checking import ran
from kitcheck.forbidden import broken_rule
from kitcheck.i18n import in_language, language
from kitcheck.transport import local_transport

from kitcheck.hints import with_hint

from .catalog import find_mistake
from .hidden_tests import run_hidden_tests


def grade_question(name: str, namespace: dict[str, Any]) -> None:
    """Run question ``name``'s public checks and hidden tests against the notebook's ``namespace``."""
    assignment, question = find_question(name)
    # The exercise's rule on what not to call, read from the cells the kernel ran (IPython's ``In``), as the kit's
    # own grader reads them from the notebook.
    broken = broken_rule(ran(namespace), question, [q.name for q in assignment.questions])
    if broken:
        raise AssertionError(in_language(broken, language()))
    outcomes = run_hidden_tests(assignment.name, local_transport(namespace), questions={name})
    failed = [o for o in outcomes if o.outcome == "failed"]
    if failed:
        raise AssertionError(with_hint(in_language(failed[0].message, language()), find_mistake(failed[0].hint) if failed[0].hint else None))
    if not any(o.outcome == "passed" for o in outcomes):
        raise AssertionError(f"{name}: no hidden test ran")
    print(f"{name}: all hidden tests passed")
