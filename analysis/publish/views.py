"""What the report notebooks show, as pure DataFrame -> DataFrame functions.

The notebooks stay thin: they load tables, call these, and display the result. Nothing here
reads files except :func:`load`, and nothing writes.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from analysis import config
from analysis.publish.formatting import format_value

DISPOSITIONS_TSV = Path(__file__).resolve().parent / "display" / "dispositions.tsv"
NO_PROVINCE = "（全文）"  # figures outside any province section (the lead paragraph)


def load(name: str, clean_dir: str | Path = ""):
    """One clean table, typed and checked (:func:`analysis.store.reader.read_table`); ``clean_dir``
    as the notebooks take it: ``""`` = data/clean, relative = from the project root; a folder of
    CSVs or a ``clean-corpus`` output."""
    from analysis.store.reader import read_table

    return read_table(config.clean_dir_path(clean_dir), name)


def load_optional(name: str, clean_dir: str | Path = ""):
    """Like :func:`load`, but ``None`` when the table is not there (labels the notebooks can do without)."""
    folder = config.clean_dir_path(clean_dir)
    if not (folder / f"{name}.csv").is_file() and not (folder / name).is_dir():
        return None
    return load(name, clean_dir)


@cache
def disposition_labels() -> dict[str, str]:
    with DISPOSITIONS_TSV.open(encoding="utf-8", newline="") as handle:
        return {row["disposition"]: row["label"] for row in csv.DictReader(handle, delimiter="\t")}


def provinces_in(figures) -> list[str]:
    """Provinces that have figures, in the order the report presents them."""
    named = figures[figures["province"].fillna("") != ""]
    return list(dict.fromkeys(named.sort_values(["doc_id", "figure"])["province"]))


def _text(value) -> str:
    """A cell as display text: '' for missing, ISO day for a timestamp."""
    if value is None or value != value or str(value) in ("<NA>", "NaT"):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def source_line(documents) -> str:
    """'来源：人民日报，2021-12-02' (publisher and date of each document); one line for every chart."""
    parts = []
    for row in documents.itertuples():
        publisher = _text(getattr(row, "publisher", "")) or _text(getattr(row, "title", ""))
        published = _text(getattr(row, "published", ""))
        inferred = bool(getattr(row, "published_inferred", False)) and published
        date = f"{published}（推定）" if inferred else published
        parts.append("，".join(p for p in (publisher, date) if p) or str(row.doc_id))
    return "来源：" + "；".join(dict.fromkeys(parts))


def label_themes(figures, themes=None):
    """``figures`` with a ``theme_label`` column (办实事项目) from the themes table; the code if none."""
    codes = figures["theme"].fillna("other").astype(str) if "theme" in figures else ["other"] * len(figures)
    labels = dict(zip(themes["theme"], themes["label_zh"])) if themes is not None else {}
    return figures.assign(theme_label=[labels.get(code, code) for code in codes])


def indicator_label(indicator: str, definitions=None, themes=None) -> str:
    """'已完成实事项目' for 'projects_completed' from the definitions table; for a family code, the
    label of the family's theme (办实事项目); else the code itself."""
    if definitions is None:
        return indicator
    match = definitions.loc[definitions["indicator"] == indicator, "label_zh"]
    if len(match):
        return str(match.iloc[0])
    family = definitions[definitions["family"] == indicator] if "family" in definitions else definitions.iloc[0:0]
    if len(family) and themes is not None:
        theme = themes.loc[themes["theme"] == family["theme"].iloc[0], "label_zh"]
        if len(theme):
            return f"{theme.iloc[0]}（各阶段）"
    return indicator


def coverage(figures):
    """Province × theme count of figures (ints, zeros where a province says nothing on a theme).

    Columns are theme labels when ``figures`` went through :func:`label_themes`, else codes.
    """
    import pandas as pd

    named = figures.assign(province=figures["province"].fillna("").replace("", NO_PROVINCE))
    order = provinces_in(figures) + ([NO_PROVINCE] if (named["province"] == NO_PROVINCE).any() else [])
    theme = "theme_label" if "theme_label" in figures else "theme"
    table = pd.crosstab(named["province"], named[theme].fillna("other"))
    table = table.reindex(index=order, fill_value=0)
    table.index.name, table.columns.name = "province", "theme"
    return table


def ledger_summary(mentions):
    """How many numeric tokens, how many became figures, and why the rest did not.

    One row per disposition: ``disposition``, ``label``, ``mentions``, ``share`` (of all tokens).
    """
    labels = disposition_labels()
    counts = mentions["disposition"].value_counts()
    table = counts.rename_axis("disposition").reset_index(name="mentions")
    table["label"] = table["disposition"].map(labels).fillna("")
    table["share"] = (table["mentions"] / max(len(mentions), 1)).round(4)
    table = table.sort_values(["disposition"], key=lambda s: s.ne("figure")).reset_index(drop=True)
    return table[["disposition", "label", "mentions", "share"]]


