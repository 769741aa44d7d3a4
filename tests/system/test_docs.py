"""The documentation keeps up with the program: every command is documented, every relative link
resolves, the Quick start is two commands, every benchmark script is described somewhere.

In the manner of sqlite-utils' tests/test_docs.py: the command tree is walked from the real Typer app,
so a new command without documentation fails here.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import typer

from tuneup.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
DOC_FILES = [README, *sorted(DOCS.glob("*.md"))]

FENCE = re.compile(r"^```.*?^```", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")


def _walk(command, path=()):
    """(path, command) for every visible command and sub-command below the root, groups included."""
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if sub.hidden:
            continue
        yield (*path, name), sub
        yield from _walk(sub, (*path, name))


COMMANDS = [" ".join(path) for path, _ in _walk(typer.main.get_command(app))]


def _all_docs_text() -> str:
    return "".join(p.read_text(encoding="utf-8") for p in DOC_FILES)


def _documented_text() -> str:
    return (DOCS / "cli.md").read_text(encoding="utf-8") + README.read_text(encoding="utf-8")


def _documented(name: str, text: str) -> bool:
    """`tuneup NAME` appears as a whole command (not as the start of a longer word or command name)."""
    return re.search(rf"\btuneup {re.escape(name)}(?![\w-])", text) is not None


def test_command_tree_is_walked():
    # Without this a broken walk would make every documentation test below pass vacuously.
    assert len(COMMANDS) >= 30
    assert {"scan", "mix", "config set", "folders remove", "mpd install-service"} <= set(COMMANDS)


def test_matcher_needs_the_whole_command():
    text = "run `tuneup mpd install-service` or `tuneup likes`"
    assert _documented("mpd install-service", text)
    assert not _documented("mpd install", text)
    assert not _documented("like", text)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented(name):
    assert _documented(name, _documented_text()), (
        f"`tuneup {name}` is in `tuneup --help` but not in docs/cli.md or README.md"
    )


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, re.M)}


def _links(path: Path):
    text = INLINE_CODE.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    for match in LINK.finditer(text):
        target = match.group(1)
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        yield target


def test_docs_pages_exist():
    assert (DOCS / "cli.md").is_file()
    assert len(DOC_FILES) > 5


def test_slug_matches_github():
    assert _slug("Setup (onboarding)") == "setup-onboarding"
    assert _slug("What `tuneup` guarantees") == "what-tuneup-guarantees"


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    broken = []
    for target in _links(doc):
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


def _quick_start_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", text, re.M | re.S)
    assert section, "README.md has no '## Quick start' section"
    commands = []
    for block in FENCE.findall(section.group(1)):
        for line in block.splitlines()[1:-1]:
            command = line.split("#", 1)[0].strip()
            if command:
                commands.append(command)
    return commands


def test_quick_start_is_two_commands_that_exist():
    commands = _quick_start_commands()
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    for command in commands:
        assert (ROOT / command.split()[1]).is_file()


def test_ci_runs_the_quick_start_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^\s*(exec\s+)?bash scripts/test\.sh\b", ci, re.M)


@pytest.mark.parametrize("script", sorted((ROOT / "bench").glob("*.py")), ids=lambda p: p.name)
def test_every_benchmark_is_described(script):
    places = [ROOT / "bench" / "RESULTS.md", *DOC_FILES]
    text = "".join(p.read_text(encoding="utf-8") for p in places if p.exists())
    assert f"bench/{script.name}" in text, (
        f"bench/{script.name} is mentioned neither in bench/RESULTS.md nor in README.md or docs/"
    )


# A path in this repository, as the docs name it (`tests/library/test_scan.py`), not one under a home
# folder (`~/.config/tuneup/config.toml`).
REPO_PATH = re.compile(
    r"(?<![\w/~.$-])(?:tests|tuneup|scripts|bench)/[\w/.-]*\w\.(?:py|sh|md|tcss)\b"
)
# A Python name in tuneup (`tuneup.history.match.rematch`); one dot is a file name (`tuneup.db`).
DOTTED = re.compile(r"\btuneup(?:\.[A-Za-z_]\w*){2,}")


def test_named_repository_files_exist():
    named = set(REPO_PATH.findall(_all_docs_text()))
    assert "tests/system/test_docs.py" in named  # the pattern finds what it should
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"README.md or docs/ name files that do not exist: {missing}"


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def test_named_python_objects_exist():
    assert _resolves("tuneup.errors.TuneupError") and not _resolves("tuneup.errors.Nope")
    named = set(DOTTED.findall(_all_docs_text()))
    missing = sorted(name for name in named if not _resolves(name))
    assert not missing, f"README.md or docs/ name Python objects that do not exist: {missing}"
