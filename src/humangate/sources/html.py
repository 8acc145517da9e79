"""Extract an HTML page's main text, its title and its sections, with Beautiful Soup's pure-Python parser.

The main text is what a reader of the page sees as its content: the ``<main>`` or ``<article>`` element
when the page has one, else the body without navigation, headers, footers, sidebars, cookie banners,
forms, scripts and hidden elements. Text the page leaves in but hides from a sighted reader (white on
white, a font of a pixel, opacity 0, off screen, a screen-reader-only class, a rule of the page's own
``<style>`` sheet, a legacy ``color`` attribute, an unopened ``<dialog>``, ``<noframes>``, a CDATA
section) is an attack signal: when it says more than a label it is kept as a marked comment
(``risk._hidden_text.hidden_comment``) that the injection checks report and claim selection leaves out,
and a note says so. Headings (``h1`` to ``h3``) cut it into sections; a heading's ``id``, percent-encoded,
becomes the URL fragment a citation links to. Blocks are separated by blank lines, so a heading or a list
item never runs into the next sentence.

The page is read in one walk over its tree, without changing it: the work grows with the page, never with
the square of it (a bs4 tree edit looks the element up among its siblings).
"""

from __future__ import annotations

import re
import secrets
import time
import warnings
from dataclasses import dataclass, field
from itertools import accumulate
from urllib.parse import quote

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag
from bs4.element import (
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Script,
    Stylesheet,
    TemplateString,
)

from humangate.risk._hidden_text import MIN_HIDDEN_WORDS, hidden_comment, style_hides
from humangate.sources._stylesheet import Sheet, classes_of, styles_of
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
_CONTENT = ("main", "article")
_UNSHOWN = (CData, Declaration, Doctype, ProcessingInstruction)  # text a browser renders as nothing
_NOT_TEXT = (Comment, Script, Stylesheet, TemplateString)
_READ_SECONDS = 20.0  # reading one page stops here; the text read so far is kept, and a note says so


# --- what the page shows, drops or hides ------------------------------------------------------------------


def _hidden(tag: Tag) -> bool:
    return (
        tag.has_attr("hidden")
        or str(tag.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))
    )


def _chrome(tag: Tag, in_content: bool, classes: list[str]) -> bool:
    if tag.name in _CHROME and not in_content:
        return True
    if str(tag.get("role", "")).lower() in _CHROME_ROLES:
        return True
    names = " ".join([*classes, str(tag.get("id", ""))])
    return tag.name in ("div", "section", "ul", "span", "dialog") and bool(_CHROME_NAMES.search(names))


def _not_shown(tag: Tag) -> str | None:
    if tag.name == "dialog" and not tag.has_attr("open"):
        return "a dialog that is never opened"
    if tag.name == "noframes":
        return "a noframes section, which browsers do not show"
    return None


def _all_text(tag: Tag) -> str:
    """Return the text of ``tag`` and everything in it, scripts and styles left out."""
    out: list[str] = []
    todo: list[PageElement] = [tag]
    while todo:
        node = todo.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                out.append(str(node))
        elif isinstance(node, Tag) and (node is tag or node.name not in _DROP):
            todo.extend(reversed(node.contents))
        if len(out) > 20_000:
            break
    return " ".join(" ".join(out).split())


def _title(soup: BeautifulSoup) -> str:
    if soup.title and soup.title.get_text(strip=True):
        return " ".join(soup.title.get_text().split())
    meta = soup.find("meta", attrs={"property": "og:title"})
    if isinstance(meta, Tag) and meta.get("content"):
        return " ".join(str(meta["content"]).split())
    first = soup.find("h1")
    return " ".join(first.get_text().split()) if first else ""


_Backgrounds = tuple[str, "_Backgrounds"] | None  # the styles of ancestors that set a background, nearest first


def _nearest(backgrounds: _Backgrounds, limit: int = 8) -> list[str]:
    out: list[str] = []
    while backgrounds is not None and len(out) < limit:
        out.append(backgrounds[0])
        backgrounds = backgrounds[1]
    return out


