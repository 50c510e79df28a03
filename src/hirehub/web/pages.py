"""Rendering: Jinja2 templates shipped in the package, and the layout's navigation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATIC_DIR = Path(__file__).parent / "static"

# (path, label): the console's sections; a feature adds its page here when it has one.
NAVIGATION: list[tuple[str, str]] = [("/console/", "Overview")]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("admin", getattr(request.state, "admin", None))
    context.setdefault("navigation", NAVIGATION)
    context.setdefault("current_path", request.url.path)
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def not_found(request: Request, what: str) -> HTMLResponse:
    """The console's 404: the same answer whether the row does not exist or belongs to another tenant."""
    return render(request, "error.html", status_code=404, message=f"There is no such {what} here.")
