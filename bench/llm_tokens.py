"""Input tokens of the LLM pass against a naive prompt, counted offline (no network, no key).

Usage: .venv/bin/python bench/llm_tokens.py [--files 100] [--budget 16000]

For each bundled example change (``examples/<name>.patch`` with ``examples/<name>/`` as the
repository after the change) and a large generated change (``bench/generate.py``), it builds the
requests exactly as ``--dry-run-llm`` prints them and counts their input tokens with
``reviewer.llm.tokens`` (a documented approximation, the same for both sides). The naive prompt
is one request with the same instructions and tool, the whole checklist (the documentation of
every rule) and the whole diff. Cached: the part of our requests read from the prompt cache
(tools and system blocks of every chunk after the first), billed at a tenth of the input price.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import generate

from reviewer.config import Config
from reviewer.engine import analyze, review_change
from reviewer.llm.prompt import request, system
from reviewer.llm.review import plan
from reviewer.llm.tokens import request_tokens
from reviewer.rules.registry import RULES
from reviewer.source import DirectorySources, NoSources, Sources

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def naive_tokens(patch: str, config: Config) -> int:
    """One request: instructions, tool, every rule's documentation and the whole diff."""
    return request_tokens(request(config.model, system(rule.id for rule in RULES), patch))


def measure(name: str, patch: str, sources: Sources, config: Config) -> tuple[str, ...]:
    change = analyze(patch, sources, config)
    report = review_change(change, config)
    the_plan = plan(change, report.findings, config, {})
    ours = sum(request_tokens(body) for body in the_plan.requests)
    stable = request_tokens({**the_plan.requests[0], "messages": []}) if the_plan.requests else 0
    cached = stable * max(len(the_plan.requests) - 1, 0)
    naive = naive_tokens(patch, config)
    return (
        name,
        f"{len(patch.splitlines()):,}",
        str(len(the_plan.requests)),
        f"{ours:,}",
        f"{cached:,}",
        f"{naive:,}",
        f"{ours / naive:.0%}",
        f"{(ours - cached * 0.9) / naive:.0%}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=100, help="files of the generated change")
    parser.add_argument("--budget", type=int, default=16_000, help="token-budget of a request")
    args = parser.parse_args()
    config = Config(token_budget=args.budget)
    rows = []
    for patch_file in sorted(EXAMPLES.glob("*.patch")):
        repo = patch_file.with_suffix("")
        sources: Sources = DirectorySources(repo) if repo.is_dir() else NoSources()
        rows.append(measure(f"examples/{patch_file.name}", patch_file.read_text(), sources, config))
    with tempfile.TemporaryDirectory() as root:
        files = generate.files(args.files)
        generate.write(files, Path(root))
        rows.append(
            measure(
                f"generated, {args.files} files",
                generate.patch(files),
                DirectorySources(Path(root)),
                config,
            )
        )
    head = (
        "change",
        "diff lines",
        "requests",
        "ours",
        "of which cached",
        "naive",
        "ours/naive",
        "billed/naive",
    )
    widths = [max(len(row[i]) for row in (head, *rows)) for i in range(len(head))]
    for row in (head, *rows):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
