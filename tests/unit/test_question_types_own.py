"""Each question type owns everything type-specific (issue 16): the rest of
the application asks the type (surveyapp.questions) and never tests a type
by its name, and every registered type answers every hook."""

from __future__ import annotations

import ast
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from flask_babel import LazyString
from werkzeug.datastructures import MultiDict

from surveyapp.questions import DEFAULT_TYPE, QUESTION_TYPES, QuestionType
from surveyapp.questions.xlsform import IMPORTED

PACKAGE = Path(__file__).resolve().parents[2] / "surveyapp"
NAMES = set(QUESTION_TYPES)

# The declared vocabularies other modules legitimately spell out: summary
# families, export shapes and XLSForm types and appearances. Some type names
# are also words of these ("matrix" is a family, "date" an XLSForm type,
# "likert" an XLSForm appearance), so those are caught only where they are
# compared with a question's type.
VOCABULARY = {
    word
    for qtype in QUESTION_TYPES.values()
    for word in (qtype.summary_family, qtype.export_shape, qtype.xlsform_type, qtype.xlsform_appearance)
    if word
}
TYPE_NAMES = {"type", "qtype", "type_name", "question_type", "kind_name", "tb", "ta"}


def _is_type_expression(node: ast.AST) -> bool:
    """``q.type``, ``question["type"]``, ``qtype``, ``type_name``..."""
    if isinstance(node, ast.Attribute):
        return node.attr in TYPE_NAMES
    if isinstance(node, ast.Name):
        return node.id in TYPE_NAMES
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "type"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == "type"
    return False


def _names_in(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in NAMES}


def type_name_uses(source: str) -> list[tuple[int, str]]:
    """(line, name) for every type name outside the declared vocabularies,
    and every type name compared with a question's type."""
    tree = ast.parse(source)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in NAMES - VOCABULARY:
            found.add((node.lineno, node.value))
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_type_expression(o) for o in operands):
                found |= {(node.lineno, name) for o in operands for name in _names_in(o)}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "in_":
            if _is_type_expression(node.func.value):  # Question.type.in_((...)) in SQL
                found |= {(node.lineno, name) for arg in node.args for name in _names_in(arg)}
    return sorted(found)


def test_the_check_finds_type_tests():
    assert type_name_uses('if q.type == "yes_no": pass') == [(1, "yes_no")]
    assert type_name_uses('x = qtype in ("matrix", "ranking")') == [(1, "matrix"), (1, "ranking")]
    assert type_name_uses('Question.type.in_(("date",))') == [(1, "date")]
    assert type_name_uses('if question["type"] != "note": pass') == [(1, "note")]
    assert type_name_uses('LABELS = {"short_text": 1}') == [(1, "short_text")]
    # A summary family, an export column kind or an XLSForm type is not a type test.
    assert type_name_uses('if family == "matrix" or kind == "date": pass') == []
    assert type_name_uses('row = {"type": "note", "appearance": "likert"}') == []


def test_no_type_names_outside_questions():
    uses = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "questions" in path.relative_to(PACKAGE).parts[:1]:
            continue
        for line, name in type_name_uses(path.read_text(encoding="utf-8")):
            uses.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name}")
    assert uses == [], "ask the question type (surveyapp.questions) instead:\n" + "\n".join(uses)


# ---- every type answers every hook --------------------------------------------


@dataclass
class Opt:
    id: int
    code: str
    kind: str = "choice"
    value: float | None = None
    is_other: bool = False
    retired_at: None = None


@dataclass
class Q:
    code: str
    required: bool = False
    settings: dict = field(default_factory=dict)
    options: list = field(default_factory=list)


def _question(qtype: QuestionType) -> Q:
    options = []
    presets = qtype.presets(5) or qtype.default_options()
    if presets:
        options = [Opt(n, str(o["code"]), value=o.get("value")) for n, o in enumerate(presets, start=1)]
    elif qtype.uses_options:
        options = [Opt(n, c) for n, c in enumerate(("a", "b", "c"), start=1)]
    if qtype.uses_items:
        options += [Opt(10 + n, c, kind="item") for n, c in enumerate(("r1", "r2"))]
    return Q("q1", required=True, options=options, settings={"min": 0, "max": 10} if qtype.numeric else {})


