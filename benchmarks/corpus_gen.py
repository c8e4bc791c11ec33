"""Deterministic generator of a corpus in the genre of provincial round-up reports.

The sentences are templates written for this benchmark (none is taken from a real report); the slots
are filled with provinces from the census reference table and with numbers in the many styles the
genre uses: ``4.25万个``, ``超1.8亿元``, ``1200多户``, ``近1000万亩``, ``2760余亿元``, ``99.89%``,
``三千七百余项``, ``百分之九十五``, full-width digits, thousands separators, dates and as-of phrases
(``截至10月末``), and the traps an extractor must not count as statistics (``12345热线``, ``第十一届``,
``三会一课``, ``（1）``, page timestamps).

The same ``seed`` and size always give the same text, so benchmark figures are comparable between runs
and machines.

Usage::

    python benchmarks/corpus_gen.py --size 5MB -o /tmp/corpus.txt         # one file, UTF-8 bytes
    python benchmarks/corpus_gen.py --files 300 --file-size 4KB -o /tmp/raw # many report files

From Python::

    from benchmarks.corpus_gen import generate_text, write_files
    text = generate_text(2_000)       # about 2,000 characters, whole documents
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CENSUS = ROOT / "data" / "raw" / "reference" / "provinces_2020_census.tsv"

PARAGRAPH_BREAK = "\n\u3000\u3000"  # a new line and the two ideographic spaces of a news paragraph


def load_provinces(path: Path = CENSUS) -> list[str]:
    """Short province names, in the census table's order."""
    with path.open(encoding="utf-8", newline="") as f:
        return [row["province_short"] for row in csv.DictReader(f, delimiter="\t")]


# --- Numbers ------------------------------------------------------------------------------------
# Each style is a function of the random generator returning the surface of one number (no unit).

_CN_DIGITS = "零一二三四五六七八九"
_FULL_WIDTH = str.maketrans("0123456789.,%", "０１２３４５６７８９．，％")


def _chinese_int(n: int) -> str:
    """Chinese numeral for 1 <= n < 10**8 in the newspaper style (三千七百, 十二, 两万零五十)."""
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        head = _chinese_int(high) + "万"
        if low == 0:
            return head
        return head + ("零" if low < 1000 else "") + _chinese_int(low)
    parts = []
    zero = False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                parts.append("零")
                zero = False
            parts.append(_CN_DIGITS[digit] + name)
        elif parts:
            zero = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def _int(rng: random.Random) -> str:
    return str(rng.choice((rng.randint(2, 99), rng.randint(100, 9999), rng.randint(10_000, 999_999))))


def _round(rng: random.Random) -> str:
    return str(rng.randint(1, 99) * rng.choice((10, 100, 1000)))


_MAGNITUDES = ("万",) * 6 + ("亿",) * 3 + ("万亿",)


def _decimal_wan(rng: random.Random) -> str:
    return f"{rng.randint(1, 999)}.{rng.randint(1, 99):02d}".rstrip("0") + rng.choice(_MAGNITUDES)


def _plain_wan(rng: random.Random) -> str:
    return f"{rng.randint(1, 9999)}{rng.choice(('万', '亿'))}"


