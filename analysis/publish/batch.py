"""`python -m analysis run`: clean the raw data, then execute the notebook plan in parallel.

Each planned run (notebook × parameter set) is executed by papermill in a worker process,
into ``reports/<notebook>/<slug>.ipynb`` plus a code-free ``.html``; charts go to
``reports/figures/``; ``reports/index.html`` links everything with a one-line summary each.

Guarantees:
- a failing notebook does not stop the others; it is kept with papermill's error banner and
  the batch exits 1 after printing a summary table;
- workers write every report, chart and the index into the reports folder's staging folder, and
  the run publishes them all at once at the end (:mod:`analysis.store.transaction`): after a crash,
  a kill, a full disk or a read-only folder the previous reports are all there, whole; a disk
  problem is one line (``error: reports: cannot write the reports (No space left on device)``);
  source notebooks are never written;
- Ctrl-C (or SIGTERM) stops the workers and their kernels, removes the staging folder and exits 130
  (143); workers die with the run even when it is killed (:mod:`analysis.store.processes`);
- each notebook runs in a fresh kernel, stopped at once when its last cell has finished (no
  graceful exit: the kernel's exit hooks do not run; see KERNEL_SHUTDOWN);
- one batch at a time per reports folder: an flock on ``reports/.batch.lock`` (a second run
  exits 1 naming the holder; the lock dies with its holder, so a crash never blocks the next run).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from analysis import config
from analysis.errors import InputError, OutputError, os_reason, shown
from analysis.store.atomic import write_text_atomic

LOCK_NAME = ".batch.lock"
BUSY = "another batch run (pid {pid}) is writing these reports; wait for it to finish"
ALL = "*"
# Parameters the batch fills in itself when a notebook declares them.
BATCH_PARAMETERS = ("clean_dir", "reports_dir")
START_TIMEOUT = 120  # seconds for a kernel to start; parallel start-ups are slow on small machines
STOP_GRACE = 15  # seconds workers get to shut their kernels down after Ctrl-C
# Once the last cell has run and its outputs are in, the kernel is of no further use: stopping
# it at once (nbclient's "immediate": SIGKILL to its process group) rather than letting Python
# finalise pandas, matplotlib and the rest saves 0.5-1 s per notebook. A notebook therefore
# must not rely on the kernel's exit hooks (atexit, flushing files it never closed).
KERNEL_SHUTDOWN = "immediate"


@dataclass(frozen=True)
class Job:
    """One planned run: a source notebook, the parameters to inject, and its report name."""

    notebook: str
    parameters: dict
    slug: str

    @property
    def name(self) -> str:
        return f"{self.notebook}/{self.slug}"


@dataclass
class Outcome:
    """What became of a job (returned by the worker; picklable)."""

    job: Job
    status: str  # "ok", "failed" or "interrupted"
    seconds: float = 0.0
    summary: str = ""
    error: str = ""
    report: str = ""  # the HTML report, "" if none was written
    charts: list = field(default_factory=list)
    title: str = ""  # the notebook's own title (views.show_title), else its name
    thumbnail: str = ""  # a small copy of its first chart, relative to the reports folder
    inputs: str = ""  # the fingerprint of its inputs (analysis.publish.freshness)
    unchanged: bool = False  # its inputs had not changed: the report of an earlier run, not run again
    finished: str = ""  # when an unchanged report was written (ISO); this run's are stamped now


# --------------------------------------------------------------------------- plan

def load_plan(path: Path) -> list[dict]:
    """The plan file's runs: ``[{"notebook": name, "parameters": [dict, ...]}, ...]``."""
    import yaml

    from analysis.raw.files import read_input

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "plan file not found")
    try:
        data = yaml.safe_load(read_input(path, 1 << 20).decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(path, "not valid YAML: not UTF-8 text") from None
    except yaml.YAMLError as err:
        raise InputError(path, f"not valid YAML: {' '.join(str(err).split())}") from None
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list) or not runs:
        raise InputError(path, "expected a 'runs:' list of {notebook: ..., parameters: [...]} entries")
    plan = []
    for n, run in enumerate(runs, 1):
        if not isinstance(run, dict) or not isinstance(run.get("notebook"), str):
            raise InputError(path, f"run {n}: each entry needs a 'notebook' name")
        sets = run.get("parameters", [{}])
        sets = [sets] if isinstance(sets, dict) else sets
        if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
            raise InputError(path, f"run {n} ({run['notebook']}): 'parameters' must be a list of mappings")
        plan.append({"notebook": run["notebook"], "parameters": sets or [{}]})
    return plan


