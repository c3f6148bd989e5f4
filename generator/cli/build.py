"""``nianbao build FILE``: read and check a workbook, then write the report (.docx, PDF, HTML).

Errors in the workbook stop the build (exit 1) and are listed with the cells to fix;
``--draft`` builds anyway and prints the form's ``DRAFT_MARK`` in the header of every
page.  Output files are named after the report's title and written atomically.

Imports are lazy: building only the .docx never loads reportlab or LibreOffice code.
"""

from __future__ import annotations

from pathlib import Path

import click

from generator.app import DRAFT_FILE_PREFIX, DRAFT_MARK, PDF_ENGINES
from generator.cli.font_options import font_options, font_paths
from generator.cli.zh import ZhCommand, output_option
from generator.errors import EXIT_CHECK_FAILED, EXIT_OK


@click.command("build", cls=ZhCommand, examples=(
    ("nianbao build 填报表.xlsx --pdf", "在工作簿所在的文件夹生成 .docx 和 PDF："),
    ("nianbao build 填报表.xlsx --pdf --html -o 生成结果", "生成 .docx、PDF 和网页，放进“生成结果”文件夹："),
    ("nianbao build 填报表.xlsx --draft", "还有错误时先看效果（每页印有草稿标记）："),
))
@click.argument("file", type=click.Path(path_type=Path), metavar="工作簿.xlsx")
@output_option("out_dir", "输出文件夹；默认为工作簿所在的文件夹。",
               type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="模板.docx", help="使用自定义 .docx 模板（先检查占位符是否齐全）。")
@click.option("--pdf", "want_pdf", is_flag=True, help="同时生成 PDF。")
@click.option("--pdf-only", is_flag=True, help="只生成 PDF，不生成 .docx。")
@click.option("--html", "want_html", is_flag=True, help="同时生成 HTML 网页。")
@click.option("--pdf-engine", type=click.Choice(list(PDF_ENGINES)), default="reportlab",
              show_default=True, help="PDF 的生成方式：reportlab（内置）或 libreoffice（转换 .docx）。")
@click.option("--draft", is_flag=True,
              help=f"有错误时也生成，并在每页页眉标注「{DRAFT_MARK}」；"
                   f"文件名以「{DRAFT_FILE_PREFIX}」开头。")
@click.option("--previous", type=click.Path(path_type=Path), default=None, metavar="上年.xlsx",
              help="上年度的填报工作簿，用于跨年度校验。")
@font_options
def command(file: Path, out_dir: Path | None, template: Path | None, want_pdf: bool, pdf_only: bool,
            want_html: bool, pdf_engine: str, draft: bool, previous: Path | None,
            fonts: tuple[str, ...], font_config: Path | None) -> None:
    """由填报工作簿生成年度报告：<机关名称><年度>年政府信息公开工作年度报告.docx（可加 PDF、网页）。

    先校验，工作簿有错误时不生成（退出码 1），请先按提示修改，或用 nianbao check 查看详情。
    """
    from generator import app
    from generator.cli.output import print_findings, split_font_notice, summary_text

    if template is not None:
        # A broken template is found before the workbook is read (exit 2, Chinese message).
        app.check_template(template)

    # A report file needs what a check may still lack (the 发布日期): errors here
    result = app.check_for_build(file, previous)
    if result.findings:
        print_findings(list(result.findings), title=f"校验：{file.name}")
    else:
        click.echo(f"校验：{file.name} 未发现问题。")
    errors = len(result.errors)
    if errors and not draft:
        click.secho(
            f"工作簿有 {errors} 个错误，未生成报告。请按上表修改后重新运行；"
            f"也可运行 nianbao check \"{file}\" 查看详情，"
            f"或加 --draft 生成标注「{DRAFT_MARK}」的草稿。",
            fg="red", err=True)
        raise SystemExit(EXIT_CHECK_FAILED)
    if draft and not errors:
        click.echo("校验未发现错误，按正式文本生成（不加草稿标记）。")

    formats = tuple(name for name, wanted in (("docx", not pdf_only),
                                              ("pdf", want_pdf or pdf_only),
                                              ("html", want_html)) if wanted)
    options = app.BuildOptions(
        out_dir=file.parent if out_dir is None else out_dir,  # next to the workbook by default
        formats=formats, template=template, draft=draft, pdf_engine=pdf_engine,
        previous=previous, font_paths=font_paths(fonts), font_config=font_config)
    if "pdf" in formats and pdf_engine == "reportlab" and app.font_conversion_pending(options):
        # the one-time conversion of the bundled fonts is a wait of seconds: say so first
        click.echo("首次使用内置字体，正在转换（每台电脑只需一次，约需几秒钟）……", err=True)
    built = app.build(file, options, checked=result)

    render_findings, font_notice = split_font_notice(list(built.render_findings))
    if render_findings:
        print_findings(render_findings, title="生成时发现：")
    if font_notice:
        click.echo(font_notice)
    for path in built.written:
        click.echo(f"已生成：{path}")
    if built.draft:
        click.secho(f"以上为草稿（{summary_text(result.findings)}），不得用于正式印发。",
                    fg="yellow")
    raise SystemExit(EXIT_CHECK_FAILED if built.has_errors else EXIT_OK)
