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
    """Provinces that have figures, in the order the report presents them (each of a figure of several, 广东|江苏)."""
    named = figures[figures["province"].fillna("") != ""]
    cells = named.sort_values(["doc_id", "figure"])["province"]
    return list(dict.fromkeys(province for cell in cells for province in cell.split("|")))


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


def indicator_label(indicator: str, definitions=None) -> str:
    """'已完成实事项目' for 'projects_completed' from the definitions table; the family's Chinese name
    for a family code (办实事项目); else the code itself."""
    from analysis.publish.compare import family_labels

    if definitions is not None:
        match = definitions.loc[definitions["indicator"] == indicator, "label_zh"]
        if len(match):
            return str(match.iloc[0])
    return family_labels().get(indicator, indicator)


def with_labels(figures, definitions=None, sentences=None):
    """``figures`` with what charts show for each: ``bar_label``, the indicator's Chinese name when
    the figure feeds one, else its clean subject (cut at a word boundary, brackets closed); and
    ``written``, the value as the report writes it (:func:`as_written`)."""
    labels = dict(zip(definitions["indicator"], definitions["label_zh"])) if definitions is not None else {}
    codes = figures["indicator"] if "indicator" in figures else [None] * len(figures)
    texts = figures["sentence_text"] if "sentence_text" in figures else [None] * len(figures)
    bar = [labels.get(_text(c)) or label(s, t) for c, s, t in zip(codes, figures["subject"], texts)]
    return figures.assign(bar_label=bar, written=as_written(figures, sentences))


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


REASONS_TSV = DISPOSITIONS_TSV.with_name("reasons.tsv")


@cache
def _reason_labels() -> dict[str, str]:
    return {row["reason"]: row["label"] for row in _tsv(REASONS_TSV)}


@cache
def _numeral_word_notes() -> dict[str, tuple[str, ...]]:
    """``{note: words}`` of the extractor's numeral words (百姓 -> 'common people'): a token set aside
    for such a word is explained by the word itself, which is Chinese."""
    from analysis.config import LEXICON_DIR
    from analysis.tsv import read_tsv

    notes: dict[str, list[str]] = {}
    for row in read_tsv(LEXICON_DIR / "numeral_words.tsv"):
        notes.setdefault(row["note"], []).append(row["word"])
    return {note: tuple(words) for note, words in notes.items()}


def _latin(text: str) -> bool:
    return any("a" <= ch.lower() <= "z" for ch in text)


def reason_label(disposition: str, reason, context: str = "", at: int | None = None) -> str:
    """Why a numeric token was set aside, in Chinese: the label of ``display/reasons.tsv``; for a word
    of the numeral-word vocabulary the word itself (习语“一梯一策”), the one in ``context`` around
    ``at`` when given; the reason as is when it is Chinese (六中全会); else the disposition's label.
    Never the extractor's English.

    >>> reason_label("word", "common people", "为老百姓办实事", 3), reason_label("date", "date or period")
    ('词语“老百姓”', '日期或时期')
    """
    reason = _text(reason)
    if not reason:
        return "—"
    if reason in _reason_labels():
        return _reason_labels()[reason]
    kind = disposition_labels().get(disposition, "")
    words = _numeral_word_notes().get(reason)
    if words:
        found = [w for w in words if any(
            at is None or i <= at < i + len(w) for i in _occurrences(context, w))] if context else []
        found = sorted(found, key=len, reverse=True)[:1]
        shown = "、".join(found or words[:3]) + ("等" if not found and len(words) > 3 else "")
        return f"{kind or '固定说法'}“{shown}”"
    return kind or "其他" if _latin(reason) else reason


def _occurrences(text: str, word: str):
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + 1)


def mention_contexts(mentions, sentences) -> list[tuple[str, int | None]]:
    """Each mention's sentence text and its offset in it (for :func:`reason_label`)."""
    if sentences is None or not len(sentences):
        return [("", None)] * len(mentions)
    import numpy as np

    out = []
    by_doc = {d: g.sort_values("span_start") for d, g in sentences.groupby("doc_id", sort=False)}
    for doc_id, start in zip(mentions["doc_id"], mentions["span_start"]):
        doc = by_doc.get(doc_id)
        if doc is None:
            out.append(("", None))
            continue
        i = int(np.searchsorted(doc["span_start"].to_numpy(), int(start), side="right")) - 1
        if i < 0:
            out.append(("", None))
            continue
        row = doc.iloc[i]
        out.append((_text(row["text"]), int(start) - int(row["span_start"])))
    return out


