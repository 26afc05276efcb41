"""The linter (ruff, configured in pyproject.toml: pycodestyle, pyflakes, bugbear) finds nothing."""
import subprocess
import sys

from conftest import REPO


def test_ruff_reports_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "-q"], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"ruff found problems:\n{done.stdout}{done.stderr}"


def _imports(path, module: str, known: set[str]) -> set[str]:
    """The kit's modules that ``module`` imports anywhere in its file (inside functions too)."""
    import ast

    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else (node.module or "")
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known and name != module}
    return found


def _cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle, or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt, path + [nxt])):
                return found
        state[node] = 2
        return []

    for start in sorted(edges):
        if start not in state and (found := visit(start, [start])):
            return found
    return []


def test_no_import_cycles_even_through_imports_inside_functions():
    """Imports inside functions count too: a lazy import must not be what holds a cycle together."""
    files = {}
    for package in ("autograder", "kitcheck"):
        for path in (REPO / package).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            files[name] = path
    edges = {name: _imports(path, name, set(files)) for name, path in files.items()}
    assert _cycle(edges) == []
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]  # the detector finds one
