"""Carrying annotation targets to a later draft (DESIGN §3 "Drafts over time", §4 "Carrying anchors")."""
