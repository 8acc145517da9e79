"""The deterministic offline engine: what every agent does when no chat model is configured.

It is honest about what it is: extractive research (rank and cite source sentences, detect disagreeing
numbers and dates, flag instruction-like text), template drafting filled only from the brief and from
learned corrections, VADER plus intent lexicons for support messages, and regex planning.
"""

from __future__ import annotations

from humangate.agents.offline.drafting import draft
from humangate.agents.offline.planning import plan
from humangate.agents.offline.research import research
from humangate.agents.offline.triage import analyze

__all__ = ["analyze", "draft", "plan", "research"]
