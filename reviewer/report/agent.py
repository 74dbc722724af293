"""``--format agent``: a compact Markdown digest for a coding agent reviewing the change.

The facts the agent starts from, in few tokens: the static findings with their code line and fix,
then the FastAPI constructs the change touches (routes, dependencies, models, app wiring) per
file, then what could not be reviewed. A construct is touched when an added line falls inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Set
from typing import ClassVar

from reviewer.engine import Change, Report
from reviewer.extract.model import Expr, Function, Module, Route
from reviewer.extract.project import Project
from reviewer.report.text import summary
from reviewer.rules.base import Finding, Tier
from reviewer.rules.registry import BY_ID

DEPENDENCY_MARKERS = ("Depends", "Security")
MODEL_KINDS = ("pydantic", "sqlmodel", "sqlmodel_table", "orm")


def _lines(first: int, last: int) -> str:
    return f"L{first}" if first == last else f"L{first}-{last}"


def _touched(added: Set[int], first: int, last: int) -> bool:
    return any(line in added for line in range(first, last + 1))


def _extent(function: Function) -> tuple[int, int]:
    return function.span.line, max(function.span.end_line, function.body_span.end_line)


def _short(expr: Expr) -> str:
    return " ".join(expr.text.split())


def _dependencies(function: Function) -> list[str]:
    names: list[str] = []
    for param in function.params:
        if param.marker is None or param.marker_name not in DEPENDENCY_MARKERS:
            continue
        target = param.marker.arg(0, "dependency")
        if target is not None:
            names.append(_short(target))
        elif param.type:
            names.append(param.type.rsplit(".", 1)[-1])
    return names


def _body_models(function: Function, project: Project) -> list[str]:
    return [
        param.type.rsplit(".", 1)[-1]
        for param in function.params
        if param.type
        and (param.marker is None or param.marker_name == "Body")
        and project.model_kind(param.type) in MODEL_KINDS
    ]


def _route(module: Module, route: Route, project: Project) -> str:
    handler = route.handler
    head = f"`{route.method} {module.route_path(route) or '<dynamic path>'}` {handler.name} {_lines(*_extent(handler))}"
    parts = [head + (" async" if handler.is_async else " sync")]
    parts.extend(f"body {name}" for name in _body_models(handler, project))
    response = route.option("response_model") or handler.returns_annotation
    if response is not None:
        parts.append(f"-> {_short(response)}")
    status = route.option("status_code")
    if status is not None:
        code = re.fullmatch(r"(?:\w+\.)*HTTP_(\d{3})_\w+", status.text)
        parts.append(f"status {code.group(1) if code else _short(status)}")
    dependencies = _dependencies(handler)
    if dependencies:
        parts.append("deps " + ", ".join(dependencies))
    return "- route " + "; ".join(parts)


def _dependency(function: Function) -> str:
    traits = ["async" if function.is_async else "sync"]
    if function.yields:
        traits.append("yield")
    traits.extend(f"uses {name}" for name in _dependencies(function))
    return f"- dependency `{function.qualname}` {_lines(*_extent(function))} " + ", ".join(traits)


def _depends_targets(change: Change) -> frozenset[str]:
    known = change.project.depends_targets
    if known is not None:
        return known
    return change.project.memo(  # once: a pass over the modules may build them again
        "agent.depends_targets",
        lambda: frozenset(t for module in change.modules for t in module.depends_targets()),
    )


def _constructs(module: Module, added: Set[int], change: Change) -> Iterator[str]:
    project = change.project
    handlers = {route.handler.qualname for route in module.routes}
    for route in module.routes:
        if _touched(added, *_extent(route.handler)):
            yield _route(module, route, project)
    targets = _depends_targets(change)
    for function in module.functions:
        if (
            function.qualname not in handlers
            and f"{module.name}.{function.qualname}" in targets
            and _touched(added, *_extent(function))
        ):
            yield _dependency(function)
    for class_def in module.classes:
        kind = project.class_kind(class_def, module)
        if kind not in MODEL_KINDS:
            continue
        spans = [class_def.span, *(field.span for field in class_def.fields)]
        spans.extend(
            function.body_span
            for function in module.functions
            if function.qualname.startswith(class_def.qualname + ".")
        )
        if any(_touched(added, span.line, span.end_line) for span in spans):
            last = max(span.end_line for span in spans)
            fields = ", ".join(field.name for field in class_def.fields) or "no fields"
            yield f"- model `{class_def.name}` ({kind}) {_lines(class_def.span.line, last)}: {fields}"
    for app in module.apps:
        call = app.call
        if _touched(added, call.span.line, call.span.end_line):
            where = f" in {app.function}()" if app.function else ""
            yield f"- {app.kind} `{app.name}` = {call.qualname or 'call'}{where} {_lines(call.span.line, call.span.end_line)}"
    for middleware in module.middleware:
        span = middleware.call.span
        if _touched(added, span.line, span.end_line):
            owner = f" on `{middleware.owner}`" if middleware.owner else ""
            yield f"- middleware {_short(middleware.cls)}{owner} {_lines(span.line, span.end_line)}"
    for include in module.includes:
        if _touched(added, include.span.line, include.span.end_line):
            prefix = f" prefix {include.prefix}" if include.prefix else ""
            yield (
                f"- include_router {_short(include.router)} on `{include.owner}`{prefix} "
                f"{_lines(include.span.line, include.span.end_line)}"
            )


def _code(text: str) -> str:
    """``text`` as inline code, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _finding(report: Report, finding: Finding) -> str:
    where = f"{finding.path}:{finding.line}"
    if finding.end_line > finding.line:
        where += f"-{finding.end_line}"
    origin = "" if finding.source == "static" else f" ({finding.source})"
    rule = BY_ID.get(finding.rule_id)
    if rule is not None and rule.tier is Tier.PREVIEW:
        origin += " (preview: below the real-code precision bar, check it)"
    message = " ".join(finding.message.split())
    text = f"- {finding.rule_id} {finding.severity.value}{origin} `{where}` {message}"
    code = report.code_line(finding)
    if code:
        text += f"\n  code: {_code(code)}"
    if finding.fix:
        text += f"\n  fix: {finding.fix}"
    return text


class AgentRenderer:
    name: ClassVar[str] = "agent"

    def render(self, report: Report) -> str:
        out = [f"# fastapi-review {report.version}: {summary(report)}", "", "## Findings"]
        out.extend(_finding(report, finding) for finding in report.findings)
        if not report.findings:
            out.append("None.")
        change = report.change
        if change is not None:
            sections: list[str] = []
            for module in change.modules:
                changed = change.diff.file(module.path)
                added = changed.added if changed is not None else frozenset()
                lines = list(_constructs(module, added, change))
                if lines:
                    sections.extend(["", f"### {module.path}", *lines])
            out.extend(["", "## Changed constructs"])
            out.extend(sections or ["No route, dependency, model or app wiring."])
            deleted = [
                c.path
                for c in change.diff.files
                if c.status == "deleted" and c.path.endswith(".py")
            ]
            if deleted:
                out.extend(["", "## Deleted files", *(f"- {path}" for path in deleted)])
        gaps = [f"- {s.path}: skipped, {s.reason}" for s in report.skipped]
        gaps.extend(f"- {path}: from the diff's hunks only" for path in report.partial)
        if gaps:
            out.extend(["", "## Not fully reviewed", *gaps])
        return "\n".join(out) + "\n"
