"""Slack and Microsoft Teams snoozers, their sign-in and token storage."""
