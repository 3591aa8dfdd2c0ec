"""The streaming SPSS writer (surveyapp/exports/sav.py): files read back
with pyreadstat and pandas.read_spss give the same values, variable labels,
value labels and missing values; long and non-ASCII strings survive; the
writer streams (memory does not grow with the rows)."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tracemalloc
from datetime import UTC, date, datetime

import pytest

from surveyapp.exports import sav
from surveyapp.exports.layout import Column, Layout, build_layout
from tests import factories
from tests.conftest import login
from tests.exports import data

pyreadstat = pytest.importorskip("pyreadstat")


@pytest.fixture
def filled(world, ctx):
    survey = data.survey(world.org)
    full = factories.respond(
        survey, data.FULL, channel="paper", language="en", submitted_at=datetime(2026, 3, 1, 4, 0), duration=95
    )
    sparse = factories.respond(
        survey, {"gender": "f", "services": ["school"], "age": "7"}, submitted_at=datetime(2026, 3, 5, 4)
    )
    partial = factories.respond(survey, {"gender": "m"}, status="partial")
    return survey, full, sparse, partial


def _download(client, url, tmp_path, name="x.sav"):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    path = tmp_path / name
    path.write_bytes(response.data)
    return response, path


def _ncases(raw: bytes) -> int:
    return struct.unpack("<i", raw[sav.NCASES_OFFSET : sav.NCASES_OFFSET + 4])[0]


def test_sav_round_trip_with_labels(client, world, filled, tmp_path):
    survey, full, sparse, _ = filled
    login(client, "editor@mawar.test")
    response, path = _download(client, f"/surveys/{survey.id}/export.sav?lang=en", tmp_path)
    assert response.mimetype == "application/x-spss-sav"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame["response_id"]) == [full.id, sparse.id]  # complete only by default
    labels = meta.column_names_to_labels
    assert labels["overall"] == "Satisfaction" and labels["aspects_speed"] == "Aspects: Speed"
    assert labels["services_clinic"] == "Services used: Option clinic"
    assert meta.variable_value_labels["gender"] == {1.0: "Option f", 2.0: "Option m", 3.0: "Option x"}
    assert meta.variable_value_labels["overall"][4.0] == "Option 4"
    assert meta.variable_value_labels["aspects_staff"] == meta.variable_value_labels["overall"]  # a shared set
    assert meta.variable_value_labels["used"] == {1.0: "Yes", 0.0: "No"}
    assert meta.variable_value_labels["services_school"] == {0.0: "not chosen", 1.0: "chosen"}
    first = frame.iloc[0]
    assert first["gender"] == 3 and first["overall"] == 4 and first["aspects_staff"] == 2 and first["used"] == 1
    assert first["services_clinic"] == 1 and first["services_school"] == 0 and first["services_other"] == 1
    assert first["services_other_2"] == "+warung" and first["gender_other"] == '=HYPERLINK("http://evil")'
    assert first["priorities_water"] == 1 and first["age"] == 42 and first["recommend"] == 9
    assert first["visit"] == date(2026, 2, 17) and meta.original_variable_types["visit"].startswith("DATE")
    assert first["submitted_at"] == datetime(2026, 3, 1, 4, 0)
    assert meta.original_variable_types["submitted_at"].startswith("DATETIME")
    assert first["channel"] == "paper" and first["language"] == "en" and first["status"] == "complete"
    assert first["duration_seconds"] == 95
    assert first["comment"] == data.FULL["comment"]
    second = frame.iloc[1]
    for name in ("overall", "aspects_speed", "recommend", "priorities_roads", "visit"):
        assert second[name] != second[name] or second[name] is None, name  # system-missing reads as NaN
    assert second["comment"] == "" and second["age"] == 7
    assert meta.variable_measure["overall"] == "ordinal" and meta.variable_measure["gender"] == "nominal"
    assert meta.variable_measure["age"] == "scale"
    assert meta.file_label == "Survei warga"
    assert meta.number_rows == 2  # pyreadstat counts the cases itself when the header says "unknown"
    assert _ncases(path.read_bytes()) == -1
    everything, _meta = pyreadstat.read_sav(
        str(_download(client, f"/surveys/{survey.id}/export.sav?status=all", tmp_path, "all.sav")[1])
    )
    assert list(everything["status"]) == ["complete", "complete", "partial"]


def test_sav_reads_in_pandas(client, world, filled, tmp_path):
    pandas = pytest.importorskip("pandas")
    survey, full, sparse, _ = filled
    login(client, "editor@mawar.test")
    _response, path = _download(client, f"/surveys/{survey.id}/export.sav?lang=en", tmp_path)
    frame = pandas.read_spss(str(path))  # value labels become categories
    assert list(frame["response_id"]) == [full.id, sparse.id]
    assert list(frame["gender"]) == ["Option x", "Option f"]
    assert list(frame["used"])[0] == "Yes"
    assert frame["overall"].isna().tolist() == [False, True]


def test_sav_download_is_streamed(client, world, filled):
    survey = filled[0]
    login(client, "editor@mawar.test")
    response = client.get(f"/surveys/{survey.id}/export.sav")
    assert response.status_code == 200 and response.is_streamed
    assert response.data.startswith(b"$FL2")


def test_long_strings_and_indonesian_unicode(client, world, ctx, tmp_path):
    long_answer = ("Jalan di RW 05 rusak parah, mohon segera diperbaiki — terima kasih. ☺ " * 20).strip()
    assert len(long_answer.encode()) > 3 * 255  # four segments of a very long string
    short_answer = "Pelayanan ramah; antre lama (± 2 jam) di Puskesmas Kecamatan Sukamaju ✓"
    questions = [
        {"code": "kesan", "type": "long_text", "title": data.t("Kesan & pesan untuk kelurahan — «bebas»", "Comments")},
        {"code": "nama_jalan", "type": "short_text", "title": data.t("Nama jalan (opsional)", "Street")},
        {
            "code": "puas",
            "type": "single_choice",
            "title": data.t("Seberapa puas Anda?", "How satisfied?"),
            "options": data.opts("a", "b", labels=["Sangat puas ☺", "Kurang puas – perlu perbaikan"]),
        },
    ]
    survey = data.survey(world.org, "Survei kepuasan warga — RW 05", questions)
    first = factories.respond(survey, {"kesan": long_answer, "nama_jalan": short_answer, "puas": "a"})
    second = factories.respond(survey, {"kesan": "Bagus", "puas": "b"})
    widths = sav.string_widths(build_layout(survey), survey.id)
    assert widths["kesan"] == len(long_answer.encode()) and widths["nama_jalan"] == len(short_answer.encode())
    login(client, "editor@mawar.test")
    _response, path = _download(client, f"/surveys/{survey.id}/export.sav", tmp_path)
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame["response_id"]) == [first.id, second.id]
    assert list(frame["kesan"]) == [long_answer, "Bagus"]
    assert list(frame["nama_jalan"]) == [short_answer, ""]
    assert meta.column_names_to_labels["kesan"] == "Kesan & pesan untuk kelurahan — «bebas»"
    assert meta.variable_value_labels["puas"] == {1.0: "Sangat puas ☺", 2.0: "Kurang puas – perlu perbaikan"}
    assert meta.file_label == "Survei kepuasan warga — RW 05"
    assert meta.original_variable_types["kesan"] == f"A{len(long_answer.encode())}"
    assert list(frame["puas"]) == [1, 2]


@pytest.mark.parametrize("responses", [0, 2])
def test_survey_without_questions(client, world, ctx, tmp_path, responses):
    survey = data.survey(world.org, questions=[{"code": "info", "type": "note", "title": data.t("Halo")}])
    for _ in range(responses):
        factories.respond(survey, {})
    login(client, "editor@mawar.test")
    _response, path = _download(client, f"/surveys/{survey.id}/export.sav", tmp_path)
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame.columns) == [
        "response_id",
        "status",
        "channel",
        "language",
        "started_at",
        "submitted_at",
        "duration_seconds",
    ]
    assert len(frame) == responses


def test_zero_responses_keep_variables_and_labels(client, world, ctx, tmp_path):
    survey = data.survey(world.org)
    login(client, "editor@mawar.test")
    _response, path = _download(client, f"/surveys/{survey.id}/export.sav", tmp_path)
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 0 and "aspects_staff" in frame.columns and "comment" in frame.columns
    assert meta.variable_value_labels["gender"][1.0] == "Perempuan"


def test_cli_writes_the_case_count(runner, world, filled, tmp_path):
    survey, full, sparse, partial = filled
    out = tmp_path / "cli.sav"
    result = runner.invoke(args=["surveys", "export", str(survey.id), "--format", "sav", "--out", str(out), "--all"])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert _ncases(raw) == 3  # a seekable file gets the real count patched in
    frame, meta = pyreadstat.read_sav(str(out))
    assert meta.number_rows == 3 and list(frame["response_id"]) == [full.id, sparse.id, partial.id]
    assert frame.iloc[0]["comment"] == data.FULL["comment"]


def test_weight_column_from_the_layout(world, ctx, tmp_path):
    """Variables come from the layout, so a weight column just works (the
    weights themselves are exports.weights' business: put in by hand here)."""
    from surveyapp.analytics.filters import Filters
    from surveyapp.exports.rows import iter_rows

    survey = data.survey(world.org, questions=[data.QUESTIONS[0], data.QUESTIONS[7]])
    factories.respond(survey, {"gender": "f", "age": "30"})
    factories.respond(survey, {"gender": "m", "age": "41"})
    plain, weighted = build_layout(survey), build_layout(survey, weighted=True)
    at = weighted.names.index("weight")
    rows = [
        [*row[:at], weight, *row[at:]] for row, weight in zip(iter_rows(plain, survey.id, Filters()), (0.75, 1.3125))
    ]
    path = tmp_path / "w.sav"
    assert sav.write_file(weighted, iter(rows), str(path), sav.string_widths(weighted, survey.id)) == 2
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame["weight"]) == [0.75, 1.3125] and list(frame["age"]) == [30, 41]
    assert list(frame.columns) == weighted.names
    assert meta.variable_measure["weight"] == "scale"


