"""Hire-to-retire policies: the pure language in which a tenant says how HR workers become directory accounts."""
