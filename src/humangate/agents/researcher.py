"""Researcher agent: sources -> ``Brief`` (cited claims, conflicts, coverage, gaps, injections).

With a chat model it renders ``prompts/researcher.md`` and asks for a structured ``Brief``; without one,
or when the model's answer cannot be used, the offline engine answers. The model's brief is checked
against the sources: claims citing unknown ids, carrying instruction-like text or saying what their
cited sources do not (``agents.validation.grounded``) are dropped, a summary the sources do not back is
replaced by the offline one, a conflict keeps only the quotes and values its sources really contain (one
whose values are equal or that says the sources agree is dropped), and the offline engine's injection
findings and conflicts (values, figures, negations, Yes/No answers) are always added, whatever the model
says of the same topic. A model brief left with no claim where the offline engine found some is a model failure,
and a brief's confidence is never above the offline one's.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from humangate.agents.offline import research
from humangate.agents.offline.injection import looks_like_injection
from humangate.agents.validation import MAX_FAILURE, grounded
from humangate.core.schemas import Brief, Conflict, ResearchInput, document_of
from humangate.prompts import render_messages

if TYPE_CHECKING:
    from humangate.agents.endpoint import ChatModel

__all__ = ["PROMPT", "PROMPT_VARIABLES", "Researcher", "prompt_variables"]

PROMPT = "researcher"
PROMPT_VARIABLES = frozenset({"subject", "question", "instructions", "sources", "source_ids"})
# A model's "conflict" that says its sources agree ("Both sources agree.", "no conflict") is no conflict.
_NO_CONFLICT = re.compile(r"\bno\s+(?:real\s+|actual\s+)?(?:conflict|disagreement|contradiction|discrepancy)\b")
_AGREE = re.compile(r"\b(?:agree[sd]?|consistent|identical|the same|match(?:es)?)\b")
_NEGATED = re.compile(r"\b(?:not|never|no longer)\b|n't\b|n\u2019t\b")
_DIFFER = re.compile(r"disagree|differ|conflict|contradict|inconsisten|mismatch|\bvs\b|\bversus\b")


def _fenced(text: str) -> str:
    # A source cannot close its own fence and pose as the prompt.
    return text.replace("<source", "&lt;source").replace("</source", "&lt;/source")


def prompt_variables(inp: ResearchInput) -> dict[str, str]:
    """Return the values of the researcher prompt's placeholders for ``inp``."""

    def attribute(value: str) -> str:
        # An attribute value ends at a quote: id, title and url are escaped so a source cannot end its tag.
        return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")

    blocks = [
        f'<source id="{attribute(s.id)}" title="{attribute(s.title)}" url="{attribute(s.url or "")}">\n'
        f"{_fenced(s.text)}\n</source>"
        for s in inp.sources
    ]
    return {
        "subject": inp.subject,
        "question": inp.question or f"Facts about {inp.subject}.",
        "instructions": inp.instructions or "",
        "sources": "\n\n".join(blocks) or "(no sources were provided)",
        "source_ids": json.dumps([s.id for s in inp.sources]),
    }


def _failed(offline: Brief, failure: str) -> Brief:
    # The offline brief keeps its own confidence: the model_failure trigger is what holds it.
    return offline.model_copy(update={"model_failure": failure[:MAX_FAILURE]})


def _in_text(value: str, text: str) -> bool:
    """Return whether ``value`` stands in ``text`` as written (whole words, case and spacing aside)."""
    value = " ".join(value.split()).lower()
    return bool(value) and re.search(rf"(?<![\w.]){re.escape(value)}(?!\w)", text) is not None


def _says_agree(conflict: Conflict) -> bool:
    """Return whether a model's "conflict" says its sources agree: equal values, or a description saying so."""
    values = {" ".join(v.split()).lower() for v in conflict.values}
    if len(conflict.values) >= 2 and len(values) == 1:
        return True
    text = conflict.description.lower()
    if _NO_CONFLICT.search(text):
        return True
    return _AGREE.search(text) is not None and _NEGATED.search(text) is None and _DIFFER.search(text) is None


