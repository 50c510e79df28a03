"""X-LI-Signature: hex HMAC-SHA256 of the raw body, keyed with the customer app's client secret."""

from __future__ import annotations

from hirehub.linkedin.signatures import sign, signature_matches

SECRET = "customer-app-secret"
BODY = b'{"id":"3c5b1f7e-0d2a-4c1e-9a57-2f1d6b8e4a90","type":"INTEGRATION_STATUS_CHANGE","expiresAt":0}'
# Computed independently: printf '%s' "$BODY" | openssl dgst -sha256 -hmac customer-app-secret
VECTOR = "c4cc475477fd9302723b55b57629a29a6dcd789861e3c9b8783a42a345cc2df2"


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body() -> None:
    assert sign(BODY, SECRET) == VECTOR
    assert signature_matches(BODY, VECTOR, SECRET)


def test_the_header_is_accepted_with_the_hmacsha256_prefix_and_in_upper_case() -> None:
    assert signature_matches(BODY, f"hmacsha256={VECTOR}", SECRET)
    assert signature_matches(BODY, VECTOR.upper(), SECRET)


def test_an_altered_body_does_not_match() -> None:
    assert not signature_matches(BODY.replace(b'expiresAt":0', b'expiresAt":1'), VECTOR, SECRET)
    assert not signature_matches(BODY + b" ", VECTOR, SECRET)


def test_another_secret_a_forged_or_missing_header_does_not_match() -> None:
    assert not signature_matches(BODY, VECTOR, "partner-app-secret")
    assert not signature_matches(BODY, "0" * 64, SECRET)
    assert not signature_matches(BODY, VECTOR[:-2], SECRET)
    assert not signature_matches(BODY, None, SECRET)
    assert not signature_matches(BODY, "", SECRET)
