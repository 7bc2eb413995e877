#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The include graph of src/ points only down the layers of docs/architecture.md; prints one line per upward edge.
"""Usage: layers.py SRC_DIR

Reads every .c and .h under SRC_DIR, resolves each #include "..." against
the including file's directory, and prints one line for every include
that breaks the layering:

  - a layer may include only itself and the layers below it
    (model < decode < access < driver < cli);
  - in cli/, the one shared header is cli.h: no file includes another
    cli/ header (a command's private header stays private);
  - an include that resolves to no file under SRC_DIR is reported too,
    so that a typo cannot hide an edge.

Exit status: 0 when the graph is clean, 1 otherwise.
"""
import os
import re
import sys

ORDER = ["model", "decode", "access", "driver", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path, src):
    rel = os.path.relpath(path, src).split(os.sep)
    return rel[0] if len(rel) > 1 and rel[0] in ORDER else None


def problems(src):
    out = []
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            here = layer_of(path, src)
            if here is None:
                out.append(f"{os.path.relpath(path, src)}: not in a known layer")
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                target = os.path.normpath(os.path.join(root, inc))
                rel = os.path.relpath(path, src)
                if not os.path.isfile(target):
                    out.append(f'{rel}: #include "{inc}" names no file under {src}')
                    continue
                there = layer_of(target, src)
                if there is None:
                    out.append(f'{rel}: #include "{inc}" is outside the layers')
                elif ORDER.index(there) > ORDER.index(here):
                    out.append(f'{rel}: #include "{inc}" points up ({here} -> {there})')
                elif here == "cli" and there == "cli" and os.path.basename(target) != "cli.h":
                    out.append(f'{rel}: #include "{inc}" is a private cli header (only cli.h is shared)')
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    bad = problems(sys.argv[1])
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
