"""``reports/index.html``, the page a reader starts from, and the record it is built from.

Each run of the batch updates ``reports/index.json`` (one entry per report: title, summary,
status, files, thumbnail) and rewrites the page from it, so ``run --only ...`` updates its own
entries and keeps every other report that is still on disk. The page gives the run date, the data
version (a checksum of the clean tables), the reports by notebook with a thumbnail of each one's
first chart, a readable Chinese title and its one-line summary, the source views, and links to the
clean CSVs and their data dictionary.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

MANIFEST = "index.json"
THUMBS = "figures/thumbs"
THUMB_WIDTH = 720  # pixels: shown 360 wide, sharp on a high-density screen


@dataclass
class Entry:
    """One report as the index shows it (paths relative to the reports folder)."""

    name: str  # notebook/slug
    notebook: str
    title: str
    summary: str = ""
    status: str = "ok"
    error: str = ""
    page: str = ""
    notebook_file: str = ""
    thumbnail: str = ""
    charts: list = field(default_factory=list)
    finished: str = ""  # ISO time the report was written
    inputs: str = ""  # the fingerprint of what it was made from (analysis.publish.freshness)

    def files(self) -> list[str]:
        """Every file of the report, relative to the reports folder."""
        return [f for f in (self.page, self.notebook_file, self.thumbnail, *self.charts) if f]


def load_manifest(reports_dir: Path) -> dict[str, Entry]:
    """The entries recorded by earlier runs; {} if none (or the record is unreadable: it is rebuilt)."""
    path = Path(reports_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {e["name"]: Entry(**e) for e in data["reports"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def load_views(reports_dir: Path) -> dict[str, str]:
    """The fingerprint of each source view the last run left (doc_id -> fingerprint); {} if none."""
    try:
        views = json.loads((Path(reports_dir) / MANIFEST).read_text(encoding="utf-8")).get("views", {})
        return {str(k): str(v) for k, v in views.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def merge(previous: dict[str, Entry], new: list[Entry], reports_dir: Path) -> list[Entry]:
    """This run's entries replace their earlier ones; earlier entries whose page is still there stay."""
    merged = {name: e for name, e in previous.items() if e.page and (Path(reports_dir) / e.page).is_file()}
    merged.update({e.name: e for e in new})
    return sorted(merged.values(), key=lambda e: (e.notebook, e.name))


def data_version(clean_dir: Path) -> str:
    """A short checksum of the clean tables' files (CSVs, data package, Parquet parts)."""
    digest = hashlib.sha256()
    folder = Path(clean_dir)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".csv", ".json", ".parquet")
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()[:12]


