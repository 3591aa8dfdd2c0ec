"""A survey with every question type and a response answering them all
(FULL, in the shapes residents give); store it with tests.factories.respond."""

from __future__ import annotations

import copy

from surveyapp.surveys.services import create_from_definition

XSS = '"><img src=x onerror=alert(1)>'


def t(id_text: str, en_text: str | None = None) -> dict:
    return {"id": id_text, "en": en_text or id_text}


def opts(*codes, values=None, other=None, labels=None):
    return [
        {
            "code": c,
            "label": t(labels[k] if labels else f"Pilihan {c}", f"Option {c}"),
            **({"value": values[k]} if values else {}),
            **({"is_other": True} if c == other else {}),
        }
        for k, c in enumerate(codes)
    ]


LIKERT = opts("1", "2", "3", "4", "5", values=[1, 2, 3, 4, 5])
QUESTIONS = [
    {
        "code": "gender",
        "type": "single_choice",
        "required": True,
        "title": t("Jenis kelamin", "Gender"),
        "options": opts("f", "m", "x", other="x", labels=["Perempuan", "Laki-laki", "Lainnya"]),
    },
    {
        "code": "services",
        "type": "multiple_choice",
        "title": t("Layanan yang dipakai", "Services used"),
        "options": opts("clinic", "school", "other", other="other"),
    },
    {
        "code": "overall",
        "type": "likert",
        "title": t("Kepuasan", "Satisfaction"),
        "settings": {"points": 5},
        "options": LIKERT,
    },
    {
        "code": "aspects",
        "type": "matrix",
        "title": t("Aspek", "Aspects"),
        "options": LIKERT,
        "items": [
            {"code": "speed", "label": t("Kecepatan", "Speed")},
            {"code": "staff", "label": t("Petugas", "Staff")},
        ],
    },
    {"code": "recommend", "type": "rating_0_10", "title": t("Rekomendasi", "Recommend")},
    {"code": "stars", "type": "stars", "title": t("Bintang", "Stars")},
    {
        "code": "priorities",
        "type": "ranking",
        "title": t("Prioritas", "Priorities"),
        "options": opts("roads", "water", "light"),
    },
    {"code": "age", "type": "number", "title": t("Umur", "Age"), "settings": {"integer": True, "min": 0, "max": 120}},
    {"code": "visit", "type": "date", "title": t("Tanggal kunjungan", "Visit date")},
    {"code": "comment", "type": "long_text", "title": t("Komentar", "Comment")},
    {"code": "info", "type": "note", "title": t("Terima kasih", "Thanks")},
    {"code": "used", "type": "yes_no", "title": t("Pernah ke puskesmas?", "Used the clinic?")},
]


def definition(title: str = "Survei warga", questions=None) -> dict:
    return {
        "format": "suara-survey",
        "version": 1,
        "kind": "custom",
        "languages": ["id", "en"],
        "default_language": "id",
        "title": t(title, title),
        "pages": [{"title": t("Halaman 1", "Page 1"), "questions": copy.deepcopy(questions or QUESTIONS)}],
    }


def survey(org, title: str = "Survei warga", questions=None):
    return create_from_definition(org.id, None, definition(title, questions))


FULL = {
    "gender": {"choice": "x", "other": '=HYPERLINK("http://evil")'},
    "services": {"choices": ["clinic", "other"], "other": "+warung"},
    "overall": "4",
    "aspects": {"speed": "5", "staff": "2"},
    "recommend": "9",
    "stars": "3",
    "priorities": {"roads": "2", "water": "1", "light": "3"},
    "age": "42",
    "visit": "2026-02-17",
    "comment": "-1+1 Jalan rusak, " + XSS,
    "used": "yes",
}
