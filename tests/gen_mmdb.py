#!/usr/bin/python3
"""Write tiny MaxMind DB files for the geoip= and asn= tests.

    /usr/bin/python3 tests/gen_mmdb.py OUTDIR

Writes OUTDIR/Test-City.mmdb (GeoLite2-City), OUTDIR/Test-Country.mmdb
(GeoLite2-Country) and OUTDIR/Test-ASN.mmdb (GeoLite2-ASN), each holding
the same invented networks in documentation ranges:

  192.0.2.0/24     City: London, two subdivisions (England, then City of
                   Westminster: the most specific is the last), location.
                   ASN: 64496 "Example Networks Ltd"
  198.51.100.0/24  City: a country only (New Zealand): no city, no
                   subdivisions, no location.  ASN: 64511, no organization
  2001:db8::/32    City: São Paulo, one subdivision, location.
                   ASN: 65536 "Exemplo Trânsito IPv6"

OUTDIR/DONE is written last (tests/run_sql.sh regenerates without it).
Anything else (203.0.113.0/24, 2001:db9::/32, ...) is in no network.  The
tree is an IPv6 one (ip_version 6, record size 28) with IPv4 at ::/96, as
MaxMind builds theirs: an IPv4 address a.b.c.d is looked up at ::a.b.c.d,
and ::ffff:0:0/96 and 2002::/16 lead to the same IPv4 subtree.

The format (MaxMind DB File Format Specification, version 2.0): a binary
search tree of node_count nodes, two records each; a record below
node_count is a node, node_count itself is "no data", above it is an
offset into the data section (record - node_count - 16).  Then 16 zero
bytes, the data section, and "\\xAB\\xCD\\xEFMaxMind.com" followed by the
metadata map.  Standard library only; the output is deterministic.
"""
import ipaddress
import os
import struct
import sys

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"
BUILD_EPOCH = 1700000000          # fixed, so the files are reproducible


# --- data section values ----------------------------------------------

class U16(int):
    pass


class U32(int):
    pass


class U64(int):
    pass


def _control(type_num, size):
    """Control byte(s) of a field: type in the top 3 bits (or extended),
    then the size, with 1-3 extra size bytes past 28."""
    if size < 29:
        first, extra = size, b""
    elif size < 29 + 256:
        first, extra = 29, bytes([size - 29])
    elif size < 285 + 65536:
        first, extra = 30, struct.pack(">H", size - 285)
    else:
        first, extra = 31, struct.pack(">I", size - 65821)[1:]
    if type_num <= 7:
        return bytes([(type_num << 5) | first]) + extra
    return bytes([first, type_num - 7]) + extra    # extended type


def _uint(type_num, n, width):
    if not 0 <= n < 1 << (8 * width):
        raise ValueError("%d does not fit in %d bytes" % (n, width))
    b = n.to_bytes(width, "big").lstrip(b"\0")      # shortest form
    return _control(type_num, len(b)) + b


def encode(v):
    """One data field: dict -> map (7), list -> array (11), str ->
    utf8_string (2), float -> double (3), U16 (5), U32/int (6), U64 (9)."""
    if isinstance(v, dict):
        out = _control(7, len(v))
        for k, x in v.items():
            out += encode(str(k)) + encode(x)
        return out
    if isinstance(v, list):
        return _control(11, len(v)) + b"".join(encode(x) for x in v)
    if isinstance(v, str):
        b = v.encode("utf-8")
        return _control(2, len(b)) + b
    if isinstance(v, float):
        return _control(3, 8) + struct.pack(">d", v)
    if isinstance(v, bool):
        return _control(14, int(v))
    if isinstance(v, U16):
        return _uint(5, v, 2)
    if isinstance(v, U64):
        return _uint(9, v, 8)
    if isinstance(v, int):
        return _uint(6, v, 4)
    raise TypeError(type(v))


# --- the search tree --------------------------------------------------

class Node:
    __slots__ = ("child",)

    def __init__(self):
        self.child = [None, None]     # None, a Node, or ("data", offset)


