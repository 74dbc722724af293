"""The real-code precision ledger: review pinned FastAPI applications whole, keep verdicts.

Usage (from the project root; every command takes --cache DIR, see bench/precision/README.md):

  .venv/bin/python bench/precision/ledger.py fetch          bring the pinned apps into the cache
  .venv/bin/python bench/precision/ledger.py run            review them, update the ledger,
                                                            write the summary, print the table
  .venv/bin/python bench/precision/ledger.py table          the table, from the ledger as it is
  .venv/bin/python bench/precision/ledger.py show FAPI202   a rule's unjudged findings, with code
  .venv/bin/python bench/precision/ledger.py judge FAPI202 KEY fp "one line why"
  .venv/bin/python bench/precision/ledger.py summary        write reviewer/rules/precision.json

The pinned list is bench/precision/apps.toml; the verdicts live in bench/precision/ledger/, one
file per rule id, so judges of different rules never edit the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.rules.base import Tier  # noqa: E402
from reviewer.rules.measured import SUMMARY, Measure, Summary  # noqa: E402
from reviewer.rules.registry import BY_ID, STATIC_RULES  # noqa: E402

APPS = HERE / "apps.toml"
LEDGER = HERE / "ledger"
VERDICTS = ("tp", "fp", "debatable")
PIN_MARKER = ".fastapi-review-pin"
CACHE_VARIABLE = "FASTAPI_REVIEW_PRECISION_CACHE"
MIRRORS_VARIABLE = "FASTAPI_REVIEW_MIRRORS"
EXCERPT_LINES = 3
"""Lines of the flagged code kept in a ledger entry (the rest is a `show` away)."""


class LedgerError(Exception):
    """A one-line problem the user can fix (printed without a traceback)."""


# -- the pinned applications -----------------------------------------------------------------


@dataclass(frozen=True)
class App:
    name: str
    review: tuple[str, ...]
    stack: str
    github: str | None = None
    commit: str | None = None
    pypi: str | None = None
    exclude: tuple[str, ...] = ()

    @property
    def pin(self) -> str:
        return f"pypi:{self.pypi}" if self.pypi else f"github:{self.github}@{self.commit}"


def load_apps(path: Path) -> list[App]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    apps = []
    for table in data.get("app", []):
        app = App(
            name=table["name"],
            review=tuple(table["review"]),
            stack=table.get("stack", ""),
            github=table.get("github"),
            commit=table.get("commit"),
            pypi=table.get("pypi"),
            exclude=tuple(table.get("exclude", ())),
        )
        if (app.pypi is None) == (app.github is None) or (app.github and not app.commit):
            raise LedgerError(f"{path}: {app.name}: give `pypi`, or `github` and `commit`")
        apps.append(app)
    names = [app.name for app in apps]
    if len(set(names)) != len(names):
        raise LedgerError(f"{path}: app names must be unique")
    return apps


# -- bringing them into the cache ------------------------------------------------------------


def default_cache() -> Path:
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fastapi-review" / "precision"


def default_mirrors(cache: Path) -> Path:
    configured = os.environ.get(MIRRORS_VARIABLE)
    return Path(configured) if configured else cache / "mirrors"


def tree_of(cache: Path, app: App) -> Path:
    return cache / "apps" / app.name


def is_fetched(cache: Path, app: App) -> bool:
    marker = tree_of(cache, app) / PIN_MARKER
    return marker.is_file() and marker.read_text() == app.pin


def bring(app: App, cache: Path, mirrors: Path) -> Path:
    """The app's tree at its pinned version, in the cache (brought there if it is not yet)."""
    dest = tree_of(cache, app)
    if is_fetched(cache, app):
        return dest
    staging = Path(tempfile.mkdtemp(prefix=f"{app.name}-", dir=cache))
    try:
        if app.pypi:
            _extract_sdist(_download_sdist(app.pypi, cache / "sdists"), staging)
        else:
            _archive_commit(app, mirrors, staging)
        (staging / PIN_MARKER).write_text(app.pin)
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return dest


