"""The documentation stays true: every name it cites exists, and nothing points outside the repository."""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

import pytest

from hirehub.cli import GROUPS, app
from hirehub.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
CITED = re.compile(r"`(hirehub(?:\.\w+)+)(?:\(\))?`")


def _cited_names() -> list[str]:
    return sorted(set(CITED.findall(ARCHITECTURE.read_text())))


def _resolve(dotted: str) -> object:
    """The module or attribute that a dotted name cites: the longest importable prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(dotted)


def test_the_architecture_document_cites_names() -> None:
    assert len(_cited_names()) >= 30


@pytest.mark.parametrize("dotted", _cited_names())
def test_every_name_the_architecture_document_cites_exists(dotted: str) -> None:
    assert _resolve(dotted) is not None


def test_no_tracked_file_refers_to_a_folder_outside_the_repository() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    outside = re.compile(r"\.\./shared|/work/|shared design folder|DESIGN\.md|REFERENCE\.md")
    offenders = [
        name for name in tracked
        if (ROOT / name).is_file() and not name.endswith((".png", ".ico")) and name != "tests/test_docs.py"
        and outside.search((ROOT / name).read_text(errors="ignore"))
    ]  # fmt: skip
    assert offenders == []


def _settings() -> list[str]:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return sorted(f"{prefix}{name.upper()}" for name in Settings.model_fields)


def _command_groups() -> list[str]:
    """Every ``hirehub <noun>``: the groups and the commands of their own (``serve``, ``worker``)."""
    commands = [command.name or getattr(command.callback, "__name__", "") for command in app.registered_commands]
    return sorted({*GROUPS, *commands})


def test_the_settings_and_command_groups_are_read_from_the_code() -> None:
    assert {"HIREHUB_OUTBOUND_HOST_MAP", "HIREHUB_BROWSER_HOST_MAP", "HIREHUB_ENTRA_SP_CHINA_CLIENT_SECRET"} <= set(
        _settings()
    )
    assert {"hr", "entra", "linkedin", "demo", "jobs", "tenant", "serve"} <= set(_command_groups())


@pytest.mark.parametrize("setting", _settings())
def test_the_readme_explains_every_setting(setting: str) -> None:
    assert re.search(rf"`{setting}`", README.read_text()), f"README.md does not mention {setting}"


@pytest.mark.parametrize("noun", _command_groups())
def test_the_readme_explains_every_command_group(noun: str) -> None:
    assert re.search(rf"`hirehub {re.escape(noun)}[` ]", README.read_text()), f"README.md has no `hirehub {noun}`"


def test_every_picture_the_readme_shows_is_in_the_repository() -> None:
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README.read_text())
    assert pictures, "the walk-through shows its steps"
    assert [picture for picture in pictures if not (ROOT / picture).is_file()] == []
