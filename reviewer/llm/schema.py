"""The answer Claude gives through the ``report_findings`` tool, validated with pydantic.

The schema holds findings and nothing else: no field approves the change, dismisses or re-grades a
static finding, or changes the instructions, so text in the reviewed code that tries to steer the
review has nothing to act on. Unknown keys make the answer invalid (``extra="forbid"``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

TOOL_NAME = "report_findings"
MAX_FINDINGS = 50


class LlmFinding(BaseModel):
    """One problem, on one line of the change."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str = Field(
        pattern=r"^FAPI\d{3}$",
        description="The checklist id, e.g. FAPI807.",
    )
    path: str = Field(min_length=1, description="As printed after 'File:'.")
    line: int = Field(ge=1, description="The construct's first line, as listed.")
    end_line: int | None = Field(
        default=None, ge=1, description="The last line that proves the problem."
    )
    severity: Literal["error", "warning", "info"]
    message: str = Field(min_length=1, max_length=400, description="One sentence about this code.")
    fix: str = Field(max_length=300, description="One concrete line (may be empty).")
    confidence: float = Field(
        ge=0.0, le=1.0, description="The probability that the maintainers agree (0 to 1)."
    )


class Answer(BaseModel):
    """The whole input of the ``report_findings`` tool."""

    model_config = ConfigDict(extra="forbid")

    findings: list[LlmFinding] = Field(max_length=MAX_FINDINGS)


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """``node`` with every ``$ref`` to ``#/$defs/...`` replaced by the definition, without titles
    and without the classes' docstrings (the descriptions of objects), which the model does not
    need."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
        is_object = node.get("type") == "object"
        return {
            key: _inline(value, definitions)
            for key, value in node.items()
            if key != "$defs"
            and not (key == "title" and isinstance(value, str))
            and not (key == "description" and is_object)
        }
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


def input_schema() -> dict[str, Any]:
    """The JSON schema of the tool input, self-contained."""
    schema = Answer.model_json_schema()
    inlined: dict[str, Any] = _inline(schema, schema.get("$defs", {}))
    return inlined


def tool() -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "description": "Report the checklist's findings; an empty list when there are none.",
        "input_schema": input_schema(),
    }


def parse(tool_input: dict[str, Any] | None) -> Answer | str:
    """The validated answer, or a description of what is wrong with it (for the repair request)."""
    if tool_input is None:
        return f"The answer did not call the {TOOL_NAME} tool."
    try:
        return Answer.model_validate(tool_input)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or 'input'}: {error['msg']}"
            for error in exc.errors()[:10]
        ]
        return "The tool input does not match the schema: " + "; ".join(problems)
