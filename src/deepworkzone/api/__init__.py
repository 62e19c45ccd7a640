"""The Sessions API client (httpx)."""
