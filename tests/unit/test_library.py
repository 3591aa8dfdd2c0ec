"""The survey-definition JSON Schema and the templates library: every template is a valid,
fully bilingual version-1 definition with unique codes, backward-only logic and its metric roles."""

import copy
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

SURVEYS = Path(__file__).resolve().parents[2] / "surveyapp" / "surveys"
SCHEMA = json.loads((SURVEYS / "survey-definition.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
LIBRARY = {
    path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted((SURVEYS / "library").glob("*.json"))
}

TEMPLATES = ["needs_assessment", "satisfaction", "trust", "community_relations", "quick_poll"]
BLOCKS = ["demographics"]
LANGUAGES = {"id", "en"}
TEXT_FIELDS = {
    "name",
    "summary",
    "title",
    "description",
    "welcome_text",
    "thankyou_text",
    "help_text",
    "label",
    "low_label",
    "high_label",
    "unit",
}
LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}$")
NUMERIC_TYPES = {"number", "rating_0_10", "stars", "likert", "matrix"}
OPTION_OPS = {"equals", "not_equals", "any_of"}
EXPECTED_ROLES = {
    "needs_assessment": {"feedback"},
    "satisfaction": {"satisfaction", "recommend", "feedback"},
    "trust": {"trust:local_government", "trust:community_leaders", "trust:police", "trust:local_organisations"},
    "community_relations": {"relations"},
    "demographics": {
        "demographic:age_band",
        "demographic:gender",
        "demographic:neighbourhood",
        "demographic:disability",
        "demographic:home_language",
    },
}
DEMOGRAPHIC_CODES = ["age_band", "gender", "neighbourhood", "disability", "home_language"]


def combined(key):
    """The template's definition with the pages of its blocks appended, as the library serves it."""
    document = copy.deepcopy(LIBRARY[key]["definition"])
    for block in LIBRARY[key]["blocks"]:
        document["pages"].extend(copy.deepcopy(LIBRARY[block]["definition"]["pages"]))
    return document


def questions(document):
    return [q for page in document["pages"] for q in page["questions"]]


def clauses(condition):
    if condition is None:
        return
    if "all" in condition or "any" in condition:
        for child in condition.get("all", condition.get("any")):
            yield from clauses(child)
    else:
        yield condition


def texts(node, key=None):
    """Every text object in ``node``: a known text field, or any dict of language code -> string."""
    if isinstance(node, dict):
        is_text = key in TEXT_FIELDS or (
            node and all(LANGUAGE_KEY.match(k) for k in node) and all(isinstance(v, str) for v in node.values())
        )
        if is_text:
            yield key, node
            return
        for k, v in node.items():
            yield from texts(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from texts(v, key)


def errors(document):
    return sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))


# ---------------------------------------------------------------- the schema


def test_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] and SCHEMA["description"]


def minimal():
    return {
        "format": "suara-survey",
        "version": 1,
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": "id",
        "title": {"id": "Uji", "en": "Test"},
        "pages": [
            {
                "questions": [
                    {
                        "code": "q1",
                        "type": "single_choice",
                        "title": {"id": "Pilih", "en": "Choose"},
                        "options": [{"code": "a", "label": {"id": "A"}}, {"code": "b", "label": {"id": "B"}}],
                    },
                    {
                        "code": "q2",
                        "type": "short_text",
                        "title": {"id": "Tulis"},
                        "logic": {"question": "q1", "op": "equals", "value": "a"},
                    },
                ]
            }
        ],
    }


