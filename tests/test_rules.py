"""The rule declarations: complete, derived from the form, and printed from one source."""

from __future__ import annotations

import re
from pathlib import Path

from generator.findings import Severity
from generator.form import TABLE3, TABLE4
from generator.rules import IDENTITIES, RULE_BY_ID, RULES, make_finding, rules_markdown

SPEC = Path("/work/shared/spec/checker_rules.md")
EXPECTED_IDS = ["T3-1", "T3-2", "T3-3", "T4-1", "V-1", "V-2", "V-3", "V-4", "Y-1", "Y-2", "D-1",
                "S-1", "S-3", "S-2", "N-1", "F-1"]
SEVERITY_WORDS = {"error": Severity.ERROR, "warning": Severity.WARNING, "notice": Severity.NOTICE}


def test_every_rule_is_declared_once() -> None:
    assert [r.id for r in RULES] == EXPECTED_IDS


def test_severities_follow_the_spec() -> None:
    if not SPEC.exists():  # the spec lives outside the repository
        import pytest
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


def test_rule_fields_are_the_identity_fields() -> None:
    assert set(RULE_BY_ID["T4-1"].fields) == {f.id for f in TABLE4.fields}
    assert "t3.new.natural_person" in RULE_BY_ID["T3-1"].fields
    assert RULE_BY_ID["Y-1"].needs_previous and RULE_BY_ID["Y-2"].needs_previous


def test_make_finding_takes_the_rule_severity() -> None:
    finding = make_finding("V-2", "表二 有 1 个数字格未填写", cells=["表二!B7"])
    assert finding.severity is Severity.NOTICE and finding.cells == ("表二!B7",)
    assert make_finding("S-1", "x", severity=Severity.WARNING).severity is Severity.WARNING


def test_markdown_table_lists_every_rule() -> None:
    lines = rules_markdown().splitlines()
    assert lines[0] == "| 编号 | 级别 | 规则 | 说明 |"
    assert [line.split(" | ")[0].lstrip("| ") for line in lines[2:]] == EXPECTED_IDS
    assert "| T3-1 | 错误 | 表三各列平衡 |" in lines[2]
