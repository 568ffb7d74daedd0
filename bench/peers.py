# SPDX-License-Identifier: MIT
# `make bench`'s peers: prints a `wg setconf` config of N random peers (any 32 bytes are a
# public key), numbered from FIRST, each with a /32 and an endpoint. Usage: peers.py N FIRST
import base64
import os
import sys


def key():
    return base64.b64encode(os.urandom(32)).decode()


n, first = int(sys.argv[1]), int(sys.argv[2])
print("[Interface]\nPrivateKey = %s\n" % key())
for i in range(first, first + n):
    print("[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32\nEndpoint = 192.0.2.%d:%d\n"
          % (key(), 128 + (i >> 16), (i >> 8) & 255, i & 255, i % 250 + 1, 1024 + i % 60000))
