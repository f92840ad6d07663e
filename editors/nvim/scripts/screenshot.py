#!/usr/bin/env python3
"""Renders screenshots of the Neovim plugin for docs/editors.md.

    python3 editors/nvim/scripts/screenshot.py [--mlpy PATH] [--out docs/images]

Runs the real Neovim (from .tools/venv, installed as by test/run.py) with the plugin and
the real `mlpy lsp` inside tmux, types into it with `tmux send-keys`, captures the pane
with its colours (`tmux capture-pane -e`), and draws the captured cells into PNG files
with pyte and Pillow (installed into .tools/venv when missing) and DejaVu Sans Mono
(Debian's fonts-dejavu-core). Needs tmux (Debian's tmux). Not part of the test suite.
"""

import argparse
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
sys.path.insert(0, str(PLUGIN / "test"))
import run  # noqa: E402  (test/run.py: ensure_nvim, VENV)

COLS, ROWS = 132, 26
SOCKET = f"mlpy-shot-{os.getpid()}"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"


def ensure_render_deps():
    python = run.venv_python()
    probe = subprocess.run([str(python), "-c", "import pyte, PIL"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "pyte==0.8.2", "Pillow==11.3.0"], check=True)
    if Path(sys.prefix).resolve() != run.VENV.resolve():
        os.execv(str(python), [str(python)] + sys.argv)


INIT = r"""
vim.opt.runtimepath:prepend(os.getenv('MLPY_PLUGIN'))
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'
vim.opt.termguicolors = true
vim.opt.number = true
vim.opt.signcolumn = 'yes'
vim.opt.laststatus = 2
vim.opt.cmdheight = 1
vim.cmd('filetype plugin indent on')
vim.cmd('syntax on')
vim.diagnostic.config({
  virtual_text = { spacing = 2, format = function(d) return d.message:match('[^\n]*') end },
  severity_sort = true,
})
require('mlpy').setup({ cmd = { os.getenv('MLPY_SERVER'), 'lsp', '--stdio' } })
"""


def tmux(*args, check=True):
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=check, capture_output=True, text=True)


def keys(*k, pause=0.4):
    tmux("send-keys", "-t", "shot", *k)
    time.sleep(pause)


def capture():
    return tmux("capture-pane", "-t", "shot", "-e", "-p").stdout


NAMED = {
    "black": (0, 0, 0), "red": (205, 49, 49), "green": (13, 188, 121), "brown": (229, 229, 16),
    "yellow": (229, 229, 16), "blue": (36, 114, 200), "magenta": (188, 63, 188), "cyan": (17, 168, 205),
    "white": (229, 229, 229),
}
DEFAULT_FG, DEFAULT_BG = (224, 226, 234), (20, 22, 27)


def color(value, default):
    if value == "default":
        return default
    if value in NAMED:
        return NAMED[value]
    if len(value) == 6:
        try:
            return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            pass
    return default


def render(ansi, out):
    import pyte
    from PIL import Image, ImageDraw, ImageFont

    screen = pyte.Screen(COLS, ROWS)
    stream = pyte.Stream(screen)
    stream.feed(ansi.rstrip("\n").replace("\n", "\r\n"))
    font = ImageFont.truetype(FONT, 15)
    bold = ImageFont.truetype(FONT_BOLD, 15)
    left, top, right, bottom = font.getbbox("M")
    cw = round(font.getlength("M"))
    ch = 20
    pad = 12
    img = Image.new("RGB", (COLS * cw + 2 * pad, ROWS * ch + 2 * pad), DEFAULT_BG)
    draw = ImageDraw.Draw(img)
    for y in range(ROWS):
        line = screen.buffer[y]
        for x in range(COLS):
            cell = line[x]
            fg, bg = color(cell.fg, DEFAULT_FG), color(cell.bg, DEFAULT_BG)
            if cell.reverse:
                fg, bg = bg, fg
            x0, y0 = pad + x * cw, pad + y * ch
            if bg != DEFAULT_BG:
                draw.rectangle([x0, y0, x0 + cw - 1, y0 + ch - 1], fill=bg)
            if cell.data.strip():
                draw.text((x0, y0 + 2), cell.data, font=bold if cell.bold else font, fill=fg)
            if cell.underscore:
                draw.line([x0, y0 + ch - 3, x0 + cw - 1, y0 + ch - 3], fill=fg)
    img.save(out)
    print(f"wrote {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mlpy", default=os.environ.get("MLPY_SERVER") or str(REPO / "target" / "debug" / "mlpy"))
    parser.add_argument("--out", default=str(REPO / "docs" / "images"))
    args = parser.parse_args()
    nvim = run.ensure_nvim()
    ensure_render_deps()
    if shutil.which("tmux") is None:
        sys.exit("error: tmux is needed (apt-get install tmux)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    tmp = Path(tempfile.mkdtemp(prefix="mlpy-shot-"))
    try:
        project = tmp / "shapes"
        shutil.copytree(run.FIXTURE, project)
        init = tmp / "init.lua"
        init.write_text(INIT)
        env = {
            "MLPY_PLUGIN": str(PLUGIN), "MLPY_SERVER": str(Path(args.mlpy).resolve()),
            "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data"),
            "XDG_STATE_HOME": str(tmp / "state"), "XDG_CACHE_HOME": str(tmp / "cache"),
            "COLORTERM": "truecolor", "TERM": "xterm-256color",
        }
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        tmux("-f", "/dev/null", "new-session", "-d", "-s", "shot", "-x", str(COLS), "-y", str(ROWS),
             f"cd {project} && env {exports} {nvim} -n -i NONE -u {init} broken.ml")
        tmux("set-option", "-g", "default-terminal", "tmux-256color", check=False)
        tmux("set-option", "-ga", "terminal-overrides", ",*:Tc", check=False)
        time.sleep(3)
        keys("4G", "w")
        keys(":lua vim.diagnostic.open_float()", "Enter", pause=1.5)
        render(capture(), out / "nvim-diagnostics.png")

        keys("Escape", "Escape")
        keys(":edit main.ml", "Enter", pause=1.5)
        keys("6G", "0", "f.", "l", pause=0.5)
        keys(":MlpyEmitPython", "Enter", pause=2.5)
        keys(":wincmd p", "Enter", pause=0.5)
        keys(":lua vim.lsp.buf.hover()", "Enter", pause=1.5)
        render(capture(), out / "nvim-emit-python.png")
        keys("Escape", ":qall!", "Enter", pause=0.5)
    finally:
        tmux("kill-server", check=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
