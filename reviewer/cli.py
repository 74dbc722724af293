"""The command line: parse options, call the engine, render, choose the exit status.

The only module that exits: 0 no finding at or above ``--fail-on``, 1 there is one, 2 usage or
input error (one line on stderr, never a traceback), 3 the report was printed and written but
publishing it on the pull request failed (``--post``), 4 no finding at or above ``--fail-on`` but
the review is incomplete: a Python file of the change could not be reviewed (``--allow-skipped``
accepts that).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, NoReturn

from reviewer import __version__
from reviewer.errors import ReviewError, scrub_environment
from reviewer.report.registry import FORMATS

# Everything else is imported where it is used: `--version` and a static review must not pay
# for the GitHub client, httpx, the LLM pass or renderers they do not use (tests/test_startup.py);
# pathlib (7 ms with urllib.parse) neither: a review's paths are strings (`check` makes Paths).
if TYPE_CHECKING:
    from contextlib import ExitStack

    from _typeshed import StrPath

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


def _warn(message: str) -> None:
    """``message`` on standard error, one line written at once (as unbuffered as it may be)."""
    sys.stderr.write(f"{PROG}: {message}\n")


def _split(values: Sequence[str] | None) -> list[str] | None:
    items = [item.strip() for value in values or () for item in value.split(",") if item.strip()]
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
        if not os.path.exists(patch):
            raise ReviewError(f"{patch}: no such file")
        if os.path.isdir(patch):
            raise ReviewError(f"{patch}: is a directory, expected a patch file")
        try:
            with open(patch, "rb") as stream:
                data = _read_bounded(stream, limits.MAX_PATCH_BYTES)
        except OSError as exc:
            raise ReviewError(f"{patch}: {exc.strerror}") from None
    if len(data) > limits.MAX_PATCH_BYTES:
        where = "standard input" if patch == "-" else patch
        raise ReviewError(
            f"{where}: larger than {limits.size(limits.MAX_PATCH_BYTES)}: not reviewed"
        )
    return decode(data)


def _sources(repo: str | None) -> tuple[Sources, str | None]:
    from reviewer.source import DirectorySources, NoSources, work_tree_root

    if repo is not None:
        return DirectorySources(repo), repo
    root = work_tree_root(os.getcwd())
    if root is not None:
        return DirectorySources(root), root
    return NoSources(), None


def _pull_ref(value: str) -> PullRef:
    from reviewer.github.pull import parse_pull_ref, workflow_pull_ref

    if value == FROM_WORKFLOW:
        return workflow_pull_ref(os.environ)
    return parse_pull_ref(value)


def _git_change(start: str, git_range: str) -> GitChange:
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
        _warn(
            f"warning: cannot diff the pushed range {wanted} in this clone (a new branch, "
            f"a force-push, or a shallow checkout: fetch-depth: 0); reviewing the last commit"
        )
        return git_diff(start, last)


class _Input(NamedTuple):
    """What a review reads: the parsed patch, the repository after the change and its folder on disk,
    the repository before it (None: not known), and with ``--github-pr`` the pull request and
    the client that fetched it."""

    diff: Diff
    sources: Sources
    root: str | None
    base: Sources | None
    pull: PullRequest | None = None
    client: GitHubClient | None = None


def _input(args: argparse.Namespace, closing: ExitStack) -> _Input:
    """The change to review: a pull request, a git range, or a patch file (``-``: standard
    input) with ``--repo`` and ``--base``/``--base-repo``. The patch is parsed here, once; a
    GitHub client is closed with ``closing``."""
    from reviewer.diff import parse_diff
    from reviewer.source import (
        DirectorySources,
        GitRevisionSources,
        ReversedSources,
        checkout_of,
        work_tree_root,
    )

    repo: str | None = args.repo
    if args.github_pr is not None:
        from reviewer.github.client import GitHubClient
        from reviewer.github.pull import fetch_pull

        client = closing.enter_context(GitHubClient.from_environment(os.environ))
        pull = fetch_pull(client, _pull_ref(args.github_pr))
        if repo is None:
            sources: Sources = checkout_of(os.getcwd(), pull.head_sha) or pull.sources
            root = work_tree_root(os.getcwd())
        else:
            sources, root = _sources(repo)
        diff = parse_diff(pull.diff)
        return _Input(diff, sources, root, ReversedSources(sources, diff), pull, client)
    if args.git is not None:
        start = repo if repo is not None else os.getcwd()
        found = _git_change(start, args.git)  # freed on return: it holds the patch too
        return _Input(parse_diff(found.patch), found.sources, work_tree_root(start), found.base)
    diff = parse_diff(_read_patch(args.patch))  # a million-line patch is 45 to 180 MB: not kept
    sources, root = _sources(repo)
    if args.base_repo is not None:
        return _Input(diff, sources, root, DirectorySources(args.base_repo))
    if args.base is not None:
        revision = GitRevisionSources(root or os.getcwd(), args.base, prefetch=False)
        return _Input(diff, sources, root, revision)
    return _Input(diff, sources, root, None)


def _llm_messages(report: Report, text_on_stdout: bool) -> None:
    """Warnings of the LLM pass on stderr, and its usage line unless the text report shows it."""
    if report.llm is None:
        return
    for warning in report.llm.warnings:
        _warn(f"warning: {scrub_environment(warning, os.environ)}")
    if not text_on_stdout:
        _warn(report.llm.describe())


def _exit_status(report: Report, fail_on: str, allow_skipped: bool) -> int:
    """1 for a finding at or above ``fail_on``; else 4 when a file could not be reviewed."""
    from reviewer.rules.base import Severity

    incomplete = bool(report.skipped) and not allow_skipped
    if incomplete:
        count = len(report.skipped)
        _warn(
            f"the review is incomplete: {count} Python file{'s' if count > 1 else ''} "
            "could not be reviewed (listed as skipped); --allow-skipped accepts that"
        )
    if fail_on != "never":
        threshold = Severity(fail_on).rank
        if any(f.severity.rank >= threshold for f in report.findings):
            return 1
    return INCOMPLETE if incomplete else 0


def _config(
    args: argparse.Namespace, root: StrPath | None, overrides: dict[str, Any]
) -> tuple[Config, Callable[[Iterable[str]], Config]]:
    """The configuration (``--config``, or the repository root's), then the flags; and how to
    add the configurations of the folders that hold the reviewed files (none with --config)."""
    from reviewer.config import discover, load_config

    given: str | None = args.config
    if given is not None and not os.path.exists(given):
        raise ReviewError(f"--config: {given}: no such file")
    if given is not None and os.path.isdir(given):
        raise ReviewError(f"--config: {given}: is a directory, expected a TOML file")
    flags: dict[str, Any] = {
        **overrides,
        "fail-on": args.fail_on,
        "select": _split(args.select),
        "ignore": _split(args.ignore),
        "preview": args.preview or None,
    }
    folder = root or os.getcwd()
    config = load_config(given or folder, flags, explicit=given is not None)

    def nearest(paths: Iterable[str]) -> Config:
        return config if given is not None else discover(config, folder, paths, flags)

    return config, nearest


def _fix(report: Report, root: StrPath | None, fix: bool, unsafe: bool) -> Report:
    """With ``--fix``: apply the fixes to the files under ``root`` and keep the findings left."""
    if unsafe and not fix:
        raise ReviewError("--unsafe-fixes goes with --fix")
    if not fix:
        return report
    if root is None:
        raise ReviewError("--fix needs the repository on disk (--repo, or run in its work tree)")
    from reviewer.fix import fix_files
    from reviewer.record import replace

    done = fix_files(root, report.findings, report.lines, unsafe)
    for path, reason in done.refused:
        _warn(f"warning: {path} was not fixed: {reason}")
    count = len(done.findings)
    files = len({finding.path for finding in done.findings})
    _warn(
        f"fixed {count} finding{'' if count == 1 else 's'} in {files} file{'' if files == 1 else 's'}"
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


def _outputs(args: argparse.Namespace) -> list[Output]:
    """The outputs of ``--format`` and ``--output``, each ``--output`` with the ``--format``
    given just before it."""
    from reviewer.report.outputs import pair_outputs

    return pair_outputs(args.outputs)


class _InOrder(argparse.Action):
    """Appends ``(const, value)`` to the tuple that ``--format`` and ``--output`` share, so
    that each ``--output`` can be paired with the ``--format`` given just before it."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, (*getattr(namespace, self.dest), (self.const, values)))


def _a_file(value: str) -> str:
    """The value of ``--output``: a string (``newdir/`` keeps its slash), not a folder."""
    if os.path.isdir(value):
        raise argparse.ArgumentTypeError(f"{value}: is a directory, expected a file")
    return value


def _confidence(value: str) -> float:
    """The value of ``--min-confidence``: a number from 0 to 1."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"{value} is not in the range 0 to 1")
    return number


def _report_options(options: argparse._ActionsContainer) -> None:
    """The options ``review`` and ``check`` share: outputs, rule selection, configuration and
    what makes the exit status non-zero."""
    add = options.add_argument
    add(
        "--format",
        dest="outputs",
        action=_InOrder,
        const="format",
        default=(),
        choices=FORMATS,
        help="Output format [default: text]. Repeatable, each with its own --output.",
    )
    add(
        "--output",
        dest="outputs",
        action=_InOrder,
        const="output",
        default=(),
        type=_a_file,
        metavar="FILE",
        help="Write the --format given just before it to FILE (default: standard output).",
    )
    add(
        "--fail-on",
        choices=("error", "warning", "info", "never"),
        help="Exit 1 when a finding is at or above this severity [default: error].",
    )
    add(
        "--select",
        action="append",
        metavar="IDS",
        help="Only these rule ids or prefixes (comma-separated).",
    )
    add(
        "--ignore",
        action="append",
        metavar="IDS",
        help="Never these rule ids or prefixes (comma-separated).",
    )
    add(
        "--config",
        metavar="FILE",
        help="A pyproject.toml to read [tool.fastapi-review] from (default: the repository's).",
    )
    add(
        "--preview",
        action="store_true",
        help="Also run the preview-tier rules (see `fastapi-review rules`).",
    )
    add(
        "--allow-skipped",
        action="store_true",
        help="Do not fail (exit 4) when files of the change could not be reviewed: syntax newer "
        "than this Python, syntax errors.",
    )
    add(
        "--fix",
        action="store_true",
        help="Apply the safe fixes of the findings to the files (those holding the reviewed "
        "text); report what is left.",
    )
    add(
        "--unsafe-fixes",
        action="store_true",
        help="With --fix: also apply the fixes that change behaviour (check them).",
    )
    add(
        "--report-unused-ignores",
        action="store_true",
        help="List suppression comments of the change that silence nothing, and exit 1 "
        "when there are any.",
    )
    add(
        "--exit-zero",
        action="store_true",
        help="Exit 0 even when findings are at or above --fail-on (errors still exit 2).",
    )


def _review_options(options: argparse._ActionsContainer) -> None:
    """The options of ``review``, which ``fastapi-review --help`` shows too."""
    add = options.add_argument
    add(
        "--git",
        nargs="?",
        const=WORKTREE,
        metavar="RANGE",
        help="Review a git range, e.g. main...HEAD (default: the working tree against HEAD; in a "
        "push or merge_group workflow run, the commits it brings).",
    )
    add(
        "--repo",
        metavar="PATH",
        help="The repository after the change, read for context (default: the git work tree of "
        "the current directory).",
    )
    add(
        "--github-pr",
        nargs="?",
        const=FROM_WORKFLOW,
        metavar="OWNER/REPO#N",
        help="Review a GitHub pull request through the REST API (GITHUB_TOKEN, GITHUB_API_URL). "
        "Without a value: the pull request of the running pull_request workflow.",
    )
    add(
        "--post",
        action="store_true",
        help="With --github-pr: publish the findings as one pull-request review.",
    )
    add(
        "--request-changes",
        action="store_true",
        help="With --post: request changes when a finding is at or above --fail-on "
        "(default: comment only).",
    )
    add(
        "--base",
        metavar="REV",
        help="With PATCH: the git revision the patch applies to (in --repo, or the current work "
        "tree); only findings new against it are reported.",
    )
    add(
        "--base-repo",
        metavar="DIR",
        help="With PATCH: the repository before the change; only findings new against it are "
        "reported.",
    )
    add(
        "--all-touched",
        action="store_true",
        help="Report every finding on the changed lines, also those the base revision already had.",
    )
    add(
        "--all-lines",
        action="store_true",
        help="Report findings on every line of the changed files.",
    )
    add("--no-llm", action="store_true", help="Run the deterministic engine only.")
    add(
        "--model",
        help="The Claude model of the LLM pass [default: claude-sonnet-5-5, or `model` in the "
        "config].",
    )
    add(
        "--min-confidence",
        type=_confidence,
        metavar="0..1",
        help="Drop LLM findings less confident than this [default: 0.6, or `min-confidence`].",
    )
    _report_options(options)
    add(
        "--dry-run-llm",
        action="store_true",
        help="Print the LLM requests that would be sent (as JSON) instead of the report; send "
        "nothing.",
    )


def _review(args: argparse.Namespace) -> None:
    """Review a change: the findings on the lines it adds or changes (with --base, --git or
    --github-pr: only those new against the code before it)."""
    from contextlib import ExitStack

    from reviewer.engine import analyze_diff, review_change
    from reviewer.llm.provider import configured as llm_configured

    if [args.patch, args.git, args.github_pr].count(None) != 2:
        raise ReviewError(
            "give one of PATCH, - (stdin), --git [RANGE] or --github-pr [OWNER/REPO#N]"
        )
    if args.post and args.github_pr is None:
        raise ReviewError("--post needs --github-pr")
    if args.request_changes and not args.post:
        raise ReviewError("--request-changes needs --post")
    if (args.base is not None or args.base_repo is not None) and args.patch is None:
        raise ReviewError(
            "--base and --base-repo go with PATCH (--git and --github-pr know their base)"
        )
    if args.base is not None and args.base_repo is not None:
        raise ReviewError("give --base or --base-repo, not both")
    if args.all_touched and args.all_lines:
        raise ReviewError("--all-touched and --all-lines exclude each other")
    outputs = _outputs(args)
    if args.dry_run_llm and args.no_llm:
        raise ReviewError("--dry-run-llm and --no-llm exclude each other")
    with ExitStack() as closing:
        diff, sources, root, base, pull, client = _input(args, closing)
        if args.all_touched:
            base = None
        overrides = {"model": args.model, "min-confidence": args.min_confidence}
        config, nearest = _config(args, root, overrides)
        config = nearest(file.path for file in diff.files)
        change = analyze_diff(diff, sources, config, base)
        report = review_change(change, config, args.all_lines, args.report_unused_ignores)
        if pull is not None and sources is pull.sources and pull.sources.failure:
            _warn(f"warning: {pull.sources.failure}")
        if args.dry_run_llm:
            from reviewer.llm.review import dry_run as llm_dry_run

            sys.stdout.write(llm_dry_run(change, report.findings, config, os.environ))
            sys.exit(0)
        if not args.no_llm and llm_configured(config, os.environ):
            from reviewer.engine import review_llm

            report = review_llm(
                change, report, config, os.environ, args.all_lines, progress=sys.stderr.isatty()
            )
            on_stdout = any(output.format == "text" and output.path is None for output in outputs)
            _llm_messages(report, text_on_stdout=on_stdout)
        elif not args.no_llm:
            from reviewer.llm.provider import NOT_CONFIGURED
            from reviewer.llm.usage import PassSummary
            from reviewer.record import replace

            skipped = PassSummary.not_run(config.model, NOT_CONFIGURED)
            report = replace(report, llm=skipped)
            _warn(skipped.describe())
        report = _fix(report, root, args.fix, args.unsafe_fixes)
        publisher = None
        if pull is not None and client is not None and args.post:
            from reviewer.github.publish import Publisher

            publisher = Publisher(
                client,
                pull,
                fail_on=config.fail_on,
                request_changes=args.request_changes,
                env=os.environ,
                annotations=sys.stderr,
            )
            report = publisher.prepare(report)  # findings dismissed on the pull request leave
        status = _write(report, outputs, config, args.allow_skipped, args.exit_zero)
        if publisher is not None:
            outcome = publisher.publish(report)
            _warn(scrub_environment(outcome.message, os.environ))
            status = PUBLISH_FAILED if outcome.failed else status
        sys.exit(status)


def _review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "patch", nargs="?", metavar="PATCH", help="The patch file to review (- reads stdin)."
    )
    _review_options(parser)


def _check(args: argparse.Namespace) -> None:
    """Review whole files or folders (default: the current directory) with no diff, as a linter
    does: every finding of the deterministic rules in those files. The repository (for context,
    configuration and paths) is the git work tree holding the first path, else the current
    directory (or the first path, when it is outside)."""
    from pathlib import Path

    from reviewer.engine import analyze_files, review_change
    from reviewer.record import replace
    from reviewer.source import DirectorySources, python_files_in, work_tree_root

    targets = [Path(path) for path in args.paths] or [Path(".")]
    first = targets[0] if targets[0].is_dir() else targets[0].parent
    inside = first.resolve().is_relative_to(Path.cwd().resolve())
    root = work_tree_root(first) or (Path.cwd() if inside else first)
    outputs = _outputs(args)
    config, nearest = _config(args, root, {})
    sources = DirectorySources(root)
    files = python_files_in(sources, targets)
    config = nearest(files)
    change = analyze_files(files, sources, config)
    report = replace(review_change(change, config, True, args.report_unused_ignores), mode="files")
    report = _fix(report, root, args.fix, args.unsafe_fixes)
    sys.exit(_write(report, outputs, config, args.allow_skipped, args.exit_zero))


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="A file or folder to review (repeatable)."
    )
    _report_options(parser)


def _rules(args: argparse.Namespace) -> None:
    """List every rule: id, name, engine, default severity, tier, real-code precision and what
    it flags."""
    from reviewer.rules.measured import precision_text
    from reviewer.rules.registry import RULES

    sys.stdout.write(
        "".join(
            f"{rule.id}  {rule.name:<36} {rule.engine:<6} {rule.severity.value:<7} "
            f"{rule.tier.value:<7} {precision_text(rule.id):<20} {rule.summary()}\n"
            for rule in RULES
        )
    )


def _explain(args: argparse.Namespace) -> None:
    """Print the documentation of RULE_ID."""
    from reviewer.rules.base import cwe_text
    from reviewer.rules.measured import precision_sentence
    from reviewer.rules.registry import get_rule

    rule = get_rule(args.rule_id)
    weakness = f"Weakness: {cwe_text(rule)}.\n\n" if rule.cwe else ""
    sys.stdout.write(
        f"# {rule.id} {rule.name}\n\n"
        f"Default severity: {rule.severity.value}. Engine: {rule.engine}. "
        f"Tier: {rule.tier.value}.\n\n"
        f"{weakness}{precision_sentence(rule)}\n\n{rule.doc()}\n"
    )


class _Layout(argparse.HelpFormatter):
    """Help at most 78 columns wide with the options' names in a column up to 30 wide (the layout
    click gave it), whatever the terminal: a run that prints no help then asks nothing of the
    terminal (nor imports shutil to)."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=78)


