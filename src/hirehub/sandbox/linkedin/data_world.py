"""The data the Middleware Platform holds after onboarding: job postings and their tasks, ATS candidates and the
LinkedIn members they matched, job applications and their stages — and the rules LinkedIn applies to them.

One :class:`SyncedData` hangs off each :class:`~hirehub.sandbox.linkedin.world.LinkedInWorld` (``world.data``);
the routes in :mod:`~hirehub.sandbox.linkedin.data_sync` read and change it, and tests read what was stored
(``world.data.candidate(context, id)``…) or arrange LinkedIn's side (``world.data.add_member(…)``).

What the emulator enforces, from LinkedIn's pages (*Sync Jobs* / *Create Jobs* / *Check Job Operation Task Status*,
*Sync Candidates*, *Sync Applications*, *Sync Application Stages*, *Recruiter System Connect — Required Fields*) and
its RSC Postman collection, each refusal changing nothing:

- data for an ``integrationContext`` is accepted only from the customer application that owns an ENABLED
  integration with that context ("once enabled, you will be authorized to begin sending customer data"): 403;
- at most 100 records in one call: 400 for the whole call;
- ``atsCandidates`` and ``atsApplications``: 100,000 requests a UTC day and 10,000 records a minute per application
  (each resource its own counters, as each page lists its own "Application maximum"): 429 with ``Retry-After``
  (seconds to the next minute, or to midnight UTC), counters reset at midnight UTC on the sandbox clock;
- required fields per record, refused per entity with a Rest.li ``ErrorResponse`` in the batch answer's ``errors``;
  fields a record schema does not have are refused too (a misspelt field would otherwise be silently dropped);
- ``batch_update`` replaces a record: a field left out is stored as null ("omitting a field will set it to null");
- job postings are asynchronous: ``batch_create`` answers a task URN per element at once; the task is
  ``IN_PROGRESS`` for :attr:`SyncedData.task_delay` sandbox seconds, then ``SUCCEEDED`` (with the job posting's URN)
  or ``FAILED`` (with an error code and message) — validation failures show on the task, not on the call.

Assumptions where the pages are silent, each as a Rest.li server would behave: the create answer's per-element
``status`` is 202 (accepted, not yet created); a failed task carries ``errorCode`` and ``message``; a CREATE for an
``externalJobPostingId`` already created, or an UPDATE / CLOSE / RENEW for one never created, fails its task; the
candidate read returns the stored record with ``matchedMembers`` (URNs LinkedIn's matching found: same e-mail
address or same public profile URL) and ``manualMatchedMember`` (set by a ``batch_partial_update``, as One-Click
Export does); ``lastName``, ``emailAddresses`` (possibly empty) and ``atsJobPostingId`` are treated as required.
"""

from __future__ import annotations

import enum
import math
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hirehub.sandbox.linkedin.world import LinkedInError, OnboardingStatus

if TYPE_CHECKING:
    from hirehub.sandbox.linkedin.world import DeveloperApplication, LinkedInWorld

DATA_PROVIDER = "ATS"
ORGANIZATION_PREFIX = "urn:li:organization:"
MAX_RECORDS_PER_CALL = 100
DAILY_REQUESTS_PER_APP = 100_000
RECORDS_PER_MINUTE_PER_APP = 10_000
MAX_TITLE_LENGTH = 200
TASK_URN_PREFIX = "urn:li:simpleJobPostingTask:"
JOB_POSTING_URN_PREFIX = "urn:li:jobPosting:"
MEMBER_URN_PREFIX = "urn:li:person:"

CANDIDATES = "atsCandidates"
APPLICATIONS = "atsApplications"
JOB_POSTINGS = "simpleJobPostings"

CANDIDATE_KEY_PARTS = frozenset({"atsCandidateId", "dataProvider", "integrationContext"})
APPLICATION_KEY_PARTS = frozenset({"atsJobApplicationId", "dataProvider", "integrationContext"})

