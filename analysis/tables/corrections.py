"""Corrections: an analyst's fixes to what the extractor read, kept as data and applied on every run.

``data/corrections.csv`` holds one row a fix (the columns of the ``corrections`` table in
:mod:`analysis.tables.contract`, without what clean records of it). A row names one figure of one
report by its place in the text, never by the extractor's figure number, so it survives a change of
the extractor:

- ``surface`` (required): the figure as the report writes it, character for character;
- ``occurrence``: which match of ``surface`` in the report's text it is (from 1, every match,
  overlapping ones too), and/or ``span_start``/``span_end``: its offsets (the text there must read
  ``surface``). With both, both must point at the same place; with a span that no longer reads
  ``surface`` (the report was edited), the occurrence alone decides.

``action`` is ``set`` (the values given replace the figure's; ``clear`` empties columns), ``drop``
(not a statistic: the figure leaves ``figures``) or ``add`` (a figure the extractor missed). The
settable columns are every column of ``figures`` but where a figure is (``contract.FIGURE_PLACE``)
and what clean derives, so a column added to ``figures`` can be corrected with no code change.

A correction whose place cannot be found, or finds no single figure there, is **never applied to
another figure**: it is reported (``not_found``, with the reason), as is one the extractor now gets
right by itself (``not_needed``). ``mentions`` always keeps the extractor's reading; corrected and
added figures have ``corrected`` true.

:func:`parse_corrections` turns the file's cells into a typed frame (a ``CorrectionError`` names the
row and the problem); :class:`Corrector` applies the frame to the tables a batch at a time (the
write pipeline's batches, :mod:`analysis.store.pipeline`). Both are pure of I/O: the file is read
and written by :mod:`analysis.store.corrections_file`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from analysis.tables import contract

HEADER_ROW = 1  # rows are numbered as a spreadsheet shows them: the header is row 1
# Values a figure a correction adds takes when the row leaves them empty.
ADD_DEFAULTS = {"qualifier": "exact", "measure": "level", "cumulative": False}
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class CorrectionError(ValueError):
    """A problem in the corrections file: ``row`` (None for the header) and the problem, one line."""

    def __init__(self, row: int | None, problem: str):
        self.row, self.problem = row, " ".join(problem.split())
        super().__init__(self.problem if row is None else f"row {row}: {self.problem}")


def settable() -> tuple[contract.Column, ...]:
    """The figures columns a correction may set (from the contract)."""
    return contract.settable_columns(contract.TABLES["figures"])


def file_columns() -> list[str]:
    """The columns of data/corrections.csv, in order: the corrections table's, without what clean records."""
    return [c for c in contract.columns("corrections") if c not in contract.CORRECTION_OUTCOMES]


def _required_columns() -> list[str]:
    table = contract.TABLES["corrections"]
    return [name for name in file_columns() if table.column(name).required]


def vocabularies() -> dict[str, tuple[str, ...]]:
    """Allowed values of the settable columns that name a row of a vocabulary (province, indicator...),
    from the figures table's references."""
    from analysis.raw.census import census_rows
    from analysis.tables.indicators import load_rules
    from analysis.tables.themes import load_themes

    loaders = {
        "provinces": lambda: [row["province"] for row in census_rows()],
        "indicator_definitions": lambda: [rule.indicator for rule in load_rules()],
        "themes": lambda: [theme.theme for theme in load_themes()],
    }
    names = {c.name for c in settable()}
    out = {}
    for ref in contract.TABLES["figures"].references:
        if len(ref.fields) == 1 and ref.fields[0] in names and ref.table in loaders:
            out[ref.fields[0]] = tuple(dict.fromkeys(loaders[ref.table]()))
    return out


# ---------------------------------------------------------------------------------------------
# Parsing


def _show(values: Iterable[str], limit: int = 40) -> str:
    values = list(values)
    shown = ", ".join(values[:limit])
    return shown + (f" ... ({len(values)} in all)" if len(values) > limit else "")


