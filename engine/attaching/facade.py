"""`service.attachments`: add photos and documents to a case or task, list and read them.

Adding locks the case (`repository.lock_case`), stores the files by hash, and appends an
`attachment_added` event whose inputs hold each file's SHA-256, name, type and size: the
case's hash chain then covers the files (`verify` plus the store's own hash check on
every read). Staff add and read on cases they may see (a task only if it is offered to
them); a submitter reads only what was sent with their own submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from .. import organisation
from .. import repository as repo
from ..errors import NotFound
from ..models import Case
from ..recording import record_event
from ..staff import Staff
from ..tasks import Tasks
from ..work import Work
from .checking import Checked, Limits, check_files
from .storage import store_for
from .tables import Attachment

EVENT = "attachment_added"
PUBLIC_ACTOR = "public"


@dataclass(frozen=True)
class AttachmentView:
    """A stored attachment as pages list it."""

    id: int
    case_key: str
    task_id: str | None
    name: str
    kind: str
    mime: str
    size: int
    sha256: str
    has_thumbnail: bool
    uploaded_by: str
    uploaded_at: datetime


class Attachments:
    """Attachment operations inside one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session
        self.store = store_for(work.engine.settings.instance_path)

    @staticmethod
    def limits() -> Limits:
        """The configured limits (count per upload, size per file)."""
        return Limits.from_env()

    def check(self, files: list[tuple[str, bytes]]) -> list[Checked]:
        """Check uploaded files (FormInvalid with field `attachments` says what is wrong)."""
        return check_files(files, self.limits())

    def add(
        self, key: str, files: list[Checked], actor: str, task_id: str | None = None,
        at: datetime | None = None, submitter: bool = False,
    ) -> list[AttachmentView]:  # fmt: skip
        """Store checked files on a case (and task), recorded in its history.

        `submitter`: the citizen adding files to the submission they are making (the web
        calls this only in the request that starts the case); otherwise `actor` is staff.
        """
        if not files:
            return []
        case = repo.lock_case(self.session, key=key)
        if not submitter:
            self._require_staff_access(case, actor, task_id)
        instant = (at or datetime.now(UTC)).astimezone(UTC)
        stored = [(item, self.store.put(item.content),
                   self.store.put(item.thumbnail) if item.thumbnail else None)
                  for item in files]  # fmt: skip
        described = [{"sha256": sha, "name": item.name, "mime": item.mime, "kind": item.kind,
                      "size": len(item.content)} for item, sha, _thumb in stored]  # fmt: skip
        inputs = {"files": described, **({"task_id": task_id} if task_id else {})}
        case.updated_at = instant
        event = record_event(self.session, case, EVENT, actor, instant, inputs, case.data,
                             case.data)  # fmt: skip
        rows = [Attachment(case_id=case.id, task_id=task_id, sha256=sha, thumb_sha256=thumb,
                           name=item.name, mime=item.mime, kind=item.kind,
                           size=len(item.content), uploaded_by=actor, uploaded_at=instant,
                           event_seq=event.seq) for item, sha, thumb in stored]  # fmt: skip
        self.session.add_all(rows)
        self.session.flush()
        return [_view(row, key) for row in rows]

    def of_case(self, key: str, viewer: str) -> list[AttachmentView]:
        """Every attachment of a case the staff member may see (NotFound otherwise)."""
        case = self._visible(key, viewer)
        return [_view(row, key) for row in self._rows(case.id)]

    def of_submission(self, key: str) -> list[AttachmentView]:
        """What the submitter sent (the web checks their tracking grant first)."""
        case = repo.case_by_key(self.session, key)
        return [_view(r, key) for r in self._rows(case.id) if r.uploaded_by == _submitter()]

    def content(
        self, attachment_id: int, viewer: str, thumbnail: bool = False
    ) -> tuple[AttachmentView, bytes]:
        """(view, bytes) of an attachment the staff member may see."""
        row = self._row(attachment_id)
        case = self.session.get(Case, row.case_id)
        assert case is not None
        self._visible(case.business_key, viewer)
        return self._read(row, case.business_key, thumbnail)

    def submitted_content(
        self, key: str, attachment_id: int, thumbnail: bool = False
    ) -> tuple[AttachmentView, bytes]:
        """(view, bytes) of a file the submitter sent with case `key` (else NotFound)."""
        row = self._row(attachment_id)
        case = self.session.get(Case, row.case_id)
        if case is None or case.business_key != key or row.uploaded_by != _submitter():
            raise NotFound(f"no attachment #{attachment_id}")
        return self._read(row, key, thumbnail)

    def _read(self, row: Attachment, key: str, thumbnail: bool) -> tuple[AttachmentView, bytes]:
        sha = row.thumb_sha256 if thumbnail else row.sha256
        if sha is None:
            raise NotFound(f"attachment #{row.id} has no thumbnail")
        return _view(row, key), self.store.get(sha)

    def _row(self, attachment_id: int) -> Attachment:
        row = self.session.get(Attachment, attachment_id)
        if row is None:
            raise NotFound(f"no attachment #{attachment_id}")
        return row

    def _rows(self, case_id: int) -> list[Attachment]:
        query = select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)
        return list(self.session.scalars(query))

    def _visible(self, key: str, viewer: str) -> Case:
        case = repo.case_by_key(self.session, key)
        user = Staff(self.work).get_user(viewer)
        if not organisation.may_view_case(self.session, case, user):
            raise NotFound(f"no case with key '{key}'")
        return case

    def _require_staff_access(self, case: Case, actor: str, task_id: str | None) -> None:
        if task_id is None:
            self._visible(case.business_key, actor)
            return
        task = Tasks(self.work).get(task_id, actor)  # NotFound unless offered to the actor
        if task.case_key != case.business_key:
            raise NotFound(f"no open task with id '{task_id}' on case {case.business_key}")


def _submitter() -> str:
    """The actor the web records for citizens (web/timeline.py PUBLIC_ACTOR)."""
    return PUBLIC_ACTOR


def _view(row: Attachment, key: str) -> AttachmentView:
    return AttachmentView(row.id, key, row.task_id, row.name, row.kind, row.mime, row.size,
                          row.sha256, row.thumb_sha256 is not None, row.uploaded_by,
                          row.uploaded_at)  # fmt: skip
