"""The ground floor: the review contract and gate policy that every other layer speaks.

Nothing here imports from the rest of humangate, so risk, memory, oversight and the graphs can all
depend on it without reaching up a floor.
"""