def _download_sdist(spec: str, folder: Path) -> Path:
    project, _, version = spec.partition("==")
    wanted = _normalized(f"{project}-{version}")
    folder.mkdir(parents=True, exist_ok=True)

    def found() -> Path | None:
        for path in folder.glob("*.tar.gz"):
            if _normalized(path.name.removesuffix(".tar.gz")) == wanted:
                return path
        return None

    existing = found()
    if existing is not None:
        return existing
    command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary"]
    command += [":all:", "-d", str(folder), spec]
    result = subprocess.run(command, capture_output=True, text=True)
    downloaded = found()
    if result.returncode != 0 or downloaded is None:
        last = (result.stderr.strip().splitlines() or ["no sdist found"])[-1]
        raise LedgerError(f"pip download {spec}: {last}")
    return downloaded


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _extract_sdist(archive: Path, dest: Path) -> None:
    """The sdist's files, without its top folder (``letta-0.16.8/``)."""
    with tarfile.open(archive) as tar:
        members = []
        for member in tar.getmembers():
            parts = member.name.split("/", 1)
            if len(parts) == 2 and parts[1] and (member.isfile() or member.isdir()):
                member.name = parts[1]
                members.append(member)
        tar.extractall(dest, members=members, filter="data")


def mirror_of(app: App, mirrors: Path) -> Path:
    assert app.github is not None
    return mirrors / app.github.replace("/", "+") / "repo"


def _archive_commit(app: App, mirrors: Path, dest: Path) -> None:
    """Every file of the pinned commit that the git directory holds (snapshots leave out their
    largest files, so ``git archive`` would fail on them; none of them is Python)."""
    git_dir = mirror_of(app, mirrors)
    if not git_dir.is_dir():
        raise LedgerError(
            f"{app.name}: no git directory at {git_dir}; bring github:{app.github} there (the "
            "search tool's fetch, or `git clone --bare "
            f"https://github.com/{app.github} {git_dir}`), or point --mirrors at its parent"
        )
    git = ["git", f"--git-dir={git_dir}"]
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", str(app.commit)], capture_output=True)
    if listing.returncode != 0:
        raise LedgerError(f"{app.name}: commit {app.commit} is not in {git_dir}")
    blobs: list[tuple[str, str]] = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, raw_path = record.split(b"\t", 1)
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "replace")
        if kind == "blob" and mode != "120000" and ".." not in path.split("/"):
            blobs.append((sha, path))
    with tempfile.TemporaryFile() as names:
        names.write("".join(f"{sha}\n" for sha, _ in blobs).encode())
        names.seek(0)
        batch = subprocess.Popen([*git, "cat-file", "--batch"], stdin=names, stdout=subprocess.PIPE)
        assert batch.stdout is not None
        for _, path in blobs:
            header = batch.stdout.readline().split()
            if len(header) != 3:  # "<sha> missing": a file the snapshot left out
                continue
            content = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if batch.wait() != 0:
            raise LedgerError(f"{app.name}: git cat-file failed in {git_dir}")


# -- reviewing -------------------------------------------------------------------------------


def python_files(tree: Path, app: App) -> list[str]:
    """Paths (relative to ``tree``) of the Python files the ledger reviews, sorted."""
    found: set[str] = set()
    for folder in app.review:
        base = tree / folder
        if base.is_file() and base.suffix == ".py":
            found.add(folder)
        elif base.is_dir():
            found.update(path.relative_to(tree).as_posix() for path in base.rglob("*.py"))
    return sorted(
        path
        for path in found
        if not any(path == glob or path.startswith(f"{glob.rstrip('/')}/") for glob in app.exclude)
        and (tree / path).is_file()
    )


def review_tree(tree: Path, app: App, work: Path) -> dict[str, object]:
    """The CLI's JSON report of ``app`` reviewed whole (``fastapi-review check``, which reads the
    files from disk and caps no application's size), every rule on (preview included)."""
    work.mkdir(parents=True, exist_ok=True)
    config = work / "empty-config.toml"  # the app's own pyproject.toml must not configure us
    config.write_text("")
    output = work / f"{app.name}.json"
    # The CLI of this checkout, run by this interpreter: its `ast` decides which syntax parses
    # (run the ledger with the newest Python at hand; see bench/precision/README.md).
    command = [sys.executable, "-m", "reviewer", "check", *python_files(tree, app)]
    command += ["--config", str(config), "--preview", "--allow-skipped", "--fail-on", "never"]
    command += ["--format", "json", "--output", str(output)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC", "CLAUDE"))}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), environment.get("PYTHONPATH")])
    )
    result = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=tree)
    if result.returncode != 0:
        raise LedgerError(f"{app.name}: fastapi-review exited {result.returncode}: {result.stderr}")
    report: dict[str, object] = json.loads(output.read_text(encoding="utf-8"))
    return report


