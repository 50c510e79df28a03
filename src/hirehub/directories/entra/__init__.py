"""The Microsoft Entra ID connector: connections, tokens (MSAL), Microsoft Graph and Exchange Online."""
