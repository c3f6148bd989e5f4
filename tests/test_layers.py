"""The package imports in one direction: no cycles, and no layer importing a layer above it.

The import graph is read from the source with :mod:`ast` (every ``import`` anywhere in a
module: at the top, inside functions, under ``TYPE_CHECKING``), so an import placed inside a
function to dodge a cycle still counts.  Importing ``generator.a.b`` also runs the package
``generator.a``, so that edge is in the graph too.

The layers, lowest first, are those of ARCHITECTURE.md.  A module must belong to one (a new
module is placed in :data:`LAYERS`); the few imports that go upwards today are listed in
:data:`KNOWN_UPWARD` with the reason and the change that removes them.  An entry that is no
longer needed fails :func:`test_known_exceptions_are_still_needed`, so the list only shrinks.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

#: Layers, lowest first: a module may import its own layer and the layers before it.  A
#: name covers the module and, for a package, everything in it.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("base", frozenset({"errors", "limits", "safeio", "resources", "naming", "findings"})),
    # the national form: grids, labels, identities, sentences, page and table geometry
    ("form", frozenset({"form"})),
    # the report model, the sentences it prints with, what reading a workbook gives and the
    # workbook addresses its values are read from (ReadResult.sources, every finding's cells)
    ("model", frozenset({"report"})),
    # the rule registry and the checks
    ("checks", frozenset({"checks"})),
    # workbooks and published reports in; .docx, PDF, HTML, workbooks, fonts out
    ("inputs/outputs", frozenset({"inputs", "outputs"})),
    # batch_summary: the batch's results as the 汇总 workbook, beside the batch it reports on
    ("app", frozenset({"app", "batch", "batch_summary", "aggregate"})),
    # serving: the waitress and Django pieces both web front ends share
    ("front ends", frozenset({"cli", "web", "portal", "serving", "__main__"})),
)

#: Imports that go up a layer today: (importer, imported) -> why, and what removes it.
KNOWN_UPWARD: dict[tuple[str, str], str] = {
}


def _modules() -> dict[str, Path]:
    """``checker``, ``render.document``, ``render`` (a package) … -> source file."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:  # generator/__init__.py itself holds only the version
            found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: set[str], packages: bool) -> set[str]:
    """The generator modules ``name`` imports, anywhere in its source; with ``packages``
    also the packages those modules are in (Python runs a package before its modules)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["generator", *name.split(".")]
                if not is_package:
                    base.pop()
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            targets = [f"{prefix}.{alias.name}" for alias in node.names] + [prefix]
        for target in targets:
            if not target.startswith("generator."):
                continue
            module = target.removeprefix("generator.")
            while module not in modules and "." in module:
                module = module.rsplit(".", 1)[0]  # ``from .x import name``: the module x
            if module not in modules:
                continue
            found.add(module)
            if packages:  # importing a.b.c runs the packages a and a.b first
                pieces = module.split(".")
                found.update(package for package in
                             (".".join(pieces[:depth]) for depth in range(1, len(pieces)))
                             if package in modules and not _inside(name, package))
    found.discard(name)
    return found


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@functools.lru_cache(maxsize=None)
def _graph(packages: bool) -> tuple[tuple[str, frozenset[str]], ...]:
    modules = _modules()
    return tuple((name, frozenset(_imports(name, path, set(modules), packages)))
                 for name, path in modules.items())


def import_graph(*, packages: bool = True) -> dict[str, set[str]]:
    """Module -> the modules it imports (and, with ``packages``, the packages they are in).

    Layers are judged without the packages: ``generator/inputs/workbook/__init__.py`` holds nothing,
    so importing ``workbook.layout`` depends on the layout alone.
    """
    return {name: set(imported) for name, imported in _graph(packages)}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def _layer(module: str) -> int | None:
    for number, (_, names) in enumerate(LAYERS):
        if any(_inside(module, name) for name in names):
            return number
    return None


def _upward(graph: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """Every import of a higher layer: (importer, imported) -> 'layer -> layer'."""
    found: dict[tuple[str, str], str] = {}
    for module, imported in graph.items():
        own = _layer(module)
        for other in imported:
            theirs = _layer(other)
            if own is not None and theirs is not None and theirs > own:
                found[(module, other)] = f"{LAYERS[own][0]} -> {LAYERS[theirs][0]}"
    return found


def test_the_graph_sees_imports_inside_functions_and_packages() -> None:
    # the walker itself: a lazy import in a function and the package a submodule lives in
    graph = import_graph()
    assert "app" in graph["cli.diff"]  # imported inside the command function
    assert "outputs" in graph["app"]  # generator.outputs.docx runs generator.outputs
    assert "outputs.document" in graph["outputs.pdf"]


def test_no_import_cycles_between_modules() -> None:
    assert _cycles(import_graph()) == []


def test_no_import_cycles_between_packages() -> None:
    # render, workbook, importers, cli, fonts as one node each: two modules of different
    # packages importing each other's package is a cycle too
    graph: dict[str, set[str]] = defaultdict(set)
    for module, imported in import_graph().items():
        unit = module.split(".")[0]
        graph[unit] |= {other.split(".")[0] for other in imported} - {unit}
    assert _cycles(dict(graph)) == []


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(module for module in import_graph() if _layer(module) is None)
    assert unplaced == [], f"place these modules in LAYERS (tests/test_layers.py): {unplaced}"


def test_no_layer_imports_a_layer_above_it() -> None:
    unexpected = {edge: how for edge, how in _upward(import_graph(packages=False)).items()
                  if edge not in KNOWN_UPWARD}
    assert unexpected == {}


def test_known_exceptions_are_still_needed() -> None:
    stale = sorted(set(KNOWN_UPWARD) - set(_upward(import_graph(packages=False))))
    assert stale == [], f"these imports no longer go upwards; remove them from KNOWN_UPWARD: {stale}"


#: Command-line modules that only parse arguments and present what ``generator.app`` returns.
#: (Still to move behind the app: cli.build (template check, font conversion notice),
#: cli.diff (yeardiff thresholds), cli.template, cli.fonts, and the server commands.)
THIN_FRONT_ENDS = ("cli.batch", "cli.import_", "cli.check", "cli.rules", "cli.init", "cli.build",
                   "cli.diff", "cli.template", "cli.fonts")
#: what a thin front end may import besides the use-case layer: exit codes and error types,
#: and the command line's own presentation helpers
PRESENTATION = frozenset({"app", "errors", "cli", "cli.output", "cli.zh", "cli.font_options"})


def test_thin_command_line_modules_import_only_the_app_and_presentation_helpers() -> None:
    graph = import_graph(packages=False)
    wider = {module: sorted(graph[module] - PRESENTATION) for module in THIN_FRONT_ENDS
             if graph[module] - PRESENTATION}
    assert wider == {}


def test_presentation_helpers_import_only_the_app_and_the_base_layer() -> None:
    graph = import_graph(packages=False)
    base = LAYERS[0][1]
    for helper in ("cli.output", "cli.zh", "cli.font_options"):
        assert graph[helper] <= base | PRESENTATION, (helper, sorted(graph[helper]))


def test_the_front_end_check_sees_an_import_of_a_lower_layer() -> None:
    # the check above would pass on an empty graph: the walker must see the imports it judges
    graph = import_graph(packages=False)
    assert "app" in graph["cli.batch"] and "app" in graph["cli.import_"]
    assert "checks.checker" in graph["app"]  # what the command line reaches only through the app