def ledger_reasons(mentions, top: int = 10, sentences=None):
    """The most common reasons a numeric token was not kept as a figure, in Chinese (``reason``)."""
    rest = mentions[mentions["disposition"] != "figure"]
    contexts = mention_contexts(rest, sentences)
    reason = [reason_label(d, r, text, at) for d, r, (text, at) in zip(rest["disposition"], rest["reason"], contexts)]
    return (rest.assign(reason=reason).groupby(["disposition", "reason"]).size()
            .sort_values(ascending=False, kind="stable").head(top).rename("mentions").reset_index())


def display_values(figures, style: str = "word"):
    """Each figure's value as a reader writes it (超1.8亿元), from value, unit and qualifier."""
    high = figures["value_high"] if "value_high" in figures else [None] * len(figures)
    return [format_value(v, u, q, value_high=h, style=style)
            for v, u, q, h in zip(figures["value"], figures["unit"], figures["qualifier"], high)]


def _as_of_label(as_of) -> str:
    from analysis.publish.compare import as_of_label

    return as_of_label(as_of)


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


def theme_view(figures, theme: str, provinces: list[str]):
    """Every figure of one theme for the chosen provinces, side by side, for people: 省份, 统计对象,
    数值 (as written), 截至, 原句. Empty for no theme (``""``)."""
    import pandas as pd

    columns = ["省份", "统计对象", "数值", "截至", "原句"]
    rows = figures[(figures["theme"] == theme) & figures["province"].isin(provinces)] if theme else figures.iloc[0:0]
    order = {p: i for i, p in enumerate(provinces)}
    rows = rows.sort_values(["doc_id", "figure"]).sort_values("province", key=lambda s: s.map(order), kind="stable")
    return pd.DataFrame({
        "省份": rows["province"].to_numpy(),
        "统计对象": [label(s, t, limit=24) for s, t in zip(rows["subject"], rows["sentence_text"])],
        "数值": as_written(rows),
        "截至": [_as_of_label(a) for a in rows["as_of"]],
        "原句": [_text(t) for t in rows["sentence_text"]],
    }, columns=columns)


def theme_title(theme: str, themes=None) -> str:
    """主题：办实事项目 (the theme's Chinese label, else its code)."""
    labels = dict(zip(themes["theme"], themes["label_zh"])) if themes is not None else {}
    return f"主题：{labels.get(theme, theme)}"


def show_summary(text: str) -> None:
    """Display the notebook's one-line summary; the batch copies it into reports/index.html."""
    from IPython.display import Markdown, display

    display(Markdown(f"**{text}**"), metadata={"analysis_summary": text})


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


def _offsets(figures, sentences=None) -> list[int | None]:
    """Each figure's offset in its sentence text (from the sentences table, else by finding its
    surface in the sentence); None when the surface is not there."""
    if not {"doc_id", "sentence", "span_start", "surface", "sentence_text"} <= set(figures.columns):
        return [None] * len(figures)
    starts = {}
    if sentences is not None and len(sentences):
        starts = dict(zip(zip(sentences["doc_id"], sentences["sentence"]), sentences["span_start"]))
    out = []
    for row in figures[["doc_id", "sentence", "span_start", "surface", "sentence_text"]].itertuples(index=False):
        text, surface = _text(row.sentence_text), _text(row.surface)
        start = starts.get((row.doc_id, row.sentence))
        cut = int(row.span_start) - int(start) if start is not None else text.find(surface)
        out.append(cut if 0 <= cut and text[cut:cut + len(surface)] == surface else None)
    return out


def changes(figures, sentences=None):
    """Each figure's change direction ('up', 'down', '' for a level), from the words before it."""
    texts = figures["sentence_text"] if "sentence_text" in figures else [""] * len(figures)
    return [change_direction(_text(t)[:cut]) if cut is not None else ""
            for t, cut in zip(texts, _offsets(figures, sentences))]


