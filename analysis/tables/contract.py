"""The contract of the clean tables, in one place: every table, its columns, types, keys and meaning.

Everything that knows a table's shape derives it from :data:`TABLES`: the builders' typed frames
(:mod:`analysis.tables.build`), enrichment, the pandera checks (:mod:`analysis.tables.schemas`),
``datapackage.json`` and the data dictionary (:mod:`analysis.tables.datapackage`), the writers of
``clean`` and ``clean-corpus`` and the typed reader (:mod:`analysis.store.reader`). Adding a column
is one :class:`Column` here: it is then built (empty until something fills it, if it may be
empty), validated, written, described and read.

Nothing is loaded at import time: the one vocabulary that comes from the lexicon (unit kinds) is
read when a check or a description first asks for it.

>>> [c.name for c in TABLES["sections"].columns]
['doc_id', 'section', 'province', 'heading', 'span_start', 'span_end']
>>> TABLES["figures"].key, TABLES["figures"].stage
(('doc_id', 'figure'), 'extracted')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# The file format every clean CSV shares (written by analysis.store.cells, read by analysis.store.reader).
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read the file as UTF-8; pandas.read_csv strips it
# TRUE/FALSE: the one spelling that base R's read.csv, readr, data.table, DuckDB, pandas and Excel all
# read as booleans without arguments (base R reads true/false as text). datapackage.json declares
# exactly these as the Table Schema trueValues/falseValues, so a validator catches any other spelling.
CSV_TRUE, CSV_FALSE = "TRUE", "FALSE"
CSV_MISSING = ""
# The most a CSV cell holds: Excel's limit per cell, 32,767 characters (counted in UTF-16 code units).
# A longer sentence is split into several (analysis.extract.segment.SENTENCE_MAX); any other longer
# text is cut to this length in the CSVs, ending with CSV_CUT (analysis.store.cells). Parquet keeps it whole.
CSV_MAX_CELL = 32_767
CSV_CUT = "…[cut]"

# Kinds of table, in the order data flows: what the extractor reads off a report, what enrichment
# derives from it, the shared vocabularies both refer to, the run log of clean-corpus, and the
# analysts' review (data/corrections.csv, recorded with what the run did with each row).
EXTRACTED, DERIVED, VOCABULARY, RUN_LOG, REVIEW = "extracted", "derived", "vocabulary", "run log", "review"

# Logical column types (Table Schema names). Dates are ISO text in memory and in files; readers
# parse them into datetime64.
STRING, INTEGER, NUMBER, BOOLEAN, DATE = "string", "integer", "number", "boolean", "date"

FORMATS = ("text", "html", "pdf", "docx", "xlsx", "xls")  # what analysis.raw.formats reads
QUALIFIERS = ("exact", "approx", "lower_bound", "upper_bound")
DISPOSITIONS = ("figure", "date", "code", "ordinal", "name", "idiom", "word", "list_marker",
                "timestamp", "bare", "truncated")
DATE_ROLES = ("as_of", "event")
REGIONS = ("东部", "中部", "西部", "东北")
MATCHED_ON = ("subject", "clause", "sentence", "indicator", "none")
CHECK_KINDS = ("total", "completion_rate", "share", "growth")
CORRECTION_ACTIONS = ("set", "drop", "add")
CORRECTION_STATUSES = ("applied", "not_needed", "not_found", "no_report", "not_read")
# Where a figure is in its report, which a correction finds it by and cannot move: every other
# column of figures is settable by a row of data/corrections.csv (analysis.tables.corrections).
FIGURE_PLACE = ("doc_id", "figure", "section", "sentence", "span_start", "span_end", "surface", "sentence_text")
# ISO 8601 at the precision written; --MM and --MM-DD when the year is unknown (no publication date)
_ISO = r"(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}(-\d{2})?)"
ISO_DATE_ANY = rf"^{_ISO}(/{_ISO})?$"  # a date at its precision, or an ISO interval for a period (前三季度)
ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"
SHA256 = r"^[0-9a-f]{64}$"
DIVISION_CODE = r"^\d{6}$"


def unit_kinds() -> tuple[str, ...]:
    """The unit kinds of ``analysis/lexicon/units.tsv``, the extractor's own vocabulary."""
    from analysis.extract import lexicon

    return tuple(lexicon.load().unit_kinds)


