"""A hidden test's hypothesis examples, drawn once per grading worker and replayed for later submissions.

hypothesis spends about 1 ms of its own on every example (drawing, its engine, its bookkeeping): more than
most examples' own work, and a worker draws the same examples for every submission it grades. With the kit's
profiles (``derandomize=True``, no database) the examples hypothesis draws for a test depend on the test's
seed and on each example's *status* (it ran, or ``assume`` rejected it), and on nothing else the test
computes; interactive draws (``st.data()``) depend on the strategy the test asks for, too.

So the first time a test passes in a worker, its examples, their interactive draws and their statuses are
kept (copied before the test sees them). Later submissions run the test's body on those examples directly, in
hypothesis's own per-example context (seeded ``random``, build context). If every example ends with the same
status and asks for the same draws, hypothesis would have drawn exactly these examples and found no failure,
so the test passes as it would have. At the first difference (a failure, an assumption that holds or fails
where it did not, another strategy drawn from) the test runs under hypothesis from the start, which finds,
shrinks and reports the failure exactly as without replay. Where a submission's result comes from is
therefore never another submission: the kept examples are the grader's own draws, and a verdict of "passed"
is reached only on the statuses this submission produced.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from random import Random
from typing import Any

import torch
from hypothesis import core as hypothesis_core
from hypothesis.control import BuildContext
from hypothesis.errors import UnsatisfiedAssumption
from hypothesis.internal.compat import int_from_bytes
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis.internal import entropy
from hypothesis.internal.entropy import deterministic_PRNG
from hypothesis.strategies import DataObject

# Values that no test can change in place: kept and handed out as they are.
_ATOMS = (int, float, complex, str, bytes, bool, type(None), torch.dtype)


@dataclass(frozen=True)
class Example:
    """One example as hypothesis ran it: the drawn arguments, the interactive draws, whether it ran."""
    kwargs: dict[str, Any]
    data_names: tuple[str, ...]  # arguments that were st.data() objects (replayed from ``draws``)
    draws: tuple[tuple[str, Any], ...]  # (the strategy's repr, the value drawn), in order
    valid: bool  # False: the test rejected it with assume()


class _Mismatch(BaseException):
    """A replayed example asked for something the kept one did not (a BaseException: no test's ``except
    Exception`` may swallow it)."""


def _frozen(value: Any) -> bool:
    if isinstance(value, _ATOMS):
        return True
    return isinstance(value, tuple) and all(_frozen(v) for v in value)


def _copy(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v if _frozen(v) else copy.deepcopy(v) for k, v in kwargs.items()}


def _replayable(strategy: Any) -> str | None:
    """The strategy's repr when it says all that decides the strategy's draws, else None: a repr with a
    function in it (``.map(lambda ...)``) does not show what the function's closure holds."""
    text = repr(strategy)
    return None if "lambda" in text or "<function" in text or " at 0x" in text else text


class _RecordingData:
    """Stands for st.data() while examples are kept: draws through hypothesis, remembering each draw."""

    def __init__(self, data: DataObject, draws: list):
        self._data, self._draws = data, draws

    def draw(self, strategy: Any, label: Any = None) -> Any:
        value = self._data.draw(strategy, label=label)
        self._draws.append((_replayable(strategy), value if _frozen(value) else copy.deepcopy(value)))
        return value


class _ReplayData:
    """Stands for st.data() on replay: hands out the kept draws, if the test asks for the same strategies."""

    def __init__(self, draws: list):
        self._draws = draws

    def draw(self, strategy: Any, label: Any = None) -> Any:
        if not self._draws:
            raise _Mismatch
        kept, value = self._draws.pop(0)
        if kept is None or _replayable(strategy) != kept:
            raise _Mismatch
        return value if _frozen(value) else copy.deepcopy(value)


_kept: dict[tuple, tuple[Example, ...]] = {}


def kept() -> dict[tuple, list[tuple]]:
    """The examples this process keeps, as plain data (``stored_examples`` writes them at build time)."""
    return {key: [(e.kwargs, e.data_names, e.draws, e.valid) for e in examples] for key, examples in _kept.items()}


def keep(stored: dict[tuple, list[tuple]]) -> int:
    """Keep examples that ``kept()`` gave (in another process, for the same tests and settings: the keys say
    so), as if this process had drawn them; a test this process has examples of keeps its own. How many kept."""
    added = 0
    for key, examples in stored.items():
        if key not in _kept:
            _kept[key] = tuple(Example(dict(kwargs), tuple(names), tuple(map(tuple, draws)), bool(valid))
                               for kwargs, names, draws, valid in examples)
            added += 1
    return added


