"""The report as one self-contained HTML5 page for the government portal.

The page says exactly what the .docx says: it walks :func:`generator.outputs.document.blocks`
and nothing else, cleans text with the .docx renderer's :func:`~generator.outputs.context.clean_report`,
breaks the title into the same :func:`~generator.outputs.context.title_lines`, and (like the
.docx) turns a line break inside a paragraph into a new paragraph.  The three tables are drawn from the form declaration
(:attr:`generator.form.TableForm.cells`) with the official merges as ``rowspan``/``colspan``.
Everything needed to show the page is inside the file (inline CSS; no scripts, images or
links to other hosts), so a clerk can upload it anywhere.  Wide tables scroll sideways on a
phone instead of being squashed; ``@media print`` lays the page out on A4.

Output is deterministic: the same report gives the same bytes.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from generator.findings import Finding
from generator.form import DRAFT_MARK, CellRole, GridCell, TableForm, geometry
from generator.outputs import RenderOptions
from generator.outputs.context import (
    clean_report,
    signature_lines,
    table_geometry,
    title_lines,
    title_words,
)
from generator.outputs.document import (
    Heading,
    Paragraph,
    Signature,
    TableBlock,
    Title,
    blocks,
)
from generator.report.model import Report
from generator.safeio import atomic_path

#: Text printed at the top of a draft (``--draft``), the same words as the .docx header.
DRAFT_NOTICE = DRAFT_MARK

# The .docx starts a new paragraph at every line break (context._split_lines); so do we.
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")

# Characters HTML5 forbids in text (C0/C1 controls other than tab/LF/CR/FF, and the
# non-characters U+FFFE/U+FFFF); the checker reports them, here they are only kept out of
# the page so it stays valid.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

# Font stacks by role: the official Windows names first, then macOS names, then the open
# stand-ins common on Linux desktops (stack_notes §4.1), then the generic family.
_FANGSONG = ('"FangSong", "仿宋_GB2312", "仿宋", "FangSong_GB2312", "STFangsong", '
             '"AR PL UMing CN", "Noto Serif CJK SC", "Source Han Serif SC", serif')
_HEI = ('"SimHei", "黑体", "Heiti SC", "STHeiti", "Microsoft YaHei", "WenQuanYi Zen Hei", '
        '"Noto Sans CJK SC", "Source Han Sans SC", sans-serif')
_KAI = ('"KaiTi", "楷体_GB2312", "楷体", "KaiTi_GB2312", "STKaiti", "AR PL KaitiM GB", '
        '"AR PL UKai CN", "LXGW WenKai", serif')
_XBS = ('"方正小标宋简体", "FZXiaoBiaoSong-B05S", "SimSun", "宋体", "STSong", "AR PL SungtiL GB", '
        '"Noto Serif CJK SC", "Source Han Serif SC", serif')

#: Minimum widths of the wide tables (in the table's own em): narrower screens scroll them
#: sideways inside their wrapper instead of squashing the columns.
_TABLE_MIN_WIDTH = {"t3": "52em", "t4": "50em"}

_SONG = '"SimSun", "宋体", "STSong", "AR PL SungtiL GB", "AR PL UMing CN", "Noto Serif CJK SC", serif'

_CSS = f"""
*,*::before,*::after{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0;background:#f4f4f4;color:#000;font-family:{_FANGSONG};font-size:18px;line-height:1.8}}
.report{{max-width:52em;margin:0 auto;padding:1.5em 1.25em 3em;background:#fff}}
.draft{{border:2px solid #c00;color:#c00;font-family:{_HEI};text-align:center;padding:.25em .5em;margin:0 0 1em}}
h1{{font-family:{_XBS};font-weight:normal;font-size:1.6em;line-height:1.5;text-align:center;margin:.5em 0 1em;
word-break:keep-all;text-wrap:balance}}
h1 .line{{display:block}}
.sr{{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}}
h2{{font-family:{_HEI};font-weight:normal;font-size:1em;margin:.6em 0 0;text-indent:2em}}
h3{{font-family:{_KAI};font-weight:normal;font-size:1em;margin:.3em 0 0;text-indent:2em}}
p{{margin:0;text-indent:2em;text-align:justify;overflow-wrap:anywhere}}
.table-wrap{{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.6em 0 1em;
background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)) left/2em 100% no-repeat local,
linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) right/2em 100% no-repeat local,
radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.25),rgba(0,0,0,0)) left/.8em 100% no-repeat scroll,
radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.25),rgba(0,0,0,0)) right/.8em 100% no-repeat scroll}}
table{{border-collapse:collapse;width:100%;table-layout:fixed;font-family:{_SONG};font-size:.8em;line-height:1.4}}
table.t3{{min-width:{_TABLE_MIN_WIDTH["t3"]}}}
table.t4{{min-width:{_TABLE_MIN_WIDTH["t4"]}}}
th,td{{border:1px solid #000;padding:.3em .35em;text-align:center;vertical-align:middle}}
th{{font-weight:normal}}
th.left{{text-align:left}}
th.vertical{{writing-mode:vertical-rl;text-align:center;letter-spacing:.15em;width:2em}}
td{{font-variant-numeric:tabular-nums;white-space:nowrap}}
.signature{{margin-top:1.8em}}
.signature p{{text-indent:0;text-align:right;white-space:nowrap}}
/* phones: no justification, which would spread a line before an unbreakable web address */
@media (max-width:30em){{
body{{font-size:17px;background:#fff}}
.report{{padding:1em .9em 2em}}
h1{{font-size:1.4em}}
p{{text-align:left}}
}}
@media print{{
@page{{size:A4;margin:37mm 26mm 35mm 28mm}}
body{{background:#fff;font-size:16pt;line-height:28.95pt}}
.report{{max-width:none;margin:0;padding:0}}
h1{{font-size:22pt;line-height:1.4;margin:0 0 28.95pt}}
h2,h3{{break-after:avoid;page-break-after:avoid}}
.table-wrap{{overflow:visible;margin:0 0 14pt;background:none}}
table{{font-size:10.5pt;line-height:1.3;min-width:0!important}}
table.small{{font-size:9pt}}
th,td{{padding:.2em .15em}}
thead{{display:table-header-group}}
tr{{break-inside:avoid;page-break-inside:avoid}}
td{{white-space:normal}}
.signature{{break-inside:avoid;page-break-inside:avoid}}
}}
"""


def _text(value: str) -> str:
    """``value`` as HTML text: characters HTML forbids removed, special characters escaped."""
    return escape(_FORBIDDEN.sub("", value), quote=True)


def _lines(text: str) -> list[str]:
    """The paragraphs a text prints as: one per line, blank lines dropped (as in the .docx)."""
    return [line.strip() for line in _LINE_BREAKS.split(text) if line.strip()]


def _is_vertical(form: TableForm, cell: GridCell) -> bool:
    """The official form writes a first-column label spanning many rows top to bottom
    (表三 「三、本年度办理结果」)."""
    return cell.role is CellRole.LABEL and cell.col == 0 and cell.rowspan > 1 and cell.colspan == 1


def _scope(cell: GridCell) -> str:
    # "col"/"row" cover every column/row a merged header spans (HTML table model); "colgroup"
    # would reach to the end of the one <colgroup>, i.e. also the later sections of 表二.
    return "row" if cell.role is CellRole.LABEL else "col"


def _cell(form: TableForm, cell: GridCell, texts: dict[str, str],
          geo: geometry.TableGeometry | None = None) -> str:
    spans = ""
    if cell.rowspan > 1:
        spans += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        spans += f' colspan="{cell.colspan}"'
    if cell.field_id is not None:
        kind = "total" if cell.role is CellRole.TOTAL else "value"
        return f'<td class="{kind}"{spans}>{_text(texts.get(cell.field_id, ""))}</td>'
    classes = [cell.role.value]
    if _is_vertical(form, cell):
        classes.append("vertical")
    # As in the .docx: 表三's one-row labels run over several lines and read left-aligned;
    # everything else is centred.
    if form.key == "t3" and cell.role is CellRole.LABEL and cell.rowspan == 1:
        classes.append("left")
    content = _header_text(form, cell, geo.widths, geo.size_pt) if geo else _text(cell.text)
    return (f'<th scope="{_scope(cell)}" class="{" ".join(classes)}"{spans}>'
            f"{content}</th>")


def _colgroup(form: TableForm, widths: tuple[int, ...]) -> str:
    """One ``<col>`` per grid column, as wide (in % of the table) as in the .docx and the PDF
    (generator.form.geometry); columns holding numbers get class ``num``."""
    value_cols = {c for cell in form.cells if cell.field_id is not None
                  for c in range(cell.col, cell.last_col + 1)}
    total = sum(widths)
    cols = "".join(
        f'<col class="{"num" if c in value_cols else "label"}" '
        f'style="width:{100 * widths[c] / total:.2f}%">' for c in range(form.n_cols))
    return f"<colgroup>{cols}</colgroup>"


def _header_text(form: TableForm, cell: GridCell, widths: tuple[int, ...], size: float) -> str:
    """A heading broken into the lines its cell holds in print (表四's 结果/维持 2+2)."""
    text = _text(cell.text)
    if form.key != "t4" or cell.role is not CellRole.HEADER or cell.colspan > 1:
        return text
    inner = geometry.span_width(widths, cell.col, cell.colspan) - 2 * geometry.CELL_MARGIN_X
    per_line = max(int(inner // round(size * 20)), 1)
    if len(cell.text) <= per_line:
        return text
    return "<br>".join(_text(cell.text[i:i + per_line])
                       for i in range(0, len(cell.text), per_line))


def table_html(block: TableBlock) -> str:
    """One official table: rows in grid order, each merged cell once at its top-left corner."""
    form = block.form
    rows: list[list[GridCell]] = [[] for _ in range(form.n_rows)]
    for cell in form.cells:
        rows[cell.row].append(cell)
    geo = table_geometry(form.key, block.texts)
    small = " small" if geo.size_pt < geometry.TABLE_SIZES[0] else ""
    heading = form.name.split("、", 1)[-1]
    lines = [f'<div class="table-wrap"><table class="form {form.key}{small}">',
             # The visible heading is the <h2> above; the caption names the table for
             # screen readers and table navigation.
             f'<caption class="sr">{_text(heading)}</caption>',
             _colgroup(form, geo.widths)]

    def section(tag: str, row_range: range) -> None:
        if not row_range:
            return
        lines.append(f"<{tag}>")
        for r in row_range:
            cells = "".join(_cell(form, c, block.texts, geo)
                            for c in sorted(rows[r], key=lambda c: c.col))
            lines.append(f"<tr>{cells}</tr>")
        lines.append(f"</{tag}>")

    # The header rows go in <thead> so a printed table repeats them on every page.
    section("thead", range(form.header_rows))
    section("tbody", range(form.header_rows, form.n_rows))
    lines.append("</table></div>")
    return "\n".join(lines)


def report_html(report: Report, *, draft: bool = False, stamped: bool = True) -> str:
    """The whole page as text (``report`` as given; :func:`render` cleans it first)."""
    body: list[str] = []
    if draft:
        body.append(f'<p class="draft" role="note">{_text(DRAFT_NOTICE)}</p>')
    for block in blocks(report):
        if isinstance(block, Title):
            lines = title_lines(report.meta.agency, report.meta.year)
            if "".join(lines) != block.text:  # pragma: no cover - the two must never disagree
                lines = (block.text,)
            # Each printed line is a block; inside it the words may wrap only between
            # themselves (<wbr> with keep-all), as the printed title does.
            spans = "".join(
                '<span class="line">' + "<wbr>".join(
                    _text(w) for w in title_words(line, report.meta.agency, report.meta.year))
                + "</span>" for line in lines)
            body.append(f"<h1>{spans}</h1>")
        elif isinstance(block, Heading):
            tag = "h2" if block.level == 1 else "h3"
            body.append(f"<{tag}>{_text(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            body.extend(f"<p>{_text(line)}</p>" for line in _lines(block.text))
        elif isinstance(block, TableBlock):
            body.append(table_html(block))
        elif isinstance(block, Signature):
            # The 落款 by the rule of the .docx and the PDF: right indents in characters.
            lines = [f'<p class="{line.role}" style="padding-right:{line.right:g}em">'
                     f"{_text(line.text)}</p>"
                     for line in signature_lines(block.agency, block.date, stamped=stamped)]
            body.append('<div class="signature">' + "".join(lines) + "</div>")
        else:  # pragma: no cover - a new block type must be taught to every renderer
            raise TypeError(f"unknown block {type(block).__name__}")
    content = "\n".join(body)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(report.title)}</title>\n"
        f"<style>{_CSS}</style>\n"
        "</head>\n"
        "<body>\n"
        f'<main class="report">\n{content}\n</main>\n'
        "</body>\n"
        "</html>\n"
    )


def render(report: Report, target: Path, options: RenderOptions) -> list[Finding]:
    """Write the portal page for ``report`` to ``target`` (UTF-8, atomically).

    Returns the warnings of :func:`~generator.outputs.context.clean_report` (characters removed
    from the text) — the same ones the .docx renderer returns for the same report.
    """
    report, findings = clean_report(report)
    data = report_html(report, draft=options.draft, stamped=options.stamped).encode("utf-8")
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return findings
