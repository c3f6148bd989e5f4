"""The rule registry: every rule declared once, beside its check, derived from the form, and
printed from one source."""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest

from generator.checks import checker
from generator.checks.checker import RULE_BY_ID, RULES, check_report
from generator.checks.rules import (
    IDENTITIES,
    REGISTRY,
    IdentityKind,
    Rule,
    RuleRegistry,
    make_finding,
    rules_markdown,
)
from generator.findings import Severity
from generator.form import FIELDS, TABLE3, TABLE4
from generator.report.model import Meta, Narrative, Numbers, Report, TextPart

SPEC = Path("/work/shared/spec/checker_rules.md")
PACKAGE = Path(checker.__file__).resolve().parent.parent  # generator/
EXPECTED_IDS = ["T3-1", "T3-2", "T3-3", "T4-1", "V-1", "V-2", "V-3", "V-4", "Y-1", "Y-2", "D-1",
                "S-1", "S-2", "S-3", "N-1", "F-1", "F-2", "PDF-FONT"]
SEVERITY_WORDS = {"error": Severity.ERROR, "warning": Severity.WARNING, "notice": Severity.NOTICE}


def test_every_rule_is_declared_once() -> None:
    assert [r.id for r in RULES] == EXPECTED_IDS
    assert REGISTRY.rules == RULES


def test_every_rule_is_checked_or_found_while_reading_or_rendering() -> None:
    # a rule nobody makes findings of would be listed by `nianbao rules` but never reported
    for rule in RULES:
        assert (REGISTRY.checks_of(rule.id) or REGISTRY.is_read(rule.id)
                or REGISTRY.is_rendered(rule.id)), rule.id
    assert REGISTRY.is_rendered("F-2") and not REGISTRY.checks_of("F-2")
    assert [e.name for e in REGISTRY.checks_of("S-3")] == ["check_required_meta"]
    assert REGISTRY.is_read("V-2") and not REGISTRY.checks_of("V-2")


def test_severities_follow_the_spec() -> None:
    if not SPEC.exists():  # the spec lives outside the repository
        pytest.skip("shared/spec/checker_rules.md not available")
    rows = re.findall(r"^\| (\S+) \| .*? \| (error|warning|notice)\b", SPEC.read_text("utf-8"),
                      flags=re.M)
    assert rows, "spec table not found"
    for rule_id, severity in rows:
        assert RULE_BY_ID[rule_id].severity is SEVERITY_WORDS[severity], rule_id


def test_identities_cover_every_total_and_balance() -> None:
    by_rule: dict[str, list] = {}
    for identity in IDENTITIES:
        by_rule.setdefault(identity.rule, []).append(identity)
    assert len(by_rule["T3-1"]) == len(TABLE3.balances) == 7
    assert len(by_rule["T3-2"]) == 7  # one per column, the total column included
    assert len(by_rule["T3-3"]) == 25  # one per row of numbers
    assert len(by_rule["T4-1"]) == 3
    totals = {f.id for f in (*TABLE3.total_fields, *TABLE4.total_fields)}
    assert totals <= {fid for i in IDENTITIES for fid in i.terms}
    for identity in IDENTITIES:
        assert set(identity.terms.values()) <= {1, -1}
        assert len(identity.terms) == len(identity.field_ids)  # no field on both sides
        # each identity says what it is, so its finding is worded without asking its rule
        assert identity.is_total == (identity.kind is not IdentityKind.BALANCE)
        assert identity.table_name == ("表四" if identity.rule == "T4-1" else "表三")


def test_rule_fields_are_the_identity_fields() -> None:
    assert set(RULE_BY_ID["T4-1"].fields) == {f.id for f in TABLE4.fields}
    assert "t3.new.natural_person" in RULE_BY_ID["T3-1"].fields
    assert RULE_BY_ID["Y-1"].needs_previous and RULE_BY_ID["Y-2"].needs_previous


def test_make_finding_takes_the_rule_severity() -> None:
    finding = make_finding("V-2", "表二 有 1 个数字格未填写", cells=["表二!B7"])
    assert finding.severity is Severity.NOTICE and finding.cells == ("表二!B7",)
    assert make_finding("S-1", "x", severity=Severity.WARNING).severity is Severity.WARNING
    assert RULE_BY_ID["D-1"].finding("y").severity is Severity.WARNING


def _broken_report() -> Report:
    """A report breaking every rule that can be broken without a workbook."""
    numbers: dict[str, int | Decimal] = {f.id: 0 for f in FIELDS}
    numbers["t3.new.natural_person"] = 3  # T3-1, T3-3 …
    numbers["t3.disclosed.total"] = 5  # T3-2
    numbers["t4.cases.review_total"] = 2  # T4-1
    numbers["t2.regulations.issued"] = Decimal("-1.5")  # V-1, D-1 (a township makes no 规章)
    opening = TextPart(("本年度共办理镕 99 件。",))  # F-1
    return Report(Meta(agency="某某县某某镇人民政府", year=2019),  # S-2; no 发布日期: S-3
                  Narrative({"opening": opening}), Numbers(numbers))


