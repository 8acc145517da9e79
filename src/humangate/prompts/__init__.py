"""Prompt templates as package data: one ``<agent>.md`` per agent, loaded with ``importlib.resources``.

A template is markdown with ``string.Template`` placeholders (``$name`` or ``${name}``; a literal dollar is
``$$``). The line ``<!-- user -->`` splits it: what comes before is the system message, what follows is
the user message. Rendering refuses a missing or an unexpected variable, so a prompt and its agent cannot
drift apart silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

__all__ = ["USER_MARKER", "Prompt", "load_prompt", "prompt_names", "render_messages"]

USER_MARKER = "<!-- user -->"


@dataclass(frozen=True)
class Prompt:
    """One agent's prompt: a system template and a user template."""

    name: str
    system: Template
    user: Template

    @property
    def variables(self) -> frozenset[str]:
        """Return the names of the placeholders in both templates."""
        return frozenset(self.system.get_identifiers()) | frozenset(self.user.get_identifiers())

    def render(self, variables: Mapping[str, str]) -> tuple[str, str]:
        """Return the system and user texts with ``variables`` filled in; all and only its placeholders."""
        missing = sorted(self.variables - variables.keys())
        extra = sorted(variables.keys() - self.variables)
        if missing or extra:
            raise ValueError(
                f"Prompt {self.name!r} takes exactly {sorted(self.variables)}; "
                f"missing {missing}, unexpected {extra}. Update prompts/{self.name}.md or the agent together."
            )
        return self.system.substitute(variables).strip(), self.user.substitute(variables).strip()

    def messages(self, variables: Mapping[str, str]) -> list[BaseMessage]:
        """Return the rendered prompt as a system and a user chat message."""
        system, user = self.render(variables)
        return [SystemMessage(content=system), HumanMessage(content=user)]


def prompt_names() -> list[str]:
    """Return the names of the bundled prompts."""
    return sorted(p.name[:-3] for p in resources.files(__name__).iterdir() if p.name.endswith(".md"))


@cache
def load_prompt(name: str) -> Prompt:
    """Return the bundled prompt ``name`` (e.g. "researcher")."""
    path = resources.files(__name__).joinpath(f"{name}.md")
    if not path.is_file():
        raise ValueError(f"No prompt {name!r}; the bundled prompts are: {', '.join(prompt_names())}.")
    text = path.read_text(encoding="utf-8")
    system, marker, user = text.partition(USER_MARKER)
    if not marker:
        raise ValueError(f"Prompt {name!r} has no {USER_MARKER!r} line between its system and user parts.")
    return Prompt(name=name, system=Template(system), user=Template(user))


def render_messages(name: str, variables: Mapping[str, str]) -> list[BaseMessage]:
    """Return the chat messages of prompt ``name`` filled with ``variables``."""
    return load_prompt(name).messages(variables)
