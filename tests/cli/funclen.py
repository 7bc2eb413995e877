#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Functions in src/ longer than the limit, unless the comment above them gives the reason ("Long: ...").
"""Usage: funclen.py [--max N] SRC_DIR

A function is a body that opens with "{" and closes with "}" alone in
column 0 (the project's style: .clang-format puts them there).  Its
length counts the lines from "{" to "}".  A function over the limit
(default 80) must carry, in the comment block right above its signature,
a sentence starting with "Long:" that says why.  Prints one line per
function that does not; exit status 1 if any.
"""
import os
import re
import sys


def functions(lines):
    """(name, first line of the signature, length, comment above) for each body."""
    i = 0
    while i < len(lines):
        if lines[i] == "{":
            j = i + 1
            while j < len(lines) and lines[j] != "}":
                j += 1
            k = i - 1
            while k > 0 and lines[k - 1].strip() and not lines[k - 1].rstrip().endswith(("*/", ";", "}")):
                k -= 1
            m = re.search(r"(\w+)\s*\(", " ".join(lines[k:i]))
            comment = []
            c = k - 1
            if c >= 0 and lines[c].rstrip().endswith("*/"):
                while c >= 0:
                    comment.insert(0, lines[c])
                    if "/*" in lines[c]:
                        break
                    c -= 1
            yield (m.group(1) if m else "?", k + 1, j - i + 1, "\n".join(comment))
            i = j
        i += 1


def main(argv):
    limit = 80
    if len(argv) > 2 and argv[0] == "--max":
        limit = int(argv[1])
        argv = argv[2:]
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    bad = 0
    for root, _, files in os.walk(argv[0]):
        for name in sorted(files):
            if not name.endswith(".c"):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
            for fn, line, n, comment in functions(lines):
                if n > limit and "Long:" not in comment:
                    print(f"{path}:{line}: {fn} is {n} lines (over {limit}) and says not why")
                    bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
