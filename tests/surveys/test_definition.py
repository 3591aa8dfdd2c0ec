"""Survey definitions: validation with locations, import, export, round trip, CLI."""

from __future__ import annotations

import copy
import json

import pytest

from surveyapp.extensions import db
from surveyapp.surveys import definition, library, services
from surveyapp.surveys.models import Option, Question, Survey

EVERY_TYPE = {
    "format": "suara-survey",
    "version": 1,
    "kind": "custom",
    "languages": ["id", "en"],
    "default_language": "id",
    "title": {"id": "Semua jenis", "en": "Every type"},
    "pages": [
        {
            "title": {"id": "Satu", "en": "One"},
            "questions": [
                {"code": "intro", "type": "note", "title": {"id": "Halo", "en": "Hello"}},
                {
                    "code": "choice",
                    "type": "single_choice",
                    "required": True,
                    "title": {"id": "Pilih", "en": "Pick"},
                    "settings": {"display": "dropdown"},
                    "options": [
                        {"code": "a", "label": {"id": "A", "en": "A"}},
                        {"code": "b", "label": {"id": "B", "en": "B"}},
                        {"code": "other", "label": {"id": "Lainnya", "en": "Other"}, "is_other": True},
                    ],
                },
                {
                    "code": "many",
                    "type": "multiple_choice",
                    "title": {"id": "Banyak", "en": "Many"},
                    "settings": {"min_selected": 1, "max_selected": 2},
                    "options": [
                        {"code": "x", "label": {"id": "X", "en": "X"}},
                        {"code": "y", "label": {"id": "Y", "en": "Y"}},
                        {"code": "z", "label": {"id": "Z", "en": "Z"}},
                    ],
                },
                {"code": "yn", "type": "yes_no", "title": {"id": "Ya/tidak", "en": "Yes/no"}},
                {
                    "code": "follow",
                    "type": "short_text",
                    "title": {"id": "Kenapa?", "en": "Why?"},
                    "settings": {"pattern": "phone"},
                    "logic": {
                        "all": [
                            {"question": "yn", "op": "equals", "value": "yes"},
                            {
                                "any": [
                                    {"question": "many", "op": "any_of", "value": ["x", "y"]},
                                    {"question": "choice", "op": "answered"},
                                ]
                            },
                        ]
                    },
                },
            ],
        },
        {
            "title": {"id": "Dua", "en": "Two"},
            "logic": {"question": "choice", "op": "not_equals", "value": "b"},
            "questions": [
                {
                    "code": "lik",
                    "type": "likert",
                    "metric_role": "satisfaction",
                    "title": {"id": "Puas?", "en": "Satisfied?"},
                    "settings": {"points": 5},
                    "options": [
                        {"code": str(i), "label": {"id": f"L{i}", "en": f"L{i}"}, "value": i} for i in range(1, 6)
                    ],
                },
                {
                    "code": "grid",
                    "type": "matrix",
                    "title": {"id": "Aspek", "en": "Aspects"},
                    "options": [
                        {"code": str(i), "label": {"id": f"S{i}", "en": f"S{i}"}, "value": i} for i in range(1, 4)
                    ],
                    "items": [
                        {"code": "venue", "label": {"id": "Tempat", "en": "Venue"}},
                        {"code": "food", "label": {"id": "Makan", "en": "Food"}},
                    ],
                },
                {
                    "code": "nps",
                    "type": "rating_0_10",
                    "metric_role": "recommend",
                    "title": {"id": "Rekomendasi", "en": "Recommend"},
                    "settings": {
                        "low_label": {"id": "Tidak", "en": "Not"},
                        "high_label": {"id": "Pasti", "en": "Surely"},
                    },
                },
                {"code": "star", "type": "stars", "title": {"id": "Bintang", "en": "Stars"}},
                {
                    "code": "rank",
                    "type": "ranking",
                    "title": {"id": "Urutkan", "en": "Rank"},
                    "settings": {"rank_count": 2},
                    "options": [
                        {"code": "w", "label": {"id": "Air", "en": "Water"}},
                        {"code": "r", "label": {"id": "Jalan", "en": "Roads"}},
                        {"code": "s", "label": {"id": "Sekolah", "en": "Schools"}},
                    ],
                },
                {
                    "code": "num",
                    "type": "number",
                    "title": {"id": "Umur", "en": "Age"},
                    "settings": {"integer": True, "min": 0, "max": 120},
                    "logic": {"question": "nps", "op": "gt", "value": 6},
                },
                {
                    "code": "when",
                    "type": "date",
                    "title": {"id": "Kapan", "en": "When"},
                    "settings": {"min": "2026-01-01", "max": "2026-12-31"},
                },
                {
                    "code": "story",
                    "type": "long_text",
                    "metric_role": "feedback",
                    "title": {"id": "Cerita", "en": "Story"},
                    "help_text": {"id": "Bebas", "en": "Anything"},
                    "logic": {"question": "grid", "item": "venue", "op": "lt", "value": 2},
                },
            ],
        },
    ],
}