def _kept(conflict: Conflict, texts: dict[str, str]) -> Conflict | None:
    """Keep a model's conflict (it only adds review) but drop ids, quotes and values the sources do not back.

    A value is kept only when each one stands in the text of the source it is given for; a "conflict" whose
    values are equal or that says the sources agree is no conflict and is dropped (``None``).
    """
    if _says_agree(conflict):
        return None
    ids = [sid for sid in conflict.source_ids if sid in texts]
    quotes = conflict.quotes if len(conflict.quotes) == len(conflict.source_ids) else []
    pairs = list(zip(conflict.source_ids, quotes, strict=False))
    backed = bool(pairs) and all(sid in texts and " ".join(q.split()).lower() in texts[sid] for sid, q in pairs)
    values = conflict.values if len(conflict.values) == len(conflict.source_ids) and ids == conflict.source_ids else []
    if not all(_in_text(v, texts[sid]) for sid, v in zip(ids, values, strict=False)):
        values = []
    return conflict.model_copy(
        update={"source_ids": ids, "quotes": [q for _, q in pairs] if backed else [], "values": values}
    )


def _coverage(contributing: set[str], known: set[str]) -> float:
    """Return the share of documents that contributed a claim (a PDF's pages are one document)."""
    documents = {document_of(sid) for sid in known}
    return round(len({document_of(sid) for sid in contributing} & documents) / len(documents), 2) if documents else 0.0


def _checked(brief: Brief, inp: ResearchInput, offline: Brief) -> Brief:
    """Keep what the sources support and add what the offline checks always find."""
    known = {s.id: s for s in inp.sources}
    texts = {s.id: " ".join(s.text.split()).lower() for s in inp.sources}
    claims = []
    for claim in brief.claims:
        cited = [sid for sid in claim.source_ids if sid in known]
        said = cited and grounded(claim.text, [known[sid] for sid in cited])
        if said and looks_like_injection(claim.text) is None:
            claims.append(claim.model_copy(update={"source_ids": cited}))
    # The union: every contradiction the offline checks found stays, whatever the model says of the same topic
    # (a model's "2014 vs 2014" must not hide a "2014 vs 2016"); a model's conflict only adds review.
    conflicts = list(offline.conflicts)
    listed = {(c.topic.lower(), frozenset(c.source_ids), tuple(c.values)) for c in conflicts}
    for conflict in brief.conflicts:
        if len(set(conflict.source_ids) & set(texts)) < 2 or (kept := _kept(conflict, texts)) is None:
            continue
        if (kept.topic.lower(), frozenset(kept.source_ids), tuple(kept.values)) not in listed:
            conflicts.append(kept)
    injections = [f for f in brief.injections if f.source_id in known]
    seen = {(f.source_id, f.excerpt) for f in injections}
    injections += [f for f in offline.injections if (f.source_id, f.excerpt) not in seen]
    contributing = {sid for c in claims for sid in c.source_ids}
    summary = brief.summary if grounded(brief.summary, inp.sources) else offline.summary
    return brief.model_copy(
        update={
            "subject": inp.subject,
            "summary": summary,
            "claims": claims,
            "conflicts": conflicts,
            "injections": injections,
            "coverage": _coverage(contributing, set(known)),
            "weak_sources": [sid for sid in brief.weak_sources if sid in known],
            "confidence": min(brief.confidence, offline.confidence),
            "model_failure": None,
        }
    )


class Researcher:
    """Turn sources into a brief of cited claims; with a chat model when given, else offline."""

    def __init__(self, model: ChatModel | None = None) -> None:
        self.model = model

    def run(self, inp: ResearchInput) -> Brief:
        """Return the brief for ``inp``; a model failure returns the offline brief with ``model_failure`` set."""
        offline = research(inp)
        if self.model is None:
            return offline
        from humangate.agents.endpoint import ask  # lazy: the model layer is optional

        try:
            result = ask(self.model, Brief, render_messages(PROMPT, prompt_variables(inp)))
        except Exception as exc:  # a model failure must become a reviewable proposal, never a crash
            return _failed(offline, f"The model call raised {type(exc).__name__}: {exc}")
        if result.value is None:
            return _failed(offline, result.failure or "The model returned no usable brief.")
        checked = _checked(result.value, inp, offline)
        if offline.claims and not checked.claims:
            dropped = len(result.value.claims)
            return _failed(
                offline,
                f"The model's brief was not used: none of its {dropped} claims is backed by the source it cites "
                f"(the offline reading found {len(offline.claims)}).",
            )
        return checked
