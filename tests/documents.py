"""Our own invented reports, written from the tests as text, PDF, DOCX, XLSX and XLS.

One report is a list of blocks (title, heading, paragraph, caption, table); each writer lays the
same blocks out the way that format publishes them: the text as a bulletin prints it (pipe rows),
the PDF with a header and a page number on every page and ruled tables (reportlab's built-in
``STSong-Light`` CID font, which needs no font file), the Word file with real tables, the workbook
with one sheet per table. The figures are invented; the place names are real, so provinces can be
checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Counties and districts of 甘肃 (real names, invented figures): enough rows for a table that runs
# over a page.
COUNTIES = (
    "城关区 七里河区 西固区 安宁区 红古区 永登县 皋兰县 榆中县 白银区 平川区 靖远县 会宁县 景泰县 麦积区 "
    "清水县 秦安县 甘谷县 武山县 凉州区 民勤县 古浪县 甘州区 民乐县 临泽县 高台县 山丹县 崆峒区 泾川县 "
    "灵台县 崇信县 庄浪县 静宁县 肃州区 金塔县 瓜州县 西峰区 庆城县 环县 华池县 合水县 正宁县 宁县 "
    "镇原县 安定区 通渭县 陇西县 渭源县 临洮县"
).split()


@dataclass(frozen=True)
class Block:
    kind: str  # title, heading, paragraph, caption, table
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


def table(*rows: str | tuple) -> Block:
    return Block("table", rows=tuple(tuple(r.split("|")) if isinstance(r, str) else tuple(r) for r in rows))


def county_rows(n: int = len(COUNTIES)) -> list[tuple[str, ...]]:
    """One row per county with invented but deterministic figures."""
    out = []
    for i, name in enumerate(COUNTIES[:n]):
        people = 12.3 + i * 1.7
        gdp = 40.5 + i * 13.1
        growth = 3.0 + (i % 7) * 0.6
        out.append((name, f"{people:.1f}", f"{gdp:.1f}", f"{growth:.1f}"))
    return out


BULLETIN = (
    Block("title", "甘肃省2023年国民经济和社会发展统计公报"),
    Block("paragraph", "甘肃省统计局"),
    Block("heading", "一、综合"),
    Block("paragraph", "初步核算，全年全省地区生产总值11863.8亿元，比上年增长6.4%。其中，第一产业增加值"
                       "1641.3亿元，增长5.9%；第二产业增加值4080.2亿元，增长7.1%；第三产业增加值6142.3亿元，"
                       "增长6.1%。人均地区生产总值47867元，增长6.6%。全年新增城镇就业超32万人，城镇调查失业率"
                       "为5.2%。"),
    Block("caption", "表1　2023年全省地区生产总值及其增长速度"),
    table("指标|绝对数(亿元)|比上年增长(%)",
          "地区生产总值|11863.8|6.4",
          "第一产业|1641.3|5.9",
          "第二产业|4080.2|7.1",
          "#工业|2995.6|7.8",
          "第三产业|6142.3|6.1"),
    Block("heading", "二、农业"),
    Block("paragraph", "全年粮食种植面积2680.4千公顷，比上年增加14.6千公顷。粮食总产量1272.9万吨，增长1.8%。"
                       "年末全省累计建成高标准农田近2300万亩，新建改造农村公路4600多公里。"),
    Block("caption", "表2　2023年主要农产品产量"),
    table("产品名称|单位|产量|比上年增长(%)",
          "粮食|万吨|1272.9|1.8",
          "油料|万吨|71.6|2.4",
          "蔬菜|万吨|1698.3|5.2",
          "水果|万吨|653.7|6.9"),
    Block("heading", "三、县域经济"),
    Block("paragraph", "全年县域经济总量继续扩大。各县区主要指标见表3，其中增长最快的县区增速达到6.6%，"
                       "常住人口最多的县区约有92万人。"),
    Block("caption", "表3　2023年各县区主要指标"),
    table("县区|常住人口(万人)|地区生产总值(亿元)|比上年增长(%)", *county_rows()),
    Block("heading", "四、人民生活"),
    Block("paragraph", "全年全省居民人均可支配收入25011元，比上年增长7.8%。城镇居民人均可支配收入40659元，"
                       "增长6.2%；农村居民人均可支配收入13131元，增长8.5%。"),
)


_CELL_GAP = re.compile(r"\t+|[ \u3000]{2,}")
_PIPE_SEPARATOR = re.compile(r"\|?(\s*:?-{2,}:?\s*\|)+\s*")


def blocks_of_text(text: str) -> list[Block]:
    """A text report as blocks, as a person converting it to PDF or Word would lay it out: pipe rows
    and runs of aligned-column lines become tables, paragraphs split at line breaks and at runs of
    ideographic spaces, the first paragraph the title."""
    lines = text.splitlines()

    def cells(line: str) -> list[str] | None:
        if line.strip().startswith("|") and line.count("|") >= 3:
            return [c.strip() for c in line.strip().strip("|").split("|")]
        parts = [c for c in _CELL_GAP.split(line.strip()) if c.strip()]
        return parts if len(parts) >= 2 and all(len(c) <= 40 and "。" not in c for c in parts) else None

    blocks: list[Block] = []
    rows: list[list[str]] = []
    for i, line in enumerate(lines):
        row = cells(line)
        piped = line.strip().startswith("|")
        if row and (piped or any(cells(lines[j]) for j in (i - 1, i + 1) if 0 <= j < len(lines))):
            if not _PIPE_SEPARATOR.fullmatch(line.strip()):
                rows.append(row)
            continue
        if rows:
            width = max(map(len, rows))
            blocks.append(Block("table", rows=tuple(tuple(r + [""] * (width - len(r))) for r in rows)))
            rows = []
        for part in re.split(r"\u3000{2,}", line):
            if part.strip():
                blocks.append(Block("paragraph" if blocks else "title", part.strip()))
    if rows:
        width = max(map(len, rows))
        blocks.append(Block("table", rows=tuple(tuple(r + [""] * (width - len(r))) for r in rows)))
    return blocks


def plain_text(blocks=BULLETIN) -> str:
    """The report as a bulletin prints it in text: paragraphs indented with 　　, tables as pipe rows."""
    lines = []
    for b in blocks:
        if b.kind == "table":
            header, *body = b.rows
            lines += ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
            lines += ["| " + " | ".join(r) + " |" for r in body]
            lines.append("")
        elif b.kind == "paragraph":
            lines += ["\u3000\u3000" + b.text, ""]
        else:
            lines += [b.text, ""]
    return "\n".join(lines)


# -- PDF -----------------------------------------------------------------------------------------------
HEADER = "甘肃省2023年国民经济和社会发展统计公报"


def pdf(path: Path, blocks=BULLETIN, *, header: str | None = HEADER, encrypt=None, font_size: float = 10.5) -> Path:
    """The report as an A4 PDF: a running header and ``— N —`` at the foot of every page, ruled tables
    whose header row repeats on a new page, indented paragraphs that wrap."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph as Markup
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    def Paragraph(text, style):  # noqa: N802 - reportlab reads its text as markup: & and < must be escaped
        from xml.sax.saxutils import escape

        return Markup(escape(text), style)

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    body = ParagraphStyle("body", fontName=font, fontSize=font_size, leading=font_size * 1.6,
                          firstLineIndent=font_size * 2, wordWrap="CJK", spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=TA_CENTER,
                           firstLineIndent=0, spaceAfter=10)
    heading = ParagraphStyle("heading", parent=body, firstLineIndent=0, spaceBefore=6, fontSize=12, leading=18)
    caption = ParagraphStyle("caption", parent=body, firstLineIndent=0, alignment=TA_CENTER)
    cell = ParagraphStyle("cell", parent=body, firstLineIndent=0, spaceAfter=0, fontSize=9, leading=12)
    story = []
    for b in blocks:
        if b.kind == "table":
            data = [[Paragraph(c, cell) for c in row] for row in b.rows]
            t = Table(data, repeatRows=1)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
            story += [t, Spacer(1, 8)]
        else:
            style = {"title": title, "heading": heading, "caption": caption}.get(b.kind, body)
            story.append(Paragraph(b.text, style))

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 9)
        if header:
            canvas.drawCentredString(A4[0] / 2, A4[1] - 40, header)
            canvas.line(72, A4[1] - 46, A4[0] - 72, A4[1] - 46)
        canvas.drawCentredString(A4[0] / 2, 30, f"— {doc.page} —")
        canvas.restoreState()

    kwargs = {"encrypt": encrypt} if encrypt is not None else {}
    doc = SimpleDocTemplate(str(path), pagesize=A4, topMargin=72, bottomMargin=60, title=HEADER, **kwargs)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return path


