"""Turn agent inputs and outputs into the source excerpts a reviewer sees beside a proposal."""

from __future__ import annotations

from collections.abc import Sequence

from humangate.core.contract import SourceExcerpt
from humangate.core.schemas import Brief, Source

__all__ = ["brief_sources", "claim_sources"]

_EXCERPT = 4_000


def _excerpt(source: Source) -> SourceExcerpt:
    text = source.text if len(source.text) <= _EXCERPT else source.text[:_EXCERPT] + " …"
    return SourceExcerpt(id=source.id, title=source.title, excerpt=text, url=source.url)


def brief_sources(sources: Sequence[Source]) -> list[SourceExcerpt]:
    """Return every source as an excerpt (long ones cut, as text, never markup)."""
    return [_excerpt(s) for s in sources[:50]]


def claim_sources(brief: Brief, used: Sequence[int], sources: Sequence[Source]) -> list[SourceExcerpt]:
    """Return the claims a draft used, each with the sources it cites, so reviewers can check them."""
    by_id = {s.id: s for s in sources}
    out: list[SourceExcerpt] = []
    for index in used:
        if not 0 <= index < len(brief.claims):
            continue
        claim = brief.claims[index]
        cited = ", ".join(claim.source_ids)
        out.append(SourceExcerpt(id=f"claim-{index}", title=f"Claim {index} (cites {cited})", excerpt=claim.text))
    cited_ids = {sid for i in used if 0 <= i < len(brief.claims) for sid in brief.claims[i].source_ids}
    out.extend(_excerpt(by_id[sid]) for sid in sorted(cited_ids) if sid in by_id)
    return out
