"""Where things live: the user's data folder, and the resources and form templates inside the package.

Profiles, form templates and fonts ship inside the ``gzdesk`` package (``gzdesk/resources``,
``gzdesk/forms``) and are found with ``importlib.resources``, so a plain ``pip install .``, an
editable install and the PyInstaller build all find them the same way.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path


def package_dir() -> Path:
    """The installed ``gzdesk`` package folder (inside the bundle when frozen)."""
    return Path(str(resources.files("gzdesk")))


def resources_dir() -> Path:
    return package_dir() / "resources"


def forms_dir() -> Path:
    return package_dir() / "forms"


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
