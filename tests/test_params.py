"""Parameter checks: one clear sentence for a bad value; nothing unsafe reaches a file name."""

import pytest

from analysis.errors import InputError
from analysis.publish import params

VALID = ["湖南", "四川", "广东"]


def test_known_province_and_full_name_are_accepted():
    assert params.check_province("四川", VALID) == "四川"
    assert params.check_province("四川省", VALID) == "四川"
    assert params.check_province(" 广东 ", VALID) == "广东"


def test_unknown_province_is_one_sentence_listing_the_valid_ones():
    with pytest.raises(InputError) as err:
        params.check_province("西藏", VALID)
    message = str(err.value)
    assert message.startswith("province: '西藏' 不是数据中的省份")
    assert "湖南、四川、广东" in message
    assert "\n" not in message


@pytest.mark.parametrize("hostile", ["../x", "../../etc/passwd", "/etc", "a/b", "..", "湖\x00南"])
def test_hostile_province_is_rejected(hostile):
    with pytest.raises(InputError):
        params.check_province(hostile, VALID)


def test_provinces_list_star_and_strings():
    assert params.check_provinces("*", VALID) == VALID
    assert params.check_provinces([], VALID) == VALID
    assert params.check_provinces(["广东", "湖南省", "广东"], VALID) == ["广东", "湖南"]
    assert params.check_provinces("湖南、四川", VALID) == ["湖南", "四川"]
    with pytest.raises(InputError, match="'../x'"):
        params.check_provinces(["湖南", "../x"], VALID)
    with pytest.raises(InputError, match="请给出省份列表"):
        params.check_provinces(3, VALID)
    with pytest.raises(InputError, match="至少要 2 个省份才能比较；数据中的省份：湖南、四川、广东"):
        params.check_provinces(["湖南"], VALID, at_least=2)
    with pytest.raises(InputError, match="数据中没有归属省份的统计数字"):
        params.check_provinces("*", [], at_least=2)


def test_choice_and_bool():
    assert params.check_choice("jobs", ["jobs", "projects"], "indicator") == "jobs"
    with pytest.raises(InputError, match="不可用，可选：jobs、projects"):
        params.check_choice("job", ["jobs", "projects"], "indicator")
    assert params.check_bool("false", "per_capita") is False
    assert params.check_bool(True, "per_capita") is True
    with pytest.raises(InputError, match="应为 True 或 False"):
        params.check_bool("maybe", "per_capita")


@pytest.mark.parametrize("unsafe", ["../x", "a/b", "a\\b", ".hidden", ".", "..", "", "  ", "a:b", "x\x00y",
                                    "x" * 200])
def test_check_name_rejects_path_syntax(unsafe):
    with pytest.raises(InputError):
        params.check_name(unsafe)


def test_safe_slug_keeps_chinese_and_names_parameters():
    assert params.safe_slug("province_profile", "江西", "themes") == "province_profile_江西_themes"
    assert params.safe_slug(parameters={"province": "江西"}) == "江西"
    assert params.safe_slug(parameters={"provinces": ["吉林", "江苏"], "per_capita": False}) == "吉林+江苏_no_per_capita"
    assert params.safe_slug(parameters={}) == "default"


def test_safe_slug_shortens_long_lists_without_collisions():
    many = [f"省{i}" for i in range(31)]
    one = params.safe_slug(parameters={"provinces": many})
    other = params.safe_slug(parameters={"provinces": many[:-1]})
    assert one.startswith("31_provinces_") and other.startswith("30_provinces_")
    assert len(one) < 40


def test_safe_slug_rejects_unsafe_parameter_values():
    with pytest.raises(InputError, match="cannot be used in a file name"):
        params.safe_slug(parameters={"province": "../x"})


def test_inside_refuses_to_leave_the_root(tmp_path):
    assert params.inside(tmp_path, "a.png") == (tmp_path / "a.png").resolve()
    with pytest.raises(InputError):
        params.inside(tmp_path, "..")
    (tmp_path / "link").symlink_to("/")
    with pytest.raises(InputError, match="outside"):
        params.inside(tmp_path, "link")


