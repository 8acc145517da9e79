"""Typed inputs and outputs of the agents: one model per thing an agent reads or writes.

Proposals that reviewers edit (``EmailDraft``, ``SupportReply``, ``Brief``) are plain pydantic models,
so the gate validates an edit against the same class.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AmountLimit",
    "Brief",
    "Claim",
    "Conflict",
    "CorrectionExample",
    "DraftInput",
    "EmailDraft",
    "EscalationJudgement",
    "InjectionFinding",
    "PlanReading",
    "Recipient",
    "ResearchInput",
    "RoutingRule",
    "Source",
    "SupportAnalysis",
    "SupportMessage",
    "SupportReply",
    "TaskSpec",
    "document_of",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    """One source document an agent may read (untrusted text)."""

    id: str = Field(min_length=1, max_length=200)
    title: str = Field(default="", max_length=500)
    text: str = Field(max_length=200_000)
    url: str | None = Field(default=None, max_length=2_000)


def document_of(source_id: str) -> str:
    """Return the document a source id names: the id before its page or section anchor (``report#page-3``)."""
    return source_id.split("#", 1)[0]


class Claim(_Model):
    """A statement the researcher found, with the ids of the sources that say it."""

    text: str = Field(min_length=1, max_length=2_000)
    source_ids: list[str] = Field(min_length=1)


class Conflict(_Model):
    """Sources that disagree on a number, a date or a fact."""

    topic: str = Field(max_length=300)
    description: str = Field(max_length=2_000, description="One sentence a reviewer reads.")
    source_ids: list[str] = Field(min_length=2)
    values: list[str] = Field(default_factory=list, description="The disagreeing values, one per source.")
    kind: Literal["value", "number", "statement", "yes_no"] = Field(
        default="value",
        description="value: a named fact (a year, a headcount, a company's status); number: a figure, lengths "
        "and durations converted to one unit; statement: one source negates or reverses what another says, or "
        "says all where another says part; yes_no: opposite Yes/No answers.",
    )
    quotes: list[str] = Field(
        default_factory=list, description="The disagreeing statements as each source words them, one per source."
    )


class InjectionFinding(_Model):
    """Text in a source that tries to instruct the agent."""

    source_id: str
    excerpt: str = Field(max_length=1_000)
    pattern: str = Field(max_length=200, description="What kind of instruction it looks like.")


class ResearchInput(_Model):
    """What the researcher is asked about and what it may read."""

    subject: str = Field(min_length=1, max_length=300, description="E.g. a company name.")
    question: str = Field(default="", max_length=2_000)
    sources: list[Source] = Field(default_factory=list)
    instructions: str | None = Field(default=None, max_length=4_000, description="A reviewer's redirect.")
    without_sources: bool = Field(
        default=False, description="The task was started without sources on purpose (--no-sources): expect none."
    )


class Brief(_Model):
    """The researcher's output: cited claims, conflicts, coverage and weak or missing sources."""

    subject: str
    summary: str = Field(default="", max_length=4_000)
    claims: list[Claim] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    coverage: float = Field(ge=0.0, le=1.0, description="Share of the sources that contributed a claim.")
    weak_sources: list[str] = Field(default_factory=list, description="Ids of sources with little usable text.")
    missing: list[str] = Field(default_factory=list, description="What the brief could not find.")
    injections: list[InjectionFinding] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    model_failure: str | None = Field(default=None, description="Why the model's output could not be used.")


class Recipient(_Model):
    """Who an email goes to."""

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=320)
    company: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)


class CorrectionExample(_Model):
    """A past reviewer correction shown to an agent (filled by memory once it lands)."""

    proposal: dict[str, Any]
    corrected: dict[str, Any] | None = None
    reason_code: str | None = None
    note: str | None = None


class DraftInput(_Model):
    """What the drafter writes from."""

    brief: Brief
    recipient: Recipient
    goal: str = Field(default="an introduction", max_length=2_000)
    tone: str = Field(default="friendly and concise", max_length=200)
    sender: str = Field(default="The team", max_length=200)
    corrections: list[CorrectionExample] = Field(default_factory=list)
    instructions: str | None = Field(default=None, max_length=4_000)


class EmailDraft(_Model):
    """An outbound email: the proposal a reviewer approves or edits."""

    to: str = Field(max_length=320)
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)
    claims_used: list[int] = Field(default_factory=list, description="Indices into the brief's claims.")
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    model_failure: str | None = None


class SupportMessage(_Model):
    """A customer's message and the conversation before it."""

    id: str = Field(min_length=1, max_length=200)
    customer: str = Field(default="", max_length=200)
    text: str = Field(min_length=1, max_length=20_000)
    # The customer's earlier turns, oldest first; capped so that a thread cannot grow a run without bound.
    history: list[Annotated[str, Field(max_length=20_000)]] = Field(default_factory=list, max_length=50)
    instructions: str | None = Field(default=None, max_length=4_000)
    email: str | None = None


class SupportAnalysis(_Model):
    """The support analyst's reading of a message, with a suggested reply."""

    sentiment: float = Field(ge=-1.0, le=1.0, description="VADER-style compound score.")
    label: Literal["positive", "neutral", "negative"]
    intent: str = Field(max_length=100)
    urgency: Literal["low", "normal", "high"]
    churn: bool = False
    legal: bool = False
    refund: bool = False
    wants_human: bool = False
    signals: list[str] = Field(default_factory=list, description="Phrases that drove the reading.")
    suggested_reply: str = Field(max_length=10_000)
    confidence: float = Field(ge=0.0, le=1.0)
    model_failure: str | None = None


