"""Fencing a sandbox process off from the grader: what it can see, what it can use, who it runs as.

The fence adapts to what the platform allows, strongest first (``best_level``):

- ``namespaces``: root with mount namespaces (a course machine, CI, a privileged container);
- ``user``: root without mount namespaces (Docker's default capabilities, Gradescope's containers): the
  sandbox runs as a user of its own, and the grader's material is made unreadable to other users by
  permissions (``protect``), as PrairieLearn's and Gradescope's own graders do;
- ``limits``: not root (or not Linux): resource limits and a separate process only. Every run says so.

At the ``namespaces`` level each sandbox process, before it runs any student code:

- gets its own network namespace, holding only a loopback: no socket of the host's or of another sandbox is
  reachable (a Dask scheduler on 127.0.0.1 would run its code as the grader);
- gets its own mount namespace in which the grader's folders are hidden: the top-level folders holding
  the course repository, the grading output and the submissions, and ``/tmp``, ``/var/tmp``,
  ``/dev/shm``, ``/root``, ``/home``, ``/srv``, ``/mnt``, are replaced by empty in-memory folders, into
  which only what the sandbox needs is put back (the Python installation and virtual environment, the
  student-safe ``kitcheck`` package, and the sandbox's own private work folder). So the hidden tests,
  ``source/``, the samples and solutions, other students' submissions and the results are not there;
- drops to an unprivileged user of its own (``sandbox_uid``: it can write only its own work folder) with no new
  privileges, and dies when its parent dies;
- runs under resource limits: address space, CPU seconds, processes, file size, no core dumps.

``describe()`` states the level that actually applied; ``grading.json`` and the reports carry it.
"""
from __future__ import annotations

import ctypes
import functools
import os
import tempfile
import resource
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import kitcheck

from .config import environment

NOBODY = 65534
# Each grading process runs its sandboxes as a user of its own (no passwd entry needed): sandboxes of two jobs
# cannot signal or read each other, and everything a sandbox started can be killed by user alone.
SANDBOX_UID_BASE = 1_500_000_000
# World-writable folders: hidden (namespaces) or swept after every sandbox (user level).
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue")
ALWAYS_HIDDEN = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/root", "/home", "/srv", "/mnt", "/media")
SYSTEM_TOPS = {"usr", "lib", "lib32", "lib64", "libx32", "bin", "sbin", "etc", "proc", "sys", "dev", "run",
               "var", "boot", "opt", "snap", "nix"}

NAMESPACES, USER, LIMITS = "namespaces", "user", "limits"
LEVELS = (NAMESPACES, USER, LIMITS)
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET = 0x00020000, 0x08000000, 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x4000, 1 << 18
AT_FDCWD, OPEN_TREE_CLONE, AT_RECURSIVE, MOVE_MOUNT_F_EMPTY_PATH = -100, 1, 0x8000, 4
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38


@dataclass
class Limits:
    """Resource limits of one sandbox process (the grader also limits wall time per cell and per call)."""

    memory_bytes: int = 6 * 2**30  # address space; importing torch alone maps about 3 GiB
    cpu_seconds: int = 900
    processes: int = 256  # per user: applies only when the sandbox runs as its own user
    file_bytes: int = 64 * 2**20
    disk_bytes: int = 256 * 2**20  # the work folder's size (namespaces level: a private, size-limited tmpfs)
    shm_bytes: int = 64 * 2**20  # its own /dev/shm (namespaces level): DataLoader workers pass batches there
    # all of its processes together, where the grader can make it a memory cgroup of its own (see memory_group)
    total_memory_bytes: int = 8 * 2**30