CANDIDATE_FIELDS = (
    "addresses",
    "atsCreatedAt",
    "atsLastModifiedAt",
    "currentCompanyName",
    "currentJobTitle",
    "doNotContact",
    "emailAddresses",
    "externalProfileUrl",
    "firstName",
    "lastName",
    "linkedInProfileUrl",
    "middleInitial",
    "phoneNumbers",
    "prefix",
    "suffix",
)
ADDRESS_FIELDS = frozenset({"line1", "line2", "city", "geographicArea", "geographicAreaType", "postalCode", "country"})
PHONE_FIELDS = frozenset({"number", "extension"})
APPLICATION_FIELDS = (
    "atsCandidateId",
    "atsCreatedAt",
    "atsJobPostingId",
    "atsJobPostingName",
    "atsLastModifiedAt",
    "candidateEmail",
    "dispositionReason",
    "firstName",
    "lastName",
    "source",
)
STAGE_FIELDS = frozenset({"atsCreatedAt", "stage"})
JOB_STATES = frozenset({"LISTED", "CLOSED"})
AVAILABILITIES = frozenset({"PUBLIC", "PRIVATE_TO_ATS_INTEGRATION"})


class PostingOperation(enum.StrEnum):
    """``jobPostingOperationType``: what one element of a ``batch_create`` asks for (CREATE when absent)."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    RENEW = "RENEW"
    CLOSE = "CLOSE"


class TaskStatus(enum.StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class DataViolation(enum.StrEnum):
    """Limits of the data-sync endpoints a caller broke (each a refused call)."""

    TOO_MANY_RECORDS = "too_many_records"
    DAILY_REQUESTS = "daily_requests"
    RECORDS_PER_MINUTE = "records_per_minute"


class Throttled(LinkedInError):
    """A 429: the routes answer it with ``Retry-After: retry_after`` (whole seconds)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(429, message, 429)
        self.retry_after = retry_after


def field_error(path: str, reason: str) -> str:
    """A validation message in Rest.li's data-validation wording, which LinkedIn's answers carry."""
    return f"Input field validation failure, reason: ERROR :: /{path} :: {reason}"