@cache
def _qualifier_words() -> dict[str, tuple[str, ...]]:
    """The qualifier words written before and after a number (近, 超过 / 以上, 左右), longest first."""
    from analysis.config import LEXICON_DIR
    from analysis.tsv import read_tsv

    words: dict[str, list[str]] = {"before": [], "after": []}
    for row in read_tsv(LEXICON_DIR / "qualifiers.tsv"):
        if row["position"] in words and row["qualifier"] != "none":
            words[row["position"]].append(row["word"])
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in words.items()}


def as_written(figures, sentences=None) -> list[str]:
    """Each figure as the report writes it: its surface with the qualifier words around it (超1.8亿元,
    近1000万亩, 1200多户, 100万元以上). A surface without its unit (a table cell under a 万元 header) is
    written from value, unit and qualifier instead (近1000万亩 style)."""
    words = _qualifier_words()
    def column(name):
        return figures[name] if name in figures else [None] * len(figures)

    out = []
    for v, s, u, q, h, text, cut in zip(figures["value"], column("surface"), figures["unit"], figures["qualifier"],
                                        column("value_high"), column("sentence_text"), _offsets(figures, sentences)):
        surface, unit, qualifier = _text(s), _text(u), _text(q) or "exact"
        if not _writes_unit(surface, unit):
            out.append(format_value(v, unit_as_written(surface, unit), qualifier, value_high=None if _text(h) == "" else h))
            continue
        if qualifier != "exact" and cut is not None:
            text = _text(text)
            before = next((w for w in words["before"] if text[:cut].endswith(w)), "")
            after = next((w for w in words["after"] if text[cut + len(surface):].startswith(w)), "")
            surface = before + surface + after
        out.append(surface)
    return out


def _writes_unit(surface: str, unit: str) -> bool:
    """True if ``surface`` carries its unit (4.25万个, 99.9%), not a bare table cell (123.4)."""
    if not surface or not unit:
        return False
    last = max((i for i, ch in enumerate(surface) if ch in _NUMERAL and ch not in "%％"), default=-1)
    return surface[last + 1:].lstrip(_MAGNITUDE_OR_QUALIFIER).startswith(unit)


def figure_number(figure) -> str:
    """How a figure is numbered wherever a reader sees it (profile, source view, workbook): the
    figures table's own ``figure`` column, never a recount. ``figure_number(5) == '编号5'``."""
    return f"编号{int(figure)}"


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


def headline_view(figures, province: str, *, provinces=None, sentences=None, links=None, documents=None):
    """A province's figures for people: 主题, 统计对象, 数值 as the report writes it (超1.8亿元, 1200多户;
    changes signed), 人均 (people and money, 2020 census: 元/人, 人/万人), 截至, the report and its
    date (with ``documents``), and a link to the figure's place in the text, numbered as everywhere
    (:func:`figure_number`)."""
    import pandas as pd

    from analysis.publish.compare import per_resident_text

    mine = figures[figures["province"] == province].sort_values(["doc_id", "figure"])
    directions = changes(mine, sentences)
    values = [("+" if d == "up" else "−" if d == "down" else "") + w for w, d in zip(as_written(mine, sentences), directions)]
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
        texts = [per_resident_text(v, k, u, q) for v, k, u, q in zip(per, mine["unit_kind"], mine["unit"], mine["qualifier"])]
        if any(texts):
            table.insert(3, "人均", texts)
    if links is not None:
        table["原文"] = [_html_link(links.source(d, f), figure_number(f)) for d, f in zip(mine["doc_id"], mine["figure"])]
    if documents is not None:
        table = with_reports(table, mine["doc_id"].tolist(), documents)
    return table if any(directions) else table.drop(columns="变化")


def figure_sources_view(figures, province: str, links=None, documents=None):
    """Each source sentence once with the figures read from it (数字), for checking by eye; with
    ``documents``, the report and its date."""
    import pandas as pd

    mine = figures[figures["province"] == province].sort_values(["doc_id", "figure"])
    rows, docs = [], []
    for (doc_id, sentence), group in mine.groupby(["doc_id", "sentence"], sort=False):
        values = "；".join(as_written(group))
        row = {"原句": _text(group["sentence_text"].iloc[0]), "读出的数字": values}
        if links is not None:
            first = int(group["figure"].iloc[0])
            row["原文"] = _html_link(links.source(doc_id, first), figure_number(first))
        rows.append(row)
        docs.append(doc_id)
    table = pd.DataFrame(rows, columns=["原句", "读出的数字", *(["原文"] if links is not None else [])])
    return with_reports(table, docs, documents) if documents is not None else table