class _TableLayout(argparse.RawDescriptionHelpFormatter, _Layout):
    """:class:`_Layout`, with the description's lines kept as written."""


class _Parser(argparse.ArgumentParser):
    """A command's parser: no abbreviated options; a usage error is a :class:`ReviewError`, one
    line on stderr and exit 2 as every error."""

    def __init__(
        self,
        usage: str,
        description: str | None,
        layout: type[argparse.HelpFormatter] = _Layout,
    ) -> None:
        super().__init__(
            prog=PROG,
            usage=usage,
            description=description,
            formatter_class=layout,
            add_help=False,
            allow_abbrev=False,
        )
        self.add_argument("-h", "--help", action="help", help="Show this help and exit.")

    def error(self, message: str) -> NoReturn:
        raise ReviewError(message)


class _Command(NamedTuple):
    """A subcommand: how its arguments are given, read and acted on."""

    usage: str
    """The ``usage:`` line of its help."""
    arguments: Callable[[argparse.ArgumentParser], object]
    """Adds the command's arguments and options to its parser."""
    run: Callable[[argparse.Namespace], None]
    """Does the command's work; its docstring is the description ``--help`` shows."""

    def parse(self, args: list[str]) -> argparse.Namespace:
        """``args`` parsed (options and arguments in any order), or a :class:`ReviewError`."""
        parser = _Parser(self.usage, self.run.__doc__)
        self.arguments(parser)
        return parser.parse_intermixed_args(args)


