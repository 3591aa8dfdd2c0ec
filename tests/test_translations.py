"""Indonesian is complete: every message in code and templates is translated."""

from surveyapp.i18n_catalogs import catalog_problems, source_messages


def test_extraction_finds_messages():
    messages = source_messages()
    assert "Log in" in messages and "Please correct the following" in messages


def test_indonesian_catalogue_is_complete():
    assert catalog_problems("id") == []