def image_pdf(path: Path) -> Path:
    """A 'scanned' PDF: one page holding only a picture (no text layer)."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 380, 60), fill="black")
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(image), 72, 500, width=400, height=200)
    c.showPage()
    c.save()
    return path


# -- Word ----------------------------------------------------------------------------------------------
def docx(path: Path, blocks=BULLETIN, *, header: str | None = HEADER) -> Path:
    """The report as a Word document: styled title and headings, real tables, a header and a footer."""
    from docx import Document

    document = Document()
    if header:
        section = document.sections[0]
        section.header.paragraphs[0].text = header
        section.footer.paragraphs[0].text = "甘肃省统计局　第1页"
    for b in blocks:
        if b.kind == "title":
            document.add_heading(b.text, level=0)
        elif b.kind == "heading":
            document.add_heading(b.text, level=1)
        elif b.kind == "table":
            t = document.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            t.style = "Table Grid"
            for row, values in zip(t.rows, b.rows):
                for c, value in zip(row.cells, values):
                    c.text = value
        else:
            document.add_paragraph(b.text)
    document.save(str(path))
    return path


# -- Excel ---------------------------------------------------------------------------------------------
def xlsx(path: Path, blocks=BULLETIN, *, title: str | None = HEADER) -> Path:
    """The report's tables as a workbook: one sheet per table, named by its caption, numbers as numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    if title:
        workbook.properties.title = title
    caption = ""
    for b in blocks:
        if b.kind in ("caption", "paragraph"):
            caption = b.text if b.kind == "caption" or len(b.text) <= 80 and "。" not in b.text else ""
        elif b.kind == "table":
            # a caption that fits is the sheet's name (at most 31 characters); a longer one is a title
            # row merged across the table, as attachments print it, under a sheet named 表N
            name = re.sub(r"[\[\]:*?/\\]", " ", caption.replace("\u3000", " ")).strip()
            title = ""
            if len(name) > 31 or not name:
                title, name = caption, f"表{len(workbook.sheetnames) + 1}"
            while name in workbook.sheetnames:
                name += "+"
            sheet = workbook.create_sheet(name)
            if title:
                sheet.append([title])
                sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(b.rows[0]))
            for row in b.rows:
                sheet.append([_number(v) for v in row])
            caption = ""
    workbook.save(str(path))
    return path


