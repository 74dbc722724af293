"""Write the rule documentation from the rules themselves (their docstrings and metadata).

Usage: .venv/bin/python scripts/gen_docs.py [--check]

Writes docs/rules/<ID>.md for every rule, the rules table between the markers in README.md, and
docs/report.schema.json (a copy of the JSON report's schema that the package ships).
With --check, writes nothing and exits 1 when a file is out of date (the tests run this).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.rules.base import Rule, Tier, cwe_text  # noqa: E402
from reviewer.rules.measured import precision_sentence, precision_text  # noqa: E402
from reviewer.rules.registry import RULES  # noqa: E402

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rule_page(rule: type[Rule]) -> str:
    return (
        f"# {rule.id} {rule.name}\n\n"
        f"Default severity: **{rule.severity.value}**. Engine: **{rule.engine}**"
        + (" (found without an LLM)" if rule.engine == "static" else " (judged by the LLM pass)")
        + f". Tier: **{rule.tier.value}**"
        + (" (runs by default)" if rule.tier is Tier.STABLE else " (runs with `--preview`)")
        + ".\n\n"
        + (f"Weakness: {cwe_text(rule)}.\n\n" if rule.cwe else "")
        + precision_sentence(rule)
        + "\n\n"
        + rule.doc()
        + "\n"
    )


def rules_table() -> str:
    rows = [
        "| id | name | engine | severity | tier | precision | what it flags |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        summary = rule.summary().replace("|", "\\|")
        rows.append(
            f"| [{rule.id}](docs/rules/{rule.id}.md) | {rule.name} | {rule.engine} "
            f"| {rule.severity.value} | {rule.tier.value} | {precision_text(rule.id)} "
            f"| {summary} |"
        )
    return "\n".join(rows)


def expected() -> dict[Path, str]:
    files = {ROOT / "docs" / "rules" / f"{rule.id}.md": rule_page(rule) for rule in RULES}
    readme = ROOT / "README.md"
    text = readme.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    files[readme] = f"{head}{START}\n{rules_table()}\n{END}{tail}"
    schema = ROOT / "reviewer" / "report" / "report.schema.json"
    files[ROOT / "docs" / "report.schema.json"] = schema.read_text()
    return files


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    wanted = expected()
    pages = ROOT / "docs" / "rules"
    extra = [p for p in pages.glob("*.md") if p not in wanted] if pages.exists() else []
    for path, text in wanted.items():
        if not path.exists() or path.read_text() != text:
            stale.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    for path in extra:
        stale.append(path)
        if not check:
            path.unlink()
    if check and stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        print(f"out of date: {names} (run scripts/gen_docs.py)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
