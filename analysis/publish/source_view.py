"""The source view: one static page per document, its whole text with every numeric token marked.

Each mention (the ``mentions`` table) is a link coloured and underlined by its disposition (figure,
date, code, ordinal, name...). Hovering, focusing (Tab) or opening it (a click, or a link from a
report to ``source/<doc_id>.html#f-<figure>``) shows its details in a panel at the foot of the
window: for a figure its value as a reader writes it, the number, unit, qualifier, as-of,
whether it is cumulative, what is counted and the province; for a date the resolved date; for
the rest the disposition and the rule that decided it. No JavaScript.

Review: a figure a correction set or added (``figures.corrected``) is marked 已更正 (a ※ after it,
and its note says so), a figure in a failed arithmetic check is outlined in red dashes, a token a
correction dropped says it is no longer a figure, and a list of the
figures most worth a look (:func:`analysis.publish.review.worth_a_look`: failed arithmetic checks
first) follows the text, with the checks that fail.

The text keeps every character in order (the offsets of every table point into it): tags are
only put between mentions, paragraphs come from the ``sentences`` table. A report's figure is
``id="f-<figure>"``, any other mention ``id="m-<mention>"``.
"""

from __future__ import annotations

import errno
import html
from pathlib import Path
from urllib.parse import quote


FOLDER = "source"
REVIEW_ROWS = 30  # the figures worth a look a page lists (the review command lists any number)
QUALIFIER_NAMES = {"exact": "精确", "approx": "约数", "lower_bound": "下限", "upper_bound": "上限", "range": "区间"}
# Background colour and an underline style per disposition: a second cue besides colour (WCAG 1.4.1).
STYLES = {
    "figure": ("#fde68a", "solid 2px #b45309"),
    "date": ("#bfdbfe", "dotted 2px #1d4ed8"),
    "code": ("#e9d5ff", "dashed 1px #6b21a8"),
    "ordinal": ("#e5e7eb", "dashed 1px #374151"),
    "name": ("#bbf7d0", "dashed 1px #15803d"),
    "idiom": ("#fbcfe8", "dashed 1px #9d174d"),
    "word": ("#f3f4f6", "dotted 1px #6b7280"),
    "list_marker": ("#f3f4f6", "dotted 1px #6b7280"),
    "timestamp": ("#e5e7eb", "dotted 1px #374151"),
    "bare": ("#fecaca", "wavy 1px #b91c1c"),
    "truncated": ("#fecaca", "wavy 1px #b91c1c"),
}
CSS = """
body{max-width:48em;margin-bottom:10em}
.legend{display:flex;flex-wrap:wrap;gap:.4em .9em;padding:0;list-style:none;font-size:.9em}
.text{font-size:1.05em;line-height:1.95} .text p{margin:0 0 .7em;white-space:pre-wrap} .text p.h{font-weight:600;margin-top:1.3em}
a.m{color:inherit;text-decoration:none;border-radius:2px;padding:0 1px}
a.m:hover,a.m:focus,a.m:target{outline:2px solid #111827;outline-offset:1px}
.note{display:none;position:fixed;left:0;right:0;bottom:0;margin:0;padding:.6em 1em;background:#111827;color:#f9fafb;
      font-size:.92em;line-height:1.6;grid-template-columns:max-content 1fr;gap:0 1em;white-space:normal;z-index:1}
.note .k{color:#d1d5db}
a.m:target+.note{display:grid} a.m:hover+.note,a.m:focus+.note{display:grid;z-index:2}
a.m.c::after{content:"※";font-size:.75em;vertical-align:super;margin-left:1px}
a.m.k{outline:2px dashed #b91c1c;outline-offset:1px}
a.m.x{text-decoration:line-through}
.pg{display:block;margin:.8em 0;border-top:1px dashed #9ca3af;color:#4b5563;font-size:.85em;text-align:center}
.pg::before{content:attr(title)}
""" + "".join(f".d-{d}{{background:{bg};border-bottom:{line}}}" for d, (bg, line) in STYLES.items())


