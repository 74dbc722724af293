"""The LLM pass: plan the requests of a change, send them concurrently, keep the valid findings.

Nothing here raises for a failed request: a chunk that fails (after retries, or after one repair of
an invalid answer) becomes a warning, and the review goes on with what the other chunks and the
static rules found. The whole pass has a wall-clock budget (``time-budget``): a server that
answers one byte at a time, or never, stops the pass there, with the chunks not done counted as
failed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reviewer.config import Config
from reviewer.extract.model import Module
from reviewer.llm.context import Chunk, Estimator, Unit, chunks, units
from reviewer.llm.prompt import Redactor, plain_path, render, repair, request, system
from reviewer.llm.provider import provider
from reviewer.llm.schema import Answer, LlmFinding, parse
from reviewer.llm.tokens import request_tokens
from reviewer.llm.usage import PassSummary, Usage
from reviewer.report.safe import from_model
from reviewer.rules.base import Finding, Severity
from reviewer.rules.registry import BY_ID

if TYPE_CHECKING:
    from reviewer.engine import Change
    from reviewer.llm.client import ReviewClient

MIN_CHUNK_BUDGET = 1_000
"""Estimated tokens left for code in a request, whatever ``token-budget`` says."""
PACKING = 0.85
"""Chunks are packed to this share of the room left by the fixed part of a request: the headroom
covers what the packing estimate leaves out (headers, facts, joined gaps)."""


@dataclass(frozen=True)
class Plan:
    """The requests of a pass, one per chunk, exactly as they will be sent."""

    chunks: list[Chunk]
    requests: list[dict[str, Any]]
    redactions: int
    provider: str
    withheld: tuple[str, ...] = ()
    """Files not sent: their paths are not plain file names (:func:`plain_path`)."""


def plan(
    change: Change, static: Sequence[Finding], config: Config, environ: Mapping[str, str]
) -> Plan:
    """The requests for ``change``: chunks packed by estimate, and any chunk whose rendered request
    still exceeds ``token-budget`` split in two until it fits (or holds one construct)."""
    files: dict[str, Module] = {}
    found = units(change.diff, change.modules, change.project, config.enabled, files)
    withheld = tuple(sorted(path for path in files if not plain_path(path)))
    found = [
        replace(unit, context=tuple(s for s in unit.context if plain_path(s.path)))
        for unit in found
        if plain_path(unit.path)
    ]
    blocks = system({rule_id for unit in found for rule_id in unit.rule_ids})
    overhead = request_tokens(request(config.model, blocks, ""))
    budget = max(int((config.token_budget - overhead) * PACKING), MIN_CHUNK_BUDGET)
    redactor = Redactor(files)
    pending = chunks(found, Estimator(files), budget)
    packed: list[Chunk] = []
    requests: list[dict[str, Any]] = []
    while pending:
        chunk = pending.pop(0)
        body = request(config.model, blocks, render(chunk, change.diff, static, files, redactor))
        if request_tokens(body) > config.token_budget and len(chunk.units) > 1:
            half = len(chunk.units) // 2
            pending[:0] = [_chunk(chunk.units[:half]), _chunk(chunk.units[half:])]
            continue
        packed.append(chunk)
        requests.append(body)
    return Plan(packed, requests, redactor.count, provider(config, environ), withheld)


def _chunk(units: list[Unit]) -> Chunk:
    chunk = Chunk()
    for unit in units:
        chunk.add(unit)
    return chunk


def dry_run(
    change: Change, static: Sequence[Finding], config: Config, environ: Mapping[str, str]
) -> str:
    """What a pass would send, as JSON: the body of every ``POST /v1/messages``."""
    the_plan = plan(change, static, config, environ)
    shown = {
        "provider": the_plan.provider,
        "endpoint": "POST /v1/messages",
        "redactions": the_plan.redactions,
        "estimated_input_tokens": sum(request_tokens(body) for body in the_plan.requests),
        "requests": the_plan.requests,
    }
    return json.dumps(shown, indent=2, ensure_ascii=False) + "\n"


@dataclass
class _Tally:
    """What the chunks of a pass add up to."""

    candidates: dict[tuple[str, str, int], tuple[LlmFinding, int]] = field(default_factory=dict)
    """(rule, path, construct head) -> the most confident finding and its last proving line."""
    usage: Usage = field(default_factory=Usage)
    retries: int = 0
    repairs: int = 0
    failed: int = 0
    merged: int = 0
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    fatal: bool = False
    finished: int = 0
    """Chunks done (answered, failed or skipped), for the ones a stopped pass leaves."""


def _covering(finding: LlmFinding, chunk: Chunk) -> list[Unit]:
    return [
        unit
        for unit in chunk.units
        if unit.path == finding.path and unit.start <= finding.line <= unit.end
    ]


def _rejection(finding: LlmFinding, chunk: Chunk) -> str:
    """Why ``finding`` cannot be kept, or "" when it can."""
    if finding.rule_id not in BY_ID:
        return "unknown rule id"
    if not any(unit.path == finding.path for unit in chunk.units):
        return "path not under review"
    covering = _covering(finding, chunk)
    if not covering:
        return "line outside the constructs under review"
    if not any(finding.rule_id in unit.rule_ids for unit in covering):
        return "rule not on the checklist of that construct"
    return ""


def _anchor(finding: LlmFinding, chunk: Chunk, added: Set[int]) -> tuple[int, int]:
    """The construct's head and the last line that proves the finding: the head of the
    innermost construct that holds the finding's line and has its rule; the end as the answer
    gives it, within the construct, and reaching the first changed line of the construct when
    the proving lines hold none (the construct is in the review because the change touched it)."""
    unit = min(
        (u for u in _covering(finding, chunk) if finding.rule_id in u.rule_ids),
        key=lambda u: u.end - u.start,
    )
    end = min(max(finding.line, finding.end_line or finding.line), unit.end)
    changed = [line for line in range(unit.start, unit.end + 1) if line in added]
    if changed and not any(unit.head <= line <= end for line in changed):
        end = max(end, changed[0])
    return unit.head, end


def _finding(finding: LlmFinding, line: int, end_line: int) -> Finding:
    rule = BY_ID[finding.rule_id]
    severity = min(Severity(finding.severity), rule.severity, key=lambda s: s.rank)
    return Finding(
        rule_id=rule.id,
        name=rule.name,
        severity=severity,
        path=finding.path,
        line=line,
        end_line=end_line,
        column=1,
        message=" ".join(from_model(finding.message).split()),
        fix=" ".join(from_model(finding.fix).split()) or rule.fix,
        source="llm",
    )


def _accept(answer: Answer, index: int, chunk: Chunk, change: Change, tally: _Tally) -> None:
    """Keep the valid findings of one answer, one per rule and construct: a finding repeating
    one already given (in this answer or another chunk's) is merged into the more confident."""
    for finding in answer.findings:
        reason = _rejection(finding, chunk)
        if reason:
            tally.rejected += 1
            tally.warnings.append(
                f"chunk {index + 1}: rejected {finding.rule_id} at {finding.path}:{finding.line}: "
                f"{reason}"
            )
            continue
        changed = change.diff.file(finding.path)
        head, end = _anchor(finding, chunk, changed.added if changed else frozenset())
        key = (finding.rule_id, finding.path, head)
        previous = tally.candidates.get(key)
        if previous is not None:
            tally.merged += 1
            end = max(end, previous[1])
            if previous[0].confidence >= finding.confidence:
                tally.candidates[key] = (previous[0], end)
                continue
        tally.candidates[key] = (finding, end)


async def _review_chunk(
    index: int,
    the_plan: Plan,
    change: Change,
    config: Config,
    client: ReviewClient,
    tally: _Tally,
) -> None:
    from reviewer.llm.client import LlmError

    body = the_plan.requests[index]
    total = len(the_plan.requests)
    if tally.fatal:
        tally.failed += 1
        return
    try:
        reply = await client.send(body)
        tally.usage += reply.usage
        tally.retries += reply.retries
        answer = parse(reply.tool_input)
        if isinstance(answer, str):
            tally.repairs += 1
            reply = await client.send(repair(body, reply.content, reply.tool_use_id, answer))
            tally.usage += reply.usage
            tally.retries += reply.retries
            answer = parse(reply.tool_input)
        if isinstance(answer, str):
            tally.failed += 1
            tally.warnings.append(
                f"chunk {index + 1} of {total}: invalid answer after one repair: {answer}"
            )
            return
    except LlmError as exc:
        tally.failed += 1
        if exc.fatal:
            if not tally.fatal:
                tally.warnings.append(f"LLM pass stopped: {exc}")
            tally.fatal = True
        else:
            tally.warnings.append(f"chunk {index + 1} of {total} failed: {exc}")
        return
    _accept(answer, index, the_plan.chunks[index], change, tally)


@contextmanager
def _progress(show: bool, total: int) -> Iterator[Progress | None]:
    if not show or total < 2:
        yield None
        return
    with Progress(
        TextColumn("LLM review"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        yield progress


async def _run(
    the_plan: Plan,
    change: Change,
    config: Config,
    client: ReviewClient,
    progress: bool,
) -> _Tally:
    tally = _Tally()
    limit = asyncio.Semaphore(config.max_concurrency)
    with _progress(progress, len(the_plan.requests)) as bar:
        task = bar.add_task("chunks", total=len(the_plan.requests)) if bar is not None else None

        async def one(index: int) -> None:
            async with limit:
                await _review_chunk(index, the_plan, change, config, client, tally)
            tally.finished += 1
            if bar is not None and task is not None:
                bar.advance(task)

        chunks = asyncio.gather(*(one(index) for index in range(len(the_plan.requests))))
        try:
            await asyncio.wait_for(chunks, config.time_budget)
        except asyncio.TimeoutError:
            total = len(the_plan.requests)
            unfinished = total - tally.finished
            tally.failed += unfinished
            tally.warnings.append(
                f"LLM pass stopped after {config.time_budget:g} s (time-budget): {unfinished} of "
                f"{total} chunks unfinished"
            )
    return tally


async def _connect_and_run(
    the_plan: Plan,
    change: Change,
    config: Config,
    client: ReviewClient | None,
    progress: bool,
) -> _Tally:
    from reviewer.llm.client import LlmError, connect

    if client is not None:
        return await _run(the_plan, change, config, client, progress)
    try:
        own = connect(the_plan.provider, config.max_retries)
    except LlmError as exc:
        return _Tally(failed=len(the_plan.requests), warnings=[f"LLM pass stopped: {exc}"])
    try:
        return await _run(the_plan, change, config, own, progress)
    finally:
        await own.aclose()


def run_pass(
    change: Change,
    static: Sequence[Finding],
    config: Config,
    environ: Mapping[str, str],
    progress: bool = False,
    client: ReviewClient | None = None,
) -> tuple[list[Finding], PassSummary]:
    """Review ``change`` with Claude: the valid findings (unfiltered by configuration) and the
    summary of the pass. ``client`` defaults to one for the configured provider."""
    the_plan = plan(change, static, config, environ)
    tally = _Tally()
    if the_plan.requests:
        tally = asyncio.run(_connect_and_run(the_plan, change, config, client, progress))
    findings: list[Finding] = []
    dropped = 0
    for (_, _, head), (finding, end) in sorted(tally.candidates.items()):
        if finding.confidence < config.min_confidence:
            dropped += 1
        else:
            findings.append(_finding(finding, head, end))
    warnings = [
        f"not sent to the model (its path is not a plain file name): {path!r}"
        for path in the_plan.withheld
    ]
    warnings += tally.warnings
    total = len(the_plan.requests)
    if total and tally.failed == total:
        warnings.append("LLM pass failed: the report holds the static findings only")
    elif tally.failed:
        warnings.append(
            f"LLM pass incomplete: {tally.failed} of {total} chunks failed; their constructs "
            "were reviewed by the static rules only"
        )
    summary = PassSummary(
        model=config.model,
        provider=the_plan.provider,
        chunks=total,
        failed_chunks=tally.failed,
        usage=tally.usage,
        retries=tally.retries,
        repairs=tally.repairs,
        redactions=the_plan.redactions,
        dropped=dropped,
        rejected=tally.rejected,
        warnings=tuple(warnings),
        kept=len(findings),
        merged=tally.merged,
        min_confidence=config.min_confidence,
    )
    return findings, summary
