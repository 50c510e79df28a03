"""The Dataverse-compatible OData v4 Web API."""
