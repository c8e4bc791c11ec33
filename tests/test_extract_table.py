"""Table-driven tests for ``analysis.extract.figures.extract`` on sentences of the genre.

Every sentence here is written for this suite (invented provinces' figures in the style of
government work reports and People's Daily round-ups); none is copied from a real report.
Tables are grouped by style so a failing id says what kind of writing broke:

* ``fig(...)`` rows: the mention spanning ``surface`` (its ``occ``-th occurrence) is a figure
  with the given value, unit, qualifier and any extra fields (value_high, as_of, cumulative, ...).
* ``dat(...)`` rows: the mention spanning ``surface`` is a date with the given ISO value.
* ``trap(...)`` rows: every mention overlapping ``needle`` has one of the allowed dispositions,
  and none of them is a figure.

All texts are read as if published on 2021-12-01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

PUBLISHED = date(2021, 12, 1)

# Characters the mentions ledger must account for (ARCHITECTURE: "every digit or Chinese numeral
# character in the text lies inside exactly one mention").
NUMERAL_CHARS = frozenset(
    "0123456789０１２３４５６７８９"
    "〇零一二三四五六七八九十百千万亿两"
    "壹贰叁肆伍陆柒捌玖拾佰仟萬億兩"
)


def extract(text: str, published: date | None = PUBLISHED) -> list:
    # Imported per call so the suite is collected (and fails row by row) before the module lands.
    from analysis.extract.figures import extract as run

    return run(text, published)


def span_of(text: str, surface: str, occ: int = 1) -> tuple[int, int]:
    pos = -1
    for _ in range(occ):
        pos = text.find(surface, pos + 1)
        if pos < 0:
            raise AssertionError(f"table error: occurrence {occ} of {surface!r} not in {text!r}")
    return pos, pos + len(surface)


def describe(mentions: list) -> str:
    return "; ".join(
        f"[{m.start},{m.end}) {m.surface!r} {m.disposition} value={m.value} unit={m.unit!r} "
        f"q={m.qualifier} as_of={m.as_of!r}"
        for m in mentions
    )


def mention_at(mentions: list, text: str, surface: str, occ: int = 1):
    start, end = span_of(text, surface, occ)
    for m in mentions:
        if m.start == start and m.end == end:
            return m
    raise AssertionError(f"no mention spans {surface!r} [{start},{end}); got: {describe(mentions)}")


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def fig(case_id: str, text: str, surface: str, value, unit: str, qualifier: str = "exact",
        *, occ: int = 1, **extra):
    expected = {"disposition": "figure", "value": Decimal(str(value)), "unit": unit,
                "qualifier": qualifier, **extra}
    expected.setdefault("value_high", None)
    if expected["value_high"] is not None:
        expected["value_high"] = Decimal(str(expected["value_high"]))
    return pytest.param(text, surface, occ, expected, id=case_id)


def dat(case_id: str, text: str, surface: str, iso: str, *, occ: int = 1):
    return pytest.param(text, surface, occ, iso, id=case_id)


def trap(case_id: str, text: str, needle: str, allowed: set[str], *, occ: int = 1):
    return pytest.param(text, needle, occ, frozenset(allowed), id=case_id)


# --- units and classifiers -------------------------------------------------------------------
UNITS = [
    fig("unit-hu", "四川省累计改造农村危房2.6万户，惠及群众8.1万人。", "2.6万户", 26000, "户",
        cumulative=True),
    fig("unit-ren", "四川省累计改造农村危房2.6万户，惠及群众8.1万人。", "8.1万人", 81000, "人",
        unit_kind="people"),
    fig("unit-mu", "黑龙江省今年完成高标准农田建设650万亩。", "650万亩", 6500000, "亩",
        unit_kind="area"),
    fig("unit-zhang", "内蒙古自治区今年新增养老床位3200张。", "3200张", 3200, "张"),
    fig("unit-suo", "广西壮族自治区新建和改扩建乡镇卫生院47所。", "47所", 47, "所"),
    fig("unit-tiao-1", "上海市新开通公交线路23条，优化调整线路41条。", "23条", 23, "条"),
    fig("unit-tiao-2", "上海市新开通公交线路23条，优化调整线路41条。", "41条", 41, "条"),
    fig("unit-yiyuan", "浙江省全年发放创业担保贷款38.6亿元。", "38.6亿元", 3860000000, "元",
        unit_kind="money"),
    fig("unit-wanyuan", "湖南省为困难群众发放临时救助金5260万元。", "5260万元", 52600000, "元",
        unit_kind="money"),
    fig("unit-chang", "山东省组织专场招聘会1860场，提供就业岗位42万个。", "1860场", 1860, "场"),
    fig("unit-wange", "山东省组织专场招聘会1860场，提供就业岗位42万个。", "42万个", 420000, "个",
        unit_kind="count"),
    fig("unit-gongli", "河南省新建改建农村公路1.2万公里。", "1.2万公里", 12000, "公里",
        unit_kind="length"),
    fig("unit-gongqing", "贵州省完成人工造林8.5万公顷。", "8.5万公顷", 85000, "公顷",
        unit_kind="area"),
    fig("unit-zhi", "湖北省共派出医疗队312支，义诊群众9.6万人次。", "312支", 312, "支"),
    fig("unit-renci", "湖北省共派出医疗队312支，义诊群众9.6万人次。", "9.6万人次", 96000, "人次"),
    fig("unit-ge-sep", "安徽省新增城镇老旧小区改造项目1,506个。", "1,506个", 1506, "个"),
    fig("unit-dun", "云南省今年处理农村生活垃圾38万吨。", "38万吨", 380000, "吨", unit_kind="weight"),
    fig("unit-tao", "陕西省新建保障性租赁住房2.1万套。", "2.1万套", 21000, "套"),
    fig("unit-liang", "甘肃省新建城市停车泊位1.5万个，新增新能源公交车860辆。", "860辆", 860, "辆"),
    fig("unit-pingfangmi", "重庆市完成棚户区改造面积320万平方米。", "320万平方米", 3200000,
        "平方米", unit_kind="area"),
    fig("unit-ce", "河北省为乡村学校图书室配送图书65万册。", "65万册", 650000, "册"),
    fig("unit-pian", "天津市公开发布政策解读文章128篇。", "128篇", 128, "篇"),
    fig("unit-zuo", "宁夏回族自治区新建村级综合服务站214座。", "214座", 214, "座"),
    fig("unit-tian", "青海省将企业开办时间压缩至1天。", "1天", 1, "天", unit_kind="duration"),
    # Gold convention (seed 3个工作日): the classifier 个 is the unit.
    fig("unit-gongzuori-1", "办理时限由20个工作日缩短至5个工作日。", "20个工作日", 20, "个"),
    fig("unit-gongzuori-2", "办理时限由20个工作日缩短至5个工作日。", "5个工作日", 5, "个"),
    fig("unit-ming", "西藏自治区培训农牧民技能人才1.3万名。", "1.3万名", 13000, "名",
        unit_kind="people"),
    fig("unit-jian", "山西省受理群众诉求13.6万件，办结率98.7%。", "13.6万件", 136000, "件"),
    fig("unit-pct", "山西省受理群众诉求13.6万件，办结率98.7%。", "98.7%", Decimal("98.7"), "%",
        unit_kind="percent"),
    fig("unit-jia", "辽宁省今年新增注册市场主体42.8万家。", "42.8万家", 428000, "家"),
    fig("unit-qi", "吉林省举办线上培训班36期，培训学员5400名。", "36期", 36, "期"),
    fig("unit-ming-2", "吉林省举办线上培训班36期，培训学员5400名。", "5400名", 5400, "名"),
    fig("unit-xiang", "福建省为群众解决急难愁盼问题7.8万项。", "7.8万项", 78000, "项"),
    fig("unit-tai", "广东省今年完成2340台老旧电梯安全评估。", "2340台", 2340, "台",
        unit_kind="count"),
    fig("unit-qianmi", "四川省新建城镇污水管网1860千米。", "1860千米", 1860, "千米",
        unit_kind="length"),
    fig("unit-lifangmi", "内蒙古新增水利工程蓄水能力3.2亿立方米。", "3.2亿立方米", 320000000,
        "立方米", unit_kind="volume"),
    fig("unit-xiaoshi", "海南省不动产登记办理时间压减到48小时。", "48小时", 48, "小时",
        unit_kind="duration"),
    fig("unit-nian", "新疆将农村公路养护合同期限延长到3年。", "3年", 3, "年", unit_kind="duration"),
    fig("unit-ci", "江西省今年开展义诊活动860次。", "860次", 860, "次"),
    fig("unit-pici", "海关今年抽检进口冷链食品1.6万批次。", "1.6万批次", 16000, "批次"),
    fig("unit-jia-2", "北京市新建社区养老服务驿站80家。", "80家", 80, "家"),
    # A report cut off right after a unit: the figure is complete and its span must stay in the text.
    fig("unit-at-text-end", "全市今年新建养老院12所", "12所", 12, "所"),
    fig("unit-at-text-end-hu", "全县今年完成危房改造860户", "860户", 860, "户"),
]

# --- qualifiers before and after the number --------------------------------------------------
QUALIFIERS = [
    fig("q-jin", "湖南全省近3.5万名党员干部下沉社区。", "3.5万名", 35000, "名", "approx"),
    fig("q-yue", "江苏约12.6万户家庭享受住房补贴。", "12.6万户", 126000, "户", "approx"),
    fig("q-zuoyou", "每场活动吸引群众300人左右。", "300人", 300, "人", "approx"),
    fig("q-dayue", "大约800名志愿者参与了服务。", "800名", 800, "名", "approx"),
    fig("q-jiangjin", "将近2000户居民用上了管道燃气。", "2000户", 2000, "户", "approx"),
    fig("q-chao", "全省发放消费券超2亿元。", "2亿元", 200000000, "元", "lower_bound"),
    fig("q-chaoguo", "参与线上答题的群众超过150万人次。", "150万人次", 1500000, "人次",
        "lower_bound"),
    fig("q-yu-prefix", "惠及农户逾6万户。", "6万户", 60000, "户", "lower_bound"),
    fig("q-duo", "今年新建公共充电桩1500多个。", "1500多个", 1500, "个", "lower_bound"),
    fig("q-yu-inner", "全市化解信访积案560余件。", "560余件", 560, "件", "lower_bound"),
    fig("q-yishang", "每年培训乡村医生5000人次以上。", "5000人次", 5000, "人次", "lower_bound"),
    fig("q-tupo", "网上办件量突破1000万件。", "1000万件", 10000000, "件", "lower_bound"),
    fig("q-da-yishang", "日均服务人数达3万人以上。", "3万人", 30000, "人", "lower_bound"),
    fig("q-budao", "群众平均等候时间不到10分钟。", "10分钟", 10, "分钟", "upper_bound",
        unit_kind="duration"),
    fig("q-buzu", "目前不足5%的事项仍需到现场办理。", "5%", 5, "%", "upper_bound"),
    fig("q-yinei", "审批时间压缩在3个工作日以内。", "3个工作日", 3, "个", "upper_bound"),
    fig("q-yixia", "普惠小微贷款利率控制在4%以下。", "4%", 4, "%", "upper_bound"),
    fig("q-qiyu-not-qualifier", "其余3个县已全部完成验收。", "3个", 3, "个", "exact"),
    fig("q-chaoshi-not-qualifier", "今年新建社区便民超市12家。", "12家", 12, "家", "exact"),
    fig("q-da-is-exact", "全省注册志愿者已达85万人。", "85万人", 850000, "人", "exact"),
    fig("q-chao-cumulative", "累计服务老年人超10万人次。", "10万人次", 100000, "人次", "lower_bound",
        cumulative=True),
    fig("q-wanyu-pici", "全省检测食品样品6万余批次。", "6万余批次", 60000, "批次", "lower_bound"),
    fig("q-duowan", "政务短视频累计播放3000多万次。", "3000多万次", 30000000, "次", "lower_bound",
        cumulative=True),
]

# --- ranges ----------------------------------------------------------------------------------
RANGES = [
    fig("range-zhi", "每个行政村配备3至5名网格员。", "3至5名", 3, "名", "exact", value_high=5),
    fig("range-emdash", "每个帮扶小组由3—5个家庭组成。", "3—5个", 3, "个", "exact", value_high=5),
    fig("range-hyphen", "新入职社工的岗前培训为3-5天。", "3-5天", 3, "天", "exact", value_high=5),
    fig("range-chinese", "每个社区建设三到五个健身点。", "三到五个", 3, "个", "exact", value_high=5),
    fig("range-wan", "人才安家补贴标准提高到2万至3万元。", "2万至3万元", 20000, "元", "exact",
        value_high=30000),
    fig("range-tilde", "每人每月发放生活补助800～1200元。", "800～1200元", 800, "元", "exact",
        value_high=1200),
    fig("range-days", "每批次培训周期为3至5天。", "3至5天", 3, "天", "exact", value_high=5),
    fig("range-pct", "企业养老保险缴费比例下调5%—8%。", "5%—8%", 5, "%", "exact", value_high=8),
    fig("range-per-mu", "种植大豆每亩增收200-300元。", "200-300元", 200, "元", "exact",
        value_high=300),
    fig("not-range-from", "行政村快递覆盖率从85%提高到92%。", "85%", 85, "%", "exact"),
    fig("not-range-to", "行政村快递覆盖率从85%提高到92%。", "92%", 92, "%", "exact"),
]

# --- multipliers 万 亿 万亿 千万 -----------------------------------------------------------------
MULTIPLIERS = [
    fig("mult-wanyi", "全省一般公共预算支出达1.05万亿元。", "1.05万亿元", 1050000000000, "元"),
    fig("mult-wanyi-2", "全市社会消费品零售总额4.2万亿元。", "4.2万亿元", 4200000000000, "元"),
    fig("mult-qianwan", "省财政安排专项资金3千万元。", "3千万元", 30000000, "元"),
    fig("mult-sep-wan", "城乡居民医保参保人数达1,234万人。", "1,234万人", 12340000, "人"),
    fig("mult-yi-jian", "政务服务平台累计办理业务2.35亿件。", "2.35亿件", 235000000, "件",
        cumulative=True),
    fig("mult-yi-renci", "全年接待游客5.6亿人次。", "5.6亿人次", 560000000, "人次"),
    fig("mult-sep-dec-wan", "全年发放创业贷款12,345.6万元。", "12,345.6万元", 123456000, "元"),
    fig("mult-qianyi", "网络零售交易额达8千亿元。", "8千亿元", 800000000000, "元"),
    fig("mult-baiwan", "新增城镇就业岗位5百万个。", "5百万个", 5000000, "个"),
]

# --- full-width digits, half-width punctuation, separators ------------------------------------
WIDTHS = [
    fig("fw-wanren", "全区新增城镇就业５．６万人。", "５．６万人", 56000, "人"),
    fig("fw-wanyuan", "完成项目投资１２３．４万元。", "１２３．４万元", 1234000, "元"),
    # Debatable: ， between full-width digit groups read as a thousands separator (machine-widened 1,234).
    fig("fw-sep", "今年改造农村户厕１，２３４户。", "１，２３４户", 1234, "户"),
    fig("fw-pct", "群众满意率达９８．６％。", "９８．６％", Decimal("98.6"), "%"),
    fig("hw-punct-asof", "截至10月末,全省新增城镇就业45.2万人.", "45.2万人", 452000, "人",
        as_of="2021-10-31"),
    fig("hw-paren", "全年完成造林(含退化林修复)120万亩.", "120万亩", 1200000, "亩"),
    fig("sep-plain", "全省共完成民生实事项目109,951项。", "109,951项", 109951, "项"),
    fig("fw-mixed-digits", "新建乡村图书室２1个。", "２1个", 21, "个"),
    # Debatable: PDF copies put spaces around numbers; the surface keeps them.
    fig("space-inside", "全市新增就业 2.5 万人。", "2.5 万人", 25000, "人"),
]

# --- Chinese numerals ------------------------------------------------------------------------
CHINESE = [
    fig("cn-3700yu", "省级领导班子成员领办民生项目三千七百余项。", "三千七百余项", 3700, "项",
        "lower_bound"),
    fig("cn-baifenzhi", "群众满意度达到百分之九十以上。", "百分之九十", 90, "%", "lower_bound",
        unit_kind="percent"),
    fig("cn-liangwanyu", "全市两万余人参加了无偿献血。", "两万余人", 20000, "人", "lower_bound"),
    fig("cn-120", "共建成一百二十个村级服务站。", "一百二十个", 120, "个"),
    fig("cn-wuge", "组建五个督导组分赴各市州。", "五个", 5, "个"),
    fig("cn-qianyu", "全县组织千余名党员下沉网格。", "千余名", 1000, "名", "lower_bound"),
    fig("cn-baiyu", "吸引百余家企业入驻园区。", "百余家", 100, "家", "lower_bound"),
    fig("cn-baifenzhibai", "贫困户危房改造做到百分之百覆盖。", "百分之百", 100, "%"),
    fig("cn-shierci", "先后召开十二次专题会议研究部署。", "十二次", 12, "次"),
    fig("cn-35wan-yuan", "资助家庭困难学生三十五万元。", "三十五万元", 350000, "元"),
    fig("cn-ershiyu", "全县二十余家企业参与结对帮扶。", "二十余家", 20, "家", "lower_bound"),
    fig("cn-wubaiduo", "招募五百多名志愿者参与服务。", "五百多名", 500, "名", "lower_bound"),
    fig("cn-1005", "为一千零五户家庭安装燃气报警器。", "一千零五户", 1005, "户"),
    fig("cn-yiyi5qianwan", "投入省级资金一亿五千万元。", "一亿五千万元", 150000000, "元"),
    fig("cn-pct-point", "群众满意率为百分之九十五点五。", "百分之九十五点五", Decimal("95.5"), "%"),
    fig("cn-liangge", "设立两个便民服务中心。", "两个", 2, "个"),
    fig("cn-financial", "收到捐款人民币壹万贰仟元。", "壹万贰仟元", 12000, "元"),
]

# --- traditional characters and mixed scripts -------------------------------------------------
TRADITIONAL = [
    fig("trad-wange", "全省新增就業崗位4.25萬個。", "4.25萬個", 42500, "个"),
    fig("trad-wanyi", "累計投入資金5.05萬億元。", "5.05萬億元", 5050000000000, "元",
        cumulative=True),
    fig("trad-yu-xiang", "領辦實事項目3,700餘項。", "3,700餘項", 3700, "项", "lower_bound"),
    fig("trad-liangwan", "兩萬餘人參加技能培訓。", "兩萬餘人", 20000, "人", "lower_bound"),
    fig("trad-ge", "建成12個便民服務中心。", "12個", 12, "个"),
    fig("trad-yi", "發放各類補貼2.3億元。", "2.3億元", 230000000, "元"),
    fig("trad-wanyu-jian", "受理群眾訴求86萬餘件。", "86萬餘件", 860000, "件", "lower_bound"),
    fig("mixed-latin-gdp", "前三季度全省GDP同比增长8.1%。", "8.1%", Decimal("8.1"), "%"),
    fig("mixed-latin-app", "“皖事通”APP累计注册用户达6,500万人。", "6,500万人", 65000000, "人",
        cumulative=True),
    # Debatable: machine conversion with pinyin glosses inside the number (issue 5).
    fig("trad-pinyin-gloss", "累計投入5.05萬(wàn)億元。", "5.05萬(wàn)億元", 5050000000000, "元",
        cumulative=True),
]

# --- percent and percent points ---------------------------------------------------------------
PERCENT = [
    fig("pct-cheng", "网上可办事项占比超过九成。", "九成", 90, "%", "lower_bound", unit_kind="percent"),
    fig("pct-plain", "全省政务服务好评率达99.5%。", "99.5%", Decimal("99.5"), "%"),
    fig("pct-fullwidth-sign", "网络零售额同比增长12.5％。", "12.5％", Decimal("12.5"), "%"),
    # Debatable: 个 is a classifier here; the unit of a change in a rate is 百分点.
    fig("pct-points", "城镇调查失业率下降0.6个百分点。", "0.6个百分点", Decimal("0.6"), "百分点",
        unit_kind="percent"),
    fig("pct-100", "群众诉求按时办结率100%。", "100%", 100, "%"),
    fig("pct-yishang", "城乡居民医保参保率稳定在95%以上。", "95%", 95, "%", "lower_bound"),
    fig("pct-jin", "农村自来水普及率近90%。", "90%", 90, "%", "approx"),
]

# --- dates -------------------------------------------------------------------------------------
DATES = [
    dat("date-md", "11月25日，广东省召开民生实事推进会。", "11月25日", "2021-11-25"),
    dat("date-yuemo", "截至10月末，全省城镇新增就业38.4万人。", "10月末", "2021-10-31"),
    dat("date-yuedi", "截至9月底，全省完成投资120亿元。", "9月底", "2021-09-30"),
    dat("date-first-months", "前10个月，全市接待游客3200万人次。", "前10个月", "2021-01/2021-10"),
    dat("date-first-quarters", "今年前三季度，全区新增市场主体4.1万户。", "前三季度", "2021-01/2021-09"),
    dat("date-feb-end", "截至2月底，全区已开工项目46个。", "2月底", "2021-02-28"),
    dat("date-jinnian", "今年5月，四川省出台稳就业若干措施。", "今年5月", "2021-05"),
    dat("date-qunian", "去年12月，黑龙江省启动冬季送温暖行动。", "去年12月", "2020-12"),
    dat("date-year", "2021年全省新增城镇就业52.6万人。", "2021年", "2021"),
    dat("date-ym", "2020年3月启动的农村公路提升工程已全部完工。", "2020年3月", "2020-03"),
    dat("date-ymd", "条例自2019年10月1日起施行。", "2019年10月1日", "2019-10-01"),
    dat("date-md-2", "截至11月20日，全区接种疫苗1,520万剂次。", "11月20日", "2021-11-20"),
    dat("date-fw", "１１月３０日，上海市召开新闻发布会。", "１１月３０日", "2021-11-30"),
]

# --- as-of scope of 截至 and cumulative markers -------------------------------------------------
AS_OF = [
    fig("asof-yuemo-1", "截至10月末，全省城镇新增就业38.4万人，完成全年目标的106%。", "38.4万人",
        384000, "人", as_of="2021-10-31"),
    fig("asof-yuemo-2", "截至10月末，全省城镇新增就业38.4万人，完成全年目标的106%。", "106%",
        106, "%", as_of="2021-10-31"),
    # 截至目前: the publication date these cases are read with (2021-12-01)
    fig("asof-report", "截至目前，全市已建成口袋公园126个。", "126个", 126, "个", as_of="2021-12-01",
        as_of_kind="report"),
    fig("asof-cumulative", "截至9月底，全省累计发放贷款86.5亿元，惠及小微企业3200余家。",
        "86.5亿元", 8650000000, "元", as_of="2021-09-30", cumulative=True),
    fig("asof-second-clause", "截至9月底，全省累计发放贷款86.5亿元，惠及小微企业3200余家。",
        "3200余家", 3200, "家", "lower_bound", as_of="2021-09-30"),
    fig("asof-md", "截至11月20日，全区共接种疫苗1,520万剂次。全年计划新建农村公路800公里。",
        "1,520万剂次", 15200000, "剂次", as_of="2021-11-20"),
    fig("asof-ends-at-sentence", "截至11月20日，全区共接种疫苗1,520万剂次。全年计划新建农村公路800公里。",
        "800公里", 800, "公里", as_of=""),
    fig("asof-ym", "截至2021年11月，全省建成公共充电站450座。", "450座", 450, "座",
        as_of="2021-11-30", as_of_kind="month_end"),
    fig("asof-stated", "截至2021年11月20日，全省建成公共充电站450座。", "450座", 450, "座",
        as_of="2021-11-20", as_of_kind="stated"),
    fig("asof-quarter", "截至2021年三季度末，全省建成公共充电站450座。", "450座", 450, "座",
        as_of="2021-09-30", as_of_kind="month_end"),
    fig("asof-none", "今年以来，全省新增市场主体12.3万户。", "12.3万户", 123000, "户", as_of="",
        cumulative=False),
    fig("asof-report-cumulative", "截至目前，累计为群众办实事4.6万件。", "4.6万件", 46000, "件",
        as_of="2021-12-01", cumulative=True, measure="cumulative"),
    fig("cumulative-yes", "全省累计培训高素质农民2.8万人。", "2.8万人", 28000, "人", cumulative=True),
    fig("cumulative-no", "全省今年培训农民工3.1万人。", "3.1万人", 31000, "人", cumulative=False),
    fig("asof-fullwidth", "截至１０月底，全市新增就业１．２万人。", "１．２万人", 12000, "人",
        as_of="2021-10-31"),
]

# --- numbers whose unit is only in a table header -----------------------------------------------
HEADER_TEXT_YUAN = "广西民生实事资金安排\n单位：万元\n项目\t金额\n教育\t12500\n医疗卫生\t8630.5\n"
HEADER_TEXT_REN = "各市新增就业情况（单位：万人）\n南宁市　5.2\n柳州市　3.8\n"
TABLE_HEADER = [
    fig("header-wanyuan-1", HEADER_TEXT_YUAN, "12500", 125000000, "元", unit_kind="money"),
    fig("header-wanyuan-2", HEADER_TEXT_YUAN, "8630.5", 86305000, "元", unit_kind="money"),
    fig("header-wanren-1", HEADER_TEXT_REN, "5.2", 52000, "人"),
    fig("header-wanren-2", HEADER_TEXT_REN, "3.8", 38000, "人"),
]

FIGURE_ROWS = UNITS + QUALIFIERS + RANGES + MULTIPLIERS + WIDTHS + CHINESE + TRADITIONAL + PERCENT \
    + AS_OF + TABLE_HEADER

# --- traps: numerals that are not statistics ---------------------------------------------------
NAMEISH = {"name", "idiom"}
TRAPS = [
    # An age bracket or threshold says who is counted; the count itself is elsewhere in the sentence.
    trap("age-bracket", "招募年龄在18—35岁之间的青年志愿者。", "18—35岁", {"bare"}),
    trap("age-threshold", "为65周岁以上老年人免费体检。", "65周岁", {"bare"}),
    trap("enum-yishi", "一是抓好教育培训；二是压实工作责任。", "二是", {"list_marker"}),
    trap("plan-sannian", "实施城乡环境整治三年行动。", "三年行动", {"name"}),
    trap("period-wunianlai", "近5年来，全省营商环境持续改善。", "5年来", {"word"}),
    trap("vague-shushi", "数十个社区建起了长者食堂。", "数十个", {"word"}),
    trap("schedule-7x24", "政务热线实行7×24小时人工服务。", "7×24", {"word"}),
    trap("code-12345", "群众可拨打12345热线反映诉求。", "12345", {"code"}),
    trap("code-110", "遇到紧急情况请拨打110报警。", "110", {"code"}),
    trap("code-12315", "消费者可通过12315平台投诉举报。", "12315", {"code"}),
    trap("code-phone", "咨询电话：0771-5551234。", "0771-5551234", {"code"}),
    # Debatable: document numbers read as codes (bare would also keep them out of figures).
    trap("code-docno", "印发《通知》（桂政发〔2021〕12号）。", "12号", {"code", "name"}),
    trap("name-14th-plan", "编制“十四五”规划。", "十四五", {"name", "ordinal"}),
    trap("name-14th-plan-long", "实施第十四个五年规划。", "十四个五", {"name", "ordinal"}),
    trap("ordinal-dierci", "召开第二次全体会议。", "第二次", {"ordinal"}),
    trap("ordinal-ershida", "以优异成绩迎接党的二十大胜利召开。", "二十大", {"ordinal", "name"}),
    trap("ordinal-plenum", "学习贯彻党的十九届六中全会精神。", "十九届六中全会", {"ordinal", "name"}),
    trap("ordinal-rank", "营商环境评价排名全国第5位。", "第5位", {"ordinal"}),
    trap("ordinal-diyi-shuji", "向脱贫村选派第一书记。", "第一", {"ordinal", "name", "word"}),
    trap("ordinal-disanfang", "引入第三方评估机构。", "第三", {"ordinal", "word"}),
    trap("name-yidaiyilu", "积极融入“一带一路”建设。", "一带一路", NAMEISH),
    trap("name-sannong", "做好新时代“三农”工作。", "三", NAMEISH),
    trap("name-liangxue", "推进“两学一做”学习教育常态化。", "两学一做", NAMEISH),
    trap("idiom-last-mile", "打通服务群众“最后一公里”。", "一公里", NAMEISH),
    trap("idiom-yizhanshi", "推行“一站式”服务。", "一站式", NAMEISH | {"word"}),
    trap("name-yiwangtongban", "深化政务服务“一网通办”。", "一网通办", NAMEISH),
    trap("name-sanhuiyike", "严格落实“三会一课”制度。", "三会一课", {"name"}),
    trap("name-5g", "加快建设5G基站。", "5G", {"name", "code", "word"}),
    trap("name-covid", "毫不放松抓好COVID-19疫情防控。", "19", {"name", "code", "bare"}),
    trap("name-pm25", "全省PM2.5平均浓度持续下降。", "2.5", {"name", "code"}),
    trap("name-wuyi", "举办“五一”消费节活动。", "五一", {"name", "date"}),
    trap("name-baixian", "实施“百县千乡万村”工程。", "百县千乡万村", NAMEISH),
    trap("word-tongyi", "用全会精神统一思想。", "一", {"word"}),
    trap("word-jinyibu", "进一步优化营商环境。", "一", {"word"}),
    trap("word-yixie", "还有一些问题需要解决。", "一", {"word"}),
    trap("word-yiqi", "与群众一起研究解决办法。", "一", {"word"}),
    trap("word-weiyi", "设立唯一的综合受理窗口。", "一", {"word"}),
    trap("word-qianfang", "千方百计稳就业保民生。", "千方百计", {"idiom", "word"}),
    trap("word-wanzhong", "全省上下万众一心。", "万众一心", {"idiom", "word"}),
    trap("word-laobaixing", "认真倾听老百姓的心声。", "百", {"word"}),
    trap("word-qianjia", "政策红利走进千家万户。", "千家万户", {"idiom", "word"}),
    trap("word-yixian", "关心关爱一线工作人员。", "一", {"word"}),
    trap("word-yibashou", "坚持一把手负总责。", "一", {"word", "idiom"}),
    trap("word-yiduiyi", "开展“一对一”精准帮扶。", "一对一", {"word", "idiom"}),
    trap("word-yitihua", "推进城乡供水一体化。", "一", {"word"}),
    trap("word-lingrongren", "对腐败问题坚持零容忍。", "零", {"word", "idiom"}),
    trap("word-meiqianren", "每千人口拥有执业医师3.2人。", "千", {"word", "bare"}),
    trap("place-qitaihe", "七台河市新建养老院两所。", "七台", {"name", "word"}),
    trap("place-sichuan", "四川省新建农村公路1.5万公里。", "四", {"name", "word"}),
    trap("place-sanming", "三明市深化医药卫生体制改革。", "三", {"name", "word"}),
    trap("place-shiyan", "十堰市新建口袋公园30个。", "十", {"name", "word"}),
    trap("period-yijidu", "一季度全省新增城镇就业9.6万人。", "一季度", {"date", "name", "word"}),
    trap("list-yishi", "一是加强组织领导。二是强化督导检查。", "一是", {"list_marker", "word"}),
    trap("list-fw-paren", "（1）加强组织领导。（2）强化督导检查。", "（1）", {"list_marker"}),
    trap("list-hw-paren", "(2)强化督导检查。", "(2)", {"list_marker"}),
    trap("list-yi-dun", "一、总体情况\n全省各地扎实推进民生实事。\n二、主要做法\n", "一、",
         {"list_marker"}),
    trap("list-er-dun", "一、总体情况\n全省各地扎实推进民生实事。\n二、主要做法\n", "二、",
         {"list_marker"}),
    trap("list-dot", "1. 坚持问题导向\n2. 坚持目标导向\n", "1.", {"list_marker"}),
    trap("list-dun-arabic", "3、完善长效机制。", "3、", {"list_marker"}),
    trap("list-cn-paren", "（三）强化宣传引导。", "（三）", {"list_marker"}),
    trap("timestamp", "2022-01-25 15:29　来源：人民日报", "2022-01-25 15:29", {"timestamp"}),
    trap("timestamp-seconds", "发布时间：2021-12-01 08:30:15", "2021-12-01 08:30:15", {"timestamp"}),
    trap("timestamp-slash", "2021/11/30 10:05 编辑：张明", "2021/11/30 10:05", {"timestamp"}),
    trap("truncated-decimal", "截至10月末，全省城镇新增就业24.0", "24.0", {"truncated"}),
    trap("code-long-digits", "项目统一编码为3201152021110912345678901234567890。",
         "3201152021110912345678901234567890", {"code", "bare"}),
    trap("truncated-separator", "今年累计投入各类资金1,2", "1,2", {"truncated"}),
    trap("truncated-digit", "全市今年新建养老床位3", "3", {"truncated"}),
]

# One ledger case per distinct text, named after the first row that uses it.
ALL_TEXTS = {}
for _row in FIGURE_ROWS + DATES + TRAPS:
    ALL_TEXTS.setdefault(_row.values[0], _row.id)


def check_figure(text: str, surface: str, occ: int, expected: dict) -> None:
    mentions = extract(text)
    m = mention_at(mentions, text, surface, occ)
    got = {}
    for key, want in expected.items():
        value = getattr(m, key)
        got[key] = as_decimal(value) if key in {"value", "value_high"} else value
    assert got == expected, f"{surface!r} in {text!r}"


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), UNITS)
def test_units(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), QUALIFIERS)
def test_qualifiers(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), RANGES)
def test_ranges(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), MULTIPLIERS)
def test_multipliers(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), WIDTHS)
def test_widths_and_separators(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), CHINESE)
def test_chinese_numerals(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), TRADITIONAL)
def test_traditional_and_mixed(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), PERCENT)
def test_percent(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), AS_OF)
def test_as_of_and_cumulative(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "expected"), TABLE_HEADER)
def test_unit_from_table_header(text, surface, occ, expected):
    check_figure(text, surface, occ, expected)


@pytest.mark.parametrize(("text", "surface", "occ", "iso"), DATES)
def test_dates(text, surface, occ, iso):
    m = mention_at(extract(text), text, surface, occ)
    assert (m.disposition, m.date) == ("date", iso)


@pytest.mark.parametrize(("text", "needle", "occ", "allowed"), TRAPS)
def test_traps_are_not_figures(text, needle, occ, allowed):
    start, end = span_of(text, needle, occ)
    mentions = extract(text)
    touching = [m for m in mentions if m.start < end and start < m.end]
    assert touching, f"no mention covers {needle!r}; got: {describe(mentions)}"
    assert all(m.disposition in allowed for m in touching), describe(touching)


def test_trap_figures_nearby_still_found():
    # A place name with a numeral must not swallow the real figure that follows it.
    text = "七台河市新建养老院两所，四川省新建农村公路1.5万公里。"
    mentions = extract(text)
    m = mention_at(mentions, text, "1.5万公里")
    assert (m.disposition, as_decimal(m.value), m.unit) == ("figure", Decimal("15000"), "公里")
    assert not any(m.disposition == "figure" and m.unit == "台" for m in mentions), describe(mentions)


@pytest.mark.parametrize("text", list(ALL_TEXTS), ids=list(ALL_TEXTS.values()))
def test_ledger_every_numeral_in_exactly_one_mention(text):
    mentions = extract(text)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text), f"span of {m.surface!r} outside the text"
        assert text[m.start:m.end] == m.surface
    starts = [m.start for m in mentions]
    assert starts == sorted(starts), "mentions are not in text order"
    for a, b in zip(mentions, mentions[1:]):
        assert a.end <= b.start, f"overlapping mentions {a.surface!r} and {b.surface!r}"
    for i, ch in enumerate(text):
        if ch in NUMERAL_CHARS:
            covering = [m for m in mentions if m.start <= i < m.end]
            assert len(covering) == 1, f"{ch!r} at {i} in {text!r}: {describe(covering)}"


def test_no_published_date_keeps_year_unresolved_or_explicit():
    # Without a publication date an explicit year still resolves; figures are unaffected.
    text = "2020年3月，全省新增就业1.2万人。"
    mentions = extract(text, None)
    d = mention_at(mentions, text, "2020年3月")
    assert (d.disposition, d.date) == ("date", "2020-03")
    f = mention_at(mentions, text, "1.2万人")
    assert (f.disposition, as_decimal(f.value), f.unit) == ("figure", Decimal("12000"), "人")
