"""HR → directory provisioning: the lifecycle engine's moving parts around the pure planner — the tenant's
policy, the worker as HR knows it now, the outbox turned into jobs, and the job that plans and applies."""