def _is_epoch_millis(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _required_time(record: Mapping[str, Any], name: str, problems: list[str]) -> None:
    if name not in record or record[name] is None:
        problems.append(field_error(name, "field is required but not found and has no default value"))
    elif not _is_epoch_millis(record[name]):
        problems.append(field_error(name, "must be UTC epoch milliseconds greater than 0"))


def _required_text(record: Mapping[str, Any], name: str, problems: list[str]) -> None:
    if name not in record or record[name] is None:
        problems.append(field_error(name, "field is required but not found and has no default value"))
    elif not _is_text(record[name]):
        problems.append(field_error(name, "must be a string of at least one character"))


def _required_list(record: Mapping[str, Any], name: str, problems: list[str]) -> list[Any]:
    value = record.get(name)
    if value is None:
        problems.append(field_error(name, "field is required but not found (send [] when there is none)"))
        return []
    if not isinstance(value, list):
        problems.append(field_error(name, "must be an array"))
        return []
    return value


def _unknown_fields(record: Mapping[str, Any], known: Iterable[str], prefix: str = "") -> list[str]:
    allowed = set(known)
    return [
        field_error(f"{prefix}{name}", "unrecognized field found but not allowed")
        for name in record
        if name not in allowed
    ]


def candidate_problems(record: Mapping[str, Any]) -> list[str]:
    """Why LinkedIn refuses ``record`` as an ``atsCandidates`` entity (empty when it accepts it)."""
    problems = _unknown_fields(record, CANDIDATE_FIELDS)
    _required_time(record, "atsCreatedAt", problems)
    _required_time(record, "atsLastModifiedAt", problems)
    _required_text(record, "firstName", problems)
    _required_text(record, "lastName", problems)
    for index, address in enumerate(_required_list(record, "addresses", problems)):
        if not isinstance(address, dict):
            problems.append(field_error(f"addresses/{index}", "must be an Address record"))
            continue
        problems += _unknown_fields(address, ADDRESS_FIELDS, f"addresses/{index}/")
    for index, phone in enumerate(_required_list(record, "phoneNumbers", problems)):
        if not isinstance(phone, dict) or not _is_text(phone.get("number")):
            problems.append(field_error(f"phoneNumbers/{index}/number", "field is required but not found"))
            continue
        problems += _unknown_fields(phone, PHONE_FIELDS, f"phoneNumbers/{index}/")
    for index, email in enumerate(_required_list(record, "emailAddresses", problems)):
        if not isinstance(email, str) or "@" not in email:
            problems.append(field_error(f"emailAddresses/{index}", "must be an e-mail address"))
    return problems


def application_problems(record: Mapping[str, Any]) -> list[str]:
    """Why LinkedIn refuses ``record`` as an ``atsApplications`` entity."""
    problems = _unknown_fields(record, APPLICATION_FIELDS)
    _required_time(record, "atsCreatedAt", problems)
    _required_time(record, "atsLastModifiedAt", problems)
    _required_text(record, "atsJobPostingId", problems)
    return problems


def stage_problems(record: Mapping[str, Any]) -> list[str]:
    """Why LinkedIn refuses ``record`` as an application stage ("at least one character and not Not Available")."""
    problems = _unknown_fields(record, STAGE_FIELDS)
    _required_time(record, "atsCreatedAt", problems)
    _required_text(record, "stage", problems)
    if record.get("stage") == "Not Available":
        problems.append(field_error("stage", 'must not be "Not Available"'))
    return problems


def _is_city_and_region(location: str) -> bool:
    """``CITY,STATE`` or ``CITY,COUNTRY`` (spaces after the comma allowed): two non-empty parts."""
    parts = [part.strip() for part in location.split(",")]
    return len(parts) == 2 and all(parts)


def _is_absolute_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def closing_problems(element: Mapping[str, Any]) -> list[str]:
    """A CLOSE names the posting only: its organization and its ``externalJobPostingId``."""
    problems: list[str] = []
    context = element.get("integrationContext")
    if not isinstance(context, str) or not context.startswith(ORGANIZATION_PREFIX) or context == ORGANIZATION_PREFIX:
        problems.append(field_error("integrationContext", "must be urn:li:organization:{id}"))
    _required_text(element, "externalJobPostingId", problems)
    return problems


def posting_problems(element: Mapping[str, Any]) -> list[str]:
    """Why LinkedIn fails the task of a job posting element (RSC's Required Fields for *Sync Jobs*)."""
    problems = closing_problems(element)
    _required_text(element, "title", problems)
    if isinstance(element.get("title"), str) and len(element["title"]) > MAX_TITLE_LENGTH:
        problems.append(field_error("title", f"must be at most {MAX_TITLE_LENGTH} characters"))
    _required_text(element, "description", problems)
    location = element.get("location")
    if location is not None:
        if not isinstance(location, str) or not _is_city_and_region(location):
            problems.append(field_error("location", 'must be "CITY,STATE" or "CITY,COUNTRY"'))
    elif not (_is_text(element.get("countryCode")) and _is_text(element.get("postalCode"))):
        problems.append(field_error("location", "location, or countryCode and postalCode, are required"))
    if element.get("state") not in JOB_STATES:
        problems.append(field_error("state", 'must be "LISTED" or "CLOSED"'))
    if not _is_absolute_url(element.get("companyApplyUrl")):
        problems.append(field_error("companyApplyUrl", "must be an absolute http(s) URL"))
    if "listedAt" in element and not _is_epoch_millis(element["listedAt"]):
        problems.append(field_error("listedAt", "must be UTC epoch milliseconds greater than 0"))
    if "availability" in element and element["availability"] not in AVAILABILITIES:
        problems.append(field_error("availability", f"must be one of {', '.join(sorted(AVAILABILITIES))}"))
    return problems


@dataclass
class JobPosting:
    """A job posting LinkedIn created: its URN and the last element that succeeded for it."""

    urn: str
    integration_context: str
    external_id: str
    element: dict[str, Any]

    @property
    def state(self) -> str:
        return str(self.element.get("state"))


@dataclass
class PostingTask:
    """One element of a ``batch_create``: decided when submitted, revealed after the task delay."""

    urn: str
    client_id: str
    """The customer application that submitted it: the only one that can read it."""
    integration_context: str
    external_id: str
    operation: PostingOperation
    submitted_at: float
    outcome: TaskStatus
    job_posting: str | None = None
    error_code: str | None = None
    message: str | None = None

    def view(self, now: float, delay: float) -> dict[str, Any]:
        """The task as ``simpleJobPostingTasks`` returns it at sandbox second ``now``."""
        if now < self.submitted_at + delay:
            return {"id": self.urn, "status": str(TaskStatus.IN_PROGRESS)}
        view: dict[str, Any] = {"id": self.urn, "status": str(self.outcome)}
        if self.job_posting is not None:
            view["jobPosting"] = self.job_posting
        if self.outcome is TaskStatus.FAILED:
            view["errorCode"] = self.error_code
            view["message"] = self.message
        return view


@dataclass
class Member:
    """A LinkedIn member the matching can find: by an e-mail address, or by the public profile URL."""

    urn: str
    first_name: str
    last_name: str
    emails: frozenset[str]
    profile_url: str | None = None


def _profile_key(url: str) -> str:
    """A public profile URL compared without scheme, ``www.``, case or trailing slash."""
    parts = urlsplit(url.strip().lower())
    host = parts.netloc.removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


RecordId = tuple[str, str]
"""(integrationContext, the ATS's id) — how LinkedIn keys a synced record once ``dataProvider`` is ATS."""


@dataclass
class SyncedData:
    """Everything synced to the emulated platform, and the counters of its limits."""

    world: LinkedInWorld
    task_delay: float = 5.0
    """Sandbox seconds a posting task stays IN_PROGRESS (LinkedIn: "typically … no longer than five minutes")."""
    postings: dict[RecordId, JobPosting] = field(default_factory=dict)
    tasks: dict[str, PostingTask] = field(default_factory=dict)
    candidates: dict[RecordId, dict[str, Any]] = field(default_factory=dict)
    manual_matches: dict[RecordId, str] = field(default_factory=dict)
    applications: dict[RecordId, dict[str, Any]] = field(default_factory=dict)
    stages: dict[RecordId, dict[str, dict[str, Any]]] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)
    violations: Counter[DataViolation] = field(default_factory=Counter)
    _daily_requests: Counter[tuple[str, str, object]] = field(default_factory=Counter)
    _minute_records: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    # what tests read ---------------------------------------------------------------------------------------------
    def candidate(self, integration_context: str, ats_candidate_id: str) -> dict[str, Any] | None:
        return self.candidates.get((integration_context, ats_candidate_id))

    def application(self, integration_context: str, ats_job_application_id: str) -> dict[str, Any] | None:
        return self.applications.get((integration_context, ats_job_application_id))

    def posting(self, integration_context: str, external_job_posting_id: str) -> JobPosting | None:
        return self.postings.get((integration_context, external_job_posting_id))

    def requests_today(self, client_id: str, resource: str) -> int:
        return self._daily_requests[(client_id, resource, self.world.clock.now().date())]

    # LinkedIn's side -------------------------------------------------------------------------------------------
    def add_member(
        self, first_name: str, last_name: str, *, emails: Iterable[str] = (), profile_url: str | None = None
    ) -> Member:
        """A LinkedIn member, for the candidate matching to find."""
        member = Member(
            f"{MEMBER_URN_PREFIX}{secrets.token_urlsafe(8)}",
            first_name,
            last_name,
            frozenset(e.lower() for e in emails),
            profile_url,
        )
        self.members.append(member)
        return member

    def matched_members(self, record: Mapping[str, Any]) -> list[str]:
        """The members LinkedIn's matching finds for a stored candidate record."""
        emails = {e.lower() for e in record.get("emailAddresses") or [] if isinstance(e, str)}
        profile = record.get("linkedInProfileUrl")
        wanted_profile = _profile_key(profile) if isinstance(profile, str) and profile else None
        found = []
        for member in self.members:
            by_profile = wanted_profile is not None and member.profile_url is not None
            if (member.emails & emails) or (by_profile and _profile_key(member.profile_url or "") == wanted_profile):
                found.append(member.urn)
        return found

    # rules -------------------------------------------------------------------------------------------------------
    def authorize(self, app: DeveloperApplication, integration_context: str) -> None:
        """403 unless ``app`` owns an ENABLED integration for ``integration_context``."""
        for integration in self.world.integrations.values():
            if (
                integration.integration_context == integration_context
                and integration.owner_client_id == app.client_id
                and integration.onboarding_status is OnboardingStatus.ENABLED
            ):
                return
        raise LinkedInError(
            403, f"Not enough permissions to access data of {integration_context}: no enabled integration", 100
        )

    def admit(self, app: DeveloperApplication, resource: str, records: int, *, quota: bool) -> None:
        """Apply the per-call limits to one call carrying ``records`` records, or refuse it (and count it).

        ``quota`` is True for the resources with daily and per-minute quotas (candidates, applications). A refused
        call spends nothing.
        """
        if records > MAX_RECORDS_PER_CALL:
            self.violations[DataViolation.TOO_MANY_RECORDS] += 1
            raise LinkedInError(
                400, f"A batch call may carry at most {MAX_RECORDS_PER_CALL} records, got {records}", 400
            )
        if not quota:
            return
        now = self.world.clock.now()
        day_key = (app.client_id, resource, now.date())
        minute_key = (app.client_id, resource, math.floor(now.timestamp() / 60))
        if self._daily_requests[day_key] >= DAILY_REQUESTS_PER_APP:
            self.violations[DataViolation.DAILY_REQUESTS] += 1
            midnight = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)
            raise Throttled(
                "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
                max(1, math.ceil((midnight - now).total_seconds())),
            )
        if self._minute_records[minute_key] + records > RECORDS_PER_MINUTE_PER_APP:
            self.violations[DataViolation.RECORDS_PER_MINUTE] += 1
            raise Throttled(
                f"Too many records: at most {RECORDS_PER_MINUTE_PER_APP} a minute per application",
                max(1, math.ceil(60 - now.timestamp() % 60)),
            )
        self._daily_requests[day_key] += 1
        self._minute_records[minute_key] += records

    # writes ------------------------------------------------------------------------------------------------------
    def put_candidate(self, record_id: RecordId, record: Mapping[str, Any]) -> None:
        """One ``batch_update`` entity: validate, then replace (fields left out become null)."""
        problems = candidate_problems(record)
        if problems:
            raise LinkedInError(422, "; ".join(problems), 100)
        self.candidates[record_id] = {name: record.get(name) for name in CANDIDATE_FIELDS}

    def set_manual_match(self, record_id: RecordId, patch: Mapping[str, Any]) -> None:
        """One ``batch_partial_update`` entity: only ``manualMatchedMember`` is patchable, on a synced candidate."""
        if record_id not in self.candidates:
            raise LinkedInError(404, f"No candidate {record_id[1]} in {record_id[0]}", 404)
        unknown = set(patch) - {"manualMatchedMember"}
        if unknown:
            raise LinkedInError(422, field_error(sorted(unknown)[0], "field is not patchable"), 100)
        member = patch.get("manualMatchedMember")
        if not isinstance(member, str) or not member.startswith(MEMBER_URN_PREFIX):
            raise LinkedInError(422, field_error("manualMatchedMember", "must be urn:li:person:{id}"), 100)
        self.manual_matches[record_id] = member

    def candidate_view(self, record_id: RecordId) -> dict[str, Any]:
        """What the candidate read returns: the record, its algorithmic matches and the manual one."""
        record = self.candidates.get(record_id)
        if record is None:
            raise LinkedInError(404, f"No candidate {record_id[1]} in {record_id[0]}", 404)
        view = {name: value for name, value in record.items() if value is not None}
        view["matchedMembers"] = self.matched_members(record)
        if record_id in self.manual_matches:
            view["manualMatchedMember"] = self.manual_matches[record_id]
        return view

    def delete_candidate(self, record_id: RecordId) -> None:
        if self.candidates.pop(record_id, None) is None:
            raise LinkedInError(404, f"No candidate {record_id[1]} in {record_id[0]}", 404)
        self.manual_matches.pop(record_id, None)

    def put_application(self, record_id: RecordId, record: Mapping[str, Any]) -> None:
        problems = application_problems(record)
        if problems:
            raise LinkedInError(422, "; ".join(problems), 100)
        self.applications[record_id] = {name: record.get(name) for name in APPLICATION_FIELDS}

    def delete_application(self, record_id: RecordId) -> None:
        if self.applications.pop(record_id, None) is None:
            raise LinkedInError(404, f"No application {record_id[1]} in {record_id[0]}", 404)
        self.stages.pop(record_id, None)

    def put_stage(self, record_id: RecordId, stage_id: str, record: Mapping[str, Any]) -> None:
        """One stage of a synced application (the application must exist first)."""
        if record_id not in self.applications:
            raise LinkedInError(404, f"No application {record_id[1]} in {record_id[0]}", 404)
        problems = stage_problems(record)
        if problems:
            raise LinkedInError(422, "; ".join(problems), 100)
        self.stages.setdefault(record_id, {})[stage_id] = dict(record)

    def submit_posting(self, app: DeveloperApplication, element: Mapping[str, Any]) -> PostingTask:
        """One element of a ``simpleJobPostings`` ``batch_create``: a task, whose outcome is settled now."""
        urn = f"{TASK_URN_PREFIX}{secrets.token_hex(8)}"
        context = str(element.get("integrationContext") or "")
        external_id = str(element.get("externalJobPostingId") or "")
        raw_operation = element.get("jobPostingOperationType", PostingOperation.CREATE)
        task = PostingTask(
            urn,
            app.client_id,
            context,
            external_id,
            PostingOperation.CREATE,
            self.world.clock.seconds(),
            TaskStatus.SUCCEEDED,
        )
        self.tasks[urn] = task
        try:
            task.operation = PostingOperation(raw_operation)
        except ValueError:
            return self._fail(task, "INVALID_OPERATION", f"unknown jobPostingOperationType {raw_operation!r}")
        problems = closing_problems(element) if task.operation is PostingOperation.CLOSE else posting_problems(element)
        if problems:
            return self._fail(task, "INVALID_JOB_POSTING", "; ".join(problems))
        existing = self.postings.get((context, external_id))
        if task.operation is PostingOperation.CREATE and existing is not None:
            return self._fail(task, "DUPLICATE_JOB_POSTING", f"externalJobPostingId {external_id} already exists")
        if task.operation is not PostingOperation.CREATE and existing is None:
            return self._fail(task, "JOB_POSTING_NOT_FOUND", f"no job posting with externalJobPostingId {external_id}")
        closing = existing is not None and task.operation is PostingOperation.CLOSE
        stored = {**existing.element, "state": "CLOSED"} if closing and existing else dict(element)
        if existing is None:
            existing = JobPosting(f"{JOB_POSTING_URN_PREFIX}{secrets.randbelow(10**10)}", context, external_id, stored)
            self.postings[(context, external_id)] = existing
        existing.element = stored
        task.job_posting = existing.urn
        return task

    @staticmethod
    def _fail(task: PostingTask, code: str, message: str) -> PostingTask:
        task.outcome = TaskStatus.FAILED
        task.error_code = code
        task.message = message
        return task
