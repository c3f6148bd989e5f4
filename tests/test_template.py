"""The bundled template: generated from the form, committed, and custom templates checked."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from generator.errors import TemplateError
from generator.form import FIELDS
from generator.outputs import RenderOptions
from generator.outputs.context import context_names
from generator.outputs.determinism import write_zip
from generator.outputs.docx import (
    _patcher,
    _simple_patch,
    check_template,
    load_template,
    render_bytes,
    template_problems,
    used_names,
)
from generator.outputs.template_builder import build_template, template_parts
from generator.report.model import Report
from generator.resources import default_template

REPO = Path(__file__).resolve().parent.parent


def test_committed_template_equals_the_builder() -> None:
    committed = REPO / "templates" / "annual_report.docx"
    assert committed.read_bytes() == build_template(), (
        "templates/annual_report.docx is stale: run python templates/build_template.py")
    assert default_template() == committed


def test_builder_is_deterministic() -> None:
    assert build_template() == build_template()


def test_bundled_template_has_every_placeholder_and_nothing_unknown() -> None:
    template = load_template()
    assert template_problems(template) == ()
    used = used_names(template)
    assert {f.id for f in FIELDS} <= used
    assert set(context_names()["required"]) <= used


def test_template_has_no_python_docx_defaults() -> None:
    names = zipfile.ZipFile(io.BytesIO(build_template())).namelist()
    assert "word/theme/theme1.xml" not in names
    styles = template_parts()["word/styles.xml"].decode()
    assert "Cambria" not in styles and "MS Mincho" not in styles and "ja-JP" not in styles
    settings = template_parts()["word/settings.xml"].decode()
    assert 'w:eastAsia="zh-CN"' in settings


def test_fast_patch_equals_docxtpl_patch() -> None:
    # The clean-template fast path must produce exactly docxtpl's Jinja source.
    for name, blob in template_parts().items():
        if re.match(r"word/(document|header\d|footer\d)\.xml|docProps/core\.xml", name):
            xml = blob.decode("utf-8")
            assert _simple_patch(xml) == _patcher().patch(xml), name


def _template_with(tmp_path: Path, name: str, edit) -> Path:  # noqa: ANN001
    parts = template_parts()
    parts["word/document.xml"] = edit(parts["word/document.xml"].decode("utf-8")).encode("utf-8")
    path = tmp_path / name
    path.write_bytes(write_zip(parts))
    return path


def test_missing_placeholder_is_rejected_in_chinese(tmp_path: Path, example_report: Report) -> None:
    path = _template_with(tmp_path, "missing.docx",
                          lambda xml: xml.replace("{{ t3.new.natural_person }}", "")
                          .replace("{{ signature.date }}", ""))
    with pytest.raises(TemplateError) as info:
        check_template(path)
    message = str(info.value)
    assert message.startswith("missing.docx：此模板不能使用。")
    assert "模板缺少以下占位符" in message
    assert "表三「一、本年新收政府信息公开申请数量／自然人」的数字 {{ t3.new.natural_person }}" in message
    assert "发布日期 {{ signature.date }}" in message
    # The build refuses it too, before writing anything.
    with pytest.raises(TemplateError):
        render_bytes(example_report, RenderOptions(template=path))


def test_missing_text_loop_is_named(tmp_path: Path) -> None:
    path = _template_with(tmp_path, "noloop.docx", lambda xml: xml.replace(
        "{%p for p in text.overview_platform %}", "{%p for p in text.overview_management %}"))
    with pytest.raises(TemplateError) as info:
        check_template(path)
    assert "正文「一、（四）政府信息公开平台建设情况」的段落循环" in str(info.value)


def test_misspelt_placeholder_is_named(tmp_path: Path) -> None:
    path = _template_with(tmp_path, "typo.docx", lambda xml: xml.replace(
        "{{ signature.agency }}", "{{ signature.agency }}{{ t3.new.natral_person }}{{ agency }}"))
    with pytest.raises(TemplateError) as info:
        check_template(path)
    message = str(info.value)
    assert "无法识别的占位符" in message
    assert "{{ t3.new.natral_person }}" in message and "{{ agency }}" in message


def test_jinja_syntax_error_is_reported_in_chinese(tmp_path: Path) -> None:
    path = _template_with(tmp_path, "syntax.docx", lambda xml: xml.replace(
        "{{ signature.agency }}", "{{ signature.agency }"))
    with pytest.raises(TemplateError) as info:
        check_template(path)
    message = str(info.value)
    assert "模板正文中的占位符写法有误" in message and "成对" in message


def test_not_a_docx_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(TemplateError) as info:
        check_template(path)
    assert "不是有效的 .docx 文件" in str(info.value)


def test_tags_split_across_runs_still_work(tmp_path: Path, example_report: Report) -> None:
    # Word splits a tag over several runs after editing; docxtpl's patch rejoins them.
    run_break = '</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">'
    path = _template_with(tmp_path, "split.docx", lambda xml: xml.replace(
        "{{ t3.new.natural_person }}",
        "{{ t3.new." + run_break + "natural_person }" + run_break + "}"))
    split_xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert _simple_patch(split_xml) is None  # the full docxtpl patch is used
    check_template(path)
    data, _ = render_bytes(example_report, RenderOptions(template=path))
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "{{" not in document and "t3.new" not in document


def test_restyled_template_is_used(tmp_path: Path, example_report: Report) -> None:
    # An administrator changes the body font: the output follows the template's styles.
    parts = template_parts()
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(
        "仿宋_GB2312".encode(), "仿宋".encode())
    path = tmp_path / "restyled.docx"
    path.write_bytes(write_zip(parts))
    data, _ = render_bytes(example_report, RenderOptions(template=path))
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:eastAsia="仿宋"' in styles and "仿宋_GB2312" not in styles


def test_template_cache_follows_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "t.docx"
    path.write_bytes(build_template())
    first = load_template(path)
    assert load_template(path) is first
    path.write_bytes(build_template() + b"")  # same bytes, new mtime
    import os

    os.utime(path, ns=(1, 1))
    assert load_template(path) is not first
