"""gzdesk — 政务新媒体备案管理桌面版.

The package outside ``gzdesk/ui`` is the headless domain: storage, rules, forms, exchange.
It never imports Qt, so every feature can run from the command line and be tested without a screen.
"""

from importlib import metadata as _metadata

try:  # the one version is pyproject.toml's, read from the installed package's metadata
    __version__ = _metadata.version("gzdesk")
except _metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
APP_NAME = "gzdesk"
APP_TITLE = "政务新媒体备案管理"
