"""Bundled sample data: four fictional companies with source pages, their contacts, and support messages.

Layout (package data)::

    recipients.csv                       name,email,company,role,sources  (one contact per company)
    sources/<company-slug>/*.md          pages: "# Title", an optional "Source: URL" line, then text
    support_messages.jsonl               SupportMessage fields plus "expected" labels for tests

Lumen Robotics' pages disagree on the founding year and headcount; a Harbor Freight Labs page carries
an injected instruction; Northwind Analytics and Quill Legal are consistent.
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from humangate.core.schemas import Recipient, Source, SupportMessage
from humangate.sources import read_folder

__all__ = [
    "demo_outreach_items",
    "demo_recipients",
    "demo_root",
    "demo_sources",
    "demo_support_cases",
    "demo_support_messages",
]


def demo_root() -> Traversable:
    """Return the folder of the bundled sample data."""
    return resources.files(__name__)


def _recipient_rows() -> list[dict[str, str]]:
    text = demo_root().joinpath("recipients.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def demo_recipients() -> list[Recipient]:
    """Return the sample contacts, one per company."""
    return [_recipient(row) for row in _recipient_rows()]


def _recipient(row: dict[str, str]) -> Recipient:
    return Recipient(name=row["name"], email=row["email"], company=row["company"], role=row["role"])


def demo_sources(company: str) -> list[Source]:
    """Return the source pages of one sample company, by name ("Lumen Robotics") or slug ("lumen-robotics")."""
    for row in _recipient_rows():
        if company in (row["company"], row["sources"]):
            return read_folder(demo_root().joinpath("sources", row["sources"])).sources
    known = ", ".join(r["company"] for r in _recipient_rows())
    raise KeyError(f"No sample company {company!r}; the sample companies are: {known}.")


def demo_outreach_items() -> list[dict[str, Any]]:
    """Return one outreach item per sample company: company, recipient and sources as plain dicts."""
    return [
        {
            "company": row["company"],
            "recipient": _recipient(row).model_dump(),
            "sources": [s.model_dump() for s in demo_sources(row["sources"])],
        }
        for row in _recipient_rows()
    ]


def demo_support_cases() -> list[tuple[SupportMessage, dict[str, Any]]]:
    """Return the sample support messages, each with the labels a person gave it."""
    cases: list[tuple[SupportMessage, dict[str, Any]]] = []
    for line in demo_root().joinpath("support_messages.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            expected = row.pop("expected", {})
            cases.append((SupportMessage.model_validate(row), expected))
    return cases


def demo_support_messages() -> list[SupportMessage]:
    """Return the sample support messages, calm to furious."""
    return [message for message, _ in demo_support_cases()]
