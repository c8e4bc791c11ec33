"""The shared cut (analysis.publish.webfont.shared_cut): pages whose font is cut from the face already cut
to all their characters get the very bytes the plain way gives, whatever the other pages of the batch."""

import pytest

from analysis.publish import webfont

pytestmark = pytest.mark.slow  # a few CJK subsets: a second or two

TEXTS = ["吉林省新建口袋公园12个，惠及群众4.25万人。", "江西省2023年国民经济和社会发展统计公报（摘要）",
         "截至10月末，福建累计完成民生实事项目1200多项。«½»", "绝对数(亿元)｜比上年增长(%)"]


def test_a_page_cut_from_the_shared_cut_is_the_same_bytes_as_cut_alone():
    codepoints = [tuple(webfont.wanted(text)) for text in TEXTS]
    webfont.subset.cache_clear()
    alone = [webfont.subset(cps) for cps in codepoints]
    webfont.subset.cache_clear()
    with webfont.shared_cut("".join(TEXTS) + "湖南四川广东"):  # more than any page needs
        assert webfont._shared is not None
        shared = [webfont.subset(cps) for cps in codepoints]
    webfont.subset.cache_clear()
    assert webfont._shared is None, "outside the block, pages are cut from the whole face again"
    assert shared == alone


def test_a_page_with_characters_outside_the_shared_cut_is_cut_from_the_whole_face():
    webfont.subset.cache_clear()
    alone = webfont.subset(tuple(webfont.wanted("黑龙江")))
    webfont.subset.cache_clear()
    with webfont.shared_cut("吉林"):
        assert webfont.subset(tuple(webfont.wanted("黑龙江"))) == alone
    webfont.subset.cache_clear()
