"""Skip logic evaluation and visibility (pure, with tiny fake questions)."""

from __future__ import annotations

from surveyapp.questions.base import NO_ANSWER, Operands
from surveyapp.surveys import logic


def answers(**given):
    return lambda code, item: given.get(code if item is None else f"{code}.{item}", NO_ANSWER)


def test_operators():
    chosen = Operands(answered=True, codes=frozenset({"a", "b"}))
    number = Operands(answered=True, number=7.0)
    look = answers(c=chosen, n=number)
    assert logic.holds({"question": "c", "op": "equals", "value": "a"}, look)
    assert not logic.holds({"question": "c", "op": "not_equals", "value": "a"}, look)
    assert logic.holds({"question": "c", "op": "any_of", "value": ["z", "b"]}, look)
    assert logic.holds({"question": "n", "op": "gt", "value": 6}, look)
    assert not logic.holds({"question": "n", "op": "lt", "value": 7}, look)
    assert logic.holds({"question": "n", "op": "equals", "value": 7}, look)
    assert logic.holds({"question": "missing", "op": "not_answered"}, look)
    assert not logic.holds({"question": "missing", "op": "gt", "value": 0}, look)
    assert logic.holds({"question": "missing", "op": "not_equals", "value": "a"}, look)


def test_groups():
    look = answers(a=Operands(answered=True, codes=frozenset({"yes"})))
    yes = {"question": "a", "op": "equals", "value": "yes"}
    no = {"question": "a", "op": "equals", "value": "no"}
    assert logic.holds({"all": [yes, {"any": [no, yes]}]}, look)
    assert not logic.holds({"all": [yes, no]}, look)
    assert logic.holds({"any": [no, yes]}, look)
    assert logic.holds(None, look)


def test_visibility_cascades(ctx, world):
    from surveyapp.surveys import services
    from surveyapp.surveys.visibility import visible
    from tests.surveys.test_definition import EVERY_TYPE

    survey = services.create_from_definition(world.org.id, None, EVERY_TYPE)
    codes = lambda raws: [q.code for p in visible(survey, raws) for q in p.questions]  # noqa: E731
    # "follow" needs yes AND (x or y or choice answered)
    assert "follow" not in codes({"yn": {"choice": "no"}})
    assert "follow" in codes({"yn": {"choice": "yes"}, "choice": {"choice": "a"}})
    # page two is hidden when choice == b, and so is everything on it
    hidden = codes({"choice": {"choice": "b"}, "nps": "9"})
    assert "lik" not in hidden and "num" not in hidden
    shown = codes({"choice": {"choice": "a"}, "nps": "9"})
    assert "lik" in shown and "num" in shown
    assert "num" not in codes({"choice": {"choice": "a"}, "nps": "5"})
