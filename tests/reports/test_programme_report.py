"""The programme report (print page and PDF): its figures equal the metric set
worked out by hand for tests/programmes/builders.hand_programme (see the
docstring of tests/programmes/test_metrics_db.py), with intervals recomputed
here with statsmodels/scipy; stories and "you said, we did" appear; small
groups are suppressed; roles, other organisations and bad input."""

from __future__ import annotations

import html
import re
import zlib
from datetime import date
from statistics import mean, stdev

import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

from surveyapp.extensions import db
from surveyapp.programmes import services
from surveyapp.programmes.windows import parse_window
from surveyapp.reports import programme_content, programme_pdf
from tests.conftest import login
from tests.programmes.builders import hand_programme, survey

XSS = '"><img src=x onerror=alert(1)>'


# ---- reading the outputs back -------------------------------------------------------


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def dec(x: float) -> str:
    """The report's "#,##0.0#": two decimals at most, one at least."""
    text = f"{x:,.2f}"
    return text[:-1] if text.endswith("0") else text


def wilson(count: int, n: int) -> str:
    low, high = proportion_confint(count, n, method="wilson")
    return f"{pct(low)} – {pct(high)}"


def t_interval(values: list[float]) -> str:
    half = scipy_stats.t.ppf(0.975, len(values) - 1) * stdev(values) / len(values) ** 0.5
    return f"{dec(mean(values) - half)} – {dec(mean(values) + half)}"


def html_rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of one table of the page, as text (the row heading first)."""
    body = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S).group(1)
    return [
        [html.unescape(head)] + [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        for head, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', body, re.S)
    ]


def html_table(page: str, table_id: str) -> dict[str, list[str]]:
    """{row heading: the other cells} of a table whose row headings are unique."""
    return {row[0]: row[1:] for row in html_rows(page, table_id)}


OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
REF = rb"(\d+) 0 R"
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i : i + 1] != b"\\":
            out += raw[i : i + 1]
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        if nxt in ESCAPES:
            out += ESCAPES[nxt]
            i += 2
        elif nxt.isdigit():
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4]).group()
            out.append(int(octal, 8))
            i += 1 + len(octal)
        else:
            i += 2
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text of a PDF, a line per text object. pypdf is used when installed;
    otherwise fpdf2's output is read directly: each page's fonts map 2-byte glyph
    ids to Unicode through their ToUnicode CMaps. (Not pdftotext: its -layout
    spreads a table's columns apart, so a line's words depend on the page width.)"""
    try:
        import io

        import pypdf

        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    except ImportError:
        pass
    objects = {int(m.group(1)): m.group(2) for m in OBJ.finditer(data)}

    def stream(body: bytes) -> bytes:
        head, rest = body.split(b"stream", 1)
        raw = rest.split(b"endstream")[0].strip(b"\r\n")
        return zlib.decompress(raw) if b"FlateDecode" in head else raw

    def cmap(number: int) -> dict[int, str]:
        table, text = {}, stream(objects[number])
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
            for low, high, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                for k, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    table[code] = chr(int(dst, 16) + k)
        return table

    lines = []
    for _number, body in sorted(objects.items()):
        if not re.search(rb"/Type /Page\s", body):
            continue
        resources = objects[int(re.search(rb"/Resources " + REF, body).group(1))]
        fonts = {}
        font_dict = re.search(rb"/Font\s*<<(.*?)>>", resources, re.S)
        for name, ref in re.findall(rb"/(\w+) " + REF, font_dict.group(1) if font_dict else b""):
            to_unicode = re.search(rb"/ToUnicode " + REF, objects[int(ref)])
            fonts[name] = cmap(int(to_unicode.group(1))) if to_unicode else {}
        content = stream(objects[int(re.search(rb"/Contents " + REF, body).group(1))])
        font, line = {}, []
        for token in re.finditer(rb"/(\w+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)|\bET\b", content, re.S):
            if token.group(1):
                font = fonts.get(token.group(1), {})
            elif token.group(0) == b"ET":
                if line:
                    lines.append("".join(line))
                line = []
            else:
                raw = _unescape(token.group(2))
                line.append(
                    "".join(font.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw) - 1, 2))
                )
    return "\n".join(lines)