def build(networks, database_type, description, record_size=28):
    """The bytes of a database with ip_version 6 holding networks, a list
    of (CIDR text, data value)."""
    data = b""
    offsets = {}
    root = Node()
    for cidr, value in networks:
        net = ipaddress.ip_network(cidr)
        if net.version == 4:          # IPv4 lives at ::/96
            bits, plen = int(net.network_address), 96 + net.prefixlen
        else:
            bits, plen = int(net.network_address), net.prefixlen
        if plen == 0:
            raise ValueError("a network must have a prefix")
        blob = encode(value)
        if blob not in offsets:       # identical records are stored once
            offsets[blob] = len(data)
            data += blob
        node = root
        for depth in range(plen):
            bit = (bits >> (127 - depth)) & 1
            if depth == plen - 1:
                if node.child[bit] is not None:
                    raise ValueError("overlapping network " + cidr)
                node.child[bit] = ("data", offsets[blob])
            else:
                nxt = node.child[bit]
                if nxt is None:
                    nxt = node.child[bit] = Node()
                elif not isinstance(nxt, Node):
                    raise ValueError("overlapping network " + cidr)
                node = nxt

    # ::ffff:0:0/96 (IPv4-mapped) and 2002::/16 (6to4) lead to the IPv4
    # subtree too, as in MaxMind's databases
    ipv4 = root
    for _ in range(96):
        ipv4 = ipv4.child[0]
        if not isinstance(ipv4, Node):
            raise ValueError("no IPv4 network")
    for alias, plen in ((0xFFFF << 32, 96), (0x2002 << 112, 16)):
        node = root
        for depth in range(plen):
            bit = (alias >> (127 - depth)) & 1
            if depth == plen - 1:
                if node.child[bit] is not None:
                    raise ValueError("a network overlaps an IPv4 alias")
                node.child[bit] = ipv4
            else:
                if node.child[bit] is None:
                    node.child[bit] = Node()
                node = node.child[bit]

    # number the nodes breadth first, the root 0 (the aliases' target once)
    order, index = [root], {id(root): 0}
    i = 0
    while i < len(order):
        for c in order[i].child:
            if isinstance(c, Node) and id(c) not in index:
                index[id(c)] = len(order)
                order.append(c)
        i += 1
    node_count = len(order)

    def value(c):
        if c is None:
            return node_count
        if isinstance(c, Node):
            return index[id(c)]
        return node_count + 16 + c[1]

    tree = bytearray()
    limit = 1 << record_size
    for n in order:
        left, right = value(n.child[0]), value(n.child[1])
        if left >= limit or right >= limit:
            raise ValueError("record size too small")
        if record_size == 24:
            tree += left.to_bytes(3, "big") + right.to_bytes(3, "big")
        elif record_size == 28:
            tree += (left & 0xFFFFFF).to_bytes(3, "big")
            tree.append(((left >> 24) << 4) | (right >> 24))
            tree += (right & 0xFFFFFF).to_bytes(3, "big")
        elif record_size == 32:
            tree += left.to_bytes(4, "big") + right.to_bytes(4, "big")
        else:
            raise ValueError("record size 24, 28 or 32")

    metadata = {
        "binary_format_major_version": U16(2),
        "binary_format_minor_version": U16(0),
        "build_epoch": U64(BUILD_EPOCH),
        "database_type": database_type,
        "description": {"en": description},
        "ip_version": U16(6),
        "languages": ["en", "de"],
        "node_count": U32(node_count),
        "record_size": U16(record_size),
    }
    return bytes(tree) + b"\0" * 16 + data + METADATA_MARKER + encode(metadata)


# --- the invented contents ------------------------------------------

def names(en, de=None):
    d = {"en": en}
    if de:
        d["de"] = de
    return d


EUROPE = {"code": "EU", "geoname_id": U32(6255148), "names": names("Europe", "Europa")}
OCEANIA = {"code": "OC", "geoname_id": U32(6255151), "names": names("Oceania", "Ozeanien")}
S_AMERICA = {"code": "SA", "geoname_id": U32(6255150),
             "names": names("South America", "Südamerika")}
GB = {"geoname_id": U32(2635167), "iso_code": "GB",
      "names": names("United Kingdom", "Vereinigtes Königreich")}
NZ = {"geoname_id": U32(2186224), "iso_code": "NZ", "names": names("New Zealand", "Neuseeland")}
BR = {"geoname_id": U32(3469034), "iso_code": "BR", "names": names("Brazil", "Brasilien")}

CITY = [
    ("192.0.2.0/24", {
        "city": {"geoname_id": U32(2643743), "names": names("London", "London")},
        "continent": EUROPE,
        "country": GB,
        "location": {"accuracy_radius": U16(10), "latitude": 51.5142,
                     "longitude": -0.0931, "time_zone": "Europe/London"},
        "registered_country": GB,
        "subdivisions": [
            {"geoname_id": U32(6269131), "iso_code": "ENG", "names": names("England")},
            {"geoname_id": U32(3333218), "iso_code": "WSM",
             "names": names("City of Westminster")},
        ],
    }),
    ("198.51.100.0/24", {
        "continent": OCEANIA,
        "country": NZ,
        "registered_country": NZ,
    }),
    ("2001:db8::/32", {
        "city": {"geoname_id": U32(3448439), "names": names("São Paulo")},
        "continent": S_AMERICA,
        "country": BR,
        "location": {"accuracy_radius": U16(50), "latitude": -23.5475,
                     "longitude": -46.63611, "time_zone": "America/Sao_Paulo"},
        "registered_country": BR,
        "subdivisions": [
            {"geoname_id": U32(3448433), "iso_code": "SP", "names": names("São Paulo")},
        ],
    }),
]


def country_only(rec):
    return {k: v for k, v in rec.items()
            if k in ("continent", "country", "registered_country")}


COUNTRY = [(cidr, country_only(rec)) for cidr, rec in CITY]

ASN = [
    ("192.0.2.0/24", {"autonomous_system_number": U32(64496),
                      "autonomous_system_organization": "Example Networks Ltd"}),
    ("198.51.100.0/24", {"autonomous_system_number": U32(64511)}),
    ("2001:db8::/32", {"autonomous_system_number": U32(65536),
                       "autonomous_system_organization": "Exemplo Trânsito IPv6"}),
]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_mmdb.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = [
        ("Test-City.mmdb", CITY, "GeoLite2-City", "sqlite-cloudtrail test City database"),
        ("Test-Country.mmdb", COUNTRY, "GeoLite2-Country",
         "sqlite-cloudtrail test Country database"),
        ("Test-ASN.mmdb", ASN, "GeoLite2-ASN", "sqlite-cloudtrail test ASN database"),
    ]
    for name, nets, dbtype, desc in files:
        with open(os.path.join(out, name), "wb") as f:
            f.write(build(nets, dbtype, desc))
    with open(os.path.join(out, "DONE"), "w") as f:   # the runner's guard
        f.write("done\n")


if __name__ == "__main__":
    main()
