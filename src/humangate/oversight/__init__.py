"""Oversight: the audit chain (metrics and bias controls build on it)."""
