"""Reading contact lists: separators, BOM, segments, and every bad row."""

from __future__ import annotations

import pytest

from surveyapp.distribute import contacts


def parse(text: str | bytes):
    return contacts.parse(text.encode("utf-8") if isinstance(text, str) else text)


def errors_of(text: str | bytes) -> list[tuple[int, str]]:
    with pytest.raises(contacts.ContactListError) as caught:
        parse(text)
    return [(e.line, e.message) for e in caught.value.errors]


def test_comma_list_with_segments(ctx):
    rows = parse("name,email,phone,RW,Jenis Kelamin\nSiti,SITI@Example.org ,,RW 01,P\nBudi,,0812-3456-7890,RW 02,L\n")
    assert [(c.line, c.name, c.email, c.phone) for c in rows] == [
        (2, "Siti", "siti@example.org", None),
        (3, "Budi", None, "6281234567890"),
    ]
    assert rows[0].segments == {"rw": "RW 01", "jenis_kelamin": "P"}


def test_semicolon_and_bom_and_indonesian_headers(ctx):
    data = "\ufeffNama;No HP;RW\nDewi;+62 812 1111 2222;03\n".encode("utf-8")
    [contact] = contacts.parse(data)
    assert (contact.name, contact.phone, contact.segments) == ("Dewi", "6281211112222", {"rw": "03"})


def test_quoted_fields_and_empty_lines(ctx):
    rows = parse('name,email\n"Rahmat, S.Pd",rahmat@example.org\n\n,ani@example.org\n')
    assert [c.name for c in rows] == ["Rahmat, S.Pd", None]


def test_every_bad_row_is_reported_with_its_line(ctx):
    found = errors_of(
        "name,email,phone\nA,a@example.org,\nB,,\nC,not-an-email,\nD,d@example.org,12ab\nE,e@example.org\n"
    )
    assert [line for line, _ in found] == [3, 4, 5, 6]
    assert "no e-mail address and no phone number" in found[0][1]
    assert "not-an-email" in found[1][1]
    assert "12ab" in found[2][1]
    assert "2 columns" in found[3][1]


def test_header_must_name_a_contact_column(ctx):
    [(line, message)] = errors_of("nama,rw\nSiti,01\n")
    assert line == 1 and "email" in message


def test_wrong_encoding_is_refused(ctx):
    [(line, message)] = errors_of("name,email\nJosé,jose@example.org\n".encode("latin-1"))
    assert line == 0 and "UTF-8" in message


def test_too_many_rows(ctx):
    body = "email\n" + "".join(f"p{i}@example.org\n" for i in range(contacts.MAX_ROWS + 1))
    [(line, message)] = errors_of(body)
    assert "5000" in message.replace(",", "").replace(".", "")
    assert len(parse("email\n" + "".join(f"p{i}@example.org\n" for i in range(contacts.MAX_ROWS)))) == contacts.MAX_ROWS


def test_empty_and_header_only_files(ctx):
    assert "empty" in errors_of("")[0][1]
    assert "no contacts" in errors_of("name,email\n")[0][1]


def test_duplicate_columns_are_refused(ctx):
    [(line, message)] = errors_of("email,e-mail\na@example.org,b@example.org\n")
    assert line == 1 and "twice" in message


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("0812 3456 7890", "6281234567890"),
        ("+62-812-3456-7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("812345678", "62812345678"),
        ("12", None),
        ("abc", None),
    ],
)
def test_phone_normalisation(raw, expected):
    assert contacts.normalise_phone(raw) == expected
