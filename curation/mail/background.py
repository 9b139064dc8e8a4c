"""Mail goes out soon after the request that wrote it, without cron's delay and
without the request waiting: a POST that finished wakes a sender thread of
this process, which does what `send-mail` does. Cron's `send-mail` still runs
for retries and for mail written by commands; both claim each mail before
sending it, so they never send the same one.

The same thread runs the publishing jobs a request queued (cards, static
files, the WordPress copy: `curation.publishing.jobs`); cron's `run-jobs` runs
what is left.

Set MAIL_SEND_AFTER_REQUEST = False to leave all sending to cron, and
JOBS_AFTER_REQUEST = False to leave the publishing jobs to cron.
"""
from __future__ import annotations

import threading

from flask import Flask, current_app, g

from curation import db
from curation.mail import delivery


class Sender:
    """At most one sending thread per process; a wake-up while it runs makes it
    look once more, so mail written meanwhile is not left for cron."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._running = False
        self._look_again = False
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            if self._running:
                self._look_again = True
                return
            self._running = True
            self._look_again = False
            self._thread = threading.Thread(target=self._run, name="curation-mail-sender", daemon=True)
            self._thread.start()

    @property
    def is_sending(self) -> bool:
        with self._lock:
            return self._running

    def wait(self, timeout: float | None = None) -> None:
        """Until the current sending is done (tests, and a clean shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            try:
                self._send_due()
            except Exception:  # noqa: BLE001 - a thread's error would vanish silently; cron retries anyway
                self.app.logger.exception("Sending mail after a request failed; `send-mail` will try again.")
            with self._lock:
                if not self._look_again:
                    self._running = False
                    return
                self._look_again = False

    def _send_due(self) -> None:
        from curation.publishing import jobs

        if self.app.config.get("JOBS_AFTER_REQUEST", True):
            # Before the mail: a published mail links to cards the jobs draw.
            jobs.run_pending(self.app)
        with self.app.app_context():
            settings = delivery.SmtpSettings.from_config(self.app.config)
            if settings is None:
                return
            # claims and marks mails: each its own short writing transaction
            with db.new_session(writes=True) as session:
                delivery.send_due(session, settings)


def init_app(app: Flask) -> None:
    app.extensions["curation.mail_sender"] = Sender(app)


def wake_after_commit(response):
    """After each request: a request that wrote wakes the sender, if it has mail
    to send or publishing jobs to run."""
    # Views have committed by now; the thread sends only what was committed.
    if not db.request_writes():
        return response
    config = current_app.config
    sends_mail = config.get("MAIL_SERVER") and config.get("MAIL_SEND_AFTER_REQUEST", True)
    session = g.get("db_session")
    queued_jobs = session is not None and session.info.pop("jobs_queued", False)
    if sends_mail or (queued_jobs and config.get("JOBS_AFTER_REQUEST", True)):
        current_app.extensions["curation.mail_sender"].wake()
    return response
