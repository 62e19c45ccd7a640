"""Local state: SQLite session cache and outbox, the run journal, history."""