def _number(value: str):
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value


# -- tables of each kind a format has --------------------------------------------------------------------
def merged_header_pdf(path: Path) -> Path:
    """A ruled table whose header spans two rows: 地区 merged down, 2023年 merged across its two columns."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("c", fontName="STSong-Light", fontSize=9, leading=12, wordWrap="CJK")
    rows = [["地区", "2023年", "", "备注"], ["", "总量（亿元）", "增长(%)", ""],
            ["兰州", "3487.3", "5.1", ""], ["天水", "895.6", "6.3", "含新设的开发区，数据为初步核算结果"]]
    table = Table([[Paragraph(c, style) for c in r] for r in rows], colWidths=[60, 80, 60, 110])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("SPAN", (1, 0), (2, 0)),
                               ("SPAN", (0, 0), (0, 1)), ("SPAN", (3, 0), (3, 1))]))
    SimpleDocTemplate(str(path)).build([Paragraph("甘肃省部分市州经济指标", style), table])
    return path


def merged_body_pdf(path: Path) -> Path:
    """A ruled table whose body has a label merged down three rows and a total row merged across."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("c", fontName="STSong-Light", fontSize=9, leading=12, wordWrap="CJK")
    rows = [["地区", "项目", "个数(个)", "投资(亿元)"], ["兰州", "学校", "12", "3.5"], ["", "医院", "4", "6.1"],
            ["", "公园", "9", "1.2"], ["天水", "学校", "7", "2.0"], ["合计", "", "32", "12.8"]]
    table = Table([[Paragraph(c, style) for c in r] for r in rows], colWidths=[60] * 4)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("SPAN", (0, 1), (0, 3)),
                               ("SPAN", (0, 5), (1, 5))]))
    SimpleDocTemplate(str(path)).build([table])
    return path


