"""One module per main-window view, each exposing
``create(ctx: AppContext, parent: QWidget | None = None) -> QWidget`` (see gui/context.py)."""
