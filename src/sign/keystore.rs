//! Loads the signing key and certificates from a PKCS#12 file and checks that they can sign.

use der::{Decode, Encode};
use p12_keystore::Pkcs12Archive;
use pkcs8::{DecodePrivateKey, DecodePublicKey, PrivateKeyInfoRef};
use rsa::traits::PublicKeyParts;
use sha2::Sha256;
use x509_cert::Certificate;
use x509_cert::ext::pkix::KeyUsage;

use super::SignError;

const OID_RSA_ENCRYPTION: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC_PUBLIC_KEY: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_PRIME256V1: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Smallest accepted RSA modulus.
const MIN_RSA_BITS: usize = 2048;

/// The private key, in one of the supported kinds.
pub(super) enum SigningKey {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (deterministic), 2048–4096 bits: `ring`, whose blinded
    /// private-key operation is ~3.5× faster than the `rsa` crate's.
    Rsa(Box<ring::signature::RsaKeyPair>),
    /// The same scheme for keys `ring` does not take (moduli above 4096 bits).
    RsaOther(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
    /// ECDSA P-256 with SHA-256, RFC 6979 deterministic nonces.
    P256(p256::ecdsa::SigningKey),
}

/// A loaded and checked signing identity: private key, its certificate and the other
/// certificates of the PKCS#12 file (CA chain), all embedded in each signature.
pub struct Signer {
    pub(super) key: SigningKey,
    pub(super) cert: Certificate,
    pub(super) cert_der: Vec<u8>,
    pub(super) chain: Vec<Certificate>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject_name())
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Load and check a PKCS#12 file. `now_unix` is the validity reference time (unix seconds).
    ///
    /// Checks: password (MAC), a private key of a supported kind (RSA >= 2048 bits or
    /// ECDSA P-256), a certificate holding that key's public key, the certificate's validity
    /// period at `now_unix`, and its key usage (digitalSignature or nonRepudiation, when the
    /// extension is present).
    pub fn from_p12(bytes: &[u8], password: &str, now_unix: i64) -> Result<Signer, SignError> {
        // A cut-off or padded file fails the MAC check like a wrong password would: its DER
        // envelope tells the two apart.
        if der::Decode::from_der(bytes).map(|_: der::asn1::AnyRef<'_>| ()).is_err() {
            return Err(SignError::CorruptP12("not one complete DER structure".into()));
        }
        let archive = Pkcs12Archive::from_pkcs12(bytes, password).map_err(map_p12_error)?;
        let key_bag = archive.keys.first().ok_or(SignError::NoPrivateKey)?;
        if archive.certs.is_empty() {
            return Err(SignError::NoCertificate);
        }
        let key_der = key_bag.key.as_der();
        let (key, public) = decode_private_key(key_der)?;

        let mut certs = Vec::with_capacity(archive.certs.len());
        for bag in &archive.certs {
            let cert = Certificate::from_der(bag.cert.as_der())
                .map_err(|e| SignError::InvalidCertificate(e.to_string()))?;
            certs.push(cert);
        }
        let leaf_pos = certs
            .iter()
            .position(|c| public.matches(c))
            .ok_or(SignError::KeyCertificateMismatch)?;
        let cert = certs.remove(leaf_pos);
        check_validity(&cert, now_unix)?;
        check_key_usage(&cert)?;
        let cert_der = cert.to_der().map_err(|e| SignError::InvalidCertificate(e.to_string()))?;
        Ok(Signer { key, cert, cert_der, chain: certs })
    }

    /// The signer's common name (for `/Name`); the full subject if it has no CN.
    pub fn subject_name(&self) -> String {
        let subject = self.cert.tbs_certificate().subject();
        for rdn in subject.iter_rdn() {
            for atv in rdn.iter() {
                if atv.oid == const_oid::db::rfc4519::CN {
                    if let Ok(s) = der::asn1::Utf8StringRef::try_from(&atv.value) {
                        return s.as_str().to_owned();
                    }
                    if let Ok(s) = der::asn1::PrintableStringRef::try_from(&atv.value) {
                        return s.as_str().to_owned();
                    }
                }
            }
        }
        subject.to_string()
    }
}