def docx_kinds(path: Path) -> Path:
    """A Word file with a merged two-row header (across and down), and a table nested in a cell."""
    from docx import Document

    document = Document()
    document.add_paragraph("宁夏回族自治区2023年部分指标")
    t = document.add_table(rows=4, cols=3)
    t.style = "Table Grid"
    t.cell(0, 0).merge(t.cell(1, 0)).text = "地区"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "2023年"
    t.cell(1, 1).text, t.cell(1, 2).text = "总量（亿元）", "增长(%)"
    for row, values in zip(t.rows[2:], [("银川", "2685.6", "6.2"), ("石嘴山", "693.1", "5.4")]):
        for c, value in zip(row.cells, values):
            c.text = value
    document.add_paragraph("附：重点项目")
    outer = document.add_table(rows=1, cols=2)
    outer.style = "Table Grid"
    outer.cell(0, 0).text = "重点项目"
    inner = outer.cell(0, 1).add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "项目", "投资(亿元)"
    inner.cell(1, 0).text, inner.cell(1, 1).text = "黄河大桥", "12.5"
    document.save(str(path))
    return path


def xlsx_kinds(path: Path) -> Path:
    """A workbook with a title merged across the sheet, a two-row merged header, a percent format, a
    date, a hidden sheet and a second table below an empty row."""
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = "表1 主要指标"
    ws["A1"] = "青海省2023年主要经济指标"
    ws.merge_cells("A1:D1")
    ws["A2"], ws["B2"], ws["D2"] = "指标", "2023年", "统计日期"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:D3")
    ws["B3"], ws["C3"] = "总量（亿元）", "增长"
    rows = [("地区生产总值", 3799.1, 0.053, dt.datetime(2024, 1, 20)), ("一般公共预算收入", 381.3, 0.104, dt.datetime(2024, 1, 20))]
    for r, (label, total, growth, day) in enumerate(rows, start=4):
        ws.cell(r, 1, label)
        ws.cell(r, 2, total).number_format = "0.0"
        ws.cell(r, 3, growth).number_format = "0.0%"
        ws.cell(r, 4, day).number_format = "yyyy-mm-dd"
    ws["A7"], ws["B7"] = "项目", "个数(个)"
    ws["A8"], ws["B8"] = "新开工项目", 512
    hidden = workbook.create_sheet("草稿")
    hidden["A1"], hidden["B1"] = "未核实", 99999
    hidden.sheet_state = "hidden"
    workbook.save(str(path))
    return path