def thumbnail(chart: Path, reports_dir: Path) -> str:
    """A small PNG of ``chart`` under ``figures/thumbs/`` (written atomically); its relative path."""
    import io

    from matplotlib import image

    from analysis.store.atomic import write_bytes_atomic

    pixels = image.imread(chart)
    factor = max(1, -(-pixels.shape[1] // THUMB_WIDTH))  # block averages: no resampling library needed
    height, width = pixels.shape[0] // factor * factor, pixels.shape[1] // factor * factor
    small = pixels[:height, :width].reshape(height // factor, factor, width // factor, factor, -1).mean(axis=(1, 3))
    buffer = io.BytesIO()
    image.imsave(buffer, small.clip(0, 1), format="png")
    write_bytes_atomic(Path(reports_dir) / THUMBS / chart.name, buffer.getvalue())
    return f"{THUMBS}/{chart.name}"


def _href(path: str) -> str:
    return "/".join(quote(part) for part in path.split("/"))


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def _heading(entries: list[Entry]) -> str:
    """A notebook's section heading: what its titles share before the colon (省份概况：吉林 -> 省份概况)."""
    heads = {e.title.split("：")[0] for e in entries if e.title}
    return heads.pop() if len(heads) == 1 else entries[0].notebook


FORMATS = {"png": "位图", "svg": "矢量图"}  # a chart's files, named for what they are rather than by extension


def _card(e: Entry) -> str:
    title = html.escape(e.title or e.name)
    link = f'<a href="{_href(e.page)}">{title}</a>' if e.page else title
    thumb = (f'<a class="thumb" href="{_href(e.page)}"><img src="{_href(e.thumbnail)}" alt="{title}的第一张图" '
             f'loading="lazy"></a>' if e.thumbnail and e.page else "")
    status = "" if e.status == "ok" else f' <span class="failed">{"运行失败" if e.status == "failed" else "已中断"}</span>'
    text = e.summary if e.status == "ok" else (e.error or "")
    files = [f'<a href="{_href(e.notebook_file)}">笔记本文件</a>'] if e.notebook_file else []
    stems = list(dict.fromkeys(str(Path(c).with_suffix("")) for c in e.charts))
    files += [f'图{n}：' + "、".join(f'<a href="{_href(c)}">{FORMATS.get(Path(c).suffix[1:], Path(c).suffix[1:])}</a>'
                                   for c in e.charts if str(Path(c).with_suffix("")) == stem)
              for n, stem in enumerate(stems, 1)]
    when = f"生成于 {html.escape(e.finished[:16].replace('T', ' '))}" if e.finished else ""
    return (f'<li class="card">{thumb}<div class="about"><h3>{link}{status}</h3><p>{html.escape(text)}</p>'
            f'<p class="meta">{when}{" · " if when and files else ""}{" · ".join(files)}</p></div></li>')


CSS = """
ul.cards{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(24em,1fr));gap:1.2em}
li.card{display:flex;flex-direction:column;gap:.5em;border:1px solid #e5e7eb;border-radius:6px;padding:.7em;background:#fff}
li.card h3{font-size:1.05em;margin:.1em 0 .3em} li.card p{margin:.2em 0}
a.thumb img{display:block;width:100%;max-width:360px;height:auto;border:1px solid #e5e7eb}
.data a{margin-right:.8em}
"""
DATA_FILES = (("figures.csv", "统计数字"), ("indicators.csv", "指标"), ("documents.csv", "报道"),
              ("mentions.csv", "数字记号"))


def render(entries: list[Entry], *, run_time: str, version: str, clean_dir: Path, reports_dir: Path,
           source_line: str = "", sources: list[tuple[str, str]] = (), n_documents: int = 0,
           data_folder: str = "") -> str:
    """The index page's HTML (finished: font embedded, nothing remote). ``data_folder``: the folder
    inside the reports where the run copied the clean tables (then every data link points there, and
    the reports folder can be published on its own); else the links point at ``clean_dir``."""
    from analysis.publish.pages import page

    clean_dir, reports_dir = Path(clean_dir), Path(reports_dir)
    failed = sum(e.status != "ok" for e in entries)
    body = ["<h1>报告目录</h1>",
            f'<p class="meta">最近一次运行：{html.escape(run_time)} · 数据版本 <code>{html.escape(version)}</code>'
            f"（数据表的校验和）· {len(entries)} 份报告" + (f"，{failed} 份运行失败" if failed else "") + "</p>"]
    if source_line:
        body.append(f'<p class="meta">{html.escape(source_line)}</p>')
    data_links = []
    for name, label in DATA_FILES:
        stem = name[:-4]
        if (clean_dir / name).is_file():
            href = f"{data_folder}/{name}" if data_folder else _relative(clean_dir / name, reports_dir)
            data_links.append((f"{label} {name}", href))
        elif (clean_dir / stem).is_dir():
            data_links.append((f"{label} {stem}/", _relative(clean_dir / stem, reports_dir)))
    for name, label in (("README.md", "数据字典 README.md"), ("datapackage.json", "数据包 datapackage.json")):
        if (clean_dir / name).is_file():
            data_links.append((label, f"{data_folder}/{name}" if data_folder else _relative(clean_dir / name, reports_dir)))
    if data_folder:
        data_links.append(("全部数据表的工作簿 tables.xlsx", f"{data_folder}/tables.xlsx"))
    body.append('<p class="data">数据：' + "".join(f'<a href="{_href(h)}">{html.escape(t)}</a>' for t, h in data_links)
                + "</p>")
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.notebook, []).append(e)
    for notebook, members in groups.items():
        body.append(f"<h2>{html.escape(_heading(members))}</h2>")
        body.append('<ul class="cards">' + "".join(_card(e) for e in members) + "</ul>")
    if n_documents:
        body.append("<h2>原文核对</h2>")
        body.append(f'<p>每篇报道的全文，数字按判定类别标出，把鼠标移到数字上或聚焦可看数值、单位、限定、时点和统计对象：'
                    f'<a href="source/index.html">全部 {n_documents} 篇</a></p>')
        shown = list(sources)[:10]
        body.append("<ul>" + "".join(f'<li><a href="{_href(h)}">{html.escape(t)}</a></li>' for t, h in shown) + "</ul>")
        if n_documents > len(shown):
            body.append(f'<p class="meta">另有 {n_documents - len(shown)} 篇，见<a href="source/index.html">原文目录</a>。</p>')
    return page("报告目录", "\n".join(body), css=CSS)


def write(entries: list[Entry], reports_dir: Path, *, links_from: Path | None = None, views: dict | None = None,
          **kwargs) -> Path:
    """Write ``index.json`` and ``index.html`` (each atomically) into ``reports_dir``; ``links_from``:
    the folder the page will be read from, if not that one (a run's staging folder is one level down);
    ``views``: the fingerprint of each source view, recorded for the next run."""
    from analysis.store.atomic import write_text_atomic

    reports_dir = Path(reports_dir)
    record = {"reports": [asdict(e) for e in entries], "views": dict(sorted((views or {}).items()))}
    write_text_atomic(reports_dir / MANIFEST, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    page = render(entries, reports_dir=Path(links_from or reports_dir), **kwargs)
    return write_text_atomic(reports_dir / "index.html", page)