def every_type():
    """One question of each type with all its settings, nested logic and explicit nulls."""
    scale = [{"code": str(n), "label": {"id": str(n)}, "value": n} for n in range(1, 6)]
    t = {"id": "Teks", "en": "Text"}
    document = minimal()
    document.update(
        description=t,
        welcome_text=None,
        thankyou_text=t,
        anonymous=True,
        settings={"min_seconds": 20, "one_per_browser": True, "show_results_after_vote": False, "public_results": None},
    )
    document["pages"].append(
        {
            "title": t,
            "logic": {
                "any": [
                    {"question": "q1", "op": "any_of", "value": ["a", "b"]},
                    {
                        "all": [
                            {"question": "q2", "op": "answered"},
                            {"question": "q1", "op": "not_equals", "value": "b"},
                        ]
                    },
                ]
            },
            "questions": [
                {
                    "code": "mc",
                    "type": "multiple_choice",
                    "required": True,
                    "title": t,
                    "help_text": None,
                    "metric_role": None,
                    "settings": {"min_selected": 0, "max_selected": 2},
                    "options": [
                        {"code": "x", "label": t},
                        {"code": "other", "label": t, "is_other": True, "value": None},
                    ],
                },
                {"code": "yn", "type": "yes_no", "title": t},
                {
                    "code": "yn2",
                    "type": "yes_no",
                    "title": t,
                    "options": [{"code": "no", "label": t}, {"code": "yes", "label": t}],
                },
                {
                    "code": "lk",
                    "type": "likert",
                    "title": t,
                    "metric_role": "satisfaction",
                    "settings": {"points": 5},
                    "options": scale,
                },
                {
                    "code": "lk7",
                    "type": "likert",
                    "title": t,
                    "settings": {"points": 7},
                    "options": [{"code": str(n), "label": t, "value": n} for n in range(1, 8)],
                },
                {"code": "mx", "type": "matrix", "title": t, "options": scale, "items": [{"code": "row", "label": t}]},
                {
                    "code": "r10",
                    "type": "rating_0_10",
                    "title": t,
                    "metric_role": "trust:police",
                    "settings": {"low_label": t, "high_label": t},
                    "logic": {"question": "mx", "item": "row", "op": "gt", "value": 2},
                },
                {
                    "code": "st",
                    "type": "stars",
                    "title": t,
                    "settings": {"max": 5},
                    "logic": {"question": "r10", "op": "lt", "value": 5.5},
                },
                {"code": "rk", "type": "ranking", "title": t, "settings": {"rank_count": 1}, "options": scale[:2]},
                {
                    "code": "nb",
                    "type": "number",
                    "title": t,
                    "metric_role": "outcome:households_connected",
                    "settings": {"integer": True, "min": 0, "max": 100.5, "unit": t},
                },
                {"code": "dt", "type": "date", "title": t, "settings": {"min": "2026-01-01", "max": "2026-12-31"}},
                {"code": "sh", "type": "short_text", "title": t, "settings": {"pattern": "phone", "max_length": 500}},
                {
                    "code": "lt",
                    "type": "long_text",
                    "title": t,
                    "metric_role": "feedback",
                    "settings": {"max_length": 10000},
                    "logic": None,
                    "options": [],
                    "items": [],
                },
                {"code": "nt", "type": "note", "required": False, "title": t, "metric_role": "demographic:age_band"},
            ],
        }
    )
    return document


def test_schema_accepts_every_type_and_nulls_for_absent_fields():
    assert errors(minimal()) == []
    assert [e.message for e in errors(every_type())] == []


def q(document, index):
    return document["pages"][0]["questions"][index]


def likert(options=5, points=5):
    return {
        "code": "lk",
        "type": "likert",
        "title": {"id": "x"},
        "settings": {"points": points},
        "options": [{"code": str(n), "label": {"id": str(n)}, "value": n} for n in range(1, options + 1)],
    }


def add(document, question):
    document["pages"][0]["questions"].append(question)


