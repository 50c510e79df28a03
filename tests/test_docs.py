"""The documentation stays true: every name it cites exists, and nothing points outside the repository."""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
