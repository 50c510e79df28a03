"""The ATS-partner side of LinkedIn's Middleware Platform (Recruiter System Connect).

The hub is the ATS partner; each hub tenant is a LinkedIn customer. Per tenant the hub provisions a customer
application, shows LinkedIn's configuration plugin with that app's key, stores the integrations the customer
pre-authorizes there, syncs them (and their configurations) to LinkedIn over Rest.li, and follows their onboarding
status through signed push notifications. Every call to ``atsIntegrations`` goes through one database-backed pacer,
so LinkedIn's batching and pacing rules hold by construction, however many workers run.
"""