fn map_p12_error(e: p12_keystore::error::Error) -> SignError {
    use p12_keystore::error::Error as E;
    match e {
        E::MacError(_) | E::UnpadError => SignError::WrongPassword,
        other => SignError::CorruptP12(other.to_string()),
    }
}

/// Public key derived from the private key, for matching against certificates.
enum PublicKey {
    Rsa(rsa::PublicKey),
    P256(p256::PublicKey),
}

impl PublicKey {
    fn matches(&self, cert: &Certificate) -> bool {
        let Ok(spki) = cert.tbs_certificate().subject_public_key_info().to_der() else {
            return false;
        };
        match self {
            Self::Rsa(k) => rsa::PublicKey::from_public_key_der(&spki).is_ok_and(|c| &c == k),
            Self::P256(k) => p256::PublicKey::from_public_key_der(&spki).is_ok_and(|c| &c == k),
        }
    }
}

fn decode_private_key(der: &[u8]) -> Result<(SigningKey, PublicKey), SignError> {
    let info = PrivateKeyInfoRef::try_from(der)
        .map_err(|e| SignError::CorruptP12(format!("private key: {e}")))?;
    let alg = info.algorithm.oid;
    if alg == OID_RSA_ENCRYPTION {
        let key = rsa::PrivateKey::from_pkcs8_der(der)
            .map_err(|e| SignError::UnsupportedKey(format!("RSA key: {e}")))?;
        let bits = key.size() * 8;
        if bits < MIN_RSA_BITS {
            return Err(SignError::UnsupportedKey(format!("RSA {bits} bits")));
        }
        let public = key.to_public_key();
        // ring takes 2048–4096 bits and is stricter about the encoding than the rsa crate;
        // a key it refuses is still signed, through the slower path.
        let signing = match ring::signature::RsaKeyPair::from_pkcs8(der) {
            Ok(pair) => SigningKey::Rsa(Box::new(pair)),
            Err(_) => SigningKey::RsaOther(Box::new(rsa::pkcs1v15::SigningKey::<Sha256>::new(key))),
        };
        Ok((signing, PublicKey::Rsa(public)))
    } else if alg == OID_EC_PUBLIC_KEY {
        let curve = info
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok());
        if curve != Some(OID_PRIME256V1) {
            let name = curve.map_or_else(|| "unknown".to_owned(), |c| c.to_string());
            return Err(SignError::UnsupportedKey(format!("ECDSA curve {name}")));
        }
        let secret = p256::SecretKey::from_pkcs8_der(der)
            .map_err(|e| SignError::UnsupportedKey(format!("ECDSA P-256 key: {e}")))?;
        let public = secret.public_key();
        Ok((SigningKey::P256(p256::ecdsa::SigningKey::from(&secret)), PublicKey::P256(public)))
    } else {
        Err(SignError::UnsupportedKey(format!("algorithm {alg}")))
    }
}

fn check_validity(cert: &Certificate, now_unix: i64) -> Result<(), SignError> {
    let validity = cert.tbs_certificate().validity();
    let not_before = validity.not_before.to_unix_duration().as_secs();
    let not_after = validity.not_after.to_unix_duration().as_secs();
    let now = i128::from(now_unix);
    if now < i128::from(not_before) {
        return Err(SignError::CertificateNotYetValid {
            not_before: validity.not_before.to_string(),
        });
    }
    if now > i128::from(not_after) {
        return Err(SignError::CertificateExpired { not_after: validity.not_after.to_string() });
    }
    Ok(())
}

fn check_key_usage(cert: &Certificate) -> Result<(), SignError> {
    match cert.tbs_certificate().get_extension::<KeyUsage>() {
        Ok(Some((_critical, ku))) => {
            if ku.digital_signature() || ku.non_repudiation() {
                Ok(())
            } else {
                Err(SignError::MissingKeyUsage)
            }
        }
        // RFC 5280 4.2.1.3: without the extension the key is not restricted.
        Ok(None) => Ok(()),
        Err(e) => Err(SignError::InvalidCertificate(format!("key usage: {e}"))),
    }
}