def page_name(doc_id: str) -> str:
    """The file name of a document's source view: the ``doc_id`` made safe on every file system
    (:func:`analysis.publish.params.file_name`); every link to the page uses it (URL-quoted)."""
    from analysis.publish.params import file_name

    return file_name(doc_id, ".html")


# A page whose name this file system still refuses (a shorter name limit, a character set it rejects):
# that document gets no source view, with a note, and the others are written.
NAME_REFUSED = "这个文件系统不接受它的页面文件名"
MISSING = "原始文件不在、清洗后被改动过，或太大无法成页"
_NAME_REFUSED = frozenset(getattr(errno, n) for n in ("ENAMETOOLONG", "EILSEQ", "EINVAL") if hasattr(errno, n))


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or str(value) in ("<NA>", "NaT", "nan"):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _number(value) -> str:
    """A number as the CSVs write it (42500, not 42500.0)."""
    from analysis.store.cells import csv_cell

    return csv_cell(value)


def _as_of(value) -> str:
    text = _text(value)
    return f"截至{text}" if text else "未注明"


def _note(rows: list[tuple[str, str]]) -> str:
    # Phrasing content only: a <div> or <dl> inside the paragraph would end it (the HTML parser
    # closes a <p> at a block element), and every note would then show as a block.
    return "".join(f'<span class="k">{html.escape(k)}</span><span class="v">{html.escape(v)}</span>' for k, v in rows)


def figure_values(figures, sentences=None) -> dict[int, str]:
    """``{figure: value as the report writes it}`` (超1.8亿元, 1200多户) for one document's figures."""
    from analysis.publish.views import as_written

    return dict(zip(figures["figure"].astype(int), as_written(figures, sentences))) if len(figures) else {}


def _marks(mentions, figures) -> list[tuple[int, int, str, object]]:
    """What the text marks, in order: every mention, except where a figure a correction added covers
    it (then the figure): (start, end, surface, mention row or None)."""
    spans = set(zip(mentions["span_start"].tolist(), mentions["span_end"].tolist()))
    added = [(int(r.span_start), int(r.span_end), r.surface) for r in figures.itertuples()
             if (r.span_start, r.span_end) not in spans]
    marks = [(a, b, surface, None) for a, b, surface in added]
    for m in mentions.itertuples():
        start, end = int(m.span_start), int(m.span_end)
        if not any(a < end and start < b for a, b, _ in added):
            marks.append((start, end, m.surface, m))
    return sorted(marks, key=lambda mark: mark[0])


