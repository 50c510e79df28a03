"""Answering the browser's confirmation dialog that a form with ``data-confirm`` opens (``static/confirm.js``)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page


def accept_the_confirmation(page: Page) -> list[str]:
    """Accept the next dialog the page opens; the returned list receives its question."""
    questions: list[str] = []

    async def accept(dialog: Any) -> None:
        questions.append(dialog.message)
        await dialog.accept()

    page.once("dialog", accept)
    return questions
