"""Offline drafter: a template email grounded only in the brief's claims, shaped by tone and corrections."""

from __future__ import annotations

import re

from humangate.agents.offline.corrections import Lessons, apply_replacements, learn, own_swaps, was_deleted
from humangate.agents.offline.directives import Directives, read_directives
from humangate.agents.offline.injection import looks_like_injection
from humangate.core.schemas import Brief, Claim, DraftInput, EmailDraft
from humangate.core.text import terms

__all__ = ["draft", "first_name", "usable_claims"]

_WHAT_IT_DOES = re.compile(r"\b(?:builds?|makes?|offers?|provides?|designs?|develops?|sells?|helps?)\b", re.I)
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "mx"})
_GREETING = {"formal": "Dear", "friendly": "Hi", "casual": "Hey"}
_SIGN_OFF = {"formal": "Kind regards,", "friendly": "Best,", "casual": "Cheers,"}
# Greetings and sign-offs are the product's own vocabulary: a reviewer's "Hi" -> "Hello" or "Best," -> "Warm
# regards," may reword any email, while a learned swap may add no other word this email's inputs do not hold.
_COURTESIES = (
    "Hello Hi Hey Dear Greetings Good morning, Good afternoon, Good evening,",
    "Best, Best regards, Kind regards, Warm regards, Warmest regards, Regards, Best wishes, Warm wishes, "
    "All the best, Many thanks, Thanks, Thank you, With thanks, Cheers, Sincerely, Yours sincerely, "
    "Yours faithfully, Yours truly, Respectfully, Cordially, Take care, Talk soon, Speak soon,",
)
_CLAIMS_INTRO = {
    "formal": "In preparing this note, I read the following about {company}:",
    "friendly": "A few things stood out when I read about {company}:",
    "casual": "I've been reading up on {company}, and a few things caught my eye:",
}
_CALL = {
    "formal": "Would you be available for a brief {what} in the coming weeks?",
    "friendly": "Would you be open to a short {what} next week?",
    "casual": "Fancy a quick {what} next week?",
}


def first_name(name: str) -> str:
    """Return the first name of ``name``, skipping titles such as "Dr."."""
    parts = [p for p in name.split() if p.lower().strip(".") not in _HONORIFICS]
    return (parts or name.split() or [name])[0].strip(",")


def _tone(tone: str, directives: Directives) -> tuple[str, bool]:
    kind = directives.tone or (
        "formal"
        if re.search(r"formal|professional|polite", tone, re.I)
        else "casual"
        if re.search(r"casual|informal|relaxed|playful", tone, re.I)
        else "friendly"
    )
    concise = directives.length == "short" or (
        directives.length is None and bool(re.search(r"concise|short|brief|terse", tone, re.I))
    )
    return kind, concise


def _conflicted(claim: Claim, brief: Brief) -> bool:
    for conflict in brief.conflicts:
        if set(claim.source_ids) & set(conflict.source_ids) and any(
            re.search(rf"(?<![\w.]){re.escape(v)}(?![\w])", claim.text, re.I) for v in conflict.values if v
        ):
            return True
    return False


def usable_claims(brief: Brief, lessons: Lessons, directives: Directives) -> list[int]:
    """Return indices of claims a draft may use: not conflicted, injected, deleted by reviewers or avoided."""
    injected = {f.source_id for f in brief.injections}
    usable: list[int] = []
    for index, claim in enumerate(brief.claims):
        if (
            _conflicted(claim, brief)
            or looks_like_injection(claim.text)
            or set(claim.source_ids) <= injected
            or was_deleted(claim.text, lessons)
            or set(terms(claim.text)) & directives.avoid_terms
        ):
            continue
        usable.append(index)
    return usable


