#!/usr/bin/env python3
"""A stand-in for systemd's notify socket in tests: binds a unix datagram
socket at argv[1] (a leading @ is the abstract namespace, as systemd
means it) and appends each datagram as one JSON object a line to argv[2]:
{"pid": the sender's PID (SCM_CREDENTIALS), "msg": the datagram}."""
import json, os, socket, struct, sys

addr = sys.argv[1]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(addr)
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        msg, anc, _, _ = s.recvmsg(1 << 16, socket.CMSG_SPACE(12))
        pid = 0
        for level, typ, data in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", data[:12])[0]
        out.write(json.dumps({"pid": pid, "msg": msg.decode("utf-8", "replace")}) + "\n")
