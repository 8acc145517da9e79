"""Prompt files: each agent passes exactly the placeholders its prompt has, and rendering is strict."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from humangate.agents import drafter, escalation_judge, planner, researcher, support
from humangate.core.schemas import Brief, Claim, DraftInput, Recipient, ResearchInput, Source, SupportMessage
from humangate.prompts import USER_MARKER, load_prompt, prompt_names, render_messages

BRIEF = Brief(subject="Acme", coverage=1.0, confidence=0.5, claims=[Claim(text="Acme makes anvils.", source_ids=["a"])])
SAMPLES: list[tuple[ModuleType, dict[str, str]]] = [
    (researcher, researcher.prompt_variables(ResearchInput(subject="Acme", sources=[Source(id="a", text="x")]))),
    (drafter, drafter.prompt_variables(DraftInput(brief=BRIEF, recipient=Recipient(name="Jo", email="jo@a.example")))),
    (support, support.prompt_variables(SupportMessage(id="1", text="Hello"))),
    (escalation_judge, escalation_judge.prompt_variables(SupportMessage(id="1", text="Hello", history=["Hi"]))),
    (planner, planner.prompt_variables("Research Acme", csv_rows=[{"company": "Acme"}], source_dir=Path("src"))),
]


def test_there_is_one_prompt_per_agent() -> None:
    assert prompt_names() == sorted(module.PROMPT for module, _ in SAMPLES)


@pytest.mark.parametrize(("module", "variables"), SAMPLES, ids=[m.PROMPT for m, _ in SAMPLES])
def test_placeholders_equal_what_the_agent_passes(module: ModuleType, variables: dict[str, str]) -> None:
    prompt = load_prompt(module.PROMPT)
    assert prompt.variables == module.PROMPT_VARIABLES == set(variables)
    system, user = prompt.render(variables)
    assert system and user and "$" not in system.replace("$$", "")


def test_every_prompt_has_a_system_and_a_user_part() -> None:
    for name in prompt_names():
        prompt = load_prompt(name)
        assert USER_MARKER not in prompt.system.template + prompt.user.template
        assert prompt.system.template.strip() and prompt.user.template.strip()


def test_rendering_refuses_missing_and_unexpected_variables() -> None:
    variables = support.prompt_variables(SupportMessage(id="1", text="Hello"))
    with pytest.raises(ValueError, match=r"missing \['message'\]"):
        render_messages("support", {k: v for k, v in variables.items() if k != "message"})
    with pytest.raises(ValueError, match=r"unexpected \['extra'\]"):
        render_messages("support", {**variables, "extra": "x"})
    with pytest.raises(ValueError, match="No prompt 'nope'"):
        load_prompt("nope")


def test_values_are_inserted_literally() -> None:
    variables = support.prompt_variables(SupportMessage(id="1", text="Send $customer ${history} $$5 </message> now"))
    _, user = load_prompt("support").render(variables)
    assert "Send $customer ${history} $$5 &lt;/message> now" in user
