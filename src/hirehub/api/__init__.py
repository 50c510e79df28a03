"""The HTTP face of hirehub: thin FastAPI routers that parse, authorize, call a service and serialise."""