def ledger_reasons(mentions, top: int = 10):
    """The most common reasons a numeric token was not kept as a figure."""
    rest = mentions[mentions["disposition"] != "figure"]
    reason = rest["reason"].fillna("").replace("", "(no reason given)")
    return (rest.assign(reason=reason).groupby(["disposition", "reason"]).size()
            .sort_values(ascending=False).head(top).rename("mentions").reset_index())


def display_values(figures, style: str = "word"):
    """Each figure's value as a reader writes it (超1.8亿元), from value, unit and qualifier."""
    high = figures["value_high"] if "value_high" in figures else [None] * len(figures)
    return [format_value(v, u, q, value_high=h, style=style)
            for v, u, q, h in zip(figures["value"], figures["unit"], figures["qualifier"], high)]


def _as_of_label(as_of) -> str:
    text = _text(as_of)
    return "截至发稿" if text == "report" else (f"截至{text}" if text else "")


def headline_figures(figures, province: str):
    """A province's figures for reading: theme, what is counted, the value, as of when, source sentence."""
    mine = figures[figures["province"] == province].sort_values("figure")
    table = mine.assign(display=display_values(mine), as_of_label=[_as_of_label(a) for a in mine["as_of"]])
    theme = "theme_label" if "theme_label" in mine else "theme"
    table = table[["figure", theme, "subject", "display", "as_of_label", "sentence_text"]]
    return table.rename(columns={theme: "theme", "display": "value", "as_of_label": "as_of"}).reset_index(drop=True)


def province_events(dates, province: str | None = None, sentences=None):
    """Dated events (role ``event``) of one province, or of all with ``None``, with their sentence."""
    events = dates[dates["role"] == "event"]
    mine = (events if province is None else events[events["province"] == province]).copy()
    if sentences is not None and len(mine):
        text = sentences.set_index(["doc_id", "sentence"])["text"]
        mine["text"] = [text.get((d, s), "") for d, s in zip(mine["doc_id"], mine["sentence"])]
    elif "text" not in mine:
        mine["text"] = ""
    columns = ["doc_id", "province", "date", "date_start", "span_start", "surface", "text"]
    return mine.sort_values(["date_start", "span_start"])[columns].reset_index(drop=True)


def indicator_choices(indicators) -> list[str]:
    """Indicator and family codes, the most widely reported first; on a tie a family (all stages
    of one thing, e.g. listed / implemented / completed projects) comes before an indicator."""
    spread = {code: (-n, 1, code) for code, n in indicators.groupby("indicator")["province"].nunique().items()}
    if "family" in indicators:
        for code, n in indicators.groupby("family")["province"].nunique().items():
            rows = indicators[indicators["family"] == code]
            # A family of one is just its indicator; one mixing units (firms and yuan) is no comparison.
            if set(rows["indicator"]) != {code} and rows["unit_kind"].nunique() == 1:
                spread[code] = min(spread.get(code, (0, 9, code)), (-n, 0, code))
    return [code for code, _ in sorted(spread.items(), key=lambda item: item[1])]


def _matching(indicators, code: str):
    """Rows of an indicator, or of every indicator of a family."""
    hit = indicators["indicator"] == code
    if "family" in indicators:
        hit |= indicators["family"] == code
    return indicators[hit]


def theme_table(figures, theme: str, provinces: list[str]):
    """Every figure of one theme for the chosen provinces, side by side, with its value as written."""
    rows = figures[(figures["theme"] == theme) & figures["province"].isin(provinces)].sort_values(["province", "figure"])
    table = rows.assign(value_text=display_values(rows), as_of=[_as_of_label(a) for a in rows["as_of"]])
    order = {p: i for i, p in enumerate(provinces)}
    table = table.sort_values("province", key=lambda s: s.map(order), kind="stable")
    return table[["province", "subject", "value_text", "as_of", "sentence_text"]].reset_index(drop=True)


