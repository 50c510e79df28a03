"""Connectors to identity directories: each applies a lifecycle plan and reports per-item results."""