def _key(nodeid: str, function: Any, inner: Any) -> tuple | None:
    """What the kept examples of test ``nodeid`` are valid for, or None where hypothesis's draws are not
    reproducible (a random profile, a pinned seed, a reproduce_failure)."""
    settings = getattr(function, "_hypothesis_internal_use_settings", None)
    if (settings is None or not settings.derandomize or settings.database is not None
            or getattr(function, "_hypothesis_internal_use_seed", None) is not None
            or getattr(function, "_hypothesis_internal_use_reproduce_failure", None) is not None):
        return None
    # function_digest is the test's derandomized seed (with grading's salt: autograder.harness)
    return nodeid, hypothesis_core.function_digest(inner), repr(settings)


def run_test(item: Any) -> bool:
    """Run the hypothesis test ``item`` (a pytest Function); False if it is not one (pytest runs it)."""
    return run(item.nodeid, item.obj, {name: item.funcargs[name] for name in item._fixtureinfo.argnames})


def run(nodeid: str, function: Any, fixtures: dict[str, Any]) -> bool:
    """Run test ``nodeid``, ``function(**fixtures)``, replaying its examples where it can; raises what the test
    raises. False, having run nothing, if ``function`` is not a hypothesis test."""
    handle = getattr(function, "hypothesis", None)
    inner = getattr(handle, "inner_test", None)
    if inner is None:
        return False
    key = _key(nodeid, function, inner)
    if key is None:
        function(**fixtures)
        return True
    examples = _kept.get(key)
    if examples is not None and _replays(function, inner, fixtures, examples):
        return True
    if examples is not None:  # kept from an earlier submission: this one differs, hypothesis decides
        function(**fixtures)
        return True
    drawn = _run_keeping(function, handle, inner, fixtures)
    if drawn is not None:
        _kept[key] = drawn
    return True


def _reseed() -> None:
    """Seed every generator hypothesis manages (``random``, numpy's, registered ones) as its
    ``deterministic_PRNG`` does on entry."""
    state = entropy._seeded_state(0)[0]
    for ref in list(entropy.RANDOMS_TO_MANAGE.data.values()):
        r = ref()
        if r is not None:
            r.setstate(state) if type(r) is Random else r.seed(0)


def _replays(function: Any, inner: Any, fixtures: dict, examples: tuple[Example, ...]) -> bool:
    """Whether the test's body ends every kept example with the kept status (True: the test passed)."""
    # hypothesis runs each example inside deterministic_PRNG(): the generators seeded on entry, the caller's
    # states restored on exit. Nothing runs between one example's exit and the next one's entry, so entering
    # once for the test and seeding again before each example is the same, at half the cost.
    with deterministic_PRNG():
        for number, example in enumerate(examples):
            kwargs = {**fixtures, **_copy(example.kwargs)}
            draws = list(example.draws)
            for name in example.data_names:
                kwargs[name] = _ReplayData(draws)
            if number:
                _reseed()
            with BuildContext(ConjectureData.for_choices(()), wrapped_test=function):  # assume, note need it
                try:
                    inner(**kwargs)
                    valid = True
                except UnsatisfiedAssumption:
                    valid = False
                except (Exception, _Mismatch):
                    return False
                except BaseException as stop:  # pytest's skip/fail outcomes: hypothesis decides them
                    if isinstance(stop, (KeyboardInterrupt, SystemExit)):
                        raise
                    return False
            if valid != example.valid or draws:
                return False
    return True


def _run_keeping(function: Any, handle: Any, inner: Any, fixtures: dict) -> tuple[Example, ...] | None:
    """Run the test under hypothesis as always (raising what it raises); the examples it ran when it passed."""
    kept: list[Example] = []
    positional: list = []

    def body(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # pytest's report shows the test, not this stand-in
        drawn = {k: v for k, v in kwargs.items() if k not in fixtures}
        data_names = tuple(k for k, v in drawn.items() if isinstance(v, DataObject))
        values = _copy({k: v for k, v in drawn.items() if k not in data_names})
        draws: list = []
        for name in data_names:
            kwargs[name] = _RecordingData(kwargs[name], draws)
        try:
            result = inner(*args, **kwargs)
        except UnsatisfiedAssumption:
            kept.append(Example(values, data_names, tuple(draws), False))
            raise
        if args:  # hypothesis passes a pytest test's arguments by name; anything else is not kept
            positional.append(args)
        kept.append(Example(values, data_names, tuple(draws), True))
        return result

    body.__name__, body.__qualname__ = inner.__name__, inner.__qualname__
    body.__wrapped__ = inner  # type: ignore[attr-defined]  # the same signature for hypothesis
    # The body stands in for the test inside hypothesis, which seeds its draws from the test's digest.
    function._hypothesis_internal_use_seed = int_from_bytes(hypothesis_core.function_digest(inner))
    handle.inner_test = body
    try:
        function(**fixtures)
    finally:
        handle.inner_test = inner
        function._hypothesis_internal_use_seed = None
    return None if positional else tuple(kept)
