"""Base layer every package may use: paths, settings, secrets, logging, safe file writes."""
