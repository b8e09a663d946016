#!/usr/bin/env python3
"""The README's architecture table, made from the code: the targets and what each uses from
`swift package dump-package`, what each is from the `///` lines above it in Package.swift.

    scripts/architecture.py           check that README.md's table is the one the code makes
    scripts/architecture.py --write   write it into README.md
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- architecture: made by scripts/architecture.py from Package.swift; edit the /// lines there -->"
END = "<!-- end of architecture -->"


def descriptions(package_swift):
    """What each target is: the `///` lines just above its declaration, joined."""
    found, comment, pending = {}, [], None
    for line in package_swift.split("\n"):
        stripped = line.strip()
        if stripped.startswith("///"):
            comment.append(stripped[3:].strip())
            continue
        if re.match(r"\.(target|executableTarget|systemLibrary|testTarget)\(", stripped):
            pending = " ".join(comment)
        comment = []
        name = re.search(r'name: "([^"]+)"', stripped)
        if pending is not None and name:
            found[name.group(1)] = pending
            pending = None
    return found


def table():
    # A scratch folder of its own: `swift test` holds .build's lock while its tests run this.
    with tempfile.TemporaryDirectory() as scratch:
        dump = subprocess.run(["swift", "package", "--scratch-path", scratch, "dump-package"], cwd=ROOT, check=True, capture_output=True, text=True)
    package = json.loads(dump.stdout)
    about = descriptions(open(os.path.join(ROOT, "Package.swift")).read())
    targets = [t for t in package["targets"] if t.get("path") is None and t["type"] != "test"]
    names = {t["name"] for t in targets}
    problems = [f"Package.swift: target {t['name']} has no /// line saying what it is" for t in targets if not about.get(t["name"])]
    problems += [f"Sources/{d} is no target" for d in sorted(os.listdir(os.path.join(ROOT, "Sources"))) if d not in names]
    rows = ["| target | what it is | uses |", "|---|---|---|"]
    for target in targets:
        uses = [d.get("byName", d.get("target", [None]))[0] for d in target["dependencies"] if "byName" in d or "target" in d]
        uses = ", ".join(f"`{u}`" for u in uses if u in names) or "nothing of the project's"
        rows.append(f"| `{target['name']}` | {about.get(target['name'], '')} | {uses} |")
    return "\n".join(rows), problems


def main():
    made, problems = table()
    readme_path = os.path.join(ROOT, "README.md")
    readme = open(readme_path).read()
    if BEGIN not in readme or END not in readme:
        problems.append(f"README.md: no block between {BEGIN} and {END}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    before, rest = readme.split(BEGIN, 1)
    current, after = rest.split(END, 1)
    block = f"\n{made}\n"
    if "--write" in sys.argv[1:]:
        open(readme_path, "w").write(before + BEGIN + block + END + after)
        return 0
    if current != block:
        print("README.md's architecture table is not the one Package.swift makes: run scripts/architecture.py --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
