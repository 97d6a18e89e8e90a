"""The window (PySide6). The only package that imports Qt.

Widgets never hold a database session: they call domain functions through
``gzdesk.ui.controller.Controller`` (``read`` / ``write``), which opens one reader session or one
audited transaction per call and announces writes with ``data_changed(topic)``.
"""
