"""The official .docx: the report poured into a docxtpl template.

The template (bundled ``templates/annual_report.docx`` or the user's ``--template``) is read,
patched (docxtpl's tag clean-up, so tags Word split across runs still work) and compiled once
per process; each render only evaluates the compiled Jinja templates and zips the parts with
fixed timestamps, so the same report gives the same bytes.

Jinja runs sandboxed (a template is data: it must not reach Python internals), with
autoescape (``& < >`` in the clerk's text stay text) and strict undefined names (a misspelt
placeholder is an error, not an empty cell).  A custom template is checked before use for
every placeholder it must contain (:func:`check_template`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import jinja2
import jinja2.meta
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from generator.errors import TemplateError
from generator.findings import Finding
from generator.form import DRAFT_MARK, FIELD_BY_ID, TABLE_BY_KEY, TEXT_SLOTS
from generator.outputs import RenderOptions
from generator.outputs.context import context_names, template_context
from generator.outputs.determinism import read_zip, write_zip
from generator.outputs.ooxml import W_NS
from generator.outputs.sandbox import BoundedSandbox, render_bounded
from generator.report.model import Report
from generator.resources import default_template
from generator.safeio import write_bytes_atomic

#: Parts of the package that hold placeholders; everything else is copied as it is.
_RENDERED_PART = re.compile(
    r"^(word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml|docProps/core\.xml)$")
_MAIN_PART = "word/document.xml"
_W = f"{{{W_NS}}}"
_SIGNATURE_STYLE = "Signature"


def _environment() -> SandboxedEnvironment:
    # An empty loader: {% include %}/{% import %}/{% extends %} find nothing (TemplateNotFound,
    # a clean TemplateError) instead of failing with "no loader" — a template reads no files.
    # BoundedSandbox: a template also cannot ask for unbounded time or memory.
    return BoundedSandbox(autoescape=True, undefined=jinja2.StrictUndefined,
                          loader=jinja2.DictLoader({}))


_ENV = _environment()


class _Patcher:
    """docxtpl's XML clean-up (``patch_xml``/``resolve_listing``) without loading python-docx.

    Both are plain string transformations on :class:`docxtpl.DocxTemplate` that do not use
    the instance; calling them on a bare instance keeps docxtpl's well-tested tag handling
    (``{%p %}``, tags split across runs, Word's smart quotes inside tags).
    """

    def __init__(self) -> None:
        from docxtpl import DocxTemplate

        self._tpl = object.__new__(DocxTemplate)
        self._patch = DocxTemplate.patch_xml
        self._listing = DocxTemplate.resolve_listing

    def patch(self, xml: str) -> str:
        return self._patch(self._tpl, xml)

    def resolve_listing(self, xml: str) -> str:
        return self._listing(self._tpl, xml)


_PATCHER: _Patcher | None = None

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_DOCXTPL_EXTENSION = re.compile(r"^\{[{%#]-?\s*(tr|tc|r|vm|hm|colspan|cellbg)\b")
_P_TAG_PARAGRAPH = re.compile(r"<w:p[ >](?:(?!<w:p[ >]).)*(\{%|\{\{)p ([^}%]*(?:%\}|\}\})).*?</w:p>",
                              re.DOTALL)


def _simple_patch(xml: str) -> str | None:
    """docxtpl's patch for a template whose tags are clean, without importing docxtpl.

    A template written by :mod:`.template_builder` has every tag inside one ``w:t``, plain
    quotes, and no docxtpl extension but ``{%p %}``; then ``patch_xml`` only turns each
    ``{%p … %}`` paragraph into ``{% … %}`` (the same regular expression is used here; a test
    checks both give the same text).  Anything else (tags Word split across runs, smart quotes,
    ``{%tr %}`` …) returns None and the full docxtpl patch is used.  Saves importing docxtpl
    and python-docx (≈0.12 s) on every cold ``nianbao build``.
    """
    for match in _TAG.finditer(xml):
        tag = match.group(0)
        if any(ch in tag for ch in "<>&“”‘’") or _DOCXTPL_EXTENSION.match(tag) \
                or tag.startswith(("{%-", "{{-")) or tag.endswith(("-%}", "-}}")):
            return None
    rest = _TAG.sub("", xml)
    if any(mark in rest for mark in ("{{", "{%", "{#", "}}", "%}", "#}")):
        return None
    return _P_TAG_PARAGRAPH.sub(r"\1 \2", xml)


def patch_template_xml(xml: str) -> str:
    """Template XML as Jinja source (docxtpl's tag clean-up; fast path for clean templates)."""
    simple = _simple_patch(xml)
    return simple if simple is not None else _patcher().patch(xml)


def _patcher() -> _Patcher:
    global _PATCHER
    if _PATCHER is None:
        _PATCHER = _Patcher()
    return _PATCHER


@dataclass(frozen=True, eq=False)  # hashed by identity: one object per file version
class CompiledTemplate:
    """A template read and compiled once: static parts as bytes, the others as Jinja."""

    path: Path
    static: dict[str, bytes]
    sources: dict[str, str]  # patched Jinja source per rendered part (for checks)
    compiled: dict[str, jinja2.Template]


_CACHE: dict[tuple[str, int, int], CompiledTemplate] = {}


def _template_name(path: Path) -> str:
    return path.name


def _load(path: Path) -> CompiledTemplate:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TemplateError(f"无法读取模板文件（{exc.strerror}）。", path=path) from exc
    try:
        parts = read_zip(data)
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise TemplateError("不是有效的 .docx 文件（无法解压）。请用 Word/WPS 另存为 .docx 后重试。",
                            path=path) from exc
    if _MAIN_PART not in parts:
        raise TemplateError("不是 Word 文档：缺少 word/document.xml。", path=path)
    static: dict[str, bytes] = {}
    sources: dict[str, str] = {}
    compiled: dict[str, jinja2.Template] = {}
    for name, blob in parts.items():
        if not _RENDERED_PART.match(name):
            static[name] = blob
            continue
        try:
            xml = patch_template_xml(blob.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise TemplateError(f"不是有效的 .docx 文件（{name} 不是 UTF-8 文本）。"
                                "请用 Word/WPS 另存为 .docx 后重试。", path=path) from exc
        # One paragraph per line, so a Jinja error's line number points at a paragraph.
        xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
        sources[name] = xml
        try:
            compiled[name] = _ENV.from_string(xml)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(_syntax_message(name, xml, exc), path=path) from exc
    return CompiledTemplate(path, static, sources, compiled)


def _syntax_message(part: str, source: str, exc: jinja2.TemplateSyntaxError) -> str:
    lines = source.splitlines()
    line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
    nearby = re.sub(r"<[^>]+>", "", line).strip()[:60]
    where = "正文" if part == _MAIN_PART else ("页眉" if "header" in part else
                                              "页脚" if "footer" in part else part)
    return (f"模板{where}中的占位符写法有误（{exc.message}）"
            + (f"，出错位置附近的文字：「{nearby}」" if nearby else "")
            + "。请检查 {{ }}、{% %} 是否成对、拼写是否正确。")


def load_template(path: Path | None = None) -> CompiledTemplate:
    """The compiled template at ``path`` (default: the bundled one), cached per file version."""
    if path is None:
        path = default_template()
        if not path.exists():
            # A checkout without the generated file still works: build it in memory.
            return _compiled_builtin()
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise TemplateError("找不到模板文件，请检查路径。", path=path) from exc
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(key)
    if cached is None:
        cached = _CACHE[key] = _load(path)
    return cached


_BUILTIN: CompiledTemplate | None = None


def _compiled_builtin() -> CompiledTemplate:
    global _BUILTIN
    if _BUILTIN is None:
        import tempfile

        from generator.outputs.template_builder import build_template

        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder) / "annual_report.docx"
            tmp.write_bytes(build_template())
            _BUILTIN = _load(tmp)
    return _BUILTIN


# ---------------------------------------------------------------------------
# Checking a template


def _dotted(node: nodes.Node) -> str | None:
    """``a.b.c`` for Getattr/Getitem chains rooted at a Name, else None."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            parts.append(str(node.arg.value))
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return ".".join(reversed(parts))
        else:
            return None


def used_names(template: CompiledTemplate) -> set[str]:
    """Every dotted name the template reads from the context (outermost chains only)."""
    top_level = {name.split(".")[0] for group in context_names().values() for name in group}
    found: set[str] = set()
    for source in template.sources.values():
        ast = _ENV.parse(source)
        inner: set[int] = set()
        for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
            if id(node) in inner:
                continue
            path = _dotted(node)
            if path is None:
                continue
            # Mark the inner nodes of this chain so only the longest path is kept.
            child = node
            while isinstance(child, (nodes.Getattr, nodes.Getitem)):
                child = child.node
                inner.add(id(child))
            if isinstance(node, nodes.Name) and node.ctx != "load":
                continue
            if path.split(".")[0] in top_level:
                found.add(path)
        # Names a loop defines itself (``p``, ``item``) are not context names.
        undeclared = jinja2.meta.find_undeclared_variables(ast)
        found |= {name for name in undeclared if name not in top_level}
    return found


def _describe(name: str) -> str:
    """A placeholder as an administrator recognises it, in Chinese."""
    if name in FIELD_BY_ID:
        field = FIELD_BY_ID[name]
        table = TABLE_BY_KEY[field.table].name
        return f"{table}「{field.row_label}／{field.col_label}」的数字 {{{{ {name} }}}}"
    slots = {"text." + s.key.replace(".", "_"): s for s in TEXT_SLOTS}
    if name in slots:
        return f"正文「{slots[name].label}」的段落循环 {{%p for p in {name} %}}"
    return {
        "extra_items": "六、其他需要报告的事项中自拟小标题事项的循环 {%p for item in extra_items %}",
        "title_lines": "标题的循环 {%p for line in title_lines %}",
        "signature.agency": "落款机关 {{ signature.agency }}",
        "signature.date": "发布日期 {{ signature.date }}",
        "draft": f"页眉中的草稿标记 {{% if draft %}}{DRAFT_MARK}{{% endif %}}",
    }.get(name, name)


def _known_paths() -> set[str]:
    known: set[str] = set()
    for group in context_names().values():
        for name in group:
            pieces = name.split(".")
            known |= {".".join(pieces[:i]) for i in range(1, len(pieces) + 1)}
    return known


#: How many missing placeholders a message lists before summarising the rest.
MAX_LISTED = 15


@functools.lru_cache(maxsize=32)
def template_problems(template: CompiledTemplate) -> tuple[str, ...]:
    """What is wrong with a template, in Chinese; empty when it can render a report."""
    used = used_names(template)
    known = _known_paths()
    problems: list[str] = []
    required = context_names()["required"]
    missing = [name for name in required if name not in used]
    if missing:
        listed = [f"  - {_describe(name)}" for name in missing[:MAX_LISTED]]
        more = len(missing) - MAX_LISTED
        if more > 0:
            listed.append(f"  - ……另有 {more} 处")
        problems.append("模板缺少以下占位符（报告内容会缺失）：\n" + "\n".join(listed))
    unknown = sorted(name for name in used if name not in known)
    if unknown:
        problems.append("模板中有无法识别的占位符（可能拼写有误）：" + "、".join(
            "{{ " + name + " }}" for name in unknown[:MAX_LISTED])
            + ("等" if len(unknown) > MAX_LISTED else "") + "。")
    return tuple(problems)


def check_template(path: Path) -> None:
    """Raise :class:`TemplateError` listing every problem of the template at ``path``."""
    template = load_template(path)
    problems = template_problems(template)
    if problems:
        raise TemplateError("此模板不能使用。\n" + "\n".join(problems)
                            + "\n可运行 nianbao template build 生成标准模板作为参照。", path=path)


# ---------------------------------------------------------------------------
# Rendering


def _keep_signature_with_text(root: etree._Element) -> None:
    """Keep the last lines of text, the blank line and the signature on one page.

    The template cannot mark "the last paragraph of the text" (it comes from a loop), so
    ``w:keepNext`` is added here to every paragraph from the last non-empty one before the
    first 落款 paragraph down to that paragraph.
    """
    body = root.find(f"{_W}body")
    if body is None:
        return
    children = list(body)
    for index, child in enumerate(children):
        style = child.find(f"{_W}pPr/{_W}pStyle")
        if child.tag == f"{_W}p" and style is not None and style.get(f"{_W}val") == _SIGNATURE_STYLE:
            break
    else:
        return
    for child in reversed(children[:index]):
        if child.tag != f"{_W}p":
            return
        ppr = child.find(f"{_W}pPr")
        if ppr is None:
            ppr = etree.SubElement(child, f"{_W}pPr")
            child.remove(ppr)
            child.insert(0, ppr)
        if ppr.find(f"{_W}keepNext") is None:
            keep = etree.Element(f"{_W}keepNext")
            style = ppr.find(f"{_W}pStyle")
            ppr.insert(1 if style is not None else 0, keep)
        if "".join(child.itertext()).strip():
            return


def _render_part(name: str, template: jinja2.Template, context: dict[str, Any]) -> bytes:
    try:
        xml = render_bounded(template, context)
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"模板中有不允许的操作（{exc}）。模板只能使用报告中的占位符。") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"模板中有无法识别的占位符（{exc.message}）。"
                            "请运行 nianbao template check 检查模板。") from exc
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"模板中不允许引用其他文件（{exc.name}）。模板只能使用报告中的占位符。") from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(f"按模板生成时出错（{exc}）。请运行 nianbao template check 检查模板。") from exc
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = (xml.replace("{_{", "{{").replace("}_}", "}}")
           .replace("{_%", "{%").replace("%_}", "%}"))
    if "\t" in xml:
        xml = _patcher().resolve_listing(xml)  # tabs in the clerk's text become w:tab
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"按模板生成的文档结构有误（{name}：{exc}）。"
                            "请检查模板中 {%p %} 等标记是否各占一个段落。") from exc
    if name == _MAIN_PART:
        from generator.outputs.context import PRINT_LAYOUT_KEY
        from generator.outputs.template_builder import apply_print_layout

        apply_print_layout(root, context.get(PRINT_LAYOUT_KEY), context.get(_TABLE_BREAKS_KEY))
        _keep_signature_with_text(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


#: Context key of the planned table breaks (not a template placeholder).
_TABLE_BREAKS_KEY = "_table_breaks"


def _table_breaks(report: Report, options: RenderOptions) -> dict[str, tuple[int, ...]]:
    """Where 表三 continues on a new page, measured by the PDF's layout (the two outputs
    then break at the same row).  Only for the built-in template: it starts 表三 on a new
    page; a clerk's own template may place its tables anywhere."""
    if options.template is not None:
        return {}
    from generator.form import geometry
    from generator.outputs.context import clean_report
    from generator.outputs.document import table_texts

    cleaned, _ = clean_report(report)
    if all(geometry.table_fits_page(key, table_texts(cleaned, TABLE_BY_KEY[key]))
           for key in geometry.NEW_PAGE_TABLES):
        return {}  # the usual case: no fonts, no reportlab for a .docx
    from generator.outputs.pdf import table_breaks  # measured with the PDF's table font

    return table_breaks(report, options)


def render_bytes(report: Report, options: RenderOptions | None = None) -> tuple[bytes, list[Finding]]:
    """The .docx of ``report`` as bytes, and warnings about text that had to be cleaned."""
    options = options or RenderOptions()
    template = load_template(options.template)
    if options.template is not None:
        check_template(Path(options.template))
    context, findings = template_context(report, draft=options.draft, stamped=options.stamped)
    context[_TABLE_BREAKS_KEY] = _table_breaks(report, options)
    parts = dict(template.static)
    for name, compiled in template.compiled.items():
        parts[name] = _render_part(name, compiled, context)
    return write_zip(parts), findings


def render(report: Report, target: Path, options: RenderOptions) -> list[Finding]:
    """Write the .docx of ``report`` to ``target`` atomically; return rendering warnings."""
    data, findings = render_bytes(report, options)
    write_bytes_atomic(target, data)
    return findings


def iter_parts(data: bytes) -> Iterable[tuple[str, bytes]]:
    """The members of a rendered .docx (for tests and tools)."""
    return read_zip(data).items()


def warm_up(options: RenderOptions) -> None:
    """Read and compile the template once, before a batch renders many reports."""
    template = load_template(options.template)
    if options.template is not None:
        template_problems(template)
