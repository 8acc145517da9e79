"""Extract an HTML page's main text, its title and its sections, with Beautiful Soup's pure-Python parser.

The main text is what a reader of the page sees as its content: the ``<main>`` or ``<article>`` element
when the page has one, else the body without navigation, headers, footers, sidebars, cookie banners,
forms, scripts and hidden elements. Text the page leaves in but hides from a sighted reader (white on
white, a font of a pixel, opacity 0, off screen, a screen-reader-only class) is an attack signal: when it
says more than a label it is kept as a marked comment (``risk._hidden_text.hidden_comment``) that the
injection checks report and claim selection leaves out, and a note says so. Headings (``h1`` to ``h3``)
cut it into sections; a heading's ``id`` becomes the URL fragment a citation links to. Blocks are
separated by blank lines, so a heading or a list item never runs into the next sentence.
"""

from __future__ import annotations

import re
import secrets
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag
from bs4.element import NavigableString

from humangate.risk._hidden_text import MIN_HIDDEN_WORDS, hidden_comment, style_hides
from humangate.sources.documents import Document, Part, slug

__all__ = ["read_html"]

_DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "canvas",
    "iframe",
    "object",
    "embed",
    "form",
    "button",
    "select",
    "textarea",
    "input",
    "head",
)
_CHROME = ("nav", "header", "footer", "aside")
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog"})
_CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:cookie|consent|breadcrumbs?|sidebar|navbar|menu|social|share|newsletter|advert|ads|skip)(?:$|[\s_-])",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BLOCKS = (
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "pre",
    "blockquote",
    "figure",
    "figcaption",
    "address",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
)
_HEADINGS = ("h1", "h2", "h3")


def _hidden(tag: Tag) -> bool:
    return (
        tag.has_attr("hidden")
        or str(tag.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))
    )


def _visually_hidden(tag: Tag) -> str | None:
    """Return how ``tag`` hides its text from a sighted reader while leaving it in the page, or None."""
    found = tag.get("class")
    classes = found.split() if isinstance(found, str) else [str(c) for c in found or []]
    backgrounds = [str(p.get("style", "")) for p in tag.parents if isinstance(p, Tag) and p.get("style")]
    return style_hides(str(tag.get("style", "")), classes, backgrounds)


def _keep_hidden(soup: BeautifulSoup) -> list[str]:
    """Replace text the page hides from a reader by a marked comment (a finding), or drop it when it is a label.

    Hidden text is an attack signal: it is kept where a reviewer and the injection check see it, and
    ``strip_hidden`` keeps it out of claims. A few words ("Skip to content") are page chrome and go.
    """
    found: list[str] = []
    for tag in list(soup.find_all(True)):
        if not isinstance(tag, Tag) or tag.decomposed:
            continue
        how = _visually_hidden(tag)
        if how is None:
            continue
        text = " ".join(tag.get_text(" ").split())
        if len(re.findall(r"[^\W\d_]{2,}", text)) >= MIN_HIDDEN_WORDS:
            tag.replace_with(NavigableString(f"\n\n{hidden_comment(how, text)}\n\n"))
            found.append(how)
        else:
            tag.decompose()
    return found


def _chrome(tag: Tag) -> bool:
    if tag.name in _CHROME and tag.find_parent(["main", "article"]) is None:
        return True
    if str(tag.get("role", "")).lower() in _CHROME_ROLES:
        return True
    names = " ".join([*(tag.get("class") or []), str(tag.get("id", ""))])
    return tag.name in ("div", "section", "ul", "span") and bool(_CHROME_NAMES.search(names))


def _title(soup: BeautifulSoup) -> str:
    if soup.title and soup.title.get_text(strip=True):
        return " ".join(soup.title.get_text().split())
    meta = soup.find("meta", attrs={"property": "og:title"})
    if isinstance(meta, Tag) and meta.get("content"):
        return " ".join(str(meta["content"]).split())
    first = soup.find("h1")
    return " ".join(first.get_text().split()) if first else ""


def _root(soup: BeautifulSoup) -> Tag:
    """Return the element that holds the page's content: the largest main or article, else the body."""
    candidates = [t for t in soup.find_all(["main", "article"]) if isinstance(t, Tag)]
    if candidates:
        return max(candidates, key=lambda t: len(t.get_text()))
    return soup.body or soup


def read_html(data: bytes, charset: str | None = None) -> Document:
    """Return an HTML page's title and main text cut into sections at its headings."""
    with warnings.catch_warnings():
        # A short page may look like a file name or URL to bs4; it is the page, not a locator.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(data, "html.parser", from_encoding=charset)
    title = _title(soup)
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in list(soup.find_all(True)):
        if isinstance(tag, Tag) and not tag.decomposed and (_hidden(tag) or _chrome(tag)):
            tag.decompose()
    hidden = _keep_hidden(soup)
    root = _root(soup)
    # Headings are replaced by a marker no page can forge (a fresh random token), then found again as lines.
    token = secrets.token_hex(8)
    marker = re.compile(rf"^\ue000{token}:(\d+)\ue000$")
    headings: list[tuple[str, str, str]] = []  # (anchor, label, fragment)
    for tag in root.find_all(_HEADINGS):
        text = " ".join(tag.get_text().split())
        if not text:
            continue
        fragment = str(tag.get("id") or "")
        headings.append((slug(fragment or text) or f"section-{len(headings) + 1}", text[:200], fragment))
        tag.replace_with(NavigableString(f"\n\n\ue000{token}:{len(headings) - 1}\ue000\n\n"))
    for tag in root.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    for br in root.find_all("br"):
        br.replace_with("\n")
    parts: list[Part] = [Part("top", "top of the page", "")]
    blocks: list[str] = []
    for line in root.get_text().split("\n\n"):
        line = " ".join(line.split())
        if not line:
            continue
        mark = marker.match(line)
        if mark:
            parts[-1] = Part(parts[-1].anchor, parts[-1].label, "\n\n".join(blocks), parts[-1].fragment)
            anchor, label, fragment = headings[int(mark.group(1))]
            parts.append(Part(anchor, label, "", fragment))
            blocks = []
        else:
            blocks.append(line)
    parts[-1] = Part(parts[-1].anchor, parts[-1].label, "\n\n".join(blocks), parts[-1].fragment)
    notes = [f"the page hides text from a human reader ({how}); it is kept as a marked comment" for how in hidden]
    return Document(title, parts, list(dict.fromkeys(notes)))
