"""Text pre-filters that spare parsing a repository's modules must never skip a module that holds
what they look for: checked on every module of the golden cases and the rules' own examples."""

from __future__ import annotations

from pathlib import Path

from reviewer.extract import parse_module
from reviewer.extract.model import Module
from reviewer.rules.registry import RULES
from reviewer.rules.schemas import RESPONSE_NAME, ROUTES_OR_RESPONSE_NAMES

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
