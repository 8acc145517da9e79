"""Offline planner: read a plain-English task with regular expressions and heuristics into a TaskSpec."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from humangate.agents.offline.limit_wording import THRESHOLD, amount_limits
from humangate.agents.offline.task_rules import TaskRules, read_rules
from humangate.core.schemas import TaskSpec
from humangate.errors import InvalidInputError
from humangate.sources.urls import find_urls

__all__ = [
    "EXAMPLES",
    "GRAPHS",
    "amount_limits",
    "approval_rules",
    "cannot_do",
    "items_from_folder",
    "items_from_text",
    "named_graph",
    "plan",
]

Graph = Literal["outreach", "research", "support"]
GRAPHS: dict[Graph, str] = {
    "outreach": "research each company from its sources, draft an email to a contact there, send after review",
    "research": "research each subject from its sources into a cited brief",
    "support": "read each customer message, assess sentiment, intent and risk, and propose a reply",
}
_SUPPORT = re.compile(
    r"\b(?:support|tickets?|triage|inbox|helpdesk|help desk|complaints?|customer (?:messages?|"
    r"emails?|requests?)|kundennachrichten|kundenanfragen|soporte|mensajes de (?:los )?clientes|"
    r"messages (?:des |de nos )?clients)\b",
    re.I,
)
_OUTREACH = re.compile(
    r"\b(?:draft|write|send|compose|prepare)\b[^.;]{0,40}\b(?:e-?mails?|messages?|notes?|intro\w*|"
    r"letters?)\b|\bintro(?:duction)? e-?mails?\b|\boutreach\b|\breach out\b|\bwrite to\b",
    re.I,
)
_RESEARCH = re.compile(r"\b(?:research|look into|find out|investigate|profile|summari[sz]e|dig into|brief me)\b", re.I)
_COMPANIES = re.compile(r"\b(?:compan(?:y|ies)|firms?|prospects?|leads?|startups?|vendors?)\b", re.I)
_LIST_START = re.compile(
    r"(?::|\b(?i:research|look into|investigate|profile|about|on|for|companies|firms|prospects|startups|vendors)\b)"
    r"\s+(?=[\"'“A-Z0-9])"
)
_CONNECTORS = frozenset({"of", "de", "la", "du", "von", "van", "the", "&", "for"})
_STOP_NAMES = frozenset({"I", "I'm", "Please", "Then", "Research", "Draft", "Write", "Send", "Let", "These", "The"})
_GOAL = re.compile(
    r"\b(?:draft|write|send|compose|prepare)\s+(?:an?\s+|the\s+|one\s+)?([\w\- ]{0,30}?)\s*e-?mails?\b", re.I
)
_TONES = re.compile(
    r"\b(formal|informal|friendly|casual|warm|concise|short|professional|polite|enthusiastic|"
    r"upbeat|direct|playful)\b",
    re.I,
)
EXAMPLES: dict[Graph, str] = {
    "outreach": "Research these companies, draft an intro email to the contact at each, and let me approve "
    "before anything is sent. (--input people.csv with company,name,email)",
    "research": "Research Acme Corp, Globex and Initech into cited briefs. (optionally --source FOLDER)",
    "support": "Answer these support tickets and hand angry or legal ones to me. (--input tickets.csv with text)",
}
# Effects no graph has: a task that leads with one is refused rather than turned into emails.
_UNSUPPORTED = re.compile(
    r"^\W*(?:please\s+)?(?:pay|transfer|wire|delete|remove|post|tweet|publish|call|phone|text|sms|book|buy|"
    r"purchase|order|schedule|cancel|refund|charge|deploy|print)\b",
    re.I,
)


def cannot_do(task: str) -> InvalidInputError:
    """Return the error for a task no graph does, naming what the planner can do, with examples."""
    can = " ".join(f'{name}: {what} (e.g. "{EXAMPLES[name]}").' for name, what in GRAPHS.items())
    return InvalidInputError(f"I cannot plan {task.strip()[:120]!r}: no graph does that. I can do these: {can}")


def named_graph(task: str) -> Graph | None:
    """Return the graph the task's own words ask for (support, emails, research), or None when they name none."""
    if _SUPPORT.search(task) and not _COMPANIES.search(task):
        return "support"
    if _OUTREACH.search(task):
        return "outreach"
    if _RESEARCH.search(task):
        return "research"
    return None


def _graph(task: str, csv_rows: Sequence[Mapping[str, Any]] | None) -> Graph:
    named = named_graph(task)
    if named is not None:
        return named
    if _UNSUPPORTED.search(task):
        raise cannot_do(task)
    columns = {str(k).strip().lower() for row in (csv_rows or [])[:1] for k in row}
    if columns & {"email", "recipient"}:
        return "outreach"
    if columns & {"text", "message", "body"}:
        return "support"
    return "research"


def _name(chunk: str) -> str | None:
    tokens = chunk.strip().strip("\"'“”").split()
    kept: list[str] = []
    for token in tokens:
        if token[:1].isupper() or token[:1].isdigit() or (kept and token.lower() in _CONNECTORS):
            kept.append(token)
        else:
            break
    while kept and kept[-1].lower() in _CONNECTORS:
        kept.pop()
    name = " ".join(kept).strip(" .,;:!?\"'”")
    return name if name and name not in _STOP_NAMES else None


