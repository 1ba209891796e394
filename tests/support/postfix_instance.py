"""A private Postfix instance (Debian's package) on loopback ports, for one test.

Its own configuration folder, queue and log under a temporary directory; the system's
Postfix (if any) is neither used nor touched. Mail to `mydestination` is delivered
locally, so an unknown user there gets Postfix's own bounce; other domains go where
`transports` says (a Postfix transport map, e.g. ``lmtp:inet:127.0.0.1:8025``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/spool
data_directory = {root}/lib
mail_owner = postfix
setgid_group = postdrop
myhostname = {hostname}
mydomain = {hostname}
myorigin = {hostname}
mydestination = {hostname}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
# Every local name is accepted in the SMTP conversation; delivery finds out.
local_recipient_maps =
alias_maps =
alias_database =
transport_maps = texthash:{root}/etc/transport
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
biff = no
append_dot_mydomain = no
# Quick retries: a deferred delivery (our receiver not up yet) is tried again soon.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
"""

MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n - 0 cleanup
qmgr       unix  n - n 300 1 qmgr
rewrite    unix  - - n - - trivial-rewrite
bounce     unix  - - n - 0 bounce
defer      unix  - - n - 0 bounce
trace      unix  - - n - 0 bounce
verify     unix  - - n - 1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n - - proxymap
proxywrite unix  - - n - 1 proxymap
smtp       unix  - - n - - smtp
relay      unix  - - n - - smtp
showq      unix  n - n - - showq
error      unix  - - n - - error
retry      unix  - - n - - error
discard    unix  - - n - - discard
local      unix  - n n - - local
lmtp       unix  - - n - - lmtp
anvil      unix  - - n - 1 anvil
scache     unix  - - n - 1 scache
postlog    unix-dgram n - n - 1 postlogd
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Postfix:
    root: Path
    port: int  # its SMTP server on 127.0.0.1

    @property
    def log(self) -> Path:
        return self.root / "maillog"

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines() if self.log.exists() else []


@contextmanager
def postfix_instance(
    command: str, keep: Path, hostname: str, transports: Mapping[str, str]
) -> Iterator[Postfix]:
    """Start an instance; at the end stop it and copy its mail log to `keep`/maillog."""
    # pytest's temporary folders are closed to other users; Postfix's own daemons run
    # as the postfix user, so the instance lives in a folder they can enter.
    root = Path(tempfile.mkdtemp(prefix="gcmcal-postfix-"))
    root.chmod(0o755)
    etc, spool, lib = root / "etc", root / "spool", root / "lib"
    for folder in (etc, spool, lib):
        folder.mkdir()
    shutil.chown(lib, "postfix")
    port = free_port()
    (etc / "main.cf").write_text(MAIN_CF.format(root=root, hostname=hostname))
    (etc / "master.cf").write_text(MASTER_CF.format(port=port))
    (etc / "transport").write_text(
        "".join(f"{domain} {nexthop}\n" for domain, nexthop in transports.items())
    )
    try:
        started = subprocess.run([command, "-c", str(etc), "start"], capture_output=True)
        if started.returncode != 0:
            log = (root / "maillog").read_text() if (root / "maillog").exists() else ""
            raise RuntimeError(f"postfix start failed: {started.stderr!r}\n{log}")
        yield Postfix(root, port)
    finally:
        subprocess.run([command, "-c", str(etc), "stop"], check=False, capture_output=True)
        keep.mkdir(parents=True, exist_ok=True)
        if (root / "maillog").exists():
            shutil.copy(root / "maillog", keep / "maillog")
        shutil.rmtree(root, ignore_errors=True)
