"""Rule tiers: preview rules are off unless asked for, and the ledger decides each rule's tier."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.rules.base import Tier
from reviewer.rules.concurrency import BlockingSleepInAsync
from reviewer.rules.measured import SUMMARY, Measure, Summary, summary
from reviewer.rules.registry import RULES

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


@pytest.fixture
def review(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., list[str]]:
    """Review SLEEPY (one FAPI402 finding when the rule runs) with extra CLI arguments."""
    patch = tmp_path / "change.patch"
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "h.py").write_text(SLEEPY)
    patch.write_text(
        "diff --git a/app/h.py b/app/h.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/h.py\n"
        "@@ -0,0 +1,5 @@\n" + "".join(f"+{line}\n" for line in SLEEPY.splitlines())
    )

    def run(*args: str) -> list[str]:
        with pytest.raises(SystemExit):
            main([str(patch), "--repo", str(tmp_path), "--format", "json", "--no-llm", *args])
        return [f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]]

    return run


@pytest.fixture
def preview_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """FAPI402 as if the ledger had moved it to the preview tier."""
    monkeypatch.setattr(BlockingSleepInAsync, "tier", Tier.PREVIEW)


def test_stable_rules_run_by_default(review: Callable[..., list[str]]) -> None:
    assert review() == ["FAPI402"]


@pytest.mark.usefixtures("preview_rule")
def test_preview_rules_are_off_by_default(review: Callable[..., list[str]]) -> None:
    assert review() == []
    assert review("--select", "FAPI4") == [], "a prefix does not turn a preview rule on"
    assert review("--select", "FAPI401,FAPI403") == []


@pytest.mark.usefixtures("preview_rule")
def test_preview_flag_and_configuration_turn_them_on(
    review: Callable[..., list[str]], tmp_path: Path
) -> None:
    assert review("--preview") == ["FAPI402"]
    assert review("--select", "fapi402") == ["FAPI402"], "selected by its exact id"
    assert review("--select", "FAPI4", "--preview") == ["FAPI402"]
    assert review("--preview", "--ignore", "FAPI402") == []
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.fastapi-review]\npreview = true\n")
    assert review() == ["FAPI402"]
    config.write_text("[tool.fastapi-review]\nselect = ['FAPI402']\n")
    assert review() == ["FAPI402"]
    config.write_text("[tool.fastapi-review]\npreview = false\n")
    assert review() == []
    assert review("--preview") == ["FAPI402"], "the flag overrides the file"


@pytest.mark.usefixtures("preview_rule")
def test_rules_and_explain_show_the_tier(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["rules"])
    listing = capsys.readouterr().out.splitlines()
    (line,) = [row for row in listing if row.startswith("FAPI402 ")]
    assert " preview " in line
    tiers = {rule.id: rule.tier.value for rule in RULES}
    assert all(f" {tiers[row[:7]]} " in row for row in listing if not row.startswith("FAPI402 "))
    with pytest.raises(SystemExit):
        main(["explain", "FAPI402"])
    out = capsys.readouterr().out
    assert "Tier: preview." in out
    assert "Real-code precision" in out


@pytest.mark.parametrize(
    ("measure", "tier"),
    [
        (Measure(findings=40, judged=15, tp=14, fp=1, debatable=0), Tier.STABLE),  # 0.93
        (Measure(findings=40, judged=20, tp=18, fp=2, debatable=0), Tier.STABLE),  # 0.90 exactly
        (Measure(findings=40, judged=20, tp=17, fp=2, debatable=1), Tier.PREVIEW),  # 0.89
        (Measure(findings=40, judged=14, tp=14, fp=0, debatable=0), None),  # too few judged
        (Measure(findings=3, judged=3, tp=2, fp=1, debatable=0), Tier.PREVIEW),  # all of them
        (Measure(findings=3, judged=3, tp=3, fp=0, debatable=0), Tier.STABLE),
        (Measure(findings=3, judged=2, tp=2, fp=0, debatable=0), None),  # one still to judge
        (Measure(findings=20, judged=20, tp=0, fp=0, debatable=20), None),  # nothing decided
        (Measure(findings=0, judged=0, tp=0, fp=0, debatable=0), None),  # no evidence
    ],
)
def test_the_ledger_decides_the_tier(measure: Measure, tier: Tier | None) -> None:
    assert measure.decided_tier() is tier


def test_every_rule_is_in_the_tier_its_ledger_figures_decide() -> None:
    """When the ledger can decide a rule's tier, the rule carries that tier."""
    wrong = {
        rule.id: (rule.tier.value, decided.value)
        for rule in RULES
        if (found := summary().rules.get(rule.id)) is not None
        and (decided := found.decided_tier()) is not None
        and decided is not rule.tier
    }
    assert wrong == {}, "move these rules to the tier the ledger decides (current, decided)"


def test_the_committed_summary_is_valid_and_names_static_rules() -> None:
    """Figures for the static rules only (a rule added since the last run has none yet)."""
    data = Summary.parse(SUMMARY.read_text(encoding="utf-8"))
    assert data.apps >= 12
    assert set(data.rules) <= {rule.id for rule in RULES if rule.engine == "static"}
    assert len(data.rules) >= 30


def test_inconsistent_figures_are_refused() -> None:
    with pytest.raises(ValueError, match="inconsistent"):
        Measure(findings=3, judged=2, tp=2, fp=1, debatable=0)
    with pytest.raises(ValueError, match="inconsistent"):
        Measure(findings=1, judged=2, tp=1, fp=1, debatable=0)
    with pytest.raises(ValueError, match="expected counts"):
        Measure.from_dict({"findings": -1, "judged": 0, "tp": 0, "fp": 0, "debatable": 0})
    with pytest.raises(ValueError, match="expected the keys"):
        Summary.parse('{"apps": 1, "rules": {"FAPI101": {"findings": 1}}}')
