"""Text pre-filters that spare parsing a repository's modules must never skip a module that holds
what they look for: checked on every module of the golden cases and the rules' own examples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.config import Config
from reviewer.engine import analyze, analyze_files, review_change, run_rules
from reviewer.extract import parse_module
from reviewer.extract.model import Module
from reviewer.extract.project import (
    MayDeclare,
    Project,
    TextFilter,
    class_names,
    may_declare_route,
)
from reviewer.rules.registry import FAMILIES, RULES
from reviewer.rules.schemas import RESPONSE_NAME, ROUTES_OR_RESPONSE_NAMES, response_roots
from reviewer.source import DirectorySources, NoSources, python_files_in

CASES = Path(__file__).parent / "cases"


def _modules() -> list[tuple[str, Module]]:
    texts = [(str(path), path.read_text()) for path in sorted(CASES.rglob("*.py"))]
    for rule in RULES:
        for number, example in enumerate((*rule.VALID, *rule.INVALID)):
            code = example if isinstance(example, str) else example.code
            texts.append((f"{rule.id}-{number}.py", code))
    found = []
    for path, text in texts:
        module = parse_module(path, text)
        if isinstance(module, Module):
            found.append((text, module))
    return found


def test_route_and_response_filter_keeps_every_module_with_one() -> None:
    modules = _modules()
    holding = [
        (text, module)
        for text, module in modules
        if module.routes or any(RESPONSE_NAME.search(cls.name) for cls in module.classes)
    ]
    assert len(holding) > 50  # the check covers many real shapes
    missed = [m.path for text, m in holding if not ROUTES_OR_RESPONSE_NAMES.search(text)]
    assert missed == []


def test_dict_get_is_no_reason_to_parse_a_module() -> None:
    code = "def load(payload):\n    return payload.get('items', []), cache.post(1)\n"
    assert ROUTES_OR_RESPONSE_NAMES.search(code) is None
    assert ROUTES_OR_RESPONSE_NAMES.search("@router.get('/items')\ndef items(): ...\n")
    assert ROUTES_OR_RESPONSE_NAMES.search("    @app.api_route('/', methods=['GET'])\n")


# -- The sure filter of FAPI202's pass over the changed modules --------------------------------
# A review of a whole code base (`check`) reviews every module as changed: building them all for
# one project-wide pass keeps them in memory or builds them again. The filter may skip only a
# module that cannot hold a response root: no route and no class named like a response.

SURE = MayDeclare(RESPONSE_NAME)

ROUTE_SHAPES = {
    "plain": "@router.get('/a')\ndef a(): ...\n",
    "spaced": "@ router . get ('/a')\ndef a(): ...\n",
    "upper-case method": "@router.GET('/a')\ndef a(): ...\n",
    "api_route": "@app.api_route('/a', methods=['GET'])\ndef a(): ...\n",
    "indented with tabs and a form feed": "class A:\n\x0c\t@router.post('/a')\n\tdef a(self): ...\n",
    "backslash inside": "@router.\\\n    delete('/a')\ndef a(): ...\n",
    "after a backslash-joined blank line": "x = 1\n\\\n@router.put('/a')\ndef a(): ...\n",
    "parenthesized over lines": "@(router  # the v2 router\n    .patch)('/a')\ndef a(): ...\n",
    "receiver over lines": "@routers[\n    0\n].head('/a')\ndef a(): ...\n",
    "string with a hash": "@pick('#').options('/a')\ndef a(): ...\n",
    "triple-quoted string": "@pick('''\n''').trace('/a')\ndef a(): ...\n",
    "non-ASCII method name": "@router.\uff47et('/a')\ndef a(): ...\n",
    "carriage returns only": "x = 1\r@router.get('/a')\rdef a(): ...\r",
    "byte order mark": "\ufeff@router.get('/a')\ndef a(): ...\n",
    "brackets past the window": "@pick(\n" + "    1,\n" * 2000 + ").get('/a')\ndef a(): ...\n",
    "a line past the window": "@pick(1) \\\n." + "x" * 9000 + ".get('/a')\ndef a(): ...\n",
}
RESPONSE_CLASS_SHAPES = {
    "plain": "class UserOut(BaseModel):\n    name: str\n",
    "backslash after class": "class \\\n    UserRead(BaseModel):\n    name: str\n",
    "non-ASCII name": "class User\uff2fut(BaseModel):\n    name: str\n",
    "nested": "def f():\n    class TokenResponse(BaseModel):\n        token: str\n",
}


@pytest.mark.parametrize("text", ROUTE_SHAPES.values(), ids=ROUTE_SHAPES.keys())
def test_the_sure_filter_keeps_every_shape_of_route_decorator(text: str) -> None:
    module = parse_module("api.py", text)
    assert isinstance(module, Module) and module.routes  # the shape does declare a route
    assert may_declare_route(text)
    assert SURE.search(text)


@pytest.mark.parametrize("text", RESPONSE_CLASS_SHAPES.values(), ids=RESPONSE_CLASS_SHAPES.keys())
def test_the_sure_filter_keeps_every_shape_of_response_class(text: str) -> None:
    module = parse_module("schemas.py", text)
    assert isinstance(module, Module)
    assert any(RESPONSE_NAME.search(cls.name) for cls in module.classes)
    assert SURE.search(text)
    assert not may_declare_route(text)  # found by the class name alone


def test_the_sure_filter_keeps_every_module_of_the_cases_with_a_route_or_a_response_class() -> None:
    modules = _modules()
    routes = [(text, module) for text, module in modules if module.routes]
    assert len(routes) > 50
    assert [m.path for text, m in routes if not may_declare_route(text)] == []
    for text, module in modules:
        assert {cls.name for cls in module.classes} <= set(class_names(text)), module.path
        if any(RESPONSE_NAME.search(cls.name) for cls in module.classes):
            assert SURE.search(text), module.path


def test_the_sure_filter_skips_modules_with_no_route_and_no_response_class() -> None:
    text = (
        "import pytest\n\n"
        "class UserModel(BaseModel):\n"
        "    name: str\n\n"
        "    @validator('name')  # (checked)\n"
        "    def check(cls, value): return value\n\n"
        "    @property\n"
        "    def label(self): return cache.get('label')\n\n"
        "@pytest.mark.parametrize('a', [\n    1,\n    2,\n])\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def test_a(a): return payload.get('a') @ matrix\n"
        "@app.middleware('http')\n"
        "async def middle(request, call_next): return await call_next(request)\n"
    )
    module = parse_module("models.py", text)
    assert isinstance(module, Module) and not module.routes and module.classes
    assert not may_declare_route(text)
    assert not SURE.search(text)
    assert not may_declare_route("x = 1\r@validator('a')\rdef check(cls, value): ...\r")


def test_the_response_roots_are_those_found_without_the_filter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every repository of the cases checked whole, and every diff of the cases alone (modules
    built from hunks): FAPI202's roots are the same whether its pass builds every changed
    module or only those the filter keeps (and it skips some)."""
    kept: list[bool] = []
    search = MayDeclare.search

    def counted(self: MayDeclare, text: str) -> bool:
        kept.append(search(self, text))
        return kept[-1]

    def roots(case: Path) -> list[tuple[str, str, bool, bool]]:
        if case.suffix == ".repo":
            sources = DirectorySources(case)
            change = analyze_files(python_files_in(sources, (case,)), sources, Config())
        else:  # the diff alone: modules built from the hunks
            change = analyze(case.read_text(), NoSources(), Config(preview=True))
        return [
            (root.model.module.path, root.model.cls.name, root.issues_credentials, root.named_only)
            for root in response_roots(change.project)
        ]

    cases = sorted([*CASES.glob("*/*.repo"), *CASES.glob("*/*.patch")])
    monkeypatch.setattr(MayDeclare, "search", counted)
    filtered = [roots(case) for case in cases]
    monkeypatch.setattr(MayDeclare, "search", lambda self, text: True)
    assert [roots(case) for case in cases] == filtered
    assert sum(len(found) for found in filtered) > 20
    assert kept.count(False) > 20 and kept.count(True) > 20