def document_body(doc, text: str, mentions, figures, dates, sentences, sections, labels: dict,
                  qualifier_words: dict, review=None, checks=None, page_starts: tuple[int, ...] = ()) -> str:
    """The HTML body of one document's source view (pure: tables of this document in, text out).

    ``review``: the figures worth a look (:func:`analysis.publish.review.worth_a_look`) and
    ``checks``: the document's arithmetic checks, listed after the text when given.
    ``page_starts``: where each page of a PDF starts in ``text``; each start gets a page marker
    (drawn by CSS, so the text keeps exactly its characters), and each figure shows its page.
    Raises ValueError if a mention's span does not hold its surface in ``text`` (wrong text).
    """
    from analysis.publish.charts import unit_kind_labels
    from analysis.publish.review import check_counts, review_summary, summary_sentence
    from analysis.publish.views import figure_number, mention_contexts, reason_label

    kinds = unit_kind_labels()
    written = figure_values(figures, sentences)
    contexts = dict(zip(mentions["mention"], mention_contexts(mentions, sentences)))
    failed = check_counts(checks)[2]  # (doc_id, figure) -> the failed checks it is in
    figure_at = {(r.span_start, r.span_end): r for r in figures.itertuples()}
    date_at = {(r.span_start, r.span_end): r for r in dates.itertuples()}
    starts = sorted(set(sentences.groupby("paragraph")["span_start"].min().tolist()) - {0})
    headings = {int(r.span_start) for r in sections.itertuples()
                if _text(r.heading) and text[int(r.span_start):int(r.span_start) + len(_text(r.heading))] == _text(r.heading)}

    def opening(at: int) -> str:
        return '<p class="h">' if at in headings else "<p>"

    page_at = {start: number for number, start in enumerate(page_starts, start=1) if number > 1}

    def plain(a: int, b: int) -> str:
        out = []
        for cut in sorted(c for c in {*starts, *page_at} if a < c <= b or c == a == 0 and c in page_at):
            out.append(html.escape(text[a:cut]) + ("</p>" + opening(cut) if cut in starts else ""))
            if cut in page_at:
                out.append(f'<span class="pg" title="原文第 {page_at[cut]} 页" role="separator"></span>')
            a = cut
        out.append(html.escape(text[a:b]))
        return "".join(out)

    parts, pos = [opening(0)], 0
    for start, end, surface, m in _marks(mentions, figures):
        if start < pos or text[start:end] != surface:
            raise ValueError(f"mention {getattr(m, 'mention', '')} ({surface!r}) is not at [{start}, {end}) of the text")
        parts.append(plain(pos, start))
        disposition = m.disposition if m is not None else "figure"
        label = labels.get(disposition, disposition)
        f = figure_at.get((start, end))
        extra = ""
        if f is not None:
            anchor = f"f-{f.figure}"
            rows = [("统计数字", f"{figure_number(f.figure)}：{written[int(f.figure)]}"),
                    ("数值", _number(f.value) + (f"–{_number(f.value_high)}" if _text(f.value_high) else "")),
                    ("单位", f"{_text(f.unit) or '—'}（{kinds.get(_text(f.unit_kind), _text(f.unit_kind))}）"),
                    ("限定", qualifier_words.get(_text(f.qualifier), _text(f.qualifier))),
                    ("时点", _as_of(f.as_of)), ("累计", "是" if bool(f.cumulative) else "否"),
                    ("统计对象", _text(f.subject) or "—"), ("省份", _text(f.province) or "—")]
            if (doc.doc_id, int(f.figure)) in failed:
                extra += " k"
                rows.append(("算术核对", "不符：核对 " + "、".join(str(n) for n in failed[(doc.doc_id, int(f.figure))])))
            if bool(getattr(f, "corrected", False)):
                extra += " c"
                rows.append(("更正", "已按 data/corrections.csv 更正" if m is not None and m.disposition == "figure"
                             else "抽取时漏掉，按 data/corrections.csv 补上"))
            if _text(getattr(f, "page", None)):
                rows.append(("页码", f"原文第 {_text(f.page)} 页"))
        else:
            anchor = f"m-{m.mention}"
            rows = [(label, m.surface), ("判定", reason_label(m.disposition, m.reason, *contexts[m.mention]))]
            d = date_at.get((start, end))
            if d is not None:
                rows.append(("日期", f"{_text(d.date) or '无法确定'}（{'时点' if d.role == 'as_of' else '事件'}）"))
            if disposition == "figure":  # read as a figure, dropped by a correction
                extra = " x"
                rows.append(("更正", "不是统计数字：按 data/corrections.csv 删去"))
        parts.append(f'<a class="m d-{html.escape(disposition)}{extra}" id="{anchor}" href="#{anchor}" '
                     f'aria-describedby="n-{anchor}">{html.escape(surface)}</a>'
                     f'<span class="note" id="n-{anchor}" role="tooltip">{_note(rows)}</span>')
        pos = end
    parts.append(plain(pos, len(text)) + "</p>")
    counts = mentions["disposition"].value_counts()
    legend = "".join(f'<li><span class="m d-{html.escape(d)}">{html.escape(labels.get(d, d))}</span> {n}</li>'
                     for d, n in counts.items())
    paged = bool(page_starts)
    page_header = '<th class="num">页码</th>' if paged else ""
    figure_rows = "".join(
        f'<tr><td class="num"><a href="#f-{r.figure}">{html.escape(figure_number(r.figure))}</a></td>'
        f'<td>{html.escape(_text(r.province))}</td><td>{html.escape(_text(r.subject))}</td>'
        f'<td class="num">{html.escape(written[int(r.figure)])}</td>'
        f"<td>{html.escape(_as_of(r.as_of))}</td>"
        + (f'<td class="num">{html.escape(_text(getattr(r, "page", None)))}</td>' if paged else "") + "</tr>"
        for r in figures.sort_values("figure").itertuples())
    published = _text(doc.published)
    meta = "，".join(p for p in (_text(doc.publisher), published + ("（推定）" if published and bool(doc.published_inferred) else "")) if p)
    url = _text(getattr(doc, "url", "")).split("://", 1)[-1]  # as text: pages reference nothing remote
    summary = review_summary(_one(doc), figures.assign(doc_id=doc.doc_id), checks)
    to_review = _review_section(review, checks, lambda r: written.get(int(r.figure), ""))
    return "\n".join([
        f"<h1>{html.escape(_text(doc.title) or doc.doc_id)}</h1>",
        f'<p class="meta">{html.escape(meta)}{"，原文 " + html.escape(url) if url else ""} · '
        f'{f"PDF 共 {len(page_starts)} 页，按页标出 · " if paged else ""}{len(text)} 字 · '
        f"{len(mentions)} 处数字，其中统计数字 {len(figures)} 个。把鼠标移到数字上、用键盘跳格键聚焦或点击数字，可看详情。</p>",
        f'<p class="meta">{html.escape(summary_sentence(summary.iloc[0]))}（带 ※ 的是经人工更正的数字）。</p>',
        f'<ul class="legend" aria-label="图例">{legend}</ul>',
        "<p>" + ('<a href="#review">跳到值得核对的数字</a> · ' if to_review else "") + '<a href="#figures">跳到统计数字一览</a></p>',
        f'<article class="text" lang="zh-CN">{"".join(parts)}</article>',
        to_review,
        '<h2 id="figures">统计数字一览</h2>',
        "<table><thead><tr><th class=\"num\">编号</th><th>省份</th><th>统计对象</th><th class=\"num\">数值</th>"
        f"<th>时点</th>{page_header}</tr></thead><tbody>{figure_rows}</tbody></table>",
    ])


