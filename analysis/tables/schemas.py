"""Schemas of every clean table: pandera models, keys and cross-table references, in one place.

This module is the single definition the code validates with (``validate``), the data package
describes (datapackage.py) and the data dictionary documents (data/clean/README.md). Each column's
``description`` is its one-sentence entry in the dictionary.

It imports pandera at module level, so import it lazily (inside functions) from elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

QUALIFIERS = ["exact", "approx", "lower_bound", "upper_bound"]

def _unit_kinds() -> list[str]:
    from analysis.extract import lexicon

    return list(lexicon.load().unit_kinds)


UNIT_KINDS = _unit_kinds()  # from lexicon/units.tsv, the extractor's own vocabulary
DISPOSITIONS = ["figure", "date", "code", "ordinal", "name", "idiom", "word", "list_marker",
                "timestamp", "bare", "truncated"]
DATE_ROLES = ["as_of", "event"]
REGIONS = ["东部", "中部", "西部", "东北"]
MATCHED_ON = ["subject", "clause", "sentence", "indicator", "none"]
# ISO 8601 at the precision written; --MM and --MM-DD when the year is unknown (no publication date)
_ISO = r"(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}(-\d{2})?)"
ISO_DATE_ANY = rf"^{_ISO}(/{_ISO})?$"  # a date at its precision, or an ISO interval for a period (前三季度)
ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"
# Dates stay ISO text in memory and in the CSVs (so every writer prints them the same way); this
# marks them as Table Schema dates, and analysis.load() parses them into datetime64.
DATE = {"type": "date"}
AS_OF = r"^(\d{4}-\d{2}(-\d{2})?|--\d{2}(-\d{2})?|report)$"


def _spans_ordered(df: pd.DataFrame) -> pd.Series:
    return df["span_end"] > df["span_start"]


def _spans_not_reversed(df: pd.DataFrame) -> pd.Series:
    # A report that opens with a province heading has an empty lead section (section 0).
    return df["span_end"] >= df["span_start"]


def _doc_id(what: str = "document") -> object:
    return pa.Field(description=f"Identifier of the {what}: the raw file's name without its extension.")


class Documents(pa.DataFrameModel):
    """One row per report read from data/raw/."""

    doc_id: Series[str] = pa.Field(unique=True, description="Identifier of the report: the raw file's name without its extension.")
    path: Series[str] = pa.Field(description="Path of the raw file, relative to the project root.")
    title: Series[str] = pa.Field(nullable=True, description="Headline of the report.")
    publisher: Series[str] = pa.Field(nullable=True, description="Who published the report (from the provenance sidecar).")
    published: Series[str] = pa.Field(nullable=True, str_matches=ISO_DAY, metadata=DATE, description="Publication date (ISO), used to resolve dates without a year.")
    published_inferred: Series[bool] = pa.Field(description="True if the publication date was inferred from the text rather than given in the sidecar.")
    encoding: Series[str] = pa.Field(description="Character encoding the raw bytes were decoded with.")
    sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$", description="SHA-256 checksum of the raw file's bytes.")
    n_chars: Series[int] = pa.Field(ge=0, description="Length of the decoded text in characters.")
    n_sections: Series[int] = pa.Field(ge=0, description="Number of sections (the lead plus one per province heading).")
    n_sentences: Series[int] = pa.Field(ge=0, description="Number of sentences.")
    n_mentions: Series[int] = pa.Field(ge=0, description="Number of numeric tokens found (rows in mentions).")
    n_figures: Series[int] = pa.Field(ge=0, description="Number of statistics kept (rows in figures).")

    class Config:
        coerce = True
        strict = True


class Sections(pa.DataFrameModel):
    """One row per section of a report: the lead (section 0) and one per province heading."""

    doc_id: Series[str] = _doc_id()
    section: Series[int] = pa.Field(ge=0, description="Section number within the report; 0 is the lead before the first heading.")
    province: Series[str] = pa.Field(nullable=True, description="Short name of the province the section is about; empty if none.")
    heading: Series[str] = pa.Field(nullable=True, description="Text of the section heading; empty for the lead.")
    span_start: Series[int] = pa.Field(ge=0, description="Offset of the section's first character in the decoded text.")
    span_end: Series[int] = pa.Field(ge=0, description="Offset just after the section's last character (end-exclusive).")

    class Config:
        coerce = True
        strict = True
        unique = ["doc_id", "section"]

    @pa.dataframe_check
    def spans_not_reversed(cls, df: pd.DataFrame) -> pd.Series:
        return _spans_not_reversed(df)


class Sentences(pa.DataFrameModel):
    """One row per sentence of a report."""

    doc_id: Series[str] = _doc_id()
    sentence: Series[int] = pa.Field(ge=0, description="Sentence number within the report, in text order.")
    section: Series[int] = pa.Field(ge=0, description="Section holding the sentence.")
    paragraph: Series[int] = pa.Field(ge=0, description="Paragraph number within the report.")
    province: Series[str] = pa.Field(nullable=True, description="Short name of the province the sentence speaks for; empty if none.")
    span_start: Series[int] = pa.Field(ge=0, description="Offset of the sentence's first character in the decoded text.")
    span_end: Series[int] = pa.Field(ge=0, description="Offset just after the sentence's last character (end-exclusive).")
    text: Series[str] = pa.Field(description="The sentence as written.")

    class Config:
        coerce = True
        strict = True
        unique = ["doc_id", "sentence"]

    @pa.dataframe_check
    def spans_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return _spans_ordered(df)


class Figures(pa.DataFrameModel):
    """One row per statistic: a number with its unit, qualifier, date scope, theme and indicator."""

    doc_id: Series[str] = _doc_id()
    figure: Series[int] = pa.Field(ge=0, description="Figure number within the report, in text order.")
    province: Series[str] = pa.Field(nullable=True, description="Short name of the province the figure belongs to; empty for national or unassigned figures.")
    section: Series[int] = pa.Field(ge=0, description="Section holding the figure.")
    sentence: Series[int] = pa.Field(ge=0, description="Sentence holding the figure.")
    span_start: Series[int] = pa.Field(ge=0, description="Offset of the figure's first character in the decoded text.")
    span_end: Series[int] = pa.Field(ge=0, description="Offset just after the figure's last character (end-exclusive).")
    surface: Series[str] = pa.Field(description="The figure as written, number and unit (e.g. 4.25万个).")
    value: Series[float] = pa.Field(description="The number fully expanded, multipliers applied (4.25万 is 42500); percentages in percent points.")
    value_high: Series[float] = pa.Field(nullable=True, description="Upper end of a range (3至5个: value 3, value_high 5); empty otherwise.")
    unit: Series[str] = pa.Field(nullable=True, description="Unit or classifier after the number, multipliers removed (个, 元, 人, %).")
    unit_kind: Series[str] = pa.Field(isin=UNIT_KINDS, description="What the unit measures: count, money, people, percent, duration and so on.")
    qualifier: Series[str] = pa.Field(isin=QUALIFIERS, description="How exact the number is: exact, approx (近, 约), lower_bound (超, 余, 多), upper_bound (不到).")
    as_of: Series[str] = pa.Field(nullable=True, str_matches=AS_OF, description="Reference date from a 截至 clause (ISO date or month, --MM if the year is unknown), 'report' for 截至目前, empty if none.")
    cumulative: Series[bool] = pa.Field(description="True if the text says the figure is cumulative (累计, 共).")
    subject: Series[str] = pa.Field(nullable=True, description="A few words saying what is counted.")
    sentence_text: Series[str] = pa.Field(nullable=True, description="The sentence holding the figure, for reading it in context.")
    theme: Series[str] = pa.Field(description="Primary theme code (see themes): the indicator's theme if the figure feeds one, else from keywords; 'other' if none match.")
    indicator: Series[str] = pa.Field(nullable=True, description="Indicator code the figure feeds (see indicator_definitions); empty if it feeds none.")

    class Config:
        coerce = True
        strict = True
        unique = ["doc_id", "figure"]

    @pa.dataframe_check
    def spans_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return _spans_ordered(df)


class Dates(pa.DataFrameModel):
    """One row per date or period mentioned in a report."""

    doc_id: Series[str] = _doc_id()
    province: Series[str] = pa.Field(nullable=True, description="Short name of the province of the section holding the date; empty if none.")
    section: Series[int] = pa.Field(ge=0, description="Section holding the date.")
    sentence: Series[int] = pa.Field(ge=0, description="Sentence holding the date.")
    span_start: Series[int] = pa.Field(ge=0, description="Offset of the date's first character in the decoded text.")
    span_end: Series[int] = pa.Field(ge=0, description="Offset just after the date's last character (end-exclusive).")
    surface: Series[str] = pa.Field(description="The date as written (11月25日, 10月末, 今年5月).")
    date: Series[str] = pa.Field(nullable=True, str_matches=ISO_DATE_ANY, description="Empty if it cannot be resolved (a period with no year known), else the date in ISO form at the precision written (YYYY-MM-DD, YYYY-MM, YYYY; --MM or --MM-DD if the year is unknown), or an ISO interval start/end for a period.")
    date_start: Series[str] = pa.Field(nullable=True, str_matches=ISO_DAY, metadata=DATE, description="First day the date covers (ISO).")
    date_end: Series[str] = pa.Field(nullable=True, str_matches=ISO_DAY, metadata=DATE, description="Last day the date covers (ISO).")
    role: Series[str] = pa.Field(isin=DATE_ROLES, description="as_of if it scopes figures (截至...), event if it dates an event.")

    class Config:
        coerce = True
        strict = True
        unique = ["doc_id", "span_start"]

    @pa.dataframe_check
    def spans_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return _spans_ordered(df)


class Mentions(pa.DataFrameModel):
    """One row per numeric token in a report, with what it turned out to be."""

    doc_id: Series[str] = _doc_id()
    mention: Series[int] = pa.Field(ge=0, description="Mention number within the report, in text order.")
    span_start: Series[int] = pa.Field(ge=0, description="Offset of the token's first character in the decoded text.")
    span_end: Series[int] = pa.Field(ge=0, description="Offset just after the token's last character (end-exclusive).")
    surface: Series[str] = pa.Field(description="The token as written.")
    disposition: Series[str] = pa.Field(isin=DISPOSITIONS, description="What the token is: figure, date, code, ordinal, name, idiom, word, list_marker, timestamp, bare or truncated.")
    reason: Series[str] = pa.Field(nullable=True, description="Short reason for the disposition, for auditing.")

    class Config:
        coerce = True
        strict = True
        unique = ["doc_id", "mention"]

    @pa.dataframe_check
    def spans_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return _spans_ordered(df)


class Provinces(pa.DataFrameModel):
    """The 31 provincial-level divisions of mainland China with their 2020 census population."""

    province: Series[str] = pa.Field(unique=True, description="Short Chinese name (吉林), the key other tables use.")
    province_full: Series[str] = pa.Field(unique=True, description="Full Chinese name (吉林省).")
    name_en: Series[str] = pa.Field(unique=True, description="Usual English name.")
    region: Series[str] = pa.Field(isin=REGIONS, description="National Bureau of Statistics region: 东部, 中部, 西部 or 东北.")
    population_2020: Series[int] = pa.Field(gt=0, description="Resident population at the Seventh National Population Census (2020-11-01).")

    class Config:
        coerce = True
        strict = True


class Themes(pa.DataFrameModel):
    """The theme vocabulary (analysis/lexicon/themes.tsv)."""

    theme: Series[str] = pa.Field(unique=True, description="Theme code used in figures and figure_themes.")
    label_zh: Series[str] = pa.Field(description="Chinese label.")
    label_en: Series[str] = pa.Field(description="English label.")
    priority: Series[int] = pa.Field(ge=0, description="Tie-breaker when several themes match the same text: the lowest wins.")
    keywords: Series[str] = pa.Field(nullable=True, description="Keywords that select the theme, separated by |; empty for other.")

    class Config:
        coerce = True
        strict = True


class IndicatorDefinitions(pa.DataFrameModel):
    """The indicator vocabulary (analysis/lexicon/indicators.tsv)."""

    indicator: Series[str] = pa.Field(unique=True, description="Indicator code used in figures and indicators.")
    family: Series[str] = pa.Field(description="Group of indicators measuring one thing at different stages or in different ways.")
    label_zh: Series[str] = pa.Field(description="Chinese label.")
    label_en: Series[str] = pa.Field(description="English label.")
    theme: Series[str] = pa.Field(description="Theme the indicator belongs to.")
    units: Series[str] = pa.Field(description="Units a figure must have to feed the indicator, separated by |.")
    unit_kind: Series[str] = pa.Field(isin=UNIT_KINDS, description="What the indicator measures: count, money, people, percent and so on.")
    per_capita: Series[bool] = pa.Field(description="True if a value per 10,000 residents is meaningful for this indicator.")
    comparability_note: Series[str] = pa.Field(nullable=True, description="What to keep in mind when comparing provinces on this indicator.")

    class Config:
        coerce = True
        strict = True


class FigureThemes(pa.DataFrameModel):
    """One row per (figure, theme) the figure's texts touch; the primary theme is flagged."""

    doc_id: Series[str] = _doc_id()
    figure: Series[int] = pa.Field(ge=0, description="Figure number within the report.")
    theme: Series[str] = pa.Field(description="Theme code.")
    matched_on: Series[str] = pa.Field(isin=MATCHED_ON, description="First text where the theme matched: subject, clause, sentence; indicator if given by the figure's indicator; none for other.")
    keyword: Series[str] = pa.Field(nullable=True, description="Keyword that matched; empty for other.")
    primary: Series[bool] = pa.Field(description="True for the theme given to the figure in figures.theme.")

    class Config:
        coerce = True
        strict = True
        unique = ["doc_id", "figure", "theme"]


