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
SOURCE_PARTS = 3  # a source line names this many reports at most; past it, it counts them


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
    parts = list(dict.fromkeys(parts))
    if len(parts) > SOURCE_PARTS:  # a corpus: say how many, who and when, not every report
        publishers = list(dict.fromkeys(_text(p) for p in documents["publisher"] if _text(p)))
        dates = sorted(_text(d) for d in documents["published"] if _text(d))
        who = "、".join(publishers[:3]) + ("等" if len(publishers) > 3 else "")
        when = f"，{dates[0]} 至 {dates[-1]}" if dates else ""
        return f"来源：{len(documents)} 篇报道" + (f"（{who}）" if who else "") + when
    return "来源：" + "；".join(parts)


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
        per_10k_text=[per_10k_text(v, u, q) for v, u, q in zip(rows["per_10k"], rows["unit"], qualifier)],
    )
    table = table.assign(indicator_label=[indicator_label(i, definitions) for i in table["indicator"]])
    return table[["province", "indicator", "indicator_label", "value", "value_text", "per_10k", "per_10k_text",
                  "unit", "comparability_note"]].reset_index(drop=True)


def per_10k_text(value, unit, qualifier="exact") -> str:
    """A value per 10,000 residents with its unit: 0.89个/万人 (— when there is none).

    >>> per_10k_text(0.894, "个"), per_10k_text(float("nan"), "元")
    ('0.894个/万人', '—')
    """
    text = format_value(value, unit, qualifier)
    return text if text == "—" else f"{text}/万人"


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
    notes: dict[str, list[str]] = {}  # each note once, with the provinces it concerns
    for p, n in zip(rows["province"], rows["comparability_note"]):
        if _text(n):
            notes.setdefault(_text(n), []).append(p)
    if len(notes) == 1:
        lines.append(next(iter(notes)))
    else:
        lines += [f"{'、'.join(ps)}：{n}" for n, ps in notes.items()]
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


# ----------------------------------------------------------------------------- labels, units, changes

CHANGES_TSV = DISPOSITIONS_TSV.with_name("changes.tsv")
LABEL_BREAKS_TSV = DISPOSITIONS_TSV.with_name("label_breaks.tsv")
LABEL_CHARS = 16
_OPENERS, _CLOSERS = "（(“‘《【「", "）)”’》】」"
_PUNCTUATION = set("，。、；：！？,.;:!?") | set(_OPENERS) | set(_CLOSERS)
_NUMERAL = set("0123456789.,０１２３４５６７８９．，〇零一二两三四五六七八九十百千万亿%％")
_MAGNITUDE_OR_QUALIFIER = "万亿千百十多余几"


def _tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@cache
def change_words() -> dict[str, str]:
    """Words that make the number after them a change (再提高5元), with its direction (up/down)."""
    return {row["word"]: row["direction"] for row in _tsv(CHANGES_TSV)}


@cache
def _change_tail():
    import re

    words = "|".join(sorted(map(re.escape, change_words()), key=len, reverse=True))
    # 提高5元 / 再提高了约5元 are changes; 提高到5元, 缩短至3天 name the new level.
    return re.compile(rf"({words})了?(约|近|超过|超|逾|不到)?$")


@cache
def label_breaks() -> tuple[str, ...]:
    """Words a label may be cut before (成立调研指导组|分赴...), longest first."""
    return tuple(sorted((row["word"] for row in _tsv(LABEL_BREAKS_TSV)), key=len, reverse=True))


def change_direction(prefix: str) -> str:
    """'up', 'down' or '' for the text just before a number (…标准再提高 -> 'up').

    >>> change_direction("明确将基础养老金最低标准再提高"), change_direction("时限缩短到"), change_direction("新增")
    ('up', '', '')
    """
    match = _change_tail().search(prefix)
    return change_words()[match.group(1)] if match else ""


def changes(figures, sentences=None):
    """Each figure's change direction ('up', 'down', '' for a level), from the words before it."""
    starts = {}
    if sentences is not None and len(sentences):
        starts = dict(zip(zip(sentences["doc_id"], sentences["sentence"]), sentences["span_start"]))
    out = []
    for row in figures[["doc_id", "sentence", "span_start", "surface", "sentence_text"]].itertuples(index=False):
        text = _text(row.sentence_text)
        start = starts.get((row.doc_id, row.sentence))
        cut = int(row.span_start) - int(start) if start is not None else text.find(str(row.surface))
        out.append(change_direction(text[:max(cut, 0)]) if cut is not None else "")
    return out


def unit_as_written(surface, unit) -> str:
    """The unit as the report writes it after the number: 3个工作日 -> 个工作日 (the table's unit is
    the classifier 个), 4.25万个 -> 个, 1200多户 -> 户; the table's unit if the surface says no more.

    >>> unit_as_written("3个工作日", "个"), unit_as_written("4.25万个", "个"), unit_as_written("99.89%", "%")
    ('个工作日', '个', '%')
    """
    unit, surface = _text(unit), _text(surface)
    last = max((i for i, ch in enumerate(surface) if ch in _NUMERAL), default=-1)
    tail = surface[last + 1:].lstrip(_MAGNITUDE_OR_QUALIFIER)
    return tail if unit and tail.startswith(unit) else unit


