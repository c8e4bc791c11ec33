"""Tables for people: Chinese headers, no index column, values as a reader writes them, long
tables capped with a note and a link to the full CSV, figures linked to their place in the text.

:func:`table` returns an object a notebook cell ends with (it shows as HTML, a pandas Styler
underneath). :class:`Links` knows where a report page will live, so its links to the source views
(``reports/source/<doc_id>.html#f-<figure>``) and to the clean CSVs are relative and work from
``reports/`` wherever the project is.
"""

from __future__ import annotations

import hashlib
import html
import os
from dataclasses import dataclass
from pathlib import Path

MAX_ROWS = 40  # rows shown; the rest is in the CSV the note links to
SHORT_TEXT = 16  # characters: a column no longer than this never wraps (dates, values, names)
# A table's own styles, scoped to it by the Styler's id (``#T_<uuid> td``), so it looks the same in
# JupyterLab (whose stylesheet right-aligns every cell) as on the report pages. Each selector alone:
# the Styler prefixes each with the table's id, and ``th, td`` would scope only the first.
TABLE_STYLES = (
    ("", "border-collapse:collapse;margin:.4em 0 1em;font-size:.92em;line-height:1.5"),
    ("caption", "caption-side:top;text-align:left;font-weight:600;padding:.3em 0;color:#333"),
    ("th", "text-align:left;vertical-align:bottom;white-space:nowrap;padding:.25em .7em;"
           "border-bottom:1px solid #6b7280;background:none"),
    # min-width: in a table of many provinces a long cell wraps to a column of two characters a line
    ("td", "text-align:left;vertical-align:baseline;padding:.25em .7em;min-width:6em;max-width:36em;white-space:normal"),
    ("tbody tr:nth-child(odd)", "background:#f3f4f6"),
    ("td.num", "text-align:right;white-space:nowrap"),
    ("td.short", "white-space:nowrap"),
)
STAGING_PREFIX = ".staging-"  # the batch's charts folder inside reports/ (analysis.publish.batch)


DATA_FOLDER = "data"  # reports/data/: the clean tables copied beside the pages (analysis.publish.batch)


@dataclass(frozen=True)
class Links:
    """Links from a report page at ``<reports>/<notebook>/<page>.html``: relative, so a copied
    ``reports/`` folder keeps them working (the tables it links to are in ``reports/data/``).

    In JupyterLab without a reports folder, ``files_url`` is the Jupyter server's URL of the project
    root's files (``/files/``): a link there is opened by the browser itself, which goes to the
    figure's ``#f-<n>``, where Lab's own HTML viewer would drop the fragment and show the page's top.
    """

    notebook: str
    reports: Path
    clean: Path
    page_dir: Path
    data: Path | None = None
    files_url: str = ""
    files_root: Path | None = None

    @classmethod
    def of(cls, notebook: str, reports_dir: str, clean_dir) -> Links:
        """For a notebook run with these parameters. Without a reports folder (JupyterLab on the
        defaults), links point at ``reports/`` of the project, through the running Jupyter server
        when there is one."""
        from analysis import config

        if not str(reports_dir or "").strip():
            url, root = _jupyter_files(config.NOTEBOOKS_DIR)
            return cls(notebook, config.REPORTS_DIR, Path(clean_dir), config.NOTEBOOKS_DIR, None, url, root)
        reports = Path(reports_dir)
        if reports.name.startswith(STAGING_PREFIX):  # the batch stages charts one level down
            reports = reports.parent
        data = reports / DATA_FOLDER if (Path(clean_dir) / "figures.csv").is_file() else None
        return cls(notebook, reports, Path(clean_dir), reports / notebook, data)

    @property
    def _page_dir(self) -> Path:
        return self.page_dir

    def _relative(self, target: Path) -> str:
        from urllib.parse import quote

        if self.files_url and self.files_root is not None:
            try:
                inside = Path(target).resolve().relative_to(self.files_root)
            except ValueError:
                inside = None
            if inside is not None:
                return self.files_url + quote(inside.as_posix())
        return quote(Path(os.path.relpath(target, self._page_dir)).as_posix())

    def source(self, doc_id: str, figure: int | None = None) -> str:
        from analysis.publish.source_view import page_name

        anchor = f"#f-{int(figure)}" if figure is not None else ""
        return self._relative(self.reports / "source" / page_name(doc_id)) + anchor

    def table(self, name: str) -> str:
        if self.data is not None:
            return self._relative(self.data / f"{name}.csv")
        csv = self.clean / f"{name}.csv"
        return self._relative(csv if csv.is_file() or not (self.clean / name).is_dir() else self.clean / name)


