"""The annotations API (DESIGN §7, a contract)."""
