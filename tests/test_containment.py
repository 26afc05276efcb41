"""Containment, round two: attacks written for this kit's own design, each of which must gain nothing.

- processes that escape the sandbox's process tree (``clone(CLONE_PARENT)``, double forks into new sessions)
  and try to kill later sandboxes: killed with the sandbox, by user; an honest submission graded after the
  attacker, or beside it, keeps its full score;
- state that outlives the sandbox (files in world-writable folders, System V shared memory): removed;
- secrets in the sandbox: the grader's environment is not inherited, and the list of submissions never
  reaches the sandbox's memory;
- a forged frame that would expand (shared references) or recurse (deep nesting) in the decoder: refused at
  once; a small view of a large tensor ships as the view;
- forged "a new cell started" messages: the cells' time is counted on the grader's clock.
"""
import json
import os
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
import torch

from autograder.course import SAMPLES
from autograder.grade import Submission, grade_batch
from autograder.isolation import SANDBOX_UID_BASE, WORLD_WRITABLE, become_subreaper, isolation_available
from autograder.sandbox import Sandbox
from kitcheck.assignments import ASSIGNMENTS
from kitcheck.transport import MAX_RESULT_BYTES, StudentError
from kitcheck.wire import HEAD, MAGIC, decode, encode_result

ISOLATED, WHY = isolation_available()
needs_isolation = pytest.mark.skipif(not ISOLATED or sys.platform != "linux" or os.uname().machine != "x86_64",
                                     reason=f"needs a root grader on x86-64 Linux ({WHY})")
TENSORS = ASSIGNMENTS["tensors"]

ESCAPE = textwrap.dedent('''
    import ctypes, os, time, signal
    libc = ctypes.CDLL(None, use_errno=True)

    def _killer(seconds):
        me, end = os.getpid(), time.time() + seconds
        while time.time() < end:
            for p in os.listdir("/proc"):
                if p.isdigit() and int(p) != me:
                    try:
                        os.kill(int(p), signal.SIGKILL)
                    except Exception:
                        pass
            time.sleep(0.02)
        os._exit(0)

    # 1. a child of the sandbox's parent (clone with CLONE_PARENT), outside its process group
    if libc.syscall(56, 0x00008000 | 17, 0, 0, 0, 0) == 0:
        _killer(90)
    # 2. a double fork into a new session
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            _killer(90)
        os._exit(0)
    # 3. state meant to outlive the sandbox: files in every world-writable folder, shared memory
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
        try:
            with open(os.path.join(folder, "kit-left-behind"), "wb") as f:
                f.write(b"x" * 2**20)
        except OSError:
            pass
    libc.shmget(0x4B495400 + os.getpid() % 1000, 32 * 2**20, 0o1666)
''')