COMMANDS = {
    "review": _Command(f"{PROG} [review] [OPTIONS] [PATCH]", _review_arguments, _review),
    "check": _Command(f"{PROG} check [OPTIONS] [PATH]...", _check_arguments, _check),
    "rules": _Command(f"{PROG} rules", lambda parser: None, _rules),
    "explain": _Command(
        f"{PROG} explain RULE_ID",
        lambda parser: parser.add_argument("rule_id", metavar="RULE_ID", help="e.g. FAPI402"),
        _explain,
    ),
}
"""The subcommands; when the first argument names none, the arguments are those of ``review``."""

USES = f"""\
Review the FastAPI code a change touches.

  {PROG} PATCH            review a patch file (- reads stdin)
  {PROG} --git [RANGE]    review a git range (default: working tree against HEAD)
  {PROG} --github-pr OWNER/REPO#N [--post]
                                  review a pull request (and publish the review on it)
  {PROG} check [PATH]...  review whole files or folders, with no diff
  {PROG} rules            list the rules
  {PROG} explain FAPI101  print a rule's documentation
"""

COMMAND_HELP = f"""\
The first argument names the command (review, check, rules or explain); without
one, it is review. `{PROG} COMMAND --help` shows the options of COMMAND.
"""


def _main_parser() -> _Parser:
    """The parser of ``fastapi-review --help`` and ``--version``: the options of ``review``, the
    command that runs by default, with those two."""
    parser = _Parser(f"{PROG} [COMMAND] [OPTIONS] [ARGS]...", USES, _TableLayout)
    parser.epilog = COMMAND_HELP
    parser.add_argument(
        "--version",
        action="version",
        version=f"{PROG}, version {__version__}",
        help="Show the version and exit.",
    )
    _review_options(parser.add_argument_group("review options (the default command)"))
    return parser


def _dispatch(args: list[str]) -> None:
    """Run the command ``args`` name (``review`` when the first argument is no command's name)."""
    if args and args[0] in ("-h", "--help", "--version"):
        _main_parser().parse_args(args[:1])  # prints and exits
    name = args[0] if args and args[0] in COMMANDS else None
    command = COMMANDS[name or "review"]
    command.run(command.parse(args[1:] if name else args))


def _fail(message: str) -> NoReturn:
    _warn(f"error: {scrub_environment(message, os.environ)}")
    sys.exit(2)


def main(argv: list[str] | None = None) -> NoReturn:
    # A review keeps every module of the change alive until the report is written: with the
    # cyclic collector on, each collection would walk that whole heap again (13% of a review of
    # a million-line code base). The process is short-lived and its data acyclic; reference
    # counting still frees everything.
    gc.disable()
    try:
        _dispatch(sys.argv[1:] if argv is None else argv)
    except ReviewError as exc:
        _fail(str(exc))
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
