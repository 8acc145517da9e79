"""A page's own style sheet, as the HTML reader needs it: which declarations reach an element.

Only rules whose selectors name a tag, classes and ids (``p.note``, ``#promo``, ``.a.b``) are read, in CSS
specificity order, with ``@media`` rules (not print) as applying on some screens only; legacy ``color`` and
``bgcolor`` attributes come first and the inline ``style`` last. Descendant, attribute and pseudo-class
selectors are not read. Private to ``humangate.sources``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

__all__ = ["Sheet", "classes_of", "styles_of"]

_MAX_CSS = 1_000_000  # characters of <style> read; a page's real style sheet is far smaller
_LEGACY_HEX = re.compile(r"^[0-9a-f]{3}(?:[0-9a-f]{3})?$", re.I)


@dataclass(frozen=True)
class _Rule:
    tag: str | None
    classes: frozenset[str]
    ids: frozenset[str]
    rank: tuple[int, int, int, int]  # CSS specificity (ids, classes, type), then order in the sheet
    style: str
    conditional: bool  # inside @media: applies on some screens only


_SIMPLE = re.compile(r"^([a-z][a-z0-9-]*)?((?:[.#][\w-]+)+)$", re.I)
_SIMPLE_PART = re.compile(r"([.#])([\w-]+)")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)


def _css_rules(css: str, conditional: bool = False, depth: int = 0) -> list[tuple[str, str, bool]]:
    """Return ``(selectors, declarations, conditional)`` of each rule; ``@media`` rules (not print) are conditional."""
    rules: list[tuple[str, str, bool]] = []
    i = 0
    braces = re.compile(r"[{}]")
    while (opening := css.find("{", i)) >= 0:
        prelude = re.split(r"[;}]", css[i:opening])[-1].strip()
        level, end = 1, len(css)
        for m in braces.finditer(css, opening + 1):
            level += 1 if m.group() == "{" else -1
            if level == 0:
                end = m.start()
                break
        inner = css[opening + 1 : end]
        if prelude.startswith("@"):
            name = prelude.split(None, 1)[0].lower()
            if name in ("@media", "@supports", "@layer", "@container") and depth < 4 and "print" not in prelude:
                rules += _css_rules(inner, conditional or name != "@layer", depth + 1)
        else:
            rules.append((prelude, inner, conditional))
        i = end + 1
    return rules


@dataclass
class Sheet:
    """The rules of a page's ``<style>`` elements that name classes and ids, found by class and by id."""

    by_key: dict[str, list[_Rule]] = field(default_factory=dict)

    @classmethod
    def of(cls, soup: BeautifulSoup) -> Sheet:
        css = _CSS_COMMENT.sub("", "\n".join(t.get_text() for t in soup.find_all("style"))[:_MAX_CSS])
        sheet = cls()
        for order, (selectors, style, conditional) in enumerate(_css_rules(css)):
            for selector in selectors.split(","):
                m = _SIMPLE.match(selector.strip())
                if m is None or ":" not in style:
                    continue  # descendant, attribute and pseudo-class selectors are not read
                parts = _SIMPLE_PART.findall(m.group(2))
                classes = frozenset(name for kind, name in parts if kind == ".")
                ids = frozenset(name for kind, name in parts if kind == "#")
                tag = m.group(1).lower() if m.group(1) else None
                rule = _Rule(
                    tag, classes, ids, (len(ids), len(classes), int(tag is not None), order), style, conditional
                )
                key = f"#{min(ids)}" if ids else f".{min(classes)}"
                sheet.by_key.setdefault(key, []).append(rule)
        return sheet

    def styles(self, tag: Tag, classes: list[str]) -> tuple[str, str]:
        """Return the declarations the sheet gives ``tag`` on every screen, and on some screen, in cascade order."""
        if not self.by_key:
            return "", ""
        ident = str(tag.get("id") or "")
        keys = [f"#{ident}"] if ident else []
        keys += [f".{c}" for c in classes]
        have = set(classes)
        matched = [
            rule
            for key in dict.fromkeys(keys)
            for rule in self.by_key.get(key, ())
            if (rule.tag is None or rule.tag == tag.name) and rule.classes <= have and rule.ids <= {ident}
        ]
        matched = sorted(set(matched), key=lambda r: r.rank)
        always = "; ".join(r.style for r in matched if not r.conditional)
        return always, "; ".join(r.style for r in matched)


def classes_of(tag: Tag) -> list[str]:
    found = tag.get("class")
    return found.split() if isinstance(found, str) else [str(c) for c in found or []]


def _legacy(value: str) -> str:
    """Return a legacy colour attribute ("ffffff", "#fff", "white") as CSS."""
    value = value.strip()
    return f"#{value}" if _LEGACY_HEX.match(value) else value


def styles_of(tag: Tag, sheet: Sheet, classes: list[str]) -> tuple[str, str]:
    """Return ``tag``'s style on every screen and on some screen: colour attributes, then the sheet, then inline."""
    hints = []
    if tag.get("color"):
        hints.append(f"color: {_legacy(str(tag['color']))}")
    if tag.get("bgcolor"):
        hints.append(f"background-color: {_legacy(str(tag['bgcolor']))}")
    always, some = sheet.styles(tag, classes)
    inline = str(tag.get("style", ""))
    return "; ".join([*hints, always, inline]), "; ".join([*hints, some, inline])
