"""Notices are not audited: they are messages, not business records (the business record that caused
one — a rectification, a complaint — is audited by its own app)."""
