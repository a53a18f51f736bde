//! The PNG/JPEG path: any bytes through `ImageData::from_bytes` (the check every image the
//! report names goes through). Accepted bytes must stay within the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao::resolve::ImageData;

/// `resolve::image::{MAX_SIDE_PX, MAX_PIXELS}` (the module is private).
const MAX_SIDE_PX: u32 = 12_000;
const MAX_PIXELS: u64 = 40_000_000;

/// libFuzzer's hook aborts on every panic, even one `from_bytes` catches. The one known
/// upstream panic (zune-jpeg 0.5.15's AVX2 upsampler, docs/fuzzing.md), which `from_bytes`
/// turns into an error, is let through to that catch so the run goes on; any other panic
/// still aborts and is saved as a crash.
fn let_known_decoder_panic_through() {
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let known = info
            .location()
            .is_some_and(|l| l.file().contains("zune-jpeg") && l.file().contains("upsampler"));
        if !known {
            abort(info);
        }
    }));
}

fuzz_target!(init: let_known_decoder_panic_through(), |data: &[u8]| {
    match ImageData::from_bytes(data.to_vec()) {
        Ok(img) => {
            assert!(img.width_px > 0 && img.height_px > 0);
            assert!(img.width_px <= MAX_SIDE_PX && img.height_px <= MAX_SIDE_PX);
            assert!(u64::from(img.width_px) * u64::from(img.height_px) <= MAX_PIXELS);
            assert!(img.bytes.len() <= data.len());
        }
        Err(e) => assert!(!e.is_empty()),
    }
});