def measures() -> tuple[str, ...]:
    """What kind of figure a figure is (level, cumulative, increase ...): the extractor's vocabulary."""
    from analysis.extract.subject import MEASURES

    return MEASURES


def as_of_kinds() -> tuple[str, ...]:
    """How a figure's as-of day was found (stated, month_end, report, inferred): the extractor's vocabulary."""
    from analysis.extract.as_of import AS_OF_KINDS

    return AS_OF_KINDS


@dataclass(frozen=True)
class Column:
    """One column: its name, logical type, one-sentence meaning and constraints.

    ``enum`` is a tuple of allowed values or a function returning them (read when first needed).
    ``enriched``: added by enrichment (:mod:`analysis.tables.enrich`), not by the extractor.
    """

    name: str
    type: str
    description: str
    required: bool = True
    unique: bool = False
    enum: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    pattern: str | None = None
    minimum: int | float | None = None
    enriched: bool = False

    def allowed(self) -> tuple[str, ...] | None:
        """The allowed values, if the column has a closed vocabulary."""
        return self.enum() if callable(self.enum) else self.enum

    @property
    def matches(self) -> str | None:
        """The pattern every value matches (dates are ISO days)."""
        return ISO_DAY if self.type == DATE else self.pattern


@dataclass(frozen=True)
class Reference:
    """A foreign key: ``fields`` of this table name a row of ``table`` by its ``to`` columns.

    ``separator``: a one-column key whose cells may name several rows, joined by it (a figure of
    广东|江苏|山东); each part must name a row. Table Schema cannot say this, so datapackage.json leaves
    such a key out and the column's description says it.
    """

    fields: tuple[str, ...]
    table: str
    to: tuple[str, ...]
    separator: str = ""


@dataclass(frozen=True)
class RowCheck:
    """A check across two columns of each row: ``left <op> right`` (op one of ``>``, ``>=``)."""

    name: str
    left: str
    op: str
    right: str


