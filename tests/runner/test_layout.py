"""The runner package's layout: stage folders, no import cycles, small modules, every module shipped.

Read from the source text (ast), not by importing, so a cycle hidden behind a function-level import
(the kind that only breaks at run time) is found too.
"""
from __future__ import annotations

import ast
import fnmatch
import xml.etree.ElementTree as ElementTree
from pathlib import Path

TOOL_DIR = Path(__file__).resolve().parents[2] / "tools" / "jupyter_job"
PACKAGE = TOOL_DIR / "notebook_job"
STAGES = ("prepare", "run", "export", "deliver")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(TOOL_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """notebook_job modules that ``path`` imports anywhere in its text (module level or in a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("notebook_job"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("notebook_job"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {target for target in _imports(path) if target in modules and target != name}
            for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return trail[trail.index(target):] + [node, target] if target in trail else [node, target]
            if target not in state:
                found = visit(target, trail + [node])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def test_the_package_is_grouped_by_stage():
    assert all((PACKAGE / stage / "__init__.py").is_file() for stage in STAGES)
    top_level = sorted(path.name for path in PACKAGE.glob("*.py"))
    # the two drivers, the shared errors, and the helpers notebooks import by their documented names
    assert top_level == ["__init__.py", "__main__.py", "checkpoint.py", "child.py", "cli.py", "errors.py",
                         "h5_batches.py"]


def test_the_package_has_no_import_cycle():
    graph = _graph()
    assert "notebook_job.export.keras_export" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_export_routes_depend_on_the_shared_parts_not_on_the_driver():
    graph = _graph()
    for route in ("sklearn_export", "keras_export", "torch_export"):
        imported = graph[f"notebook_job.export.{route}"]
        assert "notebook_job.export.onnx_export" not in imported
        assert "notebook_job.export.registry" not in imported
        assert "notebook_job.export.route" in imported


def test_no_module_is_over_400_lines():
    long = {path.relative_to(PACKAGE).as_posix(): lines for path in PACKAGE.rglob("*.py")
            if (lines := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_required_files_ship_every_module():
    """Galaxy matches <required_files> globs with fnmatch on the path relative to the tool folder."""
    tool = ElementTree.parse(TOOL_DIR / "run_jupyter_job.xml").getroot()
    globs = [item.get("path") for item in tool.iter("include")]
    modules = [path.relative_to(TOOL_DIR).as_posix() for path in PACKAGE.rglob("*.py")]
    assert [module for module in modules if not any(fnmatch.fnmatch(module, pattern) for pattern in globs)] == []
