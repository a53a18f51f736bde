#!/usr/bin/env python3
"""Validates every signature of a PDF with pyHanko against one trust root.

Usage: pyhanko_validate.py CA.pem FILE.pdf

Prints one line per check and exits 0 only if every signature is intact, valid, trusted,
covers the entire file, is a PAdES signature (ETSI.CAdES.detached) and carries no
signing-time signed attribute. Exits 1 if a check fails, 3 if pyHanko is missing.
"""
import sys

try:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext
except ImportError as exc:  # pragma: no cover - reported to the Rust test
    print(f"MISSING-TOOL: pyHanko is not installed ({exc}); "
          "install it with: pip install pyhanko pyhanko-certvalidator")
    sys.exit(3)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    ca_path, pdf_path = sys.argv[1], sys.argv[2]
    root = load_cert_from_pemder(ca_path)
    ok = True
    with open(pdf_path, "rb") as f:
        reader = PdfFileReader(f)
        sigs = reader.embedded_signatures
        print(f"signatures: {len(sigs)}")
        if not sigs:
            return 1
        for sig in sigs:
            vc = ValidationContext(trust_roots=[root])
            try:
                status = validate_pdf_signature(sig, vc)
            except Exception as exc:  # a broken file must count as a failure
                print(f"field {sig.field_name}: validation error: {exc!r}")
                ok = False
                continue
            subfilter = str(sig.sig_object.get("/SubFilter"))
            attrs = [a["type"].native for a in sig.signer_info["signed_attrs"]]
            entire = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            print(f"field {sig.field_name}: intact={status.intact} valid={status.valid} "
                  f"trusted={status.trusted} coverage={status.coverage.name} "
                  f"subfilter={subfilter} signed_attrs={','.join(attrs)}")
            reason, location = sig.sig_object.get("/Reason"), sig.sig_object.get("/Location")
            if reason is not None or location is not None:
                print(f"field {sig.field_name}: reason={reason} location={location}")
            print(f"field {sig.field_name}: bottom_line={status.bottom_line} "
                  f"summary={status.summary()}")
            checks = [
                status.intact,
                status.valid,
                status.trusted,
                entire,
                subfilter == "/ETSI.CAdES.detached",
                "signing_time" not in attrs,
                "signing_certificate_v2" in attrs,
            ]
            ok = ok and all(checks)
    print("RESULT: OK" if ok else "RESULT: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
