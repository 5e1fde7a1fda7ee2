#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A DNS server for test-godns.sh, speaking the real protocol over UDP and TCP (python3-dnslib): it
# answers TXT queries as the JSON file ANSWERS says when the query comes, so a test changes answers
# by rewriting it, and logs each query on stdout (the journal, under systemd-run), so a test counts
# them. ANSWERS maps a name (with its final dot) to {"txt": "...", "ad": true|false} for a TXT
# record (the AD bit as given), {"rcode": "SERVFAIL"}, or {"drop": true} for no answer at all; any
# other name is NXDOMAIN.
#
#   godns-server.py ADDRESS PORT ANSWERS
import json
import sys
import time

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSError, DNSLogger, DNSServer


class Resolver(BaseResolver):
    def __init__(self, answers):
        self.answers = answers

    def resolve(self, request, handler):
        name = str(request.q.qname)
        print(f"query {name} {QTYPE[request.q.qtype]}", flush=True)
        reply = request.reply()
        reply.header.ra = 1
        try:
            with open(self.answers) as f:
                entry = json.load(f).get(name)
        except (OSError, ValueError):
            entry = None
        if entry is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif entry.get("drop"):
            raise DNSError("dropped, as asked")
        elif "rcode" in entry:
            reply.header.rcode = getattr(RCODE, entry["rcode"])
        elif request.q.qtype == QTYPE.TXT:
            # One TXT record; its text cut into strings of at most 255 bytes, as the wire format wants.
            text = entry["txt"].encode()
            strings = [text[i:i + 255] for i in range(0, len(text), 255)] or [b""]
            reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(strings), ttl=60))
            reply.header.ad = 1 if entry.get("ad") else 0
        return reply


def main():
    address, port, answers = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    logger = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data")
    servers = [DNSServer(Resolver(answers), address=address, port=port, tcp=tcp, logger=logger) for tcp in (False, True)]
    for s in servers:
        s.start_thread()
    print(f"listening on {address}:{port}", flush=True)
    while all(s.isAlive() for s in servers):
        time.sleep(1)


if __name__ == "__main__":
    main()