def ledger_view(mentions):
    """The mentions ledger for people: 类别, 个数, 占比 (a fraction, shown as %)."""
    import pandas as pd

    ledger = ledger_summary(mentions)
    return pd.DataFrame({"类别": ledger["label"].to_numpy(), "个数": ledger["mentions"].to_numpy(),
                         "占比": ledger["share"].to_numpy()})


def reasons_view(mentions, top: int = 10, sentences=None):
    """The commonest reasons a numeric token was not kept, for people (in Chinese)."""
    import pandas as pd

    reasons = ledger_reasons(mentions, top, sentences)
    labels = disposition_labels()
    return pd.DataFrame({"类别": [labels.get(d, d) for d in reasons["disposition"]],
                         "判定依据": reasons["reason"].to_numpy(), "个数": reasons["mentions"].to_numpy()})


def coverage_view(coverage):
    """:func:`coverage` for people: 省份 as a column, one column per theme, and 合计."""
    table = coverage.assign(合计=coverage.sum(axis=1)).reset_index().rename(columns={"province": "省份"})
    table.columns.name = None
    return table


MIN_EDITIONS = 3  # reports a series needs before it is drawn: two points are no trend
MAX_SERIES = 6  # series a profile draws (those with most editions)


def report_labels(documents, limit: int = 20) -> dict[str, tuple[str, str]]:
    """``{doc_id: (title, date)}`` of each report as tables show it: its title (cut to ``limit``
    characters) and its publication date (ISO, 推定 when inferred; empty if unknown)."""
    out = {}
    for row in documents.itertuples(index=False):
        title = _text(getattr(row, "title", "")) or str(row.doc_id)
        published = _text(getattr(row, "published", ""))
        inferred = bool(getattr(row, "published_inferred", False)) and published
        out[str(row.doc_id)] = (title if len(title) <= limit else title[: limit - 1] + "…",
                                published + ("（推定）" if inferred else ""))
    return out


def with_reports(table, doc_ids, documents):
    """``table`` (one row per doc_id of ``doc_ids``) with the columns 报道 and 报道日期 before 原文."""
    labels = report_labels(documents) if documents is not None else {}
    where = list(table.columns).index("原文") if "原文" in table else len(table.columns)
    out = table.copy()
    out.insert(where, "报道日期", [labels.get(str(d), ("", ""))[1] for d in doc_ids])
    out.insert(where, "报道", [labels.get(str(d), (str(d), ""))[0] for d in doc_ids])
    return out


def province_documents(documents, figures, province: str):
    """The reports with figures of ``province`` (one of several included): a province page counts these."""
    mine = figures["province"].fillna("").astype(str).str.split("|").map(lambda cell: province in cell)
    return documents[documents["doc_id"].isin(set(figures.loc[mine.to_numpy(), "doc_id"]))]


