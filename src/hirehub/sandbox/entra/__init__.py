"""An emulator of Microsoft Entra ID (identity platform v2 endpoints), Microsoft Graph v1.0 and the Exchange Online
admin API, serving the host names of all four national clouds from one :class:`~.world.EntraWorld`."""
