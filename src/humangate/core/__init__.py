"""The ground floor: the review contract, gate policy, the agents' typed inputs and outputs, and word-level text.

``contract`` and ``gate_policy`` are what the review speaks; ``schemas`` the models every agent reads or writes
(a brief, a draft, a support reading); ``wording`` and ``text`` fold, split and tokenise text the same way for
the planner, the analyst and the risk checks. Nothing here imports from the rest of humangate, so risk,
memory, oversight and the graphs can all depend on it without reaching up a floor.
"""
