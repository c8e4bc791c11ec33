"""Tables read by their Table Schema (what notebook kernels use) are the tables api.load gives,
and a broken file is refused as api.load refuses it, without importing pandera."""

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from analysis.store import reader as api
from analysis import config
from analysis.store import tableschema
from analysis.publish import views
from analysis.errors import InputError

TABLES = [r for r in api.table_names() if (config.CLEAN_DIR / f"{r}.csv").is_file()]
needs_package = pytest.mark.skipif(not (config.CLEAN_DIR / tableschema.DESCRIPTOR).is_file(),
                                   reason="data/clean has no datapackage.json")


@needs_package
@pytest.mark.parametrize("name", TABLES)
def test_same_frame_as_the_validating_loader(name):
    description = tableschema.resource(config.CLEAN_DIR, name)
    assert description is not None
    pd.testing.assert_frame_equal(tableschema.read_table(config.CLEAN_DIR, name, description),
                                  api.load(name, config.CLEAN_DIR), check_exact=True)


def _broken_copy(tmp_path, name, edit):
    folder = tmp_path / "clean"
    shutil.copytree(config.CLEAN_DIR, folder)
    path = folder / f"{name}.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    lines = edit(header, lines)
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _set(column, value, line=1):
    def edit(header, lines):
        cells = lines[line].split(",")
        cells[header.index(column)] = value
        return [*lines[:line], ",".join(cells), *lines[line + 1:]]
    return edit


BROKEN = {
    "value outside the allowed set": ("figures", _set("qualifier", "roughly"), "qualifier: roughly not one of"),
    "required cell empty": ("figures", _set("doc_id", ""), "doc_id: empty on line(s) 2"),
    "not a number": ("figures", _set("value", "many"), "cannot be read as the figures table"),
    "negative offset": ("figures", _set("span_start", "-4"), "span_start: below 0 on line(s) 2"),
    "bad pattern": ("documents", _set("sha256", "xyz"), "sha256: xyz do(es) not match"),
    "bad date": ("documents", _set("published", "01/12/2021"), "published: not a YYYY-MM-DD date"),
    "repeated key": ("mentions", lambda header, lines: [*lines, lines[1]], "key (doc_id, mention) repeated"),
    "renamed column": ("dates", lambda header, lines: [lines[0].replace("role", "kind"), *lines[1:]], "differ"),
}


@needs_package
@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_table_is_refused_by_both_loaders(case, tmp_path):
    name, edit, problem = BROKEN[case]
    folder = _broken_copy(tmp_path, name, edit)
    with pytest.raises(InputError) as light:
        views.load(name, folder)
    assert str(light.value).startswith(str(folder / f"{name}.csv")) and problem in str(light.value)
    with pytest.raises(InputError):
        api.load(name, folder)


@needs_package
def test_an_impossible_date_is_a_user_mistake(tmp_path):
    folder = _broken_copy(tmp_path, "documents", _set("published", "2021-13-45"))
    with pytest.raises(InputError, match="published: not a YYYY-MM-DD date"):
        views.load("documents", folder)


def test_without_a_description_the_validating_loader_is_used(tmp_path):
    fixture = config.ROOT / "tests" / "fixtures" / "clean_small"
    assert tableschema.resource(fixture, "figures") is None
    pd.testing.assert_frame_equal(views.load("figures", fixture), api.load("figures", fixture))
    with pytest.raises(InputError, match="not found"):
        views.load("figures", tmp_path)


@needs_package
def test_notebook_tables_load_without_pandera_or_dask():
    code = ("import sys; from analysis.publish import views\n"
            "for name in ['documents', 'figures', 'dates', 'sentences', 'mentions', 'themes', 'indicators',"
            " 'indicator_definitions']: views.load(name)\n"
            "print(sorted(m for m in ('pandera', 'dask', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=config.ROOT)
    assert out.stdout.strip() == "[]"
