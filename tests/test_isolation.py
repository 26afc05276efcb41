"""The sandbox fences student code off: it cannot see the grader's files, write results, outlive its
grading, or take the machine's memory; a hang or a crash costs one function, not the submission."""
import os
import textwrap
import time
from pathlib import Path

import pytest

from autograder.course import REPO
from autograder.isolation import SANDBOX_UID_BASE, Limits, become_subreaper, isolation_available
from autograder.sandbox import Sandbox
from kitcheck.transport import StudentError

ISOLATED, WHY = isolation_available()
needs_isolation = pytest.mark.skipif(not ISOLATED, reason=f"isolation unavailable here: {WHY}")
MARKER = f"kit-isolation-test-{os.getpid()}"

STUDENT = textwrap.dedent(f'''
    import os, resource, subprocess, sys, threading, time
    import torch

    def probe(paths):
        seen = {{}}
        for name, path in paths.items():
            try:
                with open(path, "rb") as f:
                    f.read(10)
                seen[name] = "read"
            except Exception as exc:
                seen[name] = type(exc).__name__
        try:
            import autograder
            seen["import autograder"] = "imported"
        except ImportError as exc:
            seen["import autograder"] = type(exc).__name__
        seen["uid"] = os.getuid()
        seen["repo"] = sorted(os.listdir({str(REPO)!r}))
        seen["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
        return seen

    def write(path):
        try:
            with open(path, "w") as f:
                f.write("forged")
            return "wrote"
        except Exception as exc:
            return type(exc).__name__

    def memory_bomb():
        return torch.ones(2**33).sum()  # 32 GiB

    def detach():
        p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "{MARKER}"],
                             start_new_session=True)
        return p.pid

    def hang():
        while True:
            pass

    def deadlock():
        lock = threading.Lock()
        lock.acquire()
        lock.acquire()

    def crash():
        os._exit(3)

    def fine(x):
        return x + 1

    def grader_modules():
        import sys
        try:
            import autograder
            found = "imported"
        except ImportError as exc:
            found = type(exc).__name__
        return [found] + sorted(m for m in sys.modules if m.startswith("autograder"))

    def handles():
        kinds = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                kinds.append(os.readlink(f"/proc/self/fd/{{fd}}").split(":")[0])
            except OSError:
                pass
        return sorted(kinds)
''')


@pytest.fixture(params=["fork server", "fresh process"])
def box(request, monkeypatch):
    # Sandboxes are forked from a warm server by default; the fence must be the same either way.
    if request.param == "fresh process":
        monkeypatch.setenv("KIT_NO_FORK_SERVER", "1")
    become_subreaper()
    sandbox = Sandbox([(0, STUDENT)], call_timeout=3, limits=Limits(memory_bytes=6 * 2**30))
    sandbox.start()
    yield sandbox
    sandbox.shutdown()


@needs_isolation
def test_student_code_cannot_see_the_graders_files(box, tmp_path):
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    paths = {"hidden tests": REPO / "autograder" / "assignments" / "tensors" / "test_hidden.py",
             "source": REPO / "source" / "tensors" / "tensors.ipynb",
             "samples": REPO / "samples" / "tensors" / "solution.ipynb",
             "results": secret}
    seen = box.call("probe", ({k: str(v) for k, v in paths.items()},), {})
    assert {k: seen[k] for k in paths} == {k: "FileNotFoundError" for k in paths}
    assert seen["import autograder"] == "ModuleNotFoundError"
    assert seen["uid"] == box.plan.uid >= SANDBOX_UID_BASE and seen["nproc"] == Limits().processes
    venv = Path(os.sys.prefix).resolve()
    assert set(seen["repo"]) == {"kitcheck"} | ({venv.name} if venv.parent == REPO else set())


@needs_isolation
def test_student_code_cannot_write_where_results_are_kept(box, tmp_path):
    target = tmp_path / "grades.csv"
    assert box.call("write", (str(target),), {}) in ("FileNotFoundError", "PermissionError")
    assert not target.exists()
    assert box.call("write", (str(REPO / "forged.txt"),), {}) != "wrote"
    assert not (REPO / "forged.txt").exists()


