#!/usr/bin/env python3
"""Per-package mutation scores and surviving mutants from PIT's mutations.xml.

Usage: .ci/pit-summary.py [java/core/target/pit-reports/mutations.xml] [--survivors]
Detected = KILLED + TIMED_OUT + MEMORY_ERROR + RUN_ERROR (PIT's own definition).
"""
import collections
import sys
import xml.etree.ElementTree as ET

DETECTED = {"KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR"}

args = [a for a in sys.argv[1:] if not a.startswith("--")]
path = args[0] if args else "java/core/target/pit-reports/mutations.xml"
mutations = ET.parse(path).getroot().findall("mutation")
totals = collections.defaultdict(lambda: [0, 0])
for m in mutations:
    cls = m.findtext("mutatedClass")
    package = cls.rsplit(".", 1)[0]
    totals[package][0] += 1
    totals[package][1] += m.get("status") in DETECTED
all_n = sum(t[0] for t in totals.values())
all_k = sum(t[1] for t in totals.values())
for package, (n, k) in sorted(totals.items()):
    print(f"{package:20s} {k:4d} / {n:4d} detected  {100.0 * k / n:5.1f}%")
print(f"{'all':20s} {all_k:4d} / {all_n:4d} detected  {100.0 * all_k / all_n:5.1f}%")
if "--survivors" in sys.argv:
    for m in mutations:
        if m.get("status") not in DETECTED:
            print(m.get("status"), m.findtext("mutatedClass"), m.findtext("mutatedMethod"),
                  "line", m.findtext("lineNumber"), "-", m.findtext("description"))