INVALID = {
    "unknown type": lambda d: q(d, 0).update(type="slider"),
    "code starting with a digit": lambda d: q(d, 0).update(code="1st"),
    "code with a space": lambda d: q(d, 0).update(code="my code"),
    "code of 65 characters": lambda d: q(d, 0).update(code="a" * 65),
    "code with a trailing newline": lambda d: q(d, 0).update(code="q1\n"),
    "bad option code": lambda d: q(d, 0)["options"][0].update(code="a b"),
    "text with a non-language key": lambda d: d.update(title={"id": "Uji", "english": "Test"}),
    "text with an upper-case key": lambda d: d.update(title={"ID": "Uji"}),
    "text that is not a string": lambda d: d.update(description={"id": 5}),
    "title over 300 characters": lambda d: d.update(title={"id": "x" * 301}),
    "help text over 2000 characters": lambda d: q(d, 0).update(help_text={"id": "x" * 2001}),
    "empty title": lambda d: q(d, 0).update(title={}),
    "condition with an unknown op": lambda d: q(d, 1)["logic"].update(op="contains"),
    "condition with an unknown key": lambda d: q(d, 1)["logic"].update(note="x"),
    "condition without a value": lambda d: q(d, 1)["logic"].pop("value"),
    "any_of with a single code": lambda d: q(d, 1).update(logic={"question": "q1", "op": "any_of", "value": "a"}),
    "gt with a code": lambda d: q(d, 1).update(logic={"question": "q1", "op": "gt", "value": "a"}),
    "answered with a value": lambda d: q(d, 1).update(logic={"question": "q1", "op": "answered", "value": "a"}),
    "group mixing all and any": lambda d: q(d, 1).update(logic={"all": [q(d, 1)["logic"]], "any": []}),
    "empty group": lambda d: q(d, 1).update(logic={"all": []}),
    "bad clause inside a group": lambda d: q(d, 1).update(logic={"any": [{"all": [{"question": "q1", "op": "is"}]}]}),
    "format": lambda d: d.update(format="other-survey"),
    "version 2": lambda d: d.update(version=2),
    "missing kind": lambda d: d.pop("kind"),
    "unknown kind": lambda d: d.update(kind="census"),
    "no languages": lambda d: d.update(languages=[]),
    "eleven languages": lambda d: d.update(languages=[f"l{c}" for c in "abcdefghijk"]),
    "a language twice": lambda d: d.update(languages=["id", "id"]),
    "unknown top-level key": lambda d: d.update(theme="dark"),
    "unknown survey setting": lambda d: d.update(settings={"max_responses": 5}),
    "no pages": lambda d: d.update(pages=[]),
    "51 pages": lambda d: d.update(pages=[copy.deepcopy(d["pages"][0]) for _ in range(51)]),
    "page without questions": lambda d: d["pages"].append({"questions": []}),
    "unknown question key": lambda d: q(d, 0).update(hint={"id": "x"}),
    "unknown setting for the type": lambda d: q(d, 0).update(settings={"points": 5}),
    "bad display": lambda d: q(d, 0).update(settings={"display": "slider"}),
    "choice with one option": lambda d: q(d, 0)["options"].pop(),
    "201 options": lambda d: q(d, 0).update(options=[{"code": f"o{n}", "label": {"id": "o"}} for n in range(201)]),
    "two other options": lambda d: [o.update(is_other=True) for o in q(d, 0)["options"]],
    "metric role unknown": lambda d: q(d, 0).update(metric_role="happiness"),
    "metric role with an upper-case name": lambda d: q(d, 0).update(metric_role="trust:Police"),
    "metric role without a name": lambda d: q(d, 0).update(metric_role="demographic:"),
    "likert with 4 options": lambda d: add(d, likert(4, 5)),
    "likert with 6 options": lambda d: add(d, likert(6, 5)),
    "likert points unlike its options": lambda d: add(d, likert(5, 7)),
    "likert with 6 points": lambda d: add(d, likert(6, 6)),
    "likert option without value": lambda d: add(d, likert()) or q(d, 2)["options"][0].pop("value"),
    "likert with other": lambda d: add(d, likert()) or q(d, 2)["options"][0].update(is_other=True),
    "matrix without items": lambda d: add(d, {**likert(), "type": "matrix", "settings": {}}),
    "items outside a matrix": lambda d: q(d, 0).update(items=[{"code": "r", "label": {"id": "r"}}]),
    "yes_no with other codes": lambda d: add(
        d,
        {
            "code": "yn",
            "type": "yes_no",
            "title": {"id": "x"},
            "options": [{"code": "yes", "label": {"id": "Ya"}}, {"code": "maybe", "label": {"id": "Mungkin"}}],
        },
    ),
    "rating with options": lambda d: add(
        d, {"code": "r", "type": "rating_0_10", "title": {"id": "x"}, "options": q(d, 0)["options"]}
    ),
    "stars out of 10": lambda d: add(d, {"code": "s", "type": "stars", "title": {"id": "x"}, "settings": {"max": 10}}),
    "negative min_selected": lambda d: q(d, 0).update(type="multiple_choice", settings={"min_selected": -1}),
    "short text over 500": lambda d: q(d, 1).update(settings={"max_length": 501}),
    "unknown short text pattern": lambda d: q(d, 1).update(settings={"pattern": "url"}),
    "long text over 10000": lambda d: q(d, 1).update(type="long_text", settings={"max_length": 10001}),
    "date not ISO": lambda d: q(d, 1).update(type="date", settings={"min": "17/08/2026"}),
    "required note": lambda d: add(d, {"code": "n", "type": "note", "required": True, "title": {"id": "x"}}),
    "question without title": lambda d: q(d, 0).pop("title"),
    "question without type": lambda d: q(d, 0).pop("type"),
}