def test_check_clean_dir_names_the_fix(tmp_path):
    with pytest.raises(InputError, match="run `python -m analysis clean` first"):
        params.check_clean_dir(tmp_path)


def test_an_empty_province_is_a_missing_parameter_never_the_first_one():
    with pytest.raises(InputError, match="请给出一个省份，可选：湖南、四川、广东"):
        params.check_province("", VALID)


def test_no_provinces_in_the_data_is_said_plainly():
    with pytest.raises(InputError, match="数据中没有归属省份的统计数字"):
        params.check_province("湖南", [])


def test_an_empty_choice_is_valid_only_when_it_is_one_of_them():
    assert params.check_choice("", ["", "projects"], "indicator") == ""
    with pytest.raises(InputError, match="不可用"):
        params.check_choice("", ["projects"], "indicator")


PARAMETERS_CELL = 'province: str = ""  # a province\nclean_dir: str = ""  # tables'


@pytest.mark.parametrize(("injected", "unknown"), [
    ('# Parameters\nprovince = "江西"\n', None),
    ('# Parameters\nprovnce = "江西"\n', "provnce"),
    ('# Parameters\nprovince = "江西"\nclean_dir = "x"\nper_capita = False\n', "per_capita"),
])
def test_a_parameter_the_notebook_does_not_declare_stops_the_run(injected, unknown):
    history = ["", PARAMETERS_CELL, injected, "params.check_injected()"]
    if unknown is None:
        params.check_injected(history)
        return
    with pytest.raises(InputError) as err:
        params.check_injected(history)
    assert str(err.value) == f"{unknown}: 这个笔记本没有这个参数，参数有：province、clean_dir"


def test_without_an_injected_cell_nothing_is_checked():
    params.check_injected(["", PARAMETERS_CELL, "params.check_injected()"])  # run in Lab, cell by cell
    params.check_injected(["", "x = 1", "y = 2", "params.check_injected()"])
    params.check_injected([])


def test_a_users_mistake_shows_in_ipython_as_one_line():
    err = InputError("province", "请给出一个省份，可选：湖南")
    lines = err._render_traceback_()
    assert len(lines) == 1 and "province: 请给出一个省份，可选：湖南" in lines[0] and "出错" in lines[0]


# Issue 22: names from the data (doc_ids) are escaped into file names, never refused.

ODD_NAMES = ["报告:2021?", 'a"b<c>d|e*f', "back\\slash", "two\nlines", "CON", "con.txt", "nul", ".hidden", "..",
             "trail.", " lead", "a~b", "a~7Eb", "Report", "report", "REPORT", "café", "cafe\u0301", "", "长" * 150,
             "x" * 300, "a/b", "%20", "#frag"]


def test_file_names_from_the_data_are_safe_everywhere_and_never_shared():
    names = {params.file_name(n, ".html") for n in ODD_NAMES}
    assert len(names) == len(ODD_NAMES), "two names share a file"
    folded = {n.casefold() for n in names}
    assert len(folded) == len(names), "a case-insensitive file system would confuse two of them"
    for name in names:
        stem = name[: -len(".html")]
        assert not set(stem) & set('/\\:*?"<>|') and all(ch.isprintable() for ch in stem), name
        assert stem[:1] not in (".", " ", "") and stem[-1:] not in (".", " "), name
        assert stem.split(".")[0].upper() not in ("CON", "NUL", "PRN", "AUX"), name
        assert len(name.encode("utf-8")) <= params.NAME_BYTES, name
    assert params.file_name("报告:2021?", ".html") == params.file_name("报告:2021?", ".html"), "the same every time"
    assert params.file_name("000_ef22c67862e0d2cc", ".html") == "000_ef22c67862e0d2cc.html"
    assert params.file_name("江西省报告", ".html") == "江西省报告.html", "Chinese stays as written"
