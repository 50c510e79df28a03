"""Tenants (one customer organisation each, as an Entra tenant is) and their companies (legal entities)."""
