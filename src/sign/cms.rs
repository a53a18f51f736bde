//! Builds the detached CMS SignedData for `/SubFilter /ETSI.CAdES.detached` (PAdES B-B).
//!
//! Signed attributes: content-type, message-digest and signing-certificate-v2 (RFC 5035).
//! No signing-time attribute: PAdES puts the claimed time in `/M` of the signature dictionary.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
};
use const_oid::db::rfc5912::{ECDSA_WITH_SHA_256, ID_SHA_256, SHA_256_WITH_RSA_ENCRYPTION};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use signature::{SignatureEncoding, Signer as _};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use super::SignError;
use super::keystore::{Signer, SigningKey};

/// RFC 5035 IssuerSerial.
#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// RFC 5035 ESSCertIDv2; hashAlgorithm is DEFAULT id-sha256 and therefore omitted in DER.
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// RFC 5035 SigningCertificateV2 (policies omitted).
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn crypto<E: std::fmt::Display>(e: E) -> SignError {
    SignError::Crypto(e.to_string())
}

fn attribute(oid: ObjectIdentifier, value_der: &[u8]) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(Any::from_der(value_der).map_err(crypto)?).map_err(crypto)?;
    Ok(Attribute { oid, values })
}

/// DER-encoded ContentInfo(SignedData) over an external SHA-256 digest of the byte ranges.
pub(super) fn build_signed_data(signer: &Signer, pdf_digest: &[u8]) -> Result<Vec<u8>, SignError> {
    let sha256 = AlgorithmIdentifierOwned { oid: ID_SHA_256, parameters: None };
    let tbs = signer.cert.tbs_certificate();
    let signing_cert = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(&signer.cert_der).to_vec())
                .map_err(crypto)?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            },
        }],
    };
    let attrs = vec![
        attribute(ID_CONTENT_TYPE, &ID_DATA.to_der().map_err(crypto)?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            &OctetString::new(pdf_digest.to_vec()).map_err(crypto)?.to_der().map_err(crypto)?,
        )?,
        attribute(ID_AA_SIGNING_CERTIFICATE_V_2, &signing_cert.to_der().map_err(crypto)?)?,
    ];
    // SET OF must be DER-sorted; SetOfVec::try_from sorts.
    let signed_attrs: SignedAttributes = SetOfVec::try_from(attrs).map_err(crypto)?;
    // RFC 5652 5.4: the signature covers the attributes with the universal SET tag.
    let to_sign = signed_attrs.to_der().map_err(crypto)?;
    let rsa_sha256 = AlgorithmIdentifierOwned {
        oid: SHA_256_WITH_RSA_ENCRYPTION,
        parameters: Some(Any::null()),
    };
    let (signature, signature_algorithm) = match &signer.key {
        SigningKey::Rsa(pair) => {
            // PKCS#1 v1.5 is deterministic: the generator only feeds ring's blinding.
            let mut sig = vec![0; pair.public().modulus_len()];
            pair.sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                &to_sign,
                &mut sig,
            )
            .map_err(crypto)?;
            (sig, rsa_sha256)
        }
        SigningKey::RsaOther(key) => {
            let sig: rsa::pkcs1v15::Signature = key.try_sign(&to_sign).map_err(crypto)?;
            (sig.to_vec(), rsa_sha256)
        }
        SigningKey::P256(key) => {
            // RFC 6979 deterministic nonce; DER-encoded Ecdsa-Sig-Value.
            let sig: p256::ecdsa::DerSignature = key.try_sign(&to_sign).map_err(crypto)?;
            (sig.to_vec(), AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA_256, parameters: None })
        }
    };

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm,
        signature: OctetString::new(signature).map_err(crypto)?,
        unsigned_attrs: None,
    };
    let mut certs = vec![CertificateChoices::Certificate(signer.cert.clone())];
    certs.extend(signer.chain.iter().cloned().map(CertificateChoices::Certificate));
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).map_err(crypto)?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(crypto)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(crypto)?),
    };
    let content_info = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(crypto)?,
    };
    content_info.to_der().map_err(crypto)
}