def items_from_text(task: str) -> list[str]:
    """Return the names listed in the task ("these companies: A, B and C"), in order, without repeats."""
    quoted = re.findall(r"[\"“]([^\"”]{2,100})[\"”]", task)
    if len(quoted) >= 2:
        return list(dict.fromkeys(q.strip() for q in quoted))
    for start in _LIST_START.finditer(task):
        names: list[str] = []
        for chunk in re.split(r",\s*(?:and\s+)?|\s+and\s+|;\s*", task[start.end() :]):
            name = _name(chunk)
            if name is None:
                break
            names.append(name)
            if chunk.strip() != name and not chunk.strip().startswith(name + "."):
                break  # the list ended inside this chunk ("Lumen Robotics then draft ...")
        if names:
            return list(dict.fromkeys(names))
    return []


def items_from_folder(folder: Path, *, companies: bool = True) -> list[dict[str, Any]]:
    """Return one item per sub-folder of ``folder`` (or one for the folder itself) naming its sub-folder.

    With ``companies`` the folder names read as company names ("lumen-robotics" -> "Lumen Robotics");
    otherwise as the topic of the documents in them ("warehouse-robotics" -> "warehouse robotics").
    """
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    targets = subfolders or [folder]

    def subject(name: str) -> str:
        words = name.replace("-", " ").replace("_", " ")
        return words.title() if companies else " ".join(words.split())

    # The sub-folder by name, resolved and checked inside ``folder`` when read (humangate.sources).
    return [{"company": subject(p.name), "sources": "." if p == folder else p.name} for p in targets]


def _pages_subject(urls: list[str]) -> str:
    """Return what a research task over pages is about: their site, or the sites, named plainly."""
    hosts = list(dict.fromkeys(urlsplit(u).hostname or "" for u in urls))
    hosts = [h.removeprefix("www.") for h in hosts if h]
    return (
        hosts[0]
        if len(hosts) == 1
        else "the pages at " + ", ".join(hosts[:3]) + (" and more" if len(hosts) > 3 else "")
    )


def approval_rules(task: str, graph: Graph = "outreach") -> TaskRules:
    """Return whether the task asks a person to approve every effect, its routing rules, and the plan's rules."""
    read = read_rules(task, graph)
    for what, amount in THRESHOLD.findall(task):
        read.rules.append(f"Ask a reviewer for {what.lower()} over {amount.strip()}.")
    return read


def _goal(task: str, graph: Graph) -> str:
    if graph == "support":
        return "a reply to each message"
    match = _GOAL.search(task)
    kind = _TONES.sub("", match.group(1)).strip().lower() if match else ""
    kind = kind or ("intro" if graph == "outreach" else "")
    if graph == "research" and not match:
        return "a research brief"
    if kind.startswith("intro"):
        return "an introduction"
    return f"a {kind} email" if kind else "an email"


_MAX_DIRECTIVES = 20  # TaskSpec.directives' limit


def _names_unread(names: Sequence[str], items: Sequence[Mapping[str, Any]]) -> str | None:
    """Return how the names a task lists and its items differ (a name no item holds, items it does not name)."""
    if not names:
        return None
    cells = [" ".join(str(v) for v in item.values()).casefold() for item in items]
    missing = [n for n in names if not any(n.casefold() in c for c in cells)]
    if missing:
        return f"no item holds {', '.join(missing)!r}"
    unnamed = sum(1 for c in cells if not any(n.casefold() in c for n in names))
    return f"{unnamed} of the {len(cells)} items are not named" if unnamed else None


def plan(task: str, *, csv_rows: Sequence[Mapping[str, Any]] | None = None, source_dir: Path | None = None) -> TaskSpec:
    """Return the task spec of ``task``; items come from ``csv_rows``, else ``source_dir``, else the text."""
    graph = _graph(task, csv_rows)
    if csv_rows:
        items = [
            {str(k).strip(): v.strip() if isinstance(v, str) else v for k, v in row.items() if k} for row in csv_rows
        ]
    elif source_dir is not None:
        # A folder of documents ("summarise these reports") is about a topic, not a company, unless the task says so.
        items = items_from_folder(source_dir, companies=graph == "outreach" or bool(_COMPANIES.search(task)))
    else:
        key = "message" if graph == "support" else "company"
        items = [{key: name} for name in items_from_text(task)]
        if not items and graph == "research" and (urls := find_urls(task)):
            items = [{"subject": _pages_subject(urls)}]  # the pages themselves are the item; tasks fetches them
    read = approval_rules(task, graph)
    if (csv_rows or source_dir is not None) and (unread := _names_unread(read.named, items)):
        read.require = True
        unit = {"outreach": "email", "support": "reply"}.get(graph, "brief")
        read.rules.append(
            f"The task names {', '.join(read.named)!r}, but {unread}: the planner cannot tell whether it means only "
            f"these, so a person approves every {unit}."
        )
    if len(read.directives) > _MAX_DIRECTIVES:  # more than a plan carries: none may be dropped unseen
        read.require = True
        read.rules.append(
            f"The task asks {len(read.directives)} things of every message, more than the {_MAX_DIRECTIVES} a plan "
            "carries and checks; a person approves every one."
        )
    tones = list(dict.fromkeys(t.lower() for t in _TONES.findall(task)))
    return TaskSpec(
        task=task,
        graph=graph,
        items=items,
        goal=_goal(task, graph),
        tone=" and ".join(tones) if tones else "friendly and concise",
        require_approval=read.require,
        rules=read.rules,
        limits=amount_limits(task),
        routes=read.routes,
        directives=read.directives[:_MAX_DIRECTIVES],
    )