def xls_kinds(path: Path) -> Path:
    """The same kinds in an old .xls workbook (xlwt): merged title and header, a percent, a date."""
    import datetime as dt

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("表1 主要指标")
    ws.write_merge(0, 0, 0, 2, "青海省2023年主要经济指标")
    ws.write_merge(1, 2, 0, 0, "指标")
    ws.write_merge(1, 1, 1, 2, "2023年")
    ws.write(2, 1, "总量（亿元）")
    ws.write(2, 2, "增长")
    percent = xlwt.easyxf(num_format_str="0.0%")
    ws.write(3, 0, "地区生产总值")
    ws.write(3, 1, 3799.1)
    ws.write(3, 2, 0.053, percent)
    ws.write(4, 0, "统计日期")
    ws.write(4, 1, dt.datetime(2024, 1, 20), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    book.save(str(path))
    return path


# -- a saved web page ----------------------------------------------------------------------------------
WEB_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>青海：前三季度新增城镇就业4.2万人_要闻_高原新闻网</title>
<meta name="PubDate" content="2023-10-26 09:30">
<meta property="og:site_name" content="高原新闻网">
</head><body>
<div class="top">高原新闻网　24小时新闻热线：0971-1234567　设为首页　加入收藏</div>
<div class="nav"><a href="/">首页</a> <a href="/a">要闻</a> <a href="/b">经济</a> <a href="/c">民生</a> <a href="/d">图片</a></div>
<div class="crumb">当前位置：高原新闻网 &gt; 要闻 &gt; 正文</div>
<div class="main">
<h1>青海：前三季度新增城镇就业4.2万人</h1>
<div class="info">发布时间：2023年10月26日 09:30　来源：青海日报　热度:37.1℃　浏览次数：12836　字号：大 中 小</div>
<div class="article">
<p>　　本报西宁10月25日电 记者从省人力资源和社会保障厅获悉，今年前三季度，全省城镇新增就业<b>4.2</b>万人，完成年度目标的93.3%；城镇调查失业率控制在5.5%以内。</p>
<p>　　截至9月底，全省累计发放创业担保贷款11.6亿元，扶持创业1.3万人，带动就业3.8万人。全省共举办线上线下<a href="/z">招聘活动</a>600余场，提供岗位超过12万个。</p>
<table>
<caption>前三季度主要就业指标</caption>
<tr><th>指标</th><th>数值</th><th>完成年度目标(%)</th></tr>
<tr><td>城镇新增就业（万人）</td><td>4.2</td><td>93.3</td></tr>
<tr><td>失业人员再就业（万人）</td><td>1.1</td><td>91.7</td></tr>
<tr><td>就业困难人员就业（万人）</td><td>0.46</td><td>92.0</td></tr>
</table>
<p>　　下一步，全省将继续开展“春风行动”等专项服务活动，力争全年城镇新增就业不少于4.5万人。</p>
</div>
<div class="share">分享到：微信 微博 QQ空间　【打印】【关闭】</div>
</div>
<div class="side"><h3>热点排行</h3><ul>
<li><a href="/x1">某市新建公园32个 市民休闲更便利</a></li>
<li><a href="/x2">全市今年植树造林超过8万亩</a></li>
<li><a href="/x3">2023年高考报名人数达到5.6万人</a></li>
</ul></div>
<div class="foot">版权所有：高原新闻网　青ICP备12345678号　违法和不良信息举报电话：0971-7654321</div>
</body></html>
"""
# The surfaces of the figures a reader of the page finds in its article: its text and its table
WEB_PAGE_FIGURES = {"4.2万人", "93.3%", "5.5%", "11.6亿元", "1.3万人", "3.8万人", "600余场", "12万个", "4.5万人",
                    "4.2", "93.3", "1.1", "91.7", "0.46", "92.0"}


def matplotlib_pdf(path: Path, lines: list[str], fonttype: int) -> Path:
    """Lines of text drawn by matplotlib with the package's Noto CJK font, embedded as Type 3 or 42."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.publish.fonts import use_cjk_font

    use_cjk_font()
    with matplotlib.rc_context({"pdf.fonttype": fonttype}):
        figure = plt.figure(figsize=(8.27, 11.7))
        for i, line in enumerate(lines):
            figure.text(0.1, 0.9 - i * 0.03, line, fontsize=11)
        figure.savefig(path)
        plt.close(figure)
    return path
