"""A throwaway Dovecot IMAP server on loopback for the mailbox tests (Debian: dovecot-imapd)."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "secret"
_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_fsync = never
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {mail_uid}
last_valid_uid = 0
mail_location = maildir:{mail}/%u
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={mail}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
  # no auth penalty (it would slow every login after the wrong-password test by seconds)
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


@dataclass
class DovecotServer:
    """A running Dovecot: where to connect, and its files."""

    host: str
    port: int
    tls_port: int
    root: Path
    process: subprocess.Popen[bytes]

    @property
    def certificate(self) -> Path:
        """The server's self-signed certificate (trust it to test SSL and STARTTLS)."""
        return self.root / "cert.pem"

    def connect(self, user: str) -> imaplib.IMAP4:
        """A plain (unguarded) imaplib session for seeding and checking the server."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(user, PASSWORD)
        return client

    def log_text(self) -> str:
        """Dovecot's own log (shown when something fails)."""
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the server and remove its files."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _self_signed_certificate(root: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("openssl is not installed (Debian: apt-get install openssl)")
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    os.chmod(root / "key.pem", 0o644)  # read by Dovecot's unprivileged processes in a temp dir


def start_dovecot() -> DovecotServer:
    """Start Dovecot as the current user (or, as root, with Debian's dovecot/dovenull users).

    Raises RuntimeError with Dovecot's log when it cannot start — the caller fails the test.
    """
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        raise RuntimeError("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="leaddesk-dovecot-"))
    os.chmod(root, 0o755)
    mail = root / "mail"
    mail.mkdir()
    if os.geteuid() == 0:  # Dovecot refuses to serve mail or run login processes as root
        mail_user, mail_group = "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
        internal_user, internal_group, login_user = "dovecot", "dovecot", "dovenull"
        shutil.chown(mail, mail_user, mail_group)
    else:
        mail_user = internal_user = login_user = pwd.getpwuid(os.getuid()).pw_name
        mail_group = internal_group = grp.getgrgid(os.getgid()).gr_name
    port, tls_port = _free_port(), _free_port()
    _self_signed_certificate(root)
    config = root / "dovecot.conf"
    config.write_text(
        _CONFIG.format(
            root=root,
            mail=mail,
            port=port,
            tls_port=tls_port,
            password=PASSWORD,
            internal_user=internal_user,
            internal_group=internal_group,
            login_user=login_user,
            mail_uid=pwd.getpwnam(mail_user).pw_uid,
            mail_gid=grp.getgrnam(mail_group).gr_gid,
        )
    )
    with open(root / "stderr.txt", "wb") as stderr_file:
        process = subprocess.Popen(
            [binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=stderr_file
        )
    server = DovecotServer("127.0.0.1", port, tls_port, root, process)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            client = server.connect("probe@example.test")
            client.logout()
            return server
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.05)
    stderr = (root / "stderr.txt").read_text(errors="replace")
    log = server.log_text()
    server.stop()
    raise RuntimeError(f"dovecot did not start on port {port}:\n{stderr}\n{log}")
