"""Per-10k values: only for counts, people and money; the census table as typed reference data."""

from __future__ import annotations

import pandas as pd
import pytest
from _datapkg_tables import census_population

from analysis.errors import InputError
from analysis.extract import lexicon
from analysis.raw.census import load_provinces
from analysis.tables.percapita import per_10k, per_capita_kinds

PROVINCES = pd.DataFrame({"province": ["甲", "乙"], "population_2020": [2_000_000, 50_000_000]})


def test_per_10k_by_hand():
    values = pd.Series([500.0, 1_000_000.0, 3e8])
    kinds = pd.Series(["count", "people", "money"])
    where = pd.Series(["甲", "乙", "乙"])
    assert per_10k(values, kinds, where, PROVINCES).tolist() == pytest.approx([2.5, 200.0, 60000.0])


@pytest.mark.parametrize("kind", ["percent", "duration", "frequency", "area", "ratio", "other"])
def test_no_per_capita_for_rates_durations_and_the_like(kind):
    assert per_10k(pd.Series([50.0]), pd.Series([kind]), pd.Series(["甲"]), PROVINCES).isna().all()


def test_unknown_or_missing_province_gets_none():
    result = per_10k(pd.Series([10.0, 10.0]), pd.Series(["count", "count"]), pd.Series(["丙", None]), PROVINCES)
    assert result.isna().all()


def test_indicator_can_veto_a_per_capita_value():
    # a per-person pension standard is money, but not a total
    result = per_10k(pd.Series([5.0, 5.0]), pd.Series(["money", "money"]), pd.Series(["甲", "甲"]), PROVINCES,
                     allowed=pd.Series([False, True]))
    assert result.isna().tolist() == [True, False]


def test_every_unit_kind_of_the_extractor_has_a_per_capita_rule():
    from analysis.tables.percapita import PER_CAPITA_TSV
    from analysis.tsv import read_tsv

    listed = {row["unit_kind"] for row in read_tsv(PER_CAPITA_TSV)}
    assert set(lexicon.load().unit_kinds) <= listed
    assert per_capita_kinds() == {"count", "people", "money"}


def test_provinces_table_matches_the_census_file():
    provinces = load_provinces()
    assert len(provinces) == 31 and provinces["province"].is_unique
    assert list(provinces.columns) == ["province", "province_full", "name_en", "region", "population_2020"]
    assert provinces["population_2020"].dtype == "int64"
    assert provinces["population_2020"].sum() == 1_409_778_724  # the census bulletin's provincial total
    assert dict(zip(provinces["province"], provinces["population_2020"])) == census_population()
    assert set(provinces["region"]) == {"东部", "中部", "西部", "东北"}


def test_census_file_problems_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_provinces(tmp_path / "missing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("province_short\tprovince_full\tname_en\tregion\tpopulation_2020\n甲\t甲省\tJia\t东部\tmany\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match="甲"):
        load_provinces(bad)
    short = tmp_path / "short.tsv"
    short.write_text("province_short\tregion\n甲\t东部\n", encoding="utf-8")
    with pytest.raises(InputError, match="population_2020"):
        load_provinces(short)
