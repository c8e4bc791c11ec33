"""The core's named shortcuts give what the plain way gives (issue 20's leaner paths).

Each shortcut stands in for a plainer computation kept beside it or written here: each test holds
one to the other on the sentences of the seed and the genre set, and on arbitrary text.
"""

from __future__ import annotations

import functools

from hypothesis import given
from hypothesis import strategies as st

from analysis.config import ROOT
from analysis.extract.places import LineStarts


@given(st.text(alphabet="ab\n吉林", max_size=60), st.lists(st.integers(0, 70), max_size=12))
def test_line_starts_are_rfind_s_for_growing_and_other_positions(text, positions):
    lines = LineStarts(text)
    for position in sorted(positions) + positions:  # growing first, then in any order
        position = min(position, len(text))
        assert lines.start(position) == text.rfind("\n", 0, position) + 1


@given(st.text(alphabet="吉林長春縣區市a1\n", max_size=40))
def test_place_text_is_translate_s_whether_or_not_a_traditional_character_is_there(text):
    from analysis.extract.places import place_text, traditional_map

    assert place_text(text) == text.translate(traditional_map())


def test_place_text_on_the_genre_set_is_translate_s():
    from analysis.extract.normalize import normalize
    from analysis.extract.places import place_text, traditional_map
    from analysis.raw.decode import read_text

    for path in sorted((ROOT / "benchmarks" / "genre").glob("*.txt")):
        norm = normalize(read_text(path).text)
        assert place_text(norm) == norm.translate(traditional_map()), path.name


@functools.cache
def _plain_automaton():
    """The names' automaton as it was before the stand-in: the same entries, without the stand-in's."""
    import ahocorasick

    from analysis.extract.places import _automaton

    plain = ahocorasick.Automaton()
    for key, entry in _automaton().items():
        if entry is not None:
            plain.add_word(key, entry)
    plain.make_automaton()
    return plain


def _scans(text: str, start: int = 0, end: int | None = None) -> tuple[list, list]:
    """The matches of the stand-in scan (what ``places.find`` reads) and of the plain one."""
    from analysis.extract.places import _automaton, scan_text

    end = len(text) if end is None else end
    return (list(_automaton().iter_long(scan_text(text), start, end)),
            list(_plain_automaton().iter_long(text, start, end)))


# names, their pieces and overlaps (吉林市, 林市? 江北区, 北京), characters in no name, the stand-ins themselves
@given(st.text(alphabet="吉林市长春江北区京南宁波沿海城中国全省的了，。 \n1\x00\x01🀄", min_size=1, max_size=60),
       st.integers(0, 60), st.integers(0, 60))
def test_the_place_scan_of_the_stand_in_text_finds_what_the_plain_scan_finds(text, a, b):
    start = a % len(text)
    end = start + 1 + b % (len(text) - start)  # a range of at least one character, as find scans
    stood_in, plain = _scans(text, start, end)
    assert stood_in == plain


