"""What a reviewer should look at first, and how much of a report was reviewed.

:func:`worth_a_look` ranks a report's figures by the reasons to check them, strongest first (the
reasons and their weights are data, ``display/review_reasons.tsv``):

- ``check_failed``: the figure takes part in an arithmetic check that fails (``checks``): once per
  failed check, so the figure at the crossing of two failed checks (a row's rate and a column's
  total) comes before the others of either. Among figures of as many failed checks, those with
  less evidence of being right come first: evidence is a check that holds, or the same value and
  unit printed elsewhere in the report (a table's total repeated in the text);
- ``rate_over_100``: a share or coverage rate (占比, 覆盖率, 参保率 ...: ``display/bounded_rates.tsv``)
  above 100 %, which it cannot be (a completion rate can, and is not flagged);
- ``over_population``: more persons or households (``display/headcount_units.tsv``) than the
  figure's province had residents at the 2020 census; cumulative counts and 人次 are not flagged;
- ``edition_outlier``: a thousand times (or a thousandth of) the median of the same indicator,
  measure and unit in the province's other reports (an archive's other editions): a 万 read wrong;
- ``outlier``: ten times (or a tenth of) the median of the same indicator in the other provinces
  (per 10,000 residents where the indicator has it), often a unit read wrong;
- ``no_header_unit``: a table cell whose unit is written neither in the cell nor in its column
  header, so it came from a unit column, the caption or the row label;
- ``no_province``: a figure without a province.

A corrected figure has been looked at: only a failed check keeps it on the list.
:func:`review_summary` says, per report, how many figures were corrected and how many checks hold.
Pure functions of the clean tables; the source view (:mod:`analysis.publish.source_view`), the
``review`` command and the notebooks show them.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

DISPLAY = Path(__file__).resolve().parent / "display"
REASONS_TSV = DISPLAY / "review_reasons.tsv"
OUTLIER_FACTOR = 10.0  # an order of magnitude from the other provinces: the size of a unit slip
MIN_OTHER_PROVINCES = 2
# Three orders of magnitude from the province's own other editions: no indicator grows so much in a
# year or two, and a 万 (10^4) read wrong does.
EDITION_FACTOR = 1000.0
MIN_OTHER_EDITIONS = 2
PERCENT_UNITS = ("%", "％")
_HEADER_UNIT = re.compile(r"[(（][^()（）]+[)）]")
_CELL_UNIT = re.compile(r"\d[\d,.]*\s*[^\d\s,.+\-−]")


@cache
def reasons() -> dict[str, dict]:
    """reason -> {"weight": int, "label": str, "meaning": str}, in order of strength."""
    with REASONS_TSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {row["reason"]: {"weight": int(row["weight"]), "label": row["label"], "meaning": row["meaning"]}
            for row in rows}


def _text(value) -> str:
    import pandas as pd

    return "" if value is None or pd.isna(value) else str(value)


def check_counts(checks) -> tuple[dict, dict, dict]:
    """Per (doc_id, figure): failed checks, held checks, and the failed checks' numbers."""
    failed: dict = {}
    held: dict = {}
    which: dict = {}
    if checks is None or checks.empty:
        return failed, held, which
    for doc, number, figures, holds in zip(checks["doc_id"].tolist(), checks["check"].tolist(),
                                           checks["figures"].tolist(), checks["holds"].tolist()):
        for figure in str(figures).split():
            key = (doc, int(figure))
            if bool(holds):
                held[key] = held.get(key, 0) + 1
            else:
                failed[key] = failed.get(key, 0) + 1
                which.setdefault(key, []).append(int(number))
    return failed, held, which


def outliers(figures, indicators) -> dict:
    """(doc_id, figure) -> (ratio, other provinces) for figures far from their indicator elsewhere."""
    if indicators is None or indicators.empty:
        return {}
    rows = indicators[indicators["province"].notna()]
    metric = rows["per_10k"].where(rows["per_10k"].notna(), rows["value"])
    rows = rows.assign(metric=metric, scaled=rows["per_10k"].notna())
    rows = rows[rows["metric"] > 0]
    by_province = rows.groupby(["indicator", "unit", "scaled", "province"])["metric"].median()
    out = {}
    wanted = set(zip(figures["doc_id"].tolist(), figures["figure"].tolist()))
    for doc, figure, indicator, unit, scaled, province, value in zip(
            rows["doc_id"].tolist(), rows["figure"].tolist(), rows["indicator"].tolist(), rows["unit"].tolist(),
            rows["scaled"].tolist(), rows["province"].tolist(), rows["metric"].tolist()):
        if (doc, figure) not in wanted:
            continue
        others = by_province.loc[(indicator, unit, scaled)].drop(index=province, errors="ignore")
        if len(others) < MIN_OTHER_PROVINCES:
            continue
        ratio = value / float(others.median())
        if ratio >= OUTLIER_FACTOR or ratio <= 1 / OUTLIER_FACTOR:
            out[(doc, int(figure))] = (ratio, len(others))
    return out


