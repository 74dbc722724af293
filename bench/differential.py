"""Cost of the differential review against the head-only review of the same change.

Usage: .venv/bin/python bench/differential.py [--files 300] [--repeat 5]

Builds a git repository of generated FastAPI code (``generate.py``), commits it as the base, then
commits a change and reviews ``--git BASE..HEAD`` twice, both as whole CLI processes (the same
interpreter, the same garbage-collector settings, best of ``--repeat`` runs):

- head-only: ``--all-touched`` (every finding on the changed lines; nothing read from the base);
- differential: the default (the base versions of the files with findings are reviewed too, and
  only what is new is reported).

Two changes: every router of the repository edited (a pre-existing violation reformatted and a
new one added in each: the worst case, where every changed file needs its base reviewed), and
one router edited in a repository of ``--files`` files.

Both wall-clock and CPU time (user + system, of the child process) are reported: on a shared
machine the wall clock mostly measures waiting for a core, the CPU time what the review costs.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

CLI = [sys.executable, "-m", "reviewer"]
NEW_VIOLATION = "    item.priority = 0\n    time.sleep(0.5)\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def changed(text: str) -> str:
    """A router with its existing violation reformatted and a new blocking call added."""
    text = text.replace("    time.sleep(0.1)", "    time.sleep(\n        0.1\n    )")
    text = text.replace("httpx.post('https://hooks", "httpx.post(\n        'https://hooks")
    return text.replace("    item.priority = 0\n", NEW_VIOLATION, 1)


def repository(root: Path, count: int, edit: int) -> None:
    files = generate.files(count)
    generate.write(files, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    routers = [path for path in files if path.startswith("app/api/")][:edit]
    generate.write({path: changed(files[path]) for path in routers}, root)
    git(root, "commit", "-qam", "change")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(root: Path, *options: str) -> tuple[float, float, dict[str, object]]:
    """Wall-clock and CPU seconds of one whole CLI run, and its JSON report."""
    start, cpu = time.perf_counter(), cpu_seconds()
    done = subprocess.run(
        [*CLI, "--git", "HEAD~1..HEAD", "--no-llm", "--format", "json", *options],
        cwd=root,
        capture_output=True,
        check=False,
    )
    elapsed, used = time.perf_counter() - start, cpu_seconds() - cpu
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.decode())
    report: dict[str, object] = json.loads(done.stdout)
    return elapsed, used, report


def best(root: Path, repeat: int, *options: str) -> tuple[float, float, dict[str, object]]:
    runs = [run(root, *options) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[0][2]


def compare(label: str, root: Path, repeat: int) -> None:
    head_wall, head_cpu, touched = best(root, repeat, "--all-touched")
    wall, cpu, introduced = best(root, repeat)
    stats, found, new = introduced["stats"], touched["findings"], introduced["findings"]
    assert isinstance(stats, dict) and isinstance(found, list) and isinstance(new, list)
    print(f"{label}: {len(found)} findings on the changed lines, {len(new)} new")
    print(f"  head-only     wall {head_wall * 1000:7.1f} ms   cpu {head_cpu * 1000:7.1f} ms")
    print(
        f"  differential  wall {wall * 1000:7.1f} ms   cpu {cpu * 1000:7.1f} ms"
        f"   = {wall / head_wall:.2f}x wall, {cpu / head_cpu:.2f}x cpu"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        every = Path(folder) / "every"
        every.mkdir()
        repository(every, args.files, edit=args.files)
        one = Path(folder) / "one"
        one.mkdir()
        repository(one, args.files, edit=1)
        routers = (args.files + 3) // 4
        compare(f"{routers} routers edited, {args.files}-file repository", every, args.repeat)
        compare(f"1 router edited, {args.files}-file repository", one, args.repeat)


if __name__ == "__main__":
    main()
