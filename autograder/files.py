"""Writing result files so that a reader (a resumed batch, a TA's browser, Gradescope) never sees half a file."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it over ``path``.

    A character UTF-8 cannot encode (a lone surrogate, from a file name that is not UTF-8 or a student's
    exception message) is written as ``?``: such text must never stop a result from being written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: dict) -> None:
    """``data`` as indented JSON (non-ASCII kept as is), written atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False))
