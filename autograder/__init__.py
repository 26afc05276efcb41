"""The course kit's instructor side: build releases, grade submissions, report.

Student-safe code (public checks, comparisons) lives in ``kitcheck``; a release gets an allow-listed part
of it (``autograder.release``). This package holds what students must not see: per assignment, in
``autograder/assignments/<a>/``, the references, the stored probes' definitions, the mistake catalog and
the hidden tests; and the grading machinery.
"""

import sys as _sys

# nbformat validates with jsonschema, which imports rfc3987_syntax for its "iri" format checks; that module
# builds a Lark grammar on import (2.5 s of CPU in every grader process and warm worker). Notebook schemas
# use no such format, so the grader's processes go without it.
# None in sys.modules makes an import fail (documented); typeshed types the values as modules only.
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
