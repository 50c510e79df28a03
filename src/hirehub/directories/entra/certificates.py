"""The key pair and certificate the hub makes for a *customer-owned application* connection.

The customer uploads the certificate (never the key) to their own app registration; the hub keeps the
private key, encrypted at rest, and proves itself with MSAL's certificate client credentials. Both
thumbprints are reported, because Entra shows SHA-1 and MSAL's newer PS256 path uses SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class ConnectionCertificate:
    """A generated certificate: the PEM to download and upload, the key to keep, its thumbprints."""

    certificate_pem: str
    private_key_pem: str
    thumbprint_sha1: str
    thumbprint_sha256: str
    not_after: datetime

    @property
    def der(self) -> bytes:
        return certificate_der(self.certificate_pem)


def certificate_der(certificate_pem: str) -> bytes:
    """The certificate as a ``.cer`` (DER) file, which the Entra portal's upload also accepts."""
    return x509.load_pem_x509_certificate(certificate_pem.encode()).public_bytes(serialization.Encoding.DER)


def thumbprints(certificate_pem: str) -> tuple[str, str]:
    """SHA-1 and SHA-256 thumbprints of a PEM certificate, upper-case hex as Entra displays them."""
    cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    der = cert.public_bytes(serialization.Encoding.DER)
    return hashlib.sha1(der).hexdigest().upper(), hashlib.sha256(der).hexdigest().upper()


def x5t(certificate_pem: str) -> str:
    """The certificate's SHA-1 thumbprint as base64url (the ``x5t`` JWT header value)."""
    sha1_hex, _ = thumbprints(certificate_pem)
    return base64.urlsafe_b64encode(bytes.fromhex(sha1_hex)).decode().rstrip("=")


def generate_certificate(
    common_name: str, *, valid_days: int = 730, now: datetime | None = None
) -> ConnectionCertificate:
    """A fresh 2048-bit RSA key and a self-signed certificate for it (Entra accepts self-signed)."""
    if valid_days < 1:
        raise ValueError("a certificate must be valid for at least one day")
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    not_after = issued + timedelta(days=valid_days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(issued - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    certificate_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    private_key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    sha1, sha256 = thumbprints(certificate_pem)
    return ConnectionCertificate(certificate_pem, private_key_pem, sha1, sha256, not_after)