class Indicators(pa.DataFrameModel):
    """One row per figure feeding an indicator, with its value per 10,000 residents where meaningful."""

    doc_id: Series[str] = _doc_id()
    figure: Series[int] = pa.Field(ge=0, description="Figure number within the report (see figures).")
    indicator: Series[str] = pa.Field(description="Indicator code (see indicator_definitions).")
    family: Series[str] = pa.Field(description="Indicator family, for comparing related stages side by side.")
    province: Series[str] = pa.Field(nullable=True, description="Short name of the province; empty if the figure has none.")
    value: Series[float] = pa.Field(description="The figure's value, as in figures.")
    value_high: Series[float] = pa.Field(nullable=True, description="Upper end of a range, as in figures.")
    unit: Series[str] = pa.Field(description="Unit of value.")
    unit_kind: Series[str] = pa.Field(isin=UNIT_KINDS, description="What the unit measures, as in figures.")
    qualifier: Series[str] = pa.Field(isin=QUALIFIERS, description="How exact the value is, as in figures.")
    as_of: Series[str] = pa.Field(nullable=True, str_matches=AS_OF, description="Reference date of the value, as in figures.")
    per_10k: Series[float] = pa.Field(nullable=True, ge=0, description="value / population_2020 * 10000; empty for percentages, durations, frequencies, per-person standards or unknown provinces.")
    comparability_note: Series[str] = pa.Field(nullable=True, description="The indicator's comparability note, repeated for convenience.")

    class Config:
        coerce = True
        strict = True
        unique = ["doc_id", "figure"]


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    model: type[pa.DataFrameModel]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    @property
    def description(self) -> str:
        return " ".join((self.model.__doc__ or "").split())