class EscalationJudgement(_Model):
    """A chat model's second opinion on whether a person must answer a support message, by a fixed rubric."""

    frustration: bool = Field(description="The customer is annoyed, angry, let down or losing patience.")
    complaint: bool = Field(description="They report something wrong, broken, missing or unfair.")
    churn: bool = Field(description="They speak of leaving, cancelling or moving to a competitor.")
    harm: bool = Field(description="They speak of danger, injury, fraud, theft or a security problem.")
    legal: bool = Field(description="They speak of lawyers, courts, regulators, chargebacks or their rights.")
    asks_for_person: bool = Field(description="They ask for a human, a manager or another department.")
    needs_person: bool = Field(description="A person, not an automatic reply, should answer this message.")
    reason: str = Field(default="", max_length=1_000, description="One sentence: why, quoting the message.")
    model_failure: str | None = None

    def flagged(self) -> list[str]:
        """Return the rubric items the model marked, by name."""
        return [k for k in _RUBRIC if getattr(self, k)]


_RUBRIC = ("frustration", "complaint", "churn", "harm", "legal", "asks_for_person")


class SupportReply(_Model):
    """A reply to a customer: the proposal of the support graph."""

    to: str = Field(max_length=320, description="An address, or the customer's name for a reply on the ticket.")
    body: str = Field(min_length=1, max_length=10_000)
    subject: str = Field(default="", max_length=300, description="Empty: the generic reply subject.")


class AmountLimit(_Model):
    """A task's review rule on amounts: a person sees any ``subject`` over ``amount`` ("refunds over $100")."""

    subject: str = Field(
        min_length=1, max_length=40, description='What the limit is on, singular ("refund"); "anything": every amount.'
    )
    amount: float = Field(ge=0)
    unit: Literal["", "$", "€", "£", "%"] = Field(default="", description="Currency or percent; empty: any currency.")

    def label(self) -> str:
        """Return the limit as a rule reads ("any refund over $100", "anything over $1,000")."""
        number = f"{self.amount:,.2f}".removesuffix(".00")
        value = f"{number}%" if self.unit == "%" else f"{self.unit}{number}"
        what = "anything" if self.subject in ("anything", "amount") else f"any {self.subject}"
        return f"{what} over {value}"


RouteKind = Literal["angry", "refund", "legal", "churn", "urgent", "billing", "technical", "human"]


class RoutingRule(_Model):
    """A task's escalation rule: messages of these kinds wait for a person ("hand me anything angry")."""

    kinds: list[RouteKind] = Field(min_length=1, max_length=8, description="What the rule is about.")
    terms: list[str] = Field(default_factory=list, max_length=20, description="The rule's own words, folded.")
    role: Literal["reviewer", "expert", "owner", "admin"] | None = Field(
        default=None, description='The role the rule names ("to an expert"); None: any reviewer.'
    )
    said: str = Field(default="", max_length=300, description="The task's words the rule was read from.")

    def label(self) -> str:
        """Return the rule as a plan reads ("angry or legal messages to an expert")."""
        names = [k if k != "human" else "hand-off" for k in self.kinds]
        kinds = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        who = f"{'an' if self.role[0] in 'aeo' else 'a'} {self.role}" if self.role else "a person"
        return f"{kinds} messages to {who}"


class PlanReading(BaseModel):
    """What the planner asks a model for: its reading of the task (the caller keeps the text and the file's items)."""

    # A model that echoes fields it was not asked for (the task text, a plan id) still gives a reading.
    model_config = ConfigDict(extra="ignore")

    graph: Literal["outreach", "research", "support"]
    items: list[dict[str, Any]] = Field(default_factory=list)
    goal: str = Field(default="", max_length=300)
    tone: str = Field(default="friendly and concise", max_length=100)
    require_approval: bool = False
    rules: list[str] = Field(default_factory=list, max_length=20, description="Review rules read from the text.")
    limits: list[AmountLimit] = Field(default_factory=list, max_length=20, description="The rules on amounts.")
    routes: list[RoutingRule] = Field(default_factory=list, max_length=20, description="The escalation rules.")


class TaskSpec(_Model):
    """The planner's reading of a plain-English task."""

    task: str
    graph: Literal["outreach", "research", "support"]
    items: list[dict[str, Any]] = Field(default_factory=list)
    goal: str = ""
    tone: str = "friendly and concise"
    require_approval: bool = False
    rules: list[str] = Field(default_factory=list, description="Review rules read from the text.")
    limits: list[AmountLimit] = Field(default_factory=list, max_length=20, description="The rules on amounts.")
    routes: list[RoutingRule] = Field(default_factory=list, max_length=20, description="The escalation rules.")
    directives: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list,
        max_length=20,
        description="What the task asks every email or reply to say; each one is checked for them.",
    )
    model_failure: str | None = Field(default=None, description="Why the model's plan could not be used.")
    engine: str = Field(default="offline", max_length=300, description="Whose reading this plan is.")
    disagreements: list[str] = Field(
        default_factory=list, description="Where the model read the task otherwise, and which reading stands."
    )
    alternative: TaskSpec | None = Field(
        default=None, description="The model's reading, when it fits the items but differs: a person may choose it."
    )
