"""Host names in running text: bare (``zeta-verify.example``), sub-domains, and defanged or spelled out.

A token counts as a host when its last label is a known top-level domain. The list is compact on purpose:
the common generic TLDs, the reserved ones (``example``, ``test``, ``invalid``, ``local``) and every
two-letter country code. Two-label tokens whose "TLD" is also a common file extension (``setup.py``,
``README.md``) are left out, so are abbreviations (``e.g.``, ``U.S.``) and version numbers, which never
reach the pattern (one-letter labels, digits-only TLDs).
"""

from __future__ import annotations

import re

__all__ = ["find_hosts", "undefang"]

_GENERIC = (
    "com net org edu gov mil int info biz name pro mobi aero coop museum travel jobs tel asia post arpa "
    "example test invalid local localhost internal lan corp home onion "
    "app dev page web site online website store shop tech xyz top icu club live link click email news blog "
    "cloud digital agency company solutions services network systems global world today media group team "
    "studio design finance money bank insurance legal law health care tools software zone fun vip wiki "
    "support help login secure account accounts verify review"
)
_COUNTRIES = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz "
    "ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk "
    "fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq "
    "ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh "
    "mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk "
    "pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st sv sx sy sz tc "
    "td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
)
TLDS = frozenset((_GENERIC + " " + _COUNTRIES).split())
# Country codes that are also everyday file extensions: "setup.py", "notes.md", "run.sh" name files, not hosts.
_FILE_LIKE = frozenset(["py", "rs", "md", "sh", "pl", "ps", "cc", "so", "ml", "mk", "am", "cs", "rb", "gz"])

_HOST = re.compile(
    r"(?<![@\w.\-/])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}))(?![\w@\-]|\.[a-z0-9])", re.I
)
_DEFANG = [
    (re.compile(r"\s*[\[({]\s*(?:\.|dot)\s*[\])}]\s*", re.I), "."),  # "[.]", "(.)", "{.}", "[dot]"
    (re.compile(r"\s*[\[({]\s*(?:/|slash)\s*[\])}]\s*", re.I), "/"),
    (re.compile(r"\[\s*:\s*\]"), ":"),
    (re.compile(r"\bhxxp(s?)\b", re.I), r"http\1"),
    (re.compile(r"(?<=\w)\s+dot\s+(?=\w)", re.I), "."),  # "zeta-verify dot example"
    (re.compile(r"(?<=\w)\s+(?:forward\s+)?slash\s+(?=\w)", re.I), "/"),  # "... slash partners"
]


def undefang(text: str) -> str:
    """Return ``text`` with defanged or spelled-out links written back as links ("[.]", " dot ", " slash ")."""
    for pattern, repl in _DEFANG:
        text = pattern.sub(repl, text)
    return text


def _is_host(host: str, tld: str) -> bool:
    labels = host.split(".")
    if tld.lower() not in TLDS or not any(c.isalpha() for c in "".join(labels[:-1])):
        return False
    if any(len(label) < 2 for label in labels[:-1]):
        return False  # "e.g", "U.S", "a.m"
    # "Porto.The" is a missing space after a full stop; a host's TLD is written in one case.
    if not (tld.islower() or host.isupper()):
        return False
    return not (len(labels) == 2 and tld.lower() in _FILE_LIKE)


def find_hosts(text: str) -> list[str]:
    """Return the bare host names in ``text`` (not e-mail domains), after undoing defanging."""
    return [m.group(1) for m in _HOST.finditer(undefang(text)) if _is_host(m.group(1), m.group(2))]
