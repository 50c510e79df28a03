"""hirehub: an open-source, self-hosted hire-to-retire hub."""

__version__ = "0.1.0"