# -- findings and their keys -----------------------------------------------------------------


@dataclass
class Entry:
    """One finding on the ledger: where it is, what it says, and its verdict."""

    key: str
    """``<app>:<fingerprint>``: the JSON report's fingerprint (rule id, path, enclosing construct
    and normalized flagged code, not the line: a finding keeps its key when lines move)."""
    app: str
    path: str
    construct: str
    line: int
    code: str
    message: str
    verdict: str = ""
    why: str = ""
    reported: bool = True
    """False: the last run no longer reports it (kept because it was judged)."""

    @property
    def judged(self) -> bool:
        return self.verdict in VERDICTS

    @property
    def spot(self) -> tuple[str, str, str, str]:
        """What a finding is when its key changes (a new fingerprint scheme): carried over."""
        return (self.app, self.path, self.construct, " ".join(self.code.split()))


class Lines:
    """The lines of the files of an app's tree, read once."""

    def __init__(self, tree: Path) -> None:
        self.tree = tree
        self._lines: dict[str, list[str]] = {}

    def of(self, path: str) -> list[str]:
        if path not in self._lines:
            file = self.tree / path
            text = file.read_text(encoding="utf-8", errors="replace") if file.is_file() else ""
            self._lines[path] = text.splitlines()
        return self._lines[path]

    def excerpt(self, path: str, first: int, last: int) -> str:
        """The flagged lines (at most EXCERPT_LINES), dedented."""
        lines = self.of(path)[first - 1 : min(last, first + EXCERPT_LINES - 1)]
        indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
        return "\n".join(line[indent:].rstrip() for line in lines)


def entries_of(app: App, report: dict[str, object], tree: Path) -> dict[str, list[Entry]]:
    """The report's static findings as ledger entries, per rule id. The key is the report's
    ``fingerprint`` (rule id, path, enclosing construct and normalized flagged code)."""
    lines = Lines(tree)
    result: dict[str, list[Entry]] = {}
    findings = report["findings"]
    assert isinstance(findings, list)
    for finding in findings:
        if finding.get("source", "static") != "static":
            continue
        path, line = finding["path"], finding["line"]
        result.setdefault(finding["rule_id"], []).append(
            Entry(
                key=f"{app.name}:{finding['fingerprint']}",
                app=app.name,
                path=path,
                construct=finding.get("construct") or "(module)",
                line=line,
                code=lines.excerpt(path, line, finding.get("end_line", line)),
                message=finding["message"],
            )
        )
    return result


# -- the ledger files ------------------------------------------------------------------------

FIELDS = ("key", "app", "path", "construct", "line", "code", "message", "verdict", "why")


def ledger_file(rule_id: str, ledger: Path) -> Path:
    return ledger / f"{rule_id}.toml"


def read_ledger(rule_id: str, ledger: Path) -> list[Entry]:
    path = ledger_file(rule_id, ledger)
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LedgerError(f"{path}: invalid TOML: {exc}") from None
    entries = []
    for table in data.get("finding", []):
        entry = Entry(
            **{name: table[name] for name in FIELDS}, reported=table.get("reported", True)
        )
        if entry.verdict and entry.verdict not in VERDICTS:
            raise LedgerError(f"{path}: {entry.key}: verdict must be one of {', '.join(VERDICTS)}")
        entries.append(entry)
    return entries


def _toml_string(text: str) -> str:
    if "\n" in text and "'''" not in text and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text):
        return f"'''\n{text}'''" if not text.endswith("'") else json.dumps(text)
    return json.dumps(text, ensure_ascii=False)


def render_ledger(rule_id: str, entries: list[Entry]) -> str:
    rule = BY_ID[rule_id]
    out = [
        f"# {rule.id} {rule.name}: its findings on the applications of bench/precision/apps.toml.",
        '# Judge an entry: verdict = "tp", "fp" or "debatable", and why = one line (or run',
        f"# `bench/precision/ledger.py judge {rule.id} KEY VERDICT WHY`). `line` is at the",
        "# pinned version. bench/precision/ledger.py run rewrites this file and keeps every",
        "# verdict; `reported = false` marks a judged finding the last run no longer reports.",
    ]
    for entry in entries:
        out.append("")
        out.append("[[finding]]")
        for name in FIELDS:
            value = getattr(entry, name)
            out.append(f"{name} = {value if isinstance(value, int) else _toml_string(value)}")
        if not entry.reported:
            out.append("reported = false")
    return "\n".join(out) + "\n"


