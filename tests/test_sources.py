"""Reading raw reports: every encoding class, rejections, HTML, sidecars. Sentences are our own."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os

import pytest

from analysis.errors import InputError
from analysis.raw.decode import NOT_TEXT, read_text
from analysis.raw.discover import raw_reports
from analysis.raw.html_text import html_to_text
from analysis.raw.report import load_source
from analysis.raw.sidecar import sidecar_path

SIMPLIFIED = (
    "河东区：为民服务见实效\n"
    "截至10月底，河东区已为群众办理实事3200余件，新建社区食堂15个，惠及居民近4万人。"
)
TRADITIONAL = "河東區：為民服務見實效\n截至10月底，本區已為群眾辦理實事3200餘件，新建社區食堂15個，惠及居民近4萬人。"


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("text", "raw_encoding", "bom", "expected_encoding"),
    [
        (SIMPLIFIED, "utf-8", b"", "utf-8"),
        (SIMPLIFIED, "utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        (SIMPLIFIED, "gb18030", b"", "gb18030"),
        (SIMPLIFIED, "gbk", b"", "gb18030"),
        (TRADITIONAL, "big5", b"", "big5"),
        (SIMPLIFIED, "utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        (SIMPLIFIED, "utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
        (SIMPLIFIED, "utf-16-le", b"", "utf-16-le"),
        (SIMPLIFIED, "utf-16-be", b"", "utf-16-be"),
        (TRADITIONAL, "utf-16-le", b"", "utf-16-le"),
    ],
)
def test_each_encoding_decodes_to_the_same_text(tmp_path, text, raw_encoding, bom, expected_encoding):
    path = write(tmp_path, "report.txt", bom + text.encode(raw_encoding))
    decoded = read_text(path)
    assert decoded.text == text  # BOM removed, nothing else changed
    assert decoded.encoding == expected_encoding
    assert not decoded.is_html


def test_gb18030_only_characters_survive(tmp_path):
    # 㙍 is outside GBK: a GBK-only decoder would fail on it.
    text = "新建文化驿站8个，其中㙍村2个。"
    decoded = read_text(write(tmp_path, "r.txt", text.encode("gb18030")))
    assert decoded.text == text and decoded.encoding == "gb18030"


def test_crlf_line_ends_are_kept_so_offsets_match_the_file(tmp_path):
    text = "标题\r\n全县新修道路12公里。\r\n"
    assert read_text(write(tmp_path, "r.txt", text.encode("gbk"))).text == text


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,  # every byte value: NULs on both parities
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(200),
        b"\x1f\x8b\x08\x00" + bytes([7, 200, 13, 1, 0, 2, 0, 99] * 40),  # gzip-like
        os.urandom(0) + bytes((i * 37 + 11) % 256 for i in range(4001)),  # odd length, NULs scattered
        b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 50,  # control bytes only, no NUL
    ],
)
def test_binary_is_rejected_with_one_clear_line(tmp_path, data):
    path = write(tmp_path, "blob.bin", data)
    with pytest.raises(InputError) as err:
        read_text(path)
    assert str(err.value) == f"{path}: {NOT_TEXT}"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", "\u3000\u3000\n".encode("utf-8"), codecs.BOM_UTF8, codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_or_whitespace_only_is_rejected(tmp_path, data):
    path = write(tmp_path, "empty.txt", data)
    with pytest.raises(InputError) as err:
        read_text(path)
    assert err.value.problem == "file is empty"


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError) as err:
        read_text(tmp_path / "nope.txt")
    assert err.value.problem == "no such file"
    with pytest.raises(InputError) as err:
        read_text(tmp_path)
    assert "not a file" in err.value.problem


def test_bom_that_lies_is_rejected(tmp_path):
    path = write(tmp_path, "r.txt", codecs.BOM_UTF8 + "全市新建驿站".encode("gbk"))
    with pytest.raises(InputError) as err:
        read_text(path)
    assert "byte-order mark" in err.value.problem


HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>网站首页 - 新闻</title>
<style>p {{ color: red; }}</style><script>var total = 12345;</script></head>
<body><nav><a href="/">首页</a> | <a href="/news">新闻中心</a></nav>
<h1>西岭县：小事办实　实事办好</h1>
<div class="article"><p>　　截至11月底，西岭县共解决群众&ldquo;急难愁盼&rdquo;问题1,280个，
投入资金2.6亿元&nbsp;。</p><p>其中新改建村道<b>86</b>公里&amp;桥梁4座。<br>受益群众超过3万人。</p></div>
<footer>版权所有 电话 12345</footer></body></html>"""


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_html_is_reduced_to_article_text(tmp_path, charset):
    path = write(tmp_path, "page.html", HTML_PAGE.format(charset=charset).encode(charset))
    decoded = read_text(path)
    assert decoded.is_html
    # trafilatura's text: a paragraph a line (its source line break a space), inline tags within the
    # line, indents and the headline's ideographic space as plain spaces
    assert decoded.text.splitlines() == [
        "西岭县：小事办实 实事办好",
        "截至11月底，西岭县共解决群众“急难愁盼”问题1,280个， 投入资金2.6亿元 。",
        "其中新改建村道86公里&桥梁4座。",
        "受益群众超过3万人。",
    ]
    assert decoded.title == "西岭县：小事办实 实事办好" and decoded.format == "html"
    # Script, style, navigation, page title and footer are not article text.
    for dropped in ("12345", "color", "首页", "网站", "版权"):
        assert dropped not in decoded.text