def _one(doc):
    """One documents row (a named tuple) as a one-row frame."""
    import pandas as pd

    return pd.DataFrame([{"doc_id": doc.doc_id, "title": _text(doc.title)}])


def _review_section(review, checks, value_of) -> str:
    """值得核对的数字 (the review list, linked to the text) and the checks that fail; "" when there is
    nothing to look at (a page shows no empty section)."""
    from analysis.publish.views import figure_number

    out = []
    if review is not None and not review.empty:
        rows = "".join(
            f'<tr><td class="num">{rank}</td><td class="num"><a href="#f-{r.figure}">{html.escape(figure_number(r.figure))}</a></td>'
            f"<td>{html.escape(_text(r.subject))}</td><td class=\"num\">{html.escape(value_of(r))}</td>"
            f"<td>{html.escape(_text(r.province) or '—')}</td><td>{html.escape(r.why)}</td></tr>"
            for rank, r in enumerate(review.itertuples(index=False), start=1))
        out.append("<table><thead><tr><th class=\"num\">顺序</th><th class=\"num\">编号</th><th>统计对象</th>"
                   f"<th class=\"num\">数值</th><th>省份</th><th>原因</th></tr></thead><tbody>{rows}</tbody></table>")
    failed = checks[~checks["holds"].astype(bool)] if checks is not None and len(checks) else None
    if failed is not None and len(failed):
        items = "".join(f"<li>核对 {r.check}：{html.escape(r.formula)}，相差 {html.escape(_number(r.difference))}"
                        f"（按印出的位数最多可差 {html.escape(_number(r.tolerance))}）</li>" for r in failed.itertuples())
        out.append(f"<h3>算术核对不符</h3><ul>{items}</ul>")
    return "\n".join(['<h2 id="review">值得核对的数字</h2>', *out]) if out else ""


