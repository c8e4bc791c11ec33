"""The genre set's answer keys fit their texts, read as the extractor reads them (GBK included)."""

from __future__ import annotations

import shutil

from benchmarks import check_genre_gold
from benchmarks.check_genre_gold import GENRE_DIR


def test_every_genre_key_fits_its_text():
    assert check_genre_gold.main([]) == 0


def test_a_key_that_does_not_fit_its_gbk_text_is_reported(tmp_path, capsys):
    for name in ("manifest.tsv", "05_guangxi_gbk.txt", "05_guangxi_gbk.tsv"):
        shutil.copy(GENRE_DIR / name, tmp_path / name)
    key = tmp_path / "05_guangxi_gbk.tsv"
    lines = key.read_text(encoding="utf-8").splitlines()
    lines.append("不在文中的数字99999个\t1\tstat\t广西\t99999\t个\t\t\t")
    key.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert check_genre_gold.main(["--genre-dir", str(tmp_path), "05_guangxi_gbk"]) != 0
