"""Drafts over time (DESIGN §3): the line of drafts, the provision mapping between two drafts, and
what changed between any two of them."""
