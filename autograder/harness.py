"""What hidden tests import: the student's functions, question markers, devices and the hypothesis profile.

Hidden tests never call student code directly: ``student(name)`` returns a proxy whose calls go through
the current *transport* (the sandbox process when the kit grades, the notebook's kernel under nbgrader).
Either way the returned value arrives sanitized (see ``kitcheck.transport``).
"""
from __future__ import annotations

from typing import Any, Callable

import pytest
import torch
from hypothesis import settings

from autograder.config import environment
from kitcheck.compare import call, expect_device_agnostic
from kitcheck.spec import Assignment
from kitcheck.strategies import PUBLIC_SETTINGS  # noqa: F401 - importing it registers the kit's profiles
from kitcheck.transport import StudentFunction, Transport

# The profiles are registered with the rest of the kit's hypothesis settings (kitcheck.strategies);
# KIT_HYPOTHESIS_PROFILE=kit-explore runs more examples, still reproducibly.
settings.load_profile(environment().hypothesis_profile)


_salt = b""


def set_example_salt(salt: str) -> None:
    """Draw other hypothesis examples than grading draws (``mutants --salt``): each test's derandomized seed is
    its source's digest, so a catalogued mistake that only some draws catch survives under another salt."""
    global _salt
    _salt = salt.encode()


def _hash_each_test_once() -> None:
    """hypothesis hashes a test's source (inspect.getsource, tokenize) twice each time the test runs, for its
    derandomized seed and database key: 66 times per graded submission, about 7% of its hidden tests' time. A
    worker keeps the same test functions for every submission, so each is hashed once (hypothesis is pinned)."""
    import hypothesis.core as core

    if getattr(core.function_digest, "kit_cached", False):
        return
    original = core.function_digest
    digests: dict = {}

    def digest(function) -> bytes:
        # By code, not by function object: a public check builds its @given test anew on every call (a new
        # function each time, with the same source, name and signature, so the same digest).
        code = getattr(function, "__code__", None)
        key = (code, getattr(function, "_hypothesis_internal_add_digest", None))
        if code is None or "__signature__" in getattr(function, "__dict__", {}):
            return original(function) + _salt
        if key not in digests:
            digests[key] = original(function)
        return digests[key] + _salt  # no salt (b""): the seeds grading has always used

    digest.kit_cached = True  # type: ignore[attr-defined]
    core.function_digest = digest


_hash_each_test_once()


def loaded_max_examples() -> int:
    """``max_examples`` of the loaded hypothesis profile: hidden tests scale their own counts from it."""
    loaded = settings.default
    assert loaded is not None  # a profile is always loaded (above, or hypothesis's own default)
    return loaded.max_examples

# Hidden tests run on one CPU thread wherever they run (a grading worker, nbgrader's kernel, the kill matrix):
# their tensors are tiny, so one thread is faster; the batch grader runs one worker per core, where more
# threads only wait for each other (torch's batch norm became thousands of times slower on a busy machine);
# and float results then do not depend on --jobs.
torch.set_num_threads(1)

if torch.cuda.is_available():  # exact float32 on GPUs, so CUDA and CPU results agree within tolerances
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

DEVICES = [
    "cpu",
    pytest.param("cuda", marks=[pytest.mark.cuda,
                                pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")]),
]
FLOAT_DTYPES = [torch.float32, torch.float64]


def question(name: str) -> pytest.MarkDecorator:
    """Marks a hidden test as belonging to the question (graded function) ``name``."""
    return pytest.mark.question(name)


_transport: Transport | None = None


def set_transport(transport: Transport | None) -> None:
    """Route ``student(name)`` calls: ``transport(name, args, kwargs, driver)`` returns a sanitized value."""
    global _transport
    _transport = transport


def _current(name: str, args: tuple, kwargs: dict, driver: str | None) -> Any:
    if _transport is None:
        raise RuntimeError("no student transport set: hidden tests run only under the grader")
    return _transport(name, args, kwargs, driver)


def student(name: str) -> StudentFunction:
    """The student's function ``name``: ``student(name)(*args)`` or ``student(name).drive(driver, *args)``.

    Calls raise StudentError when the student's code raises."""
    return StudentFunction(name, _current)


def public_check_tests(assignment: Assignment) -> Callable:
    """A pytest test per question that runs that question's public checks (they count towards the grade)."""
    from kitcheck import run_public_check

    @pytest.mark.parametrize("q", [pytest.param(q, marks=question(q.name), id=q.name) for q in assignment.questions])
    def test_public_checks(q):
        result = run_public_check(q, student(q.name), hints=False)  # hints come once per question
        if not result.passed:
            failed = _Failed(result.message)
            failed.not_written = result.not_written  # for the reports: not attempted, rather than wrong
            raise failed

    return test_public_checks


class _Failed(AssertionError):
    """A failure whose message is already student-facing text."""

    not_written = False


__all__ = ["student", "question", "DEVICES", "FLOAT_DTYPES", "set_transport", "expect_device_agnostic",
           "public_check_tests", "call"]
