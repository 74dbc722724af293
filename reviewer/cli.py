"""The command line: parse options, call the engine, render, choose the exit status.

The only module that exits: 0 no finding at or above ``--fail-on``, 1 there is one, 2 usage or
input error (one line on stderr, never a traceback), 3 the report was printed and written but
publishing it on the pull request failed (``--post``), 4 no finding at or above ``--fail-on`` but
the review is incomplete: a Python file of the change could not be reviewed (``--allow-skipped``
accepts that).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, NoReturn

import click

from reviewer import __version__
from reviewer.errors import ReviewError, scrub_environment
from reviewer.report.registry import FORMATS

# Everything else is imported where it is used: `--version` and a static review must not pay
# for the GitHub client, httpx, the LLM pass or renderers they do not use (tests/test_startup.py).
if TYPE_CHECKING:
    from reviewer.config import Config
    from reviewer.diff import Diff
    from reviewer.engine import Report
    from reviewer.github.client import GitHubClient
    from reviewer.github.pull import PullRef, PullRequest
    from reviewer.report.outputs import Output
    from reviewer.source import GitChange, Sources

PROG = "fastapi-review"
WORKTREE = "\0worktree"
FROM_WORKFLOW = "\0workflow"
PUBLISH_FAILED = 3
INCOMPLETE = 4
OUTPUT_ORDER = "fastapi-review.output-order"


class DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, belongs to ``review``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        group_option = bool(args) and args[0] in ("--help", "-h", "--version")
        if not group_option and (not args or args[0] not in self.commands):
            args = ["review", *args]
        return super().parse_args(ctx, args)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """``--help`` shows the options of a review, the command that runs by default."""
        review = self.commands["review"]
        records = [
            record
            for param in review.params
            if isinstance(param, click.Option) and (record := param.get_help_record(ctx))
        ]
        with formatter.section("Review options"):
            formatter.write_dl(records)
        super().format_options(ctx, formatter)


class ReviewCommand(click.Command):
    """Remembers the order of ``--format`` and ``--output`` on the command line, to pair them."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _, _, order = self.make_parser(ctx).parse_args(args=list(args))
        ctx.meta[OUTPUT_ORDER] = [
            "format" if param.name == "output_format" else "output"
            for param in order
            if param.name in ("output_format", "output_paths")
        ]
        return super().parse_args(ctx, args)


def _split(values: tuple[str, ...]) -> list[str] | None:
    items = [item.strip() for value in values for item in value.split(",") if item.strip()]
    return items or None


