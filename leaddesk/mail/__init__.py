"""Sending: accounts, message composition, the outbox and the SMTP transport.

- ``accounts``   provider presets (Gmail, Google Workspace, Microsoft 365, custom), validation,
                 add/edit/remove, the 5,000-a-day domain warning
- ``secrets``    passwords in the OS keyring (service "LeadDesk"), session memory without one
- ``compose``    MIME with the std ``email`` package: text + HTML, Message-ID, List-Unsubscribe
- ``transport``  yagmail opens/secures/logs in; many SMTP transactions over that one session
- ``policy``     what a reply means: sent, retry, bounce, fail, pause the account, unknown
- ``outbox``     the state machine: claim (committed before handing over), finish, recovery
- ``ratelimit``  per-minute pacing with jitter, rolling hour/day caps
- ``lock``       one sender per database (OS lock that dies with its process)
- ``sender``     ``send_due(db, clock, limit)``: one pass, for the CLI and the app
- ``actions``    the user's fixes: retry, cancel, mark unknown as sent, resend
- ``check``      "Test connection" verdicts; ``trial_send`` "Send test to me"; ``status`` the
                 status-bar line
"""
