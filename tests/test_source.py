"""Reading the repository after the change: never outside it."""

from __future__ import annotations

from pathlib import Path

from reviewer.source import DirectorySources


def test_links_and_parent_paths_never_leave_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "secret.py"
    outside.write_text("TOKEN = 'not for the reviewer'\n")
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "main.py").write_text("x = 1\n")
    (repo / "app" / "leak.py").symlink_to(outside)
    (repo / "linked").symlink_to(tmp_path)
    sources = DirectorySources(repo)
    assert list(sources.python_files()) == ["app/main.py"]
    assert sources.read("app/main.py") == "x = 1\n"
    assert sources.read("app/leak.py") is None
    assert sources.read("linked/secret.py") is None
    assert sources.read("../secret.py") is None


def test_paths_of_a_patch_are_read_only_inside_the_repository(tmp_path: Path) -> None:
    """As a patch names them (the folders not walked first): links and ``..`` that stay inside
    are followed, anything that leaves is not, and a name that cannot be a file is none."""
    (tmp_path / "secret.py").write_text("TOKEN = 'not for the reviewer'\n")
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "main.py").write_text("x = 1\n")
    (repo / "app" / "alias.py").symlink_to(repo / "app" / "main.py")
    (repo / "inner").symlink_to(repo / "app")
    (repo / "outer").symlink_to(tmp_path)
    sources = DirectorySources(repo)
    for inside in ("app/main.py", "app/alias.py", "inner/main.py", "app/../app/main.py"):
        assert sources.read(inside) == "x = 1\n", inside
    leaving = (
        "outer/secret.py",
        "../secret.py",
        str(tmp_path / "secret.py"),
        "app/../../secret.py",
    )
    for path in (*leaving, "app", "app/..", "app/", "app/\0.py", "app/missing.py"):
        assert sources.read(path) is None, path


def test_skipped_folders_are_not_walked(tmp_path: Path) -> None:
    for folder in (".venv/lib", "node_modules/x", "app", ".git"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "m.py").write_text("")
    assert list(DirectorySources(tmp_path).python_files()) == ["app/m.py"]
