# -*- coding: utf-8 -*-
"""Starts an ML program under the debugger: written by `mlpy dap` beside the emitted
program, run by debugpy (which already traces this process), with the entry's file name
and the program's arguments as arguments.

Before the entry module runs (and with it `__ml.arm()`), it names debugpy's package folder
to the sandbox (`sandbox.allow_debugger`): once armed, the audit hook lets the debugger's
own files trace, evaluate and inspect, and nothing else (docs/security.md, "The debugger").
"""

import os
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    if not sys.path or sys.path[0] != here:
        sys.path.insert(0, here)
    import debugpy
    from mlpy_runtime import sandbox

    sandbox.allow_debugger(os.path.dirname(os.path.abspath(debugpy.__file__)))
    entry = os.path.join(here, sys.argv[1])
    sys.argv = [entry] + sys.argv[2:]
    import runpy

    runpy.run_path(entry, run_name="__main__")


main()
