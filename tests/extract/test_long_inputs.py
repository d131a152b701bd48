"""Long inputs: bounded sentences, span look-ups, streamed folders, progress (no timings)."""

from __future__ import annotations

import inspect
from pathlib import Path

from accordwatch.extract import document_files, extract_path, extract_text, iter_documents
from accordwatch.extract._spans import SpanIndex
from accordwatch.extract._text import MAX_SENTENCE, sentences

DATA = Path(__file__).parents[1] / "data" / "extract"
REPORT = (DATA / "report_en.txt").read_text(encoding="utf-8")


def test_span_index_agrees_with_a_scan() -> None:
    spans = [(i * 7 % 50, i * 7 % 50 + 1 + i % 4) for i in range(40)]
    ix = SpanIndex(spans)
    for s in range(-3, 60):
        for e in range(s + 1, s + 6):
            assert ix.overlaps(s, e) == any(s < b and a < e for a, b in spans)
            inside = [sp for sp in spans if s <= sp[0] < e]
            assert ix.within(s, e) == sorted(inside, key=lambda sp: sp[0])
    ix.add((100, 130))
    assert ix.overlaps(120, 121) and ix.longest == 30


def test_a_line_without_full_stops_is_cut_at_blanks_into_bounded_sentences() -> None:
    words = ("convoi attaque près de Gao hier matin sans ponctuation " * 2000).strip()
    sents = sentences(words)
    assert len(sents) > 1
    assert all(s.end - s.start <= MAX_SENTENCE for s in sents)
    for s in sents:  # never inside a word
        assert s.start == 0 or words[s.start - 1] == " "
        assert s.end == len(words) or words[s.end] == " "
    # every word is in exactly one sentence
    assert " ".join(words[s.start : s.end] for s in sents) == words


def test_long_runs_prefer_a_clause_mark() -> None:
    text = ", ".join(["les FAMa ont repris le camp de Ber"] * 200) + "."
    sents = sentences(text)
    assert all(s.end - s.start <= MAX_SENTENCE for s in sents)
    assert all(text[s.end - 1] in ",." for s in sents)


def test_short_texts_are_split_as_before() -> None:
    t = "Gen. Diarra spoke. The army attacked Ber on Tuesday, and the CMA withdrew."
    assert [t[s.start : s.end] for s in sentences(t)] == [
        "Gen. Diarra spoke.",
        "The army attacked Ber on Tuesday, and the CMA withdrew.",
    ]


def test_repeating_a_text_repeats_its_mentions() -> None:
    one = extract_text(REPORT, published="2024-03-14")
    many = extract_text("\n\n".join([REPORT] * 30), published="2024-03-14")
    assert len(many.places) == 30 * len(one.places)
    assert len(many.actors) == 30 * len(one.actors)
    # one event per (type, date, place) in a document: the repeats merge
    assert [(e.type, e.date, e.place) for e in many.events] == [
        (e.type, e.date, e.place) for e in one.events
    ]


def test_the_report_on_one_line_still_gives_events_and_the_same_places() -> None:
    # the body only: a headline run into the dateline reads as a person's name
    body = REPORT.split("\n", 3)[3]
    lines = extract_text(body, published="2024-03-14")
    flat = extract_text(" ".join(body.split("\n") * 40), published="2024-03-14")
    assert flat.events
    assert set(flat.places_mentioned) == set(lines.places_mentioned)


def test_folders_are_read_one_document_at_a_time_with_progress() -> None:
    folder = DATA / "folder"
    assert inspect.isgenerator(iter_documents(folder))
    files = document_files(folder)
    assert [Path(f).name for f in files] == sorted(p.name for p in folder.iterdir())
    calls: list[tuple[int, int, str, int]] = []
    result = extract_path(folder, published="2023-10-05", progress=lambda *a: calls.append(a))
    assert [c[0] for c in calls] == list(range(len(files)))
    assert all(c[1] == len(files) for c in calls)
    assert [Path(c[2]).name for c in calls] == [f.name for f in files]
    assert len(result.documents) == len(files)
