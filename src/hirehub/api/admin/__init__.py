"""The admin API (``/admin/v1``): JSON for every set-up and operations task the CLI offers."""