@dataclass
class Plan:
    """How one sandbox process is fenced off; ``preexec`` applies it in the child before ``exec``."""

    workdir: Path
    hide: list[Path] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    level: str = NAMESPACES  # see LEVELS
    uid: int = field(default_factory=lambda: sandbox_uid())  # the sandbox's own user (levels namespaces/user)
    # The seccomp filter (see _install_filter), where it works here; below the namespaces level (no network
    # namespace) it also refuses internet sockets. Decided by the grader, so a forked sandbox never probes.
    syscall_filter: bool | None = None
    no_internet: bool = False
    memory_group: str = ""  # the memory cgroup its processes join (memory_group()), "" for none

    def __post_init__(self) -> None:
        if self.syscall_filter is None:
            self.syscall_filter = syscall_filter_supported()
        self.no_internet = bool(self.syscall_filter) and self.level != NAMESPACES

    @property
    def enabled(self) -> bool:
        """Whether the sandbox runs as its own unprivileged user (levels ``namespaces`` and ``user``)."""
        return self.level != LIMITS

    def masks_and_keeps(self) -> tuple[list[Path], list[Path]]:
        """Folders to replace by empty ones, and the paths to put back into them."""
        keeps = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, Path(kitcheck.__file__).parent,
                                             self.workdir)}
        masks = {Path(p) for p in ALWAYS_HIDDEN if Path(p).is_dir()}
        # The repository, and the folder holding the virtual environment: an editable install maps
        # `autograder` to wherever it was installed from, which may be another checkout.
        for path in [*self.hide, Path(__file__).resolve().parent.parent, Path(sys.prefix).resolve()]:
            real = Path(path).resolve()
            if len(real.parts) < 2:
                continue
            top = Path("/", real.parts[1])
            masks.add(top if top.name not in SYSTEM_TOPS else (real if real.is_dir() else real.parent))
        masks = {m for m in masks if not any(o != m and o in m.parents for o in masks)}
        for keep in list(keeps):
            if not any(m == keep or m in keep.parents for m in masks):
                keeps.discard(keep)  # not under a mask: it stays visible anyway
            elif any(k != keep and k in keep.parents for k in keeps):
                keeps.discard(keep)  # an ancestor is kept already
        return sorted(masks), sorted(keeps)


def sandbox_uid() -> int:
    """The user this process's sandboxes run as: one per grading process (pids are unique while alive)."""
    return SANDBOX_UID_BASE + os.getpid()


# Mount: the grader's folders hidden. IPC: no System V shared memory outlives it. Network: its own, holding only a
# loopback, so it reaches no socket of the host's: not a Dask scheduler or worker on 127.0.0.1 (`grade --cluster
# local`, which would run its code as the grader), not a Jupyter server, not another sandbox's abstract Unix
# socket (those belong to a network namespace), and no other machine.
NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET


