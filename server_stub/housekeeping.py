"""The periodic job: reminders, expiries, yearly reconfirmations, lapses, abandoned uploads,
never-confirmed registrations, old desk events, unmasked views left open."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from server_stub import city_cameras, events, footage_requests, registration, upload_lifecycle
from server_stub.services import Services

log = logging.getLogger("rtcc.server.housekeeping")


def run_once(services: Services, now: datetime | None = None) -> dict[str, int]:
    """One pass of every periodic task; each runs in its own transaction."""
    now = now or datetime.now(UTC)
    keep_events = timedelta(days=services.settings.event_retention_days)
    tasks = {
        "request reminders": lambda s: footage_requests.send_reminders(s, services, now),
        "reconfirmation emails": lambda s: registration.send_reconfirmations(s, services, now),
        "lapsed registrations": lambda s: registration.lapse_unconfirmed(s, services, now),
        "expired uploads": lambda s: upload_lifecycle.expire_uploads(s, services, now),
        "purged unconfirmed registrations":
            lambda s: registration.purge_unverified(s, services, now),
        "pruned desk events": lambda s: events.prune(s, now - keep_events),
        "ended unmasked views": lambda s: city_cameras.close_stale_unmasked_views(s, services, now),
    }
    done = {}
    for name, task in tasks.items():
        with services.sessions() as session:
            try:
                done[name] = task(session)
                session.commit()
            except Exception:  # one failing task must not stop the others
                session.rollback()
                log.exception("housekeeping task %r failed", name)
                done[name] = -1
    return done


def start_background(services: Services, every_s: float) -> threading.Event:
    """Run ``run_once`` every ``every_s`` seconds in a daemon thread; set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_s):
            run_once(services)

    threading.Thread(target=loop, name="housekeeping", daemon=True).start()
    return stop
