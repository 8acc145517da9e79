"""Exceptions raised by humangate.

Every exception derives from ``HumanGateError``; messages are sentences that say how to fix the
problem, and structured attributes carry the facts a program needs.

    HumanGateError
    ├── ConfigError            bad settings, e.g. a database URL that cannot be used
    ├── StorageError           the database is unreachable or its schema is out of date
    ├── UnknownGraphError      a graph name that is not registered
    ├── UnknownRunError        a run id that does not exist
    ├── UnknownUserError       a reviewer name that is not in the users table
    ├── UnknownCorrectionError a correction id that is not in memory
    ├── InvalidInputError      a graph's input that does not fit its schema
    ├── RunBusyError           another worker holds the run's lock
    ├── RunFailedError         a node raised; the run is marked failed
    ├── EffectRefused          the effect layer refused to send a message; nothing was written
    ├── SourceSkipped          a file or web page was not read (refused or unreadable); the task goes on without it
    ├── DeliveryFailed         a sender could not deliver an effect; the outbox retries or gives up
    ├── CredentialError        an API token, link or Slack request that does not prove who sends it
    │   └── LinkError           a review link that was altered, has expired or was used already
    ├── RoleError              the user's role does not allow this call (the audit trail is for owners)
    └── ReviewError            a review action was refused; nothing was written
        ├── ItemNotFoundError
        ├── AlreadyDecidedError
        ├── ClaimedError        another reviewer holds the lease
        ├── NotAuthorizedError  the reviewer's role may not act on this item
        ├── DwellError          decided faster than the policy's minimum dwell
        └── InvalidDecisionError
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AlreadyDecidedError",
    "ClaimedError",
    "ConfigError",
    "CredentialError",
    "DeliveryFailed",
    "DwellError",
    "EffectRefused",
    "HumanGateError",
    "InvalidDecisionError",
    "InvalidInputError",
    "ItemNotFoundError",
    "LinkError",
    "NotAuthorizedError",
    "ReviewError",
    "RoleError",
    "RunBusyError",
    "RunFailedError",
    "SourceSkipped",
    "StorageError",
    "UnknownCorrectionError",
    "UnknownGraphError",
    "UnknownRunError",
    "UnknownUserError",
]


class HumanGateError(Exception):
    """Base class of every error humangate raises on purpose."""


class ConfigError(HumanGateError):
    """Settings that cannot be used."""


class StorageError(HumanGateError):
    """The database cannot be used as it is."""


class UnknownGraphError(HumanGateError):
    """A graph name that is not registered.

    Attributes:
        name: the name asked for.
        known: the registered names.
    """

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(f"Unknown graph {name!r}; known graphs: {', '.join(self.known) or 'none'}.")


class UnknownRunError(HumanGateError):
    """A run id that does not exist.

    Attributes:
        run_id: the id asked for.
    """

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"No run {run_id!r}; `humangate runs` lists the runs.")


class UnknownUserError(HumanGateError):
    """A reviewer name that is not in the users table.

    Attributes:
        name: the name given.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Unknown reviewer {name!r}; add them with `humangate users add {name} --role reviewer`.")


class UnknownCorrectionError(HumanGateError):
    """A correction id that is not in memory.

    Attributes:
        correction_id: the id asked for.
    """

    def __init__(self, correction_id: int) -> None:
        self.correction_id = correction_id
        super().__init__(f"No correction {correction_id}; `humangate memory list` shows the stored corrections.")


class InvalidInputError(HumanGateError):
    """A graph's input that does not fit its schema; no run was started."""


class RunBusyError(HumanGateError):
    """Another worker holds the run's lock.

    Attributes:
        run_id: the run.
        holder: the worker holding the lock.
    """

    def __init__(self, run_id: str, holder: str) -> None:
        self.run_id = run_id
        self.holder = holder
        super().__init__(
            f"Run {run_id} is being advanced by worker {holder}; try again in a moment "
            "(a crashed worker's lock is taken over by `humangate reconcile`)."
        )


class RunFailedError(HumanGateError):
    """A node raised while the run was advancing; the run is marked failed.

    Attributes:
        run_id: the run.
    """

    def __init__(self, run_id: str, cause: BaseException) -> None:
        self.run_id = run_id
        super().__init__(f"Run {run_id} failed: {type(cause).__name__}: {cause}")


