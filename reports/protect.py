"""Password protection for exported PDFs: AES-256 (PDF 2.0 security handler, /V 5 /R 6).

reportlab can encrypt only with RC4, which is broken; pypdf (maintained, pure Python, already a
dependency for reading PDFs back) writes AES-256 with revision 6 of the standard security
handler, using `cryptography` for the cipher. Every PDF reader in use today opens it.

The document's own metadata is kept exactly as it was chosen (pypdf would otherwise add its
name as the producer).
"""

from __future__ import annotations

import io

from app.errors import InvalidInput
from app.letters import check_password


def protect(pdf_bytes: bytes, password: str) -> bytes:
    """`pdf_bytes` encrypted with AES-256 (R6): the password is needed to open it.

    The same password is the owner password, so whoever opens the file may also print it and
    copy text from it (the recipient is trusted; the password protects the file in transit).
    """
    from pypdf import PdfReader, PdfWriter

    check_password(password)
    reader = PdfReader(io.BytesIO(pdf_bytes))
    if reader.is_encrypted:
        raise InvalidInput("The PDF is already password-protected.")
    info = dict(reader.metadata or {})
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None
    writer.add_metadata({str(k): v for k, v in info.items()})
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
