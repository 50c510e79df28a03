"""Which configuration values each integration gets: its callback URL, and visibility defaults when needed.

``CALLBACK_URL`` is the hub's push endpoint for this customer (unique per customer, as LinkedIn requires). A customer
that does not restrict entity visibility with user-based ACLs gets ``JOB_POSTING_VIEWERS`` and
``APPLICATION_VIEWERS`` = ``ALL_PRODUCT_USERS``, so entities without ACLs still show in LinkedIn's products.
"""

from __future__ import annotations

CALLBACK_URL = "CALLBACK_URL"
JOB_POSTING_VIEWERS = "JOB_POSTING_VIEWERS"
APPLICATION_VIEWERS = "APPLICATION_VIEWERS"
ALL_PRODUCT_USERS = "ALL_PRODUCT_USERS"


def configuration_values(callback_url: str, *, acl_based_visibility: bool) -> dict[str, str]:
    values = {CALLBACK_URL: callback_url}
    if not acl_based_visibility:
        values[JOB_POSTING_VIEWERS] = ALL_PRODUCT_USERS
        values[APPLICATION_VIEWERS] = ALL_PRODUCT_USERS
    return values