# ---- the writer alone (no database) ----------------------------------------


def _layout() -> Layout:
    return Layout(
        [
            Column("response_id", "response id", "meta"),
            Column("x", "a number", "number", "x", qtype="number"),
            Column("c", "a choice", "code", "c", codes=[("a", 1.0, "A"), ("b", 2.0, "B")]),
            Column("t", "a text", "text", "t"),
            Column("d", "a date", "date", "d"),
        ],
        {},
        [],
    )


EDGES = [-100, -99, -1.5, 0, 0.25, 1, 151, 152, 1e300, -1e15, 123456789012, None]


@pytest.mark.parametrize("compressed", [True, False])
def test_numbers_strings_and_missing_round_trip(tmp_path, compressed):
    """Bytecode compression stores -99..151 in one byte and anything else as
    8 literal bytes; both modes read back the same values."""
    rows = [
        [
            i + 1,
            value,
            ("a", "b", None, "zz")[i % 4],
            ("", "x" * 8, "spaces   ", "é" * 9, None)[i % 5],
            ("2024-02-29", None)[i % 2],
        ]
        for i, value in enumerate(EDGES)
    ]
    path = tmp_path / "edges.sav"
    handle = open(path, "wb")
    assert sav.write_file(_layout(), iter(rows), handle, {"t": 18}, compressed=compressed) == len(rows)
    handle.close()
    frame, meta = pyreadstat.read_sav(str(path))
    assert meta.number_rows == len(rows)
    assert [None if v != v else v for v in frame["x"]] == [None if v is None else float(v) for v in EDGES]
    assert [None if v != v else v for v in frame["c"]] == [(1.0, 2.0, None, None)[i % 4] for i in range(len(rows))]
    assert list(frame["t"]) == [("", "x" * 8, "spaces", "é" * 9, "")[i % 5] for i in range(len(rows))]
    assert frame["d"].iloc[0] == date(2024, 2, 29)
    assert meta.variable_value_labels["c"] == {1.0: "A", 2.0: "B"}