def test_each_check_makes_findings_of_its_own_rules_only() -> None:
    report = _broken_report()
    made: set[str] = set()
    for entry in REGISTRY.entries:
        own = {r.id for r in entry.rules}
        if entry.check is not None:
            found = entry.check(report, None)
        else:
            assert entry.previous_check is not None
            found = entry.previous_check(report, _broken_report_last_year(), None)
        assert {f.rule for f in found} <= own, entry.name
        made |= {f.rule for f in found}
    # the report above really breaks them (the test would pass trivially otherwise)
    assert {"T3-1", "T3-2", "T3-3", "T4-1", "V-1", "D-1", "S-1", "S-2", "S-3", "F-1", "Y-1",
            "Y-2"} <= made
    assert {f.rule for f in check_report(report, previous=_broken_report_last_year())} == made


def _broken_report_last_year() -> Report:
    return Report(Meta(agency="某某县某某镇人民政府", year=2018),
                  numbers=Numbers({"t3.carried_forward.natural_person": 7,
                                   "t2.regulations.in_force": 4}))


def test_a_warning_of_an_error_when_built_rule_becomes_an_error() -> None:
    report = _broken_report()
    (s3,) = [f for f in check_report(report) if f.rule == "S-3" and "发布日期" in f.message]
    assert s3.severity is Severity.WARNING
    result = checker.CheckResult(_read(report), (s3,))
    assert checker.for_build(result).findings[0].severity is Severity.ERROR


def _read(report: Report):  # noqa: ANN202 - a ReadResult
    from generator.report.read_result import ReadResult

    return ReadResult(report)


def test_a_published_report_is_not_blamed_for_workbook_only_rules() -> None:
    report = _broken_report()
    assert any(f.rule == "S-3" for f in check_report(report))
    published = checker.check_published(report)
    assert published and all(RULE_BY_ID[f.rule].applies_to_published for f in published)
    assert not any(f.rule == "S-3" for f in published)


def test_a_registry_refuses_a_rule_declared_twice_and_a_check_without_rules() -> None:
    registry = RuleRegistry()
    rule = Rule("X-1", Severity.NOTICE, "试验", "试验规则。")
    registry.declare(rule)
    registry.declare(rule)  # the same declaration again (a module imported twice) is fine
    with pytest.raises(ValueError, match="X-1"):
        registry.declare(Rule("X-1", Severity.ERROR, "另一个", "不同的规则。"))
    with pytest.raises(ValueError):
        registry.check()
    with pytest.raises(ValueError, match="needs_previous"):
        registry.check(Rule("X-2", Severity.NOTICE, "需上年", "x", needs_previous=True))


def test_a_new_rule_is_one_declaration_and_runs_without_other_changes() -> None:
    registry = RuleRegistry()
    rule = Rule("X-9", Severity.WARNING, "机关名称过短", "机关名称不应少于两个字。")

    @registry.check(rule)
    def check_short_name(report: Report, sources: object) -> list:
        return [rule.finding("机关名称过短")] if len(report.meta.agency) < 2 else []

    (entry,) = registry.entries
    assert registry.rules == (rule,) and entry.check is check_short_name
    assert entry.check(Report(Meta(agency="某", year=2025)), None)[0].severity is Severity.WARNING


#: calls whose first argument may be a rule id: a declaration, a finding made by id, the
#: identity that names its rule
DECLARING_CALLS = frozenset({"Rule", "make_finding", "Identity", "identity_fields"})


def _rule_id_strings(source: str, name: str) -> list[str]:
    """``name:line`` of every rule id written as a string outside a declaring call."""
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if called in DECLARING_CALLS:
                allowed.add(id(node.args[0]))
    return [f"{name}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in RULE_BY_ID and id(node) not in allowed]


def test_no_code_outside_the_declarations_names_a_rule_id() -> None:
    # A rule's id is written where the rule is declared; code that compares findings with an
    # id ("S-3" filtered out, 'if identity.rule == "T3-1"') says a fact of the rule elsewhere
    # instead of declaring it on the rule (error_when_built, applies_to_published, kind).
    offenders = [where for path in sorted(PACKAGE.rglob("*.py"))
                 for where in _rule_id_strings(path.read_text("utf-8"),
                                               str(path.relative_to(PACKAGE)))]
    assert offenders == []


def test_the_id_scan_finds_a_branch_on_an_id() -> None:
    sample = 'WANTED = "S-3"\nRule("S-3", 1)\nif f.rule == "T3-1": pass\nmake_finding("V-2", "x")\n'
    assert _rule_id_strings(sample, "sample.py") == ["sample.py:1", "sample.py:3"]


def test_markdown_table_lists_every_rule() -> None:
    lines = rules_markdown(RULES).splitlines()
    assert lines[0] == "| 编号 | 级别 | 规则 | 说明 |"
    assert [line.split(" | ")[0].lstrip("| ") for line in lines[2:]] == EXPECTED_IDS
    assert "| T3-1 | 错误 | 表三各列平衡 |" in lines[2]
