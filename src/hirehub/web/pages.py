"""Rendering: Jinja2 templates shipped in the package, with the layout's navigation.

The navigation is the list :func:`hirehub.web.routes.install_console` builds for the application it installs
the console in; pages only read it from there, so importing a page module changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from hirehub.web.forms import FormState

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATIC_DIR = Path(__file__).parent / "static"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("admin", getattr(request.state, "admin", None))
    context.setdefault("navigation", getattr(request.app.state, "console_navigation", ()))
    context.setdefault("current_path", request.url.path)
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def render_form(
    request: Request, template: str, form_state: FormState, *, notice: str = "", **context: Any
) -> HTMLResponse:
    """A page with a form on it: the form's values, its messages and banner, and a notice from a redirect."""
    return render(
        request, template, status_code=form_state.status_code, form=form_state.values,
        field_errors=form_state.field_errors, error=form_state.error, notice=notice, **context,
    )  # fmt: skip


def not_found(request: Request, what: str) -> HTMLResponse:
    """The console's 404: the same answer whether the row does not exist or belongs to another tenant."""
    return render(request, "error.html", status_code=404, message=f"There is no such {what} here.")
