"""XLSForm workbooks built in the tests with openpyxl."""

from __future__ import annotations

import io

from openpyxl import Workbook

ID, EN = "label::Indonesian (id)", "label::English (en)"
HID, HEN = "hint::Indonesian (id)", "hint::English (en)"
SURVEY_HEAD = ["type", "name", ID, EN, HID, HEN, "required", "relevant", "constraint", "appearance", "choice_filter"]
CHOICES_HEAD = ["list_name", "name", ID, EN, "district"]


def book(survey_rows, choice_rows, settings=None, survey_head=SURVEY_HEAD, choices_head=CHOICES_HEAD) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(survey_head)
    for row in survey_rows:
        sheet.append([row.get(h) for h in survey_head])
    choices = workbook.create_sheet("choices")
    choices.append(choices_head)
    for row in choice_rows:
        choices.append([row.get(h) for h in choices_head])
    if settings is not None:
        sheet = workbook.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def q(type_, name, id_label, en_label=None, **extra):
    return {"type": type_, "name": name, ID: id_label, EN: en_label or id_label, **extra}


def c(list_name, name, id_label, en_label=None, **extra):
    return {"list_name": list_name, "name": name, ID: id_label, EN: en_label or id_label, **extra}


HOUSEHOLD_SURVEY = [
    q("start", "start", ""),
    q("begin group", "household", "Rumah tangga", "Household", relevant=""),
    q(
        "integer",
        "members",
        "Berapa orang tinggal di rumah ini?",
        "How many people live here?",
        required="yes",
        constraint=". >= 1 and . <= 30",
        **{HID: "Termasuk anak-anak", HEN: "Including children"},
    ),
    q("select_one yes_no", "has_children", "Ada anak di bawah 5 tahun?", "Any children under 5?", required="yes"),
    q(
        "integer",
        "children",
        "Berapa anak di bawah 5 tahun?",
        "How many children under 5?",
        relevant="${has_children} = 'yes'",
        constraint=". >= 1 and . <= 15",
    ),
    q("select_one water", "water_source", "Sumber air minum utama", "Main drinking water source", required="yes"),
    q("text", "water_other", "Sumber air lainnya", "Other water source", relevant="${water_source} = 'other'"),
    q("end group", "household", ""),
    q("begin group", "needs", "Kebutuhan", "Needs", relevant="${members} > 0"),
    q("select_multiple needs", "needs_top", "Kebutuhan utama", "Main needs", required="true"),
    q(
        "text",
        "needs_note",
        "Ceritakan kebutuhan kesehatan",
        "Tell us about health needs",
        relevant="selected(${needs_top}, 'health') and ${members} >= 3",
        appearance="multiline",
    ),
    q("decimal", "income", "Pendapatan per bulan (juta Rp)", "Monthly income (million Rp)", constraint=". >= 0"),
    q("date", "visit", "Tanggal kunjungan terakhir ke puskesmas", "Last clinic visit"),
    q("select_one district", "district", "Kecamatan", "District"),
    q("select_one village", "village", "Desa", "Village", choice_filter="district=${district}"),
    q("geopoint", "location", "Lokasi rumah", "Home location"),
    q("integer", "rooms", "Jumlah kamar", "Rooms", relevant="string-length(${water_other}) > 3"),
    q("note", "thanks", "Terima kasih!", "Thank you!"),
    q("end group", "needs", ""),
]
HOUSEHOLD_CHOICES = [
    c("yes_no", "yes", "Ya", "Yes"),
    c("yes_no", "no", "Tidak", "No"),
    c("water", "pipe", "Air ledeng", "Piped water"),
    c("water", "well", "Sumur", "Well"),
    c("water", "other", "Lainnya", "Other"),
    c("needs", "health", "Kesehatan", "Health"),
    c("needs", "school", "Pendidikan", "Education"),
    c("needs", "jobs", "Pekerjaan", "Jobs"),
    c("district", "d1", "Kecamatan Satu", "District One"),
    c("district", "d2", "Kecamatan Dua", "District Two"),
    c("village", "v1", "Desa A", "Village A", district="d1"),
    c("village", "v2", "Desa B", "Village B", district="d2"),
]
HOUSEHOLD_SETTINGS = {
    "form_title": "Asesmen kebutuhan rumah tangga",
    "form_id": "household_2026",
    "default_language": "Indonesian (id)",
}


def household() -> bytes:
    return book(HOUSEHOLD_SURVEY, HOUSEHOLD_CHOICES, HOUSEHOLD_SETTINGS)


def kobo_csv(rows: list[list[str]]) -> bytes:
    header = [
        "start",
        "end",
        "page_1/household/members",
        "page_1/has_children",
        "page_1/water_source",
        "page_1/water_other",
        "needs_top",
        "needs_top/health",
        "needs_top/school",
        "needs_top/jobs",
        "income",
        "unknown_col",
        "_uuid",
        "_submission_time",
    ]
    lines = [";".join(header)] + [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()