@dataclass(frozen=True)
class Table:
    """One clean table: ``row`` says what one row is; ``key`` identifies a row."""

    name: str
    stage: str
    row: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = field(default=())
    checks: tuple[RowCheck, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        """Column names in file order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def per_document(self) -> bool:
        """True for tables with rows of each report (written a batch at a time), False for vocabularies."""
        return self.stage in (EXTRACTED, DERIVED)


def _ref(fields: str, table: str, to: str | None = None, separator: str = "") -> Reference:
    return Reference(tuple(fields.split()), table, tuple((to or fields).split()), separator)


PROVINCE_SEPARATOR = "|"  # between the provinces of a figure of several (广东|江苏|山东)
PROVINCES = _ref("province", "provinces", separator=PROVINCE_SEPARATOR)


DOC_ID_MEANING = ("the raw file's path inside the folder cleaned, without its extension, / between folders "
                  "(2021/jiangxi/gongbao; the file name alone for a file directly in it)")


def _doc_id(what: str = "document") -> Column:
    return Column("doc_id", STRING, f"Identifier of the {what}: {DOC_ID_MEANING}.")


def _span(what: str) -> tuple[Column, Column]:
    return (Column("span_start", INTEGER, f"Offset of the {what}'s first character in the decoded text.", minimum=0),
            Column("span_end", INTEGER, f"Offset just after the {what}'s last character (end-exclusive).", minimum=0))


DOC = _ref("doc_id", "documents")
SPANS_ORDERED = RowCheck("spans_ordered", "span_end", ">", "span_start")
# A report that opens with a province heading has an empty lead section (section 0).
SPANS_NOT_REVERSED = RowCheck("spans_not_reversed", "span_end", ">=", "span_start")

_TABLES = (
    Table("documents", EXTRACTED, "One row per report read from data/raw/.", (
        Column("doc_id", STRING, f"Identifier of the report: {DOC_ID_MEANING}.", unique=True),
        Column("path", STRING, "Path of the raw file inside the folder cleaned (data/raw, or the archive folder clean-corpus was given), / between folders."),
        Column("title", STRING, "Headline of the report.", required=False),
        Column("publisher", STRING, "Who published the report (from the provenance sidecar).", required=False),
        Column("url", STRING, "Where the report was published (from the provenance sidecar); empty if not recorded.", required=False),
        Column("published", DATE, "Publication date (ISO), used to resolve dates without a year.", required=False),
        Column("published_inferred", BOOLEAN, "True if the publication date was inferred from the text rather than given in the sidecar or by the web page's metadata."),
        Column("format", STRING, "What the raw file is: text, html (a saved web page), pdf, docx (Word), xlsx or xls (Excel).", enum=FORMATS),
        Column("encoding", STRING, "Character encoding the raw bytes were decoded with; empty for PDF, Word and Excel files, which their own readers read.", required=False),
        Column("n_pages", INTEGER, "Number of pages (PDF); empty for formats without pages.", required=False, minimum=0),
        Column("sha256", STRING, "SHA-256 checksum of the raw file's bytes.", pattern=SHA256),
        Column("n_chars", INTEGER, "Length of the decoded text in characters.", minimum=0),
        Column("n_sections", INTEGER, "Number of sections (the lead plus one per province heading).", minimum=0),
        Column("n_sentences", INTEGER, "Number of sentences.", minimum=0),
        Column("n_mentions", INTEGER, "Number of numeric tokens found (rows in mentions).", minimum=0),
        Column("n_figures", INTEGER, "Number of statistics kept (rows in figures).", minimum=0),
    ), key=("doc_id",)),
    Table("sections", EXTRACTED, "One row per section of a report: the lead (section 0) and one per province heading.", (
        _doc_id(),
        Column("section", INTEGER, "Section number within the report; 0 is the lead before the first heading.", minimum=0),
        Column("province", STRING, "Short name of the province the section is about; empty if none.", required=False),
        Column("heading", STRING, "Text of the section heading; empty for the lead.", required=False),
        *_span("section"),
    ), key=("doc_id", "section"), references=(DOC, _ref("province", "provinces")), checks=(SPANS_NOT_REVERSED,)),
    Table("sentences", EXTRACTED, "One row per sentence of a report.", (
        _doc_id(),
        Column("sentence", INTEGER, "Sentence number within the report, in text order.", minimum=0),
        Column("section", INTEGER, "Section holding the sentence.", minimum=0),
        Column("paragraph", INTEGER, "Paragraph number within the report.", minimum=0),
        Column("province", STRING, "Short name of the province the sentence speaks for, | between several; empty if none.", required=False),
        *_span("sentence"),
        Column("text", STRING, "The sentence as written; a run of more than 32,767 characters without a full stop (the most a spreadsheet cell holds) is split into sentences of at most that length, at a clause break where there is one."),
    ), key=("doc_id", "sentence"), references=(DOC, _ref("doc_id section", "sections"), PROVINCES), checks=(SPANS_ORDERED,)),
    Table("figures", EXTRACTED, "One row per statistic: a number with its unit, qualifier, date scope, theme and indicator.", (
        _doc_id(),
        Column("figure", INTEGER, "Figure number within the report, in text order; a figure a correction added comes after the extractor's, and a dropped one leaves a gap.", minimum=0),
        Column("province", STRING, "Short name of the province the figure belongs to, | between several (广东|江苏|山东); empty for national or unassigned figures.", required=False),
        Column("place", STRING, "Official name of the finest division named for the figure: its county, city or province (江宁区, 宁波市, 西藏自治区); empty for national, unassigned or several provinces.", required=False),
        Column("place_code", STRING, "The 6-digit administrative-division code of place (320115); empty when place is.", required=False, pattern=DIVISION_CODE),
        Column("section", INTEGER, "Section holding the figure.", minimum=0),
        Column("sentence", INTEGER, "Sentence holding the figure.", minimum=0),
        *_span("figure"),
        Column("surface", STRING, "The figure as written, number and unit (e.g. 4.25万个)."),
        Column("value", NUMBER, "The number fully expanded, multipliers applied (4.25万 is 42500); percentages in percent points."),
        Column("value_high", NUMBER, "Upper end of a range (3至5个: value 3, value_high 5); empty otherwise.", required=False),
        Column("unit", STRING, "Unit or classifier after the number, multipliers removed (个, 元, 人, %).", required=False),
        Column("unit_kind", STRING, "What the unit measures: count, money, people, percent, duration and so on.", enum=unit_kinds),
        Column("qualifier", STRING, "How exact the number is: exact, approx (近, 约), lower_bound (超, 余, 多), upper_bound (不到).", enum=QUALIFIERS),
        Column("measure", STRING, "What kind of figure it is: level (a stock or a count), cumulative (累计), increase or decrease (a change: 增长8.3%, 下降3.1%; value stays as written, so a decrease's signed change is -value), target (目标, 计划, 力争) or rate (完成率, 占比).", enum=measures),
        Column("as_of", DATE, "The day the figure is counted at (ISO), from a 截至 clause or a table caption; empty if none is said.", required=False),
        Column("as_of_kind", STRING, "How as_of was found: stated (the day is written), month_end (a month, quarter or year is written: its last day), report (截至目前: the publication date), inferred (the same, with a publication date inferred from the text); empty with as_of.", required=False, enum=as_of_kinds),
        Column("cumulative", BOOLEAN, "True if the text says the figure is cumulative (累计, 共)."),
        Column("subject", STRING, "A few words saying what is counted.", required=False),
        Column("sentence_text", STRING, "The sentence holding the figure, for reading it in context.", required=False),
        Column("table", INTEGER, "For a figure in a table printed in the report: the table's number in the report (0 for the first); empty otherwise.", required=False, minimum=0),
        Column("row_label", STRING, "For a figure in a table: the label of its row as written, without markers such as 其中： or #.", required=False),
        Column("column_header", STRING, "For a figure in a table: the header of its column as written, unit included (绝对数(亿元)).", required=False),
        Column("total_row", BOOLEAN, "True if the figure sits in a table's total row (合计, 全省).", required=False),
        Column("page", INTEGER, "Page of the figure in the raw file (PDF), counting from 1 as a PDF viewer does; empty for formats without pages.", required=False, minimum=1),
        Column("theme", STRING, "Primary theme code (see themes): the indicator's theme if the figure feeds one, else from keywords; 'other' if none match.", enriched=True),
        Column("indicator", STRING, "Indicator code the figure feeds (see indicator_definitions); empty if it feeds none.", required=False, enriched=True),
        Column("corrected", BOOLEAN, "True if a row of data/corrections.csv set this figure's values or added it (see corrections); mentions keeps the extractor's reading."),
    ), key=("doc_id", "figure"),
        references=(DOC, _ref("doc_id section", "sections"), _ref("doc_id sentence", "sentences"),
                    PROVINCES, _ref("theme", "themes"), _ref("indicator", "indicator_definitions")),
        checks=(SPANS_ORDERED,)),
    Table("dates", EXTRACTED, "One row per date or period mentioned in a report.", (
        _doc_id(),
        Column("province", STRING, "Short name of the province the sentence holding the date speaks for, | between several; empty if none.", required=False),
        Column("section", INTEGER, "Section holding the date.", minimum=0),
        Column("sentence", INTEGER, "Sentence holding the date.", minimum=0),
        *_span("date"),
        Column("surface", STRING, "The date as written (11月25日, 10月末, 今年5月)."),
        Column("date", STRING, "Empty if it cannot be resolved (a period with no year known), else the date in ISO form at the precision written (YYYY-MM-DD, YYYY-MM, YYYY; --MM or --MM-DD if the year is unknown), or an ISO interval start/end for a period.", required=False, pattern=ISO_DATE_ANY),
        Column("date_start", DATE, "First day the date covers (ISO).", required=False),
        Column("date_end", DATE, "Last day the date covers (ISO).", required=False),
        Column("role", STRING, "as_of if it scopes figures (截至...), event if it dates an event.", enum=DATE_ROLES),
    ), key=("doc_id", "span_start"),
        references=(DOC, _ref("doc_id section", "sections"), PROVINCES), checks=(SPANS_ORDERED,)),
    Table("mentions", EXTRACTED, "One row per numeric token in a report, with what the extractor read it as (corrections leave it as read).", (
        _doc_id(),
        Column("mention", INTEGER, "Mention number within the report, in text order.", minimum=0),
        *_span("token"),
        Column("surface", STRING, "The token as written."),
        Column("disposition", STRING, "What the token is: figure, date, code, ordinal, name, idiom, word, list_marker, timestamp, bare or truncated.", enum=DISPOSITIONS),
        Column("reason", STRING, "Short reason for the disposition, for auditing.", required=False),
    ), key=("doc_id", "mention"), references=(DOC,), checks=(SPANS_ORDERED,)),
    Table("provinces", VOCABULARY, "The 31 provincial-level divisions of mainland China with their 2020 census population.", (
        Column("province", STRING, "Short Chinese name (吉林), the key other tables use.", unique=True),
        Column("province_full", STRING, "Full Chinese name (吉林省).", unique=True),
        Column("name_en", STRING, "Usual English name.", unique=True),
        Column("region", STRING, "National Bureau of Statistics region: 东部, 中部, 西部 or 东北.", enum=REGIONS),
        Column("population_2020", INTEGER, "Resident population at the Seventh National Population Census (2020-11-01).", minimum=1),
    ), key=("province",)),
    Table("themes", VOCABULARY, "The theme vocabulary (analysis/lexicon/themes.tsv).", (
        Column("theme", STRING, "Theme code used in figures and figure_themes.", unique=True),
        Column("label_zh", STRING, "Chinese label."),
        Column("label_en", STRING, "English label."),
        Column("priority", INTEGER, "Tie-breaker when several themes match the same text: the lowest wins.", minimum=0),
        Column("keywords", STRING, "Keywords that select the theme, separated by |; empty for other.", required=False),
    ), key=("theme",)),
    Table("indicator_definitions", VOCABULARY, "The indicator vocabulary (analysis/lexicon/indicators.tsv).", (
        Column("indicator", STRING, "Indicator code used in figures and indicators.", unique=True),
        Column("family", STRING, "Group of indicators measuring one thing at different stages or in different ways."),
        Column("label_zh", STRING, "Chinese label."),
        Column("label_en", STRING, "English label."),
        Column("theme", STRING, "Theme the indicator belongs to."),
        Column("units", STRING, "Units a figure must have to feed the indicator, separated by |."),
        Column("unit_kind", STRING, "What the indicator measures: count, money, people, percent and so on.", enum=unit_kinds),
        Column("measures", STRING, "The kinds of figure (figures.measure) that feed the indicator, separated by |: a target never feeds an indicator of results."),
        Column("per_capita", BOOLEAN, "True if a value per 10,000 residents is meaningful for this indicator."),
        Column("comparability_note", STRING, "What to keep in mind when comparing provinces on this indicator.", required=False),
    ), key=("indicator",), references=(_ref("theme", "themes"),)),
    Table("figure_themes", DERIVED, "One row per (figure, theme) the figure's texts touch; the primary theme is flagged.", (
        _doc_id(),
        Column("figure", INTEGER, "Figure number within the report.", minimum=0),
        Column("theme", STRING, "Theme code."),
        Column("matched_on", STRING, "First text where the theme matched: subject, clause, sentence; indicator if given by the figure's indicator; none for other.", enum=MATCHED_ON),
        Column("keyword", STRING, "Keyword that matched; empty for other.", required=False),
        Column("primary", BOOLEAN, "True for the theme given to the figure in figures.theme."),
    ), key=("doc_id", "figure", "theme"), references=(_ref("doc_id figure", "figures"), _ref("theme", "themes"))),
    Table("indicators", DERIVED, "One row per figure feeding an indicator, with its value per 10,000 residents where meaningful.", (
        _doc_id(),
        Column("figure", INTEGER, "Figure number within the report (see figures).", minimum=0),
        Column("indicator", STRING, "Indicator code (see indicator_definitions)."),
        Column("family", STRING, "Indicator family, for comparing related stages side by side."),
        Column("province", STRING, "Short name of the province, | between several, as in figures; empty if the figure has none.", required=False),
        Column("value", NUMBER, "The figure's value, as in figures."),
        Column("value_high", NUMBER, "Upper end of a range, as in figures.", required=False),
        Column("unit", STRING, "Unit of value."),
        Column("unit_kind", STRING, "What the unit measures, as in figures.", enum=unit_kinds),
        Column("qualifier", STRING, "How exact the value is, as in figures.", enum=QUALIFIERS),
        Column("measure", STRING, "What kind of figure it is, as in figures: level, cumulative, increase, decrease, target or rate.", enum=measures),
        Column("as_of", DATE, "The day the value is counted at, as in figures.", required=False),
        Column("as_of_kind", STRING, "How as_of was found, as in figures.", required=False, enum=as_of_kinds),
        Column("per_10k", NUMBER, "value / population_2020 * 10000; empty for percentages, durations, frequencies, per-person standards or unknown provinces.", required=False, minimum=0),
        Column("comparability_note", STRING, "The indicator's comparability note, repeated for convenience.", required=False),
    ), key=("doc_id", "figure"),
        references=(_ref("doc_id figure", "figures"), _ref("indicator", "indicator_definitions"), PROVINCES)),
    Table("checks", DERIVED, "One row per arithmetic check of a report's figures against each other: a table's total row against the sum of its rows, a completion rate against done / target, a share against part / whole, a growth against two levels.", (
        _doc_id("report"),
        Column("check", INTEGER, "Check number within the report, in the text order of the figure checked.", minimum=0),
        Column("kind", STRING, "What is checked: total (a total row against the sum of the rows it sums), completion_rate (done / target x 100), share (part / whole x 100) or growth (two levels of the same quantity: later / earlier - 1 in percent, or later - earlier).", enum=CHECK_KINDS),
        Column("figure", INTEGER, "The figure checked (see figures): the total, the rate, the share or the growth.", minimum=0),
        Column("figures", STRING, "Every figure the check involves, by number, separated by spaces: the one checked first, then those it is computed from."),
        Column("table", INTEGER, "The table of the report the figures are in (see figures.table); empty for figures in prose.", required=False, minimum=0),
        Column("formula", STRING, "The check as the report prints it, e.g. 448 = 186 + 94 + 121 + 47 or 107.8% = 118.6 / 110."),
        Column("unit", STRING, "Unit of reported, expected and difference.", required=False),
        Column("reported", NUMBER, "The value of the figure checked, as in figures."),
        Column("expected", NUMBER, "The value computed from the other figures."),
        Column("difference", NUMBER, "reported - expected."),
        Column("tolerance", NUMBER, "How far reported and expected may differ because of rounding: the half-units of the last digits the report prints, carried through the arithmetic.", minimum=0),
        Column("holds", BOOLEAN, "True if the difference is within the tolerance; False points at a misread figure (or a slip in the report)."),
    ), key=("doc_id", "check"), references=(DOC, _ref("doc_id figure", "figures"))),
    Table("failures", RUN_LOG, "One row per input file clean-corpus could not read or process, or folder it could not search.", (
        Column("path", STRING, "The input file (or folder) as it was named."),
        Column("doc_id", STRING, "The doc_id the file would have had."),
        Column("error", STRING, "Kind of failure: InputError for a problem with the file, else the name of the error."),
        Column("problem", STRING, "What went wrong, in one line."),
    ), key=("path",)),
    Table("duplicates", RUN_LOG, "One row per input file clean-corpus did not read because an earlier file (in path order) has the same bytes: the same report saved twice is counted once.", (
        Column("path", STRING, "The file not read, inside the archive folder."),
        Column("doc_id", STRING, "The doc_id it would have had."),
        Column("same_as", STRING, "The doc_id of the report read in its place."),
        Column("sha256", STRING, "SHA-256 of the bytes both files have.", pattern=SHA256),
    ), key=("path",)),
)  # fmt: skip

# Columns of figures a correction cannot reach: where the figure is (FIGURE_PLACE), and what clean
# derives. Of the enriched columns, only those enrichment takes from a correction are settable.
SETTABLE_ENRICHED = ("indicator",)
_NOT_SETTABLE = (*FIGURE_PLACE, "corrected")


def settable_columns(figures: Table) -> tuple[Column, ...]:
    """The columns of ``figures`` a row of data/corrections.csv may set: all but where a figure is and
    what clean derives, so a column added to figures is settable with no other change."""
    return tuple(c for c in figures.columns
                 if c.name not in _NOT_SETTABLE and (not c.enriched or c.name in SETTABLE_ENRICHED))


def _to_set(column: Column) -> Column:
    """A figures column as a value a correction sets: optional, with the figure column's type and rules."""
    meaning = column.description.rstrip(".")
    return Column(column.name, column.type, f"The value to set figures.{column.name} to; empty leaves the "
                  f"figure's as read ({meaning}).", required=False, enum=column.enum, pattern=column.pattern,
                  minimum=column.minimum)


# What clean records of each correction beside the analyst's columns (absent from data/corrections.csv).
CORRECTION_OUTCOMES = ("row", "status", "figure", "problem")


def _corrections(figures: Table) -> Table:
    return Table("corrections", REVIEW, "One row per correction of data/corrections.csv (the analyst's fixes to what the extractor read), with what the last clean did with it.", (
        Column("row", INTEGER, "Row of data/corrections.csv the correction is on (the header is row 1).", unique=True, minimum=2),
        _doc_id("report the correction is for"),
        Column("surface", STRING, "The figure as the report writes it, character for character (e.g. 4.25万个): what the correction looks for in the text."),
        Column("occurrence", INTEGER, "Which occurrence of surface in the report's text, counting from 1 and every match (overlapping ones too); with span_start, both must agree.", required=False, minimum=1),
        Column("span_start", INTEGER, "Offset of the figure's first character in the report's text, as in figures; the text there must read surface.", required=False, minimum=0),
        Column("span_end", INTEGER, "Offset just after the figure's last character.", required=False, minimum=0),
        Column("action", STRING, "set (change the figure's values), drop (not a statistic: remove it from figures) or add (a figure the extractor missed; value is required).", enum=CORRECTION_ACTIONS),
        *(_to_set(c) for c in settable_columns(figures)),
        Column("clear", STRING, "Optional figures columns to empty, separated by spaces (province for a national figure).", required=False),
        Column("note", STRING, "Why: what the report says, or where the right value was found."),
        Column("date", DATE, "When the correction was written (ISO)."),
        Column("status", STRING, "What the last clean did: applied, not_needed (the extractor now reads it so by itself), not_found (the figure is no longer there: the report or the extractor changed), no_report (no report with this doc_id was cleaned) or not_read (the report could not be read).", enum=CORRECTION_STATUSES),
        Column("figure", INTEGER, "The figure the correction set, added or dropped (its number in figures); empty if it found none.", required=False, minimum=0),
        Column("problem", STRING, "Why the correction was not applied, or why it is no longer needed; empty when applied.", required=False),
    ), key=("row",))


_TABLES = (*_TABLES, _corrections(next(t for t in _TABLES if t.name == "figures")))
TABLES: dict[str, Table] = {t.name: t for t in _TABLES}
# The tables with rows of each report, in the order they are written; then the shared vocabularies.
PER_DOCUMENT = tuple(name for name, t in TABLES.items() if t.per_document)
VOCABULARIES = tuple(name for name, t in TABLES.items() if t.stage == VOCABULARY)
EXTRACTED_TABLES = tuple(name for name, t in TABLES.items() if t.stage == EXTRACTED)
REVIEW_TABLES = tuple(name for name, t in TABLES.items() if t.stage == REVIEW)
RUN_LOGS = tuple(name for name, t in TABLES.items() if t.stage == RUN_LOG)  # clean-corpus only: failures, duplicates
# What `clean` writes into a folder of CSVs (and describes in its datapackage.json).
CLEAN_TABLES = tuple(name for name in TABLES if name in PER_DOCUMENT or name in VOCABULARIES or name in REVIEW_TABLES)


def columns(name: str, *, extracted_only: bool = False) -> list[str]:
    """Column names of table ``name`` in file order; ``extracted_only`` leaves out those enrichment adds."""
    return [c.name for c in TABLES[name].columns if not (extracted_only and c.enriched)]
