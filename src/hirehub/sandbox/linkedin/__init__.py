"""An emulator of LinkedIn's Middleware Platform as an ATS partner meets it (Recruiter System Connect onboarding):
the OAuth token endpoint, the Provisioning API, ``atsIntegrations`` and their ``configurations`` over Rest.li 1.0
and 2.0, and signed push notifications, all over one :class:`~.world.LinkedInWorld` — and, once an integration is
ENABLED, the data sync (job postings and their tasks, candidates and their matches, applications and their stages;
:mod:`~.data_sync`, with what was stored in ``world.data``).

Use: ``world = LinkedInWorld(); partner = world.register_partner(); app = create_app(world)``, then point the
product's outbound host map at it for ``https://www.linkedin.com`` and ``https://api.linkedin.com``.
"""

from hirehub.sandbox.linkedin.app import create_app
from hirehub.sandbox.linkedin.world import LinkedInWorld, OnboardingStatus, Violation, integration_key

__all__ = ["LinkedInWorld", "OnboardingStatus", "Violation", "create_app", "integration_key"]
