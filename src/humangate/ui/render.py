"""Safe rendering: every untrusted string (sources, drafts, customer text, titles) leaves here escaped.

The panel shows these fragments in ``gr.HTML``. ``esc`` escapes HTML and also the characters of
template syntax (``$ { } `` and backtick), so no markup, script or template expression from a
source, draft or message is ever interpreted; the only tags are the ones written in this module.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from humangate.core.contract import ReviewRequest, SourceExcerpt
from humangate.memory.store import DONE
from humangate.review.queue import ReviewItem

__all__ = [
    "STYLE",
    "esc",
    "render_diff",
    "render_header",
    "render_observed",
    "render_sources",
    "render_status",
    "render_timeline",
    "render_triggers",
    "text_block",
]

_TEMPLATE_CHARS = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;", "\\": "&#92;"})
_MAX_TEXT = 20_000
# Characters that reorder or hide text (bidi controls, zero-width spaces, C0/C1 controls but line breaks and
# tabs; not the joiners that spell emoji and scripts): a reviewer must see that they are there, not a text
# they silently rearranged.
_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

STYLE = """<style>
.hg-text { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; max-height: 28em;
  overflow: auto; font-family: inherit; margin: 0.2em 0 0.8em 0; }
.hg-box { border: 1px solid #ccc; border-radius: 6px; padding: 0.4em 0.6em; margin-bottom: 0.6em;
  overflow: hidden; max-width: 100%; }