def _fk(fields: str, resource: str, reference: str | None = None) -> ForeignKey:
    return ForeignKey(tuple(fields.split()), resource, tuple((reference or fields).split()))


DOC = _fk("doc_id", "documents")
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("documents", Documents, ("doc_id",)),
        Table("sections", Sections, ("doc_id", "section"), (DOC, _fk("province", "provinces"))),
        Table("sentences", Sentences, ("doc_id", "sentence"), (DOC, _fk("doc_id section", "sections"))),
        Table("figures", Figures, ("doc_id", "figure"),
              (DOC, _fk("doc_id section", "sections"), _fk("doc_id sentence", "sentences"),
               _fk("province", "provinces"), _fk("theme", "themes"), _fk("indicator", "indicator_definitions"))),
        Table("dates", Dates, ("doc_id", "span_start"),
              (DOC, _fk("doc_id section", "sections"), _fk("province", "provinces"))),
        Table("mentions", Mentions, ("doc_id", "mention"), (DOC,)),
        Table("provinces", Provinces, ("province",)),
        Table("themes", Themes, ("theme",)),
        Table("indicator_definitions", IndicatorDefinitions, ("indicator",), (_fk("theme", "themes"),)),
        Table("figure_themes", FigureThemes, ("doc_id", "figure", "theme"),
              (_fk("doc_id figure", "figures"), _fk("theme", "themes"))),
        Table("indicators", Indicators, ("doc_id", "figure"),
              (_fk("doc_id figure", "figures"), _fk("indicator", "indicator_definitions"),
               _fk("province", "provinces"))),
    )
}


