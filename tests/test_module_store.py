"""A review that lets modules go and builds them again finds exactly what one holding them all
finds: the bounded store is what keeps a whole-code-base review's memory flat."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import Config
from reviewer.engine import Change, Report, analyze, analyze_files, review_change, run_rules
from reviewer.extract import parse_module
from reviewer.extract import store as store_module
from reviewer.extract.model import Module
from reviewer.extract.store import ModuleStore
from reviewer.rules.registry import STATIC_RULES
from reviewer.source import DirectorySources, python_files_in

CASES = Path(__file__).parent / "cases"
REPOS = sorted(CASES.glob("*/*.repo"))
UNBOUNDED = 1 << 40


def _module(path: str, lines: int) -> Module:
    module = parse_module(path, "x = 1\n" * lines)
    assert isinstance(module, Module)
    return module


def test_a_module_is_sized_by_its_source_text_with_line_endings() -> None:
    module = parse_module("m.py", "x = 1\n\nname = 'é'\n")
    assert isinstance(module, Module)
    assert store_module.size(module) == len("x = 1\n\nname = 'é'\n") == 18


def test_the_store_keeps_its_budget_and_lets_released_modules_go_first() -> None:
    store = ModuleStore(budget=6 * 20)  # six characters a line: twenty lines
    built: list[str] = []

    def build(key: str, lines: int = 5) -> Module:
        built.append(key)
        return _module(f"{key}.py", lines)

    for key in "abcd":
        store.get(key, lambda key=key: build(key))
    assert built == list("abcd")
    store.release("a")
    store.get("e", lambda: build("e"))  # past the budget: the released one goes, not b
    assert store.held("a") is None and store.held("b") is not None
    store.get("f", lambda: build("f"))  # nothing released: the least recently used goes
    assert store.held("b") is None and store.held("c") is not None
    assert store.get("a", lambda: build("a")) is not None and built[-1] == "a"  # built again
    assert store.builds == 7
    big = store.get("big", lambda: build("big", 100))  # alone past the budget: still held
    assert big is not None and store.held("big") is big and store.held("a") is None
    assert store.get("bad", lambda: None) is None
    assert store.get("bad", lambda: build("never")) is None and "never" not in built


def _check(repo: Path, config: Config) -> Report:
    sources = DirectorySources(repo)
    change = analyze_files(python_files_in(sources, (repo,)), sources, config)
    return review_change(change, config, all_lines=True, report_unused=True)


def _identities(report: Report) -> list[tuple[str, str, int, str]]:
    return [(f.rule_id, f.path, f.line, f.fingerprint) for f in report.findings]


def _same(tiny: Report, whole: Report) -> None:
    assert _identities(tiny) == _identities(whole)
    assert tiny.findings == whole.findings
    assert tiny.lines == whole.lines
    assert (tiny.skipped, tiny.partial, tiny.python_files) == (
        whole.skipped,
        whole.partial,
        whole.python_files,
    )
    assert tiny.unused_suppressions == whole.unused_suppressions


@pytest.mark.parametrize("preview", [False, True])
def test_a_store_of_one_module_finds_what_an_unbounded_one_finds(
    monkeypatch: pytest.MonkeyPatch, preview: bool
) -> None:
    """Every repository of the test cases checked whole: each lookup of another module (a
    dependency's definition, a model's base class, the project-wide facts such as FAPI202's
    response models with ``--preview``) builds it again."""
    config = Config(preview=preview)
    monkeypatch.setattr(store_module, "BUDGET", UNBOUNDED)
    whole = {repo: _check(repo, config) for repo in REPOS}
    monkeypatch.setattr(store_module, "BUDGET", 1)
    tiny = {repo: _check(repo, config) for repo in REPOS}
    for repo in REPOS:
        _same(tiny[repo], whole[repo])
    assert sum(len(report.findings) for report in whole.values()) > 50
    found = {finding.rule_id for report in whole.values() for finding in report.findings}
    assert ("FAPI202" in found) is preview  # a preview rule, with its pass over the modules

    def builds(reports: dict[Path, Report]) -> int:
        changes = [report.change for report in reports.values()]
        return sum(change.project.store.builds for change in changes if change is not None)

    modules = sum(report.python_files for report in whole.values())
    assert builds(whole) == modules  # held: each built once
    assert builds(tiny) > modules + 20  # let go, and built again when needed


def test_a_diff_review_with_its_repository_finds_the_same_with_a_store_of_one_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The context's modules (parsed for project-wide facts and lookups) are let go too."""
    cases = [(repo.with_suffix(".patch"), repo) for repo in REPOS]
    cases = [(patch, repo) for patch, repo in cases if patch.is_file()]
    assert len(cases) > 10

    def review(patch: Path, repo: Path) -> Report:
        config = Config(preview=True)
        change = analyze(patch.read_text(), DirectorySources(repo), config)
        return review_change(change, config)

    monkeypatch.setattr(store_module, "BUDGET", UNBOUNDED)
    whole = [review(patch, repo) for patch, repo in cases]
    monkeypatch.setattr(store_module, "BUDGET", 1)
    tiny = [review(patch, repo) for patch, repo in cases]
    for tiny_report, whole_report in zip(tiny, whole, strict=True):
        _same(tiny_report, whole_report)
    assert sum(len(report.findings) for report in whole) > 20