@dataclass
class _Reader:
    """One walk over a page: its text as pieces, its headings, the hidden text it kept and where content is."""

    sheet: Sheet
    token: str
    pieces: list[str] = field(default_factory=list)
    comments: set[int] = field(default_factory=set)  # indexes of pieces that are hidden comments
    headings: list[tuple[str, str, str]] = field(default_factory=list)  # (anchor, label, fragment)
    hidden: list[str] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)  # pieces of each <main> and <article>
    body: tuple[int, int] | None = None
    cut: bool = False  # reading stopped at the deadline

    def conceal(self, how: str, text: str) -> None:
        """Keep hidden text as a marked comment when it says more than a label; drop a label."""
        if len(re.findall(r"[^\W\d_]{2,}", text)) >= MIN_HIDDEN_WORDS:
            self.comments.add(len(self.pieces))
            self.pieces.append(f"\n\n{hidden_comment(how, text)}\n\n")
            self.hidden.append(how)

    def hides(self, tag: Tag, classes: list[str], backgrounds: _Backgrounds) -> tuple[str | None, str]:
        """Return how ``tag`` hides its text from a sighted reader (or None) and its style on every screen."""
        if how := _not_shown(tag):
            return how, ""
        if not classes and not any(k in tag.attrs for k in ("style", "id", "color", "bgcolor")):
            return None, ""  # nothing styles it: the common case, kept fast
        always, some = styles_of(tag, self.sheet, classes)
        outer = _nearest(backgrounds)
        how = style_hides(always, classes, outer)
        if how is not None and some != always and style_hides(some, classes, outer) is None:
            how = None  # a rule for some screens shows it: a responsive layout, not hidden text
        return how, always

    def walk(self, top: Tag) -> None:
        # Entries: (node, in <main>/<article>, in a heading, backgrounds) to read, or (tag, start, heading) to close.
        todo: list[tuple[PageElement, bool, bool, _Backgrounds] | tuple[Tag, int, bool]] = [(top, False, False, None)]
        deadline = time.monotonic() + _READ_SECONDS
        steps = 0
        while todo:
            steps += 1
            if steps % 4096 == 0 and time.monotonic() > deadline:
                # A page that takes this long is hostile or absurd: keep what was read, say the rest was not.
                self.cut, self.body, self.content = True, None, []
                return
            entry = todo.pop()
            if len(entry) == 3:
                self.close(*entry)
                continue
            node, in_content, in_heading, backgrounds = entry
            if isinstance(node, NavigableString):
                if isinstance(node, _UNSHOWN):
                    self.conceal(
                        "a CDATA section" if isinstance(node, CData) else "markup a browser does not show", node
                    )
                elif not isinstance(node, _NOT_TEXT):
                    self.pieces.append(str(node))
                continue
            if not isinstance(node, Tag):
                continue
            if node is not top:
                if node.name in _DROP:
                    continue
                classes = classes_of(node)
                if _hidden(node) or _chrome(node, in_content, classes):
                    continue
                how, style = self.hides(node, classes, backgrounds)
                if how is not None:
                    self.conceal(how, _all_text(node))
                    continue
                if "background" in style:
                    backgrounds = (style, backgrounds)
            if node.name == "br":
                self.pieces.append("\n")
                continue
            heading = node.name in _HEADINGS and not in_heading
            if node.name in _BLOCKS or heading:
                self.pieces.append("\n\n")
            todo.append((node, len(self.pieces), heading))
            in_content = in_content or node.name in _CONTENT
            in_heading = in_heading or heading
            todo.extend((child, in_content, in_heading, backgrounds) for child in reversed(node.contents))

    def close(self, tag: Tag, start: int, heading: bool) -> None:
        if heading and self.heading(tag, start):
            return
        if tag.name in _CONTENT:
            self.content.append((start, len(self.pieces)))
        elif tag.name == "body" and self.body is None:
            self.body = (start, len(self.pieces))
        if tag.name in _BLOCKS:
            self.pieces.append("\n\n")

    def heading(self, tag: Tag, start: int) -> bool:
        """Replace a heading's pieces by a marker no page can forge; its hidden comments follow it. False if empty."""
        inside = range(start, len(self.pieces))
        text = " ".join("".join(self.pieces[i] for i in inside if i not in self.comments).split())
        if not text or any(s >= start for s, _ in self.content):
            self.pieces.append("\n\n")
            return bool(text)
        kept = [self.pieces[i] for i in inside if i in self.comments]
        del self.pieces[start:]
        self.comments = {i for i in self.comments if i < start}
        raw = str(tag.get("id") or "")
        fragment = quote(raw[:200], safe="-._~")  # a URL fragment, never markup or quotes
        self.headings.append((slug(raw or text) or f"section-{len(self.headings) + 1}", text[:200], fragment))
        self.pieces.append(f"\ue000{self.token}:{len(self.headings) - 1}\ue000\n\n")
        for comment in kept:
            self.comments.add(len(self.pieces))
            self.pieces.append(comment)
        return True

    def main_text(self) -> str:
        """Return the text of the largest <main> or <article>, else of the body, else of the page."""
        span = self.body or (0, len(self.pieces))
        if self.content:
            ends = [0, *accumulate(len(p) for p in self.pieces)]
            span = max(self.content, key=lambda s: ends[s[1]] - ends[s[0]])
        return "".join(self.pieces[span[0] : span[1]])


def read_html(data: bytes, charset: str | None = None) -> Document:
    """Return an HTML page's title and main text cut into sections at its headings."""
    with warnings.catch_warnings():
        # A short page may look like a file name or URL to bs4; it is the page, not a locator.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(data, "html.parser", from_encoding=charset)
    title = _title(soup)
    # Headings are replaced by a marker no page can forge (a fresh random token), then found again as lines.
    reader = _Reader(Sheet.of(soup), secrets.token_hex(8))
    reader.walk(soup)
    marker = re.compile(rf"^\ue000{reader.token}:(\d+)\ue000$")
    parts: list[Part] = [Part("top", "top of the page", "")]
    blocks: list[str] = []
    for line in reader.main_text().split("\n\n"):
        line = " ".join(line.split())
        if not line:
            continue
        mark = marker.match(line)
        if mark:
            parts[-1] = Part(parts[-1].anchor, parts[-1].label, "\n\n".join(blocks), parts[-1].fragment)
            anchor, label, fragment = reader.headings[int(mark.group(1))]
            parts.append(Part(anchor, label, "", fragment))
            blocks = []
        else:
            blocks.append(line)
    parts[-1] = Part(parts[-1].anchor, parts[-1].label, "\n\n".join(blocks), parts[-1].fragment)
    notes = [
        f"the page hides text from a human reader ({how}); it is kept as a marked comment" for how in reader.hidden
    ]
    if reader.cut:
        notes.append(f"the page took more than {_READ_SECONDS:g} s to read; only its beginning was read")
    return Document(title, parts, list(dict.fromkeys(notes)))
