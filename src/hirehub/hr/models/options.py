"""Option sets (Dataverse "choices"): values start at 200000000, as the mshr_ tables' do."""

from __future__ import annotations

from enum import IntEnum


class ApplicantIntegrationResult(IntEnum):
    NOT_PROCESSED = 200000000
    HIRED = 200000001
    NOT_HIRED = 200000002
    DISMISSED = 200000003


class Gender(IntEnum):
    NONE = 200000000
    MALE = 200000001
    FEMALE = 200000002
    NON_SPECIFIC = 200000003


class RecruitingRequestStatus(IntEnum):
    CREATED = 200000000
    APPROVED = 200000001
    STARTED = 200000002
    CLOSED = 200000003
    CANCELLED = 200000004


class WorkerType(IntEnum):
    EMPLOYEE = 200000000
    CONTRACTOR = 200000001


class WorkerStatus(IntEnum):
    """Where a worker is in the hire-to-retire cycle (what lifecycle automation acts on)."""

    PENDING = 200000000
    EMPLOYED = 200000001
    ON_LEAVE = 200000002
    TERMINATED = 200000003
    RESCINDED = 200000004


class EmploymentType(IntEnum):
    FULL_TIME = 200000000
    PART_TIME = 200000001
    TEMPORARY = 200000002


class ContactType(IntEnum):
    PHONE = 200000000
    EMAIL = 200000001
    URL = 200000002


class AddressType(IntEnum):
    HOME = 200000000
    BUSINESS = 200000001
    OTHER = 200000002


class ReasonCategory(IntEnum):
    HIRE = 200000000
    TRANSFER = 200000001
    TERMINATION = 200000002
    NOT_HIRED = 200000003


class PlacementChange(IntEnum):
    """What a dated placement record does (see :class:`~hirehub.hr.models.workforce.WorkerPlacement`)."""

    HIRE = 200000000
    REHIRE = 200000001
    TRANSFER = 200000002
    MANAGER_CHANGE = 200000003
