//! Reads the PKCS#12 password from the environment, a file, or an interactive terminal prompt.

use std::io::IsTerminal;
use std::path::Path;

use nianbao::sign::SignError;

/// Environment variable that holds the PKCS#12 password.
pub const PASSWORD_ENV: &str = "NIANBAO_P12_PASSWORD";

/// Password from env `NIANBAO_P12_PASSWORD`, else the file given (first line, without the
/// line ending), else an interactive prompt on the terminal (error if there is no terminal).
/// The password is never taken from the command line.
pub fn read_password(password_file: Option<&Path>) -> Result<String, SignError> {
    if let Some(value) = std::env::var_os(PASSWORD_ENV) {
        return Ok(value.to_string_lossy().into_owned());
    }
    if let Some(path) = password_file {
        let bytes = nianbao::io::read_capped(path, nianbao::io::limits::PASSWORD).map_err(|e| {
            SignError::PasswordFile {
                path: path.to_path_buf(),
                error: std::io::Error::other(e.to_string()),
            }
        })?;
        let text = String::from_utf8_lossy(&bytes);
        // Editors on Windows save a BOM first: it is not part of the password.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        return Ok(first_line(text).to_owned());
    }
    if !std::io::stdin().is_terminal() && !std::io::stderr().is_terminal() {
        return Err(SignError::NoTerminal);
    }
    // rpassword reads from the controlling terminal (/dev/tty), not from stdin.
    rpassword::prompt_password("PKCS#12 密码 (password): ").map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(6) {
            SignError::NoTerminal
        } else {
            SignError::PasswordPrompt(e)
        }
    })
}

/// The first line of a password file, without `\n` or `\r\n`.
fn first_line(text: &str) -> &str {
    let line = text.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_file_first_line_without_bom() {
        if std::env::var_os(PASSWORD_ENV).is_some() {
            return; // the environment wins by design
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw.txt");
        std::fs::write(&path, "\u{feff}s3cret\r\nmore\n").unwrap();
        assert_eq!(read_password(Some(&path)).unwrap(), "s3cret");
        let missing = dir.path().join("no-such-file");
        assert!(matches!(read_password(Some(&missing)), Err(SignError::PasswordFile { .. })));
    }

    #[test]
    fn password_file_line_endings() {
        assert_eq!(first_line("secret\n"), "secret");
        assert_eq!(first_line("secret\r\nmore"), "secret");
        assert_eq!(first_line("se cret"), "se cret");
        assert_eq!(first_line(""), "");
    }
}
