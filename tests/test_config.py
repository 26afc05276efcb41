"""One configuration: every environment variable the grader reads is read in autograder/config.py, typed,
and listed in the README; a grade run is one GradeOptions, the same from the command line as built directly."""
import re
from pathlib import Path

import pytest

from autograder import config
from autograder.cli import build_parser
from autograder.config import Environment, GradeOptions

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(r"""(?:\.get\(|environ\[|env\[|getenv\()\s*["'](KIT\w*)""")


def test_no_grader_module_but_config_reads_a_kit_variable():
    readers = {path.name: READS.findall(path.read_text(encoding="utf-8"))
               for path in (ROOT / "autograder").rglob("*.py")}
    assert {name for name, found in readers.items() if found} == {"config.py"}
    assert set(readers["config.py"]) == set(config.VARIABLES)


def test_every_variable_is_in_the_readmes_table():
    table = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `KIT")]
    listed = set(re.findall(r"`(KIT\w+)`", "\n".join(table)))
    assert set(config.VARIABLES) <= listed, set(config.VARIABLES) - listed


def test_the_environment_is_read_into_types():
    env = Environment.read({"KIT_LANG": "zh, en", "KIT_NO_ISOLATION": "1", "KIT_NO_FORK_SERVER": "yes",
                            "KIT_CALLER_DIR": "/tmp/course", "KIT_HYPOTHESIS_PROFILE": "kit-explore"})
    assert env.languages == ("zh", "en") and env.no_isolation and not env.fork_server
    assert env.caller_dir == Path("/tmp/course") and env.hypothesis_profile == "kit-explore"
    default = Environment.read({})
    assert default == Environment() and default.fork_server and default.caller_dir is None


def test_grade_options_from_the_command_line_match_the_ones_built_directly(tmp_path):
    args = build_parser().parse_args(["grade", "tensors", str(tmp_path), "--out", str(tmp_path / "out"),
                                      "--lang", "zh,en", "--jobs", "3", "--no-canary", "--quiet"])
    parsed = GradeOptions.from_args(args)
    direct = GradeOptions(assignment="tensors", paths=(tmp_path,), out=tmp_path / "out", jobs=3, progress=False,
                          canary=False, languages=("zh", "en"), env=parsed.env)
    assert parsed == direct
    assert GradeOptions("tensors", (), tmp_path, languages=("zh", "en"), env=Environment()).feedback_language_setting == "zh,en"
    override = Environment(languages=("en",))  # KIT_LANG, when set, wins
    assert GradeOptions("tensors", (), tmp_path, languages=("zh",), env=override).feedback_language_setting == "en"


@pytest.mark.parametrize("command", ["grade", "gradescope"])
def test_lang_given_twice_adds_the_second_language_instead_of_dropping_the_first(tmp_path, command):
    paths = [str(tmp_path), "--out", str(tmp_path / "out")] if command == "grade" else []
    parse = build_parser().parse_args
    assert parse([command, "tensors", *paths]).lang == ["en"]  # the default
    assert parse([command, "tensors", *paths, "--lang", "zh"]).lang == ["zh"]  # one --lang replaces it
    assert parse([command, "tensors", *paths, "--lang", "en", "--lang", "zh"]).lang == ["en", "zh"]
    assert parse([command, "tensors", *paths, "--lang", "zh,en", "--lang", "en"]).lang == ["zh", "en"]
    assert build_parser().parse_args([command, "tensors", *paths]).lang == ["en"]  # the default list is not changed
