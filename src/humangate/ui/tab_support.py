"""Small pieces the panel's tab modules share: who is signed in, and table columns that show plain text."""

from __future__ import annotations

from typing import Literal

import gradio as gr

__all__ = ["signed_in", "text_datatypes"]


def text_datatypes(columns: int) -> list[Literal["str", "number"]]:
    """Return a number column then text columns: cells show as text, never as Markdown or HTML."""
    kinds: list[Literal["str", "number"]] = ["str"] * columns
    kinds[0] = "number"
    return kinds


def signed_in(request: gr.Request | None, default_user: str | None) -> str | None:
    """Return the signed-in user's name, or ``default_user`` when nobody signed in (tests only)."""
    name = getattr(request, "username", None) if request is not None else None
    return name or default_user
