"""The composition root's job handlers: every kind the product enqueues has one, and nothing else is wired in."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import hirehub
from hirehub.bootstrap import job_handlers
from hirehub.provisioning.connectors import Connectors
from hirehub.testing.jobs import NOOP

SOURCE = Path(hirehub.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def enqueued_kinds() -> set[str]:
    """The kind of every ``enqueue(session, KIND, …)`` call in the product, each read from its module."""
    kinds: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "testing" in path.relative_to(SOURCE).parts:
            continue
        module = None
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "enqueue"
            ):
                continue
            kind = node.args[1]
            if isinstance(kind, ast.Constant):
                kinds.add(kind.value)
                continue
            assert isinstance(kind, ast.Name), f"{path}:{node.lineno}: a job kind should be a constant or a name"
            module = module or importlib.import_module(_module_name(path))
            kinds.add(getattr(module, kind.id))
    return kinds


def test_the_product_enqueues_jobs_from_several_packages() -> None:
    # Guards the scan itself: were it to find nothing, the next test would pass for nothing.
    assert {kind.split(".")[0] for kind in enqueued_kinds()} == {"provisioning", "linkedin", "hr"}


def test_every_kind_the_product_enqueues_has_a_handler_in_the_composition_root() -> None:
    assert enqueued_kinds() <= set(job_handlers(Connectors()))


def test_the_test_only_noop_kind_is_not_among_the_products_handlers() -> None:
    assert NOOP not in job_handlers(Connectors())
