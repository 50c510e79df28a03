"""The layer contracts cover the whole hub: a package added tomorrow is held to them tomorrow."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _top_level_modules() -> set[str]:
    package = ROOT / "src" / "hirehub"
    return {f"hirehub.{p.name.removesuffix('.py')}" for p in package.iterdir() if not p.name.startswith(("__", "py."))}


def _contract(contract_id: str) -> dict[str, list[str]]:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["id"] == contract_id)


def test_the_lifecycle_engine_is_forbidden_every_other_module_but_the_error_vocabulary() -> None:
    forbidden = set(_contract("lifecycle-pure")["forbidden_modules"])

    assert forbidden == _top_level_modules() - {"hirehub.lifecycle", "hirehub.errors"}


def test_every_product_module_is_kept_from_the_sandboxes() -> None:
    sources = set(_contract("no-sandbox-in-product")["source_modules"])

    assert sources == _top_level_modules() - {"hirehub.sandbox", "hirehub.testing", "hirehub.bootstrap"}
