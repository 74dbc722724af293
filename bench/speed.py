"""Speed of the static review against the floor of just parsing the touched files.

Usage: .venv/bin/python bench/speed.py [--files 300] [--repeat 7]
       [--git-repo CLONE --commit SHA]

Every figure is a ratio against a baseline measured in the same run, best of ``--repeat`` runs
(these machines are shared and noisy; runs of the two sides alternate):

- start-up: ``fastapi-review --version`` and a one-file review, against ``python -c pass``;
- the whole CLI process reviewing a generated change (``--files`` new files, the repository as
  context, JSON out), against a fresh process that reads and ``ast.parse``s the same files: both
  subprocesses, both with the cyclic garbage collector off (as the CLI runs); with the peak
  memory of each;
- the same in process: the review against a parse loop, the collector off in both;
- a change twice as large, both ways;
- bandit on the same files (``pip install bandit``), also a subprocess against the same floor;
- a one-file change in a 2,000-file repository (the review must not parse the whole repository);
- with ``--git-repo`` (a clone of a real application) and ``--commit``: ``--git SHA~1..SHA``
  (files read from git) against the same patch with SHA's Python files as ``--repo``.
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import generate

from reviewer.config import Config
from reviewer.engine import review
from reviewer.source import DirectorySources

BIN = Path(sys.executable).parent
CLI = str(BIN / "fastapi-review")
# The floor: a fresh interpreter that reads and parses each file, the collector off as in the CLI.
FLOOR = (
    "import ast, gc, sys\ngc.disable()\n"
    "for path in open(sys.argv[1]).read().splitlines():\n"
    "    with open(path, 'rb') as handle:\n        ast.parse(handle.read())\n"
)


class Timing(NamedTuple):
    """Best wall time and best CPU time (user + system, s) over the runs, and the peak memory."""

    wall: float
    cpu: float
    peak: float
    """MB"""


def run(command: Sequence[str], cwd: Path | None = None) -> Timing:
    """Wall time, CPU time and peak memory of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(command)}: exit status {os.waitstatus_to_exitcode(status)}")
    return Timing(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def best(repeat: int, *commands: Sequence[str], cwd: Path | None = None) -> list[Timing]:
    """For each command, the best wall and CPU times and the largest peak memory over
    ``repeat`` rounds; the commands alternate within a round, so that load on the machine hits
    them alike. On a shared machine the CPU time is the steadier figure: the wall clock also
    measures waiting for a core."""
    found = [Timing(float("inf"), float("inf"), 0.0) for _ in commands]
    for _ in range(repeat):
        for index, command in enumerate(commands):
            timing = run(command, cwd)
            found[index] = Timing(
                min(found[index].wall, timing.wall),
                min(found[index].cpu, timing.cpu),
                max(found[index].peak, timing.peak),
            )
    return found


def best_in_process(repeat: int, work: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs, the cyclic collector off (as in the CLI)."""
    times = []
    for _ in range(repeat):
        gc.disable()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
        gc.enable()
        gc.collect()
    return min(times)


class Change:
    """A generated change written to disk: the files, their list, and the patch adding them."""

    def __init__(self, count: int, root: Path) -> None:
        self.files = generate.files(count)
        self.root = root
        generate.write(self.files, root)
        self.patch = generate.patch(self.files)
        self.patch_file = root / "change.patch"
        self.patch_file.write_text(self.patch)
        self.list_file = root / "files.txt"
        self.list_file.write_text("".join(f"{root / path}\n" for path in self.files))
        self.lines = sum(text.count("\n") for text in self.files.values())

    def floor(self) -> list[str]:
        return [sys.executable, "-c", FLOOR, str(self.list_file)]

    def cli(self) -> list[str]:
        options = ["--no-llm", "--format", "json", "--fail-on", "never"]
        return [CLI, str(self.patch_file), "--repo", str(self.root), *options]

    def in_process(self, repeat: int) -> tuple[float, float]:
        texts = list(self.files.values())
        sources = DirectorySources(self.root)
        config = Config()
        floor = best_in_process(repeat, lambda: [ast.parse(text) for text in texts])
        full = best_in_process(repeat, lambda: review(self.patch, sources, config))
        return floor, full


def startup(repeat: int, folder: Path) -> list[Timing]:
    one = Change(1, folder)
    return best(
        repeat,
        [sys.executable, "-c", "pass"],
        [CLI, "--version"],
        one.cli(),
    )


def small_change_in_large_repo(repeat: int, root: Path) -> tuple[float, float, float]:
    """A one-file change in a 2,000-file repository: the review, the parse of the changed
    file, and the parse of the whole repository (what the review must not need)."""
    files = generate.files(2000)
    generate.write(files, root)
    path, text = next(iter(files.items()))
    patch = generate.patch({path: text})
    texts = list(files.values())
    one = best_in_process(repeat, lambda: ast.parse(text))
    everything = best_in_process(1, lambda: [ast.parse(source) for source in texts])
    # A fresh Project each run (review() builds one), so nothing is cached between runs.
    full = best_in_process(repeat, lambda: review(patch, DirectorySources(root), Config()))
    return full, one, everything


def materialise(clone: Path, commit: str, folder: Path) -> None:
    """Write the Python files (and ``pyproject.toml`` files) of ``commit`` under ``folder``: the
    review's directory context, without a checkout of everything else."""
    listing = subprocess.run(
        ["git", "-C", str(clone), "ls-tree", "-r", "-z", commit],
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    wanted = []
    for entry in filter(None, listing):
        meta, _, path = entry.partition(b"\t")
        if meta.split()[1] == b"blob" and path.endswith((b".py", b"pyproject.toml")):
            wanted.append((meta.split()[2], path.decode()))
    blobs = subprocess.run(
        ["git", "-C", str(clone), "cat-file", "--batch"],
        input=b"".join(sha + b"\n" for sha, _ in wanted),
        check=True,
        capture_output=True,
    ).stdout
    position = 0
    for _, path in wanted:
        header_end = blobs.index(b"\n", position)
        size = int(blobs[position:header_end].split()[2])
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[header_end + 1 : header_end + 1 + size])
        position = header_end + 1 + size + 1


def git_against_directory(repeat: int, clone: Path, commit: str) -> tuple[Timing, Timing, int]:
    """``--git SHA~1..SHA`` in ``clone`` against the same patch with SHA's files as ``--repo``."""
    with tempfile.TemporaryDirectory() as folder:
        checkout = Path(folder) / "checkout"
        materialise(clone, commit, checkout)
        patch = Path(folder) / "change.patch"
        diff = subprocess.run(
            ["git", "-C", str(clone), "diff", "-M", f"{commit}~1", commit],
            check=True,
            capture_output=True,
        ).stdout
        patch.write_bytes(diff)
        options = ["--no-llm", "--format", "json", "--fail-on", "never", "--allow-skipped"]
        git, directory = best(
            repeat,
            [CLI, "--git", f"{commit}~1..{commit}", *options],
            [CLI, str(patch), "--repo", str(checkout), *options],
            cwd=clone,
        )
    return git, directory, diff.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--git-repo", type=Path, help="a clone of a real application")
    parser.add_argument("--commit", help="the commit of --git-repo to review")
    args = parser.parse_args()
    repeat = args.repeat
    bandit = BIN / "bandit"
    # Measure the package as installed: with bytecode (an editable install under
    # PYTHONDONTWRITEBYTECODE would recompile every module at every start).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            str(Path(__file__).resolve().parents[1] / "reviewer"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        python, version, one_file = startup(repeat, base / "one")
        change = Change(args.files, base / "change")
        double = Change(args.files * 2, base / "double")
        floor, whole = best(repeat, change.floor(), change.cli())
        floor2, whole2 = best(max(1, repeat // 2), double.floor(), double.cli())
        parse, review_time = change.in_process(repeat)
        parse2, review2 = double.in_process(max(1, repeat // 2))
        bandit_run = None
        if bandit.exists():
            command = [
                str(bandit),
                "-q",
                "-r",
                str(change.root / "app"),
                str(change.root / "tests"),
            ]
            bandit_floor, bandit_run = best(
                max(1, repeat // 2), change.floor(), [*command, "-f", "json", "-o", os.devnull]
            )
        small_review, one_parse, repo_parse = small_change_in_large_repo(repeat, base / "large")
    git_run = None
    if args.git_repo is not None and args.commit:
        git_run = git_against_directory(repeat, args.git_repo, args.commit)
    ms = 1000

    def row(label: str, timing: Timing, floor: Timing, note: str = "") -> None:
        print(
            f"  {label:<30} wall {timing.wall * ms:7.1f} ms {timing.wall / floor.wall:5.2f}x"
            f"   cpu {timing.cpu * ms:7.1f} ms {timing.cpu / floor.cpu:5.2f}x{note}"
        )

    extra = f" --git-repo {args.git_repo} --commit {args.commit}" if git_run else ""
    print(f"$ .venv/bin/python bench/speed.py --files {args.files} --repeat {repeat}{extra}")
    print(
        f"change: {len(change.files)} files, {change.lines:,} changed lines; double: "
        f"{len(double.files)} files, {double.lines:,} lines"
    )
    print("start-up, whole processes:")
    row("python -c pass", python, python)
    row("fastapi-review --version", version, python)
    row("review of a one-file change", one_file, python)
    print("whole processes, the collector off in both (ratios to the floor):")
    row("floor: read + ast.parse", floor, floor, f"   peak {floor.peak:5.1f} MB")
    row("fastapi-review, whole CLI run", whole, floor, f"   peak {whole.peak:5.1f} MB")
    row(
        "double change: CLI",
        whole2,
        floor2,
        f"   ({whole2.cpu / whole.cpu:.2f}x cpu of the single)",
    )
    if bandit_run is not None:
        row(
            "bandit -r on the same files",
            bandit_run,
            bandit_floor,
            f"   ({bandit_run.cpu / whole.cpu:.2f}x our cpu)",
        )
    else:
        print("  bandit: not installed (pip install bandit)")
    print("in process, the collector off in both:")
    print(f"  floor: ast.parse               {parse * ms:8.1f} ms   1.00x")
    print(
        f"  static review                  {review_time * ms:8.1f} ms   {review_time / parse:.2f}x"
    )
    print(
        f"  double change: review          {review2 * ms:8.1f} ms   {review2 / parse2:.2f}x"
        f"   ({review2 / review_time:.2f}x the single change)"
    )
    print(
        f"1 changed file, 2,000-file repository: review {small_review * ms:.1f} ms"
        f" = {small_review / one_parse:.1f}x parsing that file"
        f" ({small_review / repo_parse:.3f}x parsing the whole repository)"
    )
    if git_run is not None:
        git, directory, lines = git_run
        print(
            f"--git {args.commit[:12]}~1..{args.commit[:12]} ({lines:,} patch lines), "
            f"{args.git_repo.name}, against the same patch with a directory as --repo:"
        )
        row("directory as context", directory, directory)
        row("--git (files read from git)", git, directory)


if __name__ == "__main__":
    main()
