"""Tell the items of a task from the people and places a part of the task moves the work to.

The claim readers (``claims``) pass a goal, a writing directive or a list of items as harmless only when it
keeps the work on the items. A phrase such as "to my manager", "with the legal team", "into a Google Doc",
"in my inbox", "by Dana" or "for Legal" names another destination: a rule no graph enforces. The test is
general, not a list of sentences: after a preposition that can point somewhere ("to", "into", "with", "for",
"by", "in", "through", ...), the noun phrase is a destination when it is a person ("me", a capitalised name
that is not a language), a role or team ("manager", "compliance", "the legal team") or a place or tool
("inbox", "folder", "doc"), unless its head is one of the items ("to the support tickets", "in the CSV").
A context statement must also leave the flow alone: no sending, reviewing or routing verb, no word for the
replies, no third person ("our lawyer", "she").
"""

from __future__ import annotations

import re
from itertools import pairwise

from humangate.core.wording import GENERIC, fold, tokens

__all__ = ["ITEMS", "destination", "moves_work", "person_or_role"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What the items of a task are called ("the contacts are in the attached CSV").
ITEMS = _set(
    "here is are the these those following below above attached enclosed list lists file files csv sheet "
    "spreadsheet table row rows column columns companies company contacts contact people leads lead prospects "
    "prospect tickets ticket messages message customers names targets accounts firms vendors startups sources "
    "documents pages each one given provided listed input data"
)
# Prepositions that can point the work somewhere; "in" only reaches a place, a person or a name.
_TOWARD = _set("to into onto with for by through via past in zu mit fur durch con para por chez avec pour par")
_INTO = _set("into onto")
_IN = _set("in")
# Words that end a noun phrase after a preposition.
_STOP = _TOWARD | _set(
    "at on from of about as under over than that who which whom whose and or but so because if when before after "
    "within without per while until"
)
_DETERMINERS = _set(
    "the a an my our your their his her its this that these those each every all any some both another other one one's"
)
_PEOPLE = _set("me us him her myself ourselves someone somebody anyone mich mir uns moi nous mi nosotros")
# Roles and teams: whoever they are, a phrase that ends with one moves the work to a person ("to compliance").
_ROLES = _set(
    "manager managers boss bosses supervisor supervisors team teams department departments dept legal compliance "
    "finance accounting accountant accountants hr counsel lawyer lawyers attorney attorneys solicitor colleague "
    "colleagues coworker coworkers co-worker co-workers assistant assistants secretary ceo cto cfo coo founder "
    "founders cofounder co-founder director directors head reviewer reviewers editor editors approver approvers "
    "admin admins administrator staff management executive executives exec execs board committee auditor "
    "auditors support helpdesk marketing sales security procurement ops operations engineering engineers "
    "developer developers expert experts specialist specialists agent agents operator operators partner partners "
    "owner owners human humans person mentor employee employees investor investors member members "
    "chef chefin vorgesetzte vorgesetzten rechtsabteilung "
    "jefe jefa equipo abogado responsable equipe avocat juridique"
)
# Places and tools the work could be put instead of going out.
_PLACES = _set(
    "inbox inboxes outbox mailbox mailboxes folder folders drive gdrive doc docs gdoc gdocs document notion slack "
    "channel channels wiki confluence sharepoint dropbox crm hubspot salesforce jira trello tracker archive "
    "archives desk queue system portal workspace notebook repository repo database db server cloud "
    "postfach ordner carpeta bandeja dossier boite"
)
# Where items come from: after "in"/"from" a source of the items, after "into"/"onto" a place the work goes.
_SOURCES = _set("file files csv sheet sheets spreadsheet spreadsheets table tables list lists page pages excel")
# What a reply can point its reader to: "refer them to our FAQ", "include a link to our website".
_CONTENT = _set(
    "faq faqs website site page pages link links blog article articles guide guides centre center webinar "
    "event events demo pricing documentation manual policy policies terms form forms"
)
_LANGUAGES = _set(
    "english german french spanish italian portuguese dutch polish swedish danish norwegian finnish japanese "
    "chinese mandarin korean russian arabic turkish greek czech hindi hebrew deutsch englisch franzosisch spanisch "
    "espanol ingles aleman frances anglais allemand espagnol francais"
)
# Context that states how the work flows is a rule: sending, reviewing or routing, or the replies themselves.
_FLOW = _set(
    "send sends sent sending forward forwards forwarded forwarding route routes routed routing review reviews "
    "reviewed reviewing approve approves approved approving check checks checked checking vet vets vetted "
    "vetting proofread proofreads edit edits edited editing escalate escalates escalated sign-off signs signed "
    "reply replies replied answer answers answered respond responds responded response responses draft drafts "
    "drafted email emails e-mail e-mails mail mails message messages outreach them these those outbox keep keeps kept "
    "store stores stored save saves saved file files filed put puts post posts posted"
)
_THIRD = _set("he she him her they someone somebody anyone everyone nobody")
_POSSESSIVE = _set("my our your his her their")
_WORD = re.compile(r"[^\W_][\w'’&.-]*")


def destination(part: str, *, located: bool = False) -> str | None:
    """Return the first phrase of ``part`` that sends the work to a person, role, team or place, if any.

    With ``located``, "in" + a name says where someone is ("a startup in Berlin"), not where the work goes.
    """
    raw = [w.rstrip(".'’") for w in _WORD.findall(part)]
    low = [(tokens(fold(w)) or [""])[0] for w in raw]
    for i, prep in enumerate(low):
        if prep not in _TOWARD or i + 1 >= len(low):
            continue
        end = next((j for j in range(i + 1, len(low)) if low[j] in _STOP), len(low))
        start = next((j for j in range(i + 1, end) if low[j] not in _DETERMINERS), end)
        if located and prep in _IN and raw[start : start + 1] and raw[start][:1].isupper():
            continue
        if _sends_to(prep, raw[start:end], low[start:end]):
            return " ".join(raw[i:end])
    return None


def _sends_to(prep: str, raw: list[str], low: list[str]) -> bool:
    """Return whether the noun phrase after ``prep`` is a person, role, team or place rather than the items."""
    if not low or (prep in ("for", "fur", "pour", "para") and low[0].endswith("ing")):  # "thank them for meeting us"
        return False
    if low[0] in _PEOPLE:
        return True
    places = _PLACES | _SOURCES if prep in _INTO else _PLACES
    if low[-1] in ITEMS or low[-1] in GENERIC or low[-1] in _CONTENT:  # "to the support tickets", "to our FAQ"
        return prep in _INTO and low[-1] in places
    named = raw[0][:1].isupper() and low[0] not in _LANGUAGES  # "by Dana", "for Legal", "into a Google Doc"
    return named or any(w in _ROLES or w in places for w in low)


def person_or_role(raw: str, low: str) -> bool:
    """Return whether one word names a person, a role or team, or someone by name ("me", "manager", "Dana")."""
    named = raw[:1].isupper() and low not in _LANGUAGES and low not in ITEMS and low not in GENERIC
    return low in _PEOPLE or low in _ROLES or named


def moves_work(part: str, words: list[str]) -> bool:
    """Return whether a statement says how the work flows: a destination, a flow verb or a third person."""
    owned = any(a in _POSSESSIVE and (b in _ROLES or b in _PLACES) for a, b in pairwise(words))
    return bool(destination(part, located=True)) or owned or any(w in _FLOW or w in _THIRD for w in words)
