#!/usr/bin/env bash
# measure.sh — run the adversarial corpus and count false accepts/rejects.
#
#   tests/adversarial/measure.sh [DERIVE_BINARY] [--no-symbolic]
#
# DERIVE_BINARY defaults to target/release/derive. For every file under
# wrong/ it prints the wrong steps that pass (verdict proved or numeric: false
# accepts), for every file under true/ the true steps that fail (false
# rejects), and for wrong rational-*/answers-* files how many steps the
# symbolic judge refuted (symbolic.outcome == "refuted"); then the totals.
# A file that does not parse (exit code 2) or times out (MEASURE_TIMEOUT
# seconds per file, default 300) is reported as such.
# Deterministic: derive runs with its default seed; files are sorted.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
bin="target/release/derive"
extra=()
for a in "$@"; do
  case "$a" in
    --no-symbolic) extra+=(--no-symbolic) ;;
    *) bin="$a" ;;
  esac
done
if [ ! -x "$bin" ]; then echo "measure.sh: no derive binary at $bin" >&2; exit 2; fi
# A binary without --no-symbolic: run it normally and judge by the numeric
# judge's outcome alone (numeric.outcome == "agrees" counts as passing).
emulate=0
if [ ${#extra[@]} -gt 0 ] && ! "$bin" check --help 2>&1 | grep -q -- '--no-symbolic'; then
  echo "note: $bin has no --no-symbolic; using numeric.outcome == agrees as the verdict" >&2
  extra=(); emulate=1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for f in $(cd "$here" && ls wrong/*.drv true/*.drv | LC_ALL=C sort); do
  out="$tmp/$(echo "$f" | tr '/' '_').json"
  timeout "${MEASURE_TIMEOUT:-300}" "$bin" check --format json "${extra[@]}" "$here/$f" >"$out" 2>/dev/null
  echo "$f $?" >>"$tmp/index"
done
python3 - "$tmp" "$emulate" <<'PY'
import json, sys, os
tmp = sys.argv[1]
emulate = sys.argv[2] == "1"
PASS = {"proved", "numeric"}
def verdict(s):
    if emulate:
        return "numeric" if (s.get("numeric") or {}).get("outcome") == "agrees" else "refuted"
    return s["verdict"]
tot = {"wrong": 0, "fa": 0, "true": 0, "fr": 0, "rw": 0, "rref": 0, "bad": 0}
print("%-42s %6s %8s %s" % ("file", "steps", "bad", "notes"))
for line in open(os.path.join(tmp, "index")):
    f, rc = line.split()
    rc = int(rc)
    path = os.path.join(tmp, f.replace("/", "_") + ".json")
    wrong = f.startswith("wrong/")
    base = os.path.basename(f)
    try:
        doc = json.load(open(path))
        steps = [s for fl in doc["files"] for s in fl["steps"]]
    except Exception:
        doc, steps = None, []
    if rc not in (0, 1) or doc is None:
        why = {2: "exit 2 (parse/kind error)", 124: "TIMEOUT"}.get(rc, "exit %d (killed?), no JSON" % rc)
        print("%-42s %6s %8s %s" % (f, "-", "-", why))
        tot["bad"] += 1
        continue
    if wrong:
        fa = [s for s in steps if verdict(s) in PASS]
        tot["wrong"] += len(steps); tot["fa"] += len(fa)
        note = "false accepts"
        if base.startswith("rational-") or base.startswith("answers-"):
            r = sum(1 for s in steps if (s.get("symbolic") or {}).get("outcome") == "refuted")
            tot["rw"] += len(steps); tot["rref"] += r
            note += ", symbolic refuted %d/%d" % (r, len(steps))
        print("%-42s %6d %8d %s" % (f, len(steps), len(fa), note))
        for s in fa:
            print("    accepted  %-9s %s" % (verdict(s), s["location"].split(":", 1)[1] + "  " + s["statement"]))
    else:
        fr = [s for s in steps if verdict(s) not in PASS]
        tot["true"] += len(steps); tot["fr"] += len(fr)
        print("%-42s %6d %8d %s" % (f, len(steps), len(fr), "false rejects"))
        for s in fr:
            print("    rejected  %-9s %s" % (verdict(s), s["location"].split(":", 1)[1] + "  " + s["statement"]))
print()
print("wrong steps: %d, passing (false accepts): %d" % (tot["wrong"], tot["fa"]))
print("true steps:  %d, failing (false rejects): %d" % (tot["true"], tot["fr"]))
print("rational-/answers- wrong steps: %d, symbolic refuted: %d" % (tot["rw"], tot["rref"]))
print("files not checked (exit 2 / timeout): %d" % tot["bad"])
PY
