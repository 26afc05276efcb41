"""``python -m autograder``: build, grade, gradescope, check, demo, mutants, gpu-check."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kitcheck.i18n import in_language, language, say
from kitcheck import run_public_check
from kitcheck.assignments import ASSIGNMENTS
from kitcheck.transport import StudentFunction

from . import config
from .config import GradeOptions
from .course import REPO, SAMPLES, environment, use_tool_env
from .messages import t
from .results import SubmissionResult


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildError, build, stale

    names = args.assignments or None
    try:
        if args.check:
            from .leakscan import scan_in_child

            start = time.perf_counter()
            problems = stale(names)
            for p in problems:
                print("stale:", p)
            print("release/, solutions/ and samples/ are up to date" if not problems else
                  "run `python -m autograder build` and commit the result")
            leaked = False
            for name in names or list(ASSIGNMENTS):  # what students receive must give no point away
                for report in scan_in_child(name):
                    print(report.summary())
                    leaked |= not report.clean
            print(f"checked in {time.perf_counter() - start:.1f} s")
            return 1 if problems or leaked else 0
        start = time.perf_counter()
        for path in build(names, execute=not args.no_execute):
            print("wrote", path.relative_to(REPO))
        print(f"built in {time.perf_counter() - start:.1f} s")
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """``grade`` from its command line: see ``grade``."""
    return grade(GradeOptions.from_args(args))


def grade(options: GradeOptions) -> int:
    """Grade submissions (see ``_grade``), the hidden tests writing in every language of the feedback at once
    (``kitcheck.i18n``; the workers inherit ``KIT_LANG``)."""
    with environment(KIT_LANG=options.feedback_language_setting):
        return _grade(options)


def _grade(options: GradeOptions) -> int:
    from .grade import apply_lateness, discover, grade_batch
    from .publish import earlier_results, write_reports

    assignment = ASSIGNMENTS[options.assignment]
    out, langs = options.out, list(options.languages)
    missing = [str(p) for p in options.paths if not p.exists()]
    if missing:  # a typo on the command line, not a submission to score 0
        print("error: no such file or folder: " + ", ".join(missing), file=sys.stderr)
        return 2
    subs = discover(assignment, list(options.paths))
    if not subs:
        print(t(langs[0], "cli_none_found", paths=", ".join(map(str, options.paths))), file=sys.stderr)
        return 2
    try:
        late = _late_policy(assignment, options)
    except Exception as exc:  # late.LateError, gradebook.GradebookError, a late-penalty plugin that fails to load
        print(f"error: {exc}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    if options.cluster:
        if options.force:  # the cluster reuses what is saved: nothing is, for these submissions
            for sub in subs:
                (out / sub.id / "grading.json").unlink(missing_ok=True)
        results = _grade_on_cluster(assignment, subs, options)
        if results is None:
            return 2
        apply_lateness(assignment, results, subs, out, late)
        write_reports(assignment, results, out, langs)
    else:
        from .canary import CanaryFailed
        from .isolation import LIMITS, best_level

        level, why = best_level()
        if level == LIMITS:
            print(f"warning: student code runs with resource limits only ({why}): it can read whatever this "
                  "user can read, the hidden tests included. Grade untrusted code as root.", file=sys.stderr)
        try:
            results = grade_batch(assignment, subs, out, jobs=options.jobs, timeout=options.timeout,
                                  progress=options.progress, langs=langs, canary=options.canary,
                                  force=options.force, late=late)
        except CanaryFailed as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 4
    print_table(assignment, results)
    earlier = len(earlier_results(assignment, results, out))
    kept = t(langs[0], "cli_kept", earlier=earlier) if earlier else ""
    files = f"{out / 'grades.csv'}, {out / 'report.html'}{kept}, <id>/results.json, <id>/feedback.md, " \
            "<id>/feedback.html" + "".join(f", <id>/feedback.{lang}.html" for lang in langs[1:])
    print("\n" + t(langs[0], "cli_graded", n=len(results), seconds=f"{time.perf_counter() - start:.1f}", files=files))
    if late.due is None and any(r.late and r.late.submitted for r in results):
        print("note: no due date is known (set one with `./kit nbgrader db assignment add "
              f"{assignment.name} --duedate=...` and --gradebook, or --due), so no lateness was computed.")
    if options.gradebook:
        from .gradebook import GradebookError, record

        try:
            done = record(assignment, results, {s.id: s.path for s in subs}, options.gradebook, out,
                          options.nbgrader_config, students={s.id: s.student for s in subs if s.student}, late=late)
        except GradebookError as exc:
            print(f"\nnbgrader gradebook: {exc}\nEverything else was written to {out}; fix the gradebook "
                  "and run the same command again (saved results are reused, nothing is graded twice).",
                  file=sys.stderr)
            return 3
        print(done.summary())
    broken = [r.id for r in results if r.grader_error]
    if broken:  # the grader failed, not the students: say so, and do not look like a finished batch
        print("\n" + t(langs[0], "cli_broken", n=len(broken), ids=", ".join(broken[:10])), file=sys.stderr)
        return 4
    return 0


def _late_policy(assignment, options: GradeOptions):
    """grade's ``late.LatePolicy``: the due date (``--due``, else the gradebook's), extensions (the gradebook's,
    then ``--extensions``), and the course's late-penalty plugin (from its nbgrader_config.py)."""
    from .gradebook import db_url_for, load_config, read_due_dates
    from .late import LateError, LatePolicy, load_plugin, parse_time, read_extensions, show_time

    db_url = db_url_for(options.gradebook) if options.gradebook else None
    config = load_config(options.nbgrader_config, db_url)
    try:
        plugin = load_plugin(config)
    except Exception as exc:
        raise LateError(f"the course's late-penalty plugin (c.AssignLatePenalties.plugin_class) cannot be "
                        f"loaded: {type(exc).__name__}: {exc}") from None
    due = parse_time(options.due, "--due") if options.due else None
    book_due, extensions = None, {}
    if db_url:
        from nbgrader.coursedir import CourseDirectory

        book_due, extensions = read_due_dates(db_url, assignment.name, CourseDirectory(config=config).course_id)
    if due and book_due and due != book_due:
        raise LateError(f"--due {show_time(due)} differs from the gradebook's due date {show_time(book_due)}; "
                        f"leave out --due, or change the gradebook's with `./kit nbgrader db assignment add "
                        f"{assignment.name} --duedate=...`")
    if options.extensions:
        extensions = {**extensions, **read_extensions(options.extensions)}
    return LatePolicy(due or book_due, extensions, plugin, "--due" if due else ("gradebook" if book_due else ""))