def _cell(column: contract.Column, text: str, vocabulary: Sequence[str] | None):
    """One cell as its column's type; raises ValueError with the problem."""
    name = column.name
    if column.type == contract.INTEGER:
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"{name} {text!r} is not a whole number")
        value: Any = int(text)
    elif column.type == contract.NUMBER:
        if not _NUMBER.fullmatch(text):
            raise ValueError(f"{name} {text!r} is not a number{_spelled_out(text)}")
        value = float(text)
    elif column.type == contract.BOOLEAN:
        if text.lower() not in _TRUE | _FALSE:
            raise ValueError(f"{name} {text!r} is not TRUE or FALSE")
        value = text.lower() in _TRUE
    elif column.type == contract.DATE:
        try:
            value = dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None
    else:
        value = text
    allowed = column.allowed()
    if allowed is not None and value not in allowed:
        raise ValueError(f"{name} {text!r} is not one of {_show(allowed)}")
    if vocabulary is not None and value not in vocabulary:
        raise ValueError(f"{name} {text!r} is not one of {_show(vocabulary)}")
    if column.pattern is not None and not re.match(column.pattern, text):
        raise ValueError(f"{name} {text!r} does not match {column.pattern}")
    if column.minimum is not None and value < column.minimum:
        raise ValueError(f"{name} {text!r} is below {column.minimum}")
    return value


def _spelled_out(text: str) -> str:
    """How to write ``text`` as a plain number, if it is one in Chinese (2.5亿 -> 250000000)."""
    from analysis.extract.numerals import parse_number

    try:
        number = parse_number(text)
    except (ValueError, ArithmeticError):
        return " (write it plain: 42500, -8.2, 1.5e9)"
    return f" (write it in full: {format(number.normalize(), 'f')})"


def parse_corrections(header: Sequence[str], rows: Iterable[tuple[int, Sequence[str]]],
                      references: dict[str, Sequence[str]] | None = None):
    """The corrections table (typed, outcomes empty) from the cells of data/corrections.csv.

    ``rows``: (row number, cells) pairs, the header being row 1; blank rows are skipped.
    ``references``: allowed values of columns naming a vocabulary row (default :func:`vocabularies`).
    Raises :class:`CorrectionError` naming the first row at fault and its problem. Columns clean
    records (status, figure...) may be present, as in a copy of data/clean/corrections.csv: they
    are ignored.
    """
    from analysis.tables.frames import columns_frame

    table = contract.TABLES["corrections"]
    header = [name.strip() for name in header]
    known = file_columns()
    unknown = [name for name in header if name not in known and name not in contract.CORRECTION_OUTCOMES]
    if unknown:
        raise CorrectionError(HEADER_ROW, f"unknown column {unknown[0]!r}; the columns are {', '.join(known)}")
    twice = [name for name in header if header.count(name) > 1]
    if twice:
        raise CorrectionError(HEADER_ROW, f"column {twice[0]!r} appears twice")
    missing = [name for name in _required_columns() if name not in header]
    if missing:
        raise CorrectionError(HEADER_ROW, f"missing column {', '.join(missing)}")
    references = vocabularies() if references is None else references
    settable_names = [c.name for c in settable()]
    data: dict[str, list] = {name: [] for name in contract.columns("corrections")}
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise CorrectionError(number, f"{len(cells)} cells, but the header has {len(header)}")
        texts = {name: cell.strip() for name, cell in zip(header, cells) if name in known}
        record: dict[str, Any] = {"row": number}
        try:
            for name in known:
                text = texts.get(name, "")
                column = table.column(name)
                if not text:
                    if column.required:
                        raise ValueError(f"{name} is empty")
                    record[name] = None
                    continue
                record[name] = _cell(column, text, references.get(name))
            _check_row(record, settable_names)
        except ValueError as err:
            raise CorrectionError(number, str(err)) from None
        for place in _places(record):
            if place in seen:
                raise CorrectionError(number, f"corrects the same figure as row {seen[place]} "
                                              f"({record['doc_id']} 「{record['surface']}」); keep one of them")
            seen[place] = number
        for name in data:
            data[name].append(record.get(name))
    return columns_frame("corrections", data)


def _places(record: dict) -> list[tuple]:
    places = []
    if record.get("occurrence") is not None:
        places.append((record["doc_id"], record["surface"], "occurrence", record["occurrence"]))
    if record.get("span_start") is not None:
        places.append((record["doc_id"], "span", record["span_start"]))
    return places


