"""The panel's keyboard: a key per decision button, and the number row for reason codes.

Keys act only outside text fields (a key typed into a note, a body or a dropdown's search box is text), and
each one clicks the control it names, so a disabled button stays disabled and the service still decides
what is allowed. The reason codes are numbered in their order in ``REASON_CODES``: ``1`` to ``9``, ``0``,
``-`` and ``=`` pick the twelve, the radio's labels show which key picks which.
"""

from __future__ import annotations

import json

from humangate.core.contract import REASON_CODES

__all__ = ["REASON_CHOICES", "REASON_HINT", "REASON_KEYS", "SHORTCUTS_HELP", "SHORTCUTS_JS"]

REASON_KEYS: tuple[str, ...] = tuple("1234567890-=")[: len(REASON_CODES)]
"""The key that picks each reason code, in ``REASON_CODES`` order."""
REASON_CHOICES: list[tuple[str, str]] = [
    (f"{REASON_KEYS[i]} {code}" if i < len(REASON_KEYS) else code, code) for i, code in enumerate(REASON_CODES)
]
"""The reason radio's (label, value) pairs: every code, each labelled with its key (a thirteenth would have none)."""
REASON_HINT = f"Reason code (keys {REASON_KEYS[0]}-{REASON_KEYS[-1]} outside text fields)"

_BUTTON_KEYS = {
    "a": "btn-approve",
    "e": "btn-save-edit",
    "x": "btn-reject",
    "d": "btn-redirect",
    "u": "btn-escalate",
    "o": "open-top",
    "r": "inbox-refresh",
    "n": "inbox-next-page",
    "p": "inbox-prev-page",
}
SHORTCUTS_HELP = (
    "Keys (outside text fields): a approve · e save edit · x reject · d redirect · u escalate · "
    f"{REASON_KEYS[0]}…{REASON_KEYS[-1]} reason code · o open top item · r refresh · n / p next / previous page"
)

# Runs once per page. A radio or checkbox is an <input> too, but typing into it is not text: keys still work
# after a click on a reason. Reason keys click the radio itself, so the page sends the choice as a click would.
SHORTCUTS_JS = (
    """
if (!window.__humangateKeys) {
  window.__humangateKeys = true;
  const buttons = """
    + json.dumps(_BUTTON_KEYS)
    + """;
  const reasons = """
    + json.dumps(list(REASON_KEYS))
    + """;
  const notText = ['radio', 'checkbox', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image'];
  const typing = (t) => {
    if (!t) return false;
    const tag = (t.tagName || '').toLowerCase();
    if (tag === 'textarea' || tag === 'select' || t.isContentEditable) return true;
    return tag === 'input' && !notText.includes((t.type || 'text').toLowerCase());
  };
  document.addEventListener('keydown', (ev) => {
    if (typing(ev.target) || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const r = reasons.indexOf(ev.key);
    if (r >= 0) {
      const radios = document.querySelectorAll('#reason-code input[type="radio"]');
      const radio = radios[r];
      if (radio && !radio.disabled && radio.getClientRects().length > 0) { ev.preventDefault(); radio.click(); }
      return;
    }
    const id = buttons[ev.key];
    if (!id) return;
    const el = document.getElementById(id);
    const button = el && (el.tagName === 'BUTTON' ? el : el.querySelector('button'));
    if (button && !button.disabled) { ev.preventDefault(); button.click(); }
  });
}
"""
)
