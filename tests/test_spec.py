"""One source of truth: the spec, hidden tests and catalog agree on the questions."""
import re

from autograder.catalog import catalog
from autograder.assignments import hidden_test_file
from kitcheck.assignments import ASSIGNMENTS


def test_question_names_are_unique_across_the_course():
    names = [q.name for a in ASSIGNMENTS.values() for q in a.questions]
    assert len(names) == len(set(names))


def test_every_question_has_hidden_tests_and_every_hidden_test_a_question():
    for name, assignment in ASSIGNMENTS.items():
        source = hidden_test_file(name).read_text()
        marked = set(re.findall(r'@question\("(\w+)"\)', source))
        assert marked == {q.name for q in assignment.questions}, name
        assert "public_check_tests(ASSIGNMENT)" in source


def test_catalog_entries_name_real_questions_and_cover_each_at_least_once():
    for name, assignment in ASSIGNMENTS.items():
        mistakes = catalog(name)
        assert {m.question for m in mistakes} <= {q.name for q in assignment.questions}
        assert len({(m.question, m.slug) for m in mistakes}) == len(mistakes)
        assert len(mistakes) >= 5