@pytest.mark.parametrize("mutate", INVALID.values(), ids=INVALID.keys())
def test_schema_rejects_invalid_documents(mutate):
    document = minimal()
    mutate(document)
    assert errors(document), "the schema accepted an invalid document"


def test_schema_errors_point_at_the_problem():
    document = minimal()
    q(document, 1)["logic"]["op"] = "contains"
    q(document, 0)["options"][1]["code"] = "b b"
    paths = {tuple(e.absolute_path) for e in errors(document)}
    assert paths == {("pages", 0, "questions", 1, "logic", "op"), ("pages", 0, "questions", 0, "options", 1, "code")}


# ---------------------------------------------------------------- the library


def test_library_holds_the_templates_and_the_block():
    assert sorted(LIBRARY) == sorted(TEMPLATES + BLOCKS)
    for stem, entry in LIBRARY.items():
        assert set(entry) == {"key", "name", "summary", "blocks", "definition"}
        assert entry["key"] == stem
        assert all(block in BLOCKS for block in entry["blocks"])
    for key in TEMPLATES:
        assert LIBRARY[key]["definition"]["kind"] == key
        assert LIBRARY[key]["blocks"] == ([] if key == "quick_poll" else ["demographics"])
    assert LIBRARY["demographics"]["blocks"] == []


@pytest.mark.parametrize("key", TEMPLATES + BLOCKS)
def test_definition_is_valid(key):
    assert [e.message for e in errors(LIBRARY[key]["definition"])] == []
    assert [e.message for e in errors(combined(key))] == []


@pytest.mark.parametrize("key", TEMPLATES + BLOCKS)
def test_every_text_is_in_indonesian_and_english(key):
    entry = LIBRARY[key]
    document = entry["definition"]
    assert document["languages"] == ["id", "en"] and document["default_language"] == "id"
    for field in ("title", "description", "welcome_text", "thankyou_text"):
        assert field in document
    found = list(texts(entry))
    assert len(found) > 10
    for field, text in found:
        assert set(text) == LANGUAGES, (field, text)
        assert all(isinstance(v, str) and v.strip() for v in text.values()), (field, text)
        assert all(v == v.strip() and "<" not in v for v in text.values()), (field, text)  # plain text


@pytest.mark.parametrize("key", TEMPLATES + BLOCKS)
def test_codes_are_unique_after_appending_blocks(key):
    codes = [question["code"] for question in questions(combined(key))]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    for question in questions(combined(key)):
        for field in ("options", "items"):
            entries = [entry["code"] for entry in question.get(field) or []]
            assert len(entries) == len(set(entries)), (question["code"], field)


def option_codes(question):
    if question["type"] == "yes_no" and not question.get("options"):
        return {"yes", "no"}
    return {option["code"] for option in question.get("options") or []}


def check_clause(clause, earlier):
    assert clause["question"] in earlier, f"{clause['question']} is not an earlier question"
    target = earlier[clause["question"]]
    if target["type"] == "matrix":
        assert clause.get("item") in {item["code"] for item in target["items"]}
    else:
        assert clause.get("item") is None
    op, value = clause["op"], clause.get("value")
    if op in ("gt", "lt"):
        assert target["type"] in NUMERIC_TYPES
    if op in OPTION_OPS and option_codes(target):
        for code in value if isinstance(value, list) else [value] if isinstance(value, str) else []:
            assert code in option_codes(target), f"{code} is not an option of {clause['question']}"


@pytest.mark.parametrize("key", TEMPLATES + BLOCKS)
def test_logic_refers_to_earlier_questions_and_real_options(key):
    earlier = {}
    for page in combined(key)["pages"]:
        for clause in clauses(page.get("logic")):
            check_clause(clause, earlier)  # only questions on earlier pages
        for question in page["questions"]:
            for clause in clauses(question.get("logic")):
                check_clause(clause, earlier)
            earlier[question["code"]] = question


def test_the_needs_assessment_skips_by_answer():
    document = LIBRARY["needs_assessment"]["definition"]
    logic = {question["code"]: question.get("logic") for question in questions(document)}
    assert logic["puskesmas_ease"] == {"question": "uses_puskesmas", "op": "equals", "value": "yes"}
    matrix = next(question for question in questions(document) if question["code"] == "problem_severity")
    assert len(matrix["items"]) == 9 and all(isinstance(option["value"], int) for option in matrix["options"])
    ranking = next(question for question in questions(document) if question["type"] == "ranking")
    assert {option["code"] for option in ranking["options"]} == {item["code"] for item in matrix["items"]}


