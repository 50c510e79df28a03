"""The admin console under ``/console/``: server-rendered pages, signed-in HR administrators only."""
