"""Every language Suara names, in one table.

Surveys may be written in any language (regional ones first: a Javanese or
Sundanese version reaches people Indonesian does not); the interface itself
speaks ``config.LANGUAGES`` (id, en). Residents, organisers and the builder
see a language's own name ("Basa Jawa"); XLSForm columns carry the English
name, as ODK and KoboToolbox write them ("label::Javanese (jv)"). Codes are
ISO 639-1 where one exists, else ISO 639-3 (ban Balinese, mad Madurese,
min Minangkabau, bug Buginese, tet Tetum).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    native: str
    english: str


TABLE = (
    Language("id", "Bahasa Indonesia", "Indonesian"),
    Language("en", "English", "English"),
    Language("jv", "Basa Jawa", "Javanese"),
    Language("su", "Basa Sunda", "Sundanese"),
    Language("ms", "Bahasa Melayu", "Malay"),
    Language("ban", "Basa Bali", "Balinese"),
    Language("mad", "Basa Madhura", "Madurese"),
    Language("min", "Baso Minang", "Minangkabau"),
    Language("bug", "Basa Ugi", "Buginese"),
    Language("tet", "Tetun", "Tetum"),
    Language("fr", "Français", "French"),
    Language("es", "Español", "Spanish"),
    Language("pt", "Português", "Portuguese"),
    Language("ar", "العربية", "Arabic"),
    Language("sw", "Kiswahili", "Swahili"),
    Language("hi", "हिन्दी", "Hindi"),
    Language("zh", "中文", "Chinese"),
    Language("th", "ไทย", "Thai"),
    Language("vi", "Tiếng Việt", "Vietnamese"),
)
BY_CODE = {language.code: language for language in TABLE}
# Names XLSForms in the wild use besides the two above.
ALIASES = {"bahasa": "id"}
_BY_NAME = {
    **{language.english.lower(): language.code for language in TABLE},
    **{language.native.lower(): language.code for language in TABLE},
    **ALIASES,
}


def native_name(code: str) -> str:
    """The language's own name; an unknown code as it is."""
    language = BY_CODE.get(code)
    return language.native if language else code


def english_name(code: str) -> str:
    """The English name (XLSForm columns); an unknown code as it is."""
    language = BY_CODE.get(code)
    return language.english if language else code


def code_for_name(name: str) -> str | None:
    """``Javanese`` or ``Basa Jawa`` -> jv (any case); None when unknown."""
    return _BY_NAME.get(name.strip().lower())
