#!/usr/bin/env python3
"""wireshark-labels: holds the page's Wireshark labels against tshark's own.

For each script given, `socklab run` prints every sent packet with the labels
socklab's analysis (src/wireshark.rs) gives it, and `--pcap` writes the same
packets; tshark reads the capture and writes its Info column. Frame by frame,
the bracketed analysis labels must be the same, in the same order ("TCP Dup
ACK 5#1" names a packet number in socklab's output and a frame number in
tshark's: they are mapped through the capture's order).

Usage: tools/wireshark-labels.py SOCKLAB_BINARY SCRIPT...
Prints one line per script; exit 1 when any frame differs.
"""
import re
import subprocess
import sys
import tempfile
import os

LABEL = re.compile(r"\[(TCP [^\]]*)\]")
# Not sequence analysis: tshark's reassembly note for port 80 payloads.
IGNORED = {"TCP segment of a reassembled PDU"}
SENT = re.compile(r"^\s*\S+\s+\S+\s+send\s+#(\d+) ")


def ours(binary, script, pcap):
    run = subprocess.run([binary, "run", script, "--pcap", pcap], capture_output=True, text=True)
    # 1 is a failed expectation, still a run; anything else wrote no capture.
    if run.returncode not in (0, 1) or not os.path.exists(pcap):
        raise RuntimeError(f"socklab run exited {run.returncode}: {run.stderr.strip()[:200]}")
    frames = []  # per frame: (packet id, labels with packet ids)
    for line in run.stdout.splitlines():
        m = SENT.match(line)
        if m:
            frames.append((int(m.group(1)), [l for l in LABEL.findall(line) if l not in IGNORED]))
    frame_of = {pid: n + 1 for n, (pid, _) in enumerate(frames)}

    def to_frames(label):
        # "TCP Dup ACK 12#1": 12 is a packet id here, a frame number in tshark.
        m = re.match(r"TCP Dup ACK (\d+)#(\d+)$", label)
        if m:
            return f"TCP Dup ACK {frame_of.get(int(m.group(1)), '?')}#{m.group(2)}"
        return label

    return [[to_frames(l) for l in labels] for _, labels in frames]


def theirs(pcap):
    run = subprocess.run(
        ["tshark", "-r", pcap, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"],
        capture_output=True, text=True,
    )
    if run.returncode != 0:
        raise RuntimeError(f"tshark exited {run.returncode}: {run.stderr.strip()[-200:]}")
    out = run.stdout
    return [[l for l in LABEL.findall(line) if l not in IGNORED] for line in out.splitlines()]


def main():
    binary, scripts = sys.argv[1], sys.argv[2:]
    failed = 0
    labelled = 0
    with tempfile.TemporaryDirectory() as tmp:
        for script in scripts:
            pcap = os.path.join(tmp, "run.pcap")
            if os.path.exists(pcap):
                os.remove(pcap)
            name = os.path.basename(script)
            try:
                a, b = ours(binary, script, pcap), theirs(pcap)
            except (OSError, RuntimeError) as e:
                failed += 1
                print(f"FAIL {name}: {e}")
                continue
            diffs = [(n + 1, x, y) for n, (x, y) in enumerate(zip(a, b)) if x != y]
            if len(a) != len(b):
                diffs.insert(0, ("count", len(a), len(b)))
            count = sum(1 for x in b if x)
            labelled += count
            if diffs:
                failed += 1
                print(f"FAIL {name}: {len(diffs)} frame(s) differ; first: frame {diffs[0][0]}: socklab {diffs[0][1]} tshark {diffs[0][2]}")
                for d in diffs[1:6]:
                    print(f"       frame {d[0]}: socklab {d[1]} tshark {d[2]}")
            else:
                print(f"ok   {name}: {len(a)} frames, {count} labelled, every label as tshark's")
    print(f"wireshark-labels: {len(scripts) - failed} passed, {failed} failed ({labelled} labelled frames)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
