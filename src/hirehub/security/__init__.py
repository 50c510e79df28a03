"""Server-to-server authentication (an Entra-ID-shaped authorization server) and two-layer authorization."""
