"""Review a real FastAPI code base from PyPI whole, against the floor of parsing it.

Usage: .venv/bin/python bench/real_world.py [--package litellm==1.110.2]

Downloads the package's wheel (the only step that needs PyPI), treats every Python file as newly
added, and times the CLI's static review (the repository as context) against ``ast.parse`` of the
same files, both in this run. Prints the findings per rule, for a look at what the engine says
about real code.
"""

from __future__ import annotations

import argparse
import ast
import collections
import contextlib
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


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


def added_patch(root: Path) -> tuple[str, list[str]]:
    parts: list[str] = []
    texts: list[str] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(errors="replace")
        lines = text.splitlines()
        if not lines:
            continue
        texts.append(text)
        relative = path.relative_to(root).as_posix()
        parts.append(
            f"diff --git a/{relative} b/{relative}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{relative}\n@@ -0,0 +1,{len(lines)} @@\n"
        )
        parts.extend(f"+{line}\n" for line in lines)
    return "".join(parts), texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="litellm==1.110.2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = download(args.package, Path(folder))
        patch, texts = added_patch(root)
        patch_file = Path(folder) / "all.patch"
        patch_file.write_text(patch)
        start = time.perf_counter()
        for text in texts:
            with contextlib.suppress(SyntaxError):
                ast.parse(text)
        floor = time.perf_counter() - start
        script = Path(sys.executable).with_name("fastapi-review")
        start = time.perf_counter()
        result = subprocess.run(
            [
                str(script),
                str(patch_file),
                "--repo",
                str(root),
                "--format",
                "json",
                "--no-llm",
                "--fail-on",
                "never",
                "--allow-skipped",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        review = time.perf_counter() - start
    report = json.loads(result.stdout)
    lines = sum(text.count("\n") for text in texts)
    per_rule = collections.Counter(f["rule_id"] for f in report["findings"])
    print(f"{args.package}: {len(texts)} Python files, {lines:,} lines")
    print(f"ast.parse of every file        {floor:7.2f} s   1.00x")
    print(f"fastapi-review, whole CLI run  {review:7.2f} s   {review / floor:.2f}x")
    print(f"findings: {len(report['findings'])}  {dict(sorted(per_rule.items()))}")
    print(f"skipped: {len(report['skipped'])}")


if __name__ == "__main__":
    main()