def _labels() -> tuple[dict, dict]:
    from analysis.publish.formatting import qualifier_marks
    from analysis.publish.views import disposition_labels

    words = {q: (m["word"] + "（" if m["word"] else "") + QUALIFIER_NAMES.get(q, q) + ("）" if m["word"] else "")
             for q, m in qualifier_marks().items()}
    return disposition_labels(), words


def raw_folder(clean_dir, raw_dir=None) -> Path:
    """Where the reports of ``clean_dir`` are (``documents.path`` starts there): ``raw_dir`` if given,
    else the archive a clean-corpus output records, else data/raw."""
    from analysis import config
    from analysis.store.manifest import archive_folder

    if raw_dir is not None:
        return Path(raw_dir)
    return archive_folder(clean_dir) or config.RAW_DIR


def raw_path(doc, raw_dir=None) -> Path:
    """Where a document's raw file is: ``documents.path`` inside ``raw_dir``, the folder it was cleaned
    from (``data/raw``, or the archive a clean-corpus output records); for tables cleaned by an older
    version, inside the project or by its name in ``raw_dir``. The first that exists, else the first."""
    import os

    from analysis import config
    from analysis.errors import unshown

    recorded = Path(os.fsdecode(unshown(_text(doc.path))))  # the file's own name, not its one-line form
    if recorded.is_absolute():
        return recorded
    candidates = [Path(raw_dir) / recorded] if raw_dir is not None else []
    candidates.append(config.ROOT / recorded)
    if raw_dir is not None:
        candidates.append(Path(raw_dir) / recorded.name)
    return next((c for c in candidates if c.is_file()), candidates[0])


def _document_source(doc, raw_dir=None):
    """The report read again (its decoded text, which the offsets point into, and its pages), or None
    when the raw file is gone or changed (:func:`raw_path`)."""
    from analysis.errors import InputError
    from analysis.raw.report import load_source

    try:
        source = load_source(raw_path(doc, raw_dir))
    except (InputError, OSError):
        return None
    if source.sha256 != _text(doc.sha256) or source.chunks is not None:
        return None  # another file now, or too large for one page
    return source


def view_tables(clean_dir, doc_ids=None) -> tuple[dict, object, object]:
    """``(tables, indicators, provinces)``: what the source views show (``documents`` and
    :data:`analysis.publish.freshness.VIEW_TABLES`, of ``doc_ids`` or all), every report's indicators
    (a figure is compared with other provinces and editions) and the provinces (their population)."""
    from analysis.publish.views import load, load_optional

    tables = {name: load(name, clean_dir) for name in ("documents", "mentions", "figures", "dates", "sentences", "sections")}
    checks = load_optional("checks", clean_dir)  # a folder cleaned before checks existed has none
    if checks is not None:
        tables["checks"] = checks
    if doc_ids is not None:
        wanted = set(doc_ids)
        tables = {name: t[t["doc_id"].isin(wanted)] for name, t in tables.items()}
    return tables, load_optional("indicators", clean_dir), load_optional("provinces", clean_dir)


def fingerprints(clean_dir) -> dict[str, str]:
    """``{doc_id: fingerprint}`` of every document's source view (:mod:`analysis.publish.freshness`)."""
    from analysis.publish.freshness import view_fingerprints
    from analysis.publish.review import worth_a_look

    tables, indicators, provinces = view_tables(clean_dir)
    review = worth_a_look(tables["figures"], tables.get("checks"), indicators, provinces=provinces)
    return view_fingerprints(tables, review)


