"""What graph nodes use of memory: past corrections as examples, and memory's say in an assessment."""

from __future__ import annotations

import logging

from humangate.core.contract import RiskAssessment
from humangate.core.schemas import CorrectionExample
from humangate.memory.store import OVERRIDE_KINDS, Match, MemoryStore
from humangate.risk.memory import MemoryOutcome, apply_memory, example_of
from humangate.risk.policy import RiskPolicy

__all__ = ["Recall"]

_log = logging.getLogger("humangate.memory")
_EXAMPLES = 5
_RECENT_EDITS = 20


def _without(matches: list[Match], seen: set[int]) -> list[Match]:
    return [m for m in matches if m.correction.id not in seen]


class Recall:
    """Search one store under one risk policy; built by the Orchestrator and handed to runs."""

    def __init__(self, store: MemoryStore, policy: RiskPolicy) -> None:
        self.store = store
        self.policy = policy

    def _threshold(self, graph: str, node: str) -> float:
        chosen = self.policy.settings(graph, node).memory_similarity
        return chosen if chosen is not None else self.store.embedder.default_similarity

    def _recent_edits(self, graph: str, node: str) -> list[Match]:
        return self.store.recent(graph, node, kinds=["edit"], limit=_RECENT_EDITS)

    def examples(self, graph: str, node: str, key: str) -> list[CorrectionExample]:
        """Return past overrides at ``graph``/``node`` for an agent to learn from, the most similar first.

        Phrase swaps, deleted sentences and removed names only fire where the same words occur, so the
        gate's recent edits are included whatever their similarity.
        """
        cut = self._threshold(graph, node)
        try:
            if not self.store.has_active(graph, node):  # one indexed lookup instead of two searches
                return []
            found = self.store.search(graph, node, key, k=_EXAMPLES, kinds=OVERRIDE_KINDS)
            similar = [m for m in found if m.similarity >= cut]
            recent = _without(self._recent_edits(graph, node), {m.correction.id for m in similar})
        except Exception:  # memory improves a run; an unreachable embedding endpoint must not fail it
            _log.exception("Memory search failed at %s.%s; the agent works without past corrections", graph, node)
            return []
        return [example_of(m) for m in similar + recent]

    def assess(
        self,
        assessment: RiskAssessment,
        *,
        graph: str,
        node: str,
        key: str,
        proposal_text: str,
        always_review: bool = False,
        sample_key: str = "",
        run_id: str | None = None,
    ) -> MemoryOutcome:
        """Return ``assessment`` after the memory trigger and earned autonomy (see ``risk.memory``).

        ``run_id`` names the run being assessed: its starter's own approvals never earn it autonomy.
        """
        settings = self.policy.settings(graph, node)
        k = max(10, 2 * settings.autonomy_after + 1)
        try:
            stored = self.store.has_active(graph, node)  # a gate with no corrections yet: nothing to search
            # Corrections another embedder stored are invisible to search: memory cannot vouch for this gate.
            unreadable = self.store.unreadable(graph, node) if stored else {}
            starter = self.store.starter(run_id) if run_id and stored else None
            nearest = self.store.search(graph, node, key, k=k) if stored else []
            # Overrides are searched on their own, so that many similar approvals cannot crowd them out.
            overrides = self.store.search(graph, node, key, k=_EXAMPLES, kinds=OVERRIDE_KINDS) if stored else []
            edits = self._recent_edits(graph, node) if stored else []
        except Exception:  # without memory the assessment stands as the triggers made it: no autonomy either
            _log.exception("Memory search failed at %s.%s; the assessment stands without memory", graph, node)
            return MemoryOutcome(assessment)
        seen = {m.correction.id for m in nearest}
        matches = nearest + _without(overrides, seen)
        return apply_memory(
            assessment,
            matches,
            settings,
            proposal_text=proposal_text,
            threshold=self._threshold(graph, node),
            always_review=always_review,
            sample_key=sample_key or key,
            gate_edits=_without(edits, {m.correction.id for m in matches}),
            starter=starter,
            unreadable=unreadable,
        )