def test_a_sandbox_holds_no_handle_on_the_grader_or_other_sandboxes(box):
    # Only its two protocol pipes: no socket to the fork server, no status pipe of an earlier sandbox.
    box.close()
    box.start()  # a second child of the same server
    kinds = box.call("handles", (), {})
    assert "socket" not in kinds and kinds.count("pipe") == 2, kinds


def _alive(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


@needs_isolation
def test_nothing_the_student_starts_outlives_the_sandbox(box):
    pid = box.call("detach", (), {})
    deadline = time.monotonic() + 10
    while pid not in _alive(MARKER) and time.monotonic() < deadline:
        time.sleep(0.05)  # until it has exec'd: a forked process shows its parent's command line before
    assert pid in _alive(MARKER)
    box.close()
    time.sleep(0.2)
    assert _alive(MARKER) == []


@needs_isolation
def test_a_memory_bomb_hits_the_limit_and_costs_only_that_call(box):
    with pytest.raises(StudentError):
        box.call("memory_bomb", (), {})
    assert box.call("fine", (1,), {}) == 2


@pytest.mark.parametrize("name", ["hang", "deadlock", "crash"])
def test_a_hang_deadlock_or_crash_costs_only_that_function(box, name):
    start = time.monotonic()
    with pytest.raises(StudentError, match="did not return within 3 s|stopped"):
        box.call(name, (), {})
    assert time.monotonic() - start < 30
    with pytest.raises(StudentError):  # it stays failed, at once: hypothesis must not wait again
        box.call(name, (), {})
    assert box.call("fine", (41,), {}) == 42  # a fresh process serves the other functions


def test_a_function_that_prints_a_lot_still_returns_its_answer():
    # Debug prints in a loop (3 MB a call here, 120 MB in all) exceed the sandbox's file limit: the log keeps the
    # first part, and print never raises "File too large" inside a correct function.
    code = "import sys\ndef chatty(x):\n    print('x' * 3_000_000)\n    print('e' * 1000, file=sys.stderr)\n    return x + 1"
    with Sandbox([(0, code)]) as sandbox:
        assert [sandbox.call("chatty", (i,), {}) for i in range(40)] == list(range(1, 41))


@pytest.mark.parametrize("level", ["best", "limits"])
def test_a_data_loader_with_worker_processes_works_in_the_sandbox(level):
    # Course code loads batches with DataLoader(num_workers=2): its locks need a writable /dev/shm and its
    # batches must reach the loader from the worker processes, at every isolation level, as in Jupyter.
    from autograder.isolation import best_level

    code = textwrap.dedent("""
        import torch
        from torch.utils.data import DataLoader, TensorDataset
        def batches(n):
            data = TensorDataset(torch.arange(n, dtype=torch.float64).reshape(-1, 1))
            return [b.flatten() for (b,) in DataLoader(data, batch_size=4, num_workers=2, timeout=20)]
    """)
    become_subreaper()
    with Sandbox([(0, code)], level=best_level()[0] if level == "best" else level, call_timeout=60) as sandbox:
        got = sandbox.call("batches", (10,), {})
    assert [b.tolist() for b in got] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_the_sandboxs_output_keeps_its_first_part_and_drops_the_rest(tmp_path):
    # In a process of its own: importing the sandbox's module here would make this test process look like a
    # grading sandbox to kitcheck (check_all is silent there) for the tests that follow it.
    import subprocess
    import sys

    script = textwrap.dedent(f"""
        import os
        from kitcheck.sandbox_child import _capped_text
        fd = os.open({str(tmp_path / "log")!r}, os.O_WRONLY | os.O_CREAT)
        out = _capped_text(fd, limit=1000)
        for i in range(100):
            print(f"line {{i:3d}} " + "x" * 40, file=out)
        out.flush()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, timeout=120)
    log = (tmp_path / "log").read_bytes()
    assert log.startswith(b"line   0 ") and log.endswith(b"\n[the rest of the output is not kept]\n")
    assert len(log) == 1000 + len(b"\n[the rest of the output is not kept]\n")


def test_a_cell_that_hangs_or_exits_is_skipped_and_the_rest_still_runs():
    become_subreaper()
    cells = [(0, "import os\ndef before(): return 1"), (1, "while True: pass"), (2, "os._exit(0)"),
             (3, "def after(): return 2")]
    with Sandbox(cells, cell_timeout=3) as sandbox:
        assert sandbox.call("before", (), {}) == 1 and sandbox.call("after", (), {}) == 2
        errors = {e["cell"]: e["error"] for e in sandbox.cell_errors}
    assert "did not finish within 3 s" in errors[1] and "ended the Python process" in errors[2]


@needs_isolation
def test_a_server_forked_from_the_grader_leaves_it_no_grader_module(monkeypatch):
    # Workers fork their sandbox server from themselves (saving an import of torch) before loading any
    # hidden test; the sandboxes must still find no `autograder` at all.
    import sys

    from autograder import forkserver, sandbox

    become_subreaper()
    for name in [m for m in sys.modules if m.startswith("autograder.assignments.")]:
        monkeypatch.delitem(sys.modules, name)  # as in a fresh worker: no grader material loaded yet
    server = forkserver.ForkServer()
    server.start(sandbox._base_env(), fork=True)
    assert isinstance(server.proc, forkserver._ForkedProcess)
    monkeypatch.setattr(sandbox, "_FORK_SERVER", server)
    try:
        with Sandbox([(0, STUDENT)]) as box:
            assert box.call("grader_modules", (), {}) == ["ModuleNotFoundError"]
        # Once hidden tests are loaded, a (re)start never forks: it starts a fresh Python instead.
        monkeypatch.setitem(sys.modules, "autograder.assignments.example.test_hidden", object())
        server.start(sandbox._base_env(), fork=True)
        assert not isinstance(server.proc, forkserver._ForkedProcess)
    finally:
        server.close()


def test_the_fork_server_preloads_the_modules_it_is_given(monkeypatch):
    # The worker names the modules its release notebook imports (scikit-learn's datasets take 0.6 s); the
    # server imports them once, so each sandbox finds them loaded. An unknown name costs nothing.
    from autograder import forkserver, sandbox

    become_subreaper()
    server = forkserver.ForkServer()
    monkeypatch.setattr(sandbox, "_FORK_SERVER", server)
    cells = [(0, "import sys\ndef loaded(name): return name in sys.modules")]
    try:
        with Sandbox(cells) as box:
            assert box.call("loaded", ("tabnanny",), {}) is False
        with Sandbox(cells, preload=("tabnanny", "no_such_module_here")) as box:
            assert box.call("loaded", ("tabnanny",), {}) is True
            assert box.call("loaded", ("no_such_module_here",), {}) is False
    finally:
        server.close()


def test_the_modules_a_notebook_imports_are_read_from_its_code():
    import nbformat

    from autograder.notebook import modules_imported
    from autograder.worker import release_imports

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%matplotlib inline\nimport torch, os.path as p\nfrom torch import nn"),
        nbformat.v4.new_code_cell("from . import sibling\ndef f(:"),  # relative: no; broken cell: skipped
        nbformat.v4.new_markdown_cell("import not_code"),
        nbformat.v4.new_code_cell("def g():\n    import sklearn.datasets as d\n    return d"),
    ])
    assert modules_imported(nb) == ["torch", "os.path", "sklearn.datasets"]
    assert "sklearn.datasets" in release_imports("cnn") and "cv2" in release_imports("cnn")


def test_a_submission_that_edits_its_input_in_the_sandbox_is_caught_by_the_grader():
    """The sandbox sends the inputs back as they are after the call; the grader compares them itself."""
    import torch

    from kitcheck.transport import InputChanged

    cells = [(0, "def var_mean(x, dim, unbiased):\n    m = x.mean(dim, keepdim=True)\n    x -= m\n"
                 "    return (x * x).sum(dim), m\n\ndef tidy(x):\n    return (x - x.mean()).abs()\n")]
    x = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    with Sandbox(cells) as box:
        with pytest.raises(InputChanged, match=r"element \[0, 0\] was 1.0, now -0.5"):
            box.call("var_mean", (x, 1, True), {})
        assert box.call("tidy", (x,), {}).tolist() == [[1.75, 0.75], [0.25, 2.25]]
    assert x.tolist() == [[1.0, 2.0], [3.0, 5.0]]


def test_the_sandbox_sends_inputs_back_only_when_a_call_may_have_changed_them(monkeypatch):
    """Inputs a call left alone are not sent back (most calls); every kind of change still is, and is caught."""
    import torch

    from autograder import sandbox as sandbox_module
    from kitcheck.transport import InputChanged
    from kitcheck.wire import loads

    answers = []
    read = sandbox_module.read_msg
    monkeypatch.setattr(sandbox_module, "read_msg", lambda fd, deadline=None: answers.append(read(fd, deadline))
                        or answers[-1])
    cells = [(0, "def tidy(x, scale=1.0, *, extra=None):\n    return (x - x.mean()).abs() * scale\n"
                 "def edit(x, how, *, extra=None):\n"
                 "    if how == 'value': x[0, 0] = 9.0\n"
                 "    if how == 'kwarg': extra[1] = 7.0\n"
                 "    if how == 'list': x[1].zero_()\n"
                 "    if how == 'shape': x.resize_(4)\n"
                 "    if how == 'strides': x.t_()\n"
                 "    return 0\n")]
    x = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    with Sandbox(cells) as box:
        assert box.call("tidy", (x, 2.0), {"extra": torch.ones(3)}).tolist() == [[3.5, 1.5], [0.5, 4.5]]
        assert set(loads(answers[-1])) == {"ok"}
        for how, args, kwargs, found in [
                ("value", (x.clone(), "value"), {}, r"element \[0, 0\] was 1.0, now 9.0"),
                ("kwarg", (x.clone(), "kwarg"), {"extra": torch.zeros(2)}, r"`extra`.*element \[1\] was 0.0, now 7.0"),
                ("list", ([x.clone(), x.clone()], "list"), {}, r"\[1\] element \[0, 0\] was 1.0, now 0.0"),
                ("shape", (x.clone(), "shape"), {}, r"shape of it went from \(2, 2\) to \(4,\)"),
                ("strides", (x.clone(), "strides"), {}, r"element \[0, 1\] was 2.0, now 3.0")]:
            with pytest.raises(InputChanged, match=found):
                box.call("edit", args, kwargs)
            assert set(loads(answers[-1])) == {"ok", "after"}, how


def test_a_sandbox_that_hides_its_in_place_change_hides_only_that_its_value_is_still_judged():
    """Attack: the notebook replaces the sandbox's change test, so no input ever comes back. It hides its own
    in-place edit and nothing else: the grader's tensors stay as sent and the returned value is what is judged."""
    import torch

    from kitcheck.transport import InputChanged

    forger = ("import sys\n"
              "for m in (sys.modules.get('__main__'), sys.modules.get('kitcheck.sandbox_child')):\n"
              "    if m is not None and hasattr(m, 'changed'):\n"
              "        m.changed = lambda req, raw: False\n"
              "def edit(x):\n"
              "    x[0, 0] = 9.0\n"
              "    return x.sum()\n")
    honest = "def edit(x):\n    x[0, 0] = 9.0\n    return x.sum()\n"
    x = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    with Sandbox([(0, honest)]) as box:
        with pytest.raises(InputChanged):
            box.call("edit", (x,), {})
    with Sandbox([(0, forger)]) as box:
        got = box.call("edit", (x,), {})  # the edit is hidden ...
    assert got.item() == 19.0 and got.item() != x.sum().item()  # ... and the value it returned is judged as it is
    assert x.tolist() == [[1.0, 2.0], [3.0, 5.0]]  # the grader's own input never changes