def test_html_fragment_without_html_tag():
    assert html_to_text("<p>本周新增岗位<em>40</em>个</p><p>第二段</p>") == "本周新增岗位40个\n第二段"


def test_plain_text_with_angle_brackets_is_not_html(tmp_path):
    text = "据《人民日报》报道，指标值<5%的村庄有3个。"
    decoded = read_text(write(tmp_path, "r.txt", text.encode()))
    assert decoded.text == text and not decoded.is_html


# --- raw folder and sidecars -------------------------------------------------------------------


def test_raw_reports_lists_only_reports(tmp_path):
    for name in ["b.txt", "a.html", "a.txt.source.yml", ".hidden.txt", "README.md", "x.txt.tmp"]:
        (tmp_path / name).write_text("内容")
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "census.tsv").write_text("x")
    assert [p.name for p in raw_reports(tmp_path)] == ["a.html", "b.txt"]


def test_raw_reports_of_missing_folder(tmp_path):
    with pytest.raises(InputError, match="no such directory"):
        raw_reports(tmp_path / "missing")


def sidecar(path, **fields):
    import yaml

    sidecar_path(path).write_text(yaml.safe_dump(fields, allow_unicode=True), encoding="utf-8")


def test_load_source_reads_the_sidecar(tmp_path):
    data = SIMPLIFIED.encode("gbk")
    path = write(tmp_path, "007_demo.txt", data)
    sidecar(
        path, title="河东区办实事", publisher="某日报", url="https://example.org/a", date_published="2022-03-04",
        date_published_inferred=False, sha256=hashlib.sha256(data).hexdigest(),
    )
    source = load_source(path)
    assert source.doc_id == "007_demo"
    assert (source.title, source.publisher, source.url) == ("河东区办实事", "某日报", "https://example.org/a")
    assert source.published == dt.date(2022, 3, 4) and source.published_inferred is False
    assert source.text == SIMPLIFIED and source.encoding == "gb18030"
    assert source.sha256 == hashlib.sha256(data).hexdigest()


def test_without_sidecar_title_is_the_first_line(tmp_path):
    path = write(tmp_path, "note.txt", ("\n  " + SIMPLIFIED).encode())
    source = load_source(path)
    assert source.title == "河东区：为民服务见实效"
    assert source.published is None and source.publisher is None and source.url is None


def test_title_stops_at_ideographic_space_run(tmp_path):
    path = write(tmp_path, "run.txt", "南山镇：办好民生事　　今年以来，南山镇新建公厕6座。".encode())
    assert load_source(path).title == "南山镇：办好民生事"