def write_ledger(rule_id: str, entries: list[Entry], ledger: Path) -> None:
    ledger.mkdir(parents=True, exist_ok=True)
    ordered = sorted(entries, key=lambda e: (not e.reported, e.app, e.path, e.line, e.key))
    ledger_file(rule_id, ledger).write_text(render_ledger(rule_id, ordered), encoding="utf-8")


def merge(old: list[Entry], found: list[Entry], reviewed: set[str]) -> list[Entry]:
    """The ledger after a run that reviewed the apps ``reviewed`` and found ``found``.

    A finding whose key is on the ledger keeps its verdict; one whose key is new but which sits
    on the same app, path, construct and code as a judged finding no longer reported takes that
    verdict (the key scheme changed, not the finding); other new findings are unjudged. Judged
    findings no longer reported stay, marked ``reported = false``; unjudged ones go. Entries of
    apps this run did not review are kept as they are."""
    by_key = {entry.key: entry for entry in old}
    matched: set[str] = set()
    fresh: list[Entry] = []
    for entry in found:
        before = by_key.get(entry.key)
        if before is not None:
            matched.add(before.key)
            fresh.append(replace(entry, verdict=before.verdict, why=before.why))
        else:
            fresh.append(entry)
    found_keys = {entry.key for entry in found}
    orphans: dict[tuple[str, str, str, str], list[Entry]] = {}
    for entry in old:
        if entry.key not in matched and entry.judged and entry.app in reviewed:
            orphans.setdefault(entry.spot, []).append(entry)
    for index, entry in enumerate(fresh):
        candidates = orphans.get(entry.spot)
        if not entry.judged and entry.key not in by_key and candidates:
            before = candidates.pop(0)
            matched.add(before.key)
            fresh[index] = replace(entry, verdict=before.verdict, why=before.why)
    for entry in old:
        if entry.key in matched or entry.key in found_keys:
            continue
        if entry.app not in reviewed:
            fresh.append(entry)
        elif entry.judged:
            fresh.append(replace(entry, reported=False))
    return fresh


# -- figures ---------------------------------------------------------------------------------


def measure_of(entries: Iterable[Entry]) -> Measure:
    counts = {"findings": 0, "judged": 0, "tp": 0, "fp": 0, "debatable": 0}
    for entry in entries:
        if not entry.reported:
            continue
        counts["findings"] += 1
        if entry.judged:
            counts["judged"] += 1
            counts[entry.verdict] += 1
    return Measure(**counts)


def measures(ledger: Path) -> dict[str, Measure]:
    return {rule.id: measure_of(read_ledger(rule.id, ledger)) for rule in STATIC_RULES}


def table(figures: dict[str, Measure], cache_option: str = "") -> str:
    head = (
        f"{'rule':<8} {'findings':>8} {'judged':>6} {'tp':>4} {'fp':>4} {'deb':>4} "
        f"{'precision':>9}  {'tier':<7} {'decided':<8} unjudged listed by"
    )
    rows = [head, "-" * len(head)]
    total = Measure(findings=0, judged=0, tp=0, fp=0, debatable=0)
    for rule_id, found in figures.items():
        total = Measure(
            findings=total.findings + found.findings,
            judged=total.judged + found.judged,
            tp=total.tp + found.tp,
            fp=total.fp + found.fp,
            debatable=total.debatable + found.debatable,
        )
        decided = found.decided_tier()
        listing = (
            f".venv/bin/python bench/precision/ledger.py show {rule_id}{cache_option}"
            if found.findings > found.judged
            else ""
        )
        rows.append(_row(rule_id, found, BY_ID[rule_id].tier.value, decided, listing))
    rows.append("-" * len(head))
    rows.append(_row("overall", total, "", None, ""))
    return "\n".join(rows)


def _row(label: str, found: Measure, tier: str, decided: Tier | None, listing: str) -> str:
    precision = "-" if found.precision is None else f"{found.precision:.2f}"
    mark = "-" if decided is None else decided.value
    if decided is not None and tier and decided.value != tier:
        mark += " (!)"
    return (
        f"{label:<8} {found.findings:>8} {found.judged:>6} {found.tp:>4} {found.fp:>4} "
        f"{found.debatable:>4} {precision:>9}  {tier:<7} {mark:<8} {listing}"
    ).rstrip()