@pytest.mark.parametrize("key", sorted(EXPECTED_ROLES))
def test_metric_roles_are_present(key):
    roles = {question.get("metric_role") for question in questions(LIBRARY[key]["definition"])} - {None}
    assert EXPECTED_ROLES[key] <= roles
    if key in TEMPLATES and LIBRARY[key]["blocks"]:
        assert EXPECTED_ROLES["demographics"] <= {question.get("metric_role") for question in questions(combined(key))}


def test_roles_sit_on_the_right_types():
    expected_types = {
        "satisfaction": {"likert"},
        "recommend": {"rating_0_10"},
        "relations": {"likert"},
        "feedback": {"long_text"},
        "trust": {"rating_0_10"},
        "demographic": {"single_choice"},
    }
    for key in TEMPLATES + BLOCKS:
        for question in questions(LIBRARY[key]["definition"]):
            role = question.get("metric_role")
            if role:
                assert question["type"] in expected_types[role.split(":")[0]], (key, question["code"])
    trust_scale = [question for question in questions(LIBRARY["trust"]["definition"]) if question["type"] == "likert"]
    assert len(trust_scale) == 3 and all("metric_role" not in question for question in trust_scale)


@pytest.mark.parametrize("key", TEMPLATES)
def test_likert_items_are_five_points_scored_one_to_five(key):
    for question in questions(LIBRARY[key]["definition"]):
        if question["type"] == "likert":
            assert question["settings"]["points"] == 5
            assert [(o["code"], o["value"]) for o in question["options"]] == [(str(n), n) for n in range(1, 6)]


def test_satisfaction_scale_and_recommend_labels():
    by_code = {question["code"]: question for question in questions(LIBRARY["satisfaction"]["definition"])}
    assert by_code["overall"]["options"][0]["label"]["en"] == "Very dissatisfied"
    assert by_code["aspects"]["options"] == by_code["overall"]["options"]
    assert {i["code"] for i in by_code["aspects"]["items"]} == {
        "organisation",
        "information",
        "venue",
        "facilitators",
        "usefulness",
    }
    assert set(by_code["recommend"]["settings"]) == {"low_label", "high_label"}


def test_community_relations_groups_have_other_and_limits():
    groups = next(
        question
        for question in questions(LIBRARY["community_relations"]["definition"])
        if question["type"] == "multiple_choice"
    )
    assert [o["code"] for o in groups["options"] if o.get("is_other")] == ["other"]
    low, high = groups["settings"]["min_selected"], groups["settings"]["max_selected"]
    assert 0 <= low <= high <= len(groups["options"])
    contact = next(
        question
        for question in questions(LIBRARY["community_relations"]["definition"])
        if question["code"] == "neighbour_contact"
    )
    assert [o["code"] for o in contact["options"]] == ["daily", "weekly", "monthly", "rarely", "never"]
    assert all(isinstance(o["value"], int) for o in contact["options"])


def test_quick_poll_is_one_single_choice_question():
    document = LIBRARY["quick_poll"]["definition"]
    assert [question["type"] for question in questions(document)] == ["single_choice"]
    assert document["settings"] == {"show_results_after_vote": True}


def test_demographic_block():
    document = LIBRARY["demographics"]["definition"]
    assert len(document["pages"]) == 1
    assert document["pages"][0]["title"] == {"id": "Tentang Anda", "en": "About you"}
    block = questions(document)
    assert [question["code"] for question in block] == DEMOGRAPHIC_CODES
    for question in block:
        assert question["metric_role"] == f"demographic:{question['code']}"
        assert question["type"] == "single_choice" and question.get("required") is False
        assert question["help_text"]["id"] and question["help_text"]["en"]
    by_code = {question["code"]: question for question in block}
    ages = by_code["age_band"]["options"]
    assert {"18_29", "30_44", "45_59", "60_plus"} <= {o["code"] for o in ages}
    assert [o["value"] for o in ages] == list(range(1, len(ages) + 1))
    assert {f"rw_{n:02d}" for n in range(1, 9)} <= {o["code"] for o in by_code["neighbourhood"]["options"]}
    assert by_code["neighbourhood"]["settings"] == {"display": "dropdown"}
    assert [o["code"] for o in by_code["home_language"]["options"] if o.get("is_other")] == ["other"]
    assert "prefer_not_to_say" in {o["code"] for o in by_code["disability"]["options"]}
