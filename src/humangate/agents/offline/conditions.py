"""Tell when a part of a task makes the send depend on the world, on judgment, or on a doubt the user voices.

The planner cannot see the world ("only if the invoice is paid", "where the order is late", "as long as
the account is active", "should they need it") and has no judgment to exercise ("reply as needed", "at
your discretion", "use your best judgment", "answer what you can"): the graphs answer every item. Nor can
it settle a doubt the user leaves open ("send them maybe", "probably send them", "I'm not sure"). Each is
a rule no graph keeps, so the claim readers (``claims``, through ``restrictions.restricted``) leave the part
unclaimed and every effect waits for a person. The test is by word class and structure, not by phrase:

- a conditional that is not "if"/"when"/"once" (those are ``wording.CONDITIONS``): "where", "in case", "as
  long as", "provided", "assuming", "whether", "in the event", and a condition said by inversion, a
  modal before its subject after the verb ("answer them should they need it");
- discretion: "as/where/if" + needed, necessary, appropriate, fit, sensible; "at your discretion", "your
  judgment", "your call", "up to you", "whatever makes sense", "if you're sure";
- a hedge: maybe, perhaps, possibly, probably, "I guess", "not sure".
"""

from __future__ import annotations

import re

__all__ = ["conditional"]

_JUDGED = (
    r"needed|necessary|required|appropriate|relevant|warranted|sensible|possible|useful|helpful|applicable|fit|"
    r"you see fit|you think (?:best|fit|right|wise)|you like|you wish|you want|you prefer|it makes sense|makes sense|"
    r"it seems right|seems right|you judge"
)
_CONDITION = re.compile(
    r"\bwhere(?:ver)?\b|\bin case\b|\b(?:as|so) long as\b|\bprovided\b|\bproviding\b|\bassuming\b|\bwhether\b"
    r"|\bon (?:the )?condition\b|\bin the event\b|\bonly where\b|\bcontingent\b"
    # inversion: "answer them should they need it", "send them were it not for ..."
    r"|(?<=\w )(?:should|were|had) (?:they|he|she|it|we|i|you|the|any|anyone|there|this|that)\b"
)
_DISCRETION = re.compile(
    rf"\b(?:as|where|wherever|if|when) (?:{_JUDGED})\b|\b(?:at|to|by) (?:your|their|its) (?:own )?discretion\b"
    r"|\b(?:your|own|best|good|better) judg(?:e)?ments?\b|\bjudg(?:e)?ment call\b|\byour call\b|\bup to you\b"
    r"|\bwhat(?:ever)? (?:you think|you feel|you deem|you can|makes sense|seems|feels|is right|is best)\b"
    r"|\bwhich(?:ever)? (?:ones? )?(?:you|seem|make)\b|\bdecide (?:which|what|whether|who|for yourself)\b"
    r"|\bif you(?:'re| are)? (?:sure|confident|certain|comfortable|happy|ok|okay|fine|know)\b"
    r"|\blo que (?:puedas|puedes|pueda)\b|\bce que (?:tu peux|vous pouvez)\b|\bwas du kannst\b|\bso gut du kannst\b"
    r"|\bquello che puoi\b|\bo que (?:puder|conseguir)\b|\bwat je kunt\b"
    r"|\b(?:ermessen|gutdunken|criterio|juicio|discrecion|jugement|discretion|giudizio|discrezione|oordeel|inzicht)\b"
    r"|\byou(?:'re| are) (?:sure|confident|certain|comfortable)\b|\byou (?:feel|think|believe|deem|consider|judge)\b"
)
_HEDGE = re.compile(
    r"\b(?:maybe|mayhaps|perhaps|possibly|probably|presumably|might|i guess|i suppose|i think|i reckon|not sure|"
    r"unsure|undecided|not certain|vielleicht|quizas|quiza|tal vez|peut-etre|forse|talvez|misschien)\b"
)


def conditional(folded: str) -> bool:
    """Return whether the folded part hangs the send on the world, on judgment, or on an open doubt."""
    return bool(_CONDITION.search(folded) or _DISCRETION.search(folded) or _HEDGE.search(folded))
