"""Tell when a part of a task asks for an effect no graph has: another channel, an attachment, another message.

The graphs send one email (or one reply) per item, with a text body and nothing attached. A task that asks
for a text message, a call, a post on LinkedIn or a reply on the forum, for the price list attached, or
for a follow-up, a digest or a calendar invite besides the email, asks for something the planner cannot
do: the email would go out in its place. So the claim readers leave such a part unclaimed, and every
effect waits for a person. The test is by word class, not by phrase:

- a channel: a verb of the channel itself ("text them", "call them", "whatsapp them"), a channel after
  a preposition or "use" ("by SMS", "on LinkedIn", "via chat", "use WhatsApp"), a message of that channel
  ("a LinkedIn message", "a text"), and a public answer ("publicly", "on the review site");
- an attachment: "attach", "enclose", "attachment", or a document ("the contract", "the price list", "a
  PDF", "our deck") as the object of include, add, send along;
- another message than the one each item gets: "a follow-up", "a reminder", "a digest", "an invite",
  "two emails", "a sequence".

"Call it a pilot" and "call them by their first name" name things, not a channel.
"""

from __future__ import annotations

import re

__all__ = ["unsupported"]

_CHANNELS = (
    r"sms|texts?|text messages?|whatsapp|signal|telegram|imessage|wechat|viber|linkedin|inmail|twitter|tweets?|"
    r"x\.com|facebook|messenger|instagram|insta|tiktok|reddit|forum|forums|community forum|discord|"
    r"phone|telephone|phones|voicemail|voice ?mail|post|snail ?mail|fax|chat|live chat|"
    r"intercom|zendesk|freshdesk|dms?|direct messages?|reviews? site|review page|trustpilot|"
    r"google reviews|yelp|social media|socials"
)
_CHANNEL = re.compile(
    rf"^(?:text|sms|call|phone|ring|whatsapp|dm|tweet|fax|telephone|skype|zoom)\b(?! (?:it|this|that)\b)"
    rf"(?!.*\bby (?:their |his |her )?(?:first |last |full )?names?\b)"
    rf"|\b(?:by|via|over|through|on|using|per) (?:a |an |the |our |their |his |her |your )?"
    rf"(?:public |private )?(?:{_CHANNELS})\b"
    rf"|\buse (?:a |an |the |our )?(?:{_CHANNELS})\b"
    r"|\bin (?:their |the |a )?(?:dms?|direct messages?|whatsapp|the chat|comments)\b"
    # the other languages: "per Telefon", "por teléfono", "par SMS", "sur Twitter", "eine SMS"
    r"|\b(?:per|por|par|sur|via|su|op|pelo|pela|tramite|am|al) (?:el |la |le |il |lo |o |a |het |de |dem )?"
    r"(?:telefon\w*|telephone|twitter|sms|whatsapp|linkedin|chat|brief|carta|lettre|lettera|courrier)\b"
    r"|\b(?:eine?|una?|une?|um|uma|ein) (?:sms|whatsapp|anruf|llamada|appel|telefonata)\b"
    r"|\b(?:linkedin|twitter|facebook|instagram|whatsapp|slack|teams|sms|text|voice|forum) (?:messages?|posts?|dms?|"
    r"notes?|replies|reply|comments?)\b|\b(?:send|give|drop|shoot|leave) (?:them |him |her |each (?:one )?)?"
    r"(?:a |an )?(?:text|sms|dm|ring|call|voicemail|letter|fax|tweet|postcard)\b"
    r"|\bby (?:letter|courier|mail merge)\b|\bpublicly\b|\bin public\b|\bpost (?:it|them|these|the \w+|replies"
    r"|a reply|an answer)\b|\bgo public\b"
    r"|\b(?:ruf|rufe)\w* (?:\w+ )?an\b|\banruf\w*|\bllam\w*|\bappel\w*|\bligu\w* para\b|\bchiam\w*|\bbel (?:ze|hem"
    r"|haar)\b"
)
_DOCUMENTS = (
    r"contracts?|price ?lists?|pricelists?|pricing sheets?|brochures?|catalog(?:ue)?s?|pdfs?|decks?|pitch decks?|"
    r"slides?|one-pagers?|datasheets?|data sheets?|white ?papers?|case stud(?:y|ies)(?: pdf)?|invoices?|receipts?|"
    r"ndas?|agreements?|proposals?|spreadsheets?|sheets?|files?|documents?|docs?|"
    r"screenshots?|photos?|images?|pictures?|terms(?: and conditions)?|forms?|reports?|presentations?|cvs?|resumes?"
)
_ATTACH = re.compile(
    r"\battach(?:es|ing|ments?)?\b|\benclos(?:e|es|ing|ure|ures)\b|\bh(?:a|ae)ng\w* (?:\w+ ){0,4}an\b|\banhang\w*"
    r"|\badjunt\w*|\bjoindre\b"
    r"|\bjoins (?:la|le|les|un|une|l')|\bpieces? jointes?\b|\banex[aeo]\w*|\ballega(?:re|to|ti)?\b"
    r"|\bvoeg\w* (?:\w+ ){0,4}toe\b|\bbijlage\b"
    rf"|\b(?:include|add|send|share|forward|put in|drop in|bring) (?:along )?(?:them |em |him |her |each |me )?(?:a "
    rf"|an |the |our |their |my |your |"
    rf"a copy of (?:the |their |our )?)?(?:[\w-]+ )?(?:{_DOCUMENTS})"
    r"(?=\s*(?:$|[,;!?]|\.\s|(?:along|too|as well|with|for|attached|as|and|in|here|there)\b))"
    rf"|\b(?:{_DOCUMENTS}) (?:along|attached|as (?:an )?attachment|too|as well)\b"
    r"|\bsend (?:the |our |a )?[\w -]{1,30}? along\b"
)
# Messages besides the one each item gets.
_OTHER_MESSAGE = re.compile(
    r"\b(?:send|schedule|set up|add|queue|plan) (?:them |each (?:one )?|him |her )?(?:a |an |the |one |"
    r"another |two |three |several )?(?:second |2nd |extra |additional |separate |calendar |meeting |drip )?"
    r"(?:follow-?ups?|reminders?|digests?|sequences?|cadences?|campaigns?|"
    r"newsletters?|surveys?|nudges?|bumps?|touch(?:es)?|touchpoints?)\b"
    r"|\b(?:erinnerung|relance|rappel|promemoria|herinnering|lembrete|recordatorio|seguimiento|nachfass\w*)\b"
    r"|\b(?:calendar|meeting|zoom|teams|google|outlook) invit\w*|\bfollow(?:-| )?up\b(?! (?:email|message|note|reply"
    r"|on (?:their|the|our) \w+))"
    r"|\b(?:two|three|four|five|several|multiple|\d+) (?:e-?mails?|messages?|replies|notes?) (?:to|for|per) (?:each|"
    r"every|them|all)\b|\bone (?:e-?mail|message|reply) (?:with|containing|listing|for) (?:all|every|each)\b"
)


def unsupported(folded: str) -> bool:
    """Return whether the folded part asks for a channel, an attachment or a message no graph sends."""
    return bool(_CHANNEL.search(folded) or _ATTACH.search(folded) or _OTHER_MESSAGE.search(folded))
