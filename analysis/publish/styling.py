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
STAGING_PREFIX = ".staging-"  # the batch's charts folder inside reports/ (analysis.publish.batch)


@dataclass(frozen=True)
class Links:
    """Relative links from a report page at ``<reports>/<notebook>/<page>.html``."""

    notebook: str
    reports: Path
    clean: Path
    page_dir: Path

    @classmethod
    def of(cls, notebook: str, reports_dir: str, clean_dir) -> Links:
        """For a notebook run with these parameters. Without a reports folder (JupyterLab on the
        defaults), links point at ``reports/`` of the project, as seen from ``notebooks/``."""
        from analysis import config

        if not str(reports_dir or "").strip():
            return cls(notebook, config.REPORTS_DIR, Path(clean_dir), config.NOTEBOOKS_DIR)
        reports = Path(reports_dir)
        if reports.name.startswith(STAGING_PREFIX):  # the batch stages charts one level down
            reports = reports.parent
        return cls(notebook, reports, Path(clean_dir), reports / notebook)

    @property
    def _page_dir(self) -> Path:
        return self.page_dir

    def _relative(self, target: Path) -> str:
        from urllib.parse import quote

        return quote(Path(os.path.relpath(target, self._page_dir)).as_posix())

    def source(self, doc_id: str, figure: int | None = None) -> str:
        from analysis.publish.source_view import page_name

        anchor = f"#f-{int(figure)}" if figure is not None else ""
        return self._relative(self.reports / "source" / page_name(doc_id)) + anchor

    def table(self, name: str) -> str:
        csv = self.clean / f"{name}.csv"
        return self._relative(csv if csv.is_file() or not (self.clean / name).is_dir() else self.clean / name)


class Table:
    """A table ready to show: ``_repr_html_`` for the notebook and the report page."""

    def __init__(self, html_text: str, frame):
        self.html, self.frame = html_text, frame

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def table(frame, *, caption: str = "", numeric=(), percent=(), html_columns=(), max_rows: int = MAX_ROWS,
          csv_name: str = "", links: Links | None = None) -> Table:
    """``frame`` (already with Chinese column names and display text) as a table for people.

    ``numeric`` columns are right-aligned, ``percent`` columns (fractions) shown as 42.0%,
    ``html_columns`` hold HTML made by this package (links) and are not escaped; every other cell
    is. Past ``max_rows`` the table stops with a note saying how many rows there are and, given
    ``csv_name`` and ``links``, linking the full table.
    """
    shown = frame.head(max_rows)
    uuid = hashlib.sha1((caption + "|".join(map(str, frame.columns))).encode()).hexdigest()[:10]
    plain = [c for c in shown.columns if c not in html_columns]
    styler = (shown.style.hide(axis="index").set_uuid(uuid).set_table_attributes('class="report-table"')
              .format(escape="html", na_rep="", subset=plain))
    if percent:
        styler = styler.format("{:.1%}", subset=list(percent), na_rep="")
    if html_columns:
        styler = styler.format(lambda v: v, subset=list(html_columns), escape=None)
    if numeric:
        import pandas as pd

        classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
        for column in [*numeric, *percent]:
            classes[column] = "num"
        styler = styler.set_td_classes(classes)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    note = ""
    if len(frame) > len(shown):
        where = ""
        if csv_name and links is not None:
            where = f'；全部见 <a href="{html.escape(links.table(csv_name))}">{html.escape(csv_name)}</a>'
        note = f'<p class="table-note">共 {len(frame)} 行，这里只列前 {len(shown)} 行{where}。</p>'
    return Table(styler.to_html() + note, frame)


def bullet_list(lines, empty: str = "") -> Table:
    """Lines of text as an HTML list (caveats, notes); ``empty`` when there are none."""
    import pandas as pd

    lines = list(dict.fromkeys(line for line in lines if line))
    body = ("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>") if lines else (
        f"<p>{html.escape(empty)}</p>" if empty else "")
    return Table(body, pd.DataFrame({"": lines}))
