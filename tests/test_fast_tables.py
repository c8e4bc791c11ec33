"""The table stage's shortcuts give what the long way gives.

Each shortcut of the end-to-end speed work stands in for a plainer computation that is kept: the
column-wide checks (:mod:`analysis.tables.checks`) for pandera's schemas, the one-scan keyword
finder (:mod:`analysis.tables.keywords`) for ``word in text`` word by word, themes and indicators
over lists with per-batch caches for the per-figure ``themes.match`` / ``themes.nearest`` /
``indicators.match``, the bulk CSV writer for ``csv.writer`` on :func:`cells.csv_cell`, and
``extract``'s figures written without frames for the frames route. Each test holds one to the other
on realistic reports (the seed, the genre set, a generated corpus) and on awkward cases.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from _datapkg_tables import contract_tables

from analysis.config import RAW_DIR, ROOT
from analysis.raw.census import load_provinces
from analysis.raw.report import load_source
from analysis.tables.build import TextSource, build_tables
from analysis.tables.checks import Known, check_batch
from analysis.tables.enrich import enrich, validate
from analysis.tables.schemas import TableError

GENRE = sorted((ROOT / "benchmarks" / "genre").glob("*.txt"))


def _generated(n_docs: int = 40) -> str:
    from benchmarks.corpus_gen import iter_documents

    return "".join(iter_documents(n_docs * 3_000))


# The tests on these tables (every genre report and a generated corpus, built and enriched) are the
# heavy differential ones: make test runs them, the quick loop does not.
REALISTIC = pytest.mark.slow


@pytest.fixture(scope="module")
def realistic() -> dict[str, pd.DataFrame]:
    """The tables of the seed, the genre set and a generated corpus, enriched (not yet validated)."""
    sources = [load_source(p) for p in sorted(RAW_DIR.glob("*.txt"))] + [load_source(p) for p in GENRE]
    sources.append(TextSource("generated", _generated(), date(2021, 12, 1), path="g.txt", sha256="0" * 64))
    built = [build_tables(s) for s in sources]
    tables = {name: pd.concat([b[name] for b in built], ignore_index=True) for name in built[0]}
    return enrich(tables, load_provinces())


# -- checks.check_batch against pandera -------------------------------------------------------------
@REALISTIC
def test_checks_pass_what_pandera_passes_with_the_same_coerced_tables(realistic):
    fast = check_batch(realistic)
    slow = validate(realistic)
    assert fast is not None and set(fast) == set(slow)
    for name in slow:
        pd.testing.assert_frame_equal(fast[name], slow[name], check_dtype=True, obj=name)


def _broken(tables: dict, name: str, change) -> dict:
    out = dict(tables)
    out[name] = change(tables[name].copy())
    return out


def _set(column, value, row=0):
    def change(df):
        df[column] = df[column].astype(object)
        df.loc[df.index[row], column] = value
        return df
    return change


BROKEN = {
    "missing column": ("figures", lambda df: df.drop(columns=["unit_kind"])),
    "extra column": ("figures", lambda df: df.assign(extra=1)),
    "bad enum": ("figures", _set("qualifier", "roughly")),
    "bad unit kind": ("figures", _set("unit_kind", "furlongs")),
    "missing required": ("figures", _set("surface", None)),
    "bad pattern": ("figures", _set("as_of", "10月")),
    "bad date": ("dates", _set("date_start", "2021-1-1")),
    "below minimum": ("mentions", _set("mention", -1)),
    "not a number": ("figures", _set("value", "many")),
    "spans reversed": ("mentions", _set("span_end", -5)),
    "duplicate key": ("figures", lambda df: pd.concat([df, df.iloc[:1]], ignore_index=True)),
    "duplicate unique": ("provinces", _set("name_en", "Beijing", row=1)),
    "orphan sentence": ("figures", _set("sentence", 10_000)),
    "orphan document": ("mentions", _set("doc_id", "nowhere")),
    "orphan theme": ("figure_themes", _set("theme", "astrology")),
    "unknown province": ("figures", _set("province", "火星")),
}


@pytest.mark.parametrize("case", list(BROKEN))
@REALISTIC
def test_checks_fail_what_pandera_fails(realistic, case):
    name, change = BROKEN[case]
    tables = _broken(realistic, name, change)
    assert check_batch(tables) is None
    with pytest.raises(TableError):
        validate(tables)


@REALISTIC
def test_where_the_checks_are_stricter_pandera_decides(realistic):
    # pandera casts None to False in a required flag before looking for missing values; the
    # column-wide checks refuse it, and the batch then goes through pandera, so the verdict is pandera's
    from analysis.tables.enrich import checked_fast

    tables = _broken(realistic, "figures", _set("cumulative", None))
    assert check_batch(tables) is None
    pd.testing.assert_frame_equal(checked_fast(tables)["figures"], validate(tables)["figures"])


def test_checks_agree_on_the_contract_fixture():
    tables = enrich(contract_tables(), load_provinces())
    fast = check_batch(tables)
    assert fast is not None
    for name, df in validate(tables).items():
        pd.testing.assert_frame_equal(fast[name], df, obj=name)


@REALISTIC
def test_known_keys_stand_in_for_tables_written_earlier(realistic):
    per_doc = {n: realistic[n] for n in ("sentences", "figures", "mentions")}
    assert check_batch(per_doc) is None  # documents and sections are nowhere
    known = Known()
    known.add("documents", ("doc_id",), realistic["documents"]["doc_id"].tolist())
    known.add("sections", ("doc_id", "section"),
              zip(realistic["sections"]["doc_id"].tolist(), realistic["sections"]["section"].tolist()))
    vocabularies = {n: realistic[n] for n in ("provinces", "themes", "indicator_definitions")}
    assert check_batch({**per_doc, **vocabularies}, known) is not None
    frames = known.frames()
    validate({**per_doc, **vocabularies}, references=frames)  # pandera agrees with the same keys
    lost = Known(dict(known.keys))
    lost.keys[("documents", ("doc_id",))] = set(realistic["documents"]["doc_id"].tolist()[:-1])  # the last one
    assert check_batch({**per_doc, **vocabularies}, lost) is None
    with pytest.raises(TableError):
        validate({**per_doc, **vocabularies}, references=lost.frames())


# -- keywords.Keywords against str.find, word by word -----------------------------------------------
def _plain_at(words, text):
    out = []
    for word in dict.fromkeys(w for w in words if w):
        start = text.find(word)
        while start >= 0:
            out.append((start, word))
            start = text.find(word, start + 1)
    return sorted(out, key=lambda o: (o[0], -len(o[1]), o[1]))


_AWKWARD_WORDS = ["养老", "养老服务", "老服", "服务", "务", "a.b", "(x)", "就业", "就业岗位", "岗位", "业岗"]


@pytest.mark.parametrize("text", ["社区养老服务站养老", "a.b(x)axb", "", "就业岗位就业岗位岗", "务务务", "无关"])
def test_keywords_find_every_occurrence_overlaps_included(text):
    from analysis.tables.keywords import Keywords

    keywords = Keywords(_AWKWARD_WORDS)
    assert keywords.at(text) == _plain_at(_AWKWARD_WORDS, text)
    assert keywords.found(text) == {w for w in _AWKWARD_WORDS if w in text}


@REALISTIC
def test_keywords_on_the_shipped_vocabularies(realistic):
    from analysis.tables import indicators, themes
    from analysis.tables.keywords import Keywords

    words = [k for t in themes.load_themes() for k in t.keywords]
    words += [w for r in indicators.load_rules() for w in (*r.what, *r.how, *r.not_)]
    keywords = Keywords(words)
    for text in realistic["figures"]["sentence_text"].dropna().unique().tolist():
        assert keywords.at(text) == _plain_at(words, text)


# -- themes and indicators over lists against the per-figure functions ------------------------------
@REALISTIC
def test_themes_and_indicators_match_the_per_figure_functions(realistic):
    from analysis.tables import indicators, themes
    from analysis.tables.context import figure_texts

    figures, sentences = realistic["figures"], realistic["sentences"]
    texts = figure_texts(figures, sentences)
    expected_codes = []
    for subject, clause, sentence, unit, measure in zip(texts["subject"], texts["clause"], texts["sentence"],
                                                        figures["unit"], figures["measure"]):
        rule = indicators.match(subject, clause, sentence, unit if isinstance(unit, str) else "", measure=measure)
        expected_codes.append(rule.indicator if rule else None)
    codes = indicators.assign(figures, sentences)
    assert [c if isinstance(c, str) else None for c in codes.tolist()] == expected_codes
    assert sum(c is not None for c in expected_codes) > 20  # the data exercises the rules

    primary, figure_themes = themes.classify(figures, sentences)
    rows = list(figure_themes.itertuples(index=False, name=None))
    expected_primary, expected_rows = [], []
    for subject, clause, sentence, offset, doc_id, figure in zip(
        texts["subject"], texts["clause"], texts["sentence"], texts["offset"], figures["doc_id"], figures["figure"]
    ):
        touched, chosen = {}, None
        for level, found in (("subject", themes.match(subject)), ("clause", themes.match(clause)),
                             ("sentence", themes.nearest(sentence, offset))):
            if found and chosen is None:
                chosen = next(iter(found))
            for theme, keyword in found.items():
                touched.setdefault(theme, (level, keyword))
        chosen = chosen or themes.OTHER
        touched = touched or {themes.OTHER: ("none", "")}
        expected_primary.append(chosen)
        expected_rows += [(doc_id, figure, t, lv, kw or None, t == chosen) for t, (lv, kw) in touched.items()]
    assert primary.tolist() == expected_primary
    assert [tuple(None if isinstance(v, float) else v for v in r) for r in rows] == expected_rows
    assert len({p for p in expected_primary}) > 5


def _theme_words():
    from analysis.tables import themes

    return sorted({k for t in themes.load_themes() for k in t.keywords})


@settings(deadline=None, max_examples=300)
@given(st.lists(st.one_of(st.sampled_from(_theme_words()), st.sampled_from(list("的新建，。、12"))), max_size=30),
       st.integers(min_value=0, max_value=120))
def test_theme_matcher_agrees_with_match_and_nearest_on_keyword_soup(parts, offset):
    from analysis.tables import themes

    text = "".join(parts)
    matcher = themes._Matcher(themes.load_themes())
    assert matcher.match(text) == themes.match(text)
    assert list(matcher.nearest(text, offset).items()) == list(themes.nearest(text, offset).items())


def _rule_words():
    from analysis.tables import indicators

    return sorted({w for r in indicators.load_rules() for w in (*r.what, *r.how, *r.not_)})


def _units():
    from analysis.tables import indicators

    return sorted({u for r in indicators.load_rules() for u in r.units}) + ["", "吨"]


_SOUP = st.lists(st.one_of(st.sampled_from(_rule_words()), st.sampled_from(list("的新，12"))), max_size=12).map("".join)


@settings(deadline=None, max_examples=300)
@given(_SOUP, _SOUP, _SOUP, st.sampled_from(_units()), st.sampled_from([None, "level", "increase", "target", "rate"]))
def test_rule_matcher_agrees_with_match_on_keyword_soup(subject, clause, sentence, unit, measure):
    from analysis.tables import indicators

    # the same measure to both: their defaults differ (match: any measure; the matcher: a level)
    matcher = indicators._Matcher(indicators.load_rules())
    assert (matcher.match(subject, clause, sentence, unit, measure)
            == indicators.match(subject, clause, sentence, unit, measure=measure))


# -- cells.csv_chunks against csv.writer on csv_cell ------------------------------------------------
def _plain_csv(df) -> bytes:
    import csv
    import io

    from analysis.store.cells import iter_csv_rows

    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(iter_csv_rows(df))
    return text.getvalue().encode("utf-8")


def test_bulk_csv_writer_writes_what_the_csv_module_writes_on_awkward_cells():
    from analysis.store.cells import csv_chunks

    texts = ["plain", "", "1,234万", 'say "hi"', "two\nlines", "cr\rinside", " lead", "tab\t", "；，", "\u3000", None]
    floats = [0.0, -0.0, 42500.0, 0.1, 1e16, 1e17, 1.5e17, 1e-05, float("inf"), float("-inf"), float("nan")]
    df = pd.DataFrame({
        "text": pd.array(texts, dtype="str"),
        "nullable": pd.array(texts, dtype="string"),
        "number": floats,
        "whole": list(range(-5, 6)),
        "flag": [True, False] * 5 + [True],
        "mixed": pd.array([1, "a", None, 2.5, True, "b,c", 3, 4, 5, 6, 7], dtype=object),
    })
    assert b"".join(csv_chunks(df, chunk_rows=4)) == _plain_csv(df)
    assert b"".join(csv_chunks(df.iloc[:0])) == b""
    alone = df[["text"]]  # a line whose only cell is empty
    assert b"".join(csv_chunks(alone)) == _plain_csv(alone)


@REALISTIC
def test_bulk_csv_writer_on_the_realistic_tables(realistic):
    from analysis.store.cells import csv_chunks
    from analysis.tables.enrich import validate

    for name, df in validate(realistic).items():
        assert b"".join(csv_chunks(df)) == _plain_csv(df), name


@REALISTIC
def test_vocabularies_checked_once_stand_in_for_later_batches(realistic):
    from analysis.tables.build import frames_of, iter_rows
    from analysis.tables.contract import VOCABULARIES
    from analysis.tables.enrich import Batches

    sources = [load_source(p) for p in GENRE]
    batches = Batches(load_provinces())
    for source in sources:
        frames = frames_of(list(iter_rows(source)))
        checked = batches.check(frames)
        expected = validate(enrich(frames, load_provinces()))
        for name in expected:
            pd.testing.assert_frame_equal(checked[name], expected[name], obj=name)
    assert set(batches.vocabularies) == set(VOCABULARIES)
    shorter = {**realistic, "themes": realistic["themes"].iloc[:-1]}
    assert check_batch(shorter, trusted=batches.vocabularies) is None  # not the table checked before
