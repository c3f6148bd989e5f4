"""The report model: what one annual report says, independent of any file format.

A :class:`Report` holds the metadata (基本信息), the narrative (paragraphs per
:class:`~generator.form.TextSlot`) and every number of the three tables keyed by
:attr:`~generator.form.Field.id`.  Readers build it, the checker judges it, renderers print
it.  It is immutable and round-trips through JSON (:func:`report_to_json`,
:func:`report_from_json`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Mapping

from generator.form import (
    FIELD_BY_ID,
    FIELDS,
    TEXT_SLOT_BY_KEY,
    TEXT_SLOTS,
    ValueKind,
    report_title,
)

Number = int | Decimal


@dataclass(frozen=True)
class Meta:
    """基本信息: who reports, for which year, where it is published and who signs it."""

    agency: str
    year: int
    level: str = ""
    region: str = ""
    portal_name: str = ""
    portal_url: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    email: str = ""
    processing_fee: Decimal = Decimal(0)
    publish_date: date | None = None
    signatory: str = ""

    @property
    def title(self) -> str:
        return report_title(self.agency, self.year)

    @property
    def signing_agency(self) -> str:
        """落款机关: the signatory if given, else the agency itself."""
        return self.signatory or self.agency


@dataclass(frozen=True)
class TextPart:
    """The paragraphs of one text slot; ``heading`` names a clerk-defined item of 六."""

    paragraphs: tuple[str, ...] = ()
    heading: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(p.strip() for p in self.paragraphs)


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Narrative:
    """Paragraphs per text slot key (see :data:`generator.form.TEXT_SLOTS`)."""

    parts: Mapping[str, TextPart] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.parts.keys() <= TEXT_SLOT_BY_KEY.keys():  # asks each key, builds no set
            unknown = set(self.parts) - set(TEXT_SLOT_BY_KEY)
            raise ValueError(f"unknown text slots: {sorted(unknown)}")
        object.__setattr__(self, "parts", _frozen(self.parts))

    def __getitem__(self, key: str) -> TextPart:
        return self.parts.get(key, TextPart())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Narrative):
            return NotImplemented
        keys = set(self.parts) | set(other.parts)
        return all(self[k] == other[k] for k in keys)

    def __hash__(self) -> int:  # pragma: no cover - kept hashable for frozen dataclass use
        return hash(tuple(sorted((k, v) for k, v in self.parts.items() if not v.is_empty)))

    def __reduce__(self) -> tuple[type["Narrative"], tuple[dict[str, TextPart]]]:
        # The read-only view cannot be pickled; a batch hands reports between processes.
        return Narrative, (dict(self.parts),)


@dataclass(frozen=True)
class Numbers:
    """Every number of tables 二/三/四, keyed by field id; missing fields read as 0."""

    values: Mapping[str, Number] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.values.keys() <= FIELD_BY_ID.keys():  # as Narrative's: no set built
            unknown = set(self.values) - set(FIELD_BY_ID)
            raise ValueError(f"unknown fields: {sorted(unknown)[:5]}")
        object.__setattr__(self, "values", _frozen(self.values))

    def __getitem__(self, field_id: str) -> Number:
        return self.values.get(field_id, 0)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Numbers):
            return NotImplemented
        return all(self[f.id] == other[f.id] for f in FIELDS)

    def __hash__(self) -> int:  # pragma: no cover
        return hash(tuple(self[f.id] for f in FIELDS))

    def __reduce__(self) -> tuple[type["Numbers"], tuple[dict[str, Number]]]:
        # As Narrative's: a batch hands reports between processes.
        return Numbers, (dict(self.values),)

    def with_totals(self) -> "Numbers":
        """A copy whose total fields are recomputed from their parts."""
        values = dict(self.values)
        for f in FIELDS:
            if f.is_total:
                values[f.id] = sum((values.get(p, 0) for p in f.sum_of), 0)
        return Numbers(values)


@dataclass(frozen=True)
class Report:
    """One agency's annual report."""

    meta: Meta
    narrative: Narrative = field(default_factory=Narrative)
    numbers: Numbers = field(default_factory=Numbers)

    @property
    def title(self) -> str:
        return self.meta.title

    def replace(self, **changes: Any) -> "Report":
        return replace(self, **changes)


# ---------------------------------------------------------------------------
# JSON: stable, human-readable, exact (amounts as decimal strings).

JSON_FORMAT_VERSION = 1


def _number_to_json(value: Number) -> int | str:
    return str(value) if isinstance(value, Decimal) else int(value)


def _number_from_json(field_id: str, value: Any) -> Number:
    if FIELD_BY_ID[field_id].kind is ValueKind.AMOUNT:
        return Decimal(str(value))
    return int(value)


def report_to_dict(report: Report) -> dict[str, Any]:
    meta = {f.name: getattr(report.meta, f.name) for f in fields(Meta)}
    meta["publish_date"] = report.meta.publish_date.isoformat() if report.meta.publish_date else None
    meta["processing_fee"] = str(report.meta.processing_fee)
    narrative = {}
    for slot in TEXT_SLOTS:
        part = report.narrative[slot.key]
        entry: dict[str, Any] = {"paragraphs": list(part.paragraphs)}
        if slot.custom_heading:
            entry["heading"] = part.heading
        narrative[slot.key] = entry
    tables: dict[str, dict[str, dict[str, int | str]]] = {}
    for f in FIELDS:
        tables.setdefault(f.table, {}).setdefault(f.row, {})[f.col] = _number_to_json(
            report.numbers[f.id])
    return {"format": JSON_FORMAT_VERSION, "meta": meta, "narrative": narrative, "tables": tables}


def report_from_dict(data: Mapping[str, Any]) -> Report:
    meta_data = dict(data["meta"])
    if meta_data.get("publish_date"):
        meta_data["publish_date"] = date.fromisoformat(meta_data["publish_date"])
    if "processing_fee" in meta_data:
        meta_data["processing_fee"] = Decimal(str(meta_data["processing_fee"]))
    meta = Meta(**meta_data)
    parts = {
        key: TextPart(tuple(entry.get("paragraphs", ())), entry.get("heading", ""))
        for key, entry in data.get("narrative", {}).items()
    }
    values: dict[str, Number] = {}
    for table, rows in data.get("tables", {}).items():
        for row, cols in rows.items():
            for col, value in cols.items():
                field_id = f"{table}.{row}.{col}"
                values[field_id] = _number_from_json(field_id, value)
    return Report(meta, Narrative(parts), Numbers(values))


def report_to_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2)


def report_from_json(text: str) -> Report:
    return report_from_dict(json.loads(text))