def test_a_name_a_module_does_not_define_is_answered_without_building_it_again(
    tmp_path: Path,
) -> None:
    """The project keeps what each module defines and imports: a lookup that finds nothing
    there, or only a re-export, does not build a module the store let go."""
    (tmp_path / "api.py").write_text("from models import User\n")
    (tmp_path / "models.py").write_text("class User:\n    pass\n\ndef make(): ...\n")
    sources = DirectorySources(tmp_path)
    change = analyze_files(python_files_in(sources, (tmp_path,)), sources, Config())
    project = change.project
    project.store.budget = 1  # holds the last module built only
    assert project.cls("api.User") is not None  # a re-export: both modules built
    assert project.function("models.make") is not None
    builds = project.store.builds
    assert project.store.held(("changed", "api.py")) is None  # let go
    assert project.cls("api.Missing") is None
    assert project.function("models.missing") is None
    assert project.assignment("models.missing") is None
    assert project.function("api.User.missing") is None  # through the re-export
    assert project.store.builds == builds


LOOKED_UP = {
    "a.py": (
        "from fastapi import APIRouter\n\nfrom z import get_session\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/items")\nasync def items():\n'
        "    session = get_session()\n    return session.query()\n"
    ),
    "b.py": "value = 1  # fastapi-review: ignore\n" + "".join(f"x{i} = {i}\n" for i in range(40)),
    "c.py": "value = 2  # fastapi-review: ignore\n" + "".join(f"y{i} = {i}\n" for i in range(40)),
    "z.py": (
        "from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker()\n\n\n"
        "def get_session():  # fastapi-review: ignore\n    return SessionLocal()\n"
    ),
}


def test_a_module_a_lookup_built_is_reviewed_while_held_and_reported_in_diff_order(
    tmp_path: Path,
) -> None:
    """Reviewing ``a.py`` looks ``z.get_session`` up (is it a session factory?). With room for
    two modules, ``z.py`` is reviewed next, while held: in diff order, ``b.py`` and ``c.py``
    would push it out first and it would be built again. What the report lists per file (the
    unused suppressions here) stays in diff order."""
    for name, text in LOOKED_UP.items():
        (tmp_path / name).write_text(text)

    def change_with_room_for_two() -> Change:
        sources = DirectorySources(tmp_path)
        change = analyze_files(python_files_in(sources, (tmp_path,)), sources, Config())
        sizes = {path: len(text) for path, text in LOOKED_UP.items()}
        change.project.store.budget = sizes["a.py"] + sizes["z.py"]
        assert sizes["b.py"] > sizes["a.py"] and sizes["c.py"] > sizes["a.py"]
        return change

    in_diff_order = change_with_room_for_two()
    found = run_rules(in_diff_order.modules, in_diff_order.project, STATIC_RULES)
    assert in_diff_order.project.store.builds == 5  # z.py built for a.py, let go, built again

    change = change_with_room_for_two()
    report = review_change(change, Config(), all_lines=True, report_unused=True)
    assert change.project.store.builds == 4
    assert [(f.rule_id, f.path, f.line) for f in report.findings] == sorted(
        (f.rule_id, f.path, f.line) for f in found
    )
    assert {f.path for f in report.findings} == {"a.py"}
    assert [u.path for u in report.unused_suppressions] == ["b.py", "c.py", "z.py"]
    assert report.python_files == 4
