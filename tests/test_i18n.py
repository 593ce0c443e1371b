"""The UI catalogues are data files: a key or a placeholder missing in one language is a broken page."""

from __future__ import annotations

import re

import pytest

from lodpub.web import i18n

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_supported_language_has_a_catalogue():
    assert set(i18n.MESSAGES) == set(i18n.SUPPORTED) == set(i18n.MONTHS)


@pytest.mark.parametrize("lang", [lang for lang in i18n.SUPPORTED if lang != i18n.DEFAULT])
def test_both_languages_have_exactly_the_same_keys(lang):
    assert set(i18n.MESSAGES[lang]) == set(i18n.MESSAGES[i18n.DEFAULT])


@pytest.mark.parametrize("lang", [lang for lang in i18n.SUPPORTED if lang != i18n.DEFAULT])
def test_every_placeholder_of_one_language_is_in_the_other(lang):
    default = i18n.MESSAGES[i18n.DEFAULT]
    for key, text in i18n.MESSAGES[lang].items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(default[key])), key


@pytest.mark.parametrize("lang", i18n.SUPPORTED)
def test_strings_are_non_empty_text_and_a_year_has_twelve_months(lang):
    assert all(isinstance(text, str) and text.strip() for text in i18n.MESSAGES[lang].values())
    assert len(i18n.MONTHS[lang]) == 12


@pytest.mark.parametrize(
    ("lexical", "lang", "written"),
    [("2021-10", "en", "October 2021"), ("2021-03-05", "de", "5. März 2021")],
)
def test_month_names_come_from_the_catalogue(lexical, lang, written):
    assert i18n.format_date(lexical, lang) == written
