"""Curt replies: acknowledgements that cannot be read as satisfied, and chasers (see ``lexicon_more``).

A customer who is content says so ("Thanks, that's sorted!", "Perfect, thank you!", "Great!"). A curt reply does
not: "Fine.", "If you say so.", "Ok..." and "Great." after bad news are how displeasure sounds when it is polite.
Two readings, both of the whole message, so a sentence that merely starts with "ok" is not one of them:

- ``CURT["complaint"]``: an acknowledgement marked with displeasure, held wherever it is said: resignation ("Fine.",
  "Whatever you say", "Thanks anyway", "Fair enough I suppose"), trailing off ("Ok...", "Sure..."), a bare
  evaluative with a full stop, the sarcasm carrier ("Great.", "Perfect. Just perfect."), a demand for more ("Is
  that it?", "And?", "So?") and an unamused or angry face anywhere in the message (not a facepalm, as often
  aimed at oneself).
- ``bare_reply``: a neutral acknowledgement ("Noted.", "Sure.", "Ok then.") or a push for more ("So?", "When
  then?", "So when will it come?") with no thanks in it; a polite status request ("Any update?") is not one.
  Opening a conversation it is routine; after earlier turns of the thread it answers something whose outcome the
  system cannot see (a refusal, a delay), so the analyst reads it as not positively safe (``triage.analyze`` marks
  it ``curt``).
- ``status_request``: a request for news ("Any update?", "following up", "where is my parcel?"). Made again after an
  earlier one in the thread, the customer is chasing (``triage.analyze`` reads it as urgency), and so is
  "checking on this again" said in one message (``CURT["urgency"]``).
"""

from __future__ import annotations

import re

from humangate.agents.offline._lexicon_util import compiled as _compiled

__all__ = ["CURT", "bare_reply", "status_request"]

# Each word below matches in one way only, and ends at a word boundary: a run of them ("ok ok ok", "okokok",
# "hmmhmm") can then be split in one way, not in exponentially many (a customer's message must not stall the
# reader; tests/test_redteam_support_fourth.py times the worst shapes).
_ACK = (
    r"(?:o+k+(?:ay|ey|ie)?|k+|noted|sure|right|alright|all\s+right|got\s+it|understood|i\s+see|oh|ah|hm+|yep"
    r"|yup|yeah|yes|ya|mhm+|cool|fine|roger|gotcha|of\s+course|will\s+do|no\s+problem|np)\b"
)
_RESIGNED = (
    r"(?:fine|whatever(?:\s+(?:you\s+say|then))?|if\s+(?:you|u)\s+(?:say\s+so|insist)|as\s+you\s+wish|suit\s+yourself"
    r"|so\s+be\s+it|k+\s+then|figures|typical|naturally|of\s+course\s+(?:it\s+(?:is|did|does|has|was)|not)|yeah,?\s+right"
    r"|sure,?\s+sure|cool\s+story(?:\s+bro)?|fair\s+enough,?\s+(?:I|i)\s+(?:guess|suppose)|(?:I|i)\s+(?:guess|suppose)"
    r"|any\s*ways?|never\s*mind(?:\s+then)?|(?:what\s+a|big)\s+surprise|surprise,?\s+surprise|shocker"
    r"|(?:I\s+(?:suppose|guess)\s+)?(?:that|it)(?:'ll|\s+will)\s+have\s+to\s+do(?:\s+then)?|if\s+that'?s\s+(?:how|the\s+way)"
    r"\s+it\s+is|you\s+win|have\s+it\s+your\s+way)"
)
_FILLER = rf"(?:{_ACK}|(?:then|well|so|just|thanks|thank\s+you|cheers|ta)\b)"
_EVALUATIVE = (
    r"(?:great|perfect|lovely|brilliant|wonderful|fantastic|marvell?ous|super|amazing|splendid|excellent|terrific"
    r"|awesome|nice|charming|delightful)"
)
_UNAMUSED = (
    "[\U0001f643\U0001f644\U0001f612\U0001f611\U0001f610\U0001f624\U0001f620\U0001f621\U0001f92c\U0001f595\U0001f4a9]"
)