def label(subject, sentence_text=None, limit: int = LABEL_CHARS) -> str:
    """A chart label from a figure's subject: brackets closed, a stray closing bracket dropped,
    and cut at a word boundary (before a word of ``display/label_breaks.tsv`` or after punctuation)
    when it is too long or was itself cut mid-word (the sentence goes on with a character).

    >>> label("成立调研指导组分赴各任务县指", "共成立9个调研指导组分赴各任务县指导免耕作业")
    '成立调研指导组'
    >>> label("惠及80个县（区"), label("区）县处级以上领导班子成员领办")
    ('惠及80个县（区）', '县处级以上领导班子成员领办')
    """
    text = _text(subject).strip()
    depth = 0
    for i, ch in enumerate(text):  # a closing bracket with no opening one: the cut fell inside
        depth += (ch in _OPENERS) - (ch in _CLOSERS)
        if depth < 0:
            text, depth = text[i + 1:].lstrip(), 0
            break
    sentence, tail = _text(sentence_text), text[-6:]
    end = sentence.find(tail) + len(tail) if tail and tail in sentence else -1  # where the subject stops in it
    cut_mid_word = 0 <= end < len(sentence) and sentence[end] not in _PUNCTUATION and sentence[end] not in _NUMERAL
    if len(text) > limit or cut_mid_word:
        window = text[:limit]
        inside = {j for i in range(len(window)) for w in label_breaks() if len(w) > 1 and window.startswith(w, i)
                  for j in range(i + 1, i + len(w))}  # 及 of 以及 is no place to cut
        cuts = [i for i in range(2, len(window)) if i not in inside and (
            window[i - 1] in _PUNCTUATION or any(window.startswith(w, i) for w in label_breaks()))]
        if cuts and cuts[-1] >= 3:
            text = window[:cuts[-1]].rstrip("，、；：")
        elif len(text) > limit:
            text = window[: limit - 1] + "…"
    stack = []
    for ch in text:
        if ch in _OPENERS:
            stack.append(_CLOSERS[_OPENERS.index(ch)])
        elif ch in _CLOSERS and stack and stack[-1] == ch:
            stack.pop()
    return text + "".join(reversed(stack))


def per_10k_people_money(figures, provinces, directions=None):
    """Values per 10,000 residents for people and money figures (2020 census), missing for the
    rest and for changes (再提高5元 is a per-person step, not a total)."""
    import pandas as pd

    from analysis.tables.percapita import per_10k

    kinds = figures["unit_kind"].where(figures["unit_kind"].isin(["people", "money"]))
    allowed = pd.Series([not d for d in (directions or [""] * len(figures))], index=figures.index)
    return per_10k(figures["value"], kinds.fillna("none"), figures["province"].fillna(""), provinces, allowed)


# ----------------------------------------------------------------------------- what the notebooks show

DETAIL_FIGURES = 60  # up to this many figures a chart shows each one; past it, distributions


def show_title(text: str) -> None:
    """Display the report's title as its heading; the batch uses it for the page and the index."""
    from IPython.display import Markdown, display

    display(Markdown(f"# {text}"), metadata={"analysis_title": text})


def _html_link(href: str, text: str) -> str:
    import html

    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def documents_view(documents, links=None):
    """The documents for people: 标题, 发布者, 日期, 统计数字, 数字记号 and a link to the source view."""
    import pandas as pd

    table = pd.DataFrame({
        "标题": [_text(t) or d for t, d in zip(documents["title"], documents["doc_id"])],
        "发布者": [_text(p) for p in documents["publisher"]],
        "日期": [_text(p) + ("（推定）" if _text(p) and bool(i) else "") for p, i in
                zip(documents["published"], documents["published_inferred"])],
        "统计数字": documents["n_figures"].astype(int).to_numpy(),
        "数字记号": documents["n_mentions"].astype(int).to_numpy(),
    })
    if links is not None:
        table["原文"] = [_html_link(links.source(d), "原文核对") for d in documents["doc_id"]]
    return table