def test_sha256_mismatch_names_the_file(tmp_path):
    path = write(tmp_path, "r.txt", SIMPLIFIED.encode())
    sidecar(path, title="t", sha256="0" * 64)
    with pytest.raises(InputError) as err:
        load_source(path)
    assert err.value.where == str(path) and "sha256" in err.value.problem


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"date_published": "2021-13-01"}, "not a valid date"),
        ({"date_published": "yesterday"}, "not a valid date"),
        ({"publishr": "typo"}, "unknown field"),
        ({"date_published_inferred": "maybe"}, "true or false"),
    ],
)
def test_bad_sidecar_is_an_input_error_naming_the_sidecar(tmp_path, fields, problem):
    path = write(tmp_path, "r.txt", SIMPLIFIED.encode())
    sidecar(path, **fields)
    with pytest.raises(InputError) as err:
        load_source(path)
    assert err.value.where == str(sidecar_path(path)) and problem in err.value.problem


def test_sidecar_that_is_not_a_mapping(tmp_path):
    path = write(tmp_path, "r.txt", SIMPLIFIED.encode())
    sidecar_path(path).write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(InputError, match="mapping"):
        load_source(path)


# Short texts are where detectors guess wrong (UTF-16 or a Korean code page for a few GBK bytes).
SHORT_SIMPLIFIED = ["全镇新建公厕12座", "帮扶困难家庭1800户", "截至目前共有", "统一", "年底前完成"]
SHORT_TRADITIONAL = ["本市辦實事", "截至目前共有", "進一步", "新增車位五百多個"]


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [(t, e, x) for t in SHORT_SIMPLIFIED for e, x in [("gbk", "gb18030"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")]]
    + [(t, e, x) for t in SHORT_TRADITIONAL for e, x in [("big5", "big5"), ("gb18030", "gb18030"), ("utf-16-le", "utf-16-le")]],
)
def test_short_texts_without_bom(tmp_path, text, encoding, expected):
    decoded = read_text(write(tmp_path, "short.txt", text.encode(encoding)))
    assert (decoded.text, decoded.encoding) == (text, expected)


# --- properties ----------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

COMMON_HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_decode_or_raise_input_error(tmp_path, data):
    path = write(tmp_path, "fuzz.txt", data)
    try:
        decoded = read_text(path)
    except InputError as err:
        assert err.where == str(path) and err.problem
    else:
        assert decoded.text.strip()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(alphabet=COMMON_HANZI + "0123456789，。、：；“”（）%", min_size=12, max_size=200).filter(lambda t: t.strip()),
    encoding=st.sampled_from(["utf-8", "gb18030", "utf-16-le", "utf-16-be"]),
    bom=st.booleans(),
)
def test_chinese_text_round_trips_in_every_encoding(tmp_path, text, encoding, bom):
    prefix = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    path = write(tmp_path, "prop.txt", (prefix if bom else b"") + text.encode(encoding))
    assert read_text(path).text == text


def test_plausibility_counts_exactly_the_ordinary_characters():
    # the fast count (one character class) must agree with the definition, character by character
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from analysis.raw.decode import _common_characters, _plausibility

    common = _common_characters()

    def ordinary(ch):
        return (ch in common or "\x20" <= ch <= "\x7e" or ch in "\t\r\n" or "\u3000" <= ch <= "\u303f"
                or "\uff01" <= ch <= "\uff5e" or "\u2010" <= ch <= "\u2027")

    chars = st.one_of(st.characters(), st.sampled_from(sorted(common)[:200]),
                      st.sampled_from("\x1f\x7f\u302f\u3040\uff00\uff5f\u200f\u2028\t\n"))

    @settings(max_examples=200, deadline=None)
    @given(st.text(chars, min_size=1, max_size=60))
    def check(text):
        assert _plausibility(text) == sum(map(ordinary, text)) / len(text)

    check()
