"""Every notebook runs with papermill on its defaults and on another parameter set, without
errors and without a single missing glyph; the committed notebooks follow the house rules."""

import ast
import base64
import os
from pathlib import Path

import nbformat
import pytest

from analysis import config

pytestmark = pytest.mark.slow  # kernels, worker processes or whole corpora: `make test` only

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
FIXTURE_CLEAN = Path(__file__).parent / "fixtures" / "clean_small"

# (notebook, parameters besides clean_dir); {} is the notebook's own defaults.
RUNS = [
    ("overview", {}),
    ("overview", {"reports_dir": "<tmp>"}),
    ("province_profile", {"province": "湖南"}),
    ("province_profile", {"province": "四川省", "reports_dir": "<tmp>", "period": "all"}),
    ("province_comparison", {}),
    ("province_comparison", {"provinces": ["广东", "湖南"], "per_capita": False, "theme": "projects",
                             "indicator": "projects_completed", "period": "all"}),
]


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_are_notebooks():
    assert {p.stem for p in NOTEBOOKS} >= {"overview", "province_profile", "province_comparison"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_follows_the_house_rules(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    assert "papermill" not in nb.metadata
    code = _code_cells(nb)
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, "commit notebooks without outputs"
        assert not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                       for n in ast.walk(ast.parse(cell.source))), "no def in notebooks: put logic in analysis/"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0], "exactly one parameters cell, the first code cell"
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    for line in tagged[0].source.splitlines():
        statement = ast.parse(line.split("  #")[0]).body[0]
        assert isinstance(statement, (ast.Assign, ast.AnnAssign)), line
        ast.literal_eval(statement.value)  # literal defaults only
        assert "  # " in line and line.split("  # ", 1)[1].strip(), f"parameter needs a # help comment: {line}"
    second = code[1].source
    assert "params.check_" in second, "the second code cell validates the parameters"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_help_notebook_explains_every_parameter(path):
    import papermill as pm

    for name, spec in pm.inspect_notebook(str(path)).items():
        assert spec["help"], name
        assert spec["inferred_type_name"] != "None", f"{name}: annotate its type"


def _execute(notebook: str, parameters: dict, tmp_path, monkeypatch, clean_dir=FIXTURE_CLEAN):
    import papermill as pm

    from analysis.publish.translators import register

    register()
    # The kernel runs in notebooks/; let it import this checkout of the package.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(config.ROOT), os.environ.get("PYTHONPATH", "")]))
    values = {k: (str(tmp_path / "reports") if v == "<tmp>" else v) for k, v in parameters.items()}
    out = tmp_path / f"{notebook}.ipynb"
    source = config.NOTEBOOKS_DIR / f"{notebook}.ipynb"
    before = source.read_bytes()
    try:
        injected = {"clean_dir": str(clean_dir)} if clean_dir else {}
        pm.execute_notebook(str(source), str(out), parameters={**injected, **values},
                            kernel_name="python3", progress_bar=False, cwd=str(config.NOTEBOOKS_DIR))
    finally:
        assert source.read_bytes() == before, "the source notebook was modified"
    return nbformat.read(out, as_version=4)


def _all_text(nb) -> str:
    parts = []
    for cell in _code_cells(nb):
        for output in cell.outputs:
            parts.append(output.get("text", ""))
            parts.extend(output.get("traceback", []))
            parts.append(str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def _check_clean_run(nb, parameters, tmp_path):
    text = _all_text(nb)
    assert "missing from font" not in text, "a chart drew Chinese as empty boxes"
    assert not any(o.output_type == "error" for c in _code_cells(nb) for o in c.outputs)
    assert any(o.get("metadata", {}).get("analysis_summary") for c in _code_cells(nb) for o in c.outputs)
    images = [o for c in _code_cells(nb) for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, "every notebook shows at least one chart"
    from analysis.publish import batch, pages

    title = batch.notebook_summary(nb, "analysis_title")
    assert title and not any(c.isascii() and c.isalpha() for c in title.split("：")[0]), "a Chinese title"
    assert pages.problems(pages.notebook_page(nb, title)) == [], "the page is self-contained"
    injected = next((c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])), None)
    assert (injected is None) == (not parameters and not nb.metadata.papermill.parameters)
    assert injected is None or "\\u" not in injected.source
    if "province" in parameters:
        assert f'province = "{parameters["province"]}"' in injected.source
    if parameters.get("reports_dir"):
        saved = sorted(p.suffix for p in (tmp_path / "reports" / "figures").iterdir())
        assert saved and saved.count(".png") == saved.count(".svg")
        # Each chart is drawn once: the notebook shows the very PNG written to disk.
        on_disk = {p.read_bytes() for p in (tmp_path / "reports" / "figures").glob("*.png")}
        assert {base64.b64decode(o.data["image/png"]) for o in images} == on_disk


@pytest.mark.parametrize(("notebook", "parameters"), RUNS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(RUNS)])
def test_notebook_runs_cleanly(notebook, parameters, tmp_path, monkeypatch):
    _check_clean_run(_execute(notebook, parameters, tmp_path, monkeypatch), parameters, tmp_path)


PACKAGE_TABLES = ("figures", "themes", "indicators", "indicator_definitions")


REQUIRED = {"province_profile": "province: 请给出一个省份，可选：吉林、江苏、福建、江西"}