def test_a_class_name_is_read_up_to_the_first_character_no_identifier_holds() -> None:
    """Letters, digits, ``_`` and non-ASCII characters continue a class name; every other ASCII
    character ends it (the pattern spells the set by what it excludes)."""
    ends = [chr(code) for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")]
    for end in ends:
        assert list(class_names(f"class Ab_9{end}x")) == ["Ab_9"], repr(end)
    assert list(class_names("class Réponse_Ωµ(Base): ...")) == ["Réponse_Ωμ"]  # NFKC: µ is μ


# -- FAPI202's pass for models read from another service ---------------------------------------
# Each pass over the repository reads every file's text: one pass asks for every `*Response`
# class whose secret a finding may take back.

RESPONSES = (
    "from pydantic import BaseModel\n"
    "class AResponse(BaseModel):\n    client_id: str\n    client_secret: str\n"
    "class BResponse(BaseModel):\n    api_key: str\n"
    "class CResponse(BaseModel):\n    private_key: str\n"
    "class DResponse(BaseModel):\n    access_token: str\n"
)
CALLS = {
    "client.py": "def a(r):\n    return AResponse.model_validate(r.json())\n",
    "adapter.py": "def b(r):\n    return BResponse.validate_python(r.text)\n",
    "local.py": "def c(payload):\n    return CResponse.model_validate(payload)\n",
    "other.py": "def d(r):\n    return DResponse.validate_python(r.json())\n",
}


def test_one_pass_tells_each_response_read_from_another_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`AResponse` is read from an answer in the context, `BResponse` in a changed module (a
    call the context's text filter would not keep), `CResponse` is validated from no answer,
    `DResponse` only in a module of the context that no pass keeps: one pass for the four, and
    only the first two are taken for models the repository reads."""
    passes: list[TextFilter] = []
    mentioning = Project.modules_mentioning

    def counted(self: Project, changed: TextFilter, context: TextFilter) -> Iterator[Module]:
        passes.append(changed)
        return mentioning(self, changed, context)

    monkeypatch.setattr(Project, "modules_mentioning", counted)
    (tmp_path / "models.py").write_text(RESPONSES)
    for name, text in CALLS.items():
        (tmp_path / name).write_text(text)
    sources = DirectorySources(tmp_path)
    config = Config(preview=True, select=["FAPI202"])
    report = review_change(analyze_files(["models.py", "adapter.py"], sources, config), config)
    sent = sorted(finding.message.split("`")[1] for finding in report.findings)
    assert sent == ["CResponse.private_key", "DResponse.access_token"]
    assert [type(found).__name__ for found in passes].count("_Validating") == 1


def _findings() -> list[tuple[str, str, int]]:
    found = []
    for _, module in _modules():  # parsed afresh: rules memoise what they find on a module
        project = Project.of([module], NoSources())
        found.extend((f.rule_id, f.path, f.line) for f in run_rules([module], project, RULES))
    return found


def test_the_rules_text_filters_skip_no_module_with_a_finding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rule that leaves a module whose text does not write a word (``helpers.writes``) finds
    the same with the filter off, on every module of the golden cases and examples."""
    filtered = _findings()
    families = [module for module in FAMILIES if hasattr(module, "writes")]
    assert len(families) >= 4  # FAPI501, FAPI60x, FAPI70x, FAPI801
    for family in families:
        monkeypatch.setattr(family, "writes", lambda *args, **kwargs: True)
    unfiltered = _findings()
    assert len(unfiltered) > 300
    assert filtered == unfiltered