# ---- the programme, figured out by hand ------------------------------------------------

# July 2026 of hand_programme, in English: code -> (value, n, 95% interval)
EXPECTED = {
    "M1": ("13", "13", "—"),  # P1, P2, P3 + r3, r4 + 8 uncounted at A1's door
    "M2": (pct(13 / 100), "13", "—"),  # community size 100
    "M3": (pct(2 / 4), "4", wilson(2, 4)),  # overall 5, 4 of [5, 4, 2, 3]
    "M4": (dec(5 / 3), "3", "—"),  # P1 3, P2 1, P3 1
    "M5": ("0", "4", "—"),  # n 3 vs 4: nothing significant (see test_no_significant_change)
    "M6": (dec(62.5), "4", t_interval([75, 25, 100, 50])),  # belong 4, 2, 5, 3 on 1..5 as 0..100
    "M7": (pct(2 / 4), "4", wilson(2, 4)),  # trust 8, 3, 6, 5: two of 6-10
    "M8": (pct((0.5 + 0.75) / 2), "2", "—"),  # water (50-40)/(60-40), safety (3.5-2)/(4-2)
    "M9": ("3", "3", "—"),  # two survey comments + one form message
    "M10": ("2", "3", "—"),  # two actions on three items
    "M11": ("2 min 40 s", "4", "—"),  # median of 120, 300, 200, 60 s
    "M12": ("1", "1", "—"),
    "E1": (dec((2 / 4) / 0.7), "4", "—"),  # women: 2 of 4 respondents, 70% of the population
    "E2": (dec((2 / 70) / (2 / 30)), "1", "—"),
    "E3": (pct(3 / 5), "3", "—"),  # P1 has 3 of 5 participations
    "E4": (pct(2 / 3), "3", "—"),  # P2, P3 new; P1 answered in June
    "E5": (pct(13 / 15), "15", "—"),  # paper 1 + kiosk 1 + activity 11 of 15
}
# June 2026: the previous window, and the change shown beside it.
PREVIOUS = {
    "M1": ("3 (2026-06)", "+10.0"),
    "M3": (f"{pct(1 / 3)} (2026-06)", f"+{(0.5 - 1 / 3) * 100:.1f} percentage points"),
    "M6": ("no data (2026-06)", "—"),
}


@pytest.fixture
def hand(world):
    return hand_programme(world.org)