def summary_path(ledger: Path) -> Path:
    """The committed summary for the committed ledger; beside any other ledger (tests)."""
    return SUMMARY if ledger.resolve() == LEDGER else ledger / SUMMARY.name


def write_summary(figures: dict[str, Measure], apps: int, path: Path) -> None:
    path.write_text(Summary(apps, figures).dumps(), encoding="utf-8")


# -- commands --------------------------------------------------------------------------------


def _selected(apps: list[App], names: list[str] | None) -> list[App]:
    if not names:
        return apps
    known = {app.name: app for app in apps}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise LedgerError(f"unknown app {unknown[0]!r}")
    return [known[name] for name in names]


def command_fetch(args: argparse.Namespace) -> int:
    cache: Path = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    failed = 0
    for app in _selected(load_apps(args.apps), args.app):
        try:
            tree = bring(app, cache, args.mirrors)
        except LedgerError as exc:
            print(f"{app.name}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{app.name:<16} {app.pin:<70} {len(python_files(tree, app)):>5} Python files")
    return 1 if failed else 0


def command_run(args: argparse.Namespace) -> int:
    cache: Path = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    apps = _selected(load_apps(args.apps), args.app)
    found: dict[str, list[Entry]] = {}
    print(f"{'app':<16} {'files':>6} {'findings':>8} {'skipped':>7}")
    for app in apps:
        tree = bring(app, cache, args.mirrors)
        report = review_tree(tree, app, cache / "reviews")
        per_rule = entries_of(app, report, tree)
        for rule_id, entries in per_rule.items():
            found.setdefault(rule_id, []).extend(entries)
        stats = report["stats"]
        skipped = report["skipped"]
        assert isinstance(stats, dict) and isinstance(skipped, list)
        count = sum(len(entries) for entries in per_rule.values())
        print(f"{app.name:<16} {stats['python_files']:>6} {count:>8} {len(skipped):>7}")
    reviewed = {app.name for app in apps}
    for rule in STATIC_RULES:
        merged = merge(read_ledger(rule.id, args.ledger), found.get(rule.id, []), reviewed)
        if merged or ledger_file(rule.id, args.ledger).exists():
            write_ledger(rule.id, merged, args.ledger)
    figures = measures(args.ledger)
    if not args.app:
        write_summary(figures, len(apps), summary_path(args.ledger))
    print()
    print(table(figures, _cache_option(args)))
    return 0


def command_table(args: argparse.Namespace) -> int:
    print(table(measures(args.ledger), _cache_option(args)))
    return 0


def command_summary(args: argparse.Namespace) -> int:
    path = summary_path(args.ledger)
    write_summary(measures(args.ledger), len(load_apps(args.apps)), path)
    print(f"wrote {path}; now run scripts/gen_docs.py")
    return 0


def _order(entries: list[Entry], sample: int | None) -> list[Entry]:
    if sample is None:
        return entries
    spread = sorted(entries, key=lambda e: hashlib.sha256(e.key.encode()).hexdigest())
    return sorted(spread[:sample], key=lambda e: (e.app, e.path, e.line))


def command_show(args: argparse.Namespace) -> int:
    rule_id = args.rule.upper()
    if rule_id not in BY_ID:
        raise LedgerError(f"unknown rule id {args.rule!r}")
    entries = [
        e for e in read_ledger(rule_id, args.ledger) if e.reported and (args.all or not e.judged)
    ]
    if args.app:
        entries = [e for e in entries if e.app in args.app]
    entries = _order(entries, args.sample)
    apps = {app.name: app for app in load_apps(args.apps)}
    trees: dict[str, Lines] = {}
    for entry in entries:
        state = f"{entry.verdict}: {entry.why}" if entry.judged else "unjudged"
        print(f"== {entry.key}  {entry.path}:{entry.line}  ({entry.construct})  [{state}]")
        print(f"   {entry.message}")
        app = apps.get(entry.app)
        tree = tree_of(args.cache, app) if app is not None else None
        if tree is None or not (tree / entry.path).is_file():
            print("   (code not in the cache: run `fetch`)")
            print(_indent(entry.code))
            continue
        lines = trees.setdefault(entry.app, Lines(tree)).of(entry.path)
        first = max(1, entry.line - args.context)
        last = min(len(lines), entry.line + args.context)
        for number in range(first, last + 1):
            marker = ">" if number == entry.line else " "
            print(f" {marker}{number:>5} | {lines[number - 1]}")
        print()
    print(f"{len(entries)} finding(s) of {rule_id} listed")
    return 0