def _loopback_up() -> None:
    """Bring up the new network namespace's loopback, so the sandbox's own processes can reach each other on
    127.0.0.1 as they could in Jupyter (a new namespace's ``lo`` starts down)."""
    import fcntl
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        flags = struct.unpack("16sH", fcntl.ioctl(sock, SIOCGIFFLAGS, struct.pack("16sH14x", b"lo", 0))[:18])[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


# A seccomp filter on every sandbox, at every level where it can be had. It refuses:
# - the kernel's keyrings (add_key, request_key, keyctl): a key belongs to a user and outlives its processes, so one
#   submission could leave its answers there for the next one graded as the same user (or any later one, once the
#   key is made readable by all); no namespace and no sweep removes it;
# - io_uring, which can do what the filter refuses without a syscall the filter sees;
# - syscalls of a foreign ABI (x32, 32-bit), which would have numbers of their own;
# - below the namespaces level, where no network namespace can be made, internet sockets (socket(AF_INET/AF_INET6)):
#   a Dask scheduler or any other service on this machine stays out of reach.
# Syscall numbers are per architecture: audit arch, then socket, add_key, request_key, keyctl.
_SECCOMP_ARCH = {"x86_64": (0xC000003E, 41, 248, 249, 250), "aarch64": (0xC00000B7, 198, 217, 218, 219)}
_NR_IO_URING = (425, 426, 427)  # io_uring_setup, io_uring_enter, io_uring_register (same on both)
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
_RET_ALLOW, _RET_EACCES = 0x7FFF0000, 0x00050000 | 13
_LD, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K


@functools.lru_cache(maxsize=None)
def syscall_filter_supported() -> bool:
    """Whether the sandbox's seccomp filter can be had here (its architecture is known, and a child process could
    install it: a container's own seccomp profile may forbid that), probed once."""
    if not sys.platform.startswith("linux") or os.uname().machine not in _SECCOMP_ARCH:
        return False
    import socket

    libc = ctypes.CDLL(None, use_errno=True)

    def step() -> None:
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        _install_filter(no_internet=True)
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        except PermissionError:
            return
        raise OSError("the filter let an internet socket through")

    return _try_in_child(step)


def _install_filter(no_internet: bool) -> None:
    """Install the sandbox's seccomp filter on this process and its descendants (needs no privilege once
    no_new_privs is set): refused syscalls fail with EACCES."""
    import struct

    arch, nr_socket, *nr_keys = _SECCOMP_ARCH[os.uname().machine]
    denied = [*_NR_IO_URING, *nr_keys]
    # (code, k, where to go if true, if false): "allow", "deny" or None (the next instruction)
    body: list[tuple[int, int, str | None, str | None]] = [(_LD, 4, None, None), (_JEQ, arch, None, "deny"),
                                                           (_LD, 0, None, None), (_JGE, 0x40000000, "deny", None)]
    body += [(_JEQ, nr, "deny", None) for nr in denied]
    if no_internet:
        body += [(_JEQ, nr_socket, None, "allow"), (_LD, 16, None, None),  # args[0]'s low half: the family
                 (_JEQ, 2, "deny", None), (_JEQ, 10, "deny", None)]  # AF_INET, AF_INET6
    where = {"allow": len(body), "deny": len(body) + 1}

    def jump(i: int, to: str | None) -> int:
        return 0 if to is None else where[to] - i - 1

    program = [(code, jump(i, t), jump(i, f), k) for i, (code, k, t, f) in enumerate(body)]
    program += [(_RET, 0, 0, _RET_ALLOW), (_RET, 0, 0, _RET_EACCES)]
    code = b"".join(struct.pack("HBBI", *ins) for ins in program)
    buf = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("HxxxxxxP", len(program), ctypes.addressof(buf))
    fbuf = ctypes.create_string_buffer(fprog, len(fprog))
    libc = ctypes.CDLL(None, use_errno=True)
    _check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fbuf, 0, 0), "seccomp filter")


def _try_in_child(step) -> bool:
    """Whether ``step()`` succeeds in a forked child (so nothing it changes touches this process)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            step()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _mount_namespace_works() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    with tempfile.TemporaryDirectory(prefix="kit-probe-") as tmp:
        def step() -> None:
            _check(libc.unshare(NAMESPACE_FLAGS), "unshare")
            _loopback_up()
            _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
            fd = _check(libc.open_tree(AT_FDCWD, tmp.encode(), OPEN_TREE_CLONE | AT_RECURSIVE), "open_tree")
            _check(libc.mount(b"tmpfs", tmp.encode(), b"tmpfs", 0, b"size=1m"), "tmpfs")
            _check(libc.move_mount(fd, b"", AT_FDCWD, tmp.encode(), MOVE_MOUNT_F_EMPTY_PATH), "move_mount")

        return _try_in_child(step)


def _user_switch_works() -> bool:
    with tempfile.TemporaryDirectory(prefix="kit-probe-") as tmp:
        def step() -> None:
            os.chown(tmp, NOBODY, NOBODY)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)

        return _try_in_child(step)


@functools.lru_cache(maxsize=None)
def best_level() -> tuple[str, str]:
    """The strongest level this machine allows, and why not a stronger one ("" at ``namespaces``).

    ``KIT_ISOLATION=user`` or ``limits`` chooses a weaker one (``KIT_NO_ISOLATION=1`` means ``limits``)."""
    if not sys.platform.startswith("linux"):
        return LIMITS, "not Linux"
    if os.geteuid() != 0:
        return LIMITS, "the grader does not run as root"
    if not _user_switch_works():
        return LIMITS, "this machine does not let root switch to another user (capabilities SETUID/SETGID/CHOWN dropped?)"
    env = environment()
    chosen = env.isolation
    if env.no_isolation:
        return LIMITS, "turned off with KIT_NO_ISOLATION"
    if chosen in LEVELS:  # the instructor's choice (a stronger one than works here fails the canary)
        return chosen, f"chosen with KIT_ISOLATION={chosen}"
    if not _mount_namespace_works():
        return USER, ("no mount and network namespaces can be made here (a container without CAP_SYS_ADMIN, as with Docker's "
                      "defaults and on Gradescope)")
    return NAMESPACES, ""


def isolation_available() -> tuple[bool, str]:
    """Whether the sandbox can run as its own user here (levels ``namespaces`` or ``user``), and if not, why."""
    level, why = best_level()
    return level != LIMITS, why


def describe(plan: Plan) -> str:
    """The isolation that applied to a sandbox, in one line (for grading.json and the reports)."""
    more = ", no internet sockets" if plan.no_internet else ""  # the fences every level may have besides its own
    more += ", no kernel keyrings" if plan.syscall_filter else ""
    if plan.memory_group:
        more += f", {plan.limits.total_memory_bytes / 2**30:g} GiB of memory for all its processes together"
    if plan.level == LIMITS:
        return f"limits: resource limits{more} only ({best_level()[1] or 'isolation turned off'})"
    if plan.level == USER:
        return ("user: its own user, the grader's folders unreadable to other users, "
                f"resource limits{more}")
    masks, _ = plan.masks_and_keeps()
    return ("namespaces: its own user, mount, IPC and network namespaces (no network but its own loopback), hidden: "
            f"{', '.join(map(str, masks))}, resource limits{more}")


def protected_paths(plan: Plan) -> list[Path]:
    """Folders that must be unreadable to the sandbox's user at the ``user`` level: what the plan hides, and
    every top-level entry of the course repository except the student package and the Python install."""
    repo = Path(__file__).resolve().parent.parent
    needed = needed_paths()
    found = {Path(p).resolve() for p in plan.hide}
    found |= {p.resolve() for p in repo.iterdir()}
    return sorted(p for p in found if p.is_dir() and not any(n == p or p in n.parents for n in needed))


def needed_paths() -> list[Path]:
    """What the sandbox's user must reach: the Python installation, the virtual environment, ``kitcheck``."""
    return [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, Path(kitcheck.__file__).parent)]


