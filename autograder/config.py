"""The grader's configuration, in two typed objects built once and passed down.

``Environment``: what the grader's processes read from environment variables (the README's table), read here
and nowhere else in ``autograder``. The student's side (``kitcheck``: ``KIT_LANG``, ``KITCHECK_TIMEOUT``) cannot
import the grader, so it reads its two for itself.

``GradeOptions``: one ``grade`` run, from the command line (``from_args``) or built directly (``demo``, tests):
what to grade, where to write, how many workers, which languages, the gradebook and the course's
``nbgrader_config.py`` (read where the late policy is made, ``cli._late_policy``).
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

# Every variable the grader reads, with what it does (the README's table says the same, for people).
VARIABLES = {
    "KIT_LANG": "the language(s) of check() and of hidden-test messages: en, zh or en,zh",
    "KIT_HYPOTHESIS_PROFILE": "the hidden tests' hypothesis profile (kit-grading; kit-explore runs 300 examples)",
    "KIT_ISOLATION": "a weaker sandbox fence than the best the platform allows: namespaces, user or limits",
    "KIT_NO_ISOLATION": "any value: the limits fence only",
    "KIT_NO_FORK_SERVER": "any value: start each sandbox as a new Python process",
    "KIT_CALLER_DIR": "set by ./kit: the folder it was called from (relative paths, the course folder)",
    "KIT_FORKSERVER_HOME": "set by the batch grader: the folder a worker's sandbox server keeps its caches in",
    "KIT_GRADESCOPE_ROOT": "Gradescope's folder (default /autograder), to run run_autograder elsewhere",
    "KIT_GRADESCOPE_PYTHON": "the Python that Gradescope's run_autograder starts",
}


@dataclass(frozen=True)
class Environment:
    """The grader's environment variables, typed (``read`` is the one place they are read)."""

    languages: tuple[str, ...] = ()  # KIT_LANG: () means the edition's language
    hypothesis_profile: str = "kit-grading"
    isolation: str = ""  # "" means the best level the platform allows
    no_isolation: bool = False
    fork_server: bool = True
    caller_dir: Path | None = None
    forkserver_home: Path | None = None  # the batch grader removes it after the worker, however the worker ended
    gradescope_root: Path = Path("/autograder")
    gradescope_python: str = ""

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> "Environment":
        """The values in ``environ`` (default: this process's environment, as it is now)."""
        env = os.environ if environ is None else environ
        return cls(
            languages=tuple(part.strip() for part in env.get("KIT_LANG", "").split(",") if part.strip()),
            hypothesis_profile=env.get("KIT_HYPOTHESIS_PROFILE") or "kit-grading",
            isolation=env.get("KIT_ISOLATION", ""),
            no_isolation=bool(env.get("KIT_NO_ISOLATION")),
            fork_server=not env.get("KIT_NO_FORK_SERVER"),
            caller_dir=Path(env["KIT_CALLER_DIR"]) if env.get("KIT_CALLER_DIR") else None,
            forkserver_home=Path(env["KIT_FORKSERVER_HOME"]) if env.get("KIT_FORKSERVER_HOME") else None,
            gradescope_root=Path(env.get("KIT_GRADESCOPE_ROOT") or "/autograder"),
            gradescope_python=env.get("KIT_GRADESCOPE_PYTHON", ""),
        )


def environment() -> Environment:
    """This process's ``Environment`` now (cheap: read afresh, so a block run under ``course.environment`` sees
    its values)."""
    return Environment.read()


@dataclass(frozen=True)
class GradeOptions:
    """One ``grade`` run."""

    assignment: str
    paths: tuple[Path, ...]
    out: Path
    jobs: int | None = None
    timeout: float = 600.0
    progress: bool = True
    canary: bool = True
    languages: tuple[str, ...] = ("en",)
    gradebook: str | None = None
    nbgrader_config: Path | None = None
    cluster: str | None = None
    force: bool = False
    due: str | None = None
    extensions: Path | None = None
    env: Environment = field(default_factory=environment)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "GradeOptions":
        """From ``grade``'s parsed command line (relative paths already resolved against ``KIT_CALLER_DIR``)."""
        return cls(assignment=args.assignment, paths=tuple(args.paths), out=args.out, jobs=args.jobs,
                   timeout=args.timeout, progress=not args.quiet, canary=not args.no_canary,
                   languages=tuple(args.lang or ["en"]), gradebook=args.gradebook,
                   nbgrader_config=args.nbgrader_config, cluster=args.cluster, force=args.force, due=args.due,
                   extensions=args.extensions)

    @property
    def feedback_language_setting(self) -> str:
        """``KIT_LANG`` for the workers: every language the feedback is written in (``KIT_LANG``, when set,
        wins)."""
        return ",".join(self.env.languages or self.languages)
