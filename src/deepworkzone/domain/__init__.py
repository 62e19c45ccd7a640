"""Pure rules with no I/O: wire models, time and recurrence, domain-name matching."""