@cache
def bounded_rate_words() -> tuple[str, ...]:
    """Words naming a rate that cannot pass 100 % (``display/bounded_rates.tsv``)."""
    from analysis.tsv import read_tsv

    return tuple(row["word"] for row in read_tsv(DISPLAY / "bounded_rates.tsv"))


@cache
def headcount_units() -> frozenset[str]:
    """Units counting persons or households one by one (``display/headcount_units.tsv``)."""
    from analysis.tsv import read_tsv

    return frozenset(row["unit"] for row in read_tsv(DISPLAY / "headcount_units.tsv"))


def rates_over_100(figures) -> set:
    """(doc_id, figure) of shares and coverage rates above 100 %: the rate is named in the figure's
    subject, row or column (a word of ``display/bounded_rates.tsv``)."""
    words = bounded_rate_words()
    out = set()
    for row in figures.itertuples(index=False):
        value = row.value
        if _text(row.unit) not in PERCENT_UNITS or value is None or value != value or value <= 100:
            continue
        if _text(getattr(row, "measure", "")) in ("increase", "decrease"):
            continue  # a change in per cent (增长120%) is no share
        named = " ".join(_text(getattr(row, c, "")) for c in ("subject", "row_label", "column_header"))
        if any(word in named for word in words):
            out.add((row.doc_id, int(row.figure)))
    return out


def over_population(figures, provinces) -> dict:
    """(doc_id, figure) -> the province's residents, for persons or households counted one by one
    (not cumulative) above the population of the figure's one province (2020 census)."""
    if provinces is None or provinces.empty:
        return {}
    population = dict(zip(provinces["province"], provinces["population_2020"]))
    units = headcount_units()
    out = {}
    for row in figures.itertuples(index=False):
        people = population.get(_text(row.province))
        if people is None or _text(row.unit) not in units or row.value != row.value:
            continue
        if bool(getattr(row, "cumulative", False)) or _text(getattr(row, "measure", "")) == "cumulative":
            continue
        if row.value > people:
            out[(row.doc_id, int(row.figure))] = int(people)
    return out


def edition_outliers(figures, indicators) -> dict:
    """(doc_id, figure) -> (ratio, other reports) for figures :data:`EDITION_FACTOR` times off the
    median of the same indicator, measure and unit in the province's other reports."""
    if indicators is None or indicators.empty:
        return {}
    rows = indicators[indicators["province"].notna() & (indicators["value"] > 0)]
    keys = ["province", "indicator", "measure", "unit"] if "measure" in rows else ["province", "indicator", "unit"]
    wanted = set(zip(figures["doc_id"].tolist(), figures["figure"].astype(int).tolist()))
    mine = rows[[key in wanted for key in zip(rows["doc_id"].tolist(), rows["figure"].astype(int).tolist())]]
    if mine.empty:
        return {}
    rows = rows.merge(mine[keys].drop_duplicates(), on=keys)  # only the series of these figures
    out = {}
    for _key, group in rows.groupby(keys, sort=False):
        if group["doc_id"].nunique() <= MIN_OTHER_EDITIONS:
            continue
        per_report = group.groupby("doc_id")["value"].median()
        for doc, figure, value in zip(group["doc_id"].tolist(), group["figure"].tolist(), group["value"].tolist()):
            if (doc, int(figure)) not in wanted:
                continue
            others = per_report.drop(index=doc)
            ratio = value / float(others.median())
            if ratio >= EDITION_FACTOR or ratio <= 1 / EDITION_FACTOR:
                out[(doc, int(figure))] = (ratio, len(others))
    return out


_ORDERS = ("十", "百", "千", "万", "十万", "百万", "千万", "亿", "十亿", "百亿", "千亿", "万亿")


def how_far(ratio: float, of: str) -> str:
    """How far a value is from ``of`` (a median), by its order of magnitude as a reader says it: what a
    figure is worth a look for changes only when that order does, not with every report added
    elsewhere, so neither does its page.

    >>> how_far(28316.4, "其他省份中位数"), how_far(0.004, "本省其他各期中位数")
    ('其他省份中位数的万倍以上', '不到本省其他各期中位数的百分之一')
    """
    import math

    far = ratio if ratio >= 1 else 1 / ratio
    order = _ORDERS[max(1, min(int(math.floor(math.log10(far) + 1e-9)), len(_ORDERS))) - 1]
    return f"{of}的{order}倍以上" if ratio >= 1 else f"不到{of}的{order}分之一"