def test_every_type_document_is_valid_and_round_trips(ctx, world):
    assert definition.validate(EVERY_TYPE) == []
    survey = services.create_from_definition(world.org.id, None, copy.deepcopy(EVERY_TYPE))
    exported = definition.export_definition(survey)
    again = services.create_from_definition(world.org.id, None, exported)
    assert definition.export_definition(again) == exported
    yes_no = next(q for q in survey.questions if q.code == "yn")
    assert [o.code for o in yes_no.options] == ["yes", "no"]  # added by the importer
    grid = next(q for q in survey.questions if q.code == "grid")
    assert {o.kind for o in grid.options} == {"choice", "item"}


@pytest.mark.parametrize("key", [entry.key for entry in library.templates()])
def test_every_template_imports_and_round_trips(ctx, world, key):
    survey = services.create_from_template(world.org.id, None, key)
    exported = definition.export_definition(survey)
    assert exported["languages"] == ["id", "en"]
    assert services.missing_translations(survey) == []
    again = services.create_from_definition(world.org.id, None, exported)
    assert definition.export_definition(again) == exported


def problems_of(document) -> list[str]:
    return [str(p) for p in definition.validate(document)]


def with_change(path_fn) -> dict:
    document = copy.deepcopy(EVERY_TYPE)
    path_fn(document)
    return document


def test_duplicate_codes_are_reported_with_their_location():
    document = with_change(lambda d: d["pages"][1]["questions"][0].update(code="choice"))
    assert any(p.startswith("pages[1].questions[0].code") and "choice" in p for p in problems_of(document))
    document = with_change(lambda d: d["pages"][0]["questions"][1]["options"][1].update(code="a"))
    assert any(p.startswith("pages[0].questions[1].options[1].code") for p in problems_of(document))


def test_forward_and_missing_logic_are_refused():
    forward = with_change(lambda d: d["pages"][0]["questions"][1].update(logic={"question": "lik", "op": "answered"}))
    assert any("comes later" in p for p in problems_of(forward))
    own = with_change(lambda d: d["pages"][0]["questions"][1].update(logic={"question": "choice", "op": "answered"}))
    assert any("comes later" in p for p in problems_of(own))  # a question cannot depend on itself
    missing = with_change(lambda d: d["pages"][0]["questions"][1].update(logic={"question": "ghost", "op": "answered"}))
    assert any("does not exist" in p for p in problems_of(missing))
    bad_option = with_change(
        lambda d: d["pages"][0]["questions"][4].update(logic={"question": "yn", "op": "equals", "value": "maybe"})
    )
    assert any("maybe" in p for p in problems_of(bad_option))


def test_structural_problems():
    no_items = with_change(lambda d: d["pages"][1]["questions"][1].update(items=[]))
    assert problems_of(no_items)
    min_max = with_change(lambda d: d["pages"][1]["questions"][5]["settings"].update(min=200))
    assert any("settings.min" in p for p in problems_of(min_max))
    stray_language = with_change(lambda d: d["pages"][0]["questions"][1]["title"].update(fr="Choisir"))
    assert any("fr" in p for p in problems_of(stray_language))
    no_title = with_change(lambda d: d.update(title={"id": " ", "en": "x"}))
    assert any(p.startswith("title") for p in problems_of(no_title))


@pytest.mark.parametrize(
    "payload,needle",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (b'{"a": "' + b"x" * (1024 * 1024) + b'"}', "limit is 1 MiB"),
    ],
)
def test_parse_refuses_bad_files(ctx, payload, needle):
    with pytest.raises(definition.DefinitionError) as error:
        definition.parse(payload)
    assert needle in str(error.value)


def test_newer_version_is_refused_with_a_message():
    problems = problems_of({**EVERY_TYPE, "version": 2})
    assert len(problems) == 1 and "version 2" in problems[0]


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_cli_import_export_list(runner, world, tmp_path):
    source = tmp_path / "survey.json"
    source.write_text(json.dumps(EVERY_TYPE), encoding="utf-8")
    result = runner.invoke(args=["surveys", "import-definition", str(source), "--org", world.org.slug])
    assert result.exit_code == 0, result.output
    survey_id = int(result.output.strip())
    exported = runner.invoke(args=["surveys", "export-definition", str(survey_id)])
    assert json.loads(exported.output) == definition.export_definition(db.session.get(Survey, survey_id))
    listing = runner.invoke(args=["surveys", "list", "--org", world.org.slug]).output
    line = next(row for row in listing.splitlines() if row.startswith(f"{survey_id}\t"))
    assert f"\t{world.org.slug}\tdraft\t" in line and "/s/" in line and line.endswith("Semua jenis")


def test_cli_import_of_invalid_file_creates_nothing(runner, world, tmp_path):
    broken = copy.deepcopy(EVERY_TYPE)
    broken["pages"][1]["questions"][1]["items"] = []
    source = tmp_path / "broken.json"
    source.write_text(json.dumps(broken), encoding="utf-8")
    before = (count(Survey), count(Question), count(Option))
    result = runner.invoke(args=["surveys", "import-definition", str(source), "--org", world.org.slug])
    assert result.exit_code == 1
    assert "pages[1].questions[1]" in result.output
    assert (count(Survey), count(Question), count(Option)) == before
    unknown_org = runner.invoke(args=["surveys", "import-definition", str(source), "--org", "nope"])
    assert unknown_org.exit_code != 0 and "nope" in unknown_org.output
