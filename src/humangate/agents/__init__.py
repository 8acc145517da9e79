"""Agents: typed inputs and outputs (``schemas``), and the chat models that may serve them (``models``)."""