def _langs(text: str) -> list[str]:
    from .messages import parse_langs

    try:
        return parse_langs(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


class _Languages(argparse.Action):
    """``--lang``: given again, it adds languages (``--lang en --lang zh`` is ``--lang en,zh``) instead of
    silently keeping only the last one."""

    def __call__(self, parser, namespace, values, option_string=None):
        current = getattr(namespace, self.dest)
        earlier = [] if current is self.default else list(current)  # the first --lang replaces the default
        setattr(namespace, self.dest, list(dict.fromkeys([*earlier, *values])))


def _grade_on_cluster(assignment, subs, options: GradeOptions) -> list[SubmissionResult] | None:
    """``grade --cluster``: grade on Dask (imported only here); None after printing why it cannot."""
    from .distributed import ClusterError, connect, grade_on_cluster

    assert options.cluster is not None  # (only called for --cluster)
    from .isolation import NAMESPACES, best_level, syscall_filter_supported

    level = best_level()[0]
    if level != NAMESPACES and not syscall_filter_supported():
        # Neither a network namespace nor the seccomp filter: the sandbox shares the machine's network, and a Dask
        # scheduler or worker it can reach runs whatever code it is sent, as the grader.
        print(f"warning: student code runs at the {level} isolation level on a machine without the kit's network "
              "filter: it can reach a Dask scheduler or worker listening on this machine and have it run its code "
              "as the grader. Grade untrusted code on a cluster of x86-64 or arm64 Linux machines, or on one machine "
              "without --cluster.", file=sys.stderr)
    try:
        with connect(options.cluster, jobs=options.jobs) as client:
            if options.progress:
                workers = client.nthreads()
                print(f"cluster {options.cluster}: {len(workers)} worker(s), {sum(workers.values())} thread(s)")
            return grade_on_cluster(assignment, subs, options.out, client, timeout=options.timeout,
                                    progress=options.progress, langs=list(options.languages))
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def print_table(assignment, results: list[SubmissionResult]) -> None:
    """The scores of ``results`` as a table on stdout, one row per submission."""
    names = [q.name for q in assignment.questions]
    width = max([len(r.id) for r in results] + [10])
    print("\n" + "id".ljust(width) + "  " + "  ".join(n[:8].rjust(8) for n in names) + "   total")
    for r in results:
        scores = {row.name: row.score for row in r.questions}
        cells = "  ".join(str(scores.get(n, 0)).rjust(8) for n in names)
        note = "" if r.graded else f"  ({r.error[:60]})"
        print(f"{r.id.ljust(width)}  {cells}   {r.score:>2}/{assignment.total_points}{note}")


def cmd_check(args: argparse.Namespace) -> int:
    """The public checks of every question, against a notebook run in a sandbox process: each question's
    verdict, then the table ``check_all()`` prints in the notebook (✓/✗ and points). In ``--lang``, else in
    the language of the notebook's edition."""
    lang = getattr(args, "lang", None)
    if not lang:
        try:
            lang = json.loads(Path(args.notebook).read_text(encoding="utf-8"))["metadata"]["kit"]["lang"]
        except Exception:  # not readable, or no edition: _check says what is wrong, in the default language
            lang = None
    if lang not in ("en", "zh"):
        return _check(args)
    with environment(KIT_LANG=lang):
        return _check(args)


def _check(args: argparse.Namespace) -> int:
    from kitcheck.checking import format_table
    from kitcheck.timelimit import CallTimedOut
    from kitcheck.transport import StudentError

    from .isolation import become_subreaper
    from .notebook import NotebookError, code_to_run, read_notebook
    from .sandbox import Sandbox

    try:
        nb = read_notebook(args.notebook)
    except NotebookError as exc:
        print(f"✗ {in_language(str(exc), language())}")
        return 1
    name = args.assignment or _guess_assignment(args.notebook)
    if name is None:
        print(say("which_assignment", names=", ".join(sorted(ASSIGNMENTS))))
        return 2
    assignment = ASSIGNMENTS[name]
    results = []
    become_subreaper()
    with Sandbox(code_to_run(nb)) as box:

        def timed(name: str, args: tuple, kwargs: dict, driver: str | None = None):
            try:
                return box.call(name, args, kwargs, driver)
            except StudentError as exc:  # the sandbox stopped a call that never returned: end the check now
                if exc.type_name == "Stopped" and name in box.timed_out:
                    raise CallTimedOut(box.call_timeout) from None
                raise

        for e in box.cell_errors:
            print(say("cell_raised", cell=e["cell"], error=in_language(e["error"], language())))
        for q in assignment.questions:
            result = run_public_check(q, StudentFunction(q.name, timed))
            results.append(result)
            print(result.verdict)
    passed = sum(r.passed for r in results)
    print("\n" + format_table(assignment, results, footer=""))
    return 0 if passed == len(assignment.questions) else 1


def _guess_assignment(path: Path) -> str | None:
    for name in ASSIGNMENTS:
        if path.stem == name or path.parent.name == name:
            return name
    return None


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the course into the output folder, grade its sample submissions, show scores and feedback.

    Nothing tracked in the repository changes: the demo builds into ``--out`` (default demo-output/)."""
    from .build import BuildError, build

    out = args.out
    course = out / "course"
    print(f"== 1/3 build release/, solutions/ and samples/ from source/ with real nbgrader, into {course}")
    start = time.perf_counter()
    try:
        build(None, course)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    print(f"built {len(ASSIGNMENTS)} assignments in {time.perf_counter() - start:.1f} s")
    for name in ASSIGNMENTS:
        print(f"\n== 2/3 grade the sample submissions of {name!r}")
        grade(GradeOptions(assignment=name, paths=(course / "samples" / name,), out=out / "grades" / name))
    example = sorted((out / "grades" / "tensors").glob("mistake-*/feedback.md"))
    if example:
        print(f"\n== 3/3 the feedback a student gets ({example[0]}):\n")
        print(example[0].read_text(encoding="utf-8"))
    return 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    """Build Gradescope's autograder zip for an assignment."""
    import zipfile

    from .gradescope import build_zip

    out = args.out or REPO / "build" / f"gradescope-{args.assignment}.zip"
    build_zip(ASSIGNMENTS[args.assignment], out, args.visibility, args.lang[0])
    with zipfile.ZipFile(out) as zf:
        count = len(zf.namelist())
    print(f"wrote {out} ({count} files, {out.stat().st_size / 1e3:.0f} kB): upload it as the assignment's "
          "autograder on Gradescope (Ubuntu 22.04+ base image)")
    return 0


def cmd_mutants(args: argparse.Namespace) -> int:
    """Print the kill matrix of an assignment's misconception catalog."""
    import json

    from .mutants import format_matrix, kill_matrix

    if args.salt:
        from .harness import set_example_salt

        set_example_salt(args.salt)
    if args.auto:
        return _auto_mutants(args)
    start = time.perf_counter()
    rows = kill_matrix(ASSIGNMENTS[args.assignment])
    print(format_matrix(rows))
    print(f"({time.perf_counter() - start:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False))
    return 1 if any(r.verdict in ("SURVIVED", "REJECTED") for r in rows) else 0


def _auto_mutants(args: argparse.Namespace) -> int:
    """Generated mutants of every solution (``autograder.automutants``): kill rate and survivors."""
    import json

    from tqdm import tqdm

    from .automutants import format_report, run

    start = time.perf_counter()
    with tqdm(desc=f"mutants of {args.assignment}", unit="mutant", leave=False) as bar:
        def progress(done, total, result):
            bar.total = total
            bar.update(1)
        report = run(ASSIGNMENTS[args.assignment], set(args.question) if args.question else None, progress)
    print(format_report(report))
    print(f"({time.perf_counter() - start:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps({"assignment": report.assignment, "kill_rate": report.kill_rate,
                                         "mutants": [r.to_dict() for r in report.results]},
                                        indent=2, ensure_ascii=False))
    return 0 if report.kill_rate >= args.target else 1