def _pick(brief: Brief, usable: list[int], inp: DraftInput, directives: Directives, limit: int) -> list[int]:
    wanted = set(terms(inp.goal)) | directives.focus_terms

    def rank(index: int) -> tuple[float, int]:
        claim = brief.claims[index]
        claim_terms = set(terms(claim.text))
        score = 2.0 * bool(claim_terms & directives.focus_terms) + len(claim_terms & wanted)
        score += 1.0 * bool(_WHAT_IT_DOES.search(claim.text)) + 0.5 * (len(claim.source_ids) > 1)
        score -= 1.0 * (inp.recipient.name.lower() in claim.text.lower())  # do not tell people what they said
        return (-score, index)

    return sorted(sorted(usable, key=rank)[:limit])


def _opening(inp: DraftInput, company: str, kind: str) -> str:
    us = "ourselves" if inp.sender.strip().lower() in ("", "the team") else inp.sender
    if re.match(r"\s*(?:an?\s+)?intro", inp.goal, re.I):
        if kind == "formal":
            return f"I am writing to introduce {us} and to learn more about the work at {company}."
        return f"I'd like to introduce {us} and learn more about what you're building at {company}."
    return f"I'm getting in touch about {inp.goal.strip().rstrip('.')}."


def _subject(inp: DraftInput, company: str, kind: str, directives: Directives) -> str:
    if directives.subject:
        return directives.subject
    if re.match(r"\s*(?:an?\s+)?intro", inp.goal, re.I):
        return f"Introduction: {company}" if kind == "formal" else f"Quick introduction for {company}"
    goal = inp.goal.strip().rstrip(".")
    return f"{goal[:1].upper()}{goal[1:]} – {company}"[:300]


def _known_words(inp: DraftInput) -> str:
    """Return what this email may be written from: its inputs, its brief and the drafter's own sentences."""
    templates = [*_GREETING.values(), *_SIGN_OFF.values(), *_CLAIMS_INTRO.values(), *_CALL.values(), *_COURTESIES]
    inputs = [inp.goal, inp.tone, inp.sender, inp.instructions or "", inp.recipient.name, inp.recipient.company or ""]
    return "\n".join([*templates, *inputs, inp.brief.subject, *(c.text for c in inp.brief.claims)])


def draft(inp: DraftInput) -> EmailDraft:
    """Return an email that states only claims from the brief and records which ones it used."""
    directives = read_directives(inp.instructions)
    lessons = learn(inp.corrections)
    kind, concise = _tone(inp.tone, directives)
    company = inp.recipient.company or inp.brief.subject
    usable = usable_claims(inp.brief, lessons, directives)
    limit = 1 if directives.length == "short" else 2 if concise else 3
    used = _pick(inp.brief, usable, inp, directives, limit)
    paragraphs: list[list[str]] = [[f"{_GREETING[kind]} {first_name(inp.recipient.name)},"]]
    paragraphs.append([_opening(inp, company, kind)])
    if used:
        paragraphs.append(
            [_CLAIMS_INTRO[kind].format(company=company)] + [f"- {inp.brief.claims[i].text}" for i in used]
        )
    if directives.additions:
        paragraphs.append(list(directives.additions))
    what = directives.call_to_action or "call"
    paragraphs.append([_CALL[kind].format(what=what)])
    paragraphs.append([_SIGN_OFF[kind], directives.sign_as or inp.sender])
    # Sentences reviewers deleted before stay out; claims were already filtered the same way.
    greeting, *middle, sign_off = paragraphs
    kept = [greeting, *([line for line in p if not was_deleted(line, lessons)] for p in middle), sign_off]
    body = "\n\n".join("\n".join(p) for p in kept if p)
    subject = _subject(inp, company, kind, directives)
    # A swap learned on another recipient's email may reword this one with words it already holds, never
    # bring in that email's names or matters; numbers, addresses and links are never learned (corrections.learn).
    known = "\n".join([body, subject, _known_words(inp)])
    body = apply_replacements(body, own_swaps(lessons.replacements, known))
    subject = apply_replacements(subject, own_swaps(lessons.subject_replacements, known))
    share = min(len(used), 2) / 2
    confidence = round(inp.brief.confidence * (0.5 + 0.5 * share), 2)
    return EmailDraft(to=inp.recipient.email, subject=subject, body=body, claims_used=used, confidence=confidence)
