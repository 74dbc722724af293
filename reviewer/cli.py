"""The command line: parse options, call the engine, render, choose the exit status.

The only module that exits: 0 no finding at or above ``--fail-on``, 1 there is one, 2 usage or
input error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from reviewer import __version__
from reviewer.config import Config, load_config
from reviewer.engine import Report, review
from reviewer.errors import ReviewError
from reviewer.report.registry import FORMATS, renderer
from reviewer.rules.base import Severity
from reviewer.rules.registry import RULES, get_rule
from reviewer.source import DirectorySources, NoSources, Sources, decode, git_diff, work_tree_root

PROG = "fastapi-review"
WORKTREE = "\0worktree"


class DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, belongs to ``review``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        group_option = bool(args) and args[0] in ("--help", "-h", "--version")
        if not group_option and (not args or args[0] not in self.commands):
            args = ["review", *args]
        return super().parse_args(ctx, args)


def _split(values: tuple[str, ...]) -> list[str] | None:
    items = [item.strip() for value in values for item in value.split(",") if item.strip()]
    return items or None


def _read_patch(patch: str) -> str:
    if patch == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(patch)
        if not path.exists():
            raise ReviewError(f"{patch}: no such file")
        if path.is_dir():
            raise ReviewError(f"{patch}: is a directory, expected a patch file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ReviewError(f"{patch}: {exc.strerror}") from None
    return decode(data)


def _sources(repo: Path | None) -> tuple[Sources, Path | None]:
    if repo is not None:
        return DirectorySources(repo), repo
    root = work_tree_root(Path.cwd())
    if root is not None:
        return DirectorySources(root), root
    return NoSources(), None


def _exit_status(report: Report, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = Severity(fail_on).rank
    return 1 if any(f.severity.rank >= threshold for f in report.findings) else 0


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=PROG)
def cli() -> None:
    """Review the FastAPI code a change touches.

    \b
    fastapi-review PATCH            review a patch file (- reads stdin)
    fastapi-review --git [RANGE]    review a git range (default: working tree against HEAD)
    fastapi-review rules            list the rules
    fastapi-review explain FAPI101  print a rule's documentation
    """


@cli.command("review")
@click.argument("patch", required=False)
@click.option(
    "--git",
    "git_range",
    is_flag=False,
    flag_value=WORKTREE,
    default=None,
    metavar="[RANGE]",
    help="Review a git range, e.g. main...HEAD (default: the working tree against HEAD).",
)
@click.option(
    "--repo",
    type=click.Path(path_type=Path),
    default=None,
    help="The repository after the change, read for context (default: the git work tree of the current directory).",
)
@click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default=None,
    help="Exit 1 when a finding is at or above this severity [default: error].",
)
@click.option(
    "--select",
    multiple=True,
    metavar="IDS",
    help="Only these rule ids or prefixes (comma-separated).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="IDS",
    help="Never these rule ids or prefixes (comma-separated).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A pyproject.toml to read [tool.fastapi-review] from (default: the repository's).",
)
@click.option(
    "--all-lines", is_flag=True, help="Report findings on every line of the changed files."
)
@click.option("--no-llm", is_flag=True, help="Run the deterministic engine only.")
def review_command(
    patch: str | None,
    git_range: str | None,
    repo: Path | None,
    output_format: str,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
    all_lines: bool,
    no_llm: bool,
) -> None:
    """Review a change."""
    if (patch is None) == (git_range is None):
        raise click.UsageError("give one of PATCH, - (stdin) or --git [RANGE]")
    if git_range is not None:
        start = repo if repo is not None else Path.cwd()
        text, sources = git_diff(start, None if git_range == WORKTREE else git_range)
        root: Path | None = work_tree_root(start)
    else:
        assert patch is not None
        text = _read_patch(patch)
        sources, root = _sources(repo)
    if config_path is not None and not config_path.is_file():
        raise ReviewError(f"--config: {config_path}: no such file")
    pyproject = config_path or ((root or Path.cwd()) / "pyproject.toml")
    overrides: dict[str, Any] = {
        "fail-on": fail_on,
        "select": _split(select),
        "ignore": _split(ignore),
    }
    config: Config = load_config(pyproject, overrides)
    report = review(text, sources, config, all_lines=all_lines)
    color = output_format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    sys.stdout.write(renderer(output_format, color=color).render(report))
    sys.stdout.flush()
    sys.exit(_exit_status(report, config.fail_on))


@cli.command("rules")
def rules_command() -> None:
    """List every rule: id, name, engine, default severity and what it flags."""
    for rule in RULES:
        click.echo(
            f"{rule.id}  {rule.name:<36} {rule.engine:<6} {rule.severity.value:<7} {rule.summary()}"
        )


@cli.command("explain")
@click.argument("rule_id")
def explain_command(rule_id: str) -> None:
    """Print the documentation of RULE_ID."""
    rule = get_rule(rule_id)
    click.echo(f"# {rule.id} {rule.name}\n")
    click.echo(f"Default severity: {rule.severity.value}. Engine: {rule.engine}.\n")
    click.echo(rule.doc())


def _fail(message: str) -> NoReturn:
    click.echo(f"{PROG}: error: {message}", err=True)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except ReviewError as exc:
        _fail(str(exc))
    except click.ClickException as exc:
        _fail(exc.format_message().replace("\n", " "))
    except click.exceptions.Abort:
        _fail("aborted")
    except BrokenPipeError:
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
