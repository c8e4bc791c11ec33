"""The table contract is the one definition: it is consistent, and a column added there appears in
the CSV, the pandera check, datapackage.json, the data dictionary and the reader with no other edit."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.store.clean import clean
from analysis.store.reader import load
from analysis.tables import contract, schemas
from analysis.tables.contract import TABLES, Column


@pytest.mark.parametrize("name", TABLES)
def test_every_table_is_consistent(name):
    table = TABLES[name]
    names = table.names
    assert len(set(names)) == len(names), "a column twice"
    assert set(table.key) <= set(names)
    assert table.row.endswith(".") and all(c.description.endswith(".") for c in table.columns)
    for check in table.checks:
        assert {check.left, check.right} <= set(names) and check.op in (">", ">=")
    for ref in table.references:
        assert set(ref.fields) <= set(names), ref
        assert ref.table in TABLES and set(ref.to) <= set(TABLES[ref.table].names), ref
        assert len(ref.fields) == len(ref.to)
    for column in table.columns:
        assert column.type in (contract.STRING, contract.INTEGER, contract.NUMBER, contract.BOOLEAN, contract.DATE)
        allowed = column.allowed()
        assert allowed is None or (allowed and all(isinstance(v, str) for v in allowed))
        assert not (column.enriched and table.stage != contract.EXTRACTED), "only extracted tables are enriched"


def test_the_unit_kinds_are_the_lexicon_s():
    from analysis.extract import lexicon

    assert TABLES["figures"].column("unit_kind").allowed() == tuple(lexicon.load().unit_kinds)


def test_the_kinds_of_table_follow_the_data_flow():
    assert contract.EXTRACTED_TABLES == ("documents", "sections", "sentences", "figures", "dates", "mentions")
    assert contract.PER_DOCUMENT == (*contract.EXTRACTED_TABLES, "figure_themes", "indicators", "checks")
    assert contract.VOCABULARIES == ("provinces", "themes", "indicator_definitions")
    assert contract.REVIEW_TABLES == ("corrections",)
    assert "failures" not in contract.CLEAN_TABLES and "corrections" in contract.CLEAN_TABLES


def test_a_correction_can_set_every_figures_column_but_where_the_figure_is():
    settable = [c.name for c in contract.settable_columns(TABLES["figures"])]
    assert not set(settable) & set(contract.FIGURE_PLACE)
    assert {"value", "unit", "qualifier", "province", "as_of", "subject", "indicator"} <= set(settable)
    assert "theme" not in settable and "corrected" not in settable  # derived by clean
    corrections = TABLES["corrections"].names
    assert [c for c in corrections if c in settable] == settable
    for name in settable:  # the figure column's type and rules, but never required
        column, to_set = TABLES["figures"].column(name), TABLES["corrections"].column(name)
        assert (to_set.type, to_set.allowed(), to_set.pattern) == (column.type, column.allowed(), column.pattern)
        assert not to_set.required


def test_a_column_added_to_figures_is_settable_by_a_correction(monkeypatch):
    figures = TABLES["figures"]
    place = Column("place", contract.STRING, "The city or county the figure belongs to.", required=False)
    extended = dataclasses.replace(figures, columns=(*figures.columns, place))
    assert "place" in [c.name for c in contract.settable_columns(extended)]
    assert "place" in contract._corrections(extended).names


def test_importing_the_contract_loads_nothing(monkeypatch):
    import subprocess
    import sys

    code = ("import sys; import analysis.tables.contract\n"
            "print(sorted(m for m in ('pandas', 'pandera', 'analysis.extract.lexicon') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"


def test_a_column_added_to_the_contract_appears_everywhere(tmp_path, monkeypatch):
    figures = TABLES["figures"]
    note = Column("reviewer_note", contract.STRING, "What a reviewer said about the figure.", required=False)
    monkeypatch.setitem(TABLES, "figures", dataclasses.replace(figures, columns=(*figures.columns, note)))
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("甲县：修路\n今年甲县修路120公里，新建桥梁3座。", encoding="utf-8")

    assert clean(raw, tmp_path / "out").ok
    out = tmp_path / "out"
    header = pd.read_csv(out / "figures.csv", nrows=0).columns.tolist()
    assert header[-1] == "reviewer_note"
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in descriptor["resources"] if r["name"] == "figures")["schema"]["fields"]
    assert fields[-1] == {"name": "reviewer_note", "type": "string",
                          "description": "What a reviewer said about the figure."}
    assert "| `reviewer_note` | string |  |  | What a reviewer said about the figure. |" in (
        out / "README.md").read_text(encoding="utf-8")
    assert "reviewer_note" in schemas.schema(TABLES["figures"]).columns
    frame = load("figures", out)
    assert frame["reviewer_note"].isna().all() and len(frame) == 2
    # strict: a file without the column is refused by the pandera check
    with pytest.raises(schemas.TableError, match="figures: missing column 'reviewer_note'"):
        schemas.validate({"figures": frame.drop(columns="reviewer_note")})
