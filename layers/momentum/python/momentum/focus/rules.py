"""Focus session timing: pure rules, no I/O.

What a session pays is ``focus_session_award`` (migrations/functions), decided in the statement that completes it,
because its input is the server's clock at that moment.
"""

from __future__ import annotations

# A session left running this long past its planned end, or paused this long, ends as abandoned.
GRACE_SECONDS = 15 * 60
MAX_PAUSE_SECONDS = 2 * 60 * 60
