"""Dialogs: ``open_editor(ctx, parent, session=None, occurrence=None)`` in editor.py and
``open_settings(ctx, parent)`` in settings.py (see gui/context.py)."""
