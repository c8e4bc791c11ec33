"""Every raw file's sidecar records the sha256 of the file as it is now: raw data is never edited."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from analysis.raw.discover import raw_reports
from analysis.raw.sidecar import SIDECAR_SUFFIX

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
SIDECARS = sorted(RAW.rglob(f"*{SIDECAR_SUFFIX}"))


def test_there_are_sidecars_for_the_seed_and_the_census():
    names = {p.name for p in SIDECARS}
    assert "000_ef22c67862e0d2cc.txt.source.yml" in names
    assert "provinces_2020_census.tsv.source.yml" in names


def test_every_raw_file_has_a_sidecar():
    files = [p for p in RAW.rglob("*") if p.is_file() and not p.name.endswith(SIDECAR_SUFFIX) and not p.name.startswith(".")]
    lacking = [str(p.relative_to(RAW)) for p in files if not p.with_name(p.name + SIDECAR_SUFFIX).exists()]
    assert files and not lacking


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name)
def test_sidecar_sha256_matches_the_file(sidecar):
    meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    target = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)])
    assert target.is_file(), f"{sidecar.name} describes a missing file"
    assert re.fullmatch(r"[0-9a-f]{64}", meta["sha256"])
    assert hashlib.sha256(target.read_bytes()).hexdigest() == meta["sha256"]


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name)
def test_sidecar_has_the_provenance_fields(sidecar):
    meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    assert meta["title"] and meta["publisher"]
    assert "url" in meta
    assert hasattr(meta["date_published"], "isoformat")  # a real date, not a string
    assert isinstance(meta["date_published_inferred"], bool)
    if meta["date_published_inferred"]:
        assert meta.get("date_published_note"), "an inferred date says how it was inferred"


def test_seed_is_a_report_and_the_census_is_not():
    assert [p.name for p in raw_reports(RAW)] == ["000_ef22c67862e0d2cc.txt"]


def test_census_reference_sums_to_the_published_total():
    lines = (RAW / "reference" / "provinces_2020_census.tsv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0].split("\t"), [line.split("\t") for line in lines[1:] if line]
    population = [int(r[header.index("population_2020")]) for r in rows]
    assert len(rows) == 31
    assert sum(population) == 1_409_778_724