def indicator_series(indicators, documents, province: str, figures=None, period=None, definitions=None):
    """The province's indicator figures as series over its reports: one row per point, one series per
    indicator, measure, unit and subject (two different quantities never share a line), each point
    dated by its report (``when``: the publication date, else the report's latest as-of day), one
    point per report (the report's first such figure); only series with :data:`MIN_EDITIONS` reports or
    more. ``period`` (:mod:`analysis.publish.periods`): a range keeps the reports dated in it.

    Columns ``series`` (its Chinese label), ``when``, ``doc_id``, ``figure``, ``value``, ``unit``,
    ``qualifier``, ``written`` (the value as the report writes it) and the indicator's own."""
    import pandas as pd

    from analysis.publish.compare import measure_labels, same_units
    from analysis.publish.periods import report_dates

    mine = indicators[indicators["province"] == province]
    columns = ["series", "when", "doc_id", "figure", "value", "unit", "qualifier", "written"]
    if mine.empty:
        return pd.DataFrame(columns=columns)
    extra = [c for c in ("subject", "sentence_text", "surface", "sentence") if figures is not None and c in figures]
    if extra:
        mine = mine.merge(figures[["doc_id", "figure", *extra]], on=["doc_id", "figure"], how="left")
    dates = report_dates(documents, figures if figures is not None else mine)
    mine = mine.assign(when=pd.Series([dates.get(d, pd.NaT) for d in mine["doc_id"]], index=mine.index,
                                      dtype="datetime64[ns]")).dropna(subset=["when"])
    if period is not None and getattr(period, "bounded", False):
        mine = mine[(mine["when"] >= period.start) & (mine["when"] <= period.end)]
    if mine.empty:
        return pd.DataFrame(columns=columns)
    units, measures = same_units(), measure_labels()
    subjects = [label(s, t) for s, t in zip(mine.get("subject", [None] * len(mine)),
                                             mine.get("sentence_text", [None] * len(mine)))]
    names = {i: indicator_label(i, definitions) for i in mine["indicator"].unique()}
    mine = mine.assign(
        _unit_class=[units.get(_text(u), _text(u)) for u in mine["unit"]],
        _subject=subjects,
        series=[f"{names[i]}" + (f"·{measures[_text(m)]}" if measures.get(_text(m)) else "") + (f"：{s}" if s else "")
                for i, m, s in zip(mine["indicator"], mine["measure"] if "measure" in mine else [""] * len(mine), subjects)],
    )
    key = ["indicator", *(["measure"] if "measure" in mine else []), "_unit_class", "_subject"]
    mine = mine.sort_values(["when", "doc_id", "figure"]).drop_duplicates([*key, "doc_id"], keep="first")
    editions = mine.groupby(key, sort=False)["doc_id"].transform("nunique")
    mine = mine[editions >= MIN_EDITIONS]
    has_text = "surface" in mine and "sentence_text" in mine
    written = as_written(mine) if has_text else display_values(mine)
    return mine.assign(written=written).drop(columns=["_unit_class", "_subject"]).reset_index(drop=True)


def top_series(series, n: int = MAX_SERIES):
    """The rows of the ``n`` series of ``series`` (:func:`indicator_series`) with most points; empty if none."""
    if series.empty:
        return series
    sizes = series.groupby("series", sort=False).size().sort_values(ascending=False, kind="stable")
    return series[series["series"].isin(set(sizes.index[:n]))]


def series_title(province: str, series, definitions=None) -> str:
    """吉林：同一指标各期的值 ('' for no series)."""
    if series.empty:
        return ""
    return f"{province}：同一指标各期的值（至少{MIN_EDITIONS}期报道）"


def series_view(series, documents=None, links=None):
    """The points of the series for people: 指标, 数值 as written, 报道, 报道日期 and a link to the figure."""
    import pandas as pd

    ordered = series.sort_values(["series", "when"], kind="stable")
    table = pd.DataFrame({"指标": ordered["series"].to_numpy(), "数值": list(ordered["written"])})
    if links is not None:
        table["原文"] = [_html_link(links.source(d, f), figure_number(f)) for d, f in zip(ordered["doc_id"], ordered["figure"])]
    return with_reports(table, ordered["doc_id"].tolist(), documents)


def events_view(events, documents=None):
    """A province's dated events for people: 日期, 原文写法, 原句 (and, with ``documents``, the report
    and its date)."""
    import pandas as pd

    table = pd.DataFrame({"日期": [_text(d) for d in events["date"]], "原文写法": events["surface"].to_numpy(),
                          "原句": [_text(t) for t in events["text"]]}, columns=["日期", "原文写法", "原句"])
    return with_reports(table, events["doc_id"].tolist(), documents) if documents is not None else table


REVIEW_NUMBERS = ["统计数字", "经更正", "算术核对", "相符"]  # the numeric columns of review_view


def review_view(documents, figures, clean_dir: str | Path = ""):
    """Per report with figures in ``figures``: how many a correction set or added (data/corrections.csv)
    and how many arithmetic checks of them hold (报道, 统计数字, 经更正, 算术核对, 相符); the checks
    come from ``clean_dir`` when it has them (:func:`analysis.publish.review.review_view`)."""
    from analysis.publish.review import review_view as view

    return view(documents, figures, load_optional("checks", clean_dir))
