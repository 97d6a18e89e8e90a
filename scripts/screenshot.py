"""Screenshots of the main window for README and for looking at changes as a person would.

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshot.py --db F.db --out DIR [--page KEY ...]

Opens the real window on an existing database, shows each page asked for (default: 账号台账),
waits for it to paint, and saves ``DIR/<page>.png`` from the screen, window frame included.
On a database with users, ``--user NAME`` logs in first (password from GZDESK_PASSWORD); the page
``login`` grabs the login dialog instead of a page of the window.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from gzdesk.db import Database
from gzdesk.ui.app import make_application, make_main_window


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--page", action="append", help="page key; repeat for several")
    parser.add_argument("--size", default="1366x800", help="window size WxH")
    parser.add_argument("--user", help="log in as this user (password from GZDESK_PASSWORD)")
    args = parser.parse_args(argv)

    app = make_application()
    db = Database(Path(args.db))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.page and "login" in args.page:
        args.page.remove("login")
        grab_login(app, db, out)
    if args.user:
        db.login(args.user, os.environ.get("GZDESK_PASSWORD", ""))
    window = make_main_window(db)
    width, height = (int(n) for n in args.size.split("x"))
    window.resize(width, height)
    window.move(0, 0)
    window.show()
    pages = list(args.page or [window.current_page_key() or "accounts"])

    def shoot() -> None:
        page = pages.pop(0)
        window.show_page(page)

        def grab() -> None:
            screen = QGuiApplication.primaryScreen()
            frame = window.frameGeometry()
            pixmap = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
            path = out / f"{page}.png"
            pixmap.save(str(path))
            print(path)
            if pages:
                shoot()
            else:
                window.close()
                app.quit()

        QTimer.singleShot(1200, grab)

    QTimer.singleShot(1500, shoot)
    code = app.exec()
    db.close()
    return code


def grab_login(app, db: Database, out: Path) -> None:
    """The login dialog as the window shows it at start, after one wrong password."""
    from gzdesk.ui.controller import Controller
    from gzdesk.ui.login import LoginDialog

    controller = Controller(db)
    dialog = LoginDialog(controller, unit=controller.office().unit_name)
    dialog.name_edit.setText(os.environ.get("GZDESK_SHOT_NAME", "李经办"))
    dialog.password_edit.setText("wrong-password")
    dialog.accept()  # the refusal shows in the dialog
    dialog.password_edit.setText("********")
    dialog.show()
    dialog.move(460, 240)

    def grab() -> None:
        screen = QGuiApplication.primaryScreen()
        g = screen.geometry()
        screen.grabWindow(0, g.x(), g.y(), g.width(), g.height()).save(str(out / "login.png"))
        print(out / "login.png")
        dialog.close()
        app.quit()

    QTimer.singleShot(1200, grab)
    app.exec()


if __name__ == "__main__":
    sys.exit(main())
