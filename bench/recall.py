"""Recall and precision of the static rules on the written cases.

Usage: .venv/bin/python bench/recall.py [--rule FAPI403] [--misses]

Two sets of labelled cases:
- every rule's own examples: each ``INVALID`` must be found at its line, each ``VALID`` must stay
  silent;
- the corpus in ``bench/recall_cases/``: shapes taken from real applications (issue 11), each file
  a tiny repository whose modules start with a ``# file: PATH`` line. A line that must be reported
  ends with ``# ruleid: FAPI403`` (several ids separated by commas); a near miss may say
  ``# ok: FAPI403``. Every finding of a rule the file names that is not on one of its
  ``ruleid`` lines is a false positive. Cases the engine knowingly misses carry
  ``# todo: FAPI403`` instead of ``ruleid``: they count as misses, and the listing says so.

The whole corpus is reviewed as one change of newly added files per case file, with the case's
files as the repository (the CLI's ``--repo``), so cross-module resolution is exercised.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.config import Config
from reviewer.engine import review, review_source
from reviewer.rules.base import Valid
from reviewer.rules.registry import STATIC_RULES
from reviewer.source import MemorySources

CASES = Path(__file__).parent / "recall_cases"
LABEL = re.compile(r"#\s*(ruleid|ok|todo):\s*(FAPI\d{3}(?:\s*,\s*FAPI\d{3})*)")
FILE = re.compile(r"^#\s*file:\s*(\S+)\s*$")


@dataclass
class Score:
    expected: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    false: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    noise: list[str] = field(default_factory=list)

    def add(self, rule_id: str, expected: bool, found: bool, where: str) -> None:
        if expected:
            self.expected[rule_id] += 1
            if found:
                self.found[rule_id] += 1
            else:
                self.misses.append(f"{rule_id} {where}")
        elif found:
            self.false[rule_id] += 1
            self.noise.append(f"{rule_id} {where}")

    @property
    def recall(self) -> float:
        total = sum(self.expected.values())
        return sum(self.found.values()) / total if total else 1.0

    @property
    def precision(self) -> float:
        reported = sum(self.found.values()) + sum(self.false.values())
        return sum(self.found.values()) / reported if reported else 1.0


def split_files(text: str) -> dict[str, str]:
    """The modules of a case file, by their ``# file:`` headers."""
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = FILE.match(line)
        if match:
            current = files.setdefault(match.group(1), [])
        elif current is not None:
            current.append(line)
    return {path: "\n".join(lines) + "\n" for path, lines in files.items()}


def added_files_patch(files: dict[str, str]) -> str:
    parts: list[str] = []
    for path, code in sorted(files.items()):
        lines = code.splitlines()
        parts.append(
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)
        )
    return "".join(parts)


def labels(files: dict[str, str]) -> dict[tuple[str, int], dict[str, str]]:
    """(path, line) -> {rule id: ``ruleid``/``ok``/``todo``}."""
    found: dict[tuple[str, int], dict[str, str]] = {}
    for path, code in files.items():
        for number, line in enumerate(code.splitlines(), start=1):
            for kind, ids in LABEL.findall(line):
                for rule_id in re.findall(r"FAPI\d{3}", ids):
                    found.setdefault((path, number), {})[rule_id] = kind
    return found


def score_file(score: Score, case: Path, only: str | None) -> None:
    """Review one case file and count its labelled lines."""
    files = split_files(case.read_text())
    marks = labels(files)
    rule_ids = {rule_id for ids in marks.values() for rule_id in ids}
    if only:
        rule_ids &= {only}
    if not rule_ids:
        return
    config = Config(select=sorted(rule_ids))
    report = review(added_files_patch(files), MemorySources(files), config)
    reported = {(f.path, f.line, f.rule_id) for f in report.findings}
    for (path, line), ids in sorted(marks.items()):
        for rule_id, kind in ids.items():
            if rule_id in rule_ids and kind in ("ruleid", "todo"):
                where = f"{case.name} {path}:{line}" + (" (todo)" if kind == "todo" else "")
                score.add(rule_id, True, (path, line, rule_id) in reported, where)
    for path, line, rule_id in sorted(reported):
        if marks.get((path, line), {}).get(rule_id) not in ("ruleid", "todo"):
            score.add(rule_id, False, True, f"{case.name} {path}:{line}")


def score_corpus(score: Score, only: str | None) -> None:
    for case in sorted(CASES.glob("*.py.txt")):
        score_file(score, case, only)


def score_examples(score: Score, only: str | None) -> None:
    for rule in STATIC_RULES:
        if only and rule.id != only:
            continue
        for index, invalid in enumerate(rule.INVALID):
            lines = [f.line for f in review_source(invalid.code, invalid.path, rules=[rule])]
            score.add(rule.id, True, invalid.line in lines, f"INVALID[{index}]")
            for line in lines:
                if line != invalid.line:
                    score.add(rule.id, False, True, f"INVALID[{index}] line {line}")
        for index, valid in enumerate(rule.VALID):
            case = valid if isinstance(valid, Valid) else Valid(valid)
            for _ in review_source(case.code, case.path, rules=[rule]):
                score.add(rule.id, False, True, f"VALID[{index}]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rule", help="measure one rule id only")
    parser.add_argument("--misses", action="store_true", help="list misses and false positives")
    args = parser.parse_args()
    only = args.rule.upper() if args.rule else None
    results = {"rule examples": Score(), "recall corpus": Score()}
    score_examples(results["rule examples"], only)
    score_corpus(results["recall corpus"], only)
    for name, score in results.items():
        expected, found = sum(score.expected.values()), sum(score.found.values())
        print(
            f"{name}: recall {score.recall:.3f} ({found}/{expected}), "
            f"precision {score.precision:.3f} ({sum(score.false.values())} false positives)"
        )
        if args.misses:
            for line in score.misses:
                print(f"  missed {line}")
            for line in score.noise:
                print(f"  false positive {line}")
    corpus = results["recall corpus"]
    print("\nper rule (corpus): expected found false")
    for rule_id in sorted(set(corpus.expected) | set(corpus.false)):
        print(
            f"  {rule_id} {corpus.expected[rule_id]:3} {corpus.found[rule_id]:3} "
            f"{corpus.false[rule_id]:3}"
        )
    return 0 if all(s.recall >= 0.95 and s.precision >= 0.97 for s in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
