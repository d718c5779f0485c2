#!/usr/bin/env python3
"""Fetch the kernel BTF of every Debian kernel build the archive serves.

Run by hand (not in CI); its output is committed: catalog/builds.jsonl (one provenance line
per build) and catalog/no-btf.jsonl (packages looked at whose image carries no BTF). The BTF
blobs themselves go to a scratch directory; `corelab catalog pack` turns them into the
archive (scripts/catalog/build.sh runs both).

    scripts/catalog/fetch.py --scratch /work/scratch/catalog [--suites …] [--arches …]

For each suite and architecture a private apt state (under SCRATCH/apt, nothing installed,
the system's apt untouched) reads the signed package indexes. Kernel image packages are
chosen by catalogue policy (see `select`): every ABI of each architecture's main flavour,
plus every other flavour of each series' newest ABI. Builds already in builds.jsonl or no-btf.jsonl
are skipped, so a rerun only adds what is new; builds that left the archive stay.

Per build: download the .deb with apt-get, check its sha256 against the index, read the
data tarball as a stream until boot/vmlinu[xz]-* (and boot/config-*), take the BTF out of
the image (an ELF's .BTF section, or the raw section found by its header inside the image or
inside a compressed payload in it), write SCRATCH/btf/BUILD.btf (and BUILD.config), append the
provenance line, delete the .deb.

Needs: python3, apt-get, zstd and lz4 (for payloads compressed with those), Debian's archive
keyring. Stdlib only otherwise.
"""
import argparse
import functools
import bz2
import hashlib
import io
import json
import lzma
import os
import re
import struct
import subprocess
import sys
import tarfile
import time
import zlib

SUITES = {
    # suite: (Debian release number or name for build ids, [(archive, dist)])
    "bullseye": ("debian11", [("debian", "bullseye"), ("debian-security", "bullseye-security")]),
    "bookworm": ("debian12", [("debian", "bookworm"), ("debian", "bookworm-updates"),
                              ("debian-security", "bookworm-security")]),
    "trixie": ("debian13", [("debian", "trixie"), ("debian-security", "trixie-security")]),
    "sid": ("debian-sid", [("debian", "sid")]),
}
ARCHES = ["amd64", "arm64", "ppc64el", "s390x", "riscv64", "loong64",
          "i386", "armhf", "armel", "mips64el", "mipsel"]
# The flavour whose every ABI is kept; other flavours are kept for the newest ABI only.
MAIN_FLAVOUR = {
    "amd64": "amd64", "arm64": "arm64", "ppc64el": "powerpc64le", "s390x": "s390x",
    "riscv64": "riscv64", "loong64": "loong64", "i386": "686-pae", "armhf": "armmp",
    "armel": "rpi", "mips64el": "mips64r2el", "mipsel": "mips32r2el",
}
MIRROR = "http://deb.debian.org/"

# linux-image-<ABI>-<flavour>[-unsigned]; ABI: 5.10.0-32, 6.1.0-0.deb11.48, 6.12.74+deb13+1 …
# From 7.x on (sid) the image is in linux-binary[-unsigned]-<ABI>-<flavour> and linux-image-…
# is a metapackage.
ABI = r"(?P<abi>\d+\.\d+(?:\.\d+)?(?:-0\.deb\d+\.\d+|-\d+|\+deb\d+(?:[.+]\d+)*))"
IMAGE_RE = re.compile(
    r"^linux-image-" + ABI + r"-(?P<flavour>[a-z0-9-]+?)(?P<unsigned>-unsigned)?$")
BINARY_RE = re.compile(
    r"^linux-binary-(?P<unsigned>unsigned-)?" + ABI + r"-(?P<flavour>[a-z0-9-]+?)$")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- private apt

