#!/usr/bin/env python3
"""A stand-in for journald in tests: binds a unix datagram socket at
argv[1] and appends each datagram, decoded from the native protocol, as
one JSON object per line to argv[2]. A malformed datagram is recorded as
{"_MALFORMED": repr}."""
import json, os, socket, struct, sys

def decode(b):
    fields = {}
    while b:
        nl = b.index(b"\n")
        line = b[:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            fields[k.decode()] = v.decode("utf-8", "replace")
            b = b[nl + 1:]
            continue
        n = struct.unpack("<Q", b[nl + 1:nl + 9])[0]
        v = b[nl + 9:nl + 9 + n]
        if b[nl + 9 + n:nl + 10 + n] != b"\n":
            raise ValueError("no newline after a binary value")
        fields[line.decode()] = v.decode("utf-8", "replace")
        b = b[nl + 10 + n:]
    return fields

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        d = s.recv(1 << 20)
        try:
            rec = decode(d)
        except Exception:
            rec = {"_MALFORMED": repr(d)}
        out.write(json.dumps(rec, sort_keys=True) + "\n")
