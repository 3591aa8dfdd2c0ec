"""No import circles in the package (issue 16): a module imported at the
top of another may not import it back, directly or round a loop. Imports
inside functions are deliberate late bindings and are not counted."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "surveyapp"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph(everywhere: bool = False) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (at module level only,
    or ``everywhere``, inside functions too)."""
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree) if everywhere else tree.body:
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            graph[name] |= {c for c in candidates if c in paths and c != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_package_has_no_import_circle():
    assert _circles(_graph()) == []


def test_surveys_does_not_import_analytics():
    """Analytics reacts to survey edits by subscribing to surveys/versioning.py;
    surveys/ never reaches into analytics/, not even inside a function."""
    reaching = {
        (module, target)
        for module, targets in _graph(everywhere=True).items()
        if module.startswith("surveyapp.surveys")
        for target in targets
        if target.startswith("surveyapp.analytics")
    }
    assert reaching == set()


def test_the_check_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_structure_hook_listens_on_suaras_sessions_only(ctx, world):
    from sqlalchemy.orm import Session

    from surveyapp.extensions import db
    from surveyapp.surveys.models import Page, Survey
    from tests.collect.helpers import make_survey

    survey = make_survey(world.org)
    before = survey.updated_at
    db.session.add(Page(survey_id=survey.id, position=99))
    db.session.commit()
    assert survey.updated_at > before
    # A plain SQLAlchemy session (a script, a migration) is not Suara's: no hook runs.
    with Session(db.engine) as other:
        stamp = other.get(Survey, survey.id).updated_at
        other.add(Page(survey_id=survey.id, position=100))
        other.commit()
        assert other.get(Survey, survey.id).updated_at == stamp
