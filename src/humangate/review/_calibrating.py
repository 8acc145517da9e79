"""The Orchestrator's learning from reviewers: refit each gate's escalation router, roll it back, say what it promises.

``calibrate`` reads the gate's labels (``memory.router_labels``), fits and checks a refit against the
active router (``risk.router.learning``), and stores the attempt, accepted or refused, as a version
with an audit event (``memory.router_versions``). On top of the refit's own checks it refuses labels
from a reviewer whom the oversight report flags for rubber-stamp signals: a manager looks at their
decisions first, then refits without them (``exclude``) if they must. ``refit_due`` is the panel's
schedule: a gate is refitted when its last attempt is older than the period and new labels came in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from humangate.checkpoints.database import Database
from humangate.checkpoints.schema import router_versions
from humangate.graphs.common import GraphDeps
from humangate.graphs.registry import GraphRegistry
from humangate.memory.router_labels import LabelSet, read_labels
from humangate.memory.router_versions import RouterBook, RouterVersion, list_versions, record_refit, rollback
from humangate.oversight.guarantee import Promise
from humangate.oversight.quality import compute_quality
from humangate.risk.router import default_router
from humangate.risk.router.learning import evaluate_refit

__all__ = ["CalibratingMixin", "Calibration"]

ROUTER_GATES: tuple[tuple[str, str], ...] = (("support", "review_reply"),)
"""The gates whose assessment asks the escalation router (``risk.assess_support``)."""


@dataclass
class Calibration:
    """One refit attempt at one gate: accepted or refused, why, and the figures behind it."""

    graph: str
    node: str
    accepted: bool
    reasons: list[str]
    summary: str
    version: int | None  # the stored row; None for a dry run
    replaces: int | None  # the version that was active (None: the shipped router)
    figures: dict[str, Any] = field(default_factory=dict)
    excluded: int = 0  # decisions left out on request
    skipped: int = 0  # labels whose text could not be read

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class CalibratingMixin:
    """Refit, list and roll back the escalation router of each gate."""

    db: Database
    deps: GraphDeps
    registry: GraphRegistry
    routers: RouterBook
    clock: Callable[[], float]

    def router_gates(self) -> list[tuple[str, str]]:
        """Return the gates that use the escalation router here, and any gate with stored versions."""
        with self.db.read() as conn:
            stored = conn.execute(select(router_versions.c.graph, router_versions.c.node).distinct()).all()
        names = set(self.registry.names())
        gates = {g for g in ROUTER_GATES if g[0] in names} | {(r.graph, r.node) for r in stored}
        return sorted(gates)

    def calibrate(
        self,
        graph: str = "support",
        node: str = "review_reply",
        *,
        actor: str = "cli",
        exclude: Collection[str] = (),
        dry_run: bool = False,
        min_labels: int = 50,
        min_held_positives: int = 10,
    ) -> Calibration:
        """Refit the gate's router on its reviewers' decisions; store and audit the attempt unless ``dry_run``.

        ``min_labels`` and ``min_held_positives`` are the least a refit is tried on and checked with.
        """
        settings = self.deps.policy.settings(graph, node)
        found = self._labels(graph, node, exclude)
        with self.db.read() as conn:
            quality = compute_quality(conn, now=self.clock(), graph=graph)
            parent = conn.execute(
                select(router_versions.c.id).where(
                    router_versions.c.graph == graph,
                    router_versions.c.node == node,
                    router_versions.c.status == "active",
                )
            ).scalar()
        self.routers.invalidate()
        active = self.routers.router(graph, node)  # raises when the active version cannot load: fail closed
        result = evaluate_refit(
            default_router(),
            active,
            found.labels,
            target=settings.target_recall,
            confidence=settings.recall_confidence,
            min_labels=min_labels,
            min_held_positives=min_held_positives,
        )
        contributors = {x.reviewer for x in found.labels}
        flagged = {r.reviewer: " ".join(r.flags) for r in quality.reviewers if r.flagged and r.reviewer in contributors}
        # Labels from a reviewer the oversight report flags for rubber-stamp signals are not learned from
        # until a manager has looked at their decisions (fail closed).
        reasons = list(result.reasons) + [
            f"labels come from {name}, whom the oversight report flags ({why}); check their decisions, then "
            f"refit with --exclude-reviewer {name} if they must be left out"
            for name, why in sorted(flagged.items())
        ]
        accepted = not reasons
        summary = (
            result.summary() if not flagged else f"Refit refused on {len(found.labels)} labels: " + "; ".join(reasons)
        )
        figures = result.figures | {"excluded": found.excluded, "skipped": found.skipped}
        if flagged:
            figures["flagged_reviewers"] = flagged
        version = None
        if not dry_run:
            model = result.router.to_bytes() if result.router is not None else None
            now = self.clock()
            with self.db.write() as conn:
                version = record_refit(
                    conn,
                    graph=graph,
                    node=node,
                    accepted=accepted,
                    parent_id=parent,
                    actor=actor,
                    now=now,
                    labels=len(found.labels),
                    positives=int(figures.get("positives", 0)),
                    model=model,
                    report={"reasons": reasons, "summary": summary, **_rounded(figures)},
                )
            self.routers.invalidate()
        return Calibration(
            graph, node, accepted, reasons, summary, version, parent, figures, found.excluded, found.skipped
        )

    def _labels(self, graph: str, node: str, exclude: Collection[str] = ()) -> LabelSet:
        """Return the gate's labels, weighting audited passes by the policy's sampling rates."""
        settings = self.deps.policy.settings(graph, node)
        with self.db.read() as conn:
            return read_labels(
                conn,
                graph=graph,
                node=node,
                sampling_rate=settings.sampling_rate,
                autonomy_sampling_rate=settings.autonomy_sampling_rate,
                exclude=exclude,
            )

    def router_versions(self, graph: str | None = None, node: str | None = None) -> list[RouterVersion]:
        """Return the stored refits, newest first."""
        with self.db.read() as conn:
            return list_versions(conn, graph=graph, node=node)

    def rollback_router(self, graph: str, node: str, to: int | None, *, actor: str, why: str = "") -> int | None:
        """Make version ``to`` (None: the shipped router) the gate's router again; return the version it replaced."""
        with self.db.write() as conn:
            before = rollback(conn, graph=graph, node=node, to=to, actor=actor, now=self.clock(), why=why)
        self.routers.invalidate()
        return before

    def refit_due(self, every_seconds: float, *, actor: str = "schedule") -> list[Calibration]:
        """Refit each router gate whose last attempt is older than ``every_seconds`` and that has new labels."""
        done: list[Calibration] = []
        now = self.clock()
        for graph, node in self.router_gates():
            with self.db.read() as conn:
                last = conn.execute(
                    select(func.max(router_versions.c.created_at), func.max(router_versions.c.labels)).where(
                        router_versions.c.graph == graph, router_versions.c.node == node
                    )
                ).one()
            if last[0] is not None and now - float(last[0]) < every_seconds:
                continue
            if last[1] is not None and len(self._labels(graph, node).labels) <= int(last[1]):
                continue  # nothing new to learn from since the last attempt
            done.append(self.calibrate(graph, node, actor=actor))
        return done

    def promises(self) -> list[Promise]:
        """Return what each router gate's active router promises under the policy now."""
        out: list[Promise] = []
        for graph, node in self.router_gates():
            settings = self.deps.policy.settings(graph, node)
            try:
                router = self.routers.router(graph, node)
                t = router.threshold(settings.target_recall, settings.recall_confidence)
            except Exception as exc:  # a router that cannot load holds every message: say so
                target, confidence = settings.target_recall, settings.recall_confidence
                out.append(Promise(graph, node, "unreadable", None, target, confidence, 0, 0, 0.0, str(exc)[:300]))
                continue
            out.append(
                Promise(
                    graph, node, router.name, router.version, t.target, t.confidence, t.positives, t.misses, t.value
                )
            )
        return out


def _rounded(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}
