"""Skip logic: conditions on earlier answers, evaluated on the server.

A condition is a clause ``{"question": code, "op": ..., "value": ..., "item": ...}``
or a group ``{"all": [...]}`` / ``{"any": [...]}`` (docs/survey-format.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..questions import get_type
from ..questions.base import NO_ANSWER, Operands

OPS = ("equals", "not_equals", "any_of", "gt", "lt", "answered", "not_answered")
MAX_DEPTH = 5


def holds(condition: dict | None, operands_for: Callable[[str, str | None], Operands]) -> bool:
    """Whether ``condition`` holds; ``operands_for(code, item)`` gives the
    answer to an earlier question (NO_ANSWER when unanswered or hidden)."""
    if not condition:
        return True
    if "all" in condition:
        return all(holds(c, operands_for) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, operands_for) for c in condition["any"])
    return clause_holds(condition, operands_for(condition["question"], condition.get("item")))


def clause_holds(clause: dict, answer: Operands) -> bool:
    op, value = clause["op"], clause.get("value")
    if op == "answered":
        return answer.answered
    if op == "not_answered":
        return not answer.answered
    if op == "any_of":
        return bool(answer.codes & {str(v) for v in value or []})
    if op in ("equals", "not_equals"):
        same = _equals(answer, value)
        return same if op == "equals" else not same
    if answer.number is None or not isinstance(value, (int, float)):
        return False
    return answer.number > value if op == "gt" else answer.number < value


def _equals(answer: Operands, value) -> bool:
    if not answer.answered:
        return False
    if answer.codes:
        return str(value) in answer.codes
    if answer.number is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return answer.number == value
    return answer.text is not None and answer.text == str(value)


def clauses(condition: dict | None) -> Iterable[dict]:
    """Every clause in a condition, depth first."""
    if not condition:
        return
    for key in ("all", "any"):
        if key in condition:
            for child in condition[key]:
                yield from clauses(child)
            return
    yield condition


def depth(condition: dict | None) -> int:
    if not condition:
        return 0
    for key in ("all", "any"):
        if key in condition:
            return 1 + max((depth(c) for c in condition[key]), default=0)
    return 1


def check(condition: dict | None, earlier: dict[str, dict], later: set[str]) -> list[tuple[str, str]]:
    """Problems in ``condition`` as (path, message). ``earlier`` maps the
    codes of questions that come before to their definitions (type,
    options, items); ``later`` holds codes of this and later questions, so
    a forward reference gets its own message (that is what makes a cycle)."""
    from flask_babel import gettext as _

    if not condition:
        return []
    problems = []
    if depth(condition) > MAX_DEPTH:
        problems.append(("logic", _("Conditions can be nested at most %(n)d deep.", n=MAX_DEPTH)))
    for clause in clauses(condition):
        code, op = clause.get("question"), clause.get("op")
        if op not in OPS:
            problems.append(("logic", _('Unknown comparison "%(op)s".', op=op)))
            continue
        if code in later:
            problems.append(
                (
                    "logic",
                    _(
                        'The condition uses question "%(code)s", which comes later. Conditions may only use earlier questions.',
                        code=code,
                    ),
                )
            )
            continue
        target = earlier.get(code)
        if target is None:
            problems.append(("logic", _('The condition uses question "%(code)s", which does not exist.', code=code)))
            continue
        qtype = target.get("type")
        if not get_type(qtype).takes_answer:
            problems.append(("logic", _('Question "%(code)s" is a note and has no answer to test.', code=code)))
            continue
        if get_type(qtype).uses_items:
            items = {i.get("code") for i in target.get("items") or []}
            if clause.get("item") not in items:
                problems.append(("logic", _('Name one of the rows of matrix "%(code)s".', code=code)))
        if op in ("gt", "lt"):
            if not get_type(qtype).numeric:
                problems.append(("logic", _("Greater than and less than only work on number and rating questions.")))
            elif not isinstance(clause.get("value"), (int, float)) or isinstance(clause.get("value"), bool):
                problems.append(("logic", _("Give a number to compare with.")))
        elif op in ("equals", "not_equals", "any_of"):
            values = clause.get("value") if op == "any_of" else [clause.get("value")]
            if op == "any_of" and (not isinstance(values, list) or not values):
                problems.append(("logic", _('Give at least one answer for "any of".')))
                continue
            options = target.get("options") or get_type(qtype).default_options() or []
            codes = {o.get("code") for o in options}
            if codes:
                unknown = [str(v) for v in values if str(v) not in codes]
                if unknown:
                    problems.append(
                        ("logic", _('Question "%(code)s" has no answer "%(value)s".', code=code, value=unknown[0]))
                    )
            elif values[0] is None:
                problems.append(("logic", _("Give a value to compare with.")))
    return problems


__all__ = ["OPS", "holds", "clause_holds", "clauses", "check", "NO_ANSWER"]