def _check_row(record: dict, settable_names: list[str]) -> None:
    """What a row must say beyond its cells' types; raises ValueError."""
    figures = contract.TABLES["figures"]
    surface = record["surface"]
    start, end = record.get("span_start"), record.get("span_end")
    if (start is None) != (end is None):
        raise ValueError("give span_start and span_end together")
    if start is not None and end - start != len(surface):
        raise ValueError(f"span_start {start} to span_end {end} is {end - start} characters, "
                         f"but surface 「{surface}」 has {len(surface)}")
    if record.get("occurrence") is None and start is None:
        raise ValueError("say which figure: give occurrence (1 for the first 「…」 in the text) or span_start and span_end")
    given = [name for name in settable_names if record.get(name) is not None]
    cleared = (record.get("clear") or "").split()
    for name in cleared:
        if name not in settable_names:
            raise ValueError(f"clear names {name!r}, which is not a column a correction sets "
                             f"({', '.join(settable_names)})")
        if figures.column(name).required:
            optional = [n for n in settable_names if not figures.column(n).required]
            raise ValueError(f"clear names {name!r}, which a figure always has; only these can be emptied: "
                             f"{', '.join(optional)}")
        if name in given:
            raise ValueError(f"{name} is both set and cleared")
    action = record["action"]
    if record.get("unit") is not None and record.get("unit_kind") is None and action != "drop":
        record["unit_kind"] = _unit_kind(record["unit"])  # what the lexicon says the unit measures, if it knows
    if action == "set" and not given and not cleared:
        raise ValueError("action set needs a value to set (value, unit, province ...) or a column to clear")
    if action == "drop" and (given or cleared):
        raise ValueError(f"action drop removes the figure; it sets nothing (remove {', '.join(given + cleared)})")
    if action == "add":
        for name in settable_names:
            column = figures.column(name)
            if column.required and record.get(name) is None and name not in ADD_DEFAULTS and not column.enriched:
                hint = ""
                if name == "unit_kind":
                    hint = (" (give the unit, or say what it measures: count, money, people ...)" if record.get("unit") is None
                            else f" (the unit {record['unit']} is not in the lexicon, so say what it measures)")
                raise ValueError(f"action add needs {name}{hint}")


def _unit_kind(unit: str) -> str | None:
    from analysis.extract import lexicon

    known = lexicon.load().units.get(unit)
    return known.kind if known is not None else None


def occurrences(text: str, surface: str) -> list[int]:
    """Where ``surface`` starts in ``text``: every match, overlapping ones too (the occurrences a
    correction counts)."""
    found, at = [], text.find(surface)
    while at >= 0:
        found.append(at)
        at = text.find(surface, at + 1)
    return found


def occurrence_at(texts: Iterable[tuple[int, str]], surface: str, start: int) -> int | None:
    """The occurrence number (from 1) of ``surface`` starting at offset ``start``, counted in
    ``texts`` ((offset, text) pieces of a report in order, its sentences); None if it is not there."""
    count = 0
    for offset, text in texts:
        for at in occurrences(text, surface):
            count += 1
            if offset + at == start:
                return count
    return None


# ---------------------------------------------------------------------------------------------
# Applying


def _with_added(figures, added: list[dict]):
    """``figures`` with the rows of ``added`` (row dicts), each report's rows in text order."""
    import pandas as pd

    from analysis.tables.frames import frame

    extra = frame("figures", added)
    for row in added:  # a corrected enriched value rides along in its own column (see enrich)
        for name, value in row.items():
            if name not in figures.columns and value is not None:
                figures = figures.assign(**{name: pd.array([None] * len(figures), dtype="string")})
    for name in figures.columns:
        if name not in extra.columns:
            extra[name] = pd.array([row.get(name) for row in added], dtype=figures[name].dtype)
    order = {doc: i for i, doc in enumerate(dict.fromkeys([*figures["doc_id"].tolist(), *extra["doc_id"].tolist()]))}
    both = pd.concat([figures, extra[figures.columns]], ignore_index=True)
    rank = both["doc_id"].map(order)
    return both.assign(_order=rank).sort_values(["_order", "span_start"], kind="stable").drop(columns="_order")


@dataclass
class _Correction:
    index: int
    row: int
    doc_id: str
    surface: str
    occurrence: int | None
    span: tuple[int, int] | None
    action: str
    values: dict[str, Any]
    clear: tuple[str, ...]
    seen: int = 0  # occurrences of surface counted so far
    by_occurrence: tuple[int, int] | None = None
    span_text: str | None = None  # the text at span, once its sentence was read
    span_ordinal: int | None = None  # the occurrence number of surface at span, if it is there
    at: tuple[int, int] | None = None  # where it applies, once decided
    sentence: dict | None = None  # the sentence holding it (for a figure it adds)
    status: str = ""
    figure: int | None = None
    problem: str = ""

    @property
    def name(self) -> str:
        place = f"occurrence {self.occurrence}" if self.occurrence is not None else f"at {self.span[0]}"
        return f"{self.doc_id} 「{self.surface}」 ({place})"


