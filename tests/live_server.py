"""A real uvicorn server on a loopback port, on its own thread (and event loop), for tests that need HTTP."""

from hirehub.sandbox.serving import free_port, serving

__all__ = ["free_port", "serving"]