def headline_view(figures, province: str, *, provinces=None, sentences=None, links=None):
    """A province's figures for people: 主题, 统计对象, 数值 (超1.8亿元; changes signed), 每万人 (people
    and money, 2020 census), 截至, and a link to the figure's place in the text."""
    import pandas as pd

    mine = figures[figures["province"] == province].sort_values(["doc_id", "figure"])
    directions = changes(mine, sentences)
    values = [("+" if d == "up" else "−" if d == "down" else "") + format_value(v, unit_as_written(s, u), q, value_high=h)
              for v, s, u, q, h, d in zip(mine["value"], mine["surface"], mine["unit"], mine["qualifier"],
                                           mine["value_high"], directions)]
    theme = "theme_label" if "theme_label" in mine else "theme"
    table = pd.DataFrame({
        "主题": [_text(t) for t in mine[theme]],
        "统计对象": [label(s, t, limit=24) for s, t in zip(mine["subject"], mine["sentence_text"])],
        "数值": values,
        "变化": ["增加" if d == "up" else "减少" if d == "down" else "" for d in directions],
        "截至": [_as_of_label(a) for a in mine["as_of"]],
    })
    if provinces is not None:
        per = per_10k_people_money(mine, provinces, directions)
        table.insert(3, "每万人", [per_10k_text(v, u) if v == v else "" for v, u in zip(per, mine["unit"])])
    if links is not None:
        table["原文"] = [_html_link(links.source(d, f), f"第{f + 1}个") for d, f in zip(mine["doc_id"], mine["figure"])]  # figure counts from 0
    return table if any(directions) else table.drop(columns="变化")


def figure_sources_view(figures, province: str, links=None):
    """Each source sentence once with the figures read from it (数字), for checking by eye."""
    import pandas as pd

    mine = figures[figures["province"] == province].sort_values(["doc_id", "figure"])
    rows = []
    for (doc_id, sentence), group in mine.groupby(["doc_id", "sentence"], sort=False):
        values = "；".join(format_value(v, unit_as_written(s, u), q) for v, s, u, q in
                          zip(group["value"], group["surface"], group["unit"], group["qualifier"]))
        row = {"原句": _text(group["sentence_text"].iloc[0]), "读出的数字": values}
        if links is not None:
            row["原文"] = _html_link(links.source(doc_id, int(group["figure"].iloc[0])), "在原文中")
        rows.append(row)
    return pd.DataFrame(rows, columns=["原句", "读出的数字", *(["原文"] if links is not None else [])])


def ledger_view(mentions):
    """The mentions ledger for people: 类别, 说明, 个数, 占比 (a fraction, shown as %)."""
    import pandas as pd

    ledger = ledger_summary(mentions)
    return pd.DataFrame({"类别": ledger["label"].to_numpy(), "代码": ledger["disposition"].to_numpy(),
                         "个数": ledger["mentions"].to_numpy(), "占比": ledger["share"].to_numpy()})


def reasons_view(mentions, top: int = 10):
    """The commonest reasons a numeric token was not kept, for people."""
    import pandas as pd

    reasons = ledger_reasons(mentions, top)
    labels = disposition_labels()
    return pd.DataFrame({"类别": [labels.get(d, d) for d in reasons["disposition"]],
                         "判定依据": reasons["reason"].to_numpy(), "个数": reasons["mentions"].to_numpy()})


def comparison_view(table, per_capita: bool = True):
    """:func:`comparison_table` for people: 省份, 指标, 数值, 每万人."""
    import pandas as pd

    out = pd.DataFrame({"省份": table["province"].to_numpy(), "指标": table["indicator_label"].to_numpy(),
                        "数值": table["value_text"].to_numpy()})
    if per_capita:
        out["每万人"] = table["per_10k_text"].to_numpy()
    return out


def coverage_view(coverage):
    """:func:`coverage` for people: 省份 as a column, one column per theme, and 合计."""
    table = coverage.assign(合计=coverage.sum(axis=1)).reset_index().rename(columns={"province": "省份"})
    table.columns.name = None
    return table


def indicator_series(indicators, documents, province: str):
    """The province's indicator values with a date each (as-of, else the report's publication date),
    for the indicators it reports at two or more dates; ``when`` is a timestamp."""
    import pandas as pd

    mine = indicators[indicators["province"] == province]
    if mine.empty:
        return mine.assign(when=pd.Series(dtype="datetime64[ns]"))
    published = dict(zip(documents["doc_id"], documents["published"]))
    as_of = mine["as_of"].fillna("").astype(str)
    when = [pd.Timestamp(a) if len(a) >= 7 and a[:4].isdigit() else published.get(d)
            for a, d in zip(as_of, mine["doc_id"])]
    series = mine.assign(when=pd.to_datetime(pd.Series(when, index=mine.index), errors="coerce")).dropna(subset=["when"])
    dates = series.groupby("indicator")["when"].nunique()
    return series[series["indicator"].isin(dates[dates >= 2].index)].sort_values(["indicator", "when"])


REVIEW_NUMBERS = ["统计数字", "经更正", "算术核对", "相符"]  # the numeric columns of review_view


def review_view(documents, figures, clean_dir: str | Path = ""):
    """Per report with figures in ``figures``: how many a correction set or added (data/corrections.csv)
    and how many arithmetic checks of them hold (报道, 统计数字, 经更正, 算术核对, 相符); the checks
    come from ``clean_dir`` when it has them (:func:`analysis.publish.review.review_view`)."""
    from analysis.publish.review import review_view as view

    return view(documents, figures, load_optional("checks", clean_dir))