def protect(plan: Plan) -> list[Path]:
    """Make ``protected_paths(plan)`` unreadable to other users (``chmod go-rwx``); returns them.

    The folders above what the sandbox needs get the right to be passed through (``o+x``, not to be
    listed) where they lack it: Python installed under ``/root`` (pyenv) must stay importable."""
    for needed in needed_paths():
        for folder in reversed(needed.parents):
            try:
                mode = folder.stat().st_mode & 0o7777
                if not mode & 0o001:
                    os.chmod(folder, mode | 0o001)
            except OSError:
                continue
    done = []
    for path in protected_paths(plan):
        try:
            mode = path.stat().st_mode & 0o7777
            if mode & 0o077:
                os.chmod(path, mode & ~0o077)
            done.append(path)
        except OSError:
            continue
    return done


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _hide_folders(plan: Plan) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    masks, keeps = plan.masks_and_keeps()
    _check(libc.unshare(NAMESPACE_FLAGS), "unshare")
    _loopback_up()
    _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    # Its own /proc, showing it only its own processes: not the command line of `grade` (which may list the class's
    # notebooks) nor anything of another process. `hidepid=invisible` exists since Linux 5.8, where each proc mount
    # is an instance of its own; an older kernel refuses the word (where it would have changed the host's /proc
    # too), and /proc stays as it is.
    libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"hidepid=invisible")
    # Detached copies of what must stay visible, taken before anything is hidden.
    workdir = Path(plan.workdir).resolve()
    kept = [(keep, _check(libc.open_tree(AT_FDCWD, str(keep).encode(), OPEN_TREE_CLONE | AT_RECURSIVE),
                          f"open_tree {keep}")) for keep in keeps if keep != workdir]
    for mask in masks:
        _check(libc.mount(b"tmpfs", str(mask).encode(), b"tmpfs", 0, b"mode=0755,size=1m"), f"hide {mask}")
    for keep, fd in kept:
        os.makedirs(keep, exist_ok=True)
        _check(libc.move_mount(fd, b"", AT_FDCWD, str(keep).encode(), MOVE_MOUNT_F_EMPTY_PATH), f"restore {keep}")
        os.close(fd)
    # Its own /dev/shm, empty, size-limited and writable: Python's multiprocessing and DataLoader(num_workers=2)
    # need it for their locks and batches, as in Jupyter; the namespace's end removes it (no other sandbox sees it).
    if Path("/dev/shm") in masks:
        _check(libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", 0, f"mode=1777,size={plan.limits.shm_bytes}".encode()),
               "private /dev/shm")
    # The work folder: private and size-limited (a disk quota): nothing the student writes reaches the host.
    os.makedirs(workdir, exist_ok=True)
    size = f"mode=0700,size={plan.limits.disk_bytes}".encode()
    _check(libc.mount(b"tmpfs", str(workdir).encode(), b"tmpfs", 0, size), f"work folder {workdir}")


