"""Graphs and the review gate that composes into them."""