def _declared_parameters(source: Path) -> dict:
    """The notebook's parameters as papermill reads them: ``{name: {"default", "help", ...}}``."""
    import papermill as pm

    from analysis.raw.files import problem

    try:
        return pm.inspect_notebook(str(source))
    except OSError as err:
        raise InputError(source, problem(err)) from None


def expand_plan(plan: list[dict], provinces: list[str], notebooks_dir: Path) -> list[Job]:
    """Jobs from a plan: ``province: "*"`` becomes one job per province, ``provinces: "*"`` the list.

    Every notebook name, parameter name and value is checked before anything runs: unknown
    notebooks or parameters, unknown provinces and values unsafe in a file name raise InputError.
    """
    from analysis.publish import params

    jobs: list[Job] = []
    for run in plan:
        name = params.check_name(run["notebook"], "notebook")
        source = notebooks_dir / f"{name}.ipynb"
        if not source.is_file():
            raise InputError(source, "notebook in the plan not found")
        declared = _declared_parameters(source)
        for raw in run["parameters"]:
            unknown = [k for k in raw if k not in declared or k in BATCH_PARAMETERS]
            if unknown:
                settable = ", ".join(k for k in declared if k not in BATCH_PARAMETERS) or "none"
                raise InputError(source, f"no parameter {unknown[0]!r} to set; it has: {settable}")
            expansions = [dict(raw)]
            if raw.get("province") == ALL:
                expansions = [{**raw, "province": p} for p in provinces]
            if raw.get("provinces") == ALL and len(provinces) < 2:
                expansions = []  # nothing to compare: no report rather than an empty one (run_batch says so)
            for values in expansions:
                if values.get("provinces") == ALL:
                    values = {**values, "provinces": list(provinces)}
                if "province" in values:
                    values["province"] = params.check_province(values["province"], provinces)
                if "provinces" in values:
                    values["provinces"] = params.check_provinces(values["provinces"], provinces)
                shown = {k: ("all" if raw.get(k) == ALL and k == "provinces" else v) for k, v in values.items()}
                slug = params.safe_slug(parameters=shown)
                jobs.append(Job(name, values, slug))
    names = [j.name for j in jobs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError("plan", f"two runs would write the same report {duplicates[0]}; make their parameters differ")
    return jobs


def select(jobs: list[Job], pattern: str | None) -> list[Job]:
    """Jobs whose ``notebook/slug`` or notebook name matches the shell pattern (all if none)."""
    if not pattern:
        return jobs
    return [j for j in jobs if fnmatch.fnmatch(j.name, pattern) or fnmatch.fnmatch(j.notebook, pattern)]


def skip_slow_iri_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this process (call before papermill).

    nbformat (hence papermill and nbconvert) imports jsonschema, whose format module imports the
    optional ``rfc3987_syntax`` when installed (jupyterlab's jupyter-events asks for it); that
    package compiles some 35 Lark grammars at import, 1-1.5 s in the batch and in each worker
    (python-jsonschema/jsonschema#1428). It only checks the ``iri`` string format, which no
    notebook schema uses; marked absent, jsonschema takes its own documented fallback (no
    ``iri`` checker). Nothing else in this process changes.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


# --------------------------------------------------------------------------- worker

_stop_event = None
KERNEL_LOG = ".batch-kernels.log"


def _init_worker(stop_event, log_path: str, parent_pid: int | None = None) -> None:
    """Runs in each worker: own process group, so a terminal Ctrl-C reaches only the parent,
    which then stops the workers in order (the kernels must be shut down, not orphaned); and a
    SIGTERM when the parent dies, however it dies (its kernels then stop by themselves).

    The worker's stderr (inherited by its kernels, which print connection warnings at every
    start) goes to ``reports/.batch-kernels.log`` instead of the user's terminal. Workers and
    kernels run in Python's UTF-8 mode, so notebooks read and write the same bytes in any locale.
    """
    import signal

    from analysis.store.processes import die_with_parent

    global _stop_event
    _stop_event = stop_event
    if parent_pid is not None:
        die_with_parent(parent_pid)
    skip_slow_iri_checker()
    os.setpgrp()
    os.environ["PYTHONUTF8"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    os.dup2(log, 2)
    os.close(log)
    # Kernels import this package; make sure they find this copy even when it is not installed.
    paths = [str(config.ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(os.path.abspath(p) for p in paths))


def _temp_name(folder: Path, stem: str, run_id: str, suffix: str) -> Path:
    return folder / f".{stem}.{run_id}.tmp{suffix}"


def notebook_summary(nb, key: str = "analysis_summary") -> str:
    """The one-line summary a notebook displayed with ``views.show_summary`` (first one wins);
    with ``key="analysis_title"``, its title (``views.show_title``)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            summary = output.get("metadata", {}).get(key)
            if summary:
                return str(summary)
    return ""


def report_title(nb, job: Job) -> str:
    """The page title: the notebook's own (省份概况：吉林), else its notebook and slug."""
    return notebook_summary(nb, "analysis_title") or f"{job.notebook}：{job.slug}"


def report_page(nb, job: Job) -> str:
    """The self-contained, code-free page of an executed notebook (see :mod:`analysis.publish.pages`)."""
    from analysis.publish.pages import notebook_page

    links = [("../index.html", "← 报告目录"), ("../source/index.html", "原文核对")]
    return notebook_page(nb, report_title(nb, job), links)


def record_parameters(nb, parameters: dict) -> None:
    """Make an executed notebook record ``parameters``, the values a user would pass to get the
    same report (relative paths, the reports folder rather than the batch's staging folder)."""
    from papermill.translators import translate_parameters

    nb.metadata.setdefault("papermill", {})["parameters"] = dict(parameters)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = translate_parameters("python3", "python", parameters, "Parameters").strip()


def user_path(path) -> str:
    """A folder as a user names it to the notebooks: relative to the project root when inside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(config.ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)


def _staging_dir(reports_dir: Path, run_id: str, job: Job) -> Path:
    import hashlib

    return Path(reports_dir) / f".staging-{run_id}-{hashlib.sha1(job.name.encode()).hexdigest()[:10]}"


def _publish_charts(staging: Path, reports_dir: Path) -> list[str]:
    """Move the charts a notebook saved in its staging folder to ``reports/figures`` (renames)."""
    import shutil

    moved = []
    if (staging / "figures").is_dir():
        figures = Path(reports_dir) / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        for chart in sorted((staging / "figures").iterdir()):
            if chart.name.startswith("."):
                continue
            os.replace(chart, figures / chart.name)
            moved.append(str(figures / chart.name))
    shutil.rmtree(staging, ignore_errors=True)
    return moved


# A notebook that fails with one of these failed because the reports cannot be written, not
# because of the notebook: the run stops with one line and the previous reports are kept.
DISK_ERRORS = frozenset(getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EROFS", "EFBIG") if hasattr(errno, n))


def _disk_problem(err: BaseException, where: Path) -> OutputError | None:
    """An OutputError about ``where`` if ``err`` (raised by papermill or by a cell) is a disk problem, else None."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(err, OSError) and err.errno in DISK_ERRORS:
        reason = os_reason(err)
    elif isinstance(err, PapermillExecutionError) and err.ename in ("OSError", "PermissionError"):
        match = re.match(r"\[Errno (\d+)\]", str(err.evalue))
        if not match or int(match.group(1)) not in DISK_ERRORS:
            return None
        reason = os.strerror(int(match.group(1)))
    else:
        return None
    return OutputError(where, f"cannot write ({reason})", reason)


def execute_job(job: Job, source: str, reports_dir: str, inject: dict, run_id: str,
                staging: str | None = None, passed: dict | None = None) -> Outcome:
    """Run one notebook with papermill into ``staging`` (a staging folder laid out as ``reports_dir``):
    ``<notebook>/<slug>.ipynb`` and ``.html``; the outcome names them where they will be published.

    A notebook that saves charts gets a private folder as its ``reports_dir``; its charts move to
    ``figures/`` only once it has finished. A disk problem raises an OutputError (it stops the run).
    ``passed``: the parameters as the user passed them, recorded in the executed notebook.
    """
    import shutil

    import nbformat
    import papermill as pm

    from analysis.publish.params import inside
    from analysis.publish.translators import register

    register()
    started = time.perf_counter()
    out = Path(staging or reports_dir)
    folder = out / job.notebook
    folder.mkdir(parents=True, exist_ok=True)
    target = inside(folder, f"{job.slug}.ipynb")
    temp = _temp_name(folder, job.slug, run_id, ".ipynb")
    status, error = "ok", ""
    charts_dir = _staging_dir(out, run_id, job)
    if "reports_dir" in inject:
        inject = {**inject, "reports_dir": str(charts_dir)}
    try:
        pm.execute_notebook(
            source, str(temp), parameters={**job.parameters, **inject}, kernel_name="python3",
            progress_bar=False, start_timeout=START_TIMEOUT, cwd=str(Path(source).parent),
            shutdown_kernel=KERNEL_SHUTDOWN,
        )
    except Exception as err:  # kernel died, timed out, could not start: report it, keep going
        disk = _disk_problem(err, temp)
        if disk is not None:
            raise disk from None
        status, error = "failed", _failure(err)
    if _stop_event is not None and _stop_event.is_set():
        temp.unlink(missing_ok=True)
        shutil.rmtree(charts_dir, ignore_errors=True)
        return Outcome(job, "interrupted", time.perf_counter() - started)
    published = Path(reports_dir)
    staged = _publish_charts(charts_dir, out)
    charts = [str(published / Path(c).relative_to(out)) for c in staged]
    report = title = thumb = summary = ""
    if temp.is_file():
        nb = nbformat.read(temp, as_version=4)
        html_target = target.with_suffix(".html")
        write_text_atomic(html_target, report_page(nb, job))
        record_parameters(nb, {**job.parameters, **(passed or {})})
        nbformat.write(nb, temp)
        os.replace(temp, target)
        report = str(published / html_target.relative_to(out))
        title, summary = report_title(nb, job), notebook_summary(nb)
        thumb = _thumbnail(staged, out, nb)
    return Outcome(job, status, time.perf_counter() - started, summary, error, report, charts, title, thumb)


def _thumbnail(charts: list[str], reports_dir: Path, nb) -> str:
    """A thumbnail of the first chart the notebook showed (the saved PNG with the same bytes)."""
    import base64

    from analysis.publish.index import thumbnail

    pngs = [Path(c) for c in charts if c.endswith(".png")]
    shown = [base64.b64decode(o["data"]["image/png"]) for cell in nb.cells for o in cell.get("outputs", [])
             if "image/png" in o.get("data", {})]
    first = next((p for png in shown[:1] for p in pngs if p.read_bytes() == png), pngs[0] if pngs else None)
    return thumbnail(first, reports_dir) if first is not None else ""


def source_views_job(clean_dir: str, reports_dir: str, doc_ids: list[str], raw_dir: str | None = None):
    """A worker's share of the source views (:func:`analysis.publish.source_view.write_views`)."""
    from analysis.publish.source_view import write_views

    if _stop_event is not None and _stop_event.is_set():
        return [], set()
    return write_views(clean_dir, reports_dir, doc_ids, raw_dir)


def _failure(err: Exception) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(err, PapermillExecutionError):
        return f"{err.ename}: {' '.join(str(err.evalue).split())}"
    return f"{type(err).__name__}: {' '.join(str(err).split())}"


# --------------------------------------------------------------------------- index and summary

def write_index(outcomes: list[Outcome], reports_dir: Path, clean_dir: Path, documents=None,
                source_line: str = "", staging: Path | None = None, data: bool = False,
                views: dict | None = None) -> Path:
    """``reports/index.html`` (and its record ``index.json``): this run's reports, and those of
    earlier runs still on disk (a ``--only`` run updates its own entries).

    ``staging``: where this run's files wait to be published (laid out as ``reports_dir``); the
    index is written there, with its links as they will be in ``reports_dir``.
    """
    import datetime as dt

    from analysis.publish import index
    from analysis.publish.source_view import FOLDER, page_name

    reports_dir = Path(reports_dir)
    staging = Path(staging) if staging is not None else reports_dir
    now = dt.datetime.now().astimezone().replace(microsecond=0)

    def rel(path: str) -> str:
        return Path(path).resolve().relative_to(reports_dir.resolve()).as_posix() if path else ""

    entries = [index.Entry(
        name=o.job.name, notebook=o.job.notebook, title=o.title or o.job.name, summary=o.summary, status=o.status,
        error=o.error, page=rel(o.report), notebook_file=rel(o.report)[:-5] + ".ipynb" if o.report else "",
        thumbnail=o.thumbnail, charts=[rel(c) for c in o.charts], finished=o.finished or now.isoformat(),
        inputs=o.inputs,
    ) for o in outcomes]
    merged = index.merge(index.load_manifest(reports_dir), entries, reports_dir)
    sources = []
    if documents is not None:
        def viewed(doc_id: str) -> bool:
            return any((folder / FOLDER / page_name(doc_id)).is_file() for folder in (staging, reports_dir))

        sources = [(str(d.title) if isinstance(d.title, str) and d.title else d.doc_id, f"{FOLDER}/{page_name(d.doc_id)}")
                   for d in documents.itertuples() if viewed(d.doc_id)]
    index.write(merged, staging, run_time=now.strftime("%Y-%m-%d %H:%M"), version=index.data_version(clean_dir),
                clean_dir=clean_dir, data_folder=DATA_FOLDER if data else "", source_line=source_line, sources=sources,
                n_documents=len(documents) if documents is not None else 0, links_from=reports_dir, views=views)
    return reports_dir / "index.html"


def _shown_path(path) -> str:
    """Relative to the working directory when below it (reports/x.html), else absolute."""
    path = Path(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def summary_table(outcomes: list[Outcome]) -> str:
    lines = [f"{'status':<11} {'seconds':>7}  report"]
    for o in outcomes:
        where = _shown_path(o.report) if o.report else o.job.name
        tail = f"  {o.error}" if o.error else ""
        lines.append(f"{'unchanged' if o.unchanged else o.status:<11} {o.seconds:7.1f}  {where}{tail}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the run

def _clean_step(raw_dir: Path, clean_dir: Path, say) -> list:
    from analysis.store.clean import clean

    report = clean(raw_dir, clean_dir)
    for path, problem in report.failures:
        say(f"error: {shown(path)}: {problem}")
    if report.corrections is not None:  # corrections not applied or no longer needed, one line each
        from analysis.tables.corrections import outcome_lines

        for line in outcome_lines(report.corrections):
            say(f"{shown(report.corrections_file)}: {line}")
    return report.failures


LEGACY_FONT = "source/report-cjk.woff2"  # the font file source views shared before each carried its own
WORKBOOK = "tables.xlsx"
DATA_FOLDER = "data"  # reports/data/: the clean tables beside the pages, so a copied reports/ keeps them


def publish_data(clean_dir: Path, tx) -> bool:
    """Stage ``reports/data/``: a copy of the clean CSVs, their data package and dictionary, and the
    workbook ``tables.xlsx`` (:mod:`analysis.publish.workbook`), replacing the folder whole. For a
    ``clean-corpus`` output (Parquet parts, possibly large) nothing is copied and the pages link the
    tables where they are; returns whether the data was published."""
    import shutil

    from analysis.publish.workbook import write_workbook

    clean_dir = Path(clean_dir)
    if not (clean_dir / "figures.csv").is_file():
        return False
    folder = tx.replace_folder(DATA_FOLDER)
    for path in sorted(clean_dir.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.suffix in (".csv", ".json", ".md"):
            shutil.copyfile(path, folder / path.name)
    write_workbook(clean_dir, folder / WORKBOOK)
    return True


VIEWS_PER_JOB = 25  # source views a worker writes in one go (its tables are read once per go)


def _submit_source_views(executor, clean_dir: Path, staging: Path, workers: int, raw_dir: Path,
                         doc_ids: list[str]) -> list:
    """Queue the source views of ``doc_ids``, in shares, behind the notebooks (written into the
    run's ``staging``, laid out as the reports folder)."""
    size = max(1, min(VIEWS_PER_JOB, -(-len(doc_ids) // max(workers, 1))))
    return [executor.submit(source_views_job, str(clean_dir), str(staging), doc_ids[i:i + size], str(raw_dir))
            for i in range(0, len(doc_ids), size)]


def _stop_workers(executor, stop_event) -> None:
    """Cancel queued jobs, ask running workers to stop (nbclient shuts their kernels down on
    SIGTERM), kill any that do not stop within STOP_GRACE seconds, and wait for the pool's manager
    thread to end (:func:`analysis.store.processes.stop_pool`: so the interpreter's exit handler
    never races it, and a Ctrl-C ends without a traceback)."""
    import signal

    from analysis.store.processes import stop_pool

    # A second Ctrl-C (or SIGTERM) must not abandon half-stopped workers; the wait below is bounded anyway.
    stops = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in stops}
    try:
        stop_event.set()
        stop_pool(executor, STOP_GRACE)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _unchanged(entry, inputs: str, reports_dir: Path) -> bool:
    return (entry is not None and entry.status == "ok" and entry.inputs == inputs and bool(entry.page)
            and all((reports_dir / f).is_file() for f in entry.files()))


def _kept_outcome(job: Job, entry, reports_dir: Path) -> Outcome:
    """The outcome of a report an earlier run made from the same inputs (its files stay as they are)."""
    return Outcome(job, "ok", 0.0, entry.summary, "", str(reports_dir / entry.page),
                   [str(reports_dir / c) for c in entry.charts], entry.title, entry.thumbnail, entry.inputs,
                   unchanged=True, finished=entry.finished)


def _plan_views(clean_dir: Path, documents, reports_dir: Path, raw_root: Path, tx) -> tuple[dict, list[str]]:
    """The fingerprint of every source view, and the documents whose view must be written (new or
    changed); pages of documents no longer in the data are removed. A document whose view must be
    written and whose raw file is not where it was cleaned from stops the run (no dead link)."""
    from analysis.publish import index, source_view
    from analysis.publish.source_view import FOLDER, page_name, raw_path

    fingerprints = source_view.fingerprints(clean_dir)
    before = index.load_views(reports_dir)
    todo = [d for d in documents["doc_id"]
            if before.get(d) != fingerprints[d] or not (reports_dir / FOLDER / page_name(d)).is_file()]
    for gone in sorted(set(before) - set(fingerprints)):
        tx.remove(f"{FOLDER}/{page_name(gone)}")
    wanted = set(todo)
    missing = [(d.doc_id, raw_path(d, raw_root)) for d in documents.itertuples() if d.doc_id in wanted
               and not raw_path(d, raw_root).is_file()]
    if missing:
        first = missing[0][1]
        raise InputError(raw_root, f"{len(missing)} report(s) have no raw file here to show their source view "
                                   f"(first: {shown(first)}); give --raw-dir the folder they were cleaned from")
    return fingerprints, todo


def run_batch(
    plan_path: Path = config.PLAN,
    *,
    jobs: int | None = None,
    only: str | None = None,
    raw_dir: Path | None = None,
    clean_dir: Path = config.CLEAN_DIR,
    reports_dir: Path = config.REPORTS_DIR,
    notebooks_dir: Path | None = None,
    run_clean: bool = True,
    progress: bool = True,
    source_views: bool = True,
    out=None,
) -> int:
    """Clean, then run the plan; returns the exit status (0 ok, 1 some failed, 130 interrupted).

    Only what changed is done again (:mod:`analysis.publish.freshness`): a notebook page whose
    inputs are those of the page on disk is kept, and so is a source view. ``raw_dir``: where the
    reports are (cleaned from; default: the archive a clean-corpus output records, else data/raw).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    from analysis.publish import freshness, index, source_view, views
    from analysis.store.locks import FolderLock
    from analysis.store.processes import as_completed_interruptibly, exit_status, wait_interruptibly
    from analysis.store.transaction import transaction

    skip_slow_iri_checker()
    out = out or sys.stdout
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    plan_path, reports_dir, clean_dir = Path(plan_path), Path(reports_dir).resolve(), Path(clean_dir).resolve()
    notebooks_dir = Path(notebooks_dir).resolve() if notebooks_dir else plan_path.resolve().parent
    if reports_dir == notebooks_dir:
        raise InputError(reports_dir, "the reports folder must not be the notebooks folder")
    plan = load_plan(plan_path)
    run_id = uuid.uuid4().hex[:8]
    # The lock refuses a second run at once; the transaction publishes every file of this run together.
    with transaction(reports_dir, "the reports", lock=FolderLock(reports_dir / LOCK_NAME, BUSY)) as tx:
        failures = _clean_step(Path(raw_dir or config.RAW_DIR), clean_dir, say) if run_clean else []
        raw_root = source_view.raw_folder(clean_dir, raw_dir)
        figures = views.load("figures", clean_dir)
        documents = views.load("documents", clean_dir)
        provinces = views.provinces_in(figures)
        todo = select(expand_plan(plan, provinces, notebooks_dir), only)
        if len(provinces) < 2 and any(s.get("provinces") == ALL for r in plan for s in r["parameters"]):
            say(f"note: no province comparison: the data names {len(provinces)} province(s), a comparison needs two")
        if not todo:
            raise InputError(plan_path, f"no planned notebook matches {only!r}")
        data = freshness.DataVersion.of_folder(clean_dir, documents, figures, views.load("dates", clean_dir))
        inputs = {job.name: freshness.job_fingerprint(notebooks_dir / f"{job.notebook}.ipynb", job.parameters, data)
                  for job in todo}
        earlier = index.load_manifest(reports_dir)
        outcomes: dict[str, Outcome] = {job.name: _kept_outcome(job, earlier[job.name], reports_dir) for job in todo
                                        if _unchanged(earlier.get(job.name), inputs[job.name], reports_dir)}
        to_run = [job for job in todo if job.name not in outcomes]
        view_inputs, view_todo = (_plan_views(clean_dir, documents, reports_dir, raw_root, tx) if source_views
                                  else ({}, []))
        workers = max(1, min(jobs or os.cpu_count() or 1, len(to_run) + len(view_todo)))
        context = multiprocessing.get_context("spawn")
        stop_event = context.Event()
        log_path = reports_dir / KERNEL_LOG
        log_path.write_text("", encoding="utf-8")
        executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                       initargs=(stop_event, str(log_path), os.getpid()))
        try:
            futures = {}
            for job in to_run:
                source = notebooks_dir / f"{job.notebook}.ipynb"
                declared = _declared_parameters(source)
                inject = {k: str(v) for k, v in (("clean_dir", clean_dir), ("reports_dir", reports_dir))
                          if k in declared}
                passed = {k: user_path(v) for k, v in inject.items()}
                futures[executor.submit(execute_job, job, str(source), str(reports_dir), inject, run_id,
                                        str(tx.staging), passed)] = job
            views_done = (_submit_source_views(executor, clean_dir, tx.staging, workers, raw_root, view_todo)
                          if view_todo else [])
            # Only on a terminal: in CI logs and pipes a bar is noise.
            bar = tqdm(total=len(to_run), desc="notebooks", unit="nb", file=sys.stderr,
                       disable=not (progress and sys.stderr.isatty()) or not to_run)
            for future in as_completed_interruptibly(futures):
                job = futures[future]
                try:
                    outcomes[job.name] = future.result()
                except (OutputError, OSError):
                    raise  # the reports cannot be written: stop, keep the previous ones
                except Exception as err:  # a worker crashed outright
                    outcomes[job.name] = Outcome(job, "failed", error=f"{type(err).__name__}: {err}")
                outcomes[job.name].inputs = inputs[job.name]
                bar.update(1)
                bar.set_postfix_str(job.name, refresh=True)
            bar.close()
            shares = []
            views_bar = tqdm(total=len(view_todo), desc="source views", unit="page", file=sys.stderr,
                             disable=not (progress and sys.stderr.isatty()) or not view_todo)
            for future in views_done:  # in the order submitted: the shares' problems are listed so
                wait_interruptibly({future})
                try:
                    shares.append(future.result())
                except (OutputError, OSError):
                    raise  # the reports cannot be written: stop, keep the previous ones
                except Exception as err:  # noqa: BLE001 - a bug in one share: say so, keep the reports
                    shares.append(([("source views", f"{type(err).__name__}: {' '.join(str(err).split())}")], set()))
                views_bar.update(min(VIEWS_PER_JOB, views_bar.total - views_bar.n))
            views_bar.close()
            skipped = [problem for share, _ in shares for problem in share]
            executor.shutdown(wait=True)
        except KeyboardInterrupt as stop:
            say("\ninterrupted: stopping the workers and their kernels...")
            _stop_workers(executor, stop_event)
            done = sum(o.status != "interrupted" and not o.unchanged for o in outcomes.values())
            say(f"interrupted: {done} of {len(to_run)} notebooks had finished; no partial report left; "
                "reports/index.html not updated")
            return exit_status(stop)
        except BaseException:
            _stop_workers(executor, stop_event)
            raise
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
        ordered = [outcomes[j.name] for j in todo]
        if source_views:
            lost = [(doc, why) for doc, why in skipped if why != source_view.NAME_REFUSED]
            if lost:  # a raw file changed or went while the run read it: a dead link is no report
                raise InputError(raw_root, f"no source view for {len(lost)} report(s) (first: {lost[0][0]}: "
                                           f"{lost[0][1]}); clean them again, or give --raw-dir their folder")
            source_view.write_list(clean_dir, tx.staging, skipped)
            if (reports_dir / LEGACY_FONT).is_file():
                tx.remove(LEGACY_FONT)
            if skipped:
                some = ", ".join(doc_id for doc_id, _ in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
                say(f"note: no source view for {len(skipped)} document(s) ({some}): {skipped[0][1]}")
            view_inputs = {d: fp for d, fp in view_inputs.items() if d not in dict(skipped)}
        published = publish_data(clean_dir, tx)
        write_index(ordered, reports_dir, clean_dir, documents, views.source_line(documents), staging=tx.staging,
                    data=published, views=view_inputs)
        tx.commit()
    index_page = reports_dir / "index.html"
    print(summary_table(ordered), file=out)
    failed = [o for o in ordered if o.status != "ok"]
    kept = sum(o.unchanged for o in ordered)
    print(f"{len(ordered) - len(failed) - kept} of {len(ordered)} notebooks ran; {len(failed)} failed; {kept} unchanged "
          f"since the last run; {len(view_todo)} of {len(documents)} source views written; index: {index_page}", file=out)
    if failures:
        print(f"{len(failures)} raw file(s) could not be cleaned (listed above)", file=out)
    return 1 if failed or failures else 0
