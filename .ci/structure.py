#!/usr/bin/env python3
"""Structure rules of the library crates (crates/*/src), checked in CI:

1. No import ring between the top-level modules of one crate (`crate::a` used in module `b`
   and `crate::b` in module `a`, directly or through others).
2. No function longer than 80 lines, unless the line before it (its docs or attributes)
   carries a comment containing `long:` saying why.

Prints each violation and exits 1 if there is any.
"""

import os
import re
import sys

MAX_LINES = 80
FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def strip_code(line, in_block):
    """The line without string/char literals and comments; whether a block comment continues."""
    out, i = [], 0
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            i, in_block = end + 2, False
        elif line.startswith("//", i):
            break
        elif line.startswith("/*", i):
            in_block, i = True, i + 2
        elif line[i] == '"':
            j = i + 1
            while j < len(line) and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            i = j + 1
        elif line[i] == "'" and re.match(r"'(\\.|[^\\'])'", line[i:]):
            i += len(re.match(r"'(\\.|[^\\'])'", line[i:]).group(0))
        else:
            out.append(line[i])
            i += 1
    return "".join(out), in_block


def long_functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    code, in_block = [], False
    for line in lines:
        text, in_block = strip_code(line, in_block)
        code.append(text)
    found = []
    for start, text in enumerate(code):
        match = FN.match(text)
        if not match:
            continue
        depth, opened, end = 0, False, None
        for n in range(start, len(code)):
            if not opened and ";" in code[n] and "{" not in code[n]:
                break  # a declaration without a body
            depth += code[n].count("{") - code[n].count("}")
            opened = opened or "{" in code[n]
            if opened and depth <= 0:
                end = n
                break
        if end is None or end - start + 1 <= MAX_LINES:
            continue
        before = lines[start - 1] if start > 0 else ""
        if "long:" not in before and "#[test]" not in before:
            found.append((start + 1, match.group(6), end - start + 1))
    return found


def top_modules(src):
    mods = set()
    for name in os.listdir(src):
        if name.endswith(".rs") and name not in ("lib.rs", "main.rs"):
            mods.add(name[:-3])
        elif os.path.isdir(os.path.join(src, name)):
            mods.add(name)
    return mods


def rings(src):
    mods = top_modules(src)
    uses = {m: set() for m in mods}
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(root, name)
            top = os.path.relpath(path, src).split(os.sep)[0]
            top = top[:-3] if top.endswith(".rs") else top
            if top not in mods:
                continue
            # Code only: a doc link to another module is not an import.
            code = "\n".join(
                line for line in open(path, encoding="utf-8") if not line.lstrip().startswith("//")
            )
            for used in re.findall(r"crate::([a-z_][a-z0-9_]*)", code):
                if used in mods and used != top:
                    uses[top].add(used)
    reach = {m: set(uses[m]) for m in mods}
    changed = True
    while changed:
        changed = False
        for m in mods:
            more = set().union(*(reach[n] for n in reach[m])) if reach[m] else set()
            if not more <= reach[m]:
                reach[m] |= more
                changed = True
    return sorted({tuple(sorted((a, b))) for a in mods for b in uses[a] if a in reach[b]})


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    os.chdir(root)
    problems = []
    for crate in sorted(os.listdir("crates")):
        src = os.path.join("crates", crate, "src")
        if not os.path.isdir(src):
            continue
        for a, b in rings(src):
            problems.append(f"{src}: modules `{a}` and `{b}` import each other (directly or in a ring)")
        for dirpath, _, files in os.walk(src):
            for name in sorted(files):
                if name.endswith(".rs"):
                    path = os.path.join(dirpath, name)
                    for line, fn, length in long_functions(path):
                        problems.append(
                            f"{path}:{line}: fn {fn} is {length} lines (over {MAX_LINES}; split it"
                            " or say why in a `long:` comment on the line before)"
                        )
    for problem in problems:
        print(problem)
    print(f"structure: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
