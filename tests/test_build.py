"""The program as an office gets it: the PyInstaller folder (build.spec) and a plain, non-editable
``pip install .`` each pass ``gzdesk --self-test`` and list the five profiles. Both are slow (a
build takes ~40 s here), so they are marked; they still run in the README's test command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("[yanhu]", "[taibai]", "[yunnan]", "[nantong]", "[linyi]")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GZDESK_DB", "PYTHONPATH", "QT_QPA_PLATFORM")}
    env["GZDESK_HOME"] = str(tmp_path / "home")
    return env


def _run(args: list[str], tmp_path: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=timeout)


@pytest.mark.slow
def test_the_built_folder_passes_its_self_test(tmp_path):
    build = subprocess.run([str(Path(sys.executable).parent / "pyinstaller"), "build.spec", "--noconfirm",
                            "--distpath", str(tmp_path / "dist"), "--workpath", str(tmp_path / "build")],
                           cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stderr[-3000:]
    exe = tmp_path / "dist" / "gzdesk" / ("gzdesk.exe" if sys.platform == "win32" else "gzdesk")
    result = _run([str(exe), "--self-test"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("自检通过") and "登记表 PDF" in result.stdout
    result = _run([str(exe), "--help"], tmp_path)
    assert result.returncode == 0 and "子命令" in result.stdout and "--self-test" in result.stdout
    result = _run([str(exe), "profiles"], tmp_path)
    assert result.returncode == 0 and all(p in result.stdout for p in PROFILES)


@pytest.mark.slow
def test_a_plain_pip_install_finds_its_resources(tmp_path):
    """A wheel installed (not editable) into a new environment: no file beside the source tree helps."""
    source = tmp_path / "source"  # a clean copy: no build/ or egg-info left over from earlier builds
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info",
                                                                "__pycache__", ".mypy_cache", ".ruff_cache"))
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    wheel = next(wheels.glob("gzdesk-*.whl"))
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site,
                              str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-3000:]
    # the libraries come from this environment, after the new one (its gzdesk is found first)
    ours = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz-test-libraries.pth").write_text(ours + "\n", encoding="utf-8")

    where = _run([str(python), "-c", "import gzdesk; print(gzdesk.__file__, gzdesk.__version__)"], tmp_path)
    assert where.stdout.startswith(site), where.stdout + where.stderr
    result = _run([str(python), "-m", "gzdesk", "profiles"], tmp_path)
    assert result.returncode == 0 and all(p in result.stdout for p in PROFILES), result.stderr
    result = _run([str(python), "-m", "gzdesk", "--self-test"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_windows_build_gets_icon_version_and_hidden_console(tmp_path, monkeypatch):
    """build.spec's Windows branch, run here with PyInstaller's classes replaced by recorders."""
    import PyInstaller.compat

    made: dict[str, dict] = {}

    def recorder(name):
        def record(*args, **kw):
            made[name] = kw
            return types.SimpleNamespace(pure=[], scripts=[], binaries=[], datas=[])
        return record

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = hooks.collect_submodules = hooks.copy_metadata = lambda *a, **k: []
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    namespace = {"SPECPATH": str(ROOT), "workpath": str(tmp_path / "work"), "__file__": str(ROOT / "build.spec"),
                 **{n: recorder(n) for n in ("Analysis", "PYZ", "EXE", "COLLECT")}}
    exec(compile((ROOT / "build.spec").read_text(encoding="utf-8"), "build.spec", "exec"), namespace)
    monkeypatch.undo()
    exe = made["EXE"]
    assert exe["console"] is True and exe["hide_console"] == "hide-early"
    assert Path(exe["icon"]) == ROOT / "gzdesk" / "resources" / "icons" / "gzdesk.ico" and Path(exe["icon"]).exists()

    # the version file is what PyInstaller reads on Windows (its loader needs pefile, not win32api)
    monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    from importlib.metadata import version

    from PyInstaller.utils.win32.versioninfo import load_version_info_from_text_file

    info = load_version_info_from_text_file(exe["version"])
    assert info.toRaw()
    major, minor, patch = (int(x) for x in version("gzdesk").split(".")[:3])
    assert (info.ffi.fileVersionMS, info.ffi.fileVersionLS) == ((major << 16) | minor, patch << 16)
    strings = {s.name: s.val for s in info.kids[0].kids[0].kids}
    assert strings["ProductVersion"] == version("gzdesk") and strings["FileDescription"] == "政务新媒体备案管理"
    assert strings["OriginalFilename"] == "gzdesk.exe"
