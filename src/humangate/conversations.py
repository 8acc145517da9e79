"""Conversation threads in a support CSV: a ``history`` cell, or rows that share a conversation id.

A support message is read with the turns before it, so frustration that builds up across a thread can
reach a person even when the newest message is calm. Two ways to give the turns:

- a ``history`` column: the earlier messages of that customer, one per line (or a JSON list of strings);
- a conversation id column (``conversation_id``, ``conversation``, ``thread_id``, ``thread``, ``dialogue_id``,
  ``session_id``): rows with the same id are one thread in file order, and each row is read with the
  customer's earlier rows of its thread as history.

With a speaker column (``speaker`` or ``author``, or ``role`` when it holds a speaker rather than a job title),
rows written by the support side (agent, assistant, bot, ...) are not messages to answer and are left out of
the history: the router reads the customer's own words, and the product's replies would only dilute them.
Every row from the customer stays an item of its own, so each turn is assessed. Ids only group rows; they
never name a file, a graph or a path. Threads are capped (``MAX_TURNS`` turns of ``MAX_TURN_CHARS`` each).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "CONVERSATION_COLUMNS",
    "HISTORY_COLUMNS",
    "MAX_TURNS",
    "MAX_TURN_CHARS",
    "SUPPORT_SIDE",
    "history_cell",
    "threaded",
]

HISTORY_COLUMNS = ("history", "thread_history", "earlier_messages")
CONVERSATION_COLUMNS = (
    "conversation_id",
    "conversation",
    "thread_id",
    "thread",
    "dialogue_id",
    "dialog_id",
    "session_id",
)
_SPEAKER_COLUMNS = ("speaker", "author", "role", "sender_role")
# Who writes for the business: their rows are context, not customer messages to answer.
SUPPORT_SIDE = frozenset(
    {"agent", "assistant", "bot", "system", "support", "staff", "operator", "representative", "rep", "advisor", "ai"}
)
MAX_TURNS = 20
MAX_TURN_CHARS = 4_000
_TEXT_COLUMNS = ("text", "message", "body")


def _cell(item: Mapping[str, Any], names: Sequence[str]) -> str:
    lowered = {str(k).strip().lower(): v for k, v in item.items()}
    for name in names:
        value = lowered.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def history_cell(value: str) -> list[str]:
    """Return the turns of a ``history`` cell: a JSON list of strings, or one turn per line."""
    text = value.strip()
    turns: list[str] = []
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            turns = [str(x) for x in parsed if isinstance(x, str | int | float)]
    if not turns:
        turns = text.splitlines()
    return _capped(turns)


def _capped(turns: Sequence[str]) -> list[str]:
    kept = [" ".join(t.split())[:MAX_TURN_CHARS] for t in turns]
    return [t for t in kept if t][-MAX_TURNS:]


def _speaker_side(item: Mapping[str, Any]) -> bool:
    """Return whether the row was written by the support side (per a speaker column), not the customer."""
    return _cell(item, _SPEAKER_COLUMNS).lower() in SUPPORT_SIDE


def threaded(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the customer's rows, each with a ``history`` list of the turns before it in its thread.

    Rows without a conversation id and without a ``history`` cell come back unchanged, with no history.
    """
    out: list[dict[str, Any]] = []
    earlier: dict[str, list[str]] = {}
    for item in items:
        row = dict(item)
        own = history_cell(_cell(item, HISTORY_COLUMNS)) if _cell(item, HISTORY_COLUMNS) else []
        conversation = _cell(item, CONVERSATION_COLUMNS)
        text = _cell(item, _TEXT_COLUMNS)
        if _speaker_side(item):
            continue  # the business's own turn: not a message to answer, and not the customer's words
        before = earlier.get(conversation, []) if conversation else []
        history = _capped([*own, *before])
        for key in [k for k in row if str(k).strip().lower() in HISTORY_COLUMNS]:
            del row[key]  # the parsed list replaces the raw cell
        if history:
            row["history"] = history
        out.append(row)
        if conversation and text:
            earlier[conversation] = _capped([*before, text])
    return out
