"""One table names every language (surveyapp/languages.py)."""

from __future__ import annotations

from surveyapp import languages
from surveyapp.xlsform.exporter import language_column
from surveyapp.xlsform.importer import language_code


def test_codes_are_unique_and_names_map_back():
    assert len(languages.BY_CODE) == len(languages.TABLE)
    for language in languages.TABLE:
        assert languages.code_for_name(language.english) == language.code
        assert languages.code_for_name(language.native.upper()) == language.code


def test_balinese_is_ban_not_baluchi():
    # Two of the four tables this replaces disagreed: one named Balinese "bal" (Baluchi).
    assert languages.native_name("ban") == "Basa Bali" and "bal" not in languages.BY_CODE


def test_unknown_codes_and_names():
    assert languages.native_name("xx") == "xx" and languages.english_name("xx") == "xx"
    assert languages.code_for_name("Klingon") is None


def test_xlsform_columns_use_the_english_name_both_ways():
    assert language_column("label", "jv") == "label::Javanese (jv)"
    assert language_code("Javanese") == "jv" and language_code("Basa Jawa") == "jv"
    assert language_code("Bahasa") == "id" and language_code("label-less (min)") == "min"
