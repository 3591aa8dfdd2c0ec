"""XLSForm ``relevant`` and ``constraint`` expressions -> Suara conditions
and number settings, for the subset Suara's logic can represent.

Anything else raises Unsupported with a reason; the importer then reports
the row instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..questions import get_type

TOKEN = re.compile(
    r"""\s*(?:
    (?P<ref>\$\{[^}]*\}) |
    (?P<str>'[^']*'|"[^"]*") |
    (?P<num>-?\d+(?:\.\d+)?) |
    (?P<op>!=|>=|<=|=|>|<) |
    (?P<punct>[(),]) |
    (?P<word>[A-Za-z_][A-Za-z0-9_:-]*|\.)
)""",
    re.VERBOSE,
)
MAX_TOKENS = 400


class Unsupported(ValueError):
    """An expression Suara's logic cannot represent."""


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise Unsupported(f'cannot read the expression near "{text[position : position + 20]}"')
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
        if len(tokens) > MAX_TOKENS:
            raise Unsupported("the expression is too long")
    return tokens


class _Parser:
    def __init__(self, tokens, question: Callable[[str], dict | None]):
        self.tokens, self.position, self.question = tokens, 0, question

    def peek(self, offset: int = 0):
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        token = self.peek()
        if token[0] is None or (kind and token[0] != kind) or (value and token[1].lower() != value):
            raise Unsupported(f'expected {value or kind} but found "{token[1] or "the end"}"')
        self.position += 1
        return token

    def parse(self) -> dict:
        result = self.expr()
        if self.peek()[0] is not None:
            raise Unsupported(f'unexpected "{self.peek()[1]}"')
        return result

    def expr(self) -> dict:
        parts = [self.conjunction()]
        while self.peek() == ("word", "or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else {"any": parts}

    def conjunction(self) -> dict:
        parts = [self.atom()]
        while self.peek() == ("word", "and"):
            self.take()
            parts.append(self.atom())
        return parts[0] if len(parts) == 1 else {"all": parts}

    def atom(self) -> dict:
        kind, value = self.peek()
        if (kind, value) == ("punct", "("):
            self.take()
            inner = self.expr()
            self.take("punct")
            return inner
        if kind == "word" and value.lower() == "not" and self.peek(1) == ("punct", "("):
            self.take()
            self.take("punct")
            inner = self.expr()
            self.take("punct")
            return negate(inner)
        if kind == "word" and value == "selected":
            self.take()
            self.take("punct")
            code, target = self.reference()
            self.take("punct")
            literal = self.literal()
            self.take("punct")
            if get_type(target["type"]).xlsform_type not in ("select_one", "select_multiple"):
                raise Unsupported(f"selected() on ${{{code}}}, which is not a choice question")
            return {"question": target["code"], "op": "equals", "value": _option(target, literal)}
        if kind == "ref":
            code, target = self.reference()
            op = self.take("op")[1]
            literal = self.literal()
            return comparison(target, op, literal)
        if kind in ("str", "num"):
            literal = self.literal()
            op = self.take("op")[1]
            code, target = self.reference()
            flipped = {">": "<", "<": ">", ">=": "<=", "<=": ">="}.get(op, op)
            return comparison(target, flipped, literal)
        raise Unsupported(f'"{value}" is not supported (functions other than selected() and not())')

    def reference(self):
        token = self.take("ref")[1]
        name = token[2:-1].strip()
        target = self.question(name)
        if target is None:
            raise Unsupported(f"${{{name}}} is not an earlier question Suara imported")
        return name, target

    def literal(self):
        kind, value = self.take()
        if kind == "str":
            return value[1:-1]
        if kind == "num":
            return float(value) if "." in value else int(value)
        raise Unsupported(f'expected a value but found "{value}"')


def comparison(target: dict, op: str, literal) -> dict:
    code, qtype = target["code"], target["type"]
    xls_type = get_type(qtype).xlsform_type
    if literal == "":
        if op == "!=":
            return {"question": code, "op": "answered"}
        if op == "=":
            return {"question": code, "op": "not_answered"}
        raise Unsupported("only = and != can compare with ''")
    numeric_literal = literal
    if isinstance(literal, str):
        try:
            numeric_literal = float(literal) if "." in literal else int(literal)
        except ValueError:
            numeric_literal = None
    if op in ("=", "!="):
        if xls_type == "decimal" and numeric_literal is not None:
            value = numeric_literal
        elif xls_type in ("decimal", "integer") and numeric_literal is None:
            raise Unsupported("a number question compared with text")
        else:
            value = _option(target, literal)
        return {"question": code, "op": "equals" if op == "=" else "not_equals", "value": value}
    if not get_type(qtype).numeric or numeric_literal is None:
        raise Unsupported(f"{op} only works on numbers in Suara")
    if op in (">", "<"):
        return {"question": code, "op": "gt" if op == ">" else "lt", "value": numeric_literal}
    integer = get_type(qtype).whole_numbers or target.get("integer")
    if not integer or not float(numeric_literal).is_integer():
        raise Unsupported(f"{op} on a decimal number (Suara compares with > and < only)")
    n = int(numeric_literal)
    return (
        {"question": code, "op": "gt", "value": n - 1} if op == ">=" else {"question": code, "op": "lt", "value": n + 1}
    )


def _option(target: dict, literal) -> str:
    """The Suara option code for an XLSForm choice name (names may have
    been made valid on import)."""
    return (target.get("options") or {}).get(str(literal), str(literal))


def negate(condition: dict) -> dict:
    if "all" in condition:
        return {"any": [negate(c) for c in condition["all"]]}
    if "any" in condition:
        return {"all": [negate(c) for c in condition["any"]]}
    pairs = {"equals": "not_equals", "not_equals": "equals", "answered": "not_answered", "not_answered": "answered"}
    if condition["op"] in pairs:
        return {**condition, "op": pairs[condition["op"]]}
    raise Unsupported("not() around > or <")


def parse_relevant(text: str, question: Callable[[str], dict | None]) -> dict:
    """A Suara condition for ``text``; ``question(name)`` describes an
    earlier imported question ({"code", "type", "integer"}) or is None."""
    return _Parser(tokenize(text), question).parse()


def parse_constraint(text: str, qtype: str, integer: bool) -> dict:
    """Settings for a constraint on the answer itself: ``. >= 0 and . <= 120``
    gives {"min": 0, "max": 120}; ``string-length(.) <= 20`` gives
    {"max_length": 20}."""
    settings: dict = {}
    for part in re.split(r"\s+and\s+", text.strip()):
        part = part.strip()
        if part.startswith("(") and part.endswith(")"):
            part = part[1:-1].strip()
        length = re.fullmatch(r"string-length\(\s*\.\s*\)\s*(<=|<)\s*(\d+)", part)
        if length and get_type(qtype).xlsform_type == "text":
            settings["max_length"] = int(length.group(2)) - (1 if length.group(1) == "<" else 0)
            continue
        match = re.fullmatch(r"\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)", part) or None
        if not match or get_type(qtype).xlsform_type != "decimal":
            raise Unsupported(f'the constraint "{part}" is not a range Suara can check')
        op, number = match.group(1), float(match.group(2))
        if op in (">", "<"):
            if not integer or not number.is_integer():
                raise Unsupported(f'the constraint "{part}" excludes its end point; Suara ranges include it')
            number = number + 1 if op == ">" else number - 1
        key = "min" if op.startswith(">") else "max"
        settings[key] = int(number) if number.is_integer() else number
    return settings
