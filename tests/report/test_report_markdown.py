"""``--format markdown``: tables and code blocks that the content cannot break."""

from __future__ import annotations

from reviewer.engine import Report
from reviewer.record import replace
from reviewer.report.markdown import MarkdownRenderer, cell, fenced, section


def test_cell_escapes_pipes_and_joins_lines() -> None:
    assert cell("a|b\nc  d\\e") == "a\\|b c d\\\\e"


def test_fence_outgrows_backticks_in_the_code() -> None:
    assert fenced("x = '```'") == "````python\nx = '```'\n````"
    assert fenced("plain") == "```python\nplain\n```"


def test_section_reads_one_heading() -> None:
    doc = "## What it does\nA.\n\n## Why is this bad?\nB\nC.\n\n## Example\nD"
    assert section(doc, "Why is this bad?") == "B\nC."
    assert section(doc, "Known problems") == ""


def test_table_row_per_finding_and_a_section_each(report: Report) -> None:
    text = MarkdownRenderer().render(report)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "FAPI" in line]
    assert len(rows) == len(report.findings)
    assert all(line.count(" | ") == 4 for line in rows)
    assert text.count("\n### ") == len(report.findings) + 1  # + "Not fully reviewed"


def test_no_findings() -> None:
    text = MarkdownRenderer().render(Report(findings=(), files=2, python_files=2))
    assert text == "## fastapi-review\n\n0 findings in 2 Python files, on the changed lines.\n"


def test_snippet_stops_at_the_known_lines(report: Report) -> None:
    beyond = replace(report.findings[1], line=99, end_line=99)
    text = MarkdownRenderer().render(replace(report, findings=(beyond,)))
    assert "```python" not in text
