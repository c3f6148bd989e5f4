"""Sentences the generator writes itself, from the same data the tables use.

The workbook offers them as filled defaults the clerk can overwrite, so the opening paragraph
and the fee sentence can never disagree with 基本信息.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .form import SECTIONS
from .model import Meta, Number

REGULATION = "《中华人民共和国政府信息公开条例》（国令第711号）"
FORMAT_NOTICE = ("《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作"
                 "年度报告格式〉的通知》（国办公开办函〔2021〕30号）")
FEE_RULES = "《国务院办公厅关于印发〈政府信息公开信息处理费管理办法〉的通知》（国办函〔2020〕109号）"


def format_date(value: date) -> str:
    """GB/T 9704 成文日期: Arabic digits, full year, no zero padding: ``2026年1月20日``."""
    return f"{value.year}年{value.month}月{value.day}日"


def format_number(value: Number) -> str:
    """A table number as printed: counts as integers, 万元 amounts without trailing zeros."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    return str(int(value))


def format_yuan(value: Decimal) -> str:
    """An amount of 元 as printed: two decimals, rounded half up (1234.5678 -> 1234.57)."""
    return format(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")


def _section_names() -> str:
    # "一、总体情况" -> "总体情况"; the opening lists the six parts in order.
    names = [s.heading.split("、", 1)[1] for s in SECTIONS]
    return "，".join(names)


def default_opening(meta: Meta) -> str:
    """The 编制说明 paragraph: basis, six parts, statistics period, where to download, contact."""
    year = meta.year
    portal = meta.portal_name or "门户网站"
    where = f"{portal}（{meta.portal_url}）" if meta.portal_url else portal
    contacts = [
        f"地址：{meta.address}" if meta.address else "",
        f"邮编：{meta.postcode}" if meta.postcode else "",
        f"咨询电话：{meta.phone}" if meta.phone else "",
        f"电子邮箱：{meta.email}" if meta.email else "",
    ]
    contact = "；".join(c for c in contacts if c)
    contact_clause = f"（{contact}）" if contact else ""
    # "…人民政府" + "政府信息公开…" would say 政府 twice; the sample writes "…人民政府信息公开总体情况".
    subject = meta.agency if meta.agency.endswith("政府") else f"{meta.agency}政府"
    parts = _section_names().replace("总体情况", f"{subject}信息公开总体情况", 1)
    return (
        f"本年度报告根据{REGULATION}、{FORMAT_NOTICE}制作。全文包括{parts}。"
        f"所列数据统计期限为{year}年1月1日至{year}年12月31日。"
        f"本年度报告电子版可以从{where}下载。"
        f"如对本年度报告有疑问，请与{meta.agency}联系{contact_clause}。"
    )


def default_fee_sentence(meta: Meta) -> str:
    """六（一）: the 信息处理费 sentence, "本年度没有产生信息处理费" when nothing was charged."""
    basis = f"按照{FEE_RULES}规定的按件、按量收费标准，"
    if not meta.processing_fee:
        return f"{basis}本年度没有产生信息处理费。"
    return f"{basis}本年度共收取信息处理费{format_yuan(Decimal(meta.processing_fee))}元。"