def test_text_longer_than_declared_is_cut_at_a_character():
    variable = sav.plan(_layout(), {"t": 5})[3]
    assert sav._string("abcdé", variable).rstrip(b" ") == b"abcd"  # é takes 2 bytes: never half a character
    assert sav._string("ab", variable) == b"ab      "


def test_labels_are_clipped_to_whole_characters():
    assert sav._clip_bytes("é" * 200, 120) == ("é" * 58).encode() + "…".encode()
    assert len(sav._clip_bytes("é" * 200, 120)) <= 120


def test_writer_streams_in_constant_memory():
    """Rows are pulled only as chunks are written, and memory does not grow
    with the number of rows."""
    consumed = 0

    def endless():
        nonlocal consumed
        while True:
            consumed += 1
            yield [consumed, consumed * 1.5, "a", "jalan rusak", "2026-01-01"]

    chunks = sav.sav_chunks(_layout(), endless(), {"t": 40})
    next(chunks)  # the dictionary leaves before any row is read
    assert consumed == 0
    for _ in range(3):
        next(chunks)
    assert consumed < 10_000

    def peak(n: int) -> int:
        rows = ([i, i * 1.5, "b", "air bersih kurang", "2026-01-01"] for i in range(n))
        tracemalloc.start()
        for _chunk in sav.sav_chunks(_layout(), rows, {"t": 40}):
            pass
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    small, large = peak(20_000), peak(200_000)
    assert large < small * 1.5 and large < 2 * 2**20


