"""Like with like: the provinces that report the same indicator, stage and unit, side by side.

A comparison is made for one *key*, the columns of :data:`LIKE_WITH_LIKE`: the indicator (which is
also its stage: projects listed, under way, completed are three indicators of one family), the kind
of figure (``measure_class``: a level or cumulative total, a change, a target, a rate; ``measure``
mapped by ``display/measures.tsv``, so a target never stands beside an achieved figure) and the unit, with generic classifiers counted as one (件 and 项 of projects are
both 个, ``display/same_units.tsv``). Provinces that do not report a key are named as missing;
stages of one family go in a province × stage table, never on one axis. Values per resident are
written the way a reader writes them (元/人 for money, 个/万人 and 人/万人 for counts and people,
``display/per_capita_units.tsv``), and only where the indicator allows it. Caveats are short Chinese
sentences (``display/indicator_notes.tsv``), each said once.

Pure functions of DataFrames; nothing is read but the small display vocabularies.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from analysis.publish.formatting import format_value

DISPLAY = Path(__file__).resolve().parent / "display"
# What makes two figures comparable. Columns missing from the data (``measure_class`` for tables
# without a measure) are left out; add a column here and every comparison, table and chart follows.
LIKE_WITH_LIKE = ("indicator", "measure_class", "unit_class")
MISSING = "—"  # a province that does not report a key, in tables


def _tsv(name: str) -> list[dict]:
    from analysis.tsv import read_tsv

    return read_tsv(DISPLAY / name)


@cache
def same_units() -> dict[str, str]:
    """``{unit: the unit it counts as}`` (件 -> 个): generic classifiers compared as one."""
    return {row["unit"]: row["counts_as"] for row in _tsv("same_units.tsv")}


@cache
def indicator_notes() -> dict[str, str]:
    """The short Chinese caveat of each indicator (``display/indicator_notes.tsv``)."""
    return {row["indicator"]: row["note"] for row in _tsv("indicator_notes.tsv")}


@cache
def family_labels() -> dict[str, str]:
    """Chinese names of indicator families (projects -> 办实事项目)."""
    return {row["family"]: row["label"] for row in _tsv("families.tsv")}


@cache
def measure_labels() -> dict[str, str]:
    """Chinese names of the kinds of figure (``measure``): target -> 目标; a level has none."""
    return {row["measure"]: row["label"] for row in _tsv("measures.tsv")}


@cache
def measure_classes() -> dict[str, str]:
    """``{measure: the class it compares as}`` (cumulative -> level)."""
    return {row["measure"]: row["compares_as"] for row in _tsv("measures.tsv")}


@cache
def per_resident_units() -> dict[str, tuple[int, str]]:
    """``{unit_kind: (residents, suffix)}``: money per person (1, '/人'), counts per 10,000 (10000, '/万人')."""
    return {row["unit_kind"]: (int(row["residents"]), row["suffix"]) for row in _tsv("per_capita_units.tsv")}


def _text(value) -> str:
    if value is None or value != value or str(value) in ("<NA>", "NaT", "nan"):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def key_columns(frame) -> list[str]:
    """The columns of :data:`LIKE_WITH_LIKE` that ``frame`` has."""
    return [c for c in LIKE_WITH_LIKE if c in frame]


def as_of_label(as_of) -> str:
    """截至2021-10-31 for a date, '' for none."""
    text = _text(as_of)
    return f"截至{text}" if text else ""


def per_resident(per_10k, unit_kind) -> float:
    """A value per 10,000 residents as a reader's rate: per person for money, per 10,000 for the rest
    (``display/per_capita_units.tsv``); NaN where the unit kind has none."""
    scale = per_resident_units().get(_text(unit_kind))
    if scale is None or per_10k is None or per_10k != per_10k:
        return float("nan")
    return float(per_10k) * scale[0] / 10_000


def per_resident_unit(unit_kind, unit) -> str:
    """The unit of :func:`per_resident`: 元/人, 件/万人, '' for none."""
    scale = per_resident_units().get(_text(unit_kind))
    return _text(unit) + scale[1] if scale else ""


def per_resident_text(per_10k, unit_kind, unit, qualifier="exact") -> str:
    """:func:`per_resident` written for people: 7.48元/人, 17.7个/万人, '' when there is none.

    >>> per_resident_text(74771.16, "money", "元", "lower_bound"), per_resident_text(17.654, "count", "项")
    ('超7.48元/人', '17.65项/万人')
    """
    value = per_resident(per_10k, unit_kind)
    if value != value:
        return ""
    return format_value(value, per_resident_unit(unit_kind, unit), _text(qualifier) or "exact")


def comparison_rows(indicators, figures, provinces: list[str], *, definitions=None, sentences=None):
    """One row per figure of an indicator reported by one of ``provinces`` (in their order), with what
    a comparison shows: ``label`` (the indicator's Chinese name), ``unit_class``, ``written`` (the
    value as the report writes it: 1200多户, 超1.8亿元), ``per_resident`` and its text (7.48元/人), the
    clean subject (``subject_label``), ``as_of_label`` and ``key``."""
    import pandas as pd

    from analysis.publish import views

    rows = indicators[indicators["province"].isin(provinces)]
    wanted = ["surface", "subject", "sentence_text", "sentence", "span_start", "measure"]
    extra = [c for c in wanted if c in figures and c not in rows]
    if extra:
        rows = rows.merge(figures[["doc_id", "figure", *extra]], on=["doc_id", "figure"], how="left")
    order = {p: i for i, p in enumerate(provinces)}
    rows = rows.sort_values(["doc_id", "figure"]).sort_values("province", key=lambda s: s.map(order), kind="stable")
    rows = rows.reset_index(drop=True)
    labels = {}
    if definitions is not None:
        labels = dict(zip(definitions["indicator"], definitions["label_zh"]))
    units = same_units()
    per = [per_resident(v, k) for v, k in zip(rows["per_10k"], rows["unit_kind"])]
    per_unit = [per_resident_unit(k, u) for k, u in zip(rows["unit_kind"], rows["unit"])]
    per_text = [per_resident_text(v, k, u, q) for v, k, u, q in
                zip(rows["per_10k"], rows["unit_kind"], rows["unit"], rows["qualifier"])]
    has_text = "surface" in rows and "sentence_text" in rows
    written = views.as_written(rows, sentences) if has_text else views.display_values(rows)
    table = rows.assign(
        label=[labels.get(i, i) for i in rows["indicator"]],
        unit_class=[units.get(_text(u), _text(u)) for u in rows["unit"]],
        **({"measure_class": [measure_classes().get(_text(m), _text(m)) for m in rows["measure"]]}
           if "measure" in rows else {}),
        written=written,
        per_resident=pd.Series(per, index=rows.index, dtype="float64"),
        per_resident_unit=per_unit,
        per_resident_text=per_text,
        subject_label=[views.label(s, t) for s, t in zip(rows.get("subject", [""] * len(rows)),
                                                         rows.get("sentence_text", [""] * len(rows)))],
        as_of_label=[as_of_label(a) for a in rows["as_of"]],
    )
    columns = key_columns(table)
    table["key"] = ["|".join(_text(v) for v in values) for values in zip(*(table[c] for c in columns))]
    return table


def comparisons(rows, provinces: list[str], definitions=None):
    """One row per key, the most widely reported first (then in the order of the indicator
    vocabulary): ``key``, ``indicator``, ``family``, ``label`` (with the unit when one indicator
    comes in several units), ``unit_class``, ``reporting`` and ``missing`` (lists of provinces in
    ``provinces``' order) and ``comparable`` (two provinces or more)."""
    import pandas as pd

    order = {code: i for i, code in enumerate(definitions["indicator"])} if definitions is not None else {}
    units_per_indicator = rows.groupby("indicator")["unit_class"].nunique() if len(rows) else {}
    records = []
    for key, group in rows.groupby("key", sort=False):
        first = group.iloc[0]
        reporting = [p for p in provinces if p in set(group["province"])]
        label = first["label"]
        if units_per_indicator[first["indicator"]] > 1:
            label = f"{label}（按{first['unit_class']}计）"
        measure = measure_labels().get(_text(first["measure_class"]), "") if "measure_class" in group else ""
        if measure:  # an unknown code is not shown: no English on a page
            label = f"{label}·{measure}"
        records.append({"key": key, "indicator": first["indicator"], "family": _text(first.get("family", "")),
                        "label": label, "unit_class": first["unit_class"], "reporting": reporting,
                        "missing": [p for p in provinces if p not in reporting],
                        "comparable": len(reporting) >= 2,
                        "_order": (-len(reporting), order.get(first["indicator"], len(order)), key)})
    records.sort(key=lambda r: r.pop("_order"))
    return pd.DataFrame(records, columns=["key", "indicator", "family", "label", "unit_class", "reporting",
                                          "missing", "comparable"])


def select(rows, keys, indicator: str = ""):
    """``rows`` and ``keys`` of one indicator or family code (all of them for ``""``)."""
    if not indicator:
        return rows, keys
    hit = keys["indicator"].eq(indicator) | keys["family"].eq(indicator)
    chosen = keys[hit].reset_index(drop=True)
    return rows[rows["key"].isin(set(chosen["key"]))], chosen


def indicator_codes(indicators, definitions=None) -> list[str]:
    """Every indicator and family code a comparison can be asked for: those in the data, then families."""
    codes = list(dict.fromkeys(indicators["indicator"].dropna().astype(str)))
    families = list(dict.fromkeys(indicators["family"].dropna().astype(str))) if "family" in indicators else []
    return codes + [f for f in families if f not in codes]


def _cell(group) -> str:
    parts = [f"{w}（{s}）" if len(group) > 1 and s else w for w, s in zip(group["written"], group["subject_label"])]
    return "；".join(parts)


def matrix(rows, keys, provinces: list[str], per_resident: bool = False):
    """指标 × 省份: each key's values as written, ``—`` where a province does not report it; with
    ``per_resident``, the per-resident values instead (``—`` where there are none)."""
    import pandas as pd

    records = []
    for key in keys.itertuples():
        group = rows[rows["key"] == key.key]
        record = {"指标": key.label}
        for province in provinces:
            mine = group[group["province"] == province]
            if per_resident:
                values = [t for t in mine["per_resident_text"] if t]
                record[province] = "；".join(values) or MISSING
            else:
                record[province] = _cell(mine) if len(mine) else MISSING
        if per_resident and all(record[p] == MISSING for p in provinces):
            continue
        records.append(record)
    return pd.DataFrame(records, columns=["指标", *provinces])


def stage_tables(rows, keys, provinces: list[str], definitions=None) -> list[tuple[str, object]]:
    """``(family label, province × stage table)`` for each family of stages (indicators of one unit
    kind: projects listed / under way / completed) with two stages or more reported by two provinces
    or more among ``provinces``: stages side by side in a table, never on one axis."""
    import pandas as pd

    kinds = (definitions.groupby("family")["unit_kind"].nunique() if definitions is not None
             else rows.groupby("family")["unit_kind"].nunique())
    out = []
    names = family_labels()
    for family, members in keys[keys["family"] != ""].groupby("family", sort=False):
        if members["indicator"].nunique() < 2 or kinds.get(family, 2) != 1:
            continue
        reporting = {p for r in members["reporting"] for p in r}
        if len(reporting) < 2:
            continue
        table = pd.DataFrame({"省份": provinces})
        for key in members.itertuples():
            group = rows[rows["key"] == key.key]
            table[key.label] = [_cell(group[group["province"] == p]) or MISSING for p in provinces]
        out.append((names.get(family, family), table))
    return out


def caveats(rows, keys) -> list[str]:
    """What limits the comparisons of ``keys``, short Chinese sentences each said once: the
    indicators' notes (one line for the keys sharing a note), differing reference dates, values
    that are not exact, and provinces with several values for one key."""
    notes = indicator_notes()
    by_note: dict[str, list[str]] = {}
    lines = []
    for key in keys.itertuples():
        note = notes.get(key.indicator, "")
        if note:
            by_note.setdefault(note, []).append(key.label)
    lines += [f"{'、'.join(labels)}：{note}" for note, labels in by_note.items()]
    for key in keys.itertuples():
        group = rows[rows["key"] == key.key]
        dates = {}
        for province, label in zip(group["province"], group["as_of_label"]):
            dates.setdefault(province, label or "未注明日期")
        if len(set(dates.values())) > 1:
            lines.append(f"{key.label}：截至日期不同（" + "，".join(f"{p}{d}" for p, d in dates.items()) + "）。")
        loose = list(dict.fromkeys(p for p, q in zip(group["province"], group["qualifier"]) if _text(q) not in ("", "exact")))
        if loose:
            lines.append(f"{key.label}：{'、'.join(loose)}的数值不是精确数（近、超、多等），比较时留有余地。")
        counts = group["province"].value_counts()
        for province, n in counts[counts > 1].items():
            lines.append(f"{key.label}：{province}有 {n} 个数值（统计对象不同），分别列出。")
    return list(dict.fromkeys(lines))


def sources_view(rows, keys, documents=None, links=None):
    """Where each figure of the comparison comes from, for people: 指标, 省份, 数值 as written, 截至,
    报道 and 报道日期, and a link to the figure in its source view (keys in the comparison's order)."""
    import pandas as pd

    from analysis.publish import views

    order = {key: i for i, key in enumerate(keys["key"])}
    labels = dict(zip(keys["key"], keys["label"]))
    shown = rows[rows["key"].isin(order)]
    shown = shown.assign(_order=shown["key"].map(order)).sort_values("_order", kind="stable")
    table = pd.DataFrame({"指标": [labels[k] for k in shown["key"]], "省份": shown["province"].to_numpy(),
                          "数值": list(shown["written"]), "截至": [a or "未注明" for a in shown["as_of_label"]]})
    if links is not None:
        table["原文"] = [views._html_link(links.source(d, f), views.figure_number(f))
                        for d, f in zip(shown["doc_id"], shown["figure"])]
    return views.with_reports(table, shown["doc_id"].tolist(), documents)


def summary(keys, provinces: list[str]) -> str:
    """One line for the index: how many indicators, how many of them comparable."""
    comparable = int(keys["comparable"].sum()) if len(keys) else 0
    return (f"{'、'.join(provinces)}：{len(keys)} 项指标，其中 {comparable} 项有两个以上省份报告了"
            f"同一指标、同一阶段、同一单位")


def compare(indicators, figures, provinces: list[str], indicator: str = "", *, definitions=None, sentences=None):
    """``(rows, keys)`` of a comparison of ``provinces``: every key they report (:func:`comparisons`),
    or those of one indicator or family code."""
    rows = comparison_rows(indicators, figures, provinces, definitions=definitions, sentences=sentences)
    return select(rows, comparisons(rows, provinces, definitions), indicator)


def title(provinces: list[str], indicator: str = "", definitions=None) -> str:
    """The comparison's title: 省份比较：投入资金 for one indicator or family, else the provinces."""
    from analysis.publish.views import indicator_label

    return f"省份比较：{indicator_label(indicator, definitions) if indicator else '、'.join(provinces)}"
