"""The server's default settings, in one place: ``deepworkzone serve`` shows them in its help
without importing the server's own dependencies (the ``server`` extra), so this module
imports nothing."""

# Self-hosted teams sync a handful of desktop apps; 600/min leaves room for bursts (a full
# resync) while still stopping a runaway client. The hosted API allows 10/min.
RATE_LIMIT_PER_MINUTE = 600
FAILED_AUTH_PER_MINUTE = 30
# Connections a server process keeps open to its database (``serve --db-connections``).
DB_CONNECTIONS = 15
