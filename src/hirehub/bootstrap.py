"""The composition root: the one place the hub is assembled."""