def twins(figures) -> set:
    """(doc_id, figure) of figures whose value and unit the same report prints elsewhere too."""
    keyed = figures.assign(_unit=figures["unit"].fillna(""))
    repeated = keyed[keyed.duplicated(["doc_id", "value", "_unit"], keep=False) & keyed["value"].notna()]
    return set(zip(repeated["doc_id"].tolist(), repeated["figure"].astype(int).tolist()))


def unit_from_elsewhere(surface: str, column_header: str) -> bool:
    """True for a table cell whose unit is in neither the cell (6.84万人, 107.8%) nor its header (绝对数(亿元))."""
    return not _HEADER_UNIT.search(column_header or "") and not _CELL_UNIT.search(surface or "")


def worth_a_look(figures, checks=None, indicators=None, limit: int | None = None, provinces=None):
    """The figures worth a reviewer's look, strongest reason first (see the module docstring).

    ``figures`` (of one report or more), ``checks`` (the checks table, or None), ``indicators`` (the
    indicators table of every report, to compare provinces and editions; or None), ``provinces``
    (the provinces table, for their population; or None). Returns a frame with the
    figures columns ``doc_id, figure, surface, value, value_high, unit, qualifier, province,
    subject, corrected`` and
    ``reasons`` (codes separated by spaces), ``why`` (Chinese, for people), ``failed_checks``,
    ``held_checks``, ``score``; at most ``limit`` rows.
    """
    import pandas as pd

    weights = {name: spec["weight"] for name, spec in reasons().items()}
    labels = {name: spec["label"] for name, spec in reasons().items()}
    failed, held, which = check_counts(checks)
    far = outliers(figures, indicators)
    editions = edition_outliers(figures, indicators)
    over_100 = rates_over_100(figures)
    crowded = over_population(figures, provinces)
    repeated = twins(figures)
    rows = []
    for row in figures.itertuples(index=False):
        key = (row.doc_id, int(row.figure))
        found, why = [], []
        if key in failed:
            found.append("check_failed")
            why.append(f"{labels['check_failed']}（核对 {'、'.join(str(n) for n in which[key])}）")
        corrected = bool(getattr(row, "corrected", False))
        if not corrected:
            if key in over_100:
                found.append("rate_over_100")
                why.append(f"{labels['rate_over_100']}（{_text(row.surface)}）")
            if key in crowded:
                found.append("over_population")
                why.append(f"{labels['over_population']}（{crowded[key] / 10_000:,.0f}万人）")
            if key in editions:
                ratio, _ = editions[key]
                found.append("edition_outlier")
                why.append(f"{labels['edition_outlier']}（{how_far(ratio, '本省其他各期中位数')}）")
            if key in far:
                ratio, _ = far[key]
                found.append("outlier")
                why.append(f"{labels['outlier']}（{how_far(ratio, '其他省份中位数')}）")
            if _text(getattr(row, "table", None)) and unit_from_elsewhere(_text(row.surface), _text(row.column_header)):
                found.append("no_header_unit")
                why.append(labels["no_header_unit"])
            if not _text(row.province):
                found.append("no_province")
                why.append(labels["no_province"])
        if not found:
            continue
        score = sum(weights[r] * (failed[key] if r == "check_failed" else 1) for r in found)
        rows.append({
            "doc_id": row.doc_id, "figure": int(row.figure), "surface": row.surface, "value": row.value,
            "value_high": row.value_high, "unit": row.unit, "qualifier": row.qualifier, "province": row.province, "subject": row.subject, "corrected": corrected,
            "reasons": " ".join(found), "why": "；".join(why), "failed_checks": failed.get(key, 0),
            "held_checks": held.get(key, 0), "score": score,
            "_evidence": held.get(key, 0) + (key in repeated),
        })
    columns = ["doc_id", "figure", "surface", "value", "value_high", "unit", "qualifier", "province", "subject",
               "corrected", "reasons", "why", "failed_checks", "held_checks", "score"]
    out = pd.DataFrame(rows, columns=[*columns, "_evidence"])
    out = out.sort_values(["failed_checks", "_evidence", "score", "doc_id", "figure"],
                          ascending=[False, True, False, True, True], kind="stable")
    out = out[columns].reset_index(drop=True)
    return out.head(limit) if limit is not None else out