def _missing(value) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _same(old, new) -> bool:
    if _missing(old) or _missing(new):
        return _missing(old) and _missing(new)
    if isinstance(new, float) or isinstance(old, float):
        try:
            return math.isclose(float(old), float(new), rel_tol=1e-12, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return old == new


def _value(record: dict, name: str):
    value = record.get(name)
    return None if _missing(value) else value


class Corrector:
    """Applies a corrections frame (:func:`parse_corrections`) to the tables of reports, batch by batch.

    ``apply(tables)`` takes the extracted tables of a batch (whole reports, or consecutive pieces of
    one report) and returns them corrected; a report's corrections are settled when its
    ``documents`` row (its last piece) comes. :meth:`outcomes` gives the corrections table with what
    was done with each.
    """

    def __init__(self, corrections):
        self.corrections = corrections.reset_index(drop=True)
        self.pending: dict[str, list[_Correction]] = {}
        self.all: list[_Correction] = []
        records = self.corrections.to_dict("records")
        settable_names = [c.name for c in settable()]
        for index, record in enumerate(records):
            start = _value(record, "span_start")
            correction = _Correction(
                index=index, row=int(record["row"]), doc_id=str(record["doc_id"]), surface=str(record["surface"]),
                occurrence=int(record["occurrence"]) if _value(record, "occurrence") is not None else None,
                span=(int(start), int(record["span_end"])) if start is not None else None,
                action=str(record["action"]),
                values={name: _value(record, name) for name in settable_names if _value(record, name) is not None},
                clear=tuple((_value(record, "clear") or "").split()),
            )
            self.pending.setdefault(correction.doc_id, []).append(correction)
            self.all.append(correction)
        self.changes: dict[str, int] = {}  # report -> figures added less figures dropped so far
        self.claimed: dict[tuple[str, int], int] = {}  # (report, figure) -> the row that corrected it
        # (doc_id, sentence) of sentences written in an earlier batch that the last batch's added
        # figures point to (a very large report's): the batch's checks must know them
        self.borrowed: list[tuple[str, int]] = []

    def __bool__(self) -> bool:
        return bool(self.all)

    # -- a batch -------------------------------------------------------------------------------
    def apply(self, tables: dict) -> dict:
        """The batch's tables with the corrections of its reports applied (the input is not modified)."""
        import pandas as pd

        self.borrowed = []
        figures = tables["figures"]
        docs = list(dict.fromkeys([*tables["sentences"]["doc_id"].tolist(), *figures["doc_id"].tolist(),
                                   *tables["documents"]["doc_id"].tolist()]))
        docs = [doc for doc in docs if self.pending.get(doc)]
        if not docs:
            return tables
        out = dict(tables)
        figures = figures.copy()
        drop: list = []
        added: list[dict] = []
        ended = set(tables["documents"]["doc_id"].tolist())
        for doc in docs:
            corrections = self.pending[doc]
            sentences = tables["sentences"]
            sentences = sentences[sentences["doc_id"].eq(doc).to_numpy(dtype=bool)].sort_values("span_start")
            self._locate(corrections, sentences)
            mine = figures.index[figures["doc_id"].eq(doc).to_numpy(dtype=bool)]
            for correction in corrections:
                if correction.at is not None and not correction.status:
                    self._act(correction, figures, mine, tables, drop, sentences)
            if doc in ended:
                documents = tables["documents"]
                extracted = documents.loc[documents["doc_id"].eq(doc).to_numpy(dtype=bool), "n_figures"]
                added += self._settle(doc, int(extracted.iloc[0]))
        if drop:
            figures = figures.drop(index=drop)
        if added:
            figures = _with_added(figures, added)
            here = set(zip(tables["sentences"]["doc_id"].tolist(), tables["sentences"]["sentence"].tolist()))
            self.borrowed = [(row["doc_id"], row["sentence"]) for row in added
                             if (row["doc_id"], row["sentence"]) not in here]
        out["figures"] = figures.reset_index(drop=True)
        documents = tables["documents"]
        if ended & set(self.changes):
            documents = documents.copy()
            for i, doc in enumerate(documents["doc_id"].tolist()):
                if self.changes.get(doc):
                    documents.iloc[i, documents.columns.get_loc("n_figures")] += self.changes.pop(doc)
            out["documents"] = documents
        return out

    def discard(self, doc_id: str) -> None:
        """The report failed part-way: its rows are not written, so neither are its corrections."""
        for correction in self.pending.pop(doc_id, []):
            correction.status, correction.problem = "not_read", "the report could not be read; its previous rows were kept"
            correction.figure = None
        self.changes.pop(doc_id, None)
        self.claimed = {key: row for key, row in self.claimed.items() if key[0] != doc_id}

    # -- finding the place ---------------------------------------------------------------------
    def _locate(self, corrections: list[_Correction], sentences) -> None:
        rows = list(zip(sentences["span_start"].tolist(), sentences["span_end"].tolist(), sentences["text"].tolist(),
                        sentences.to_dict("records")))
        for correction in corrections:
            if correction.at is not None or correction.status:
                continue
            surface = correction.surface
            for start, end, text, record in rows:
                text = "" if _missing(text) else str(text)
                if correction.span is not None and start <= correction.span[0] < end:
                    a, b = correction.span
                    correction.span_text = text[a - start:b - start]
                    correction.sentence = record if correction.span_text == surface else correction.sentence
                for at in occurrences(text, surface):
                    correction.seen += 1
                    where = (start + at, start + at + len(surface))
                    if correction.span is not None and where == correction.span:
                        correction.span_ordinal = correction.seen
                    if correction.seen == correction.occurrence:
                        correction.by_occurrence = where
                        if correction.span is None or correction.span_text != surface:
                            correction.sentence = record
            self._decide(correction)

    @staticmethod
    def _decide(c: _Correction) -> None:
        """Where the correction applies, once what is known says so unambiguously."""
        span_ok = c.span is not None and c.span_text == c.surface
        if span_ok and c.occurrence is not None:
            if c.span_ordinal == c.occurrence:
                c.at = c.span
            elif c.span_ordinal is not None:
                c.status = "not_found"
                c.problem = (f"「{c.surface}」 at {c.span[0]} is occurrence {c.span_ordinal} now, not {c.occurrence}: "
                             "the report changed; check the figure and rewrite the correction")
        elif span_ok:
            c.at = c.span
        elif c.by_occurrence is not None:
            c.at = c.by_occurrence

    # -- acting on the figure ------------------------------------------------------------------
    def _act(self, c: _Correction, figures, mine, tables, drop: list, sentences) -> None:
        a, b = c.at
        starts, ends = figures.loc[mine, "span_start"], figures.loc[mine, "span_end"]
        hits = list(mine[((starts < b) & (ends > a)).to_numpy(dtype=bool)])
        if len(hits) > 1:
            surfaces = "、".join(f"「{figures.at[i, 'surface']}」" for i in hits)
            c.status, c.problem = "not_found", f"{len(hits)} figures overlap it now ({surfaces}); correct each one"
            return
        if not hits:
            reading = self._reading(tables["mentions"], c)
            if c.action == "drop":
                c.status, c.problem = "not_needed", f"not a figure now: the extractor reads it as {reading}"
            elif c.action == "set":
                c.status, c.problem = "not_found", f"no figure there now: the extractor reads it as {reading}"
            return  # an add waits for its report's end, where it gets its number
        index = hits[0]
        number = int(figures.at[index, "figure"])
        other = self.claimed.setdefault((c.doc_id, number), c.row)
        if other != c.row:
            c.status, c.problem = "not_found", f"row {other} corrects the same figure; keep one of the two rows"
            return
        c.figure = number
        if c.action == "drop":
            drop.append(index)
            c.status = "applied"
            self.changes[c.doc_id] = self.changes.get(c.doc_id, 0) - 1
            return
        found = self._found(figures.loc[[index]], sentences, tables)
        if all(_same(found.get(name, figures.at[index, name] if name in figures.columns else None), value)
               for name, value in c.values.items()) and all(
                _missing(found.get(name, figures.at[index, name] if name in figures.columns else None))
                for name in c.clear):
            c.status = "not_needed"
            c.problem = "the extractor now reads the figure so by itself"
            return
        for name, value in [*c.values.items(), *((name, None) for name in c.clear)]:
            if name not in figures.columns:  # an enriched column: enrich takes it from here ("" empties it)
                import pandas as pd

                figures[name] = pd.array([None] * len(figures), dtype="string")
            if contract.TABLES["figures"].column(name).enriched:
                value = "" if value is None else value
            figures.at[index, name] = value
        figures.at[index, "corrected"] = True
        c.status = "applied"
        if c.action == "add":
            c.problem = "the extractor reads a figure there now: its values were set"

    @staticmethod
    def _found(rows, sentences, tables) -> dict[str, Any]:
        """What enrichment would give the settable enriched columns of ``rows`` (one figure)."""
        enriched = [c.name for c in settable() if c.enriched]
        if not enriched:
            return {}
        from analysis.tables.enrich import found

        values = found(rows.drop(columns=[c for c in enriched if c in rows.columns]), sentences)
        return {name: series.iloc[0] for name, series in values.items()}

    @staticmethod
    def _reading(mentions, c: _Correction) -> str:
        a, b = c.at
        mine = mentions[mentions["doc_id"].eq(c.doc_id).to_numpy(dtype=bool)]
        hit = mine[((mine["span_start"] < b) & (mine["span_end"] > a)).to_numpy(dtype=bool)]
        if hit.empty:
            return "no number"
        return "、".join(f"{d} (「{s}」)" for d, s in zip(hit["disposition"].tolist(), hit["surface"].tolist()))

    # -- a report's end ------------------------------------------------------------------------
    def _settle(self, doc: str, extracted: int) -> list[dict]:
        """Every correction of ``doc`` decided; the rows of the figures it adds, numbered after the
        ``extracted`` figures of the report (so the extractor's numbers never change)."""
        added = []
        for c in self.pending.pop(doc, []):
            if c.status:
                continue
            if c.at is None:
                c.status, c.problem = "not_found", self._why_not_found(c)
                continue
            if c.action == "add":
                added.append(self._added_row(c, extracted + len(added)))
        return added

    @staticmethod
    def _why_not_found(c: _Correction) -> str:
        parts = []
        if c.span is not None:
            if c.span_text is None:
                parts.append(f"the text is shorter than {c.span[1]} characters now")
            elif c.span_text != c.surface:
                parts.append(f"the text at {c.span[0]} reads 「{c.span_text}」 now")
        if c.occurrence is not None and c.seen < c.occurrence:
            parts.append(f"「{c.surface}」 occurs {c.seen} time(s) in the report now, not {c.occurrence}")
        return "; ".join(parts) or "the figure is not in the report now"

    def _added_row(self, c: _Correction, number: int) -> dict[str, Any]:
        from analysis.tables.build import _context

        sentence = c.sentence or {}
        text = "" if _missing(sentence.get("text")) else str(sentence.get("text"))
        start = int(sentence.get("span_start", c.at[0]))
        row: dict[str, Any] = {name: None for name in contract.columns("figures", extracted_only=True)}
        row.update(ADD_DEFAULTS)
        row.update(
            doc_id=c.doc_id, figure=number,
            province=None if _missing(sentence.get("province")) else sentence.get("province"),
            section=int(sentence.get("section", 0)), sentence=int(sentence.get("sentence", 0)),
            span_start=c.at[0], span_end=c.at[1], surface=c.surface, subject="", row_label="", column_header="",
            sentence_text=_context(text, 0, len(text), c.at[0] - start, c.at[1] - start) if text else "",
            corrected=True,
        )
        for name, value in c.values.items():
            row[name] = "" if value is None and contract.TABLES["figures"].column(name).enriched else value
        for name in c.clear:
            row[name] = "" if contract.TABLES["figures"].column(name).enriched else None
        c.status, c.figure = "applied", number
        self.changes[c.doc_id] = self.changes.get(c.doc_id, 0) + 1
        return row

    # -- the record ----------------------------------------------------------------------------
    def outcomes(self, seen: Iterable[str] = ()):
        """The corrections table with each row's outcome. Reports never given to :meth:`apply` are
        ``no_report``, unless in ``seen`` (reports read elsewhere: another worker's)."""
        import pandas as pd

        seen = set(seen)
        for doc, corrections in list(self.pending.items()):
            for c in corrections:
                if not c.status and doc not in seen:
                    c.status, c.problem = "no_report", "no report with this doc_id was cleaned"
        out = self.corrections.copy()
        out["status"] = pd.array([c.status or None for c in self.all], dtype="string")
        out["figure"] = pd.array([c.figure for c in self.all], dtype="Int64")
        out["problem"] = pd.array([c.problem or None for c in self.all], dtype="string")
        return out

    def report(self) -> list[tuple[int, str, str, str]]:
        """(row, status, name, problem) of every correction not applied, in row order."""
        return [(c.row, c.status, c.name, c.problem) for c in self.all if c.status not in ("applied", "")]


# ---------------------------------------------------------------------------------------------
# Saying what was done

STATUS_WORDS = {"not_found": "not applied", "no_report": "not applied", "not_read": "not applied",
                "not_needed": "no longer needed"}


def outcome_lines(outcomes) -> list[str]:
    """One line per correction not applied or no longer needed (``row N: not applied: <which>: <why>``),
    in row order, from the corrections table with outcomes."""
    lines = []
    for row in outcomes.sort_values("row").itertuples(index=False):
        status = row.status if isinstance(row.status, str) else ""
        if status not in STATUS_WORDS:
            continue
        occurrence = row.occurrence
        place = (f"occurrence {int(occurrence)}" if not _missing(occurrence) else f"at {int(row.span_start)}")
        lines.append(f"row {int(row.row)}: {STATUS_WORDS[status]}: {row.doc_id} 「{row.surface}」 ({place}), "
                     f"{row.action}: {row.problem}")
    return lines


def outcome_summary(outcomes) -> str:
    """``4 corrections: 3 applied, 1 not applied, 0 no longer needed``."""
    counts = outcomes["status"].value_counts().to_dict() if len(outcomes) else {}
    applied = int(counts.get("applied", 0))
    needless = int(counts.get("not_needed", 0))
    failed = len(outcomes) - applied - needless
    return (f"{len(outcomes)} correction(s): {applied} applied, {failed} not applied, "
            f"{needless} no longer needed")


# ---------------------------------------------------------------------------------------------
# Writing one from what the clean tables say


def new_correction(doc_id: str, sentences, *, figure=None, add: str | None = None, occurrence: int | None = None,
                   action: str = "set", values: dict | None = None, clear: Sequence[str] = (), note: str = "",
                   date: str | None = None) -> dict[str, Any]:
    """A row of data/corrections.csv for one figure of report ``doc_id``, as its cells' text.

    ``figure``: the figure (a row of the figures table: ``surface``, ``span_start``, ``span_end``)
    to set or drop; its occurrence is counted in ``sentences`` (the report's sentences), so the row
    names it by both its occurrence and its span. ``add``: the surface of a figure the extractor
    missed, at its ``occurrence`` (default the first). ``values``: column -> text; ``clear``: columns
    to empty. Raises ValueError with the problem (a name not settable lists those that are).
    """
    names = [c.name for c in settable()]
    values = dict(values or {})
    unknown = [name for name in [*values, *clear] if name not in names]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a column a correction sets; choose among {', '.join(names)}")
    texts = sorted(zip(sentences["span_start"].tolist(), sentences["text"].fillna("").astype(str).tolist()))
    if figure is not None:
        surface, start, end = str(figure["surface"]), int(figure["span_start"]), int(figure["span_end"])
        occurrence = occurrence_at(texts, surface, start)
        if occurrence is None:
            raise ValueError(f"「{surface}」 is not at {start} of the report's sentences: the clean tables are "
                             "older than the report; run clean first")
    else:
        surface = (add or "").strip()
        if not surface:
            raise ValueError("say which figure: --figure N, or --add SURFACE for one the extractor missed")
        occurrence = occurrence or 1
        starts = [offset + at for offset, text in texts for at in occurrences(text, surface)]
        if len(starts) < occurrence:
            raise ValueError(f"「{surface}」 occurs {len(starts)} time(s) in {doc_id}, not {occurrence}")
        start, end = starts[occurrence - 1], starts[occurrence - 1] + len(surface)
    record = {"doc_id": doc_id, "surface": surface, "occurrence": str(occurrence), "span_start": str(start),
              "span_end": str(end), "action": "add" if add else action, **values,
              "clear": " ".join(clear) or None, "note": note, "date": date or dt.date.today().isoformat()}
    return {name: value for name, value in record.items() if value is not None and value != ""}