def cmd_gpu_check(args: argparse.Namespace) -> int:
    """Run only the CUDA tests of every assignment against its solution sample."""
    import torch

    from .grade import Submission, WarmWorker, grade_one

    if not torch.cuda.is_available():
        print("no CUDA device here: the CUDA tests show as skipped on this machine. Run this on a GPU machine.")
        return 1
    print(f"CUDA device: {torch.cuda.get_device_name(0)}")
    bad = 0
    for name, assignment in sorted(ASSIGNMENTS.items()):
        start = time.perf_counter()
        worker = WarmWorker(timeout=600)
        result = grade_one(assignment, Submission("solution", SAMPLES / name / "solution.ipynb"), Path("/nonexistent"),
                           worker, only_cuda=True)
        worker.stop()
        tests = [test for row in result.questions for test in row.tests]
        counts = {k: sum(test.outcome == k for test in tests) for k in ("passed", "failed", "skipped")}
        print(f"{name}: {counts} in {time.perf_counter() - start:.1f} s")
        for test in tests:
            if test.outcome != "passed":
                print(f"  {test.outcome}: {test.nodeid}: {in_language(test.message, 'en')[:300]}")
        bad += counts["failed"] + counts["skipped"] + (counts["passed"] == 0)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    use_tool_env()
    args = build_parser().parse_args(argv)
    _paths_from_caller_dir(args)
    return args.run(args)


