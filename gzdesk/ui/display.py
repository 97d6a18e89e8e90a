"""Is there a screen to open the window on? Asked before Qt is loaded (no Qt import here).

Without a display Qt does not raise: it prints a hint about libxcb and aborts the process (a core
dump on some systems). ``gzdesk`` with no subcommand asks ``display_problem()`` first and, when it
answers, prints that one Chinese line and exits 1 — the command-line subcommands still work there.
Only Linux and the other X11/Wayland systems are checked: Windows and macOS always have a screen
for a desktop program.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping

HINT = "可在桌面环境中运行 gzdesk；没有桌面时可使用命令行子命令（gzdesk --help）"
# Qt platforms that need no display server
SCREENLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay", "directfb")


def _x_socket_answers(display: str) -> bool:
    """False only when DISPLAY names a local X server (":0", "unix:0") whose socket nobody serves.

    A remote display (``host:0``, ssh forwarding ``localhost:10``) is trusted: Qt will say more."""
    host, _, rest = display.rpartition(":")
    if host not in ("", "unix"):
        return True
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return True
    path = f"/tmp/.X11-unix/X{number}"
    for address in (path, "\0" + path):  # the socket file, then Linux's abstract socket
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(1.0)
        try:
            s.connect(address)
            return True
        except PermissionError:
            return True  # someone serves it; Qt will tell whether we may use it
        except OSError:
            continue
        finally:
            s.close()
    return False


def _wayland_answers(env: Mapping[str, str]) -> bool:
    name = env.get("WAYLAND_DISPLAY", "")
    if os.path.isabs(name):
        return os.path.exists(name)
    runtime = env.get("XDG_RUNTIME_DIR")
    return not runtime or os.path.exists(os.path.join(runtime, name))


def display_problem(env: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """One Chinese line when the window cannot open for want of a display, else None."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    if qpa.startswith(SCREENLESS_PLATFORMS):
        return None
    display, wayland = env.get("DISPLAY", "").strip(), env.get("WAYLAND_DISPLAY", "").strip()
    if qpa.startswith("wayland"):
        if not wayland:
            return f"无法打开窗口：没有图形显示（QT_QPA_PLATFORM={qpa}，但未设置 WAYLAND_DISPLAY）。{HINT}"
        return None
    if qpa.startswith("xcb") and not display:
        return f"无法打开窗口：没有图形显示（QT_QPA_PLATFORM=xcb，但未设置 DISPLAY）。{HINT}"
    if not display and not wayland:
        return f"无法打开窗口：没有图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY）。{HINT}"
    if display and not wayland and not _x_socket_answers(display):
        return f"无法打开窗口：没有图形显示（DISPLAY={display} 的显示服务没有运行）。{HINT}"
    if wayland and not display and not _wayland_answers(env):
        return f"无法打开窗口：没有图形显示（WAYLAND_DISPLAY={wayland} 的显示服务没有运行）。{HINT}"
    return None
