"""Benchmark: 1,000 emails through the outbox vs one plain smtplib session (the reference).

    python tests/bench/bench_send.py [--messages 1000] [--rounds 5] [--profile FILE]

Both runs send the same messages to the same loopback aiosmtpd (STARTTLS + AUTH), which runs in
its own process so that its CPU time does not compete with the sender's. The outbox run does
everything LeadDesk does per message (claim committed durably before submission, stop
conditions, composition, rate-limit bookkeeping, ``sent`` + activity after the 250); the
reference only builds each message with the ``email`` package and calls ``sendmail`` on one
``smtplib`` session (this script is the only place allowed to open one). Each round plans fresh
messages and runs the reference, then the outbox; CPU seconds of the sending process and of the
server process are printed next to the rates (the machine may be shared: compare the two runs of
the same round, and the median ratio over several rounds).

The outbox does its own work (composing the next message, generating and dot-stuffing the bytes)
while the server digests the previous command, so with the sender and the server on two idle
cores it can match the reference. When the other core is busy both processes share one core,
nothing overlaps, and the ratio is set by CPU seconds: the outbox's durable bookkeeping
(~0.15 ms CPU per message, which the reference does not do) then holds it near 0.8.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password"


def serve(folder: str) -> None:
    """Run the test SMTP server until stdin closes; print port, cert path, then counts."""
    from tests.mail.mailtest_support import TestSmtpServer

    server = TestSmtpServer(Path(folder), PASSWORD, lambda: None).start()
    print(server.port, server.cert_path, flush=True)
    for line in sys.stdin:
        if line.strip() == "count":
            print(len(server.received), time.process_time(), flush=True)
    server.stop()


def main() -> int:
    """Run both senders and print messages per second and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1, help="reference + outbox runs")
    parser.add_argument("--profile", help="write cProfile stats of the outbox run to this file")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="leaddesk-bench-"))
    os.environ["LEADDESK_HOME"] = str(folder / "home")
    import keyring
    from sqlalchemy import select

    from leaddesk.clock import SystemClock
    from leaddesk.db.migrate import open_database
    from leaddesk.db.models import OutboundMessage, SenderAccount
    from leaddesk.mail.compose import Sender, compose
    from leaddesk.mail.sender import send_due
    from tests.mail.mailtest_data import make_account, plan_messages
    from tests.mail.mailtest_keyring import MemoryKeyring, client_context

    keyring.set_keyring(MemoryKeyring())
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert server.stdin is not None and server.stdout is not None
    port_text, cert_text = server.stdout.readline().split()
    port, cert = int(port_text), Path(cert_text)

    def received() -> tuple[int, float]:
        """Messages the server holds, and the CPU seconds the server process has used."""
        server.stdin.write("count\n")
        count, cpu_text = server.stdout.readline().split()
        return int(count), float(cpu_text)

    db = open_database(str(folder / "bench.sqlite3"))
    account_id = make_account(db, port, PASSWORD)
    ratios: list[float] = []
    for round_number in range(1, args.rounds + 1):
        ids = plan_messages(db, account_id, args.messages, datetime.now(UTC) - timedelta(minutes=1))
        with db.session() as session:
            account = session.get(SenderAccount, account_id)
            sender = Sender(account.from_address, account.display_name)
            rows = [
                (r.to_address, r.rendered, r.message_id, r.unsubscribe_token)
                for r in session.scalars(
                    select(OutboundMessage)
                    .where(OutboundMessage.id.in_(ids))
                    .order_by(OutboundMessage.id)
                )
            ]
        count_before, server_cpu = received()

        # Reference: one plain smtplib session, messages built with the std email package.
        started, cpu = time.perf_counter(), time.process_time()
        session = smtplib.SMTP("127.0.0.1", port, timeout=30)
        session.starttls(context=client_context(cert))
        session.login("sender@example.com", PASSWORD)
        for to_address, rendered, message_id, token in rows:
            outgoing = compose(
                sender,
                to_address=to_address,
                to_name="",
                rendered=rendered,
                subject="",
                message_id=message_id,
                unsubscribe_token=token,
                now=datetime.now(UTC),
            )
            session.sendmail(outgoing.envelope_from, [outgoing.recipient], outgoing.data)
        session.quit()
        reference = args.messages / (time.perf_counter() - started)
        reference_cpu = time.process_time() - cpu
        count, cpu_after = received()
        assert count == count_before + args.messages
        reference_server_cpu, server_cpu = cpu_after - server_cpu, cpu_after

        profiler = cProfile.Profile() if args.profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        report = send_due(db, SystemClock(), tls_context=client_context(cert))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        outbox = args.messages / (time.perf_counter() - started)
        outbox_cpu = time.process_time() - cpu
        assert report.sent == args.messages, report
        count, cpu_after = received()
        assert count == count_before + 2 * args.messages
        outbox_server_cpu = cpu_after - server_cpu

        ratios.append(outbox / reference)
        cpu_ref = f"sender CPU {reference_cpu:.2f} s, server CPU {reference_server_cpu:.2f} s"
        cpu_out = f"sender CPU {outbox_cpu:.2f} s, server CPU {outbox_server_cpu:.2f} s"
        print(f"round {round_number}: {args.messages} messages")
        print(f"  reference (smtplib):    {reference:8.1f} msg/s  ({cpu_ref})")
        print(f"  outbox (send_due):      {outbox:8.1f} msg/s  ({cpu_out})")
        print(f"  ratio outbox/reference: {outbox / reference:8.2f}  (target ≥ 0.80)")
    server.stdin.close()
    server.wait(timeout=30)
    if len(ratios) > 1:
        print(f"median ratio over {len(ratios)} rounds: {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