def review_summary(documents, figures, checks=None):
    """Per report: figures, how many a correction set or added, checks made and how many hold.

    Only the checks of ``figures`` count (a province's figures: the checks of that province's
    figures). Columns ``doc_id, title, figures, corrected, checks, checks_hold``.
    """
    import pandas as pd

    n_figures = figures.groupby("doc_id").size()
    corrected = figures[figures["corrected"].astype(bool)].groupby("doc_id").size() if "corrected" in figures else None
    if checks is not None and not checks.empty:
        keys = set(zip(figures["doc_id"].tolist(), figures["figure"].astype(int).tolist()))
        checks = checks[[key in keys for key in zip(checks["doc_id"].tolist(), checks["figure"].astype(int).tolist())]]
    if checks is not None and not checks.empty:
        n_checks = checks.groupby("doc_id").size()
        n_hold = checks[checks["holds"].astype(bool)].groupby("doc_id").size()
    else:
        n_checks = n_hold = pd.Series(dtype="int64")
    docs = documents["doc_id"].tolist()

    def count(series, doc) -> int:
        return int(series.get(doc, 0)) if series is not None else 0

    return pd.DataFrame({
        "doc_id": docs,
        "title": [_text(t) or d for t, d in zip(documents["title"], docs)],
        "figures": [count(n_figures, d) for d in docs],
        "corrected": [count(corrected, d) for d in docs],
        "checks": [count(n_checks, d) for d in docs],
        "checks_hold": [count(n_hold, d) for d in docs],
    })


def summary_sentence(row) -> str:
    """'统计数字 46 个，其中经人工更正 2 个；算术核对 18 项，相符 17 项' for one row of :func:`review_summary`."""
    text = f"统计数字 {row['figures']} 个，其中经人工更正 {row['corrected']} 个"
    if row["checks"]:
        text += f"；算术核对 {row['checks']} 项，相符 {row['checks_hold']} 项"
    else:
        text += "；没有可做的算术核对"
    return text


def review_view(documents, figures, checks=None):
    """:func:`review_summary` for people, for the reports with figures in ``figures``: 报道, 统计数字,
    经更正, 算术核对, 相符."""
    import pandas as pd

    summary = review_summary(documents, figures, checks)
    summary = summary[summary["figures"] > 0]
    return pd.DataFrame({"报道": summary["title"].to_numpy(), "统计数字": summary["figures"].to_numpy(),
                         "经更正": summary["corrected"].to_numpy(), "算术核对": summary["checks"].to_numpy(),
                         "相符": summary["checks_hold"].to_numpy()})


def _number(value) -> str:
    from analysis.store.cells import csv_cell

    return csv_cell(value) if value is not None and value == value else ""


def review_lines(document, figures, checks=None, indicators=None, limit: int | None = 20,
                 provinces=None) -> list[str]:
    """What ``python -m analysis review DOC`` prints: the report, its counts, the figures worth a look
    (strongest first) and the checks that fail."""
    doc = document.iloc[0]
    summary = review_summary(document, figures, checks).iloc[0]
    listed = worth_a_look(figures, checks, indicators, provinces=provinces)
    lines = [f"{doc['doc_id']}: {_text(doc['title']) or '(no title)'}", summary_sentence(summary)]
    if listed.empty:
        lines.append("nothing stands out: no failed check, no implausible value, no unit from elsewhere, every figure has a province")
    else:
        shown = listed if limit is None else listed.head(limit)
        lines.append(f"{len(listed)} figure(s) worth a look" + (f", the first {len(shown)}:" if len(shown) < len(listed)
                                                                  else ":"))
        for rank, row in enumerate(shown.itertuples(index=False), start=1):
            value = " ".join(p for p in (_number(row.value), _text(row.unit)) if p)
            lines.append(f"{rank:>4}. figure {row.figure} 「{row.surface}」 = {value}, {_text(row.province) or '—'}, "
                         f"{_text(row.subject) or '—'}: {row.why}")
    if checks is not None and not checks.empty:
        failed = checks[~checks["holds"].astype(bool)]
        for row in failed.itertuples(index=False):
            unit = _text(row.unit)
            lines.append(f"check {row.check} ({row.kind}) fails: {row.formula}; off by {row.difference:.6g}"
                         f"{(' ' + unit) if unit else ''}, rounding allows {row.tolerance:.6g}")
    lines.append(f"to correct one: python -m analysis review {doc['doc_id']} --figure N --set value=... "
                 "--note \"why\" (or --drop, or --add SURFACE for a figure the extractor missed)")
    return lines
