"""The append-only audit log: every change applied to a directory (and every administrative action)."""
