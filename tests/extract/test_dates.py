"""Time expressions resolved against the publication date, with the precision the text supports."""

from __future__ import annotations

import datetime as dt

import pytest

from accordwatch.extract._dates import find_dates

PUB = dt.date(2023, 10, 5)  # a Thursday


@pytest.mark.parametrize(
    ("text", "lang", "value", "precision"),
    [
        ("On Tuesday the army struck.", "en", "2023-10-03", "day"),
        ("Last Thursday the army struck.", "en", "2023-09-28", "day"),
        ("In mid-August, shots were fired.", "en", "2023-08", "month"),
        ("in December it withdrew", "en", "2022-12", "month"),  # latest December before Oct 2023
        ("in late 2021", "en", "2021", "year"),
        ("three days ago", "en", "2023-10-02", "day"),
        ("last month", "en", "2023-09", "month"),
        ("last year", "en", "2022", "year"),
        ("On August 12, fighting", "en", "2023-08-12", "day"),
        ("on 3 March 2019", "en", "2019-03-03", "day"),
        ("mardi dernier", "fr", "2023-10-03", "day"),
        ("il y a un mois", "fr", "2023-09", "month"),
        ("il y a trois jours", "fr", "2023-10-02", "day"),
        ("à la mi-août", "fr", "2023-08", "month"),
        ("le 12 août 2023", "fr", "2023-08-12", "day"),
        ("hier", "fr", "2023-10-04", "day"),
        ("l'an dernier", "fr", "2022", "year"),
        ("12/09/2023", "fr", "2023-09-12", "day"),
    ],
)
def test_resolves(text: str, lang: str, value: str, precision: str) -> None:
    found = find_dates(text, PUB, lang)
    assert [(d.value, d.precision) for d in found] == [(value, precision)]


def test_vague_present_is_publication_month() -> None:
    (d,) = find_dates("In recent days, the group attacked.", PUB)
    assert (d.value, d.precision, d.vague) == ("2023-10", "month", True)


@pytest.mark.parametrize("text", ["You may go now.", "They march on the town.", "the 2012 revolt"])
def test_words_that_are_not_dates(text: str) -> None:
    assert find_dates(text, PUB) == []


def test_relative_dates_need_a_publication_date() -> None:
    assert find_dates("On Tuesday the army struck.", None) == []
    assert [d.value for d in find_dates("on 3 March 2019", None)] == ["2019-03-03"]


def test_offsets_point_into_the_text() -> None:
    text = "Des combats, il y a deux semaines."
    (d,) = find_dates(text, PUB, "fr")
    assert text[d.start : d.end] == "il y a deux semaines"
