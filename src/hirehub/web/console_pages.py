"""The HR administrator's sections of the console, imported in the order the navigation lists them.

Each page module adds itself to the navigation when imported, so importing them here, in one place and in
the order of the work (hire, manage, automate, supervise, operate, look back), fixes the menu's order.
"""

from __future__ import annotations

from fastapi import APIRouter

# The order of these imports is the navigation's order.
# isort: off
from hirehub.web import personnel_pages, worker_pages, lifecycle_pages, approvals_pages, jobs_pages, audit_pages

# The security set-up of API integrations (app registrations → roles → HR users → their link).
from hirehub.web import app_pages, security_pages, hr_user_pages, entra_app_pages
# isort: on

ROUTERS: tuple[APIRouter, ...] = (
    personnel_pages.router,
    worker_pages.router,
    lifecycle_pages.router,
    approvals_pages.router,
    jobs_pages.router,
    audit_pages.router,
    app_pages.router,
    security_pages.router,
    hr_user_pages.router,
    entra_app_pages.router,
)
