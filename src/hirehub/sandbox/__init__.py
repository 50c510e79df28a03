"""Faithful local emulators of the outside services the hub talks to (Entra ID, Microsoft Graph, Exchange Online,
LinkedIn's Middleware Platform).

They speak the real wire formats so the product code, which always builds the real URLs, cannot tell them from
the real services: tests, benchmarks and ``hirehub demo`` reach them through the outbound host map
(:mod:`hirehub.outbound`). Nothing in the product imports from here.
"""
