"""Where things live: the user's data folder, and the bundled resources and form templates."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def project_root() -> Path:
    """The folder holding ``resources/`` and ``forms/`` (the PyInstaller bundle when frozen)."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return project_root() / "resources"


def forms_dir() -> Path:
    return project_root() / "forms"


def data_dir() -> Path:
    """The user's data folder: %APPDATA%\\gzdesk on Windows, $XDG_DATA_HOME/gzdesk elsewhere."""
    if os.environ.get("GZDESK_HOME"):
        base = Path(os.environ["GZDESK_HOME"])
    elif sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "gzdesk"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "gzdesk"
    return base


def default_db_path() -> Path:
    """``GZDESK_DB`` if set, else ``gzdesk.db`` in the data folder."""
    if os.environ.get("GZDESK_DB"):
        return Path(os.environ["GZDESK_DB"])
    return data_dir() / "gzdesk.db"
