"""finditer_near gives exactly the matches of finditer, on texts written for these tests."""

from __future__ import annotations

import random
import re

import pytest

from accordwatch.actors._mentions import normalized, words_with_offsets
from accordwatch.actors._normalize import normalize, tokens_with_offsets
from accordwatch.extract._dates import _ANAPHORIC_RE, _LATER_RE, _PATTERNS
from accordwatch.extract._lexicon import TRIGGER_LEAD, deaccent, excludes, trigger_table
from accordwatch.extract._places import _COUNTRY_PART
from accordwatch.extract._prefilter import _plan, _split, finditer_near, scan, search
from accordwatch.extract._text import forget_words, words

_WORDS = (
    "in on may march mars le 5 12 2023 last week hier yesterday mardi dernier the same day "
    "early mid - 2 days ago , . de l'annee derniere fin debut jan. of this month attaque "
    "attacked killed tues l'armee a pris kidal took the town of gao embuscade France "
    "Niger river Niger's fleuve ambush convoy camp base x northern Mali NORTH MALI "
    "nord du Mali Nord-Mali centre du Niger north-east Burkina MALİ malı Kelvin"
).split()


def _texts() -> list[str]:
    rng = random.Random(7)
    out = [
        "",
        "Le 5 mars 2023, l'armée a pris Kidal; le lendemain, une embuscade près de Gao.",
        "On Tuesday, gunmen attacked a convoy; two days later the army took the town.",
        "x " * 400 + "Fighting last week, and this month an ambush, then calm." + " y" * 300,
    ]
    for _ in range(120):
        n = rng.randint(1, 50)
        out.append(" ".join(rng.choice(_WORDS) for _ in range(n)).replace(" - ", "-"))
    return out


_PATTERNS_UNDER_TEST = (
    [p for p, _ in _PATTERNS]
    + [_ANAPHORIC_RE, _LATER_RE]
    + [pat for lang in ("en", "fr") for _t, pat, _l in trigger_table(lang)]
    + [re.compile(r"\bNiger\b(?!['’]s? (?:river|fleuve))(?! (?:River|river|fleuve|Fleuve))")]
    + [_COUNTRY_PART, re.compile(r"\b(?:north|nord)\W+(?:mali|niger)\b", re.IGNORECASE)]
)


@pytest.mark.parametrize("fold", [True, False])
def test_same_matches_as_finditer(fold: bool) -> None:
    texts = [deaccent(t) if fold else t for t in _texts()]
    planned = 0
    for pat in _PATTERNS_UNDER_TEST:
        planned += _plan(pat) is not None
        for t in texts:
            for start, end in ((0, len(t)), (3, max(3, len(t) - 5))):
                want = [(m.span(), m.groups()) for m in pat.finditer(t, start, end)]
                got = [(m.span(), m.groups()) for m in finditer_near(pat, t, start, end)]
                assert got == want, (pat.pattern[:60], t)
    assert planned > 50  # most patterns do run near their literals


def test_runs_of_a_class_fall_back_to_a_full_scan() -> None:
    pat = re.compile(r"\b(?:north|nord)\s+(?:mali|niger)\b", re.IGNORECASE)
    for gap in (" ", " " * 63, " " * 64, "\n" * 200):
        t = "x " * 300 + f"North{gap}Mali, nord Niger" + " y" * 300
        want = [m.span() for m in pat.finditer(t)]
        assert [m.span() for m in finditer_near(pat, t)] == want and len(want) == 2


def test_scan_same_matches_as_finditer() -> None:
    texts = [deaccent(t) for t in _texts()] + ["qu'attaque d'attaques l'ambush -attaque", "ab"]
    pats = _PATTERNS_UNDER_TEST + [x for xs in excludes().values() for x in xs]
    split = 0
    for pat in pats:
        split += _split(pat) is not None
        for t in texts:
            for start, end in ((0, len(t)), (1, max(1, len(t) - 1)), (4, 9)):
                want = [(m.span(), m.groups()) for m in pat.finditer(t, start, end)]
                got = [(m.span(), m.groups()) for m in scan(pat, t, start, end)]
                assert got == want, (pat.pattern[:60], t, start, end)
                first = search(pat, t, start, end)
                assert (first and first.span()) == (want[0][0] if want else None)
    assert split > 150  # every trigger pattern is searched by its body


def test_no_split_when_the_lead_is_one_side_of_a_choice() -> None:
    assert _split(re.compile(TRIGGER_LEAD + "attaque|raid")) is None
    assert _split(re.compile(r"\b(?:x)?y")) is None  # the body's start is optional
    assert _split(re.compile(r"\bkilled\b")) is not None
    assert _split(re.compile(TRIGGER_LEAD + "attaques?(?![\\w-])")) is not None


def test_no_plan_without_literals_or_bounds() -> None:
    assert _plan(re.compile(r"\b\d{4}-\d{2}-\d{2}\b")) is None  # no literal
    assert _plan(re.compile(r"\bkilled .+ people")) is None  # unbounded, any character
    plan = _plan(re.compile(r"\bkilled \w+ people"))  # bounded while no long run of \w
    assert plan is not None and [r.pattern for r in plan[2]] == [r"[\w]{64,}"]
    assert _plan(re.compile(r"killed(?=\s+(?:at least|more than|some) \d)")) is None
    assert _plan(re.compile(r"\bkilled (?:two|three) people\b")) is not None


def test_fast_words_and_keys_equal_the_registry_folding() -> None:
    rng = random.Random(3)
    chars = "aéeE\u0301 -’'.,œﬁ½²\u00a8Øß1٢中\n\tAÉ"
    samples = ["Le MNLA, à Kidal.", "L’ARMÉE  malienne", "e\u0301te\u0301", "ﬁn œuvre"]
    samples += ["".join(rng.choice(chars) for _ in range(rng.randint(0, 15))) for _ in range(3000)]
    for s in samples:
        assert words_with_offsets(s) == tokens_with_offsets(s), s
        assert normalized(s) == normalize(s), s


def test_kept_words_of_a_long_text_equal_a_scan() -> None:
    rng = random.Random(5)
    text = " ".join(
        rng.choice(_WORDS + ["d'Anéfis", "l’armée", "a-t-il", "_x_", "12,5"]) for _ in range(3000)
    )
    other = "".join(list(text))  # equal, another object: never read from the kept words
    assert other is not text
    try:
        assert words(text) == words(other)  # keeps the words of ``text``
        assert words(text, -5, 40) == words(other, -5, 40)
        for _ in range(2000):
            a = rng.randint(0, len(text) + 5)
            b = rng.randint(a - 3, a + 400)
            assert words(text, a, b) == words(other, a, b), (a, b)
    finally:
        forget_words()


def test_every_later_match_holds_a_needed_phrase() -> None:
    from accordwatch.extract._dates import _LATER_NEEDS

    rng = random.Random(1)
    vocab = "two 2 days day later after afterwards jours jour plus tard apres deux 1,000 x".split()
    found = 0
    for _ in range(5000):
        t = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 8)))
        for m in _LATER_RE.finditer(t):
            found += 1
            assert any(need in m.group() for need in _LATER_NEEDS), m.group()
    assert found > 100
