"""The batch: a failing notebook does not stop the others, bad plans are refused before anything
runs, one batch at a time, and Ctrl-C leaves no partial report."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis import cli, config
from analysis.errors import InputError
from analysis.publish import batch

pytestmark = pytest.mark.slow  # kernels, worker processes or whole corpora: `make test` only

FIXTURE_CLEAN = Path(__file__).parent / "fixtures" / "clean_small"
FIXTURE_RAW = Path(__file__).parent / "fixtures" / "raw_small"  # the text those tables were read from
PROVINCES = ["湖南", "四川", "广东"]  # in the fixture tables

GOOD = '''from analysis.publish.views import show_summary
show_summary(f"{label}: {province}")'''


def _notebook(folder: Path, name: str, parameters: str, body: str) -> Path:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(body)]
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    params = 'province: str = ""  # a province\nlabel: str = "run"  # a label\nclean_dir: str = ""  # tables'
    _notebook(notebooks, "good", params, GOOD)
    _notebook(notebooks, "broken", 'clean_dir: str = ""  # tables', 'raise ValueError("broken on purpose")')
    _notebook(notebooks, "slow", 'clean_dir: str = ""  # tables', "import time\ntime.sleep(120)")
    return tmp_path


def _plan(project: Path, runs: list) -> Path:
    path = project / "nbs" / "plan.yaml"
    path.write_text(json.dumps({"runs": runs}, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


def _command(project: Path, plan: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "analysis", "run", "--plan", str(plan), "--no-clean", "--no-progress",
            "--clean-dir", str(FIXTURE_CLEAN), "--raw-dir", str(FIXTURE_RAW), "--reports-dir", str(project / "reports"),
            *extra]


def _env():
    return {**os.environ, "PYTHONPATH": str(config.ROOT)}


def _run(project: Path, plan: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(project, plan, *extra), capture_output=True, text=True, env=_env(),
                          cwd=project, timeout=600)


def _leftovers(reports: Path) -> list[str]:
    """Hidden leftovers in the reports folder, and swap folders beside it."""
    return sorted(str(p.relative_to(reports)) for p in reports.rglob(".*")
                  if p.name not in (batch.KERNEL_LOG, batch.LOCK_NAME)) + sorted(
        p.name for p in reports.parent.glob(f".{reports.name}.swap-*"))


def _running(reports: Path, pattern: str) -> bool:
    """A file matching ``pattern`` is being staged: in the swap folder beside the reports, or inside them."""
    return bool(list(reports.parent.glob(f".{reports.name}.swap-*/{pattern}")) or list(reports.glob(f".staging-*/{pattern}")))


def test_a_failing_notebook_does_not_stop_the_others(project):
    plan = _plan(project, [{"notebook": "good", "parameters": [{"province": "*"}]},
                           {"notebook": "broken", "parameters": [{}]}])
    sources = {p: p.read_bytes() for p in (project / "nbs").glob("*.ipynb")}
    result = _run(project, plan, "--jobs", "2")
    reports = project / "reports"
    assert result.returncode == 1, result.stderr
    for province in PROVINCES:
        report = nbformat.read(reports / "good" / f"{province}.ipynb", as_version=4)
        assert report.metadata.papermill.parameters["province"] == province
        assert (reports / "good" / f"{province}.html").is_file()
    failed = nbformat.read(reports / "broken" / "default.ipynb", as_version=4)
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in failed.cells)
    html = (reports / "broken" / "default.html").read_text(encoding="utf-8")
    assert "broken on purpose" in html and "raise ValueError" not in html, "HTML is code-free"
    assert "failed" in result.stdout and "ValueError: broken on purpose" in result.stdout
    assert "3 of 4 notebooks ran; 1 failed" in result.stdout
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "run: 湖南" in index and "broken on purpose" in index
    assert _leftovers(reports) == [], "no temp files, staging folders or lock left"
    assert {p: p.read_bytes() for p in (project / "nbs").glob("*.ipynb")} == sources


@pytest.mark.parametrize(("runs", "message"), [
    ([{"notebook": "good", "parameters": [{"province": "../x"}]}],
     "error: province: '../x' 不是数据中的省份，可选：湖南、四川、广东"),
    ([{"notebook": "good", "parameters": [{"province": "湖南", "label": "../../outside"}]}],
     "error: label: '../../outside' cannot be used in a file name"),
    ([{"notebook": "../good", "parameters": [{}]}], "error: notebook: '../good' cannot be used in a file name"),
    ([{"notebook": "good", "parameters": [{"provnce": "湖南"}]}], "no parameter 'provnce' to set; it has: province, label"),
    ([{"notebook": "good", "parameters": [{"clean_dir": "/elsewhere"}]}], "no parameter 'clean_dir' to set"),
])
def test_unsafe_or_unknown_parameters_are_refused_before_anything_runs(project, runs, message, capsys):
    status = cli.main(_command(project, _plan(project, runs))[3:])
    assert status == 1
    assert message in capsys.readouterr().err
    assert not list((project / "reports").rglob("*.ipynb"))
    assert not (project.parent / "outside.ipynb").exists()


def test_a_second_batch_is_refused_while_one_runs(project):
    import fcntl

    plan = _plan(project, [{"notebook": "good", "parameters": [{"province": "湖南"}]}])
    reports = project / "reports"
    reports.mkdir()
    with open(reports / batch.LOCK_NAME, "w") as holder:  # this test process plays the running batch
        holder.write("4242\n")
        holder.flush()
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        result = _run(project, plan)
    assert result.returncode == 1
    assert "another batch run (pid 4242) is writing these reports" in result.stderr
    assert not (reports / "good").exists()


def test_a_lock_left_by_a_dead_run_does_not_block(project):
    reports = project / "reports"
    reports.mkdir()
    (reports / batch.LOCK_NAME).write_text("4242\n")  # the file stays after a crash; its flock does not
    result = _run(project, _plan(project, [{"notebook": "good", "parameters": [{"province": "四川"}]}]))
    assert result.returncode == 0, result.stderr
    assert (reports / "good" / "四川.html").is_file()
    assert (reports / batch.LOCK_NAME).read_text() == "", "the pid is cleared when the run ends"


def test_ctrl_c_stops_the_workers_and_leaves_no_partial_report(project):
    plan = _plan(project, [{"notebook": "slow", "parameters": [{}]},
                           {"notebook": "good", "parameters": [{"province": "湖南"}]}])
    reports = project / "reports"
    # faulthandler: if the run does not end, SIGABRT makes it print where each of its threads waits
    process = subprocess.Popen(_command(project, plan, "--jobs", "1"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**_env(), "PYTHONFAULTHANDLER": "1"},
                               cwd=project)
    try:
        deadline = time.monotonic() + 120
        while not _running(reports, "slow/.default.*.tmp.ipynb"):  # papermill is running it
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the slow notebook never started"
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            pytest.fail(f"run did not end within 120 s of Ctrl-C; where it waited:\n{process.communicate()[1]}")
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "interrupted: 0 of 2 notebooks had finished; no partial report left" in stderr
    assert "Traceback" not in stderr
    assert _leftovers(reports) == []
    assert not list(reports.rglob("*.ipynb")) and not (reports / "index.html").exists()


def test_expand_plan_star_and_slugs(project):
    plan = [{"notebook": "good", "parameters": [{"province": "*"}, {"province": "广东省", "label": "二"}]}]
    jobs = batch.expand_plan(plan, PROVINCES, project / "nbs")
    assert [j.name for j in jobs] == ["good/湖南", "good/四川", "good/广东", "good/广东_二"]
    assert jobs[-1].parameters == {"province": "广东", "label": "二"}
    assert [j.name for j in batch.select(jobs, "good/广*")] == ["good/广东", "good/广东_二"]


def test_duplicate_reports_are_refused(project):
    plan = [{"notebook": "good", "parameters": [{"province": "湖南"}, {"province": "湖南省"}]}]
    with pytest.raises(InputError, match="two runs would write the same report good/湖南"):
        batch.expand_plan(plan, PROVINCES, project / "nbs")


@pytest.mark.parametrize(("text", "problem"), [
    ("runs: 3", "expected a 'runs:' list"),
    ("runs: [{parameters: []}]", "needs a 'notebook' name"),
    ("runs: [{notebook: good, parameters: 5}]", "'parameters' must be a list"),
    ("runs: [oops", "not valid YAML"),
])
def test_malformed_plans_are_one_line_errors(tmp_path, text, problem):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=problem) as err:
        batch.load_plan(path)
    assert "\n" not in str(err.value)


def test_the_shipped_plan_expands_over_the_data():
    plan = batch.load_plan(config.PLAN)
    jobs = batch.expand_plan(plan, PROVINCES, config.NOTEBOOKS_DIR)
    names = [j.name for j in jobs]
    assert "overview/default" in names
    assert [n for n in names if n.startswith("province_profile/")] == [f"province_profile/{p}" for p in PROVINCES]
    comparison = next(j for j in jobs if j.notebook == "province_comparison")
    assert comparison.parameters["provinces"] == PROVINCES and comparison.slug == "all_per_capita"


def test_a_hostile_name_in_the_report_text_cannot_steer_a_write(project, capsys):
    """A province taken from report text is used in file names only after the same check."""
    import shutil

    import pandas as pd

    clean = project / "clean"
    shutil.copytree(FIXTURE_CLEAN, clean)
    figures = pd.read_csv(clean / "figures.csv", keep_default_na=False, dtype=str)
    figures.loc[0, "province"] = "../../evil"
    figures.to_csv(clean / "figures.csv", index=False)
    plan = _plan(project, [{"notebook": "good", "parameters": [{"province": "*"}]}])
    command = _command(project, plan)[3:]
    command[command.index("--clean-dir") + 1] = str(clean)
    assert cli.main(command) == 1
    # the reader refuses it (not one of the provinces' names), before any parameter is made of it
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "province: ../../evil" in err
    assert not list(project.rglob("evil*"))


def test_workers_skip_the_slow_iri_checker_and_still_validate_notebooks():
    code = ("import sys; from analysis.publish import batch; batch.skip_slow_iri_checker()\n"
            "import nbformat, papermill, nbconvert\n"
            "nb = nbformat.v4.new_notebook(); nb.cells = [nbformat.v4.new_code_cell('1')]\n"
            "nbformat.validate(nb)\n"
            "del nb.cells[0]['source']\n"
            "try:\n    nbformat.validate(nb)\nexcept nbformat.ValidationError:\n    print('invalid caught')\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env())
    assert out.stdout.split("\n")[:2] == ["invalid caught", "None"]


def test_reports_have_the_mode_of_any_file_the_user_creates(project):
    plan = _plan(project, [{"notebook": "good", "parameters": [{"province": "湖南"}]}])
    done = subprocess.run(_command(project, plan), capture_output=True, text=True, env=_env(), cwd=project,
                          timeout=600, umask=0o027)
    assert done.returncode == 0, done.stderr
    files = [p for p in (project / "reports").rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".html", ".ipynb"}
    assert {p.stat().st_mode & 0o777 for p in files} == {0o640}, {p.name: oct(p.stat().st_mode) for p in files}


TITLED = '''from analysis.publish.views import show_summary, show_title
show_title(f"示例：{province}")
show_summary(f"{label}: {province}")'''


def test_pages_are_self_contained_titled_and_the_index_survives_only(project):
    from analysis.publish import pages

    _notebook(project / "nbs", "titled", 'province: str = ""  # a province\nlabel: str = "run"  # a label\n'
              'clean_dir: str = ""  # tables\nreports_dir: str = ""  # charts', TITLED)
    plan = _plan(project, [{"notebook": "titled", "parameters": [{"province": "*"}]}])
    assert _run(project, plan, "--jobs", "2").returncode == 0
    reports = project / "reports"
    titles = []
    for province in PROVINCES:
        page = (reports / "titled" / f"{province}.html").read_text(encoding="utf-8")
        assert pages.problems(page) == [], province
        titles.append(page.split("<title>")[1].split("</title>")[0])
        recorded = nbformat.read(reports / "titled" / f"{province}.ipynb", as_version=4).metadata.papermill.parameters
        assert recorded["reports_dir"] == str((project / "reports").resolve()) and ".staging" not in str(recorded)
        assert recorded["clean_dir"] == "tests/fixtures/clean_small", "relative to the project, as a user passes it"
    assert titles == [f"示例：{p}" for p in PROVINCES], "each page has its own title"
    # A partial run rewrites its own entry and keeps the others in the index.
    before = (reports / "titled" / f"{PROVINCES[1]}.html").stat().st_mtime_ns
    assert _run(project, plan, "--only", f"titled/{PROVINCES[0]}").returncode == 0
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert all(f"示例：{p}" in index for p in PROVINCES)
    assert (reports / "titled" / f"{PROVINCES[1]}.html").stat().st_mtime_ns == before
    assert pages.problems(index) == []
    assert (reports / "source" / "index.html").is_file(), "the source views' list (the fixture has no raw text)"


def test_with_fewer_than_two_provinces_the_plan_has_no_comparison():
    """On data naming one province (or none) there is nothing to compare: no report, rather than an
    empty one marked ok."""
    plan = batch.load_plan(config.PLAN)
    for provinces in ([], ["湖南"]):
        jobs = batch.expand_plan(plan, provinces, config.NOTEBOOKS_DIR)
        assert "province_comparison" not in {j.notebook for j in jobs}
        assert [j.name for j in jobs if j.notebook == "province_profile"] == [f"province_profile/{p}" for p in provinces]
    assert "province_comparison" in {j.notebook for j in batch.expand_plan(plan, PROVINCES, config.NOTEBOOKS_DIR)}
