"""Local stand-ins for the services outside the machine (Slack, Microsoft Graph)."""