def test_the_place_scan_of_the_stand_in_text_on_the_genre_set_and_a_generated_corpus():
    from analysis.extract.normalize import normalize
    from analysis.extract.places import place_text
    from analysis.raw.decode import read_text
    from benchmarks.corpus_gen import generate_text

    texts = [read_text(path).text for path in sorted((ROOT / "benchmarks" / "genre").glob("*.txt"))]
    for text in [*texts, generate_text(200_000, seed=3)]:
        stood_in, plain = _scans(place_text(normalize(text)))
        assert stood_in == plain


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=30), st.integers(16_380, 40_000).map(lambda n: "长,\"" * (n // 3)),
                    st.decimals(allow_nan=False, allow_infinity=False), st.dates())


@given(_VALUES)
def test_every_column_formatter_writes_what_csv_cell_writes(value):
    from analysis.store.cells import cell_formatters, csv_cell

    for format_cell in set(cell_formatters("figures")):
        assert format_cell(value) == csv_cell(value)


@given(st.lists(_VALUES, min_size=29, max_size=29))
def test_the_line_writer_writes_what_csv_line_of_csv_cell_writes(values):
    from analysis.store.cells import csv_cell, csv_line, line_writer
    from analysis.tables.contract import columns

    names = columns("figures")
    row = dict(zip(names, values))
    assert line_writer("figures")(row) == csv_line([csv_cell(row[name]) for name in names])


def test_the_line_writer_on_the_figures_of_a_generated_corpus():
    from analysis.store.cells import csv_cell, csv_line, line_writer
    from analysis.tables.build import TextSource, iter_rows
    from analysis.tables.contract import columns
    from analysis.tables.figure_rows import themes_and_indicators
    from benchmarks.corpus_gen import generate_text

    names, line = columns("figures"), line_writer("figures")
    source = TextSource("generated", generate_text(60_000, seed=5))
    rows = []
    for piece in iter_rows(source, tables=("figures",)):
        figures = piece.get("figures", [])
        themes, codes = themes_and_indicators(figures, piece.get("sentence_starts", {}))
        rows += [{**row, "theme": theme, "indicator": code} for row, theme, code in zip(figures, themes, codes)]
    assert rows
    assert all(line(row) == csv_line([csv_cell(row[name]) for name in names]) for row in rows)


_THEME_TEXT = st.text(alphabet="养老服务就业岗位种植民生项目新建社区，。12", max_size=16)


@given(st.lists(st.tuples(_THEME_TEXT, _THEME_TEXT, _THEME_TEXT, st.integers(0, 20),
                          st.sampled_from([None, "", "employment", "elderly"])), max_size=8))
def test_primary_themes_are_the_first_of_themes_of(figures):
    from analysis.tables.context import FigureTexts
    from analysis.tables.themes import primary_themes, themes_of

    texts = FigureTexts(*([f[i] for f in figures] for i in range(4)))
    forced = [f[4] for f in figures]
    assert primary_themes(texts, forced) == [chosen for chosen, _ in themes_of(texts, forced)]


def test_primary_themes_of_a_generated_corpus_s_figures_are_the_first_of_themes_of():
    from analysis.tables.build import TextSource, iter_rows
    from analysis.tables.context import texts_from
    from analysis.tables.themes import primary_themes, themes_of
    from benchmarks.corpus_gen import generate_text

    figures = [row for piece in iter_rows(TextSource("generated", generate_text(60_000, seed=9)), tables=("figures",))
               for row in piece.get("figures", [])]
    texts = texts_from([r["subject"] for r in figures], [r["sentence_text"] for r in figures],
                       [r["surface"] for r in figures], [None] * len(figures))
    for forced in ([None] * len(figures), ["employment" if i % 3 == 0 else None for i in range(len(figures))]):
        assert primary_themes(texts, forced) == [chosen for chosen, _ in themes_of(texts, forced)]


def _genre_texts() -> list[str]:
    from analysis.raw.decode import read_text

    return [read_text(p).text for p in sorted((ROOT / "benchmarks" / "genre").glob("*.txt"))]


def test_sentences_as_integer_lists_are_the_sentences_one_object_each_would_be():
    """Every sentence of the genre set read back from the lists, and ``at`` against a plain scan."""
    from analysis.extract.segment import Sentence, paragraphs, segment, sentences_of

    for text in _genre_texts():
        seg = segment(text)
        plain = [span for para in paragraphs(text) for span in sentences_of(text, para)]
        assert [(s.start, s.end) for s in seg.sentences] == [(s.start, s.end) for s in plain]
        assert all(isinstance(s, Sentence) and s == seg.sentences[s.index] for s in seg.sentences)
        for position in range(0, len(text) + 2, 7):
            scan = next((s for s in seg.sentences if s.start <= position < s.end), None)
            assert seg.sentence_at(position) == scan


@given(st.text(alphabet="。！？!?…”）) \u3000\n\t\x0b吉林a1", max_size=80))
def test_sentence_spans_are_sentences_of(text):
    from analysis.extract.segment import _sentence_spans, paragraphs, sentences_of

    for para in paragraphs(text):
        assert _sentence_spans(text, para.start, para.end) == [tuple(s) for s in sentences_of(text, para)]


def test_sentence_spans_of_a_paragraph_long_enough_to_be_cut_are_sentences_of():
    from analysis.extract.segment import SENTENCE_MAX, Span, _sentence_spans, sentences_of

    text = ("长" * 400 + "，") * (SENTENCE_MAX // 200) + "。" + "短句。" * 3
    assert _sentence_spans(text, 0, len(text)) == [tuple(s) for s in sentences_of(text, Span(0, len(text)))]


@given(st.text(alphabet="１２３．４萬個—～3a\n　，", max_size=80), st.integers(0, 80), st.integers(0, 80),
       st.integers(5, 40))
def test_a_window_s_slice_of_the_normalised_report_is_its_text_normalised(text, a, b, size):
    """iter_rows normalises a report once and slices each window's text out of it."""
    from analysis.extract import windows
    from analysis.extract.normalize import normalize

    assert normalize(text)[a:b] == normalize(text[a:b])
    whole = normalize(text)
    for window in windows.windows((text,), size, context=3):
        assert window.text == text[window.start:window.start + len(window.text)]
        assert whole[window.start:window.start + len(window.text)] == normalize(window.text)
