"""The portal's records: agencies, accounts, submissions and their versions, files, audit."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.db import models

#: 未提交 / 有错误 / 待审核 / 已通过 / 已退回, in the dashboard's order
STATUS_LABELS = {"none": "未提交", "errors": "有错误", "pending": "待审核",
                 "approved": "已通过", "returned": "已退回"}


def deadline_for(agency_name: str, year: int) -> datetime.date:
    """31 January of the next year; 31 March for a people's government's own report
    (《政府信息公开条例》第四十九、五十条)."""
    if agency_name.endswith("人民政府"):
        return datetime.date(year + 1, 3, 31)
    return datetime.date(year + 1, 1, 31)


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)  # 机关全称, as in the workbook

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def deadline(self, year: int) -> datetime.date:
        return deadline_for(self.name, year)


class Profile(models.Model):
    """Which agency a clerk works for (the county office's accounts are staff, no agency)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="portal_profile")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="profiles")


class StoredFile(models.Model):
    """A file's bytes under ``files/`` named by their SHA-256 (see :mod:`.storage`)."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    created = models.DateTimeField(auto_now_add=True)


class Submission(models.Model):
    """One agency's report for one year: its versions and where the review stands."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="submissions")
    year = models.IntegerField()
    status = models.CharField(max_length=16, default="none")  # a key of STATUS_LABELS
    current = models.ForeignKey("Version", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    submitted = models.ForeignKey("Version", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    explanation = models.TextField(blank=True)  # the clerk's words on remaining warnings
    comment = models.TextField(blank=True)  # the county office's words when it returned it
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="one_per_year")]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class Version(models.Model):
    """One uploaded workbook, what checking it found and the files made from it."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="versions")
    number = models.IntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)  # the clerk's name for it, shown only
    workbook = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    #: queued (generation not done yet) | done | refused (unreadable, wrong agency or year)
    state = models.CharField(max_length=16, default="queued")
    refused = models.TextField(blank=True)
    errors = models.IntegerField(default=0)
    warnings = models.IntegerField(default=0)
    notices = models.IntegerField(default=0)
    findings_json = models.TextField(default="[]")
    figures_json = models.TextField(default="{}")
    report_json = models.TextField(blank=True)  # generator.report.model.report_to_json
    title = models.CharField(max_length=300, blank=True)
    docx = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    pdf = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    html = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    draft = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "number"],
                                               name="one_number_per_version")]
        ordering = ["-number"]

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(json.loads(self.findings_json))

    @property
    def figures(self) -> dict[str, Any]:
        return dict(json.loads(self.figures_json))


class AuditEvent(models.Model):
    """Who did what, when (never edited, never deleted by the portal)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150)
    agency = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40)
    detail = models.TextField(blank=True)
    ip = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class LoginFailure(models.Model):
    """Failed logins per username and per address, for throttling (see views.login_view)."""

    key = models.CharField(max_length=300, unique=True)
    count = models.IntegerField(default=0)
    first = models.DateTimeField()