.hg-box h4 { margin: 0 0 0.3em 0; overflow-wrap: anywhere; }
.hg-trigger { margin: 0.2em 0 0.5em 0; overflow-wrap: anywhere; }
.hg-evidence { color: #555; white-space: pre-wrap; overflow-wrap: anywhere; }
.hg-timeline { width: 100%; border-collapse: collapse; table-layout: fixed; }
.hg-timeline td { border-bottom: 1px solid #eee; padding: 2px 4px; overflow-wrap: anywhere; vertical-align: top; }
mark.hg-claim { background: #fff3a0; }
#decision-bar { position: fixed; left: 0; right: 0; bottom: 0; z-index: 50; gap: 4px;
  padding: 6px 16px 4px 16px; background: var(--background-fill-primary, #fff);
  border-top: 1px solid var(--border-color-primary, #ccc); box-shadow: 0 -2px 8px rgba(0, 0, 0, 0.08); }
#decision-bar #reason-code .wrap { gap: 4px 6px; }
#decision-bar #reason-code label { padding: 2px 8px; }
#decision-status .hg-text { max-height: 3em; margin: 0; }
#review-body { padding-bottom: 170px; }
#decision-bar button { white-space: nowrap; }
#item-header h3 { margin: 0 0 0.2em 0; }
.hg-col { max-height: max(240px, calc(100vh - 400px)); overflow-y: auto; flex-wrap: nowrap !important; }
.hg-col > * { flex-shrink: 0; }
#hg-top { align-items: center; }
#hg-top .html-container { padding: 0; }
.hg-claim-edit { margin-bottom: 6px; }
.hg-diff { font-family: ui-monospace, monospace; font-size: 0.9em; white-space: pre-wrap; overflow-wrap: anywhere;
  margin: 0.2em 0 0.6em 0; }
.hg-diff .hg-del { background: #ffe3e3; }
.hg-diff .hg-add { background: #dcfce7; }
.hg-diff .hg-ctx { color: #666; }
</style>"""


def esc(text: object, *, limit: int = _MAX_TEXT) -> str:
    """Return ``text`` as inert HTML text: escaped, template characters neutralised, cut at ``limit``.

    Bidi controls, zero-width and control characters are shown as ``[U+202E]`` marks, so what a reviewer
    reads is the order and content that will be sent.
    """
    raw = str(text)
    if len(raw) > limit:
        raw = raw[:limit] + " …"
    shown = _UNSEEN.sub(lambda m: f"[U+{ord(m.group()):04X}]", raw)
    return html.escape(shown, quote=True).translate(_TEMPLATE_CHARS)


def text_block(text: object) -> str:
    """Return ``text`` in a wrapping block that keeps line breaks and cannot widen the page."""
    return f'<div class="hg-text">{esc(text)}</div>'


def render_status(message: str) -> str:
    """Return a one-line status message, escaped (service errors quote user-supplied names)."""
    return f'<div class="hg-text">{esc(message)}</div>'


def render_header(item: ReviewItem) -> str:
    """Return the item's title, risk, required role and id."""
    req = item.request
    a = req.assessment
    claimed = f"; claimed by {esc(item.claimed_by)}" if item.claimed_by else ""
    risk = (
        "Blind audit: the system's assessment is hidden"
        if item.blind
        else f"Risk <b>{esc(a.level)}</b> (score {a.score:.2f}, confidence {a.confidence:.2f}, "
        f"policy {esc(a.policy_version)})"
    )
    return (
        f"<h3>Item {item.id}: {esc(req.title, limit=500)}</h3>"
        f"<div>{risk} · needs the <b>{esc(item.required_role)}</b> role · "
        f"{esc(item.graph)} / {esc(item.node)} · status {esc(item.status)}{claimed}</div>"
    )


def render_triggers(req: ReviewRequest, *, blind: bool = False) -> str:
    """Return the assessment as plain sentences, one per trigger, each with its evidence."""
    if blind:
        return (
            "<p>This is a blind audit of work that already went ahead. Judge the proposal on its own: approve "
            "if it was fine as it is, reject with a reason if it was not.</p>"
        )
    a = req.assessment
    lead = (
        f"This proposal was held for review at {a.level} risk "
        f"(score {a.score:.2f}); {len(a.triggers)} reason{'s' if len(a.triggers) != 1 else ''}:"
    )
    parts = [f"<p>{esc(lead)}</p>"]
    for t in a.triggers:
        sentence = t.reason.strip()
        if sentence and sentence[-1] not in ".!?":
            sentence += "."
        evidence = (
            f'<div class="hg-evidence">Evidence: {"; ".join(esc(e, limit=2_000) for e in t.evidence)}</div>'
            if t.evidence
            else ""
        )
        parts.append(f'<div class="hg-trigger">[{esc(t.kind)}] {esc(sentence)}{evidence}</div>')
    if not a.triggers:
        parts.append("<p>No trigger was recorded; the policy held it for review.</p>")
    return "".join(parts)


def _claim_texts(req: ReviewRequest) -> list[str]:
    """Return the texts of the claims the draft used (the ``claim-N`` excerpts the gate view adds)."""
    return [s.excerpt.strip() for s in req.sources if s.id.startswith("claim-") and s.excerpt.strip()]


def highlight(text: str, phrases: Iterable[str]) -> str:
    """Return ``text`` escaped, with every occurrence of a phrase wrapped in ``<mark>`` (also escaped)."""
    wanted = sorted({p for p in phrases if len(p) >= 3}, key=len, reverse=True)
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + " …"
    spans: list[tuple[int, int]] = []
    for phrase in wanted:
        start = text.find(phrase)
        while start != -1:
            end = start + len(phrase)
            if all(end <= s or start >= e for s, e in spans):
                spans.append((start, end))
            start = text.find(phrase, end)
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        out.append(esc(text[pos:start], limit=_MAX_TEXT))
        out.append(f'<mark class="hg-claim">«{esc(text[start:end], limit=_MAX_TEXT)}»</mark>')
        pos = end
    out.append(esc(text[pos:], limit=_MAX_TEXT))
    return "".join(out)


def _source_box(source: SourceExcerpt, claims: Sequence[str]) -> str:
    title = f"{source.id}: {source.title}" if source.title else source.id
    body = esc(source.excerpt) if source.id.startswith("claim-") else highlight(source.excerpt, claims)
    url = f'<div class="hg-evidence">{esc(source.url, limit=2_000)}</div>' if source.url else ""
    return f'<div class="hg-box"><h4>{esc(title, limit=600)}</h4>{url}<div class="hg-text">{body}</div></div>'


def render_sources(req: ReviewRequest) -> str:
    """Return the sources' excerpts as text, the claims the draft used marked «like this» where they appear."""
    if not req.sources:
        return "<p>No sources were given for this proposal.</p>"
    claims = _claim_texts(req)
    note = (
        f"<p>{len(claims)} claim{'s' if len(claims) != 1 else ''} used by the draft, marked «…» in the sources.</p>"
        if claims
        else ""
    )
    return note + "".join(_source_box(s, claims) for s in req.sources)


def render_observed(req: ReviewRequest) -> str:
    """Return what the system saw and what it tried."""
    parts = [f"<p><b>What the system saw</b></p>{text_block(req.observed or '(nothing recorded)')}"]
    if req.attempts:
        items = "".join(f'<li class="hg-text">{esc(a, limit=4_000)}</li>' for a in req.attempts)
        parts.append(f"<p><b>What it tried</b></p><ol>{items}</ol>")
    else:
        parts.append("<p><b>What it tried</b>: nothing before this proposal.</p>")
    if req.similar_corrections:
        rows = "".join(
            f'<li class="hg-text">{esc(_similar_line(c), limit=1_000)}</li>' for c in req.similar_corrections
        )
        parts.append(f"<p><b>Earlier decisions on similar proposals</b> (newest first)</p><ul>{rows}</ul>")
    return "".join(parts)


def _similar_line(c: Mapping[str, Any]) -> str:
    """Return one earlier decision as a sentence: what was done, by whom, why."""
    kind = str(c.get("kind", ""))
    why = f" ({c['reason_code']})" if c.get("reason_code") else ""
    note = f": {c['note']}" if c.get("note") else ""
    similarity = c.get("similarity")
    alike = f" [similarity {similarity:.2f}]" if isinstance(similarity, int | float) else ""
    return f"{DONE.get(kind, kind)} by {c.get('reviewer', '?')}{why}{note}{alike}"


def _payload_summary(payload: Mapping[str, Any]) -> str:
    decision = payload.get("decision")
    if isinstance(decision, Mapping):
        bits = [str(decision.get("action")), str(decision.get("reason_code") or "")]
        if decision.get("note"):
            bits.append(f"note: {decision['note']}")
        if decision.get("instructions"):
            bits.append(f"instructions: {decision['instructions']}")
        if decision.get("escalate_to"):
            bits.append(f"to {decision['escalate_to']}")
        return " ".join(b for b in bits if b)
    return json.dumps(payload, ensure_ascii=False, default=str)[:500] if payload else ""


def render_timeline(events: Sequence[Mapping[str, Any]]) -> str:
    """Return a run's audit events as a table, oldest first."""
    if not events:
        return "<p>No events yet.</p>"
    rows = "".join(
        "<tr>"
        f"<td style='width:4em'>{int(e['seq'])}</td>"
        f"<td style='width:6em'>{esc(time.strftime('%H:%M:%S', time.localtime(float(e['at']))))}</td>"
        f"<td style='width:9em'>{esc(e['actor'], limit=100)}</td>"
        f"<td style='width:11em'>{esc(e['kind'], limit=100)}</td>"
        f"<td style='width:4em'>{esc(e.get('item_id') or '')}</td>"
        f"<td>{esc(_payload_summary(e.get('payload') or {}), limit=600)}</td>"
        "</tr>"
        for e in events
    )
    return f'<table class="hg-timeline">{rows}</table>'


def render_diff(lines: Sequence[str]) -> str:
    """Return an edit's diff lines (``-`` proposed, ``+`` edited, `` `` context) as escaped, coloured text."""
    if not lines:
        return "<p>The edit changed nothing.</p>"
    kinds = {"-": "hg-del", "+": "hg-add"}
    rows = "".join(f'<div class="{kinds.get(line[:1], "hg-ctx")}">{esc(line, limit=4_000)}</div>' for line in lines)
    return f'<div class="hg-diff">{rows}</div>'