class Demo:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def around(self, mean, spread, low, high):
        return int(min(high, max(low, round(self.rng.gauss(mean, spread)))))

    def pick(self, weights):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def one_of(self, question, codes):
        return self.rng.choice(codes)

    def several(self, question, codes):
        return {"choices": sorted(set(self.rng.choices(codes, k=2))), "other": ""}

    def other_text(self, question):
        return "Lainnya"

    def mean(self, question, default):
        return default

    def item_mean(self, question, item, default):
        return default

    def priorities(self, question, codes):
        return {c: 1.0 for c in codes}

    def texts(self, question):
        return ["Jalan rusak"]

    def today(self):
        return date(2026, 8, 17)


class Drawer:
    def __init__(self):
        self.calls: list[str] = []

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append(name)


class Settings:
    def __init__(self, raw):
        self._raw, self.settings, self.errors = raw, {}, {}

    def raw(self, key):
        return self._raw.get(key)

    def error(self, key, message):
        self.errors[key] = message

    def integer(self, key, low, high):
        return int(self._raw[key]) if self._raw.get(key) else None

    def number(self, key):
        return float(self._raw[key]) if self._raw.get(key) else None

    def texts(self, key):
        pass


@pytest.fixture(params=sorted(QUESTION_TYPES))
def qtype(request, app):
    with app.test_request_context():
        yield QUESTION_TYPES[request.param]


def test_the_declarative_table_is_complete(qtype):
    assert isinstance(qtype.label, LazyString) and str(qtype.label)
    assert qtype.export_shape in ("single", "multi", "grid", "ranks", "number", "date", "text")
    assert qtype.xlsform_type in (
        "select_one",
        "select_multiple",
        "rank",
        "group",
        "integer",
        "decimal",
        "date",
        "text",
        "note",
    )
    assert qtype.spss_measure in ("nominal", "ordinal")
    assert qtype.change_scale in (None, "binary", "ordinal", "numeric")
    assert qtype.summary_family is None or isinstance(qtype.summary_family, str)
    assert isinstance(qtype.initial_settings, dict)
    # The XLSForm type imports as a type that exports the same way.
    if qtype.xlsform_type in IMPORTED:
        assert IMPORTED[qtype.xlsform_type].xlsform_type in (qtype.xlsform_type, "decimal")
    assert DEFAULT_TYPE in QUESTION_TYPES


def test_every_type_answers_every_hook(qtype):
    question = _question(qtype)
    # Builder: settings parse from an empty form without a message.
    form = Settings({})
    qtype.parse_settings(form, len(question.options))
    assert form.errors == {}
    rows = [{"code": o.code, "value": o.value, "is_other": False} for o in question.options if o.kind == "choice"]
    items = [{"code": o.code} for o in question.options if o.kind == "item"]
    assert qtype.builder_option_errors(rows, items, {"points": 5}) == {}
    if not qtype.takes_answer:
        assert qtype.demo_answer(question, Demo(1)) is None
        assert qtype.normalise("x") is None
        return
    # Paper: the type draws an answer space.
    drawer = Drawer()
    qtype.paper(drawer, question)
    assert drawer.calls
    # Demo: a demo answer is valid, stores and reads back as given.
    answers = [qtype.demo_answer(question, Demo(seed)) for seed in range(20)]
    answered = [a for a in answers if a is not None]
    assert answered
    for raw in answered:
        assert not qtype.is_empty(raw)
        assert qtype.validate(question, raw) is None, raw
        stored = qtype.to_rows(question, raw)
        assert qtype.from_rows(question, stored) == raw
        # An answer in its form shape normalises to itself (API, paper entry).
        assert qtype.normalise(raw) == raw
    # A form sends nothing: an empty answer.
    assert qtype.is_empty(qtype.read(question, MultiDict()))