def write_views(clean_dir, reports_dir, doc_ids: list[str], raw_dir=None) -> tuple[list[tuple[str, str]], set[str]]:
    """Write ``<reports_dir>/source/<doc_id>.html`` for each document, each page with its own font
    inline (a separate font file is refused by some servers, JupyterLab's among them); returns
    ``(doc_id, problem)`` for those that could not be written (raw text missing or changed), and the
    characters the pages show. ``raw_dir``: the folder the reports were cleaned from (default
    :func:`raw_folder`; see :func:`raw_path`)."""
    from analysis.publish.pages import finish, page_html
    from analysis.publish.review import worth_a_look
    from analysis.publish.webfont import page_characters, shared_cut
    from analysis.store.atomic import write_text_atomic

    raw_dir = raw_folder(clean_dir, raw_dir)
    tables, indicators, provinces = view_tables(clean_dir, doc_ids)
    groups = {name: dict(tuple(t.groupby("doc_id", sort=False))) for name, t in tables.items()}
    labels, words = _labels()
    folder = Path(reports_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)

    skipped, chars = [], set()
    empty = {name: t.iloc[0:0] for name, t in tables.items()}
    unfinished = []  # (doc_id, the page before its font): the font is cut once for all of them
    for doc in tables["documents"].itertuples():
        source = _document_source(doc, raw_dir)
        if source is None:
            skipped.append((doc.doc_id, f"{MISSING}：{raw_path(doc, raw_dir)}"))
            continue
        of = {name: groups[name].get(doc.doc_id, empty[name]) for name in tables}
        checks = of.get("checks")
        body = document_body(doc, source.text, of["mentions"], of["figures"], of["dates"], of["sentences"],
                             of["sections"], labels, words,
                             review=worth_a_look(of["figures"], checks, indicators, limit=REVIEW_ROWS,
                                                 provinces=provinces),
                             checks=checks, page_starts=source.page_starts)
        links = [("../index.html", "← 报告目录"), ("index.html", "原文目录")]
        unfinished.append((doc.doc_id, page_html(f"原文核对：{_text(doc.title) or doc.doc_id}", body, links, CSS)))
    shown = [page_characters(html) for _, html in unfinished]
    with shared_cut(set().union(*shown)):
        for (doc_id, html), seen in zip(unfinished, shown):
            try:
                write_text_atomic(folder / page_name(doc_id), finish(html))
            except OSError as err:
                if err.errno not in _NAME_REFUSED:
                    raise  # a full disk stops the run
                skipped.append((doc_id, NAME_REFUSED))
                continue
            chars |= seen
    return skipped, chars


def write_list(clean_dir, reports_dir, skipped: list[tuple[str, str]] = ()) -> Path:
    """``<reports_dir>/source/index.html``: every document with its source view (or why it has none)."""
    from analysis.publish.pages import page
    from analysis.publish.views import load
    from analysis.store.atomic import write_text_atomic

    documents = load("documents", clean_dir)
    missing = dict(skipped)
    rows = []
    for doc in documents.itertuples():
        title = html.escape(_text(doc.title) or doc.doc_id)
        cell = title if doc.doc_id in missing else f'<a href="{html.escape(quote(page_name(doc.doc_id)))}">{title}</a>'
        note = html.escape(missing.get(doc.doc_id, ""))
        rows.append(f"<tr><td>{cell}</td><td>{html.escape(_text(doc.publisher))}</td><td>{html.escape(_text(doc.published))}</td>"
                    f'<td class="num">{doc.n_figures}</td><td class="num">{doc.n_mentions}</td><td>{note}</td></tr>')
    body = (f"<h1>原文核对：{len(documents)} 篇报道</h1>"
            "<table><thead><tr><th>标题</th><th>发布者</th><th>日期</th><th class=\"num\">统计数字</th>"
            f"<th class=\"num\">数字记号</th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return write_text_atomic(Path(reports_dir) / FOLDER / "index.html",
                             page("原文目录", body, [("../index.html", "← 报告目录")]))