def _read_bounded(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``stream``, read in steps (a single ``read(limit)`` would
    reserve the whole limit at once)."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        part = stream.read(1 << 20)
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def _read_patch(patch: str) -> str:
    from reviewer import limits
    from reviewer.source import decode

    if patch == "-":
        data = _read_bounded(sys.stdin.buffer, limits.MAX_PATCH_BYTES)
    else:
        path = Path(patch)
        if not path.exists():
            raise ReviewError(f"{patch}: no such file")
        if path.is_dir():
            raise ReviewError(f"{patch}: is a directory, expected a patch file")
        try:
            with path.open("rb") as stream:
                data = _read_bounded(stream, limits.MAX_PATCH_BYTES)
        except OSError as exc:
            raise ReviewError(f"{patch}: {exc.strerror}") from None
    if len(data) > limits.MAX_PATCH_BYTES:
        where = "standard input" if patch == "-" else patch
        raise ReviewError(
            f"{where}: larger than {limits.size(limits.MAX_PATCH_BYTES)}: not reviewed"
        )
    return decode(data)


def _sources(repo: Path | None) -> tuple[Sources, Path | None]:
    from reviewer.source import DirectorySources, NoSources, work_tree_root

    if repo is not None:
        return DirectorySources(repo), repo
    root = work_tree_root(Path.cwd())
    if root is not None:
        return DirectorySources(root), root
    return NoSources(), None


def _pull_ref(value: str) -> PullRef:
    from reviewer.github.pull import parse_pull_ref, workflow_pull_ref

    if value == FROM_WORKFLOW:
        return workflow_pull_ref(os.environ)
    return parse_pull_ref(value)


def _git_change(start: Path, git_range: str) -> GitChange:
    """The change ``--git`` reviews: the range given; without one, the commits of the running
    ``push``/``merge_group`` workflow, else the working tree against HEAD."""
    from reviewer.github.workflow import workflow_range
    from reviewer.source import git_diff

    if git_range != WORKTREE:
        return git_diff(start, git_range)
    pushed = workflow_range(os.environ)
    if pushed is None:
        return git_diff(start, None)
    wanted, last = pushed
    try:
        return git_diff(start, wanted)
    except ReviewError:
        if wanted == last:
            raise
        click.echo(
            f"{PROG}: warning: cannot diff the pushed range {wanted} in this clone (a new branch, "
            f"a force-push, or a shallow checkout: fetch-depth: 0); reviewing the last commit",
            err=True,
        )
        return git_diff(start, last)


class _Input(NamedTuple):
    """What a review reads: the parsed patch, the repository after the change and its folder on disk,
    the repository before it (None: not known), and with ``--github-pr`` the pull request and
    the client that fetched it."""

    diff: Diff
    sources: Sources
    root: Path | None
    base: Sources | None
    pull: PullRequest | None = None
    client: GitHubClient | None = None


def _input(
    patch: str | None,
    git_range: str | None,
    github_pr: str | None,
    repo: Path | None,
    base_revision: str | None,
    base_repo: Path | None,
) -> _Input:
    """The change to review: a pull request, a git range, or a patch file (``-``: standard
    input) with ``--repo`` and ``--base``/``--base-repo``. The patch is parsed here, once."""
    from reviewer.diff import parse_diff
    from reviewer.source import (
        DirectorySources,
        GitRevisionSources,
        ReversedSources,
        checkout_of,
        work_tree_root,
    )

    if github_pr is not None:
        from reviewer.github.client import GitHubClient
        from reviewer.github.pull import fetch_pull

        client = GitHubClient.from_environment(os.environ)
        click.get_current_context().call_on_close(client.close)
        pull = fetch_pull(client, _pull_ref(github_pr))
        if repo is None:
            sources: Sources = checkout_of(Path.cwd(), pull.head_sha) or pull.sources
            root = work_tree_root(Path.cwd())
        else:
            sources, root = _sources(repo)
        diff = parse_diff(pull.diff)
        return _Input(diff, sources, root, ReversedSources(sources, diff), pull, client)
    if git_range is not None:
        start = repo if repo is not None else Path.cwd()
        found = _git_change(start, git_range)  # freed on return: it holds the patch too
        return _Input(parse_diff(found.patch), found.sources, work_tree_root(start), found.base)
    assert patch is not None
    diff = parse_diff(_read_patch(patch))  # a million-line patch is 45 to 180 MB: not kept
    sources, root = _sources(repo)
    if base_repo is not None:
        return _Input(diff, sources, root, DirectorySources(base_repo))
    if base_revision is not None:
        revision = GitRevisionSources(root or Path.cwd(), base_revision, prefetch=False)
        return _Input(diff, sources, root, revision)
    return _Input(diff, sources, root, None)


def _llm_messages(report: Report, text_on_stdout: bool) -> None:
    """Warnings of the LLM pass on stderr, and its usage line unless the text report shows it."""
    if report.llm is None:
        return
    for warning in report.llm.warnings:
        click.echo(f"{PROG}: warning: {scrub_environment(warning, os.environ)}", err=True)
    if not text_on_stdout:
        click.echo(f"{PROG}: {report.llm.describe()}", err=True)


def _exit_status(report: Report, fail_on: str, allow_skipped: bool) -> int:
    """1 for a finding at or above ``fail_on``; else 4 when a file could not be reviewed."""
    from reviewer.rules.base import Severity

    incomplete = bool(report.skipped) and not allow_skipped
    if incomplete:
        count = len(report.skipped)
        click.echo(
            f"{PROG}: the review is incomplete: {count} Python file{'s' if count > 1 else ''} "
            "could not be reviewed (listed as skipped); --allow-skipped accepts that",
            err=True,
        )
    if fail_on != "never":
        threshold = Severity(fail_on).rank
        if any(f.severity.rank >= threshold for f in report.findings):
            return 1
    return INCOMPLETE if incomplete else 0


def _config(
    config_path: Path | None,
    root: Path | None,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    preview: bool,
    overrides: dict[str, Any],
) -> tuple[Config, Callable[[Iterable[str]], Config]]:
    """The configuration (``--config``, or the repository root's), then the flags; and how to
    add the configurations of the folders that hold the reviewed files (none with --config)."""
    from reviewer.config import discover, load_config

    if config_path is not None and not config_path.exists():
        raise ReviewError(f"--config: {config_path}: no such file")
    if config_path is not None and config_path.is_dir():
        raise ReviewError(f"--config: {config_path}: is a directory, expected a TOML file")
    flags: dict[str, Any] = {
        **overrides,
        "fail-on": fail_on,
        "select": _split(select),
        "ignore": _split(ignore),
        "preview": preview or None,
    }
    folder = root or Path.cwd()
    config = load_config(config_path or folder, flags, explicit=config_path is not None)

    def nearest(paths: Iterable[str]) -> Config:
        return config if config_path is not None else discover(config, folder, paths, flags)

    return config, nearest


def _fix(report: Report, root: Path | None, fix: bool, unsafe: bool) -> Report:
    """With ``--fix``: apply the fixes to the files under ``root`` and keep the findings left."""
    if unsafe and not fix:
        raise click.UsageError("--unsafe-fixes goes with --fix")
    if not fix:
        return report
    if root is None:
        raise click.UsageError(
            "--fix needs the repository on disk (--repo, or run in its work tree)"
        )
    from dataclasses import replace

    from reviewer.fix import fix_files

    done = fix_files(root, report.findings, report.lines, unsafe)
    for path, reason in done.refused:
        click.echo(f"{PROG}: warning: {path} was not fixed: {reason}", err=True)
    count = len(done.findings)
    files = len({finding.path for finding in done.findings})
    click.echo(
        f"{PROG}: fixed {count} finding{'' if count == 1 else 's'} "
        f"in {files} file{'' if files == 1 else 's'}",
        err=True,
    )
    left = tuple(finding for finding in report.findings if finding not in done.findings)
    return replace(report, findings=left, fixed=count)


def _write(
    report: Report, outputs: list[Output], config: Config, allow_skipped: bool, exit_zero: bool
) -> int:
    """Write every output of ``report`` and return the exit status it calls for."""
    from reviewer.report.outputs import write_outputs

    write_outputs(report, outputs, sys.stdout, sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    status = _exit_status(report, "never" if exit_zero else config.fail_on, allow_skipped)
    return 1 if report.unused_suppressions and not exit_zero and status != 1 else status


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=PROG)
def cli() -> None:
    """Review the FastAPI code a change touches.

    \b
    fastapi-review PATCH            review a patch file (- reads stdin)
    fastapi-review --git [RANGE]    review a git range (default: working tree against HEAD)
    fastapi-review --github-pr OWNER/REPO#N [--post]
                                    review a pull request (and publish the review on it)
    fastapi-review check [PATH]...  review whole files or folders, with no diff
    fastapi-review rules            list the rules
    fastapi-review explain FAPI101  print a rule's documentation
    """


def _report_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options ``review`` and ``check`` share: outputs, rule selection, configuration and
    what makes the exit status non-zero."""
    options = (
        click.option(
            "--format",
            "output_format",
            type=click.Choice(FORMATS),
            multiple=True,
            help="Output format [default: text]. Repeatable, each with its own --output.",
        ),
        click.option(
            "--output",
            "output_paths",
            type=click.Path(dir_okay=False),  # a string: "newdir/" keeps its slash
            multiple=True,
            metavar="FILE",
            help="Write the --format given just before it to FILE (default: standard output).",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(["error", "warning", "info", "never"]),
            default=None,
            help="Exit 1 when a finding is at or above this severity [default: error].",
        ),
        click.option(
            "--select",
            multiple=True,
            metavar="IDS",
            help="Only these rule ids or prefixes (comma-separated).",
        ),
        click.option(
            "--ignore",
            multiple=True,
            metavar="IDS",
            help="Never these rule ids or prefixes (comma-separated).",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            help="A pyproject.toml to read [tool.fastapi-review] from (default: the repository's).",
        ),
        click.option(
            "--preview",
            is_flag=True,
            help="Also run the preview-tier rules (see `fastapi-review rules`).",
        ),
        click.option(
            "--allow-skipped",
            is_flag=True,
            help="Do not fail (exit 4) when files of the change could not be reviewed: syntax newer "
            "than this Python, syntax errors.",
        ),
        click.option(
            "--fix",
            is_flag=True,
            help="Apply the safe fixes of the findings to the files (those holding the reviewed "
            "text); report what is left.",
        ),
        click.option(
            "--unsafe-fixes",
            is_flag=True,
            help="With --fix: also apply the fixes that change behaviour (check them).",
        ),
        click.option(
            "--report-unused-ignores",
            is_flag=True,
            help="List suppression comments of the change that silence nothing, and exit 1 "
            "when there are any.",
        ),
        click.option(
            "--exit-zero",
            is_flag=True,
            help="Exit 0 even when findings are at or above --fail-on (errors still exit 2).",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


@cli.command("review", cls=ReviewCommand)
@click.argument("patch", required=False)
@click.option(
    "--git",
    "git_range",
    is_flag=False,
    flag_value=WORKTREE,
    default=None,
    metavar="[RANGE]",
    help="Review a git range, e.g. main...HEAD (default: the working tree against HEAD; in a "
    "push or merge_group workflow run, the commits it brings).",
)
@click.option(
    "--repo",
    type=click.Path(path_type=Path),
    default=None,
    help="The repository after the change, read for context (default: the git work tree of the current directory).",
)
@click.option(
    "--github-pr",
    is_flag=False,
    flag_value=FROM_WORKFLOW,
    default=None,
    metavar="[OWNER/REPO#N]",
    help="Review a GitHub pull request through the REST API (GITHUB_TOKEN, GITHUB_API_URL). "
    "Without a value: the pull request of the running pull_request workflow.",
)
@click.option(
    "--post",
    is_flag=True,
    help="With --github-pr: publish the findings as one pull-request review.",
)
@click.option(
    "--request-changes",
    is_flag=True,
    help="With --post: request changes when a finding is at or above --fail-on "
    "(default: comment only).",
)
@click.option(
    "--base",
    "base_revision",
    default=None,
    metavar="REV",
    help="With PATCH: the git revision the patch applies to (in --repo, or the current work "
    "tree); only findings new against it are reported.",
)
@click.option(
    "--base-repo",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="With PATCH: the repository before the change; only findings new against it are reported.",
)
@click.option(
    "--all-touched",
    is_flag=True,
    help="Report every finding on the changed lines, also those the base revision already had.",
)
@click.option(
    "--all-lines", is_flag=True, help="Report findings on every line of the changed files."
)
@click.option("--no-llm", is_flag=True, help="Run the deterministic engine only.")
@click.option(
    "--model",
    default=None,
    help="The Claude model of the LLM pass [default: claude-sonnet-5-5, or `model` in the config].",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Drop LLM findings less confident than this [default: 0.6, or `min-confidence`].",
)
@_report_options
@click.option(
    "--dry-run-llm",
    is_flag=True,
    help="Print the LLM requests that would be sent (as JSON) instead of the report; send nothing.",
)
def review_command(
    patch: str | None,
    git_range: str | None,
    repo: Path | None,
    github_pr: str | None,
    output_format: tuple[str, ...],
    output_paths: tuple[str, ...],
    post: bool,
    request_changes: bool,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
    base_revision: str | None,
    base_repo: Path | None,
    all_touched: bool,
    all_lines: bool,
    preview: bool,
    no_llm: bool,
    model: str | None,
    allow_skipped: bool,
    min_confidence: float | None,
    dry_run_llm: bool,
    fix: bool,
    unsafe_fixes: bool,
    report_unused_ignores: bool,
    exit_zero: bool,
) -> None:
    """Review a change."""
    from reviewer.engine import analyze_diff, review_change
    from reviewer.llm.provider import configured as llm_configured
    from reviewer.report.outputs import pair_outputs

    if [patch, git_range, github_pr].count(None) != 2:
        raise click.UsageError(
            "give one of PATCH, - (stdin), --git [RANGE] or --github-pr [OWNER/REPO#N]"
        )
    if post and github_pr is None:
        raise click.UsageError("--post needs --github-pr")
    if request_changes and not post:
        raise click.UsageError("--request-changes needs --post")
    if (base_revision is not None or base_repo is not None) and patch is None:
        raise click.UsageError(
            "--base and --base-repo go with PATCH (--git and --github-pr know their base)"
        )
    if base_revision is not None and base_repo is not None:
        raise click.UsageError("give --base or --base-repo, not both")
    if all_touched and all_lines:
        raise click.UsageError("--all-touched and --all-lines exclude each other")
    ctx = click.get_current_context()
    outputs = pair_outputs(ctx.meta[OUTPUT_ORDER], output_format, output_paths)
    if dry_run_llm and no_llm:
        raise click.UsageError("--dry-run-llm and --no-llm exclude each other")
    diff, sources, root, base, pull, client = _input(
        patch, git_range, github_pr, repo, base_revision, base_repo
    )
    if all_touched:
        base = None
    overrides = {"model": model, "min-confidence": min_confidence}
    config, nearest = _config(config_path, root, fail_on, select, ignore, preview, overrides)
    config = nearest(file.path for file in diff.files)
    change = analyze_diff(diff, sources, config, base)
    report = review_change(change, config, all_lines, report_unused_ignores)
    if pull is not None and sources is pull.sources and pull.sources.failure:
        click.echo(f"{PROG}: warning: {pull.sources.failure}", err=True)
    if dry_run_llm:
        from reviewer.llm.review import dry_run as llm_dry_run

        click.echo(llm_dry_run(change, report.findings, config, os.environ), nl=False)
        sys.exit(0)
    if not no_llm and llm_configured(config, os.environ):
        from reviewer.engine import review_llm

        report = review_llm(
            change, report, config, os.environ, all_lines, progress=sys.stderr.isatty()
        )
        on_stdout = any(output.format == "text" and output.path is None for output in outputs)
        _llm_messages(report, text_on_stdout=on_stdout)
    elif not no_llm:
        from dataclasses import replace

        from reviewer.llm.provider import NOT_CONFIGURED
        from reviewer.llm.usage import PassSummary

        skipped = PassSummary.not_run(config.model, NOT_CONFIGURED)
        report = replace(report, llm=skipped)
        click.echo(f"{PROG}: {skipped.describe()}", err=True)
    report = _fix(report, root, fix, unsafe_fixes)
    publisher = None
    if pull is not None and client is not None and post:
        from reviewer.github.publish import Publisher

        publisher = Publisher(
            client,
            pull,
            fail_on=config.fail_on,
            request_changes=request_changes,
            env=os.environ,
            annotations=sys.stderr,
        )
        report = publisher.prepare(report)  # findings dismissed on the pull request leave
    status = _write(report, outputs, config, allow_skipped, exit_zero)
    if publisher is not None:
        outcome = publisher.publish(report)
        click.echo(f"{PROG}: {scrub_environment(outcome.message, os.environ)}", err=True)
        status = PUBLISH_FAILED if outcome.failed else status
    sys.exit(status)


@cli.command("check", cls=ReviewCommand)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_report_options
def check_command(
    paths: tuple[Path, ...],
    output_format: tuple[str, ...],
    output_paths: tuple[str, ...],
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
    preview: bool,
    allow_skipped: bool,
    fix: bool,
    unsafe_fixes: bool,
    report_unused_ignores: bool,
    exit_zero: bool,
) -> None:
    """Review whole files or folders (default: the current directory) with no diff, as a linter
    does: every finding of the deterministic rules in those files. The repository (for context,
    configuration and paths) is the git work tree holding the first path, else the current
    directory (or the first path, when it is outside)."""
    from dataclasses import replace

    from reviewer.engine import analyze_files, review_change
    from reviewer.report.outputs import pair_outputs
    from reviewer.source import DirectorySources, python_files_in, work_tree_root

    targets = paths or (Path("."),)
    first = targets[0] if targets[0].is_dir() else targets[0].parent
    inside = first.resolve().is_relative_to(Path.cwd().resolve())
    root = work_tree_root(first) or (Path.cwd() if inside else first)
    outputs = pair_outputs(
        click.get_current_context().meta[OUTPUT_ORDER], output_format, output_paths
    )
    config, nearest = _config(config_path, root, fail_on, select, ignore, preview, {})
    sources = DirectorySources(root)
    files = python_files_in(sources, targets)
    config = nearest(files)
    change = analyze_files(files, sources, config)
    report = replace(review_change(change, config, True, report_unused_ignores), mode="files")
    report = _fix(report, root, fix, unsafe_fixes)
    sys.exit(_write(report, outputs, config, allow_skipped, exit_zero))


@cli.command("rules")
def rules_command() -> None:
    """List every rule: id, name, engine, default severity, tier, real-code precision and what
    it flags."""
    from reviewer.rules.measured import precision_text
    from reviewer.rules.registry import RULES

    for rule in RULES:
        click.echo(
            f"{rule.id}  {rule.name:<36} {rule.engine:<6} {rule.severity.value:<7} "
            f"{rule.tier.value:<7} {precision_text(rule.id):<20} {rule.summary()}"
        )


@cli.command("explain")
@click.argument("rule_id")
def explain_command(rule_id: str) -> None:
    """Print the documentation of RULE_ID."""
    from reviewer.rules.base import cwe_text
    from reviewer.rules.measured import precision_sentence
    from reviewer.rules.registry import get_rule

    rule = get_rule(rule_id)
    click.echo(f"# {rule.id} {rule.name}\n")
    click.echo(
        f"Default severity: {rule.severity.value}. Engine: {rule.engine}. "
        f"Tier: {rule.tier.value}.\n"
    )
    if rule.cwe:
        click.echo(f"Weakness: {cwe_text(rule)}.\n")
    click.echo(f"{precision_sentence(rule)}\n")
    click.echo(rule.doc())


def _fail(message: str) -> NoReturn:
    click.echo(f"{PROG}: error: {scrub_environment(message, os.environ)}", err=True)
    sys.exit(2)


def main(argv: list[str] | None = None) -> NoReturn:
    # A review keeps every module of the change alive until the report is written: with the
    # cyclic collector on, each collection would walk that whole heap again (13% of a review of
    # a million-line code base). The process is short-lived and its data acyclic; reference
    # counting still frees everything.
    gc.disable()
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


def run() -> NoReturn:
    """The ``fastapi-review`` command: :func:`main`, then the process ends at once. The exit's
    traceback still holds the review's frames; freeing their objects one at a time would cost a
    20,000-line review 25 ms, memory the operating system takes back whole anyway."""
    try:
        main()
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else 1
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe
            status = 1
        os._exit(status)