def _set_limits(limits: Limits, own_user: bool) -> None:
    for kind, value in ((resource.RLIMIT_AS, limits.memory_bytes), (resource.RLIMIT_CPU, limits.cpu_seconds),
                        (resource.RLIMIT_FSIZE, limits.file_bytes), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(kind, (value, value))
    if own_user:  # RLIMIT_NPROC counts every process of the user: only meaningful for a dedicated one
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


def preexec(plan: Plan, parent: int | None = None):
    """The function ``subprocess.Popen(preexec_fn=...)`` runs in the child, between fork and exec.

    ``parent``: the process whose death must kill the sandbox (default: the one calling ``preexec``)."""
    parent = os.getpid() if parent is None else parent

    def apply() -> None:
        os.setsid()  # its own session and process group, killed as one
        libc = ctypes.CDLL(None, use_errno=True)
        if plan.level == NAMESPACES:
            _hide_folders(plan)
        if plan.enabled:
            os.chown(plan.workdir, plan.uid, plan.uid)
            _set_limits(plan.limits, own_user=True)
        else:
            _set_limits(plan.limits, own_user=False)
        _first_to_go()
        if plan.memory_group:
            _join_memory_group(plan.memory_group)
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        if plan.syscall_filter:
            _install_filter(plan.no_internet)
        if plan.enabled:
            os.setgroups([])
            os.setgid(plan.uid)
            os.setuid(plan.uid)
        # After the user switch: changing credentials clears the parent-death signal.
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was set
            os._exit(1)
        os.chdir(plan.workdir)

    return apply


@functools.lru_cache(maxsize=None)
def _memory_parent() -> tuple[str, Path] | None:
    """Where this process may make memory cgroups: ("v1", its memory cgroup's folder) or ("v2", its cgroup's
    folder when that delegates the memory controller to its children); None elsewhere."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if "memory" in controllers.split(","):
            folder = Path("/sys/fs/cgroup/memory") / rel.lstrip("/")
            if (folder / "memory.limit_in_bytes").exists() and os.access(folder, os.W_OK):
                return "v1", folder
    for line in lines:
        if line.startswith("0::"):
            folder = Path("/sys/fs/cgroup") / line[3:].lstrip("/")
            try:
                delegated = "memory" in (folder / "cgroup.subtree_control").read_text().split()
            except OSError:
                delegated = False
            if delegated and os.access(folder, os.W_OK):
                return "v2", folder
    return None


def memory_group(name: str, limit: int) -> str:
    """A memory cgroup of its own for one sandbox, made by the grader: its processes together hold at most
    ``limit`` bytes, and when they want more the kernel kills one of them, not another submission's. "" where
    none can be made (no root, a container without a writable cgroup, cgroup v2 without delegation)."""
    if os.geteuid() != 0 or (parent := _memory_parent()) is None or not _memory_groups_work():
        return ""
    return _make_memory_group(parent, name, limit)


@functools.lru_cache(maxsize=None)
def _memory_groups_work() -> bool:
    """Whether a child process can join a memory cgroup made here (probed once: a sandbox that could not join
    its group would not start at all)."""
    parent = _memory_parent()
    group = _make_memory_group(parent, f"probe-{os.getpid()}", 2**30) if parent else ""
    if not group:
        return False
    try:
        return _try_in_child(lambda: _join_memory_group(group))
    finally:
        remove_memory_group(group)


def _make_memory_group(parent: tuple[str, Path], name: str, limit: int) -> str:
    version, folder = parent
    group = folder / f"kit-sandbox-{name}"
    try:
        group.mkdir(exist_ok=True)
        if version == "v1":
            (group / "memory.limit_in_bytes").write_text(str(limit))
        else:
            (group / "memory.max").write_text(str(limit))
            try:
                (group / "memory.swap.max").write_text("0")
            except OSError:
                pass  # no swap accounting: nothing to limit there
    except OSError:
        remove_memory_group(str(group))
        return ""
    return str(group)


def remove_memory_group(group: str) -> None:
    """Remove a sandbox's memory cgroup once its processes are gone (a cgroup with processes cannot go)."""
    import time

    for _ in range(20):
        try:
            os.rmdir(group)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)  # its last processes are still being reaped


