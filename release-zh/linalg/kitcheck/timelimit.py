"""A time limit on each call ``check`` makes to a student's function, in the student's own kernel.

A loop that never ends must not hang the notebook: the call is stopped after a few seconds and the kernel
stays usable. How, depends on where ``check`` runs:

- ``alarm`` (Linux, macOS; the main thread, where Jupyter runs cells): ``SIGALRM`` raises ``TimeLimit``;
- ``interrupt`` (Windows, main thread): a watchdog thread interrupts the main thread as Jupyter's stop
  button does (an interrupt it did not send is the student's own and passes through);
- ``thread`` (any other thread): the call runs in a helper thread that is abandoned, still running.

The interrupt repeats every ``REPEAT`` s until the call returns, so code that swallows one exception is
stopped by the next; a loop that swallows every exception forever cannot be stopped (nor by Jupyter).
"""
from __future__ import annotations

import signal
import threading
import time
from typing import Any, Callable

REPEAT = 0.25


class TimeLimit(BaseException):
    """Raised inside the student's code when the call ran out of time (not an Exception: the student's
    ``except Exception`` does not swallow it)."""


class CallTimedOut(BaseException):
    """A call of the student's code did not finish within ``seconds``. Not an Exception: hypothesis re-raises
    it at once instead of shrinking (which would run the endless call again). ``inputs``: what the call
    received, filled in by the check that made it (``kitcheck.compare.call``)."""

    def __init__(self, seconds: float, still_running: bool = False):
        super().__init__(f"did not finish within {seconds:g} s")
        self.seconds, self.still_running = seconds, still_running
        self.whole_check = False  # the check's total budget ran out (``Budget``), not one call's limit
        self.inputs: dict | None = None


def mechanism() -> str:
    """How a call made from this thread is stopped: "alarm", "interrupt" or "thread"."""
    if threading.current_thread() is not threading.main_thread():
        return "thread"
    return "alarm" if hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer") else "interrupt"


def call_with_time_limit(thunk: Callable[[], Any], seconds: float | None) -> Any:
    """``thunk()``, or raise ``CallTimedOut`` when it has not returned after ``seconds`` (None: no limit)."""
    if not seconds or seconds == float("inf"):
        return thunk()
    how = mechanism()
    return _in_thread(thunk, seconds) if how == "thread" else _stoppable(thunk, seconds, how)


def _stoppable(thunk: Callable[[], Any], seconds: float, how: str) -> Any:
    state = {"armed": True, "fired": False}
    stop = TimeLimit if how == "alarm" else KeyboardInterrupt
    if how == "alarm":
        def on_alarm(signum, frame):
            if state["armed"]:
                state["fired"] = True
                raise TimeLimit()

        previous = signal.signal(signal.SIGALRM, on_alarm) or signal.SIG_DFL
        signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)

        def disarm():
            state["armed"] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    else:
        import _thread

        done = threading.Event()

        def watchdog():
            wait = seconds
            while not done.wait(wait) and state["armed"]:
                state["fired"] = True
                _thread.interrupt_main()
                wait = REPEAT

        dog = threading.Thread(target=watchdog, name="kitcheck-time-limit", daemon=True)
        dog.start()

        def disarm():
            state["armed"] = False
            done.set()
            dog.join()
            if state["fired"]:  # an interrupt sent just before it stopped arrives here, not in later code
                try:
                    for _ in range(1000):
                        pass
                    time.sleep(0.02)
                except KeyboardInterrupt:
                    pass

    outcome: tuple[str, Any] = ("raised", None)
    try:
        try:
            outcome = ("returned", thunk())
        except BaseException as exc:  # noqa: BLE001 - judged below, with what the time limit did
            outcome = ("raised", exc)
        finally:
            state["armed"] = False
    except stop:  # arrived between the call's end and the line above
        if not state["fired"]:
            raise
    finally:
        disarm()
    kind, value = outcome
    if state["fired"]:  # past the limit, whatever happened once stopped
        raise CallTimedOut(seconds)
    if kind == "raised":
        raise value
    return value


def _in_thread(thunk: Callable[[], Any], seconds: float) -> Any:
    box: dict[str, Any] = {}

    def run():
        try:
            box["returned"] = thunk()
        except BaseException as exc:  # noqa: BLE001 - handed over to the caller
            box["raised"] = exc

    worker = threading.Thread(target=run, name="kitcheck-student-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise CallTimedOut(seconds, still_running=True)
    if "raised" in box:
        raise box["raised"]
    return box.get("returned")


class Budget:
    """The limits of one ``check``: ``per_call`` seconds for each call, ``total`` for all of them."""

    def __init__(self, per_call: float | None, total: float | None = None):
        self.per_call, self.total = per_call, total
        self.deadline = None if total is None else time.monotonic() + total

    def call(self, thunk: Callable[[], Any]) -> Any:
        left = None if self.deadline is None else max(self.deadline - time.monotonic(), 0.001)
        whole = left is not None and (self.per_call is None or left < self.per_call)
        try:
            return call_with_time_limit(thunk, left if whole else self.per_call)
        except CallTimedOut as exc:
            if whole:
                assert self.total is not None  # a deadline (so ``left``) exists only with a total
                exc.whole_check, exc.seconds = True, self.total
            raise