class Apt:
    """apt-get/apt-cache with a private state per suite and architecture."""

    def __init__(self, root, suite, arch):
        self.root = os.path.join(root, f"{suite}-{arch}")
        self.suite, self.arch = suite, arch
        for d in ("lists/partial", "cache/archives/partial", "etc"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        self.sources = os.path.join(self.root, "etc", "sources.list")
        with open(self.sources, "w") as f:
            for archive, dist in SUITES[suite][1]:
                f.write(f"deb [arch={arch}] {MIRROR}{archive} {dist} main\n")

    def options(self):
        r = self.root
        return [
            "-o", f"Dir::Etc::sourcelist={self.sources}", "-o", "Dir::Etc::sourceparts=-",
            "-o", f"Dir::State::Lists={r}/lists", "-o", f"Dir::Cache={r}/cache",
            "-o", "Dir::State::status=/dev/null",
            "-o", f"APT::Architecture={self.arch}", "-o", f"APT::Architectures={self.arch}",
            "-o", "Acquire::Languages=none",
            "-o", "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false",
            "-o", "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false",
            "-o", "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false",
            "-o", "Dir::Etc::trusted=/usr/share/keyrings/debian-archive-keyring.gpg",
            "-o", "Dir::Etc::trustedparts=/usr/share/keyrings",
            "-o", "APT::Sandbox::User=root",
        ]

    def update(self):
        # A pocket missing for an architecture (e.g. bullseye-security after LTS dropped it)
        # is a 404 apt reports but survives; the other pockets' indexes are still read.
        subprocess.run(["apt-get", *self.options(), "-q", "update"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def download(self, package, version, dest):
        r = subprocess.run(["apt-get", *self.options(), "-q", "download", f"{package}={version}"],
                           cwd=dest, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"apt-get download: {r.stderr.strip()}")

    def packages(self):
        """Every stanza of the Packages indexes apt verified, with the pocket it came from."""
        lists = os.path.join(self.root, "lists")
        for name in sorted(os.listdir(lists)):
            if not re.search(f"_binary-{self.arch}_Packages(\\.[a-z0-9]+)?$", name):
                continue
            m = re.search(r"_dists_([^_]+)_main_", name)
            pocket = m.group(1) if m else self.suite
            # apt keeps indexes compressed (lz4 here); its helper reads any of its formats.
            text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file",
                                   os.path.join(lists, name)], stdout=subprocess.PIPE,
                                  check=True).stdout.decode("utf-8", "replace")
            if True:
                for stanza in text.split("\n\n"):
                    fields = {}
                    for line in stanza.splitlines():
                        if line and not line[0].isspace() and ":" in line:
                            k, _, v = line.partition(":")
                            fields[k] = v.strip()
                    if "Package" in fields:
                        fields["_pocket"] = pocket
                        yield fields


def newer(a, b):
    return subprocess.run(["dpkg", "--compare-versions", a, "gt", b]).returncode == 0


def abi_key(abi):
    return [int(x) if x.isdigit() else x for x in re.split(r"[.+-]", abi) if x]


def preference(a, b):
    """Order of the packages of one build: linux-binary-* first (where it exists the
    linux-image-* package is a metapackage), -unsigned first (no signature appended to the
    image), then the newest version."""
    if a["_binary"] != b["_binary"]:
        return -1 if a["_binary"] else 1
    if a["_unsigned"] != b["_unsigned"]:
        return -1 if a["_unsigned"] else 1
    if a["Version"] == b["Version"]:
        return 0
    return -1 if newer(a["Version"], b["Version"]) else 1


def series_of(abi):
    return ".".join(abi.split(".")[:2])


def select(apt):
    """The builds of one suite/architecture the catalogue keeps: (package stanza, abi, flavour)."""
    found = {}  # (abi, flavour) -> stanzas, best first: -unsigned, then the newest version
    for p in apt.packages():
        m = IMAGE_RE.match(p["Package"]) or BINARY_RE.match(p["Package"])
        if not m or m.group("flavour").endswith("-dbg"):
            continue
        p["_unsigned"] = bool(m.group("unsigned"))
        p["_binary"] = p["Package"].startswith("linux-binary-")
        found.setdefault((m.group("abi"), m.group("flavour")), []).append(p)
    for key, stanzas in found.items():
        stanzas.sort(key=functools.cmp_to_key(preference))
    if not found:
        return []
    main = MAIN_FLAVOUR[apt.arch]
    flavours_of = {}
    for abi, flavour in found:
        flavours_of.setdefault(abi, set()).add(flavour)
    newest = {}  # series (6.1, 6.12 …) -> its newest ABI
    for abi in flavours_of:
        series = series_of(abi)
        if series not in newest or abi_key(abi) > abi_key(newest[series]):
            newest[series] = abi
    keep = []
    for (abi, flavour), p in sorted(found.items(), key=lambda kv: (abi_key(kv[0][0]), kv[0][1])):
        has_main = main in flavours_of[abi]
        if flavour == main or abi == newest[series_of(abi)] or not has_main:
            keep.append((p, abi, flavour))
    return keep


# ---------------------------------------------------------------- .deb and image

def ar_members(f):
    """(name, size, offset) of each member of an ar archive (a .deb)."""
    if f.read(8) != b"!<arch>\n":
        raise ValueError("not an ar archive")
    while True:
        hdr = f.read(60)
        if len(hdr) < 60:
            return
        name = hdr[:16].decode().strip().rstrip("/")
        size = int(hdr[48:58].decode().strip())
        yield name, size, f.tell()
        f.seek(size + (size & 1), io.SEEK_CUR)


def image_and_config(deb_path):
    """The kernel image and config out of a .deb's data tarball, read as a stream."""
    with open(deb_path, "rb") as f:
        member = next(((n, s, o) for n, s, o in ar_members(f) if n.startswith("data.tar")), None)
        if member is None:
            raise ValueError("no data.tar member")
        name, size, offset = member
        f.seek(offset)
        raw = f.read(size)
    if name.endswith(".zst"):
        raw = subprocess.run(["zstd", "-d", "-c", "-q"], input=raw, stdout=subprocess.PIPE,
                             check=True).stdout
        mode = "r|"
    else:
        mode = {"data.tar.xz": "r|xz", "data.tar.gz": "r|gz", "data.tar.bz2": "r|bz2",
                "data.tar": "r|"}[name]
    image = config = release = None
    with tarfile.open(fileobj=io.BytesIO(raw), mode=mode) as tar:
        for ti in tar:
            path = ti.name.lstrip("./")
            m = (re.match(r"boot/(vmlinu[xz]|config)-(.+)$", path)
                 or re.match(r"usr/lib/modules/(?P<r>[^/]+)/(vmlinu[xz]|config)(?:\.unsigned)?$",
                             path))
            if m and ti.isfile():
                data = tar.extractfile(ti).read()
                kind, rel = (m.group(2), m.group("r")) if "r" in m.groupdict() else m.groups()
                if kind == "config":
                    config = data
                else:
                    image, release = data, rel
            if image is not None and config is not None:
                break
            if path.startswith(("lib/", "usr/")) and image is not None:
                break
    if image is None:
        raise ValueError("no boot/vmlinu[xz]-* or usr/lib/modules/*/vmlinu[xz] in the package")
    return image, config, release


BTF_MAGICS = ((b"\x9f\xeb\x01\x00", "<"), (b"\xeb\x9f\x01\x00", ">"))


def elf_btf(buf):
    """The .BTF section of an ELF file, or None."""
    if buf[:4] != b"\x7fELF":
        return None
    is64 = buf[4] == 2
    e = "<" if buf[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(e + "Q", buf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", buf, 0x3A)
    else:
        shoff, = struct.unpack_from(e + "I", buf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", buf, 0x2E)

    def section(i):
        base = shoff + i * shentsize
        if is64:
            name, _t, _fl, _a, off, size = struct.unpack_from(e + "IIQQQQ", buf, base)
        else:
            name, _t, _fl, _a, off, size = struct.unpack_from(e + "IIIIII", buf, base)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        end = buf.index(b"\0", stroff + name)
        if buf[stroff + name:end] == b".BTF":
            return buf[off:off + size]
    return None


def raw_btf(buf):
    """The largest well-formed BTF blob inside a raw image, found by its header, or None."""
    best = None
    for magic, e in BTF_MAGICS:
        pos = buf.find(magic)
        while pos != -1:
            if pos + 24 <= len(buf):
                hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(
                    e + "5I", buf, pos + 4)
                end = pos + hdr_len + str_off + str_len
                if (hdr_len == 24 and type_off == 0 and str_off == type_len and type_len > 0
                        and str_len > 0 and end <= len(buf) and buf[pos + 24 + str_off] == 0
                        and buf[end - 1] == 0):
                    if best is None or end - pos > len(best):
                        best = buf[pos:end]
            pos = buf.find(magic, pos + 1)
    return best


COMPRESSED = [  # magic, how to inflate from there (stops at the stream's end)
    (b"\x1f\x8b\x08", lambda d: zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(d)),
    (b"\xfd7zXZ\x00", lambda d: lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(d)),
    (b"\x28\xb5\x2f\xfd", lambda d: external(["zstd", "-d", "-c", "-q"], d)),
    (b"BZh", lambda d: bz2.BZ2Decompressor().decompress(d)),
    (b"\x5d\x00\x00", lambda d: lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(d)),
    (b"\x02\x21\x4c\x18", lambda d: external(["lz4", "-d", "-c", "-q"], d)),
]


def external(cmd, data):
    # zstd/lz4 complain about the bytes after the frame but write the frame first.
    return subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout


def btf_of_image(image, depth=0):
    """(BTF blob, how it was found) from a kernel image, or (None, reason)."""
    btf = elf_btf(image)
    if btf is not None:
        return btf, "ELF .BTF section"
    if image[:4] == b"\x7fELF":
        return None, "ELF without .BTF"
    btf = raw_btf(image)
    if btf is not None:
        return btf, "BTF header in the raw image"
    if depth >= 2:
        return None, "no BTF"
    for magic, inflate in COMPRESSED:
        pos, tries = image.find(magic), 0
        while pos != -1 and tries < 64:
            tries += 1
            try:
                out = inflate(image[pos:])
            except Exception:
                out = None
            if out and len(out) > 1 << 20:
                btf, how = btf_of_image(out, depth + 1)
                if btf is not None:
                    return btf, f"{how}, payload at 0x{pos:x} ({kind_of(magic)})"
            pos = image.find(magic, pos + 1)
    return None, "no BTF in the image or its payloads"


def kind_of(magic):
    return {b"\x1f\x8b\x08": "gzip", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd",
            b"BZh": "bzip2", b"\x5d\x00\x00": "lzma", b"\x02\x21\x4c\x18": "lz4"}[magic]


def config_value(config, name):
    if config is None:
        return None
    m = re.search(rb"^" + name.encode() + rb"=(\S+)$", config, re.M)
    if m:
        return m.group(1).decode()
    return "n" if re.search(rb"^# " + name.encode() + rb" is not set", config, re.M) else None


# ---------------------------------------------------------------- main

def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def append_jsonl(path, record):
    with open(path, "a") as f:
        f.write(json.dumps(record, sort_keys=False) + "\n")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scratch", required=True, help="apt state, downloads and BTF blobs")
    ap.add_argument("--catalog", default=os.path.join(os.path.dirname(__file__), "../../catalog"),
                    help="where builds.jsonl and no-btf.jsonl live (committed)")
    ap.add_argument("--suites", nargs="*", default=list(SUITES))
    ap.add_argument("--arches", nargs="*", default=ARCHES)
    ap.add_argument("--no-update", action="store_true", help="use the apt indexes already read")
    ap.add_argument("--list", action="store_true", help="only print what would be fetched")
    args = ap.parse_args()

    os.makedirs(args.catalog, exist_ok=True)
    builds_path = os.path.join(args.catalog, "builds.jsonl")
    nobtf_path = os.path.join(args.catalog, "no-btf.jsonl")
    known = {(b["package"], b["version"]) for b in read_jsonl(builds_path)}
    known |= {(b["package"], b["version"]) for b in read_jsonl(nobtf_path)}
    known_builds = {b["build"] for b in read_jsonl(builds_path)}
    known_no_btf = {b["build"] for b in read_jsonl(nobtf_path)
                    if b.get("config_debug_info_btf") == "n"}
    btf_dir = os.path.join(args.scratch, "btf")
    dl_dir = os.path.join(args.scratch, "deb")
    os.makedirs(btf_dir, exist_ok=True)
    os.makedirs(dl_dir, exist_ok=True)

    for suite in args.suites:
        prefix = SUITES[suite][0]
        for arch in args.arches:
            apt = Apt(os.path.join(args.scratch, "apt"), suite, arch)
            if not args.no_update:
                apt.update()
            chosen = select(apt)
            log(f"{suite} {arch}: {len(chosen)} builds in the archive")
            # Newest first: when a series' newest build of a flavour has BTF switched off in
            # its config, its older ABIs are not downloaded (logged, not recorded: a rerun
            # looks at the newest again).
            no_btf = set()
            for p, abi, flavour in reversed(chosen):
                if (series_of(abi), flavour) in no_btf:
                    log(f"  {prefix}-{abi}-{flavour}: skipped, a newer {series_of(abi)} "
                        f"{flavour} build has CONFIG_DEBUG_INFO_BTF off")
                    continue
                build = f"{prefix}-{abi}-{flavour}"
                if build in known_no_btf:
                    no_btf.add((series_of(abi), flavour))
                if build in known_builds or any((s["Package"], s["Version"]) in known for s in p):
                    continue
                if args.list:
                    print(build, p[0]["Package"], p[0]["Version"], p[0]["_pocket"])
                    continue
                # The archive's mirrors sometimes answer 404 for a file their index lists
                # (seen on debian-security): try again, then the signed/unsigned twin.
                for attempt in [s for s in p for _ in range(2)]:
                    try:
                        has_btf = fetch_one(apt, attempt, build, suite, arch, abi, flavour,
                                            btf_dir, dl_dir, builds_path, nobtf_path)
                        known_builds.add(build)
                        if not has_btf:
                            no_btf.add((series_of(abi), flavour))
                        break
                    except Exception as e:  # one broken package must not stop the run
                        log(f"  {build}: {attempt['Package']} {attempt['Version']} failed: "
                            f"{str(e)[-200:]}")
                        time.sleep(5)


def fetch_one(apt, p, build, suite, arch, abi, flavour, btf_dir, dl_dir, builds_path,
              nobtf_path):
    package, version = p["Package"], p["Version"]
    for old in os.listdir(dl_dir):
        os.unlink(os.path.join(dl_dir, old))
    apt.download(package, version, dl_dir)
    debs = [f for f in os.listdir(dl_dir) if f.endswith(".deb")]
    if len(debs) != 1:
        raise ValueError(f"expected one .deb, got {debs}")
    deb = os.path.join(dl_dir, debs[0])
    deb_sha = sha256_file(deb)
    if deb_sha != p.get("SHA256"):
        raise ValueError(f"sha256 {deb_sha} differs from the index's {p.get('SHA256')}")
    deb_size = os.path.getsize(deb)
    try:
        image, config, release = image_and_config(deb)
    finally:
        os.unlink(deb)
    btf, how = btf_of_image(image)
    base = {
        "build": build, "suite": suite, "pocket": p["_pocket"], "arch": arch,
        "package": package, "version": version, "source": p.get("Source", "linux"),
        "release": release, "flavour": flavour, "deb_sha256": deb_sha, "deb_size": deb_size,
        "config_debug_info_btf": config_value(config, "CONFIG_DEBUG_INFO_BTF"),
    }
    if btf is None:
        base["reason"] = how
        append_jsonl(nobtf_path, base)
        log(f"  {build}: no BTF ({how}; CONFIG_DEBUG_INFO_BTF={base['config_debug_info_btf']})")
        return False
    with open(os.path.join(btf_dir, build + ".btf"), "wb") as f:
        f.write(btf)
    if config is not None:
        with open(os.path.join(btf_dir, build + ".config"), "wb") as f:
            f.write(config)
    base.update({"btf_sha256": hashlib.sha256(btf).hexdigest(), "btf_size": len(btf),
                 "carved": how})
    append_jsonl(builds_path, base)
    log(f"  {build}: {len(btf)} bytes of BTF ({how})")
    return True


if __name__ == "__main__":
    main()
