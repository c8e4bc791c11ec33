"""Place names in table rows map to their province through the shipped division data."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.extract.divisions import DIVISIONS_TSV, division_provinces, province_of_label

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("label", "context", "province"),
    [
        ("大连", "", "辽宁"),  # a short name
        ("大连市", "", "辽宁"),
        ("昆山市", "", "江苏"),  # a county-level city
        ("延边州", "", "吉林"),  # an alias with a suffix
        ("海南州", "", "青海"),  # 海南藏族自治州, not the province 海南
        ("海南", "", "海南"),  # the province itself
        ("河北省", "", "河北"),
        ("苏州工业园区", "", "江苏"),  # a development zone of the statistical codes
        ("无为市", "", "安徽"),  # renamed from 无为县: found through the alias after the suffix is cut
        ("朝阳区", "北京", "北京"),  # namesakes in 北京 and 吉林: the report's province decides
        ("朝阳区", "吉林", "吉林"),
        ("朝阳区", "", ""),  # and without one it stays open
        ("江北区", "重庆", "重庆"),
        ("新建幼儿园", "江西", ""),  # never by prefix (南昌's 新建区)
        ("合计", "", ""),
        ("第一产业", "", ""),
        ("香港", "", ""),  # not one of the 31 provinces of the gazetteer
        ("", "北京", ""),
    ],
)
def test_province_of_label(label, context, province):
    assert province_of_label(label, context) == province


def test_the_data_file_says_where_it_came_from():
    header = [line for line in DIVISIONS_TSV.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    source = next(line for line in header if line.startswith("# source:"))
    assert re.search(r"jionlp \d+\.\d+\.\d+, .*sha256 [0-9a-f]{64}", source)
    assert any(line.startswith("# licence: Apache-2.0") for line in header)


def test_every_province_has_its_cities_and_no_name_maps_outside_the_31():
    from analysis.extract.provinces import short_names

    provinces = set(short_names().values())
    names = division_provinces()
    assert len(names) > 5000
    assert set().union(*names.values()) == provinces


@pytest.mark.skipif(importlib.util.find_spec("jionlp") is None, reason="needs the bench extra (jionlp)")
def test_the_shipped_file_is_what_the_build_script_makes():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "build_divisions.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
