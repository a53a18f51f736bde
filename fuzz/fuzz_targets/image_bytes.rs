//! The PNG/JPEG path: any bytes through `ImageData::from_bytes` (the check every image the
//! report names goes through). Accepted bytes must stay within the limits. A decoder panic
//! that `from_bytes` catches (and reports as a broken image) does not reach libFuzzer's
//! aborting hook: `resolve::image::guarded` keeps it from every hook.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao::resolve::ImageData;

/// `resolve::image::{MAX_SIDE_PX, MAX_PIXELS}` (the module is private).
const MAX_SIDE_PX: u32 = 12_000;
const MAX_PIXELS: u64 = 40_000_000;

fuzz_target!(|data: &[u8]| {
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
