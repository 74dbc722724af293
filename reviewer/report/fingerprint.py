"""Stable identities for findings, shared by SARIF (``partialFingerprints``) and the pull-request
review (the hidden marker that keeps a rerun from commenting twice).

A fingerprint hashes the rule id, the path and the text of the finding's first line (whitespace
collapsed), not its line number or message: a finding keeps its fingerprint when lines are added
above it, and when the Claude pass words its message differently. Identical findings on identical
lines of one file are told apart by their order.
"""

from __future__ import annotations

import hashlib

from reviewer.engine import Report
from reviewer.rules.base import Finding

FINGERPRINT_KEY = "fastapiReview/v1"
"""The key of our fingerprint in SARIF ``partialFingerprints``."""


def line_text(report: Report, finding: Finding) -> str:
    """The post-change text of the finding's first line, whitespace collapsed ("" if unknown)."""
    return " ".join(report.code_line(finding).split())


def fingerprints(report: Report) -> tuple[str, ...]:
    """One fingerprint per finding of ``report``, in the same order."""
    seen: dict[tuple[str, str, str], int] = {}
    result: list[str] = []
    for finding in report.findings:
        key = (finding.rule_id, finding.path, line_text(report, finding))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        text = "\0".join((*key, str(occurrence)))
        result.append(hashlib.sha256(text.encode("utf-8")).hexdigest()[:20])
    return tuple(result)