def test_seekable_target_gets_count_stream_does_not():
    buffer = io.BytesIO()
    assert sav.write_file(_layout(), iter([[1, 2, "a", "t", None]] * 7), buffer, {"t": 1}) == 7
    assert _ncases(buffer.getvalue()) == 7
    streamed = b"".join(sav.sav_chunks(_layout(), iter([[1, 2, "a", "t", None]] * 7), {"t": 1}))
    assert _ncases(streamed) == -1
    assert streamed[: sav.NCASES_OFFSET] == buffer.getvalue()[: sav.NCASES_OFFSET]


@pytest.mark.skipif(not shutil.which("pspp"), reason="GNU PSPP is not installed")
def test_pspp_reads_the_file(client, world, filled, tmp_path):
    """GNU PSPP's reader is strict about the format: it lists the cases,
    labels and a very long Indonesian string without a warning."""
    survey, full, sparse, _ = filled
    long_answer = "Mohon perbaikan jalan — terima kasih ☺ " * 30
    texts = data.survey(world.org, "Teks", [{"code": "kesan", "type": "long_text", "title": data.t("Kesan")}])
    factories.respond(texts, {"kesan": long_answer})
    login(client, "editor@mawar.test")
    path = _download(client, f"/surveys/{survey.id}/export.sav?lang=en", tmp_path)[1]
    long_path = _download(client, f"/surveys/{texts.id}/export.sav", tmp_path, "long.sav")[1]
    syntax = tmp_path / "read.sps"
    syntax.write_text(
        f"GET FILE='{path}'.\nDISPLAY DICTIONARY.\nLIST /VARIABLES=response_id gender comment visit.\n"
        f"GET FILE='{long_path}'.\nDISPLAY DICTIONARY.\n"
        "COMPUTE n = LENGTH(RTRIM(kesan)).\nLIST /VARIABLES=n.\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["pspp", "-O", "format=txt", "-o", str(tmp_path / "out.txt"), str(syntax)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    listing = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert result.returncode == 0 and "warning:" not in listing and "error:" not in listing, listing
    assert "Satisfaction" in listing and "Option x" in listing and "17-FEB-2026" in listing
    assert f"A{len(long_answer.strip().encode())}" in listing
    assert f"|{len(long_answer.strip().encode())}.00|" in listing  # the whole text, in bytes


def test_dates_and_times_in_every_form_give_spss_seconds():
    """Whatever form rows give (naive or aware datetimes, ISO text with Z,
    dates, ISO dates), the seconds since 14 Oct 1582 agree; empty is SYSMIS."""
    from datetime import timedelta, timezone

    naive = datetime(1994, 9, 27, 3, 4, 5)
    midnight = float((naive.toordinal() - date(1582, 10, 14).toordinal()) * 86400)
    moment = midnight + 3 * 3600 + 4 * 60 + 5
    forms = [
        (naive, None, naive.replace(microsecond=250_000)),
        (naive.replace(tzinfo=UTC), None),
        (naive.replace(tzinfo=timezone(timedelta(hours=7))) + timedelta(hours=7), ""),
        (naive.isoformat() + "Z", None),
    ]
    for column in forms:
        assert list(sav._seconds(column)) == [moment if v else sav.SYSMIS for v in column], column
    day = naive.date()
    for column in [(day.isoformat(), None, ""), (day, None), (day, day.isoformat()), (None, naive, day)]:
        expected = [
            sav.SYSMIS if not v else midnight if isinstance(v, str) or v.__class__ is date else moment for v in column
        ]
        assert list(sav._seconds(column)) == expected, column
