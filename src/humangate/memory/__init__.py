"""Correction memory: reviewers' corrections stored as vectors and found again by similarity to a new proposal."""

__all__: list[str] = []
