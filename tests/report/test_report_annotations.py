"""``--format github``: workflow commands escaped as the Actions runner reads them."""

from __future__ import annotations

from reviewer.engine import Report
from reviewer.record import replace
from reviewer.report.annotations import (
    AnnotationsRenderer,
    annotation,
    escape_data,
    escape_property,
)


def test_data_escapes_percent_and_line_breaks() -> None:
    assert escape_data("100%\r\nnext: a, b") == "100%25%0D%0Anext: a, b"


def test_property_escapes_colon_and_comma_too() -> None:
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_percent_is_escaped_first() -> None:
    assert escape_data("%0A") == "%250A"


def test_path_and_title_are_properties(report: Report) -> None:
    odd = replace(report.findings[1], path="app/a,b:c.py", message="x\ny")
    assert annotation(odd) == (
        "::error file=app/a%2Cb%3Ac.py,line=9,col=5,title=FAPI402 blocking-sleep-in-async"
        "::x%0Ay%0AFix: Use `await asyncio.sleep(...)`."
    )


def test_one_line_per_finding_then_skipped_files_then_the_summary(report: Report) -> None:
    lines = AnnotationsRenderer().render(report).splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:5]] == [
        "::notice",
        "::error",
        "::warning",
        "::error",
        "::warning",
    ]
    assert lines[3].startswith("::error file=app/orders.py,line=12,endLine=15,title=")
    assert "file=app/legacy.py" in lines[4]
    assert lines[5].startswith("fastapi-review: 4 findings")
