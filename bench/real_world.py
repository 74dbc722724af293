"""Review a real code base from PyPI whole, against the floor of parsing it.

Usage: .venv/bin/python bench/real_world.py [--package litellm==1.110.2] [--repeat 1]

Downloads the package's wheel (the only step that needs PyPI), reviews the unpacked package whole
with ``fastapi-review check`` (every file read from disk, no diff, JSON out) and times that whole
CLI process against a fresh process that reads and ``ast.parse``s the same files, both with the
cyclic collector off as the CLI runs, best of ``--repeat`` alternating runs; with the peak memory
of each. Prints the findings per rule, for a look at what the engine says about real code.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import FLOOR, best


def download(package: str, folder: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-d",
            str(folder),
            package,
        ],
        check=True,
    )
    (wheel,) = folder.glob("*.whl")
    root = folder / "src"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(root)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="litellm==1.110.2")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = download(args.package, Path(folder))
        texts = [path.read_text(errors="replace") for path in sorted(root.rglob("*.py"))]
        listing = Path(folder) / "files.txt"
        listing.write_text("".join(f"{path}\n" for path in sorted(root.rglob("*.py"))))
        output = Path(folder) / "report.json"
        options = ["--fail-on", "never", "--allow-skipped"]
        floor, review = best(
            args.repeat,
            [sys.executable, "-c", FLOOR, str(listing)],
            [
                str(Path(sys.executable).with_name("fastapi-review")),
                "check",
                str(root),
                *options,
                "--format",
                "json",
                "--output",
                str(output),
            ],
        )
        report = json.loads(output.read_text())
    lines = sum(text.count("\n") for text in texts)
    per_rule = collections.Counter(f["rule_id"] for f in report["findings"])
    print(f"$ .venv/bin/python bench/real_world.py --package {args.package} --repeat {args.repeat}")
    print(f"{args.package}: {len(texts)} Python files, {lines:,} lines, reviewed whole (check)")
    for label, timing in (
        ("floor: read + ast.parse", floor),
        ("fastapi-review, whole CLI run", review),
    ):
        print(
            f"{label:<30} wall {timing.wall:6.2f} s {timing.wall / floor.wall:5.2f}x"
            f"   cpu {timing.cpu:6.2f} s {timing.cpu / floor.cpu:5.2f}x   peak {timing.peak:5.0f} MB"
        )
    print(f"findings: {len(report['findings'])}  {dict(sorted(per_rule.items()))}")
    print(f"skipped: {len(report['skipped'])}")


if __name__ == "__main__":
    main()
