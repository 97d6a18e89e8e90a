"""gzdesk — 政务新媒体备案管理桌面版.

The package outside ``gzdesk/ui`` is the headless domain: storage, rules, forms, exchange.
It never imports Qt, so every feature can run from the command line and be tested without a screen.
"""

__version__ = "0.1.0"
APP_NAME = "gzdesk"
APP_TITLE = "政务新媒体备案管理"
