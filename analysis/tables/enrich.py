"""Add themes, indicators and reference tables to the per-document tables, then validate them.

On the tables of all documents together::

    tables = validate(enrich(tables, load_provinces()))   # raises schemas.TableError, writes nothing

The write pipeline (:mod:`analysis.store.pipeline`) does this a batch of rows at a time through
:class:`Batches`, which passes the keys of rows written earlier as ``references`` to validate.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from analysis.tables import contract, indicators, themes
from analysis.tables.arithmetic import arithmetic_checks
from analysis.tables.context import texts_of
from analysis.tables.percapita import per_10k


def enrich(tables: dict[str, pd.DataFrame], provinces: pd.DataFrame, *, arithmetic: bool = True
           ) -> dict[str, pd.DataFrame]:
    """A new dict of tables: figures gain ``theme`` and ``indicator``; adds ``figure_themes``,
    ``indicators``, ``checks`` (unless ``arithmetic`` is false), ``indicator_definitions``,
    ``themes`` and ``provinces``. Inputs are not modified.

    An enriched column the figures already carry (``contract.SETTABLE_ENRICHED``, put there by a
    correction: :mod:`analysis.tables.corrections`) overrides what enrichment finds where it is not
    missing; an empty string there empties it. Call it once on the tables of all documents (not per
    document), so the vocabulary tables are not repeated.
    """
    from analysis.tables.checks import TableError

    if "figures" not in tables:
        raise TableError(["figures: table missing; enrich needs the figures table"])
    missing = [c for c in contract.columns("figures", extracted_only=True) if c not in tables["figures"].columns]
    if missing:
        raise TableError([f"figures: missing column {', '.join(missing)} (see analysis/tables/contract.py)"])
    corrected = {c: tables["figures"][c] for c in contract.SETTABLE_ENRICHED if c in tables["figures"].columns}
    out = {name: blanks_to_missing(df) for name, df in tables.items()}
    figures = out["figures"].drop(columns=list(corrected))
    sentences = out.get("sentences")
    definitions, themes_vocabulary = (table.copy() for table in _vocabulary_tables())
    texts = texts_of(figures, sentences)  # once, for both
    indicator = overridden(indicators.assign(figures, sentences, texts=texts), corrected.get("indicator"))
    indicator_theme = indicator.map(definitions.set_index("indicator")["theme"])
    theme, figure_themes = themes.classify(figures, sentences, indicator_themes=indicator_theme, texts=texts)
    figures = figures.assign(theme=theme, indicator=indicator)
    out.update(
        figures=figures,
        figure_themes=figure_themes,
        indicators=indicator_rows(figures, definitions, provinces),
        indicator_definitions=definitions,
        **({"checks": arithmetic_checks(figures, sentences)} if arithmetic else {}),
        themes=themes_vocabulary,
        provinces=provinces.copy(),
    )
    return out


def found(figures: pd.DataFrame, sentences: pd.DataFrame | None = None) -> dict[str, pd.Series]:
    """What enrichment finds for the enriched columns a correction may set (``contract.SETTABLE_ENRICHED``),
    with no correction: so a correction that sets them can tell whether it is still needed."""
    figures = blanks_to_missing(figures)
    sentences = blanks_to_missing(sentences) if sentences is not None else None
    return {"indicator": indicators.assign(figures, sentences)}


def overridden(found: pd.Series, corrected: pd.Series | None) -> pd.Series:
    """``found`` where ``corrected`` is missing, else ``corrected`` ("" makes it missing)."""
    if corrected is None:
        return found
    values = corrected.astype("string")
    return found.where(values.isna().to_numpy(), values.mask(values.eq("")).to_numpy()).astype(found.dtype)


@cache
def _vocabulary_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """indicator_definitions and themes, made once per process (the lexicons are read once too).

    Vocabularies say "none" with "" too (no keywords, no note): missing, as in every other table.
    """
    return blanks_to_missing(indicators.definitions_table()), blanks_to_missing(themes.themes_table())


def blanks_to_missing(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with empty strings in text columns made missing, as they read back from CSV.

    The builders write "" for "none"; the CSVs hold an empty cell, which every reader loads as
    missing. Doing it here makes the tables validated and the files written say the same thing.
    """
    text_columns = [c for c in df.columns if pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object]
    if not text_columns:
        return df.copy()
    return df.assign(**{c: df[c].mask(df[c].eq("")) for c in text_columns})


def indicator_rows(figures: pd.DataFrame, definitions: pd.DataFrame, provinces: pd.DataFrame) -> pd.DataFrame:
    """The ``indicators`` table: one row per figure with an indicator, with per-10k values where meaningful."""
    fed = figures[figures["indicator"].notna()]
    rows = fed.merge(definitions[["indicator", "family", "per_capita", "comparability_note"]],
                     on="indicator", how="left", validate="many_to_one")
    rows["per_10k"] = per_10k(rows["value"], rows["unit_kind"], rows["province"], provinces,
                              allowed=rows["per_capita"])
    return rows[contract.columns("indicators")].reset_index(drop=True)


def validate(tables: dict[str, pd.DataFrame], references: dict[str, pd.DataFrame] | None = None
             ) -> dict[str, pd.DataFrame]:
    """Validate all tables (see schemas.validate); returns them coerced to their schema dtypes."""
    from analysis.tables.schemas import validate as validate_tables

    return validate_tables(tables, references)