class EffectRefused(HumanGateError):
    """The effect layer refused to send a message as it is; nothing was written.

    Attributes:
        field: the part of the message that was refused (``to``, ``subject``, a header name).
        value: the refused value, as given.
        problem: what is wrong with it, as a phrase ("is not an email address").
    """

    def __init__(self, field: str, value: str, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        what = {"to": "recipient"}.get(field, field)
        super().__init__(
            f"The message was not sent: its {what} {value!r} {problem}. Edit the proposal so the {what} is "
            "right, then approve it again; nothing was written."
        )


class SourceSkipped(HumanGateError):
    """A file or web page was not read: refused (a link out, a private address, robots.txt) or unreadable.

    The task goes on without it, and the plan lists it with the reason.

    Attributes:
        name: the file name, source id or URL.
        reason: why, as a phrase that follows "it" ("is not a readable PDF (...)").
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name} was skipped: it {reason}.")


class DeliveryFailed(HumanGateError):
    """A sender could not deliver an effect; the outbox retries it, or gives up on it when ``permanent``.

    Attributes:
        reason: what went wrong and, where it helps, what to change, as sentences.
        permanent: True when sending it again as it is cannot succeed (a refused recipient, a 5xx answer).
    """

    def __init__(self, reason: str, *, permanent: bool) -> None:
        self.reason = reason
        self.permanent = permanent
        super().__init__(reason)


class CredentialError(HumanGateError):
    """A request whose credentials do not prove who sends it; nothing was read or written.

    Attributes:
        kind: what carried the credential: ``token``, ``link`` or ``slack``.
        problem: a short word for what is wrong (``missing``, ``unknown``, ``revoked``, ``expired``,
            ``tampered``, ``used``, ``unlinked``, ``signature``).
    """

    def __init__(self, kind: str, problem: str, message: str) -> None:
        self.kind = kind
        self.problem = problem
        super().__init__(message)


class LinkError(CredentialError):
    """A review link that was altered, has expired or was used already; it decides nothing.

    Attributes:
        link_id: the link's id when its signature held (None for an altered link).
    """

    def __init__(self, problem: str, message: str, *, link_id: str | None = None) -> None:
        self.link_id = link_id
        super().__init__("link", problem, message)


class RoleError(HumanGateError):
    """The user's role does not allow this call; nothing was read or written.

    Attributes:
        user: who asked.
        role: their role.
        allowed: the roles that may.
    """

    def __init__(self, user: str, role: str, what: str, allowed: Sequence[str]) -> None:
        self.user = user
        self.role = role
        self.allowed = list(allowed)
        super().__init__(f"{what} is for {' and '.join(self.allowed)} users; {user} is a {role}.")


class ReviewError(HumanGateError):
    """A review action was refused; nothing was written.

    Attributes:
        item_id: the review item concerned, if any.
    """

    def __init__(self, message: str, *, item_id: int | None = None) -> None:
        self.item_id = item_id
        super().__init__(message)


class ItemNotFoundError(ReviewError):
    """No review item has this id."""

    def __init__(self, item_id: int) -> None:
        super().__init__(f"No review item {item_id}; `humangate queue` lists the pending items.", item_id=item_id)


class AlreadyDecidedError(ReviewError):
    """The item was decided (or otherwise closed) before this decision arrived.

    Attributes:
        status: the item's status now.
    """

    def __init__(self, item_id: int, status: str) -> None:
        self.status = status
        super().__init__(
            f"Review item {item_id} is already decided (status: {status}); nothing was changed.",
            item_id=item_id,
        )


class ClaimedError(ReviewError):
    """Another reviewer holds the item's lease.

    Attributes:
        holder: the reviewer holding the lease.
        expires_at: when the lease ends (ISO 8601, UTC).
    """

    def __init__(self, item_id: int, holder: str, expires_at: str) -> None:
        self.holder = holder
        self.expires_at = expires_at
        super().__init__(
            f"Review item {item_id} is claimed by {holder} until {expires_at}; "
            "pick another item or wait for the lease to end.",
            item_id=item_id,
        )


class NotAuthorizedError(ReviewError):
    """The reviewer may not take this action on this item.

    Attributes:
        reviewer: who tried.
        required_role: the role the item needs.
    """

    def __init__(self, item_id: int, reviewer: str, required_role: str, why: str) -> None:
        self.reviewer = reviewer
        self.required_role = required_role
        super().__init__(f"{reviewer} may not decide review item {item_id}: {why}", item_id=item_id)


class DwellError(ReviewError):
    """The decision came before the policy's minimum review time.

    Attributes:
        min_dwell_seconds: the policy's minimum.
        waited_seconds: how long the reviewer had the item.
    """

    def __init__(self, item_id: int, min_dwell_seconds: float, waited_seconds: float | None) -> None:
        self.min_dwell_seconds = min_dwell_seconds
        self.waited_seconds = waited_seconds
        if waited_seconds is None:
            msg = (
                f"Review item {item_id} needs at least {min_dwell_seconds:g} s of review: "
                "claim it first (`humangate show ITEM --claim`), read it, then decide."
            )
        else:
            msg = (
                f"Review item {item_id} needs at least {min_dwell_seconds:g} s of review; "
                f"it was claimed {waited_seconds:.1f} s ago."
            )
        super().__init__(msg, item_id=item_id)


class InvalidDecisionError(ReviewError):
    """The decision is malformed or not allowed for this item.

    Attributes:
        allowed: what would have been accepted (actions, reason codes or fields).
    """

    def __init__(self, message: str, *, item_id: int | None = None, allowed: Sequence[str] = ()) -> None:
        self.allowed = list(allowed)
        super().__init__(message, item_id=item_id)
