"""Policy wording about the reader's account: changes stated as done or decided, and things given for nothing.

Split from ``risk.terms`` (which files them under its ``account`` and ``refund`` categories) to keep that module
readable. A change to the reader's account, order or data stated as done or decided ("your subscription has
been cancelled", "we have changed your delivery address") is acted on by the reader, so a person checks it was
made and may be said; so is something given away ("your next month is on us"). Only "your" things count: "we
updated our website" changes nobody's account, and "count on us" gives nothing away.
"""

from __future__ import annotations

import re

__all__ = ["ACCOUNT_CHANGES", "GIVEN_FREE"]

_I = re.IGNORECASE
# What a reader holds with the business, and what may be done to it.
_HELD = (
    r"(?:accounts?|subscriptions?|memberships?|plans?|contracts?|orders?|bookings?|reservations?|data|records?"
    r"|details|profiles?|address(?:es)?|payment\s+(?:method|details)|cards?|passwords?|log-?ins?|access|licen[cs]es?"
    r"|seats?|renewals?|balance|policy)"
)
_CHANGED = (
    r"(?:cancell?ed|deleted|erased|wiped|purged|closed|terminated|deactivated|suspended|blocked|frozen|removed"
    r"|changed|updated|moved|transferred|reset|upgraded|downgraded|renewed|extended|reactivated|restored"
    r"|credited|debited|charged|refunded|waived)"
)
_CHANGE = (
    r"(?:cancel(?:l?ed)?|delet(?:e|ed)|eras(?:e|ed)|wip(?:e|ed)|purg(?:e|ed)|clos(?:e|ed)|terminat(?:e|ed)"
    r"|deactivat(?:e|ed)|suspend(?:ed)?|block(?:ed)?|freeze|froze|remov(?:e|ed)|chang(?:e|ed)|updat(?:e|ed)"
    r"|mov(?:e|ed)|transferr?(?:ed)?|reset|upgrad(?:e|ed)|downgrad(?:e|ed)|renew(?:ed)?|extend(?:ed)?"
    r"|reactivat(?:e|ed)|restor(?:e|ed)|credit(?:ed)?|debit(?:ed)?|charg(?:e|ed)|refund(?:ed)?|waiv(?:e|ed))"
)

ACCOUNT_CHANGES: list[re.Pattern[str]] = [
    re.compile(
        r"\byour\s+(?:\w+\s+){0,2}?" + _HELD + r"\s+(?:has|have|had|was|were|is|are|will|shall|'s|’s)"
        r"\s+(?:now\s+|already\s+|just\s+|also\s+)?(?:been\s+|be\s+)?(?:now\s+)?" + _CHANGED + r"\b",
        _I,
    ),
    re.compile(
        r"\b(?:I|we|our\s+team|the\s+team)(?:'ve|’ve|'ll|’ll|\s+have|\s+had|\s+will|\s+shall)?"
        r"\s+(?:now\s+|already\s+|just\s+|also\s+)?" + _CHANGE + r"\s+your\s+(?:\w+\s+){0,2}?" + _HELD + r"\b",
        _I,
    ),
    re.compile(
        r"\b(?:cancell?ation|deletion|closure|termination|deactivation|address\s+change|change\s+of\s+address)"
        r"\s+(?:is|has\s+been|was|will\s+be)\s+(?:now\s+)?(?:confirmed|processed|complete[d]?|done|approved"
        r"|scheduled|effective)\b",
        _I,
    ),
]
# Something billed given for nothing: "your next month is on us", "at no extra cost", "we'll waive the fee".
# "Lunch is on us" treats the team and "count on us" gives nothing away; "goodwill gesture" is left to a
# policy's watch terms (the documented example of adding one).
GIVEN_FREE = re.compile(
    r"\b(?:(?:months?|weeks?|years?|days?|fees?|charges?|bills?|invoices?|orders?|shipping|delivery|postage"
    r"|subscriptions?|plans?|upgrades?|renewals?|costs?|repairs?|replacements?|installation|this\s+one)"
    r"\s+(?:is|are|'s|’s|will\s+be)\s+on\s+(?:us|the\s+house)"
    r"|at\s+no\s+(?:extra\s+|additional\s+)?(?:cost|charge)"
    r"|waiv(?:e|es|ed|ing)\s+(?:the|your|any|all)\b[^.!?\n]{0,30}?\b(?:fees?|charges?|costs?|payments?))\b",
    _I,
)