def checked_fast(tables: dict[str, pd.DataFrame], known=None, trusted: dict[str, pd.DataFrame] | None = None
                 ) -> dict[str, pd.DataFrame]:
    """:func:`validate`'s result, checked column by column (:mod:`analysis.tables.checks`); a batch
    that fails is validated by pandera, which raises naming every problem. ``known``: a
    :class:`analysis.tables.checks.Known` of keys written earlier; ``trusted``: tables checked
    before, given in place of the same tables of ``tables``."""
    from analysis.tables.checks import Known, check_batch

    known = known or Known()
    checked = check_batch(tables, known, trusted)
    return checked if checked is not None else validate(tables, references=known.frames() or None)


class Batches:
    """``enrich`` + the contract's checks for tables written a batch at a time (clean, clean-corpus).

    A batch's foreign keys may point to rows written in earlier batches (a large report's first
    sections) or not yet written (the section a report is still in when its rows fill a batch);
    this keeps the keys written so far as sets (:class:`analysis.tables.checks.Known`), so a batch
    costs the same however much was written before it. A batch is checked column by column
    (:func:`analysis.tables.checks.check_batch`); one that fails goes through pandera
    (:func:`validate`), which names every problem.
    """

    def __init__(self, provinces: pd.DataFrame):
        from analysis.tables.checks import Known

        self.provinces = provinces
        self.known = Known()
        self.open_sections: dict[str, int] = {}  # open report -> sections of it written so far
        self.vocabularies: dict[str, pd.DataFrame] | None = None  # checked with the first batch
        # An open report's figures of its last table so far, which may go on in the next batch: the
        # table is checked whole there; and each report's checks numbered so far.
        self.carried: dict[str, pd.DataFrame] = {}
        self.numbered: dict[str, int] = {}

    def check(self, tables: dict[str, pd.DataFrame], open_doc: str | None = None,
              borrowed: list[tuple[str, int]] | None = None) -> dict[str, pd.DataFrame]:
        """The batch enriched and validated (schemas.TableError if not); ``open_doc``: a report whose
        rows go on in the next batch; ``borrowed``: (doc_id, sentence) of sentences written in an
        earlier batch that figures a correction added point to."""
        enriched = enrich(tables, self.provinces, arithmetic=False)
        enriched["checks"], carried_keys = self._arithmetic(enriched, open_doc)
        known = self.known
        if carried_keys:  # checks of a table begun in an earlier batch point to its figures written there
            known = known.with_extra("figures", ("doc_id", "figure"), carried_keys)
        if borrowed:
            known = known.with_extra("sentences", ("doc_id", "sentence"), borrowed)
        if open_doc is not None:  # the report still being read, and the section it is in
            batch = tables.get("sections")
            written = self.open_sections.get(open_doc, 0)
            if batch is not None:
                written = max([written - 1, *batch.loc[batch["doc_id"].eq(open_doc), "section"].tolist()]) + 1
            known = known.with_extra("documents", ("doc_id",), [open_doc]).with_extra(
                "sections", ("doc_id", "section"), [(open_doc, written)])
        if self.vocabularies is None:
            checked = checked_fast(enriched, known)
            self.vocabularies = {name: checked[name] for name in contract.VOCABULARIES}
        else:  # the same vocabularies every batch: checked once, used as they are
            checked = checked_fast(enriched, known, trusted=self.vocabularies)
        if "documents" in tables:
            self.known.add("documents", ("doc_id",), tables["documents"]["doc_id"].tolist())
        if "sections" in tables:
            sections = tables["sections"]
            self.known.add("sections", ("doc_id", "section"),
                           zip(sections["doc_id"].tolist(), sections["section"].tolist()))
            if open_doc is not None:
                self.open_sections[open_doc] = written
        return checked

    def _arithmetic(self, tables: dict[str, pd.DataFrame], open_doc: str | None) -> tuple[pd.DataFrame, list]:
        """The batch's checks, with the tables an open report began in an earlier batch; the last
        table of a report still open waits for the next batch. Returns the checks and the keys of
        the figures of earlier batches they point to."""
        figures = tables["figures"]
        docs = set(figures["doc_id"].tolist()) | set(tables["documents"]["doc_id"].tolist() if "documents" in tables else ())
        carried = [self.carried.pop(doc) for doc in list(self.carried) if doc in docs]
        carried_keys = [key for part in carried for key in zip(part["doc_id"].tolist(), part["figure"].tolist())]
        if carried:
            figures = pd.concat([*carried, figures], ignore_index=True)
        if open_doc is not None:
            mine = figures["doc_id"].eq(open_doc) & figures["table"].notna()
            if mine.any():
                last = figures["table"][mine].max()
                held = (mine & figures["table"].eq(last)).fillna(False).to_numpy(dtype=bool)
                self.carried[open_doc] = figures[held]
                figures = figures[~held]
        checks = arithmetic_checks(figures, tables.get("sentences"), first=self.numbered)
        for doc, n in checks.groupby("doc_id", sort=False).size().items():
            self.numbered[doc] = self.numbered.get(doc, 0) + int(n)
        for doc in docs - {open_doc}:  # reports that end in this batch: numbered for good
            self.numbered.pop(doc, None)
        return checks, carried_keys