def report_page(client, programme_id: int, query: str = "window=2026-07&lang=en", status: int = 200) -> str:
    response = client.get(f"/programmes/{programme_id}/report?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def report_pdf(client, programme_id: int, query: str = "window=2026-07&lang=en") -> str:
    response = client.get(f"/programmes/{programme_id}/report.pdf?{query}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    return " ".join(pdf_text(response.data).split())  # lines wrapped by the PDF joined again


# ---- the numbers -----------------------------------------------------------------------


def test_no_significant_change():
    # The largest change, "used" yes 1/3 -> 3/4, is not significant even before correcting for three questions.
    from statsmodels.stats.proportion import proportions_ztest

    assert proportions_ztest([3, 1], [4, 3])[1] > 0.05


def test_page_figures_equal_the_hand_computed_set(client, world, hand):
    login(client, "viewer@mawar.test")
    page = report_page(client, hand.programme.id)
    headline = html_table(page, "headline-table")
    got = {name.split(" ", 1)[0]: cells for name, cells in headline.items()}
    assert list(got) == list(EXPECTED)
    for code, (value, n, interval) in EXPECTED.items():
        assert got[code][:3] == [value, n, interval], code
    for code, (previous, change) in PREVIOUS.items():
        assert got[code][3:] == [previous, change], code
    trend = html_table(page, "trend-M3")
    assert (
        trend["2026-06"] == [pct(1 / 3), "3"]
        and trend["2026-05"] == ["no data", "0"]
        and trend["2026-07"] == [pct(0.5), "4"]
    )


def test_pdf_figures_equal_the_hand_computed_set(client, world, hand):
    login(client, "viewer@mawar.test")
    text = report_pdf(client, hand.programme.id)
    for code, (value, n, interval) in EXPECTED.items():
        line = f"{value} · n = {n}" + ("" if interval == "—" else f" · 95% interval {interval}")
        assert line in text, (code, line)
    assert "Previous period 2026-06: 3 · change +10.0" in text
    assert "Kelurahan Mawar" in text and "Forum Warga" in text and "13 (Identified: 3 · anonymous: 10)" in text


def test_report_matches_the_metric_set_for_every_code(app, world, hand):
    """Every metric of compute_set is in the report, with its value formatted as the dashboard does."""
    with app.test_request_context():
        report = programme_content.build(hand.programme, parse_window("2026-07"), "en")
    values = {m["code"]: m["value"] for m in report.metric_set["metrics"]}
    assert [b.code for b in report.metrics] == list(values) == list(EXPECTED)
    assert all(block.value == EXPECTED[block.code][0] for block in report.metrics)


def test_facts_stories_and_actions(client, world, hand):
    login(client, "viewer@mawar.test")
    page = report_page(client, hand.programme.id)
    text = report_pdf(client, hand.programme.id)
    for output in (page, text):
        assert "Pulse 2 (series pulse, wave 2): 4 complete responses in the period" in output
        assert "community size 100; population figures by gender" in output
        assert "Fans at the hall" in output and "Residents stayed longer." in output  # the story of July
        assert "We did: Fans installed" in output and "Done · Jul 12, 2026 · Sekretariat · published" in output
        assert "We did: Monthly forum" in output and "Planned · Jul 25, 2026 · not published" in output
        assert "Topics: venue" in output
        assert "AAPOR" in output and "Wilson" in output  # the methods note of the survey report
        assert "coverage ratio, not a survey response rate" in output  # M2's definition


# ---- privacy -------------------------------------------------------------------------------


def test_small_groups_are_suppressed(client, world, hand):
    login(client, "viewer@mawar.test")
    page = report_page(client, hand.programme.id)  # k = 5; two women and two men answered
    assert html_rows(page, "heard-table") == [
        ["gender", "female", "fewer than 5", "70", "—", "—", ""],
        ["gender", "male", "fewer than 5", "30", "—", "—", ""],
    ]
    assert pct(2 / 70) not in page
    # The residents' words behind an action with fewer than k comments are not shown.
    assert "Too hot" not in page and "Too hot" not in report_pdf(client, hand.programme.id)


def test_groups_at_the_floor_are_shown(client, world, hand):
    world.org.privacy_min_cell = 1
    db.session.commit()
    login(client, "viewer@mawar.test")
    page = report_page(client, hand.programme.id)
    assert html_rows(page, "heard-table") == [
        ["gender", "female", "2", "70", pct(2 / 70), dec((2 / 4) / 0.7), "under-represented"],
        ["gender", "male", "2", "30", pct(2 / 30), dec((2 / 4) / 0.3), ""],
    ]
    assert "<q>Too hot</q>" in page
    assert page.count("data:image/svg+xml;base64,") == 9  # 8 trends and the representation chart
    text = report_pdf(client, hand.programme.id)
    assert "Too hot" in text and pct(2 / 70) in text


# ---- language, charts, escaping ------------------------------------------------------------


def test_indonesian_by_default_for_an_indonesian_organisation(client, world, hand):
    login(client, "viewer@mawar.test")
    page = report_page(client, hand.programme.id, "window=2026-07")
    headline = html_table(page, "headline-table")
    assert headline["M2 Tingkat partisipasi (rasio jangkauan)"][0] == "13,0%"
    assert 'lang="id"' in page
    assert (
        f'href="/programmes/{hand.programme.id}/report?window=2026-07&amp;lang=en" lang="en"' in page
    )  # the other language
    text = report_pdf(client, hand.programme.id, "window=2026-07&lang=id")
    assert "Peserta" in text and "13,0% · n = 13" in text


def test_charts_have_text_alternatives_and_tables(client, world, hand):
    login(client, "viewer@mawar.test")
    page = report_page(client, hand.programme.id)
    assert page.count("data:image/svg+xml;base64,") == 8  # every charted metric has data; the groups are suppressed
    assert 'alt="Trend of Participants over the last five periods: 2026-03, 2026-04, 2026-05, 2026-06, 2026-07.' in page
    assert '<table id="trend-M1">' in page
    response = client.get(f"/programmes/{hand.programme.id}/report.pdf?window=2026-07")
    # fpdf2 stores identical images once: M3 and M7 have the same trend here (33.3% -> 50.0%).
    assert response.data.count(b"/Subtype /Image") == 7


def test_user_text_is_escaped(client, world, hand):
    services.add_story(hand.programme, title=XSS, body=XSS, told_on=date(2026, 7, 2))
    login(client, "viewer@mawar.test")
    page = report_page(client, hand.programme.id)
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert XSS in report_pdf(client, hand.programme.id)


# ---- empty programmes --------------------------------------------------------------------------


@pytest.mark.parametrize("with_survey", [False, True])
def test_empty_programme_explains_itself(client, world, with_survey):
    programme = services.create_programme(
        world.org.id,
        name="Kosong",
        area=None,
        description=None,
        starts_on=date(2026, 1, 1),
        ends_on=None,
        community_size=None,
    )
    if with_survey:
        services.link_survey(programme, survey(world.org, "Belum dijawab"))
    login(client, "viewer@mawar.test")
    page = report_page(client, programme.id)
    assert "There are no figures for this period yet" in page
    assert ("No survey is linked to this programme yet." in page) is not with_survey
    assert "No story in this period." in page and "No action in this period." in page
    text = report_pdf(client, programme.id)
    assert "There are no figures for this period yet" in text


# ---- access and input ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["report", "report.pdf"])
def test_other_organisation_gets_404(client, world, hand, path):
    login(client, "owner@melati.test")
    assert client.get(f"/programmes/{hand.programme.id}/{path}?window=2026-07").status_code == 404


@pytest.mark.parametrize("path", ["report", "report.pdf"])
@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
def test_roles(client, world, hand, path, role):
    login(client, f"{role}@mawar.test")
    response = client.get(f"/programmes/{hand.programme.id}/{path}?window=2026-07")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["report", "report.pdf"])
def test_anonymous_to_login(client, world, hand, path):
    response = client.get(f"/programmes/{hand.programme.id}/{path}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["report", "report.pdf"])
@pytest.mark.parametrize(
    "query,message",
    [
        ("window=2026-13", "Month 13 does not exist"),
        ("window=last+week", "is not a time window"),
        ("window=2026-07&lang=fr", "Indonesian (lang=id) and English (lang=en)"),
    ],
)
def test_bad_window_or_language_is_400(client, world, hand, path, query, message):
    login(client, "viewer@mawar.test")
    response = client.get(f"/programmes/{hand.programme.id}/{path}?{query}")
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))


def test_pdf_download_and_dashboard_link(client, world, hand):
    login(client, "viewer@mawar.test")
    response = client.get(f"/programmes/{hand.programme.id}/report.pdf?window=2026-Q3&lang=en")
    assert response.headers["Content-Type"] == "application/pdf"
    assert (
        f'filename="suara-programme-{hand.programme.id}-report-2026-Q3.pdf"' in response.headers["Content-Disposition"]
    )
    dashboard = client.get(f"/programmes/{hand.programme.id}?window=2026-07").get_data(as_text=True)
    assert f"/programmes/{hand.programme.id}/report?window=2026-07" in dashboard


def test_pdf_renders_without_a_request(app, world, hand):
    with app.app_context():
        body = programme_pdf.render(programme_content.build(hand.programme, parse_window("2026-07"), "en"))
    assert body.startswith(b"%PDF") and "13.0% · n = 13" in pdf_text(body)
