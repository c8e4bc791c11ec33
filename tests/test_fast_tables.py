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


@pytest.fixture(scope="module")
def realistic() -> dict[str, pd.DataFrame]:
    """The tables of the seed, the genre set and a generated corpus, enriched (not yet validated)."""
    sources = [load_source(p) for p in sorted(RAW_DIR.glob("*.txt"))] + [load_source(p) for p in GENRE]
    sources.append(TextSource("generated", _generated(), date(2021, 12, 1), path="g.txt", sha256="0" * 64))
    built = [build_tables(s) for s in sources]
    tables = {name: pd.concat([b[name] for b in built], ignore_index=True) for name in built[0]}
    return enrich(tables, load_provinces())


# -- checks.check_batch against pandera -------------------------------------------------------------
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
def test_checks_fail_what_pandera_fails(realistic, case):
    name, change = BROKEN[case]
    tables = _broken(realistic, name, change)
    assert check_batch(tables) is None
    with pytest.raises(TableError):
        validate(tables)


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