@pytest.mark.parametrize("notebook", [p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_its_own_defaults_over_the_committed_tables(notebook, tmp_path, monkeypatch):
    """No parameter at all: data/clean as committed (the seed report). A notebook with a required
    parameter (the profile's province) stops with one line listing the valid values instead."""
    from papermill.exceptions import PapermillExecutionError

    missing = [t for t in PACKAGE_TABLES if not (config.CLEAN_DIR / f"{t}.csv").is_file()]
    if missing:
        pytest.skip(f"data/clean has no {', '.join(missing)} yet (the data package tables)")
    if notebook in REQUIRED:
        with pytest.raises(PapermillExecutionError) as err:
            _execute(notebook, {}, tmp_path, monkeypatch, clean_dir=None)
        assert err.value.ename == "InputError" and err.value.evalue == REQUIRED[notebook]
        assert len(err.value.traceback) == 1 and REQUIRED[notebook] in err.value.traceback[0], "one line, no stack"
        return
    _check_clean_run(_execute(notebook, {}, tmp_path, monkeypatch, clean_dir=None), {}, tmp_path)


def test_bad_province_stops_with_one_sentence(tmp_path, monkeypatch):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as err:
        _execute("province_profile", {"province": "../x"}, tmp_path, monkeypatch)
    assert err.value.ename == "InputError"
    assert err.value.evalue == "province: '../x' 不是数据中的省份，可选：湖南、四川、广东"
    assert "params.check_province" in err.value.source, "stopped by the validation cell, not later"


@pytest.mark.parametrize(("notebook", "typo", "declared"), [
    ("province_profile", "provnce", "province、period、clean_dir、reports_dir"),
    ("province_comparison", "per_capta", "provinces、indicator、theme、per_capita、period、clean_dir、reports_dir"),
    ("overview", "province", "period、clean_dir、reports_dir"),
])
def test_a_parameter_the_notebook_does_not_have_stops_it_in_one_line(notebook, typo, declared, tmp_path, monkeypatch):
    """papermill -p provnce 江西 only warns and injects the name; the notebook refuses it."""
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as err:
        _execute(notebook, {typo: "湖南", "province": "湖南"} if notebook == "province_profile" else {typo: "湖南"},
                 tmp_path, monkeypatch)
    assert err.value.ename == "InputError"
    assert err.value.evalue == f"{typo}: 这个笔记本没有这个参数，参数有：{declared}"
    assert "params.check_injected" in err.value.source


@pytest.mark.parametrize("notebook", ["overview", "province_comparison"])
def test_a_period_that_is_none_stops_with_one_line_of_choices(notebook, tmp_path, monkeypatch):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as err:
        _execute(notebook, {"period": "lastest"}, tmp_path, monkeypatch)
    assert err.value.ename == "InputError"
    assert err.value.evalue.startswith("period: 'lastest' 不是可用的时期，可选：latest、all、")
    assert "periods.check_period" in err.value.source


def test_a_comparison_needs_two_provinces(tmp_path, monkeypatch):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as err:
        _execute("province_comparison", {"provinces": ["湖南"]}, tmp_path, monkeypatch)
    assert err.value.evalue == "provinces: 至少要 2 个省份才能比较；数据中的省份：湖南、四川、广东"


def _corpus(tmp_path):
    """Three reports a quarter apart, each with the same indicators for 吉林 and 江西, cleaned by
    clean-corpus into Parquet parts: an archive with several reports per province."""
    from analysis.store.corpus import clean_corpus

    raw = tmp_path / "raw"
    raw.mkdir()
    for i in (1, 2, 3):
        (raw / f"r{i}.txt").write_text(
            f"吉林：办实事助推全面振兴\n　　截至目前，吉林累计列出实事项目{2 * i}万个，党员干部认领群众“微心愿”{i + 5}万个。\n"
            f"江西：民生实事\n　　截至目前，江西累计列出实事项目{i + 1}万个。\n", encoding="utf-8")
        (raw / f"r{i}.txt.source.yml").write_text(f"title: 第{i}期\npublisher: 某日报\ndate_published: 2021-0{3 * i}-15\n",
                                                 encoding="utf-8")
    clean_corpus(str(raw), tmp_path / "corpus", jobs=1, progress=False)
    return raw, tmp_path / "corpus"


def test_the_profile_over_a_clean_corpus_shows_an_indicator_over_time(tmp_path, monkeypatch):
    _, corpus = _corpus(tmp_path)
    nb = _execute("province_profile", {"province": "吉林", "reports_dir": "<tmp>"}, tmp_path, monkeypatch, clean_dir=corpus)
    _check_clean_run(nb, {"province": "吉林", "reports_dir": "<tmp>"}, tmp_path)
    assert any("同一指标在各期报道中的值" in str(o)
               for c in _code_cells(nb) for o in c.outputs), "the section is there when there is a series"
    assert (tmp_path / "reports" / "figures" / "province_profile_吉林_over_time.png").is_file()


def test_run_accepts_a_clean_corpus_output_with_its_source_views(tmp_path):
    import subprocess
    import sys

    raw, corpus = _corpus(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(config.ROOT)}
    done = subprocess.run([sys.executable, "-m", "analysis", "run", "--no-clean", "--no-progress", "--clean-dir", str(corpus),
                           "--raw-dir", str(raw), "--reports-dir", str(tmp_path / "reports"), "--only", "province_profile/*"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    reports = tmp_path / "reports"
    assert sorted(p.name for p in (reports / "province_profile").glob("*.html")) == ["吉林.html", "江西.html"]
    assert sorted(p.name for p in (reports / "source").glob("r*.html")) == ["r1.html", "r2.html", "r3.html"]
    page = (reports / "province_profile" / "吉林.html").read_text(encoding="utf-8")
    assert "../source/r1.html#f-0" in page, "each figure links to its place in the text"
