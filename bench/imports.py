"""Import time of the command's starts, as ``python -X importtime`` counts it.

Usage: .venv/bin/python bench/imports.py [--runs 20]

For ``--version``, a ``--no-llm --format json`` review of a one-file change and the same review
with the default text output (rich): the sum of the self times of every module imported, median
over ``--runs`` fresh processes (budget: 150 ms each, issue #12). ``importtime`` does not see
``importlib.import_module`` (the rule families), so the figures are a floor of the real cost;
``bench/speed.py`` times the whole processes.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

PROGRAM = "import sys\nfrom reviewer.cli import main\nmain(sys.argv[1:])\n"
SELF = re.compile(r"^import time:\s+(\d+) \|", re.MULTILINE)


def imported_ms(args: list[str], cwd: Path) -> float:
    """The summed self times (ms) of one ``fastapi-review ARGS`` process."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PROGRAM, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},  # no API key: the LLM pass stays off
    )
    return sum(int(micro) for micro in SELF.findall(done.stderr)) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        files = generate.files(1)
        generate.write(files, root)
        (root / "change.patch").write_text(generate.patch(files))
        review = ["change.patch", "--repo", ".", "--no-llm", "--fail-on", "never"]
        cases = {
            "--version": ["--version"],
            "review, --format json": [*review, "--format", "json"],
            "review, text (rich)": review,
        }
        times: dict[str, list[float]] = {label: [] for label in cases}
        for _ in range(runs):  # the cases alternate, so that load on the machine hits them alike
            for label, args in cases.items():
                times[label].append(imported_ms(args, root))
    print(f"$ .venv/bin/python bench/imports.py --runs {runs}")
    for label, found in times.items():
        print(f"  {label:<24} {statistics.median(found):6.1f} ms  (min {min(found):.1f})")


if __name__ == "__main__":
    main()