def _chinese(rng: random.Random) -> str:
    return _chinese_int(
        rng.choice((rng.randint(2, 99), rng.randint(100, 9999) // 100 * 100, rng.randint(1, 99) * 1000))
    )


def _full_width(rng: random.Random) -> str:
    return _int(rng).translate(_FULL_WIDTH)


def _thousands(rng: random.Random) -> str:
    return f"{rng.randint(1_000, 9_999_999):,}"


_STYLES = (_int, _int, _round, _decimal_wan, _decimal_wan, _plain_wan, _chinese, _full_width, _thousands)
_PREFIXES = ("近", "超", "约", "逾", "超过", "不到", "累计")
_SUFFIXES = ("多", "余", "以上", "左右")


def number(rng: random.Random) -> str:
    """One number with at most one qualifier: ``近1000万``, ``86万余``, ``2760余亿``, ``三千七百多``."""
    core = rng.choice(_STYLES)(rng)
    roll = rng.random()
    if roll < 0.6:
        return core
    if roll < 0.8:
        return rng.choice(_PREFIXES) + core
    suffix = rng.choice(_SUFFIXES)
    if suffix in ("多", "余") and re.fullmatch(r"\d+[万亿]", core) and rng.random() < 0.5:
        # 2760余亿 as well as 2760亿余: the qualifier may sit before the magnitude word.
        return core[:-1] + suffix + core[-1]
    return core + suffix


def quantity(rng: random.Random, units: tuple[str, ...]) -> str:
    """A number and its unit; a unit that carries its own magnitude (万元) follows only a plain number."""
    value = number(rng)
    if re.search(r"[万亿][多余]?$|[万亿](?:以上|左右)$", value):
        plain = tuple(u for u in units if u[0] not in "万亿") or units
        return value + rng.choice(plain)
    return value + rng.choice(units)


def percent(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.55:
        return f"{rng.randint(1, 99)}.{rng.randint(1, 99):02d}%".replace("0%", "%")
    if style < 0.75:
        return f"{rng.randint(1, 100)}%"
    if style < 0.9:
        return "百分之" + _chinese_int(rng.randint(1, 99))
    return f"{rng.randint(1, 20)}个百分点"


def month_day(rng: random.Random) -> str:
    return f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def as_of(rng: random.Random) -> str:
    month = rng.randint(1, 11)
    return rng.choice(
        (
            "截至目前",
            f"截至{month}月末",
            f"截至{month}月底",
            f"截至{month_day(rng)}",
            f"今年{month}月以来",
            f"截至{rng.randint(2019, 2023)}年{month}月",
            "今年以来",
        )
    )


# --- Units and vocabulary --------------------------------------------------------------------------

COUNT_UNITS = ("个", "项", "件", "家", "条", "支", "台", "所", "座", "处", "场", "批次")
PEOPLE_UNITS = ("人", "人次", "户", "名", "位")
MONEY_UNITS = ("元", "万元", "亿元")
AREA_UNITS = ("亩", "平方米", "公顷", "万亩")
OTHER_UNITS = ("公里", "吨", "千瓦", "立方米", "小时", "天", "年")

PROJECTS = (
    "民生实事项目",
    "便民服务站",
    "社区食堂",
    "养老服务中心",
    "技能培训班",
    "惠企政策",
    "公共厕所",
    "口袋公园",
    "充电桩",
    "老旧小区改造项目",
    "农村供水工程",
    "义诊活动",
    "调解委员会",
)
GROUPS = ("困难群众", "脱贫户", "高龄老人", "留守儿童", "退役军人", "农民工", "高校毕业生", "残疾人")
ACTORS = (
    "省人社厅",
    "省民政厅",
    "省卫健委",
    "省住建厅",
    "省交通运输厅",
    "省农业农村厅",
    "省医保局",
    "省市场监管局",
    "团省委",
    "省总工会",
    "省妇联",
    "省科技厅",
)
CITIES = ("东城区", "西湖镇", "南山街道", "北岗村", "河口县", "新城区", "白沙乡", "青石镇")
SLOGANS = (
    "民生答卷写在百姓心坎上",
    "小切口推动大民生",
    "把群众的事当成自家事",
    "以实干回应群众期盼",
    "让服务跑在需求前面",
    "急难愁盼件件有回音",
    "为民办事不打折扣",
)

# Tokens that hold digits or numerals but are not statistics; the extractor must classify them.
TRAPS = (
    "12345热线",
    "12345政务服务便民热线",
    "12315平台",
    "0431-88812345",
    "第十一届",
    "第一次全体会议",
    "十九届六中全会",
    "三会一课",
    "一站式",
    "一网通办",
    "最后一公里",
    "一窗受理",
    "两不愁三保障",
    "五个一批",
    "第三方评估",
    "进一步",
    "统一",
    "一线",
    "四下基层",
    "一件事一次办",
)


_QUANTITIES = {"nc": COUNT_UNITS, "nh": PEOPLE_UNITS, "nm": MONEY_UNITS, "na": AREA_UNITS, "no": OTHER_UNITS}

# Templates. Slots: {p} province; {n} a number alone; a number with a count, people, money, area or
# other unit: {nc} {nh} {nm} {na} {no}; {c} a count unit; {pct} percent, {d} month and day, {asof} as-of phrase,
# {proj} {grp} {act} {city} vocabulary, {trap} a non-statistic numeral, {cn} a Chinese numeral.
TEMPLATES = (
    "{asof}，{p}累计建成{proj}{nc}，服务{grp}{nh}。",
    "{d}，{p}召开专题推进会，要求把{proj}纳入年度考核，确保{pct}以上的事项按期办结。",
    "{act}牵头实施{proj}，{asof}已投入资金{nm}，惠及{grp}{nh}。",
    "{p}{city}通过{trap}收集群众诉求{n}件，办结率达到{pct}，群众满意率{pct}。",
    "全年计划新建{proj}{nc}，目前已完成{nc}，完成率{pct}。",
    "{asof}，{p}新增城镇就业{nh}，帮助{grp}{nh}实现稳定就业。",
    "{act}开展“{trap}”专项行动，走访{grp}{nh}，解决实际困难{nc}。",
    "{p}累计发放补贴{nm}，较去年同期增长{pct}。",
    "（{i}）{proj}提质扩面。{p}已改造{proj}{nc}，涉及面积{na}。",
    "{cni}、聚焦{grp}所需所盼。{asof}，全省累计帮扶{cn}{c}{proj}。",
    "{p}实施高标准农田建设{na}，新增灌溉面积{na}，粮食产量连续{cn}年保持稳定。",
    "{act}为{nh}{grp}办理参保手续，参保率稳定在{pct}。",
    "各级党组织结合“{trap}”制度，组织党员干部{nh}深入{city}开展志愿服务{nc}。",
    "{p}新修农村公路{no}，新增供水能力{no}，受益群众{nh}。",
    "发布时间：{ts}　来源：{p}日报",
    "{asof}，{p}共受理{trap}来电{n}件，其中咨询类占{pct}。",
    "{p}把{proj}列为“{trap}”重点任务，{asof}已签约{nc}，总投资{nm}。",
    "在{city}，{act}推动{proj}建设，一年来服务群众{nc}，平均办理时间压缩到{no}。",
    "{p}召开第{cn}次推进会，明确{nc}重点事项，责任落实到{cn}个部门。",
    "{asof}，{p}{grp}人均可支配收入达到{nm}，同比增长{pct}。",
)

# Sentences without statistics: the genre is mostly prose around the figures, and the density of
# numbers decides how fast every extractor runs (about one numeric token per 20 characters here).
PROSE = (
    "{p}坚持把解决群众急难愁盼问题作为检验工作成效的重要标准，推动各项举措落地见效。",
    "{act}建立问题清单、任务清单和责任清单，逐项明确牵头单位和完成时限。",
    "各地通过入户走访、座谈交流等方式，广泛听取{grp}的意见建议，做到底数清、情况明。",
    "{p}注重把好事办好、把实事办实，既解决眼前问题，又着眼建立长效机制。",
    "在{city}，志愿服务队伍定期上门，帮助{grp}解决看病、出行、办事等具体困难。",
    "{act}简化办事流程，推行帮办代办服务，让群众少跑腿、好办事。",
    "{p}把办实事与推动高质量发展结合起来，着力在补齐民生短板上下功夫。",
    "基层党组织充分发挥战斗堡垒作用，党员干部冲在一线，把服务送到群众身边。",
    "{p}还组织开展“回头看”，对已办结事项进行跟踪问效，防止问题反弹。",
    "下一步，{p}将持续巩固拓展实践活动成果，推动为民服务常态化、制度化。",
    "{act}聚焦{proj}建设中的堵点难点，会同有关部门研究提出解决办法。",
    "群众纷纷表示，家门口的变化看得见、摸得着，心里更加踏实了。",
)
PROSE_SHARE = 0.5

_SLOT = re.compile(r"\{(\w+)\}")


def _fill(template: str, rng: random.Random, province: str) -> str:
    def slot(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "p":
            return province
        if name == "n":
            return number(rng)
        if name in _QUANTITIES:
            return quantity(rng, _QUANTITIES[name])
        if name == "c":
            return rng.choice(COUNT_UNITS)
        if name == "pct":
            return percent(rng)
        if name == "d":
            return month_day(rng)
        if name == "asof":
            return as_of(rng)
        if name == "proj":
            return rng.choice(PROJECTS)
        if name == "grp":
            return rng.choice(GROUPS)
        if name == "act":
            return rng.choice(ACTORS)
        if name == "city":
            return rng.choice(CITIES)
        if name == "trap":
            return rng.choice(TRAPS)
        if name == "cn":
            return _chinese_int(rng.randint(2, 30))
        if name == "cni":
            return _chinese_int(rng.randint(1, 9))
        if name == "i":
            return str(rng.randint(1, 9))
        if name == "ts":
            return (
                f"{rng.randint(2019, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
            )
        raise KeyError(name)

    return _SLOT.sub(slot, template)


# --- Documents -----------------------------------------------------------------------------------


def document(rng: random.Random, provinces: list[str], target_chars: int) -> str:
    """One report of about ``target_chars`` characters: title, lead, then one section per province."""
    chosen = rng.sample(provinces, k=rng.randint(2, 5))
    title = "、".join(chosen) + "——扎实推进“我为群众办实事”实践活动"
    lead = (
        f"{'、'.join(chosen)}等地坚持以人民为中心，聚焦群众急难愁盼，{as_of(rng)}"
        f"推出民生实事项目{quantity(rng, COUNT_UNITS)}。"
    )
    parts = [title, lead]
    size = len(title) + len(lead)
    per_section = max(60, (target_chars - size) // len(chosen))
    for province in chosen:
        parts.append(f"{province}：{rng.choice(SLOGANS)}")
        section_end = size + per_section
        size += len(parts[-1]) + len(PARAGRAPH_BREAK)
        while size < section_end:
            paragraph = "".join(
                _fill(rng.choice(PROSE if rng.random() < PROSE_SHARE else TEMPLATES), rng, province)
                for _ in range(rng.randint(1, 4))
            )
            parts.append(paragraph)
            size += len(paragraph) + len(PARAGRAPH_BREAK)
    return PARAGRAPH_BREAK.join(parts) + "\n"


def iter_documents(total_chars: int, doc_chars: int = 3_000, seed: int = 0) -> Iterator[str]:
    """Documents of about ``doc_chars`` characters until ``total_chars`` are produced (the last one may
    overshoot by less than a document). Memory use does not depend on ``total_chars``."""
    rng = random.Random(seed)
    provinces = load_provinces()
    produced = 0
    while produced < total_chars:
        doc = document(rng, provinces, min(doc_chars, max(200, total_chars - produced)))
        produced += len(doc)
        yield doc


def generate_text(total_chars: int, doc_chars: int = 3_000, seed: int = 0) -> str:
    """At least ``total_chars`` characters of whole documents, cut to exactly ``total_chars`` at the end
    of a sentence where possible (so a cut never falls inside a number)."""
    text = "".join(iter_documents(total_chars, doc_chars, seed))
    if len(text) <= total_chars:
        return text
    cut = text.rfind("。", 0, total_chars)
    return text[: cut + 1] if cut > 0 else text[:total_chars]


def write_file(path: Path, total_bytes: int, doc_chars: int = 3_000, seed: int = 0) -> int:
    """Write one UTF-8 file of at least ``total_bytes`` bytes (streamed); returns the byte count."""
    written = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        # About three bytes per character in UTF-8 for this text; overshoot is at most one document.
        for doc in iter_documents(total_bytes, doc_chars, seed):
            f.write(doc)
            written += len(doc.encode("utf-8"))
            if written >= total_bytes:
                break
    return written


def write_files(directory: Path, n_files: int, file_chars: int = 3_000, seed: int = 0) -> list[Path]:
    """Write ``n_files`` report files ``report_00000.txt`` ... into ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    provinces = load_provinces()
    paths = []
    for i in range(n_files):
        path = directory / f"report_{i:05d}.txt"
        path.write_text(document(rng, provinces, file_chars), encoding="utf-8")
        paths.append(path)
    return paths


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*$", re.I)


def parse_size(text: str) -> int:
    """``"5MB"`` -> 5_000_000, ``"2KB"`` -> 2_000, ``"1200"`` -> 1200 (decimal units)."""
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 2KB, 5MB, 100MB)")
    scale = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}[match.group(2).upper()]
    return int(float(match.group(1)) * scale)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="file (with --size) or directory (with --files)"
    )
    parser.add_argument("--size", type=parse_size, help="total size in UTF-8 bytes of one file, e.g. 5MB")
    parser.add_argument("--files", type=int, help="number of report files to write into OUTPUT")
    parser.add_argument("--file-size", type=parse_size, default=3_000, help="characters per file (default 3KB)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if (args.size is None) == (args.files is None):
        parser.error("give exactly one of --size and --files")
    if args.size is not None:
        n = write_file(args.output, args.size, seed=args.seed)
        print(f"{args.output}: {n:,} bytes")
    else:
        paths = write_files(args.output, args.files, args.file_size, seed=args.seed)
        print(f"{args.output}: {len(paths)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