class TableError(ValueError):
    """Clean tables that break their schema. ``problems`` lists one line per table, column and check."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid clean tables:\n  " + "\n  ".join(problems))


def _show(values: list, limit: int = 5) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def _schema_problems(name: str, errors) -> list[str]:
    cases = errors.failure_cases
    problems = []
    structural = {"column_in_dataframe": "missing column", "column_in_schema": "column not in the schema"}
    for check, label in structural.items():
        missing = cases.loc[cases["check"] == check, "failure_case"].tolist()
        if missing:
            problems.append(f"{name}: {label} {_show(missing)}")
    cases = cases[~cases["check"].isin(list(structural))]
    # Checks on whole rows (unique keys, span order) list every column of each bad row: one line each.
    whole_rows = cases["schema_context"].eq("DataFrameSchema")
    for check, group in cases[whole_rows].groupby("check", sort=False):
        rows = sorted({int(i) for i in group["index"].dropna()})
        if check == "multiple_fields_uniqueness":
            key = "+".join(dict.fromkeys(group["column"]))
            problems.append(f"{name}.{key}: duplicate key at rows {_show(rows)}")
        else:
            problems.append(f"{name}: fails {check} at rows {_show(rows)}")
    cases = cases[~whole_rows]
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        rows = sorted({int(i) for i in group["index"].dropna()})
        where = f"{name}.{column}" if isinstance(column, str) and column else name
        values = [v for v in group["failure_case"].tolist() if not (isinstance(v, float) and pd.isna(v))]
        text = f"{where}: fails {check}"
        if rows:
            text += f" at rows {_show(rows)}"
        if values and not rows or values and len(values) <= 5:
            text += f" (values {_show(values)})"
        problems.append(text)
    return problems


def _reference_problems(name: str, df: pd.DataFrame, fk: ForeignKey, target: pd.DataFrame) -> list[str]:
    keys = df[list(fk.fields)]
    present = keys.notna().all(axis=1)
    known = pd.MultiIndex.from_frame(target[list(fk.reference)].astype("object"))
    wanted = pd.MultiIndex.from_frame(keys.astype("object"))
    orphan = present & ~wanted.isin(known)
    if not orphan.any():
        return []
    rows = [int(i) for i in df.index[orphan.to_numpy()]]
    values = [tuple(v) if len(v) > 1 else v[0] for v in keys[orphan.to_numpy()].itertuples(index=False)]
    return [f"{name}.{'+'.join(fk.fields)}: rows {_show(rows)} reference no row of "
            f"{fk.resource}.{'+'.join(fk.reference)} (values {_show(values)})"]


def validate(tables: dict[str, pd.DataFrame], references: dict[str, pd.DataFrame] | None = None
             ) -> dict[str, pd.DataFrame]:
    """Check every table against its schema and every foreign key; return the coerced tables.

    ``references``: key columns of tables that foreign keys may point to but that are not among
    ``tables`` (rows written earlier, when a large report is validated piece by piece).

    Columns come back in schema order, which is the CSV and datapackage.json order.
    Raises TableError listing each problem as ``table.column: what fails at rows [...] (values ...)``.
    Row numbers are the DataFrame's index labels (0-based positions for freshly built tables).
    """
    from pandera.errors import SchemaErrors

    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise TableError([f"{name}: no schema for this table" for name in unknown])
    problems: list[str] = []
    checked: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        try:
            valid = TABLES[name].model.validate(df, lazy=True)
            checked[name] = valid[list(TABLES[name].model.to_schema().columns)]  # CSV column order
        except SchemaErrors as errors:
            problems += _schema_problems(name, errors)
            checked[name] = df
    for name, df in checked.items():
        for fk in TABLES[name].foreign_keys:
            target = _target(fk.resource, checked, references or {})
            if target is None:
                problems.append(f"{name}.{'+'.join(fk.fields)}: references table {fk.resource}, which is missing")
            elif set(fk.fields) <= set(df.columns) and set(fk.reference) <= set(target.columns):
                problems += _reference_problems(name, df, fk, target)
    if problems:
        raise TableError(problems)
    return checked


def _target(name: str, checked: dict[str, pd.DataFrame], references: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    if name not in references:
        return checked.get(name)
    if name not in checked:
        return references[name]
    return pd.concat([checked[name], references[name]], ignore_index=True)
