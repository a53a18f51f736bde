//! Error type of the signing module; messages are Chinese first, then English in parentheses.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong while loading a key or signing a PDF.
#[derive(Debug)]
#[non_exhaustive]
pub enum SignError {
    /// The PKCS#12 MAC or decryption failed with the given password.
    WrongPassword,
    /// The PKCS#12 file cannot be parsed.
    CorruptP12(String),
    /// The PKCS#12 file holds no private key.
    NoPrivateKey,
    /// The PKCS#12 file holds no certificate.
    NoCertificate,
    /// No certificate in the PKCS#12 file belongs to its private key.
    KeyCertificateMismatch,
    /// The signer certificate's notAfter lies before the reference time.
    CertificateExpired {
        /// notAfter as text (UTC).
        not_after: String,
    },
    /// The signer certificate's notBefore lies after the reference time.
    CertificateNotYetValid {
        /// notBefore as text (UTC).
        not_before: String,
    },
    /// The key usage extension allows neither digitalSignature nor nonRepudiation.
    MissingKeyUsage,
    /// The key type or size cannot be used (only RSA >= 2048 bits and ECDSA P-256).
    UnsupportedKey(String),
    /// The signer certificate cannot be decoded or re-encoded.
    InvalidCertificate(String),
    /// The input is not a PDF we can read.
    InvalidPdf(String),
    /// The input PDF is readable but cannot be signed safely (encrypted, repaired xref, ...).
    UnsupportedPdf(String),
    /// The seal's page index is beyond the last page.
    PageOutOfRange {
        /// Requested 0-based index.
        index: usize,
        /// Number of pages in the document.
        count: usize,
    },
    /// The seal rectangle is empty or not finite.
    InvalidRect([f32; 4]),
    /// The seal image is neither a readable PNG nor a readable JPEG.
    InvalidImage(String),
    /// The signing time cannot be represented.
    InvalidSigningTime(i64),
    /// The CMS does not fit in the reserved `/Contents` space.
    SignatureTooLarge {
        /// DER size of the CMS.
        needed: usize,
        /// Reserved bytes.
        reserved: usize,
    },
    /// Building or signing the CMS failed.
    Crypto(String),
    /// The password file could not be read.
    PasswordFile {
        /// The file given.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// No password in the environment or a file, and no terminal to ask on.
    NoTerminal,
    /// Reading the password from the terminal failed.
    PasswordPrompt(std::io::Error),
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongPassword => f.write_str(
                "PKCS#12 密码错误，或文件内容已被改动 (wrong PKCS#12 password, or the file's content was altered)",
            ),
            Self::CorruptP12(e) => {
                write!(f, "PKCS#12 文件已损坏或格式不支持 (corrupt or unsupported PKCS#12 file: {e})")
            }
            Self::NoPrivateKey => {
                f.write_str("PKCS#12 文件中没有私钥 (the PKCS#12 file contains no private key)")
            }
            Self::NoCertificate => {
                f.write_str("PKCS#12 文件中没有证书 (the PKCS#12 file contains no certificate)")
            }
            Self::KeyCertificateMismatch => f.write_str(
                "私钥与证书不匹配 (the private key does not match the certificate in the PKCS#12 file)",
            ),
            Self::CertificateExpired { not_after } => {
                write!(f, "签名证书已过期，有效期至 {not_after} (signing certificate expired on {not_after})")
            }
            Self::CertificateNotYetValid { not_before } => write!(
                f,
                "签名证书尚未生效，生效时间 {not_before} (signing certificate is not valid before {not_before})"
            ),
            Self::MissingKeyUsage => f.write_str(
                "签名证书的密钥用法不含数字签名或不可否认 (certificate key usage allows neither digitalSignature nor nonRepudiation)",
            ),
            Self::UnsupportedKey(k) => write!(
                f,
                "不支持的密钥类型或长度：{k}；仅支持 RSA 2048 位及以上或 ECDSA P-256 (unsupported key: {k}; only RSA >= 2048 bits or ECDSA P-256)"
            ),
            Self::InvalidCertificate(e) => {
                write!(f, "签名证书无法解析 (cannot decode the signing certificate: {e})")
            }
            Self::InvalidPdf(e) => write!(f, "无法读取 PDF 文件 (cannot read the PDF: {e})"),
            Self::UnsupportedPdf(e) => write!(f, "该 PDF 无法签名 (this PDF cannot be signed: {e})"),
            Self::PageOutOfRange { index, count } => write!(
                f,
                "印章页码超出范围：第 {} 页，文档共 {count} 页 (seal page index {index} (0-based) is out of range; the document has {count} pages)",
                index + 1
            ),
            Self::InvalidRect(r) => write!(
                f,
                "印章位置无效 (invalid seal rectangle [{} {} {} {}])",
                r[0], r[1], r[2], r[3]
            ),
            Self::InvalidImage(e) => {
                write!(f, "印章图片无法读取，须为 PNG 或 JPEG (cannot read the seal image, PNG or JPEG expected: {e})")
            }
            Self::InvalidSigningTime(t) => {
                write!(f, "签名时间无效 (invalid signing time: {t} unix seconds)")
            }
            Self::SignatureTooLarge { needed, reserved } => write!(
                f,
                "签名数据过大 (the CMS signature needs {needed} bytes but only {reserved} are reserved)"
            ),
            Self::Crypto(e) => write!(f, "生成签名失败 (creating the signature failed: {e})"),
            Self::PasswordFile { path, error } => write!(
                f,
                "无法读取密码文件 {} (cannot read the password file {}: {error})",
                path.display(),
                path.display()
            ),
            Self::NoTerminal => f.write_str(
                "没有可用的终端输入密码；请设置环境变量 NIANBAO_P12_PASSWORD 或提供密码文件 (no terminal to ask for the PKCS#12 password; set NIANBAO_P12_PASSWORD or give a password file)",
            ),
            Self::PasswordPrompt(e) => write!(f, "读取密码失败 (reading the password failed: {e})"),
        }
    }
}

impl std::error::Error for SignError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::PasswordFile { error, .. } | Self::PasswordPrompt(error) => Some(error),
            _ => None,
        }
    }
}
