"""The console's navigation: built where the console is installed, listing every section's page exactly once."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute

from hirehub.web.routes import ROUTERS, install_console, navigation

SECTION_PAGE = re.compile(r"^/console/([a-z-]+/)?$")


def installed() -> FastAPI:
    app = FastAPI()
    install_console(app)
    return app


def links_of(app: FastAPI) -> list[str]:
    return [link.path for _group, links in app.state.console_navigation for link in links]


def test_the_navigation_lists_every_section_page_once() -> None:
    pages = {
        route.path for router in ROUTERS for route in router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods and SECTION_PAGE.match(route.path)
    }  # fmt: skip

    listed = links_of(installed())

    assert sorted(listed) == sorted(pages)
    assert len(listed) == len(set(listed))


def test_installing_the_console_twice_gives_two_applications_the_same_navigation() -> None:
    first, second = installed(), installed()

    assert links_of(first) == links_of(second)
    assert first.state.console_navigation == navigation()


def test_every_link_has_a_label_and_every_group_a_name() -> None:
    for group, links in navigation():
        assert group and links
        assert all(link.label for link in links)
