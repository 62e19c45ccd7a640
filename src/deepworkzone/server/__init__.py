"""The Sessions API server (FastAPI + SQLAlchemy)."""
