"""The review link's page: the contextual snapshot, escaped, and a form that POSTs the decision.

Everything shown comes from a run (titles, drafts, sources, customer text) and is untrusted: each
value goes through ``html.escape`` and is shown as text; the page loads no script, and its headers
forbid scripts, framing, other form targets and sending the link on as a referrer.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from humangate.core.contract import REASON_CODES
from humangate.review.queue import ReviewItem

__all__ = ["PAGE_HEADERS", "error_page", "item_page"]

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

_STYLE = """<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:860px;margin:1.5em auto;padding:0 1em;color:#222}
pre{white-space:pre-wrap;word-break:break-word;background:#f5f5f5;padding:.6em;border-radius:4px}
.risk{font-weight:600}.critical,.high{color:#a40000}.msg{padding:.6em;border-radius:4px;background:#eef5ff}
.err{background:#fdecea}fieldset{border:1px solid #ccc;border-radius:4px;margin:.8em 0}
label{display:block;margin:.3em 0}
button{margin:.3em .4em .3em 0;padding:.4em 1em}
</style>"""


def _shell(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title>{_STYLE}</head><body>{body}</body></html>"
    )


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    return f"<pre>{escape(text)}</pre>"


def _snapshot(item: ReviewItem) -> str:
    request = item.request
    parts = [
        f"<h1>{escape(request.title)}</h1>",
        f"<p>{escape(item.graph)} / {escape(item.node)} · item {item.id} · "
        f'<span class="risk {escape(item.risk_level)}">{escape(item.risk_level)} risk</span>'
        f" · decided by a {escape(item.required_role)}"
        + (f" · {item.approvals_needed} approvals needed" if item.approvals_needed > 1 else "")
        + "</p>",
    ]
    if request.assessment.triggers:
        parts.append("<h2>Why it paused</h2><ul>")
        parts += [f"<li>{escape(t.reason)}</li>" for t in request.assessment.triggers]
        parts.append("</ul>")
    parts.append(f"<h2>Proposal ({escape(request.proposal_kind)})</h2><dl>")
    for name, value in request.proposal.items():
        parts.append(f"<dt>{escape(str(name))}</dt><dd>{_value(value)}</dd>")
    parts.append("</dl>")
    if request.observed:
        parts.append(f"<h2>What the system saw</h2>{_value(request.observed)}")
    for source in request.sources:
        parts.append(f"<h2>Source: {escape(source.title or source.id)}</h2>{_value(source.excerpt)}")
    return "".join(parts)


def _form(item: ReviewItem, *, sign_in: bool, claimed: bool) -> str:
    allowed = item.request.allowed_actions
    reasons = "".join(f'<option value="{c}">{escape(c.replace("_", " "))}</option>' for c in REASON_CODES)
    fields = ['<form method="post"><fieldset><legend>Decide</legend>']
    if sign_in:
        fields.append(
            "<p>Sign in with your humangate user to decide.</p>"
            '<label>User <input name="name" autocomplete="username" required maxlength="100"></label>'
            '<label>Password <input name="password" type="password" autocomplete="current-password" required></label>'
        )
    if item.min_dwell_seconds > 0 and not claimed:
        fields.append(
            f"<p>This item needs at least {item.min_dwell_seconds:g} s of review: "
            "start reviewing, read it, then decide.</p>"
            '<button name="action" value="claim">Start reviewing</button></fieldset></form>'
        )
        return "".join(fields)
    fields.append(
        f'<label>Reason (needed to reject or send back) <select name="reason_code"><option value=""></option>{reasons}'
        '</select></label><label>Note <textarea name="note" rows="2" maxlength="4000"></textarea></label>'
    )
    if "redirect" in allowed:
        fields.append(
            '<label>Instructions for the agent (send back) <textarea name="instructions" rows="3" maxlength="4000">'
            "</textarea></label>"
        )
    labels = {"approve": "Approve", "reject": "Reject", "redirect": "Send back"}
    fields += [f'<button name="action" value="{a}">{labels[a]}</button>' for a in labels if a in allowed]
    fields.append("</fieldset></form>")
    return "".join(fields)


def item_page(item: ReviewItem, *, sign_in: bool, claimed: bool = False, message: str = "", error: bool = False) -> str:
    """Return the page of a link's item: a message, the snapshot and, while it is pending, the form."""
    note = f'<p class="msg{" err" if error else ""}">{escape(message)}</p>' if message else ""
    form = _form(item, sign_in=sign_in, claimed=claimed) if item.status == "pending" else ""
    if item.status != "pending" and not message:
        note = f'<p class="msg">This item is closed ({escape(item.status)}).</p>'
    return _shell(f"Review: {item.request.title}", note + _snapshot(item) + form)


def error_page(message: str) -> str:
    """Return a page that says only why the link cannot be used."""
    return _shell("humangate review link", f'<h1>Review link</h1><p class="msg err">{escape(message)}</p>')