def _jupyter_files(folder: Path) -> tuple[str, Path | None]:
    """``(base URL of /files/, server root)`` of a running Jupyter server whose root holds ``folder``
    (the one a kernel started from Lab belongs to); ``("", None)`` when there is none."""
    if not os.environ.get("JPY_SESSION_NAME"):  # set by jupyter_server for the kernels it starts
        return "", None  # not a kernel started by a Jupyter server (papermill, a script)
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:
        return "", None
    folder = Path(folder).resolve()
    for server in list_running_servers():
        root = Path(server.get("root_dir") or server.get("notebook_dir") or "").resolve()
        if folder.is_relative_to(root):
            return str(server.get("base_url") or "/").rstrip("/") + "/files/", root
    return "", None


class Table:
    """A table ready to show: ``_repr_html_`` for the notebook and the report page."""

    def __init__(self, html_text: str, frame):
        self.html, self.frame = html_text, frame

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def table(frame, *, caption: str = "", numeric=(), percent=(), html_columns=(), max_rows: int = MAX_ROWS,
          csv_name: str = "", links: Links | None = None) -> Table | None:
    """``frame`` (already with Chinese column names and display text) as a table for people.

    ``numeric`` columns are right-aligned, ``percent`` columns (fractions) shown as 42.0%,
    ``html_columns`` hold HTML made by this package (links) and are not escaped; every other cell
    is. Past ``max_rows`` the table stops with a note saying how many rows there are and, given
    ``csv_name`` and ``links``, linking the full table.
    """
    if frame is None:  # a part a section leaves out
        return None
    shown = frame.head(max_rows)
    uuid = hashlib.sha1((caption + "|".join(map(str, frame.columns))).encode()).hexdigest()[:10]
    plain = [c for c in shown.columns if c not in html_columns]
    styler = (shown.style.hide(axis="index").set_uuid(uuid).set_table_attributes('class="report-table"')
              .format(escape="html", na_rep="", subset=plain))
    if percent:
        styler = styler.format("{:.1%}", subset=list(percent), na_rep="")
    if html_columns:
        styler = styler.format(lambda v: v, subset=list(html_columns), escape=None)
    import pandas as pd

    right = [*numeric, *percent]
    classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
    for column in shown.columns:
        if column in right:
            classes[column] = "num"
        elif column not in html_columns and shown[column].astype(str).str.len().max(skipna=True) <= SHORT_TEXT:
            classes[column] = "short"
    styles = [{"selector": selector, "props": props} for selector, props in TABLE_STYLES]
    styles += [{"selector": f"th.col{i}", "props": "text-align:right"}
               for i, column in enumerate(shown.columns) if column in right]
    styler = styler.set_td_classes(classes).set_table_styles(styles, overwrite=True)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    note = ""
    if len(frame) > len(shown):
        where = ""
        if csv_name and links is not None:
            where = f'；全部见 <a href="{html.escape(links.table(csv_name))}">{html.escape(csv_name)}</a>'
        note = f'<p class="table-note" style="color:#555;font-size:.9em">共 {len(frame)} 行，这里只列前 {len(shown)} 行{where}。</p>'
    return Table(styler.to_html() + note, frame)


def bullet_list(lines, empty: str = "") -> Table:
    """Lines of text as an HTML list (caveats, notes); ``empty`` when there are none."""
    import pandas as pd

    lines = list(dict.fromkeys(line for line in lines if line))
    body = ("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>") if lines else (
        f"<p>{html.escape(empty)}</p>" if empty else "")
    return Table(body, pd.DataFrame({"": lines}))


def _is_empty(part) -> bool:
    if part is None:
        return True
    frame = getattr(part, "frame", part)
    return bool(getattr(frame, "empty", False))


def section(title: str, *parts, intro: str = "") -> None:
    """Show a section of a report: its heading, an optional line of text, then each part (tables,
    charts, lists). A section with nothing to show is left out whole: every part ``None`` or empty
    (:func:`analysis.publish.charts.render` gives ``None`` for a chart with nothing to draw)."""
    from IPython.display import Markdown, display

    shown = [p for p in parts if not _is_empty(p)]
    if not shown:
        return
    display(Markdown(f"## {title}" + (f"\n\n{intro}" if intro else "")))
    for part in shown:
        display(part)
