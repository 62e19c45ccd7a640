"""The Sessions API server (FastAPI + SQLAlchemy): ``create_app(db_url)`` in app.py.

Map: app.py wires everything; routes/ holds one router per resource; auth.py resolves the
bearer token on every request; visibility.py says who sees and edits what; listing.py,
series_index.py, rendering.py and list_cache.py answer GET /sessions fast; session_store.py
and participation.py hold the write rules; orm.py and migrations/ the schema. This package
imports nothing of the app but deepworkzone.domain (import-linter checks it).
"""