def _indent(text: str) -> str:
    return "\n".join(f"   | {line}" for line in text.splitlines())


def command_judge(args: argparse.Namespace) -> int:
    rule_id = args.rule.upper()
    if rule_id not in BY_ID:
        raise LedgerError(f"unknown rule id {args.rule!r}")
    if args.key == "-":
        verdicts = [_parse_verdict_line(line) for line in sys.stdin if line.strip()]
    else:
        verdicts = [(args.key, args.verdict, " ".join(args.why))]
    entries = read_ledger(rule_id, args.ledger)
    for key, verdict, why in verdicts:
        if verdict not in VERDICTS:
            raise LedgerError(f"{key}: verdict must be one of {', '.join(VERDICTS)}")
        if not why.strip():
            raise LedgerError(f"{key}: say in one line why")
        matches = [e for e in entries if e.key == key] or [
            e for e in entries if e.key.startswith(key)
        ]
        if len(matches) != 1:
            found = "no" if not matches else f"{len(matches)}"
            raise LedgerError(f"{key}: {found} findings of {rule_id} have this key")
        matches[0].verdict, matches[0].why = verdict, " ".join(why.split())
    write_ledger(rule_id, entries, args.ledger)
    print(f"{len(verdicts)} verdict(s) recorded in {ledger_file(rule_id, args.ledger)}")
    return 0


def _parse_verdict_line(line: str) -> tuple[str, str, str]:
    """``KEY VERDICT why...`` (one judged finding per line, for ``judge RULE -``)."""
    parts = line.strip().split(None, 2)
    if len(parts) < 3:
        raise LedgerError(f"expected `KEY VERDICT WHY`, got {line.strip()!r}")
    return parts[0], parts[1], parts[2]


def _cache_option(args: argparse.Namespace) -> str:
    return f" --cache {args.cache}" if args.cache != default_cache() else ""


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--cache",
        type=Path,
        default=default_cache(),
        help=f"where the apps are kept (default: ${CACHE_VARIABLE}, else "
        "~/.cache/fastapi-review/precision)",
    )
    common.add_argument(
        "--mirrors",
        type=Path,
        default=None,
        help="folder of bare git directories <owner>+<name>/repo, as the search tool's fetch "
        f"lays them out (default: ${MIRRORS_VARIABLE}, else CACHE/mirrors)",
    )
    common.add_argument(
        "--apps", type=Path, default=APPS, help="the pinned list (default: %(default)s)"
    )
    common.add_argument(
        "--ledger",
        type=Path,
        default=LEDGER,
        help="the verdicts, one file per rule (default: %(default)s)",
    )
    main = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = main.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", parents=[common], help="bring the apps into the cache")
    fetch.add_argument("--app", action="append", help="only this app (repeatable)")
    fetch.set_defaults(handler=command_fetch)
    run = commands.add_parser("run", parents=[common], help="review the apps, update the ledger")
    run.add_argument("--app", action="append", help="only this app (repeatable)")
    run.set_defaults(handler=command_run)
    show = commands.add_parser("show", parents=[common], help="list a rule's findings with code")
    show.add_argument("rule")
    show.add_argument("--all", action="store_true", help="judged findings too")
    show.add_argument("--app", action="append", help="only this app (repeatable)")
    show.add_argument("--sample", type=int, default=None, help="N findings spread over apps")
    show.add_argument("--context", type=int, default=4, help="lines of code around (default 4)")
    show.set_defaults(handler=command_show)
    judge = commands.add_parser("judge", parents=[common], help="record a verdict")
    judge.add_argument("rule")
    judge.add_argument("key", help="a key or a unique prefix of one; - reads KEY VERDICT WHY lines")
    judge.add_argument("verdict", nargs="?", default="", help="tp, fp or debatable")
    judge.add_argument("why", nargs="*", help="one line")
    judge.set_defaults(handler=command_judge)
    for name, handler, text in (
        ("table", command_table, "print the per-rule figures of the ledger"),
        ("summary", command_summary, "write reviewer/rules/precision.json from the ledger"),
    ):
        sub = commands.add_parser(name, parents=[common], help=text)
        sub.set_defaults(handler=handler)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.ledger = args.ledger.resolve()
    if args.mirrors is None:
        args.mirrors = default_mirrors(args.cache)
    try:
        status: int = args.handler(args)
    except LedgerError as exc:
        print(f"ledger: error: {exc}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    raise SystemExit(main())
