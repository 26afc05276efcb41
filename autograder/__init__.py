"""The course kit's instructor side: build releases, grade submissions, report.

Student-safe code (public checks, comparisons) lives in ``kitcheck``; this package adds what students
must not see: the hidden tests (``autograder/hidden``), the mistake catalog and the grading machinery.
"""