CURT: dict[str, tuple[re.Pattern[str], ...]] = {
    "complaint": _compiled(
        # Resignation: an acknowledgement that gives up rather than agrees.
        rf"^\W*(?:{_FILLER}[\s,.!]*)*{_RESIGNED}(?:[\s,.!]*{_FILLER})*[\s.!?\u2026]*$",
        # Trailing off: "Ok...", "Right...", "Great..." - the sentence the customer did not finish.
        rf"^\W*(?:{_ACK}|{_EVALUATIVE})(?:[\s,]+(?:{_ACK}|then))*\s*(?:\.{{2,}}|\u2026)\s*$",
        # A bare evaluative with a full stop, the sarcasm carrier: "Great.", "Perfect. Just perfect."
        rf"^\W*{_EVALUATIVE}\s*\.(?:\s*(?:just|really|truly|absolutely|simply)\s+{_EVALUATIVE}\s*\.*)?\s*$",
        # A demand for more: the answer was not enough.
        r"^\W*(?:(?:ok(?:ay)?|so|and|right|um+)[\s,.]*)?(?:and|so|that'?s\s+it|that'?s\s+all|is\s+that\s+(?:it|all)"
        r"|so\s+that'?s\s+it(?:\s+then)?|that'?s\s+it\s+then|is\s+that\s+the\s+best\s+you\s+can\s+do|what\s+now"
        r"|now\s+what|and\s+then\s+what)\s*\?+[\s?!]*$",
        # An unamused or angry face anywhere: eye-roll, unamused, steaming, a rude gesture.
        _UNAMUSED,
    ),
    # Chasing said as such: "just checking on my order again", "following up on this again".
    "urgency": _compiled(
        r"\b(?:checking|chasing|following\s+up|asking|writing|calling|e-?mailing|messaging|contacting|ringing)\b"
        r"[^.!?\n]{0,40}\bagain\b",
    ),
}

_NEUTRAL = re.compile(rf"^\W*{_ACK}(?:[\s,.!]+(?:{_ACK}|then|that'?s\s+(?:fine|ok)))*[\s.!]*$", re.I)
_CHASER = re.compile(
    # A push, not a status request: "So?", "Hello?", "When then?", "Ok, what now?", "So when will it come?".
    r"^\W*(?:(?:so|and|well|ok(?:ay)?|right|um+|erm+)[\s,.]*)*(?:what\s+now|now\s+what|when\s+then|(?:so|and)\s+when"
    r"\b[^.!?]{0,40}|and|so|well|hello+|hi|hey|anyone|anybody)\s*\?[\s?!.]*$",
    re.I,
)
_SATISFIED = re.compile(
    r"\b(?:thank\w*|thx|ty|cheers|ta|appreciated?|brilliant|perfect|great|lovely|sounds\s+good|all\s+good)\b|[\U0001f44d\U0001f642\U0001f60a\U0001f600\U0001f601\U0001f603\U0001f604\u263a"
    r"\u2764\U0001f64f]",
    re.I,
)


# A request for news of something already under way: "Any update?", "following up", "where is my parcel?".
_STATUS = re.compile(
    r"\b(?:any|an)\s+(?:\w+\s+)?(?:update|news|progress|word|movement)\b|\bfollow(?:ing)?[\s-]*up\b|\bcheck(?:ing)?"
    r"\s+(?:in|back|on)\b|\bchas(?:e|ing)\b|\bstill\s+(?:waiting|no|nothing|not)\b|\bwhat(?:'s|\s+is)\s+(?:the\s+)?"
    r"(?:status|latest|hold[\s-]?up)\b|\bwhere\s+(?:is|are)\s+(?:my|our|the)\s+(?:order|parcel|package|delivery"
    r"|refund|money|replacement|engineer|item|items|reply|answer)\b|\bwhere\s+are\s+we\s+(?:with|on)\b",
    re.I,
)


def status_request(text: str) -> bool:
    """Return whether ``text`` asks for news of something already under way ("Any update?", "following up")."""
    return bool(_STATUS.search(text)) or bool(_CHASER.match(text.strip()))


def bare_reply(text: str) -> str | None:
    """Return ``text`` when it is a neutral acknowledgement or a chaser with no thanks in it, else None."""
    short = text.strip()
    if len(short) > 80 or _SATISFIED.search(short):
        return None
    return short if _NEUTRAL.match(short) or _CHASER.match(short) else None