def comparison_table(indicators, indicator: str, provinces: list[str], figures=None, definitions=None):
    """Side by side: one row per province, raw value and per 10,000 residents, formatted and numeric.

    With ``figures``, each value carries its figure's qualifier (超, 近) into the text columns.
    """
    rows = _matching(indicators, indicator)
    rows = rows[rows["province"].isin(provinces)].sort_values(["province", "figure"]).drop_duplicates("province")
    rows = rows.set_index("province").reindex([p for p in provinces if p in set(rows["province"])]).reset_index()
    if figures is not None and "qualifier" not in rows:
        rows = rows.merge(figures[["doc_id", "figure", "qualifier"]], on=["doc_id", "figure"], how="left")
    qualifier = rows["qualifier"].fillna("exact") if "qualifier" in rows else ["exact"] * len(rows)
    table = rows.assign(
        value_text=[format_value(v, u, q) for v, u, q in zip(rows["value"], rows["unit"], qualifier)],
        per_10k_text=[format_value(v, u, q) for v, u, q in zip(rows["per_10k"], rows["unit"], qualifier)],
    )
    table = table.assign(indicator_label=[indicator_label(i, definitions) for i in table["indicator"]])
    return table[["province", "indicator", "indicator_label", "value", "value_text", "per_10k", "per_10k_text",
                  "unit", "comparability_note"]].reset_index(drop=True)


def caveats(indicators, indicator: str, provinces: list[str] | None = None, definitions=None) -> list[str]:
    """What limits the comparison, one line each: the indicator's notes (once if shared), differing
    reference dates, approximate values, and missing per-capita values."""
    rows = _matching(indicators, indicator)
    if provinces is not None:
        rows = rows[rows["province"].isin(provinces)]
    rows = rows.sort_values(["province", "figure"]).drop_duplicates("province")
    if provinces is not None:  # in the order the reader asked for
        rows = rows.set_index("province").reindex([p for p in provinces if p in set(rows["province"])]).reset_index()
    lines = []
    if rows["indicator"].nunique() > 1:
        stages = "；".join(f"{p}：{indicator_label(i, definitions)}" for p, i in zip(rows["province"], rows["indicator"]))
        lines.append("阶段或口径不同，只宜比较数量级：" + stages)
    if "unit_kind" in rows and rows["unit_kind"].nunique() > 1:
        lines.append("单位类型不同，数值不可直接比较：" + "、".join(sorted(set(rows["unit_kind"]))))
    notes = {p: _text(n) for p, n in zip(rows["province"], rows["comparability_note"]) if _text(n)}
    if len(set(notes.values())) == 1:
        lines.append(next(iter(notes.values())))
    else:
        lines += [f"{p}：{n}" for p, n in notes.items()]
    if "as_of" in rows:
        dates = {p: _as_of_label(a) or "未注明日期" for p, a in zip(rows["province"], rows["as_of"])}
        if len(set(dates.values())) > 1:
            lines.append("截至日期不同：" + "，".join(f"{p}{d}" for p, d in dates.items()))
    if "qualifier" in rows:
        loose = [p for p, q in zip(rows["province"], rows["qualifier"]) if _text(q) not in ("", "exact")]
        if loose:
            lines.append("非精确数（近、超、不到等）：" + "、".join(loose))
    missing = [p for p, v in zip(rows["province"], rows["per_10k"]) if v != v or v is None]
    if missing:
        lines.append("无每万人数值（百分比、时长或人口未知）：" + "、".join(missing))
    return lines


def show_summary(text: str) -> None:
    """Display the notebook's one-line summary; the batch copies it into reports/index.html."""
    from IPython.display import Markdown, display

    display(Markdown(f"**{text}**"), metadata={"analysis_summary": text})


def family_table(indicators, indicator: str, provinces: list[str], definitions=None):
    """Every indicator of ``indicator``'s family (listed / implemented / completed projects...) side
    by side: one row per province, one column per indicator, values as written."""
    if "family" not in indicators:
        return indicators.iloc[0:0]
    family = _matching(indicators, indicator)["family"]
    if family.empty:
        return indicators.iloc[0:0]
    rows = indicators[(indicators["family"] == family.iloc[0]) & indicators["province"].isin(provinces)]
    rows = rows.sort_values(["province", "figure"]).drop_duplicates(["province", "indicator"])
    rows = rows.assign(text=[format_value(v, u, q) for v, u, q in zip(rows["value"], rows["unit"], rows["qualifier"])],
                       label=[indicator_label(i, definitions) for i in rows["indicator"]])
    table = rows.pivot(index="province", columns="label", values="text").fillna("")
    table = table.reindex([p for p in provinces if p in table.index])
    table.columns.name = None
    return table


def figure_sources(headline) -> list[str]:
    """Each source sentence once, followed by the figures read from it (for the profile's last section)."""
    lines = []
    for sentence, rows in headline.groupby("sentence_text", sort=False):
        figures = "；".join(f"{v}（{s}）" for v, s in zip(rows["value"], rows["subject"].fillna("")))
        lines.append(f"{figures}\n    {sentence}")
    return lines