def build_parser() -> argparse.ArgumentParser:
    """The command line of every command (each subcommand's ``run`` is its ``cmd_*``)."""
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="regenerate release/, solutions/ and samples/ from source/")
    p.add_argument("assignments", nargs="*", choices=[[]] + sorted(ASSIGNMENTS), metavar="ASSIGNMENT")
    p.add_argument("--check", action="store_true", help="only report whether the generated folders are stale")
    p.add_argument("--no-execute", action="store_true", help="don't execute the solutions notebook")
    p.set_defaults(run=cmd_build)

    p = sub.add_parser("grade", help="grade submissions: notebooks, folders of notebooks, or nbgrader's submitted/")
    p.add_argument("assignment", choices=sorted(ASSIGNMENTS))
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--out", type=Path, required=True, help="where grades.csv and <id>/ folders go")
    p.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: all cores)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per submission")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-canary", action="store_true",
                   help="skip grading the reference solution first (the check that the grader works here)")
    p.add_argument("--lang", type=_langs, default=["en"], action=_Languages, metavar="LANGS",
                   help="feedback languages, comma-separated: en, zh or en,zh (the first writes feedback.md/.html, "
                        "the others feedback.<lang>.md/.html)")
    p.add_argument("--gradebook", metavar="PATH_OR_URL",
                   help="also record the scores in this nbgrader gradebook (e.g. course/gradebook.db or "
                        "sqlite:///course/gradebook.db), with nbgrader's due dates and late penalties")
    p.add_argument("--nbgrader-config", type=Path, metavar="FILE",
                   help="the course's nbgrader_config.py (default: the one beside the gradebook, else the kit's)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="grade on a Dask cluster: a scheduler's address (tcp://host:8786), or local[:N] to start "
                        "N worker processes here (default N: --jobs, else one per core)")
    p.add_argument("--force", action="store_true",
                   help="grade again even where a saved result could be reused (same notebook, same grader)")
    p.add_argument("--due", metavar="DATETIME",
                   help='the due date, e.g. "2025-03-01 23:59:00 Asia/Shanghai" (default: the gradebook\'s); '
                        "lateness comes from nbgrader's submitted/<student>/<a>/timestamp.txt")
    p.add_argument("--extensions", type=Path, metavar="CSV",
                   help="per-student due dates: a CSV with columns student and due (a date) or extension "
                        "(2d, 36h, 1d12h, 90m); written into the gradebook with --gradebook")
    p.set_defaults(run=cmd_grade)

    p = sub.add_parser("gradescope", help="build Gradescope's autograder zip (setup.sh, run_autograder, hidden tests)")
    p.add_argument("assignment", choices=sorted(ASSIGNMENTS))
    p.add_argument("--out", type=Path, help="the zip to write (default: build/gradescope-ASSIGNMENT.zip)")
    p.add_argument("--visibility", default="after_published",
                   choices=["visible", "hidden", "after_due_date", "after_published"],
                   help="when students see each question's hidden-test result (default: after_published)")
    p.add_argument("--lang", type=_langs, default=["en"], action=_Languages, metavar="LANG",
                   help="feedback language: en or zh")
    p.set_defaults(run=cmd_gradescope)

    p = sub.add_parser("check", help="run the public checks of a notebook from a terminal")
    p.add_argument("notebook", type=Path)
    p.add_argument("--assignment", choices=sorted(ASSIGNMENTS))
    p.add_argument("--lang", choices=["en", "zh"], help="the language of the verdicts (default: the notebook's edition)")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("demo", help="build, grade the samples, show scores and feedback")
    p.add_argument("--out", type=Path, default=REPO / "demo-output")
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("mutants", help="grade every catalogued mistake and correct variant (the kill matrix)")
    p.add_argument("assignment", choices=sorted(ASSIGNMENTS))
    p.add_argument("--json", type=Path, help="also write the matrix as JSON")
    p.add_argument("--auto", action="store_true",
                   help="instead: generate mutants of every solution (mutmut's operators) and grade them")
    p.add_argument("--salt", default="",
                   help="draw other hypothesis examples than grading does (any text): a mistake that only some "
                        "random draws catch survives under another salt")
    p.add_argument("--question", action="append", help="with --auto: only this question (repeatable)")
    p.add_argument("--target", type=float, default=0.95,
                   help="with --auto: the kill rate below which the command fails (default 0.95)")
    p.set_defaults(run=cmd_mutants)

    p = sub.add_parser("gpu-check", help="run only the CUDA tests of every assignment (needs a GPU)")
    p.set_defaults(run=cmd_gpu_check)
    return parser


def _paths_from_caller_dir(args: argparse.Namespace) -> None:
    """Relative paths on the command line are relative to where the user ran ``./kit`` (which changes to the
    kit's folder before starting Python; it passes the user's folder as KIT_CALLER_DIR)."""
    base = config.environment().caller_dir
    if base is None:
        return
    def resolve(value):
        if isinstance(value, Path) and not value.is_absolute():
            return Path(base) / value
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value
    for name, value in vars(args).items():
        setattr(args, name, resolve(value))
    gradebook = getattr(args, "gradebook", None)
    if gradebook and "://" not in gradebook and not Path(gradebook).is_absolute():
        args.gradebook = str(Path(base) / gradebook)
