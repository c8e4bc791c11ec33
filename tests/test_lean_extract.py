"""``extract`` builds only the figures, without pandas, and writes what ``clean`` writes for them.

The plain way is ``clean``'s: every table built, enriched on frames, checked, written by Arrow. The
lean way (:mod:`analysis.store.extract_csv`, :mod:`analysis.tables.figure_rows`) must give the same
bytes for each report: the seed, genre reports in prose and in each table layout, an encoding other
than UTF-8, and the same texts read in many small windows.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest

from analysis.config import RAW_DIR, ROOT
from analysis.extract import windows
from analysis.store.clean import clean
from analysis.store.extract_csv import write_figures

SEED = RAW_DIR / "000_ef22c67862e0d2cc.txt"
GENRE = ROOT / "benchmarks" / "genre"
# prose, a GBK file, pipe tables, an HTML table flattened, one cell a line, aligned columns, signs
REPORTS = ["01_guangdong.txt", "05_guangxi_gbk.txt", "06_shanghai_table.txt", "10_mohurd_html_table.txt",
           "17_national_renovation_table.txt", "20_taizhou_spaced_rows.txt", "21_hunan_web_cells.txt",
           "23_national_signs_and_words.txt"]


def _both_ways(raw, out):
    """figures.csv of ``clean`` (no corrections), and every report's ``extract`` joined in its order."""
    clean(raw, out, corrections=None, progress=False)
    joined = io.BytesIO()
    for number, path in enumerate(sorted(p for p in raw.iterdir() if not p.name.endswith(".source.yml"))):
        one = io.BytesIO()
        write_figures(path, one)
        data = one.getvalue()
        joined.write(data if number == 0 else data[data.index(b"\n") + 1:])  # one header
    return (out / "figures.csv").read_bytes(), joined.getvalue()


def _raw(tmp_path, names):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED, raw / SEED.name)
    shutil.copy(SEED.with_name(SEED.name + ".source.yml"), raw / (SEED.name + ".source.yml"))
    for name in names:
        shutil.copy(GENRE / name, raw / name)
    return raw


def test_extract_writes_the_bytes_clean_writes_for_the_seed(tmp_path):
    cleaned, extracted = _both_ways(_raw(tmp_path, []), tmp_path / "clean")
    assert extracted.count(b"\n") > 30
    assert extracted == cleaned


@pytest.mark.slow
@pytest.mark.parametrize("window", [None, 1_500], ids=["whole", "small-windows"])
def test_extract_writes_the_bytes_clean_writes_for_genre_reports(tmp_path, monkeypatch, window):
    if window is not None:  # many windows: what crosses a window's edge must come out the same both ways
        monkeypatch.setattr(windows, "SIZE", window)
    cleaned, extracted = _both_ways(_raw(tmp_path, REPORTS), tmp_path / "clean")
    assert extracted.count(b"\n") > 250
    assert extracted == cleaned


@pytest.mark.slow
def test_extract_imports_neither_pandas_nor_numpy_nor_pyarrow(tmp_path):
    code = (
        "import sys; from analysis.cli import main\n"
        f"status = main(['extract', {str(GENRE / '06_shanghai_table.txt')!r}, '-o', {str(tmp_path / 'out.csv')!r}])\n"
        "print(status, sorted({'pandas', 'numpy', 'pyarrow'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stderr
    assert (tmp_path / "out.csv").read_bytes().count(b"\n") > 10