def _join_memory_group(group: str) -> None:
    """Move this process (before it drops its privileges) into ``group``; its children are born there."""
    with open(os.path.join(group, "cgroup.procs"), "w") as f:
        f.write(str(os.getpid()))


def _first_to_go() -> None:
    """When the machine runs out of memory, the kernel kills the sandbox's processes before anything else (the
    grader, its workers, the system): a submission whose processes together hold more memory than the machine
    has loses its own processes, not another submission's grader. Its descendants inherit this, and without
    CAP_SYS_RESOURCE none of them can lower it again."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:  # no /proc (not Linux): nothing to set
        pass


def become_subreaper() -> None:
    """Orphaned descendants (a student's double-forked process) are re-parented to this process."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def processes_of(uid: int) -> list[int]:
    """The pids of every process on this machine that runs as ``uid`` (real or effective)."""
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            lines = (entry / "status").read_text().splitlines()
        except OSError:
            continue
        uids = next((ln.split()[1:] for ln in lines if ln.startswith("Uid:")), [])
        state = next((ln.split()[1] for ln in lines if ln.startswith("State:")), "")
        if str(uid) in uids[:3] and state not in ("Z", "X"):  # a zombie is dead, waiting to be reaped
            found.append(int(entry.name))
    return found


def sweep(uid: int, keep: tuple[Path, ...] = ()) -> list[int]:
    """Remove everything a sandbox user left: kill every process running as ``uid`` (wherever it was
    re-parented, whatever its session), reap our own, delete its files in the world-writable folders and its
    System V IPC objects. Returns the pids still running as ``uid`` afterwards (empty when clean).

    Killing is done by a short-lived process that becomes ``uid`` and signals every process it may
    (``kill(-1)``): no trick of re-parenting or a new session escapes it."""
    if uid < SANDBOX_UID_BASE or os.geteuid() != 0:
        return []  # only the kit's own sandbox users, only where we can become them
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        kill_children(uid)  # reap the ones that were our children (as a subreaper: orphans too)
        if not processes_of(uid):
            break
    _remove_files_of(uid, {str(Path(k)) for k in keep})
    _remove_ipc_of(uid)
    return processes_of(uid)


def _remove_files_of(uid: int, keep: set[str]) -> None:
    import shutil

    for folder in WORLD_WRITABLE:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.path in keep or entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


def _remove_ipc_of(uid: int) -> None:
    """Delete shared memory segments, message queues and semaphore sets owned by ``uid``."""
    libc = ctypes.CDLL(None, use_errno=True)
    ipc_rmid = 0
    for kind, remove in (("shm", libc.shmctl), ("msg", libc.msgctl), ("sem", libc.semctl)):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except OSError:
            continue
        header = lines[0].split() if lines else []
        for line in lines[1:]:
            fields = dict(zip(header, line.split()))
            if fields.get("uid") == str(uid) or fields.get("cuid") == str(uid):
                if kind == "sem":
                    remove(int(fields["semid"]), 0, ipc_rmid)
                else:
                    remove(int(fields["shmid" if kind == "shm" else "msqid"]), ipc_rmid, None)


def kill_children(uid: int) -> int:
    """Kill and reap every child of this process that runs as ``uid`` (as a subreaper: orphans included)."""
    me, killed = str(os.getpid()), 0
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            owner = entry.stat().st_uid
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == me and owner == uid:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
                os.waitpid(int(entry.name), 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                pass
    return killed
