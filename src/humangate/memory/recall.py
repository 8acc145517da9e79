"""What graph nodes use of memory: past corrections as examples, and memory's say in an assessment."""

from __future__ import annotations

from humangate.agents.schemas import CorrectionExample
from humangate.memory.store import MemoryStore
from humangate.review.contract import RiskAssessment
from humangate.risk.memory import MemoryOutcome, apply_memory, example_of
from humangate.risk.policy import RiskPolicy

__all__ = ["Recall"]

_EXAMPLES = 5


class Recall:
    """Search one store under one risk policy; built by the Orchestrator and handed to runs."""

    def __init__(self, store: MemoryStore, policy: RiskPolicy) -> None:
        self.store = store
        self.policy = policy

    def _threshold(self, graph: str, node: str) -> float:
        chosen = self.policy.settings(graph, node).memory_similarity
        return chosen if chosen is not None else self.store.embedder.default_similarity

    def examples(self, graph: str, node: str, key: str) -> list[CorrectionExample]:
        """Return the most similar overrides at ``graph``/``node``, for an agent to learn from."""
        cut = self._threshold(graph, node)
        found = self.store.search(graph, node, key, k=3 * _EXAMPLES)
        return [example_of(m) for m in found if m.correction.overridden and m.similarity >= cut][:_EXAMPLES]

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
    ) -> MemoryOutcome:
        """Return ``assessment`` after the memory trigger and earned autonomy (see ``risk.memory``)."""
        settings = self.policy.settings(graph, node)
        k = max(10, 2 * settings.autonomy_after + 1)
        return apply_memory(
            assessment,
            self.store.search(graph, node, key, k=k),
            settings,
            proposal_text=proposal_text,
            threshold=self._threshold(graph, node),
            always_review=always_review,
            sample_key=sample_key or key,
        )
