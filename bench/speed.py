"""Speed of the static review against the floor of just parsing the touched files.

Usage: .venv/bin/python bench/speed.py [--files 300] [--repeat 5]

Measures, in one run (so that ratios survive a noisy shared machine):
- floor: ``ast.parse`` of every touched file (and, stricter, the same with the cyclic GC paused,
  as it is during a review);
- review: the full static review (diff parsing, extraction, every rule, filtering), in process;
- scaling: the review of a change twice as large;
- peak memory of the real CLI reviewing the change (a child process);
- bandit on the same files, when it is installed (``pip install bandit``);
- a one-file change in a 2,000-file repository given as context: the review must not parse
  the whole repository.
"""

from __future__ import annotations

import argparse
import ast
import gc
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import generate

from reviewer.config import Config
from reviewer.engine import review
from reviewer.source import DirectorySources


def best_of(repeat: int, work: Callable[[], object], collect: bool = True) -> float:
    """The fastest of ``repeat`` runs; ``collect=False`` pauses the cyclic GC during each run."""
    times = []
    for _ in range(repeat):
        if not collect:
            gc.disable()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
        gc.enable()
    return min(times)


def measure(count: int, repeat: int, root: Path) -> tuple[float, float, float, int, int]:
    files = generate.files(count)
    generate.write(files, root)
    patch = generate.patch(files)
    texts = list(files.values())
    sources = DirectorySources(root)
    config = Config()
    floor = best_of(repeat, lambda: [ast.parse(text) for text in texts])
    # A stricter floor: parsing with the cyclic GC paused, as the review itself runs.
    strict = best_of(repeat, lambda: [ast.parse(text) for text in texts], collect=False)
    full = best_of(repeat, lambda: review(patch, sources, config))
    lines = sum(text.count("\n") for text in texts)
    return floor, strict, full, lines, len(files)


def small_change_in_large_repo(repeat: int, root: Path) -> tuple[float, float, float]:
    """A one-file change in a 2,000-file repository: the review, the parse of the changed
    file, and the parse of the whole repository (what the review must not need)."""
    files = generate.files(2000)
    generate.write(files, root)
    path, text = next(iter(files.items()))
    patch = generate.patch({path: text})
    texts = list(files.values())
    one = best_of(repeat, lambda: ast.parse(text))
    everything = best_of(1, lambda: [ast.parse(source) for source in texts])
    # A fresh Project each run (review() builds one), so nothing is cached between runs.
    full = best_of(repeat, lambda: review(patch, DirectorySources(root), Config()))
    return full, one, everything


def peak_memory_mb(root: Path, patch: str) -> float:
    patch_file = root / "change.patch"
    patch_file.write_text(patch)
    script = Path(sys.executable).with_name("fastapi-review")
    subprocess.run(
        [str(script), str(patch_file), "--repo", str(root), "--no-llm", "--format", "json"],
        check=False,
        stdout=subprocess.DEVNULL,
    )
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def bandit_seconds(root: Path, repeat: int) -> float | None:
    bandit = shutil.which("bandit") or str(Path(sys.executable).with_name("bandit"))
    if not Path(bandit).exists():
        return None
    command = [bandit, "-q", "-r", str(root), "-f", "json", "-o", str(root / "bandit.json")]
    return best_of(repeat, lambda: subprocess.run(command, check=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as small, tempfile.TemporaryDirectory() as large:
        floor, strict, full, lines, count = measure(args.files, args.repeat, Path(small))
        floor2, _, full2, lines2, count2 = measure(args.files * 2, args.repeat, Path(large))
        peak = peak_memory_mb(Path(small), generate.patch(generate.files(args.files)))
        bandit = bandit_seconds(Path(small), max(1, args.repeat // 2))
    with tempfile.TemporaryDirectory() as repository:
        small_review, one_parse, repo_parse = small_change_in_large_repo(
            args.repeat, Path(repository)
        )
    print(f"change: {count} files, {lines} changed lines; double: {count2} files, {lines2} lines")
    print(f"floor: ast.parse only        {floor * 1000:8.1f} ms   1.00x")
    print(f"ast.parse with GC paused     {strict * 1000:8.1f} ms   {strict / floor:.2f}x floor")
    print(
        f"fastapi-review static review {full * 1000:8.1f} ms   {full / floor:.2f}x floor"
        f" ({full / strict:.2f}x the GC-paused parse)"
    )
    print(f"double change: review        {full2 * 1000:8.1f} ms   {full2 / full:.2f}x the review")
    print(f"double change: floor         {floor2 * 1000:8.1f} ms   {floor2 / floor:.2f}x the floor")
    if bandit is not None:
        print(f"bandit -r on the same files  {bandit * 1000:8.1f} ms   {bandit / floor:.2f}x floor")
    else:
        print("bandit: not installed (pip install bandit)")
    print(f"peak memory of the CLI       {peak:8.1f} MB")
    print(
        f"1 changed file, 2,000-file repository: review {small_review * 1000:.1f} ms"
        f" = {small_review / one_parse:.1f}x parsing that file"
        f" ({small_review / repo_parse:.3f}x parsing the whole repository)"
    )


if __name__ == "__main__":
    main()