def _notebook(path: Path, extra: str = "") -> Path:
    """The tensors solution, as a release notebook filled in, with ``extra`` code in its first cell."""
    nb = nbformat.read(SAMPLES / "tensors" / "solution.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = first.source + "\n" + extra
    nbformat.write(nb, path)
    return path


def _added(before: dict, after: dict) -> dict:
    return {k: [x for x in after[k] if x not in before[k]] for k in after}


def _orphaned(uid: int) -> bool:
    """Whether ``uid`` is a sandbox user whose grading process is gone (sandbox_uid(): the base plus that
    process's pid). A sandbox user's process or file that outlives its grader escaped; one whose grader still
    runs belongs to a grader at work (another test, in parallel under pytest-xdist), not to this test."""
    return uid >= SANDBOX_UID_BASE and not Path(f"/proc/{uid - SANDBOX_UID_BASE}").exists()


def test_leftovers_count_only_sandbox_users_whose_grader_is_gone():
    import subprocess
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no process has now
    assert _orphaned(SANDBOX_UID_BASE + gone.pid)
    assert not _orphaned(SANDBOX_UID_BASE + os.getpid())  # this grader is at work
    assert not _orphaned(os.getuid()) and not _orphaned(0)  # not a sandbox user


def _leftovers() -> dict:
    procs = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    uids = set()
    for p in procs:
        try:
            lines = (p / "status").read_text().splitlines()
            uid_line = next(ln for ln in lines if ln.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if any(ln.startswith("State:") and ln.split()[1] in ("Z", "X") for ln in lines):
            continue  # dead, not yet reaped by its parent
        uids.update(int(u) for u in uid_line.split()[1:] if _orphaned(int(u)))
    files = []
    for folder in WORLD_WRITABLE:
        try:
            files += [e.path for e in os.scandir(folder) if _orphaned(e.stat(follow_symlinks=False).st_uid)]
        except OSError:
            pass
    shm = [ln for ln in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
           if _orphaned(int(ln.split()[7]))] if Path("/proc/sysvipc/shm").exists() else []
    return {"processes of sandbox users": sorted(uids), "files": files, "shared memory": shm}


@needs_isolation
@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_an_escaped_killer_cannot_touch_the_next_or_a_concurrent_submission(tmp_path, jobs):
    attacker = _notebook(tmp_path / "a-attacker.ipynb", ESCAPE)
    honest = _notebook(tmp_path / "b-honest.ipynb")
    later = _notebook(tmp_path / "c-later.ipynb")
    before = _leftovers()  # other graders on this machine may be at work: only what this batch adds counts
    results = grade_batch(TENSORS, [Submission("a-attacker", attacker), Submission("b-honest", honest),
                                    Submission("c-later", later)], tmp_path / "out", jobs=jobs, progress=False)
    scores = {r.id: (r.score, r.status) for r in results}
    assert scores["b-honest"] == (20, "graded") and scores["c-later"] == (20, "graded"), scores
    assert _added(before, _leftovers()) == {"processes of sandbox users": [], "files": [], "shared memory": []}


@needs_isolation
def test_the_sandbox_inherits_no_secret_of_the_grader(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADER_TOKEN", "s3cret-token-17")
    monkeypatch.setenv("KIT_GRADESCOPE_ROOT", "/autograder")
    roster = tmp_path / "class" / "roster-bob-4711" / "tensors"
    roster.mkdir(parents=True)
    code = textwrap.dedent('''
        import ctypes, gc, os
        def look(backwards, control_backwards):
            # The needles are built here, the same way (a needle is in memory once it exists): a leak shows as
            # more copies of the real one than of a control that the grader never had.
            return dict(os.environ), _count(backwards[::-1]), _count(control_backwards[::-1])

        def _count(marker):
            in_objects = sum(marker in o for o in gc.get_objects() if type(o) is str)
            in_memory = 0
            with open("/proc/self/maps") as maps:  # every private writable region: heap, arenas, stacks
                for line in maps:
                    parts = line.split()
                    if not parts[1].startswith("rw") or (len(parts) > 5 and not parts[5].startswith("[")):
                        continue
                    if len(parts) > 5 and parts[5] in ("[vvar]", "[vsyscall]"):
                        continue
                    start, end = (int(x, 16) for x in parts[0].split("-"))
                    if end - start <= 2**28:
                        in_memory += ctypes.string_at(start, end - start).count(marker.encode())
            return in_objects, in_memory
    ''')
    become_subreaper()
    with Sandbox([(0, code)], hide=[roster]) as box:
        env, real, control = box.call("look", ("roster-bob-4711/tensors"[::-1], "roster-eve-4711/tensors"[::-1]), {})
    assert "GRADER_TOKEN" not in env and not any(k.startswith("KIT_") for k in env), sorted(env)
    assert "s3cret-token-17" not in json.dumps(env)
    assert real == control  # the submissions' folders never reach the sandbox's memory


def _frame(header: bytes, data: bytes = b"") -> bytes:
    """A frame as a forger writes it: any header, any bytes after it."""
    return HEAD.pack(MAGIC, len(header)) + header + data


def test_a_forged_frame_of_many_parts_is_refused_at_once():
    header = b'["d",["ok",["l",' + b",".join([b"[\"l\",1]"] * 300_000) + b"]]]"  # 3 MB: 300,000 lists
    start = time.perf_counter()
    with pytest.raises(StudentError, match="BadResult"):
        decode(_frame(header))
    assert time.perf_counter() - start < 2.0


def test_honest_values_that_share_immutable_parts_still_decode():
    value = ((), [(), {"a": ()}], torch.ones(2))
    got = decode(encode_result(value))
    assert got[0] == () and got[1][0] == () and got[1][1] == {"a": ()} and got[2].tolist() == [1.0, 1.0]


def test_a_forged_frame_nested_20000_deep_is_refused_without_crashing_the_decoder():
    depth = 20000
    with pytest.raises(StudentError, match="BadResult"):
        decode(_frame(b'["d",["ok",' + b'["l",' * depth + b"1" + b"]" * depth + b"]]"))
    with pytest.raises(StudentError, match="BadResult"):
        decode(_frame(b"[" * depth + b"]" * depth))  # deeper than JSON's own reader goes
    with pytest.raises(StudentError, match="ResultTooLarge"):
        decode(b"x" * (MAX_RESULT_BYTES + 1))


@pytest.mark.parametrize("why, payload", [
    ("a pickle, as torch.save writes it", b"PK\x03\x04" + b"\x00" * 64),
    ("a header longer than the frame", HEAD.pack(MAGIC, 1000) + b"{}"),
    ("an unknown node", _frame(b'["d",["ok",["os.system","ls"]]]')),
    ("a dtype outside the allow-list", _frame(b'["d",["ok",["T","qint8",[2],[1],0,"cpu",2]]]', b"ab")),
    ("a tensor that reaches past its bytes", _frame(b'["d",["ok",["T","float32",[4],[1],0,"cpu",8]]]', b"\0" * 8)),
    ("a tensor whose offset reaches past its bytes",
     _frame(b'["d",["ok",["T","float32",[1],[1],2,"cpu",8]]]', b"\0" * 8)),
    ("a size larger than memory", _frame(b'["d",["ok",["T","uint8",[4294967296,4294967296],[1,1],0,"cpu",1]]]',
                                         b"\0")),
    ("a negative stride", _frame(b'["d",["ok",["T","float32",[2],[-1],1,"cpu",8]]]', b"\0" * 8)),
    ("bytes claimed that are not there", _frame(b'["d",["ok",["T","float32",[2],[1],0,"cpu",8]]]', b"\0" * 4)),
    ("bytes left over", _frame(b'["d",["ok",1]]', b"\0" * 4)),
    ("a device that does not exist", _frame(b'["d",["ok",["T","float32",[1],[1],0,"nowhere:0",4]]]', b"\0" * 4)),
    ("an error that is not [type, message]", _frame(b'["d",["error",["l",1,2,3]]]')),
])
def test_a_forged_frame_is_refused_as_an_unreadable_result(why, payload):
    with pytest.raises(StudentError, match="BadResult"):
        decode(payload)


def test_a_small_view_of_a_large_tensor_ships_as_the_view():
    big = torch.zeros(8 * 2**20)  # 32 MB
    payload = encode_result((big[:3], big[10:12].view(2, 1)))
    assert len(payload) < 4096
    small, other = decode(payload)
    assert small.tolist() == [0.0, 0.0, 0.0] and other.shape == (2, 1)


def test_a_huge_view_of_a_few_bytes_is_refused_before_the_grader_builds_it():
    # A stride-0 view holds as many elements as it likes on 8 bytes of data: the frame stays tiny, but comparing
    # it would make the grader build gigabytes. What the tensors of a frame hold, as views, is bounded like the frame.
    one = torch.zeros(1, dtype=torch.float64)
    for value in (one.expand(40_000, 40_000), [one.expand(2_000, 2_000)] * 3):
        payload = encode_result(value)
        assert len(payload) < 4096
        with pytest.raises(StudentError) as info:
            decode(payload)
        assert info.value.type_name == "ResultTooLarge" and f"{MAX_RESULT_BYTES >> 20} MB" in str(info.value)
    honest = decode(encode_result(one.expand(100, 100)))  # an honest broadcast result still arrives
    assert honest.shape == (100, 100) and honest.stride() == (0, 0)


def test_the_hint_log_keeps_within_its_byte_budget():
    from autograder.misconceptions import CallLog
    from kitcheck.transport import StudentFunction

    big = torch.zeros(2**20)  # 4 MB each
    log = CallLog(StudentFunction("f", lambda name, args, kwargs, driver: big.clone()), max_bytes=16 * 2**20)
    for _ in range(64):
        log()
    assert sum(c[3][1].numel() * 4 for c in log.calls) <= 16 * 2**20


def test_forged_cell_messages_do_not_buy_time():
    """A cell that keeps telling the grader a new cell started, while it computes for longer than the cells'
    time, is stopped on the grader's clock."""
    become_subreaper()
    forger = textwrap.dedent('''
        import os, time
        from kitcheck.protocol import write_msg
        from kitcheck.wire import encode_result
        pipes = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                if int(fd) > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                    pipes.append(int(fd))
            except OSError:
                pass
        end = time.time() + 8
        while time.time() < end:  # "cell 0 is starting", again and again
            for fd in pipes:
                try:
                    write_msg(fd, encode_result({"running": 0}))
                except OSError:
                    pass
            time.sleep(0.3)
        def forged(): return "finished"
    ''')
    start = time.monotonic()
    with Sandbox([(0, forger), (1, "def after(): return 2")], cell_timeout=3) as box:
        assert box.call("after", (), {}) == 2
        with pytest.raises(StudentError):
            box.call("forged", (), {})
        errors = {e["cell"]: e["error"] for e in box.cell_errors}
    assert "did not finish within 3 s" in errors[0]
    assert time.monotonic() - start < 8


@needs_isolation
@pytest.mark.slow
def test_a_worker_stopped_on_timeout_takes_everything_of_its_sandboxes_with_it(tmp_path):
    stuck = _notebook(tmp_path / "stuck.ipynb", textwrap.dedent('''
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(600)
            os._exit(0)
        time.sleep(600)  # the cell outlasts the submission's time limit: the worker is killed
    '''))
    before = _leftovers()
    [result] = grade_batch(TENSORS, [Submission("stuck", stuck)], tmp_path / "out", jobs=1, timeout=20,
                           progress=False, canary=False)
    assert result.status == "error" and "longer than 20 s" in result.error
    assert _added(before, _leftovers())["processes of sandbox users"] == []


@needs_isolation
def test_the_work_folder_has_a_disk_quota_and_nothing_reaches_the_host():
    become_subreaper()
    code = textwrap.dedent('''
        import os
        def fill():
            written = 0
            for i in range(8):  # 8 files of 60 MB: each under the per-file limit, together over the quota
                try:
                    with open(f"big-{i}.bin", "wb") as f:
                        for _ in range(60):
                            f.write(b"x" * 2**20)
                            written += 2**20
                except OSError as exc:
                    return written, type(exc).__name__
            return written, "no error"
    ''')
    with Sandbox([(0, code)]) as box:
        if box.plan.level != "namespaces":
            pytest.skip("the quota needs the namespaces level")
        written, error = box.call("fill", (), {})
        on_host = sum(p.stat().st_size for p in box.workdir.glob("big-*.bin"))
    assert error == "OSError" and written <= box.plan.limits.disk_bytes, (written, error)
    assert on_host == 0


def test_a_sandboxs_dev_shm_is_its_own_small_one_that_no_other_submission_sees():
    # /dev/shm is writable in the sandbox (DataLoader workers need it): an attack that leaves a note there for a
    # later or concurrent submission, or fills it to starve the machine, must find it private and bounded.
    become_subreaper()
    code = textwrap.dedent('''
        import os
        def leave(name):
            with open("/dev/shm/" + name, "w") as f:
                f.write("the answers")
            return sorted(os.listdir("/dev/shm"))
        def look():
            return sorted(os.listdir("/dev/shm"))
        def fill():
            written = 0
            try:
                with open("/dev/shm/fill.bin", "wb") as f:
                    for _ in range(200):
                        f.write(b"x" * 2**20)
                        f.flush()
                        written += 2**20
            except OSError as exc:
                return written, type(exc).__name__
            return written, "no error"
    ''')
    marker = f"kit-note-{os.getpid()}"
    with Sandbox([(0, code)]) as writer, Sandbox([(0, code)]) as reader:
        if writer.plan.level != "namespaces":
            pytest.skip("a private /dev/shm needs the namespaces level")
        assert marker in writer.call("leave", (marker,), {})
        assert marker not in reader.call("look", (), {})  # a concurrent submission
        written, error = writer.call("fill", (), {})
    assert error == "OSError" and written <= writer.plan.limits.shm_bytes, (written, error)
    assert not Path("/dev/shm", marker).exists() and not Path("/dev/shm/fill.bin").exists()  # nothing on the host
    with Sandbox([(0, code)]) as later:
        assert marker not in later.call("look", (), {})  # a later submission


@needs_isolation
@pytest.mark.parametrize("level", ["namespaces", "user", "limits"])
def test_a_sandbox_reaches_no_socket_of_the_host_nor_of_another_sandbox(level):
    # A sandbox that can connect to the host's sockets can ask a grader-side service to run its code: a Dask
    # scheduler on 127.0.0.1 (`grade --cluster local`) runs whatever a client submits, as the grader. The attack
    # tries a TCP listener of the host on 127.0.0.1 and on every address, an abstract Unix socket of the host, and
    # an abstract socket a concurrent sandbox listens on. At the namespaces level (its own network namespace) none
    # may answer, and its own loopback works, as in Jupyter; below it (a seccomp filter) no internet socket can even
    # be made. Abstract Unix sockets are the namespace's alone: below it they stay, as the README says.
    import socket
    import threading

    from autograder.isolation import best_level, syscall_filter_supported

    become_subreaper()
    code = textwrap.dedent('''
        import socket
        def reach(port, abstract):
            got = {}
            for name, family, address in (("tcp 127.0.0.1", socket.AF_INET, ("127.0.0.1", port)),
                                          ("abstract unix", socket.AF_UNIX, "\\0" + abstract)):
                try:
                    with socket.socket(family, socket.SOCK_STREAM) as s:
                        s.settimeout(2)
                        s.connect(address)
                        got[name] = s.recv(64).decode()
                except OSError as exc:
                    got[name] = type(exc).__name__
            return got
        _kept = []
        def listen(abstract):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind("\\0" + abstract)
            s.listen(1)
            _kept.append(s)
            return "listening"
        def own_loopback():
            try:
                server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            except OSError as exc:
                return type(exc).__name__
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            client = socket.create_connection(server.getsockname(), timeout=2)
            conn, _ = server.accept()
            conn.sendall(b"hello")
            data = client.recv(5)
            for s in (conn, client, server):
                s.close()
            return data.decode()
    ''')
    secret = f"kit-secret-{os.getpid()}"
    tcp = socket.create_server(("", 0), family=socket.AF_INET)  # every address of the host, 127.0.0.1 included
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind("\0" + secret)
    unix.listen(4)
    answered = []

    def serve(server):
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            answered.append(server.family)
            conn.sendall(b"the hidden tests")
            conn.close()

    stop = threading.Event()
    threads = [threading.Thread(target=serve, args=(s,), daemon=True) for s in (tcp, unix)]
    for t in threads:
        t.start()
    try:
        if level == "namespaces" and best_level()[0] != level:
            pytest.skip("a network of its own needs the namespaces level")
        if level != "namespaces" and not syscall_filter_supported():
            pytest.skip("the network filter is for x86-64 and arm64 Linux")
        with Sandbox([(0, code)], level=level) as attacker, Sandbox([(0, code)], level=level) as other:
            # the harness works: a process of the host reaches both listeners
            assert _reach_from_host(tcp.getsockname()[1], secret) == {"tcp": "the hidden tests",
                                                                      "unix": "the hidden tests"}
            answered.clear()
            got = attacker.call("reach", (tcp.getsockname()[1], secret), {})
            assert other.call("listen", (secret + "-other",), {}) == "listening"
            from_other = attacker.call("reach", (tcp.getsockname()[1], secret + "-other"), {})
            loop = attacker.call("own_loopback", (), {})
    finally:
        stop.set()
        for t in threads:
            t.join()
        tcp.close()
        unix.close()
    assert got["tcp 127.0.0.1"] != "the hidden tests" and socket.AF_INET not in answered, got
    if level == "namespaces":
        assert got["tcp 127.0.0.1"] == "ConnectionRefusedError", got  # nobody listens in its own network
        assert got["abstract unix"] == "ConnectionRefusedError" and not answered, got
        assert from_other["abstract unix"] == "ConnectionRefusedError", from_other  # another sandbox's socket
        assert loop == "hello"
    else:
        assert got["tcp 127.0.0.1"] == "PermissionError", got  # the filter: no internet socket at all
        assert loop == "PermissionError"


def _reach_from_host(port: int, abstract: str) -> dict:
    import socket

    got = {}
    for name, family, address in (("tcp", socket.AF_INET, ("127.0.0.1", port)),
                                  ("unix", socket.AF_UNIX, "\0" + abstract)):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(address)
            got[name] = s.recv(64).decode()
    return got


KEYRING = textwrap.dedent('''
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    ADD_KEY, KEYCTL = {"x86_64": (248, 250), "aarch64": (217, 219)}[os.uname().machine]
    USER_KEYRING = ctypes.c_long(-4)

    def leave(answer):
        data = answer.encode()
        key = libc.syscall(ADD_KEY, b"user", b"kit-answers", data, len(data), USER_KEYRING)
        if key < 0:
            return "refused", ctypes.get_errno()
        libc.syscall(KEYCTL, 5, ctypes.c_long(key), ctypes.c_long(0x3F3F3F3F))  # SETPERM: readable by all
        return "left", key

    def find():
        key = libc.syscall(KEYCTL, 10, USER_KEYRING, b"user", b"kit-answers", ctypes.c_long(0))  # SEARCH
        if key < 0:
            return None
        buf = ctypes.create_string_buffer(4096)
        size = libc.syscall(KEYCTL, 11, ctypes.c_long(key), buf, ctypes.c_long(4096))  # READ
        return buf.raw[:max(size, 0)].decode()
''')


@needs_isolation
@pytest.mark.parametrize("level", ["namespaces", "user"])
def test_a_submission_leaves_nothing_in_the_kernels_keyrings_for_the_next_one(level):
    # A key belongs to a user, not a process: it outlives the sandbox, and the next submission a worker grades runs
    # as the same user. A submission that stores its answers in its user keyring must find the filter refusing it,
    # and the next submission must find nothing.
    from autograder.isolation import best_level, syscall_filter_supported

    if level == "namespaces" and best_level()[0] != level:
        pytest.skip("needs the namespaces level")
    if not syscall_filter_supported():
        pytest.skip("the syscall filter is for x86-64 and arm64 Linux")
    become_subreaper()
    with Sandbox([(0, KEYRING)], level=level) as first:
        left = first.call("leave", ("def one_hot(labels, num_classes): ...",), {})
        first_uid = first.plan.uid
    with Sandbox([(0, KEYRING)], level=level) as second:
        assert second.plan.uid == first_uid  # the same grading process: the same sandbox user
        found = second.call("find", (), {})
    assert left == ["refused", 13] or left == ("refused", 13), left
    assert found is None


@needs_isolation
def test_a_sandbox_sees_no_other_process_in_proc():
    # /proc shows every process's command line to every user: the grader's (`grade tensors subs/alice.ipynb
    # subs/bob.ipynb ...`, the class list) and other sandboxes'. At the namespaces level the sandbox's /proc shows
    # it its own processes only.
    from autograder.isolation import best_level

    if best_level()[0] != "namespaces":
        pytest.skip("needs the namespaces level")
    become_subreaper()
    code = textwrap.dedent('''
        import os
        def look(pid):
            mine = {os.getpid(), os.getppid()}
            seen = [int(p) for p in os.listdir("/proc") if p.isdigit()]
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    line = f.read().decode(errors="replace")
            except OSError as exc:
                line = type(exc).__name__
            return sorted(set(seen) - mine), line, os.getpid() in seen
    ''')
    with Sandbox([(0, code)]) as other, Sandbox([(0, code)]) as box:
        other.call("look", (1,), {})
        others, line, sees_itself = box.call("look", (os.getpid(),), {})
        assert Path(f"/proc/{other.proc.pid}").exists()  # the host sees both
    assert sees_itself and others == [] and line == "FileNotFoundError", (others, line)


@needs_isolation
def test_a_sandbox_is_the_first_the_kernel_kills_for_memory_and_cannot_change_that():
    # Each process of a sandbox has its own address-space limit, so many of them together can hold more memory than
    # the machine has. The kernel then kills the process it scores highest: the sandbox's, never the grader's, and
    # a sandbox that tries to lower its score (or its children's) is refused.
    become_subreaper()
    code = textwrap.dedent('''
        import os
        def score():
            return int(open("/proc/self/oom_score_adj").read())
        def lower():
            try:
                with open("/proc/self/oom_score_adj", "w") as f:
                    f.write("-1000")
            except OSError as exc:
                return type(exc).__name__
            return int(open("/proc/self/oom_score_adj").read())
        def child_score():
            r, w = os.pipe()
            if os.fork() == 0:
                os.write(w, open("/proc/self/oom_score_adj", "rb").read())
                os._exit(0)
            os.wait()
            return int(os.read(r, 16))
    ''')
    with Sandbox([(0, code)]) as box:
        assert box.call("score", (), {}) == 1000
        assert box.call("child_score", (), {}) == 1000
        assert box.call("lower", (), {}) == "PermissionError"
    assert int(Path("/proc/self/oom_score_adj").read_text()) < 1000  # the grader keeps its own


@needs_isolation
def test_a_sandboxs_processes_together_cannot_take_more_memory_than_its_limit():
    # Each process has its own address-space limit, so a sandbox that forks can together hold far more than any
    # one of them. Where the grader can make a memory cgroup, the sandbox's processes share one limit: here three
    # children of 400 MB each under a limit of 700 MB, and the kernel kills children of this sandbox, no one else.
    from autograder.isolation import Limits

    become_subreaper()
    code = textwrap.dedent('''
        import os, signal, time
        def hog(children, megabytes):
            pids = []
            for _ in range(children):
                pid = os.fork()
                if pid == 0:
                    block = bytearray(megabytes * 2**20)  # zero-filled: every page is touched
                    time.sleep(3)
                    os._exit(0 if len(block) else 1)
                pids.append(pid)
            return [os.waitpid(pid, 0)[1] for pid in pids]
    ''')
    limits = Limits(total_memory_bytes=700 * 2**20)
    with Sandbox([(0, code)], limits=limits) as box:
        if not box.plan.memory_group:
            pytest.skip("no memory cgroup can be made here")
        group = box.plan.memory_group
        statuses = box.call("hog", (3, 400), {})
    killed = [s for s in statuses if os.WIFSIGNALED(s) and os.WTERMSIG(s) == 9]
    assert killed, statuses  # 1.2 GB wanted, 700 MB allowed: the kernel killed at least one child
    assert not Path(group).exists()  # the group goes with the sandbox
    with Sandbox([(0, code)], limits=limits) as honest:  # within the limit, nothing is killed
        assert honest.call("hog", (1, 200), {}) == [0]


def test_a_sandbox_that_stops_reading_cannot_hold_the_grader_past_the_calls_limit():
    # After answering, a student's thread swaps the sandbox's input for a pipe nobody writes to, keeping the old one
    # open: the grader's next request, larger than a pipe holds, would wait forever in write(). It must stop at the
    # call's limit, on the grader's clock, like a call that never returns.
    code = textwrap.dedent('''
        import os, threading, time
        def stall():
            def swap():
                import fcntl
                time.sleep(0.2)
                r, w = os.pipe()
                for name in os.listdir("/proc/self/fd"):  # every pipe it reads from: the requests' one among them
                    fd = int(name)
                    try:
                        is_pipe = os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")
                        reads = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY
                    except OSError:
                        continue
                    if is_pipe and reads and fd not in (r, w):
                        os.dup(fd)  # the real input stays open: the grader's write neither fails nor completes
                        os.dup2(r, fd)
            threading.Thread(target=swap, daemon=True).start()
            return "ok"
        def echo(x):
            return x.shape
    ''')
    become_subreaper()
    with Sandbox([(0, code)], call_timeout=2.0) as box:
        assert box.call("stall", (), {}) == "ok"
        time.sleep(0.5)
        start = time.monotonic()
        with pytest.raises(StudentError):
            box.call("echo", (torch.zeros(4_000_000),), {})  # 16 MB: far more than a pipe holds
        assert time.monotonic() - start < 6, time.monotonic() - start
        assert "echo" in box.timed_out
