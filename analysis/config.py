"""Project paths, in one place. Nothing else lives here."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
REFERENCE_DIR = RAW_DIR / "reference"
CLEAN_DIR = DATA_DIR / "clean"
CORRECTIONS = DATA_DIR / "corrections.csv"  # the analysts' fixes, applied by clean and clean-corpus
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"
PLAN = NOTEBOOKS_DIR / "plan.yaml"  # the batch plan `run` executes
LEXICON_DIR = PACKAGE_DIR / "lexicon"


def clean_dir_path(clean_dir: str | Path = "") -> Path:
    """The clean-tables folder a user named: ``""`` is data/clean, a relative path starts at the project root."""
    if not str(clean_dir).strip():
        return CLEAN_DIR
    path = Path(clean_dir).expanduser()
    return path if path.is_absolute() else ROOT / path
