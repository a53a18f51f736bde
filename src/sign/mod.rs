//! PDF signing: PAdES baseline B-B signatures appended to a finished PDF as an incremental update.
//!
//! The flow is: [`Signer::from_p12`] loads and checks the key and certificate once,
//! [`sign_pdf`] appends a signature field (optionally with a visible seal) and a detached
//! CMS SignedData (`/SubFilter /ETSI.CAdES.detached`) to the unchanged input bytes.

mod appearance;
mod cms;
mod error;
mod incremental;
mod keystore;
mod session;
mod structure;

pub use error::SignError;
pub use keystore::Signer;
pub use session::{
    SIGNING_TIME_ENV, SignInfo, Signing, default_seal_rect, page_box, seal_rect_pdf, sign_rendered,
    signing_time,
};

/// A visible seal drawn in the signature widget.
#[derive(Debug, Clone)]
pub struct SealAppearance {
    /// 0-based index of the page that carries the widget.
    pub page_index: usize,
    /// Widget rectangle in PDF user space (points, origin bottom-left): x0 y0 x1 y1.
    pub rect: [f32; 4],
    /// PNG (alpha is kept through an /SMask) or JPEG bytes.
    pub image: Vec<u8>,
}

/// Options for one signature.
#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// Claimed signing time (unix seconds, UTC), written to `/M` of the signature dictionary.
    pub signing_time_unix: i64,
    /// Visible seal; `None` gives an invisible signature (rect `[0 0 0 0]` on the first page).
    pub appearance: Option<SealAppearance>,
    /// `/Reason` of the signature dictionary.
    pub reason: Option<String>,
    /// `/Location` of the signature dictionary.
    pub location: Option<String>,
}

/// Bytes reserved for the DER-encoded CMS in `/Contents` (written as twice as many hex digits).
pub const CONTENTS_RESERVED_BYTES: usize = 16 * 1024;

/// Appends an incremental update with a PAdES B-B signature.
///
/// The input bytes are an untouched prefix of the output. The `/ByteRange` covers the whole
/// output except the hex value of `/Contents`.
pub fn sign_pdf(pdf: &[u8], signer: &Signer, options: &SignOptions) -> Result<Vec<u8>, SignError> {
    let seal = match &options.appearance {
        Some(app) => Some(appearance::SealImage::decode(&app.image)?),
        None => None,
    };
    let m_date = pdf_date(options.signing_time_unix)?;
    let field = incremental::FieldSpec {
        page_index: options.appearance.as_ref().map_or(0, |a| a.page_index),
        rect: options.appearance.as_ref().map_or([0.0; 4], |a| a.rect),
        seal: seal.as_ref(),
        m_date: &m_date,
        reason: options.reason.as_deref(),
        location: options.location.as_deref(),
        signer_name: &signer.subject_name(),
        contents_len: CONTENTS_RESERVED_BYTES,
    };
    let mut prepared = incremental::prepare(pdf, &field)?;
    incremental::finish(&mut prepared, |digest| cms::build_signed_data(signer, digest))?;
    Ok(prepared.pdf)
}

/// Formats unix seconds as a PDF date string `D:YYYYMMDDHHmmSSZ` (UTC).
fn pdf_date(unix: i64) -> Result<String, SignError> {
    let secs = u64::try_from(unix).map_err(|_| SignError::InvalidSigningTime(unix))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|_| SignError::InvalidSigningTime(unix))?;
    Ok(format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minutes(),
        dt.seconds()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_date_formats_utc() {
        assert_eq!(pdf_date(0).ok().as_deref(), Some("D:19700101000000Z"));
        assert_eq!(pdf_date(1_768_473_000).ok().as_deref(), Some("D:20260115103000Z"));
        assert!(matches!(pdf_date(-1), Err(SignError::InvalidSigningTime(-1))));
    }
}
